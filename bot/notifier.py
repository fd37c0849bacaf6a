"""Sends the outbox to people in Telegram: customers about their orders, managers their alerts.

One reader (the holder of the notifier lease) turns each outbox event into a message job per person to tell
(core.orders.notifications.tell_later); the job queue (core.base.jobs) then sends each message by itself,
claimed before it is sent, in order within one chat. While Telegram cannot be reached a message waits and is
tried again later, so nothing is lost; a second process or a slow Telegram does not double it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup

from bot.callbacks import AfterSalesDecision, Decision, HeldOrder, PurchaseOrderAction, PurchaseOrderButton
from bot.charts import chart_png
from bot.keyboards import keyboard
from bot.texts import TEXTS, language_of, say
from core.base.events import OutboxEvent
from core.base.i18n import currency_word, is_named, is_phrase, local_day, render, status_word
from core.base.jobs import Job, Later, Policy, handles, run_due
from core.base.lease import LeaseClaim, lease_for
from core.base.settings import Settings
from core.floor.picking import pick_list_warehouse
from core.orders.notifications import (
    MESSAGE,
    Recipient,
    already_told,
    backlog,
    fan_out,
    mark_told,
    message_of,
    note_failure,
    note_success,
)
from core.orders.review import held_details
from core.reports import dashboard
from core.stock.warehouses import warehouse_label_by_id

log = logging.getLogger(__name__)
CONSUMER = "telegram"
UTC_ZONE = ZoneInfo("UTC")
BATCH = 100  # events per round


WORDS = {"kind": "aftersales_kind", "status": "order", "from": "order"}  # a value's status words, by its key
DAYS = ("eta", "requested", "arrives", "day")  # values that are days (ISO), said as the reader says a day


def _said_in(lang: str, payload: dict[str, Any]) -> dict[str, str | int | float]:
    """The event's values a message may show; a phrase or a name held in both languages (a warehouse's, a
    carrier's) is said in the reader's, and so is a value written in both (`why` and `why_zh`); states are
    said in words and days as the reader writes them, never as stored."""
    said = {k: render(v, lang) if is_phrase(v) or is_named(v) else v for k, v in payload.items()
            if isinstance(v, str | int | float) or is_phrase(v) or is_named(v)}
    for key in [k for k in said if k.endswith("_zh")]:
        twin = said.pop(key)
        if lang == "zh":
            said[key.removesuffix("_zh")] = twin
    for key, kind in WORDS.items():
        if isinstance(said.get(key), str):
            said[key] = status_word(kind, str(said[key]), lang)
    if isinstance(said.get("currency"), str):
        said["currency"] = currency_word(str(said["currency"]), lang)  # 元, not CNY, for a Chinese reader
    for key in DAYS:
        if isinstance(said.get(key), str) and said[key]:
            with contextlib.suppress(ValueError):  # not a day after all: said as it came
                said[key] = local_day(str(said[key]), lang)
    return said


def message_for(event: OutboxEvent, who: Recipient) -> tuple[str, InlineKeyboardMarkup | None] | None:
    lang = language_of(who.language)
    key = ("n." if who.role == "customer" else "m.") + event.kind
    if key not in TEXTS:
        return None
    payload = {"warehouse": say(lang, "warehouse_unknown"), **_said_in(lang, event.payload)}
    text = say(lang, key, **payload).rstrip()  # a note left empty at the end leaves no space behind
    buttons = None
    if who.role != "customer" and event.kind == "order.on_hold":
        number = event.payload["order"]
        buttons = keyboard([[(say(lang, "approve"), HeldOrder(decision=Decision.APPROVE, number=number)),
                             (say(lang, "reject"), HeldOrder(decision=Decision.REJECT, number=number))]])
    elif who.role != "customer" and event.kind == "aftersales.opened":
        number = event.payload["request"]
        buttons = keyboard([[(say(lang, "approve"), AfterSalesDecision(decision=Decision.APPROVE, number=number)),
                             (say(lang, "reject"), AfterSalesDecision(decision=Decision.REJECT, number=number))]])
    elif who.role != "customer" and event.kind == "purchase_order.drafted":
        buttons = keyboard([[(say(lang, "confirm_po"), PurchaseOrderButton(
            action=PurchaseOrderAction.CONFIRM, number=event.payload["purchase_order"]))]])
    return text, buttons


@dataclass(frozen=True)
class Round:
    """What one round did: messages sent, events read from the outbox, and whether Telegram failed."""

    sent: int = 0
    read: int = 0  # events read; a full batch means more are there to read at once
    stalled: bool = False  # a message failed: it is due again later, after the others of its chat


@dataclass(frozen=True)
class Telegram:
    """What a message job needs: the bot that sends, and the company's zone for the daily chart."""

    bot: Bot
    tz: ZoneInfo


SEND_TIMEOUT = 20  # seconds one message may take; its job's claim (MESSAGE_POLICY.claim) outlasts it


async def _gave_up(job: Job, why: str) -> None:
    log.error("message about event %s to chat %s given up: %s", job.payload["event_id"], job.payload["chat_id"], why)


MESSAGE_POLICY = Policy(tries=200, first_wait=2.0, longest_wait=300.0, claim=60.0, gave_up=_gave_up)


def _has_words(event: OutboxEvent, who: Recipient) -> bool:
    """Whether the bot has a message for this kind of event and this kind of person."""
    return ("n." if who.role == "customer" else "m.") + event.kind in TEXTS


@handles(MESSAGE, MESSAGE_POLICY)
async def send_message(job: Job, telegram: Telegram) -> bool:
    """Send one message (a job of `tell_later`); True when sent, False when no one can be told (the person
    blocked the bot, or the event is gone). Each job is claimed before it is sent, so a second process or a
    slow Telegram never sends it twice; only a crash between sending and recording can repeat it."""
    event, who = await message_of(job)
    if event is None or who.key in await already_told(event.id):
        return False
    await described(event)
    message = message_for(event, who)
    if message is None:
        return False
    text, buttons = message
    try:
        if event.kind == "report.daily" and who.role != "customer":
            await telegram.bot.send_photo(who.chat_id, await _chart(telegram.tz), caption=text,
                                          request_timeout=SEND_TIMEOUT)
        else:
            await telegram.bot.send_message(who.chat_id, text, reply_markup=buttons, request_timeout=SEND_TIMEOUT)
    except (TelegramForbiddenError, TelegramBadRequest) as exc:
        log.warning("cannot tell %s about event %s: %s", who.key, event.id, exc)
        await mark_told(event.id, who, outcome="unreachable")  # blocked the bot: nothing to try again
        return False
    except TelegramRetryAfter as exc:  # Telegram's flood control says when to come back
        await note_failure(CONSUMER, datetime.now(UTC))
        raise Later(f"Telegram asked to wait {exc.retry_after} s", after=float(exc.retry_after)) from exc
    except Exception as exc:  # unreachable, a 5xx and the like: tried again later
        await note_failure(CONSUMER, datetime.now(UTC))
        raise Later(f"Telegram: {exc}") from exc
    await mark_told(event.id, who)
    await note_success(CONSUMER)
    return True


async def notify_round(bot: Bot, limit: int = BATCH, tz: ZoneInfo = UTC_ZONE, *, fan: bool = True,
                       now: datetime | None = None) -> Round:
    """One round: the next events made into message jobs (when `fan`), then every message due (by `now`, else
    the clock) sent, each by itself."""
    read = await fan_out(CONSUMER, _has_words, limit) if fan else 0
    ran = await run_due(Telegram(bot, tz), now, kinds=[MESSAGE])
    return Round(ran.worked, read, stalled=ran.done < ran.tried)


async def notify_once(bot: Bot, limit: int = BATCH, tz: ZoneInfo = UTC_ZONE, now: datetime | None = None) -> int:
    """One round over the outbox; returns how many messages were sent."""
    return (await notify_round(bot, limit, tz, now=now)).sent


async def described(event: OutboxEvent) -> None:
    """What an alert says beyond its event, read as it is said: the warehouse's label, and a held order's
    customer, items and amount. The event changes in memory only."""
    await _name_warehouse(event)
    if event.kind == "order.on_hold" and (details := await held_details(str(event.payload.get("order")))):
        event.payload = {**details, **event.payload}


async def _name_warehouse(event: OutboxEvent) -> None:
    """An alert queued before alerts carried the warehouse's label (`warehouse`) names it by its id, or by its
    pick list's, as the warehouse is now; one no longer found is said to be unknown (message_for), never left
    blank. The event changes in memory only."""
    if "warehouse" in event.payload or "{warehouse}" not in TEXTS.get(f"m.{event.kind}", {}).get("en", ""):
        return
    label = await warehouse_label_by_id(event.payload.get("warehouse_id"))
    if label is None and isinstance(pick_list := event.payload.get("pick_list"), str):
        label = await pick_list_warehouse(pick_list)
    if label is not None:
        event.payload = {**event.payload, "warehouse": label}


async def _chart(tz: ZoneInfo) -> BufferedInputFile:
    figures = await dashboard(tz, 14)
    return BufferedInputFile(chart_png(figures["days"], figures["received"], figures["shipped"]), "report.png")


STUCK_ROUNDS = 5
LEASE = "notifier"
LEASE_SECONDS = 30.0


def notifier_lease(settings: Settings, holder: str | None = None) -> LeaseClaim:
    """The notifier's lease, where the settings keep leases (Redis when configured, else the database)."""
    return lease_for(settings, LEASE, LEASE_SECONDS, holder)


async def notify_as(bot: Bot, lease: LeaseClaim, tz: ZoneInfo = UTC_ZONE) -> Round:
    """One round in a process of several: the holder of the notifier `lease` turns events into message jobs
    (one reader keeps the outbox's order); every process sends the messages that are due, each claimed first."""
    return await notify_round(bot, tz=tz, fan=await lease.hold())


async def run_notifier(bot: Bot, stop: asyncio.Event, lease: LeaseClaim, tz: ZoneInfo = UTC_ZONE,
                       interval: float = 2.0, wake: asyncio.Event | None = None) -> None:
    """Rounds: at once again after a full batch or when `wake` is set (a handler whose person waits to hear of
    their step), else every `interval`. A message Telegram fails on waits longer each time (its job's policy)
    and holds back only the later messages of its own chat; the log says when the backlog is stuck. On stop
    the lease is given up, so another process takes over at once."""
    failing = 0
    while not stop.is_set():
        try:
            done = await notify_as(bot, lease, tz)
        except Exception:
            log.exception("notifier round failed")
            done = Round(stalled=True)
        failing = failing + 1 if done.stalled else 0
        if failing == STUCK_ROUNDS:
            await _say_stuck()
        if done.read == BATCH:
            continue
        await _pause(interval, stop, wake)
    await lease.release()


async def _pause(seconds: float, stop: asyncio.Event, wake: asyncio.Event | None) -> None:
    """Until `stop` or `wake` is set, or `seconds` have passed; a wake-up is used up."""
    waiting = [asyncio.create_task(event.wait()) for event in (stop, wake) if event is not None]
    _, pending = await asyncio.wait(waiting, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    if wake is not None:
        wake.clear()


async def _say_stuck() -> None:
    try:
        waiting: int | str = await backlog(CONSUMER)
    except Exception:
        waiting = "some"
    log.error("notifications are stuck: %s events waiting; Telegram keeps failing", waiting)
