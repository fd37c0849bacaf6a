"""Checking out the cart, one small step each: address, delivery day, speed, payment, confirm.

Confirming twice is one order: the confirmation message names the checkout (the order's `external_ref`), and
the dialog ends with the order, so a second press finds it over and says so.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from aiogram import F
from aiogram.filters import or_f
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.callbacks import CartAction, CartButton, CheckoutEnd, DeliveryDay, PaymentChoice, ServiceChoice
from bot.cart import cart_lines, cart_of
from bot.dialogs import begin, end, this_dialog
from bot.errors import already_done
from bot.features import Feature
from bot.keyboards import keyboard
from bot.texts import say
from core.base.i18n import local_day, status_word
from core.base.settings import Settings
from core.orders.customers import Customer
from core.orders.intake import place_order
from core.orders.order import OrderIn, PaymentMethod, ServiceLevel

feature = Feature("checkout")
SPEEDS = (ServiceLevel.EXPRESS, ServiceLevel.STANDARD, ServiceLevel.ECONOMY)
PAYMENTS = (PaymentMethod.PREPAID, PaymentMethod.COD)


class Checkout(StatesGroup):
    address = State()
    date = State()
    service = State()
    payment = State()
    confirm = State()


@feature.callback_query(CartButton.filter(F.action == CartAction.CHECKOUT), F.message.as_("shown"))
async def start_checkout(query: CallbackQuery, shown: Message, state: FSMContext, lang: str,
                         customer: Customer | None) -> None:
    await query.answer()
    if customer is None or not customer.phone:
        await shown.answer(say(lang, "need_phone"))  # the carrier must be able to call
        return
    if not await cart_of(state):
        await shown.answer(say(lang, "cart_empty"))
        return
    await begin(state, Checkout.address)
    await shown.answer(say(lang, "ask_address"))


@feature.message(Checkout.address, F.text)
async def address(message: Message, state: FSMContext, lang: str) -> None:
    parts = [p.strip() for p in re.split(r"[,，、]", message.text or "") if p.strip()]
    if len(parts) < 4 or len(parts) > 5 or any(len(p) > 120 for p in parts):
        await message.answer(say(lang, "bad_address"))
        return
    province, city, district, line1, *rest = parts
    await state.update_data(address={"province": province, "city": city, "district": district, "line1": line1,
                                     "postcode": rest[0] if rest else ""})
    await state.set_state(Checkout.date)
    dialog = (await state.get_data())["dialog"]
    await message.answer(say(lang, "ask_date"), reply_markup=keyboard([[
        (say(lang, "today"), DeliveryDay(dialog=dialog, days=0)),
        (say(lang, "tomorrow"), DeliveryDay(dialog=dialog, days=1)),
        (say(lang, "any_day"), DeliveryDay(dialog=dialog))]]))


@feature.callback_query(Checkout.date, DeliveryDay.filter(), this_dialog, F.message.as_("shown"))
async def delivery_day(query: CallbackQuery, callback_data: DeliveryDay, shown: Message, state: FSMContext,
                       lang: str, settings: Settings) -> None:
    days = callback_data.days
    day = None if days is None else (datetime.now(settings.tz).date() + timedelta(days=days)).isoformat()
    await state.update_data(date=day)
    await state.set_state(Checkout.service)
    await shown.answer(say(lang, "ask_service"), reply_markup=keyboard([[
        (say(lang, level), ServiceChoice(dialog=callback_data.dialog, level=level)) for level in SPEEDS]]))
    await query.answer()


@feature.callback_query(Checkout.service, ServiceChoice.filter(), this_dialog, F.message.as_("shown"))
async def speed(query: CallbackQuery, callback_data: ServiceChoice, shown: Message, state: FSMContext,
                lang: str) -> None:
    await state.update_data(service=callback_data.level.value)
    await state.set_state(Checkout.payment)
    await shown.answer(say(lang, "ask_payment"), reply_markup=keyboard([[
        (say(lang, method), PaymentChoice(dialog=callback_data.dialog, method=method)) for method in PAYMENTS]]))
    await query.answer()


@feature.callback_query(Checkout.payment, PaymentChoice.filter(), this_dialog, F.message.as_("shown"))
async def payment(query: CallbackQuery, callback_data: PaymentChoice, shown: Message, state: FSMContext,
                  lang: str) -> None:
    await state.update_data(payment=callback_data.method.value)
    await state.set_state(Checkout.confirm)
    data = await state.get_data()
    lines, total = await cart_lines(data["cart"], lang)
    a = data["address"]
    day = local_day(data["date"], lang) if data["date"] else say(lang, "any_day")
    await shown.answer(say(
        lang, "summary", lines=lines, total=total, address=f"{a['province']} {a['city']} {a['district']} {a['line1']}",
        date=day, service=say(lang, data["service"]),
        payment=say(lang, data["payment"])), reply_markup=keyboard([[
            (say(lang, "confirm"), CheckoutEnd(dialog=callback_data.dialog, confirm=True)),
            (say(lang, "cancel"), CheckoutEnd(dialog=callback_data.dialog, confirm=False))]]))
    await query.answer()


@feature.callback_query(Checkout.confirm, CheckoutEnd.filter(~F.confirm), this_dialog, F.message.as_("shown"))
async def drop(query: CallbackQuery, shown: Message, state: FSMContext, lang: str) -> None:
    await end(state, keep_cart=True)
    await shown.answer(say(lang, "dropped"))
    await query.answer()


@feature.callback_query(Checkout.confirm, CheckoutEnd.filter(F.confirm), this_dialog, F.message.as_("shown"))
async def confirm(query: CallbackQuery, shown: Message, state: FSMContext, lang: str, customer: Customer,
                  settings: Settings) -> None:
    data = await state.get_data()
    body = OrderIn.model_validate({
        # the confirmation message identifies this checkout: two presses at once are still one order
        "external_ref": f"tg-{query.from_user.id}-{shown.message_id}",
        "customer": {"name": customer.name, "phone": customer.phone, "telegram_id": query.from_user.id},
        "address": {"recipient": customer.name, "phone": customer.phone, **data["address"]},
        "lines": [{"sku": s, "qty": q} for s, q in data["cart"].items()],
        "service_level": data["service"], "payment_method": data["payment"], "payment_state": "pending",
        "requested_date": data["date"],
    })
    placed = await place_order(body, "telegram", f"tg:{query.from_user.id}", settings)
    await end(state)
    await shown.answer(say(lang, "placed", number=placed.order.number,
                                     status=status_word("order", placed.order.status, lang)))
    await query.answer()


@feature.callback_query(or_f(DeliveryDay.filter(), ServiceChoice.filter(), PaymentChoice.filter(),
                              CheckoutEnd.filter()))
async def finished_step(query: CallbackQuery, lang: str) -> None:
    """A button of a step passed, of a checkout ended (or placed), or of an earlier checkout."""
    await already_done(query, lang)
