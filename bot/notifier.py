"""Sends the outbox to people in Telegram: customers about their orders, managers their alerts.

Each event is told to each person once (core.orders.notifications keeps the record). While Telegram cannot be
reached the notifier stops where it is and tries again later, so nothing is lost and nothing is doubled.
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
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramNetworkError, TelegramRetryAfter
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup

from bot.callbacks import AfterSalesDecision, Decision, HeldOrder, PurchaseOrderAction, PurchaseOrderButton
from bot.charts import chart_png
from bot.keyboards import keyboard
from bot.texts import TEXTS, language_of, say
from core.base.events import OutboxEvent
from core.base.i18n import currency_word, is_named, is_phrase, local_day, render, status_word
from core.base.lease import LeaseClaim, lease_for
from core.base.settings import Settings
from core.floor.picking import pick_list_warehouse
from core.orders.notifications import (
    Recipient,
    advance,
    already_told,
    audience,
    backlog,
    mark_told,
    next_events,
    note_failure,
    note_success,
)
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
    text = say(lang, key, **payload)
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
    """What one round over the outbox did."""

    sent: int = 0
    read: int = 0  # events read; a full batch means more are there to read at once
    stalled: bool = False  # Telegram failed: the event it stopped at is read again next round


async def notify_round(bot: Bot, limit: int = BATCH, tz: ZoneInfo = UTC_ZONE) -> Round:
    """One round over the outbox. Stops at the first event Telegram fails on; the people already told of it
    are not told again when it is read again."""
    events = await next_events(CONSUMER, limit)
    sent, done = 0, 0
    for event in events:
        told = await _tell(bot, event, tz)
        if told is None:
            break
        sent, done = sent + told, done + 1
    if done:  # one move for the whole batch: a crash before it only means reading again what was told
        await advance(CONSUMER, events[done - 1])
    if done < len(events):
        await note_failure(CONSUMER, datetime.now(UTC))
        return Round(sent, done, stalled=True)
    await note_success(CONSUMER)
    return Round(sent, done)


async def notify_once(bot: Bot, limit: int = BATCH, tz: ZoneInfo = UTC_ZONE) -> int:
    """One round over the outbox; returns how many messages were sent."""
    return (await notify_round(bot, limit, tz)).sent


async def _tell(bot: Bot, event: OutboxEvent, tz: ZoneInfo) -> int | None:
    """Tell everyone of the event who was not told yet; how many were, or None while Telegram fails."""
    await _name_warehouse(event)
    messages = [(who, message) for who in await audience(event) if (message := message_for(event, who))]
    if not messages:
        return 0  # most events are no one's business in Telegram: no need to look for deliveries
    told, sent = await already_told(event.id), 0
    for who, (text, buttons) in messages:
        if who.key in told:
            continue
        try:
            if event.kind == "report.daily" and who.role != "customer":
                await bot.send_photo(who.chat_id, await _chart(tz), caption=text)
            else:
                await bot.send_message(who.chat_id, text, reply_markup=buttons)
        except (TelegramForbiddenError, TelegramBadRequest) as exc:
            log.warning("cannot tell %s about event %s: %s", who.key, event.id, exc)
            await mark_told(event.id, who, outcome="unreachable")  # blocked the bot: do not hold the queue
            continue
        except (TelegramNetworkError, TelegramRetryAfter) as exc:
            log.info("Telegram unreachable, will retry: %s", exc)
            return None
        except Exception:  # a 5xx and the like: also retried later
            log.exception("sending event %s to %s failed; will retry", event.id, who.key)
            return None
        await mark_told(event.id, who)
        sent += 1
    return sent


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


async def notify_as(bot: Bot, lease: LeaseClaim, tz: ZoneInfo = UTC_ZONE) -> Round | None:
    """One round, if this process holds the notifier `lease`; None when another process does the sending.

    With several bot processes (webhook mode), two notifiers could otherwise send one event twice at the
    same moment: the delivery record is written after the message went out."""
    if not await lease.hold():
        return None
    return await notify_round(bot, tz=tz)


async def run_notifier(bot: Bot, stop: asyncio.Event, lease: LeaseClaim, tz: ZoneInfo = UTC_ZONE,
                       interval: float = 2.0, wake: asyncio.Event | None = None) -> None:
    """Rounds over the outbox: at once again after a full batch or when `wake` is set (a handler whose
    person waits to hear of their step), else every `interval`; while Telegram (or the database) fails,
    waits longer each time, up to a minute, and says in the log which backlog is stuck. A round that told
    no one because no one was to be told is no failure. Nothing is dropped: the cursor does not move past
    an untold event. On stop the lease is given up, so another process takes over at once."""
    wait, failing = interval, 0
    while not stop.is_set():
        try:
            done = await notify_as(bot, lease, tz)
        except Exception:
            log.exception("notifier round failed")
            done = Round(stalled=True)
        if done is not None and done.stalled:
            failing += 1
            wait = min(wait * 2, 60.0)
            if failing == STUCK_ROUNDS:
                await _say_stuck()
        else:
            failing, wait = 0, interval
            if done is not None and done.read == BATCH:
                continue
        await _pause(wait, stop, None if failing else wake)
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
