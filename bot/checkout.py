"""Checking out the cart, one small step each: what to do with what is short, address, delivery day, speed,
payment, confirm; then, for an order paid online, the link to pay it by.

The cart is checked against the stock first: products no longer sold are taken out (and the customer told),
and when a line wants more than there is, the customer is told how many are left and what becomes of the rest
(it follows as an order of its own, or the whole order waits, as their partial-shipment policy says) and
chooses: order it all, or only what is there. Nobody orders 35 of 28 without reading what happens to the 7.

Confirming twice is one order: the confirmation message names the checkout (the order's `external_ref`), and
the dialog ends with the order, so a second press finds it over and says so.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from aiogram import F
from aiogram.filters import StateFilter, or_f
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from pydantic import ValidationError

from bot.callbacks import (
    AddressCheck,
    CartAction,
    CartButton,
    CheckoutEnd,
    DeliveryDay,
    NewAddress,
    PaymentChoice,
    PayOrder,
    SavedAddressPick,
    ServiceChoice,
    ShortStock,
)
from bot.cart import cart_lines, cart_of, listed, name_in, set_cart
from bot.dialogs import begin, end, this_dialog
from bot.errors import already_done
from bot.features import Feature
from bot.keyboards import Row, keyboard, link
from bot.texts import say
from core.base.errors import NotFound
from core.base.fields import HOME_COUNTRY
from core.base.i18n import local_day, status_word
from core.base.phones import display_phone
from core.base.places import written
from core.base.settings import Settings
from core.orders.addresses import save_address, saved_addresses, typed_address, use_address
from core.orders.cart import CartCheck, CartLine, LineFate, StockChoice, check_cart
from core.orders.customers import Customer
from core.orders.delivery_days import DeliveryWindow, delivery_window
from core.orders.intake import place_order
from core.orders.order import OrderIn, PaymentMethod, PaymentState, Plan, ServiceLevel, order_plan
from core.orders.payments import NothingToPay, start_payment
from core.orders.review import holds_for

feature = Feature("checkout")
SPEEDS = (ServiceLevel.EXPRESS, ServiceLevel.STANDARD, ServiceLevel.ECONOMY)
PAYMENTS = (PaymentMethod.PREPAID, PaymentMethod.COD)


class Checkout(StatesGroup):
    stock = State()
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
    check = await check_cart(await cart_of(state), customer)
    if check.not_sold:
        await set_cart(state, {line.sku: line.wanted for line in check.lines if line.fate != LineFate.NOT_SOLD})
        await shown.answer(say(lang, "not_sold", skus=listed(check.not_sold, lang)))
    if not check.cart(StockChoice.BACKORDER):
        await shown.answer(say(lang, "cart_empty"))
        return
    if not check.short:
        await begin(state, Checkout.address, lines=check.cart(StockChoice.BACKORDER), rest=[])
        await ask_address(shown, state, lang, customer)
        return
    dialog = await begin(state, Checkout.stock, partial=check.partial_shipment)
    text, markup = short_stock(check, dialog, lang)
    await shown.answer(text, reply_markup=markup)


def short_stock(check: CartCheck, dialog: str, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    """Each line there is not enough of, how many are left, what becomes of the rest if they order it all, and
    the two ways on (with their totals); only what is there is not offered when nothing is."""
    said = [short_line(line, lang) for line in check.lines if line.short]
    said.append(say(lang, "rest_follows" if check.partial_shipment else "rest_waits"))
    rows: list[Row] = [[(say(lang, "order_all", total=check.total(StockChoice.BACKORDER)),
                         ShortStock(dialog=dialog, choice=StockChoice.BACKORDER))]]
    if check.cart(StockChoice.AVAILABLE_ONLY):
        rows.append([(say(lang, "order_available", total=check.total(StockChoice.AVAILABLE_ONLY)),
                      ShortStock(dialog=dialog, choice=StockChoice.AVAILABLE_ONLY))])
    else:
        said.append(say(lang, "none_available"))
    rows.append([(say(lang, "cancel"), CheckoutEnd(dialog=dialog, confirm=False))])
    return "\n".join(said), keyboard(rows)


def short_line(line: CartLine, lang: str) -> str:
    name = name_in(line.name, line.name_zh, lang)
    if line.fate == LineFate.NONE_NOW:
        return say(lang, "none_left", sku=line.sku, name=name, wanted=line.wanted)
    return say(lang, "only_left", sku=line.sku, name=name, wanted=line.wanted, available=line.available,
               short=line.short)


@feature.callback_query(Checkout.stock, ShortStock.filter(), this_dialog, F.message.as_("shown"))
async def stock_chosen(query: CallbackQuery, callback_data: ShortStock, shown: Message, state: FSMContext,
                       lang: str, customer: Customer) -> None:
    """The choice is made against the stock as it is now (a moment may have passed since the question)."""
    await query.answer()
    check = await check_cart(await cart_of(state), customer)
    lines = check.cart(callback_data.choice)
    if not lines:
        await end(state, keep_cart=True)
        await shown.answer(say(lang, "none_available"))
        return
    rest = [f"{line.sku} ×{line.short}" for line in check.lines if line.short] \
        if callback_data.choice == StockChoice.BACKORDER else []
    await state.update_data(lines=lines, rest=rest)
    await state.set_state(Checkout.address)
    await ask_address(shown, state, lang, customer)


async def ask_address(message: Message, state: FSMContext, lang: str, customer: Customer) -> None:
    """Where to: the customer's saved addresses as buttons (most recently used first), or a new one typed."""
    saved = await saved_addresses(customer.id)
    if not saved:
        await message.answer(say(lang, "ask_address"))
        return
    dialog = (await state.get_data())["dialog"]
    rows: list[Row] = [[(a.label()[:60], SavedAddressPick(dialog=dialog, address=a.id))] for a in saved]
    rows.append([(say(lang, "new_address"), NewAddress(dialog=dialog))])
    await message.answer(say(lang, "ask_saved_address"), reply_markup=keyboard(rows))


@feature.callback_query(Checkout.address, NewAddress.filter(), this_dialog, F.message.as_("shown"))
async def new_address(query: CallbackQuery, shown: Message, lang: str) -> None:
    await shown.answer(say(lang, "ask_address"))
    await query.answer()


@feature.callback_query(Checkout.address, SavedAddressPick.filter(), this_dialog, F.message.as_("shown"))
async def saved_address(query: CallbackQuery, callback_data: SavedAddressPick, shown: Message, state: FSMContext,
                        lang: str, customer: Customer, settings: Settings) -> None:
    await query.answer()
    try:
        chosen = await use_address(customer.id, callback_data.address)
    except NotFound:  # forgotten since (or never theirs): they choose again
        await shown.answer(say(lang, "address_gone"))
        return
    await address_given(shown, state, lang, chosen.model_dump(mode="json"), settings)


@feature.message(Checkout.address, F.text)
async def address(message: Message, state: FSMContext, lang: str, customer: Customer, settings: Settings) -> None:
    """A new address, typed or pasted in any shape: read, and shown back to be checked when the reading is
    not sure (no district, a postcode or phone of elsewhere, a district guessed, with why)."""
    try:
        given = typed_address(message.text or "", customer.name, customer.phone)
    except ValidationError:
        given = None
    if given is None or not given.adcode:  # not even a province in it: no address to check
        await message.answer(say(lang, "bad_address"))
        return
    where = {**given.model_dump(mode="json"), "text": given.text}  # the text again at intake: its doubts
    if given.sure:
        await address_given(message, state, lang, where, settings)
        return
    await state.update_data(unsure=where)
    dialog = (await state.get_data())["dialog"]
    doubts = [say(lang, f"doubt.{d.key}", **d.params) for d in given.doubts] or [say(lang, f"doubt.{given.guess}")]
    if any(holds_for(d.key, settings) for d in given.doubts):
        doubts.append(say(lang, "address_held"))  # the review holds it for a person to look at
    await message.answer(say(lang, "check_address", address=whole(where), doubts="\n".join(doubts)),
                         reply_markup=keyboard([[(say(lang, "address_ok"), AddressCheck(dialog=dialog, right=True))],
                                                [(say(lang, "address_again"),
                                                  AddressCheck(dialog=dialog, right=False))]]))


@feature.callback_query(Checkout.address, AddressCheck.filter(), this_dialog, F.message.as_("shown"))
async def address_checked(query: CallbackQuery, callback_data: AddressCheck, shown: Message, state: FSMContext,
                          lang: str, settings: Settings) -> None:
    await query.answer()
    where = (await state.get_data()).get("unsure")
    if not callback_data.right or where is None:
        await shown.answer(say(lang, "ask_address"))
        return
    await address_given(shown, state, lang, where, settings)


async def address_given(message: Message, state: FSMContext, lang: str, where: dict[str, Any],
                        settings: Settings) -> None:
    await state.update_data(address=where)
    await state.set_state(Checkout.date)
    data = await state.get_data()
    await message.answer(f"{say(lang, 'deliver_to', address=sent_to(where, lang))}\n{say(lang, 'ask_date')}",
                         reply_markup=calendar(await window_for(data, settings), data["dialog"], lang, settings))


async def window_for(data: dict[str, Any], settings: Settings) -> DeliveryWindow:
    """The days the carriers that serve the address can make for the goods chosen."""
    where = data["address"]
    return await delivery_window(str(where.get("province") or ""), str(where.get("country") or HOME_COUNTRY),
                                 list(data["lines"]), datetime.now(settings.tz))


def calendar(window: DeliveryWindow, dialog: str, lang: str, settings: Settings) -> InlineKeyboardMarkup:
    """Any day first, then every day that can be made, three to a row; today and tomorrow said so."""
    today = datetime.now(settings.tz).date()
    near = {today: say(lang, "today"), today + timedelta(days=1): say(lang, "tomorrow")}
    days = [(" ".join(filter(None, (near.get(day), local_day(day, lang, weekday=True)))),
             DeliveryDay(dialog=dialog, day=day.isoformat())) for day in window.days()]
    return keyboard([[(say(lang, "any_day"), DeliveryDay(dialog=dialog))],
                     *(days[i:i + 3] for i in range(0, len(days), 3))])


def place(where: dict[str, Any]) -> str:
    return written(*(str(where.get(k) or "") for k in ("province", "city", "district", "line1")))


def sent_to(where: dict[str, Any], lang: str) -> str:
    """The place and whom it is for, on one line: a pasted address may name someone other than the customer."""
    return say(lang, "address_for", place=place(where), recipient=where["recipient"],
               phone=display_phone(where["phone"]))


def whole(where: dict[str, Any]) -> str:
    """The address as read, with whom it is for: what the customer checks."""
    return f"{where['recipient']} {display_phone(where['phone'])}\n{place(where)} {where.get('postcode', '')}".rstrip()


@feature.callback_query(Checkout.date, DeliveryDay.filter(), this_dialog, F.message.as_("shown"))
async def delivery_day(query: CallbackQuery, callback_data: DeliveryDay, shown: Message, state: FSMContext,
                       lang: str, settings: Settings) -> None:
    """A day of the calendar; one the carriers can no longer make (a cut-off passed meanwhile) is said so, and
    the calendar shown again as it is now."""
    day = date.fromisoformat(callback_data.day) if callback_data.day else None
    window = await window_for(await state.get_data(), settings)
    if day is not None and day < window.earliest:
        await query.answer()
        await shown.answer(say(lang, "day_gone", day=local_day(day, lang), earliest=local_day(window.earliest, lang)),
                           reply_markup=calendar(window, callback_data.dialog, lang, settings))
        return
    await state.update_data(date=day.isoformat() if day else None)
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
    lines, total = await cart_lines(data["lines"], lang)
    summary = say(lang, "summary", lines=lines, total=total, address=sent_to(data["address"], lang),
                  date=local_day(data["date"], lang) if data["date"] else say(lang, "any_day"),
                  service=say(lang, data["service"]), payment=say(lang, data["payment"]))
    if data.get("rest"):  # they chose to order more than there is: what becomes of it, said again
        summary += "\n" + say(lang, "rest_follows_chosen" if data.get("partial") else "rest_waits_chosen",
                              items=listed(data["rest"], lang))
    await shown.answer(summary, reply_markup=keyboard([[
        (say(lang, "confirm"), CheckoutEnd(dialog=callback_data.dialog, confirm=True)),
        (say(lang, "cancel"), CheckoutEnd(dialog=callback_data.dialog, confirm=False))]]))
    await query.answer()


@feature.callback_query(StateFilter(Checkout), CheckoutEnd.filter(~F.confirm), this_dialog, F.message.as_("shown"))
async def drop(query: CallbackQuery, shown: Message, state: FSMContext, lang: str) -> None:
    """Any step's Cancel: the checkout ends, the cart stays as it was."""
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
        "address": data["address"],
        "lines": [{"sku": s, "qty": q} for s, q in data["lines"].items()],
        "service_level": data["service"], "payment_method": data["payment"], "payment_state": "pending",
        "requested_date": data["date"],
    })
    placed = await place_order(body, "telegram", f"tg:{query.from_user.id}", settings)
    await end(state)
    await query.answer()
    order = placed.order
    plan = await order_plan(order)
    await shown.answer(say(lang, "placed", number=order.number, status=status_word("order", order.status, lang))
                       if plan == Plan.OTHER else say(lang, f"placed.{plan.value}", number=order.number))
    if placed.created:
        await save_address(customer.id, body.address)  # offered at the next checkout
    if order.payment_method == PaymentMethod.PREPAID:
        await offer_payment(shown, order.number, customer, lang, settings, quiet=True)


@feature.callback_query(PayOrder.filter(), F.message.as_("shown"))
async def pay_order(query: CallbackQuery, callback_data: PayOrder, shown: Message, lang: str,
                    customer: Customer | None, settings: Settings) -> None:
    """"Pay online" from the order's view: the link again (the same one while it is good, a new one after)."""
    await query.answer()
    if customer is None:
        await shown.answer(say(lang, "not_yours", number=callback_data.number))
        return
    await offer_payment(shown, callback_data.number, customer, lang, settings)


async def offer_payment(message: Message, number: str, customer: Customer, lang: str, settings: Settings,
                        quiet: bool = False) -> None:
    """The payment link as a button, in the customer's language. When there is nothing to pay online (paid, cash
    on delivery, closed) they are told so in words, unless `quiet` (just placed: the order's own news says it)."""
    try:
        found = await start_payment(number, settings, customer_id=customer.id)
    except NotFound:
        await message.answer(say(lang, "not_yours", number=number))
        return
    except NothingToPay as exc:
        if quiet:
            return
        paid = exc.params.get("payment") == PaymentState.PAID
        await message.answer(say(lang, "paid_already", number=number) if paid else exc.message(lang))
        return
    until = found.expires_at.astimezone(customer.zone(settings.tz)).strftime("%H:%M")
    pay = link(say(lang, "pay_button", total=found.amount), f"{found.url}?lang={lang}")
    await message.answer(say(lang, "pay_now", number=number, total=found.amount, until=until),
                         reply_markup=InlineKeyboardMarkup(inline_keyboard=[[pay]]))


@feature.callback_query(or_f(ShortStock.filter(), SavedAddressPick.filter(), NewAddress.filter(), AddressCheck.filter(),
                              DeliveryDay.filter(), ServiceChoice.filter(), PaymentChoice.filter(),
                              CheckoutEnd.filter()))
async def finished_step(query: CallbackQuery, lang: str) -> None:
    """A button of a step passed, of a checkout ended (or placed), or of an earlier checkout."""
    await already_done(query, lang)
