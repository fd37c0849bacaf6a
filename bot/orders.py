"""A customer's own orders: the list, an order's status with its journey and tracking link, cancelling it.

Only the customer's own orders exist for them: anyone else's number reads as not found.
"""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from aiogram import F
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import CancelOrder, PayOrder, TrackOrder
from bot.features import Feature
from bot.keyboards import button, keyboard, link
from bot.texts import say
from core.base.i18n import local_day, local_moment, phrase, render, status_word
from core.base.settings import Settings
from core.orders.customers import Customer
from core.orders.order import Order, customer_order, orders_of_customer
from core.shipping.cancellation import cancel_order
from core.shipping.tracking import Journey, carrier_words, journey_for_customer

feature = Feature("orders")
TRACK_LINK = "track_"  # /start track_<number>: the link in a shop's e-mail


@feature.message(CommandStart(deep_link=True, magic=F.args.startswith(TRACK_LINK)))
async def start_tracking(message: Message, command: CommandObject, lang: str, customer: Customer | None,
                         settings: Settings) -> None:
    await send_status(message, (command.args or "").removeprefix(TRACK_LINK), customer, lang, settings)


@feature.message(Command("orders"))
async def my_orders(message: Message, lang: str, customer: Customer | None, settings: Settings) -> None:
    latest = await orders_of_customer(customer.id) if customer else []
    if not latest:
        await message.answer(say(lang, "no_orders"))
        return
    tz = customer.zone(settings.tz) if customer else settings.tz
    await message.answer(say(lang, "orders"), reply_markup=keyboard(
        [[(order_label(o, lang, tz), TrackOrder(number=o.number))] for o in latest]))


def order_label(order: Order, lang: str, tz: ZoneInfo) -> str:
    """An order in a list: its number, where it stands in words, the day it was placed in the customer's zone."""
    placed = local_day(order.created_at, lang, tz)
    return f"{order.number} · {status_word('order', order.status, lang)} · {placed}"


@feature.message(Command("track"))
async def track(message: Message, command: CommandObject, lang: str, customer: Customer | None,
                settings: Settings) -> None:
    if not command.args:
        await message.answer(say(lang, "track_usage"))
        return
    await send_status(message, command.args.strip(), customer, lang, settings)


@feature.callback_query(TrackOrder.filter(), F.message.as_("shown"))
async def track_button(query: CallbackQuery, callback_data: TrackOrder, shown: Message, lang: str,
                       customer: Customer | None, settings: Settings) -> None:
    await send_status(shown, callback_data.number, customer, lang, settings)
    await query.answer()


@feature.callback_query(CancelOrder.filter())
async def cancel(query: CallbackQuery, callback_data: CancelOrder, lang: str, customer: Customer | None,
                 notify_now: asyncio.Event) -> None:
    number = callback_data.number
    if customer is None or await customer_order(number, customer.id) is None:
        await query.answer(say(lang, "not_yours", number=number), show_alert=True)
        return
    await cancel_order(number, f"tg:{query.from_user.id}", phrase("history.cancelled_by_customer"))
    # the cancel's outbox event tells the customer, once, of it and of any follow-ons it took along; the
    # notifier is woken so that comes at once
    notify_now.set()
    await query.answer()


async def send_status(message: Message, number: str, customer: Customer | None, lang: str,
                      settings: Settings) -> None:
    number = number[:32]
    journey = await journey_for_customer(number, customer.id, settings) if customer else None
    if journey is None:
        await message.answer(say(lang, "not_yours", number=number))
        return
    order = journey.order
    rows: list[list[InlineKeyboardButton]] = []
    if journey.tracking_url:
        rows.append([link(say(lang, "track_link"), journey.tracking_url)])
    if order.awaits_payment:
        rows.append([button(say(lang, "pay_online"), PayOrder(number=number))])  # the link: bot/checkout.py
    if order.may_cancel:
        rows.append([button(say(lang, "cancel_order"), CancelOrder(number=number))])
    await message.answer(status_text(journey, lang, customer.zone(settings.tz) if customer else settings.tz),
                         reply_markup=InlineKeyboardMarkup(inline_keyboard=rows) if rows else None)


def status_text(journey: Journey, lang: str, tz: ZoneInfo) -> str:
    """Where the order stands, in words; the day asked for; the parcel's journey, newest last, in the
    customer's time zone (`tz`):
    each step named in the reader's words, with the carrier's own only where they add something the reader
    can read (the simulated carrier's English stock phrases never reach a Chinese customer)."""
    order = journey.order
    text = say(lang, "status", number=order.number, status=status_word("order", order.status, lang),
               lines="\n".join(f"{qty} × {sku} {render(order.names[sku], lang)}" for sku, qty in order.lines))
    if order.requested_date:
        text += "\n" + say(lang, "requested", date=local_day(order.requested_date, lang))
    if journey.events:
        text += "\n" + say(lang, "journey")
    for event in journey.events:
        words = [local_moment(event["at"], tz, lang), status_word("tracking", event["code"], lang),
                 carrier_words(event["code"], event["description"], lang), event["place"]]
        text += "\n" + " · ".join(w for w in words if w)
    return text
