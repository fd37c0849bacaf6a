"""After-sales help with a shipped order, one small step each: which order, what happened, which goods and how
many, in words, photos.

The goods are chosen line by line with − and + (or all of a line at once), out of what the order shipped less
what earlier requests already claimed; the request is opened for those alone. When another request claimed
some meanwhile, the customer is told and chooses again from what is left, keeping their words and photos.
"""

from __future__ import annotations

import base64
import io
from typing import Any

from aiogram import Bot, F
from aiogram.filters import Command, or_f
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, PhotoSize

from bot.callbacks import AfterSalesDone, AfterSalesKind, AfterSalesOrder, ClaimLine, ClaimLinesDone
from bot.cart import listed, name_in
from bot.dialogs import begin, end, this_dialog
from bot.errors import already_done
from bot.features import Feature
from bot.keyboards import Row, keyboard
from bot.texts import say
from core.base.settings import Settings
from core.orders.customers import Customer
from core.orders.order import OrderStatus, customer_order, orders_of_customer
from core.shipping.aftersales import OverClaim, RequestIn, RequestKind, claimable_lines, open_request

feature = Feature("aftersales")
MAX_PHOTOS = 5
KINDS = ((RequestKind.RETURN, RequestKind.EXCHANGE), (RequestKind.DAMAGE, RequestKind.MISSING_ITEM))


class AfterSales(StatesGroup):
    kind = State()
    lines = State()
    text = State()
    photos = State()


@feature.message(Command("aftersales"))
async def pick_order(message: Message, lang: str, customer: Customer | None) -> None:
    shipped = await orders_of_customer(customer.id, (OrderStatus.SHIPPED, OrderStatus.DELIVERED), limit=8) \
        if customer else []
    if not shipped:
        await message.answer(say(lang, "as_none"))
        return
    await message.answer(say(lang, "as_pick_order"), reply_markup=keyboard(
        [[(o.number, AfterSalesOrder(number=o.number))] for o in shipped]))


@feature.callback_query(AfterSalesOrder.filter(), F.message.as_("shown"))
async def order_chosen(query: CallbackQuery, callback_data: AfterSalesOrder, shown: Message, state: FSMContext,
                       lang: str, customer: Customer | None) -> None:
    number = callback_data.number
    if customer is None or await customer_order(number, customer.id) is None:
        await query.answer(say(lang, "not_yours", number=number), show_alert=True)
        return
    await query.answer()
    offered = await offered_lines(number, customer, lang)
    if not offered:
        await shown.answer(say(lang, "as_nothing_left", number=number))
        return
    dialog = await begin(state, AfterSales.kind, as_order=number, photos=[], offered=offered,
                         chosen=[0] * len(offered))
    await shown.answer(say(lang, "as_kind"), reply_markup=keyboard(
        [[(say(lang, kind), AfterSalesKind(dialog=dialog, kind=kind)) for kind in row] for row in KINDS]))


async def offered_lines(number: str, customer: Customer, lang: str) -> list[dict[str, Any]]:
    """The order's lines the customer may still ask about (SKU, name in their language, how many at most)."""
    return [{"sku": line.sku, "name": name_in(line.name, line.name_zh, lang), "claimable": line.claimable}
            for line in await claimable_lines(number, customer_id=customer.id) if line.claimable]


@feature.callback_query(AfterSales.kind, AfterSalesKind.filter(), this_dialog, F.message.as_("shown"))
async def kind_chosen(query: CallbackQuery, callback_data: AfterSalesKind, shown: Message, state: FSMContext,
                      lang: str) -> None:
    await state.update_data(as_kind=callback_data.kind.value)
    await state.set_state(AfterSales.lines)
    data = await state.get_data()
    text, markup = line_picker(data, lang)
    await shown.answer(text, reply_markup=markup)
    await query.answer()


def line_picker(data: dict[str, Any], lang: str) -> tuple[str, InlineKeyboardMarkup]:
    """The lines with how many of each are chosen; per line −, the line (all of it, or none again) and +."""
    dialog, offered, chosen = data["dialog"], data["offered"], data["chosen"]
    said = [say(lang, "as_lines")]
    rows: list[Row] = []
    for i, (line, qty) in enumerate(zip(offered, chosen, strict=True)):
        most = line["claimable"]
        said.append(say(lang, "as_line", sku=line["sku"], name=line["name"], qty=qty, claimable=most))
        rows.append([("−", ClaimLine(dialog=dialog, line=i, qty=max(qty - 1, 0))),
                     (f"{line['sku']} {qty}/{most}", ClaimLine(dialog=dialog, line=i, qty=0 if qty == most else most)),
                     ("+", ClaimLine(dialog=dialog, line=i, qty=min(qty + 1, most)))])
    rows.append([(say(lang, "next"), ClaimLinesDone(dialog=dialog))])
    return "\n".join(said), keyboard(rows)


@feature.callback_query(AfterSales.lines, ClaimLine.filter(), this_dialog, F.message.as_("shown"))
async def line_set(query: CallbackQuery, callback_data: ClaimLine, shown: Message, state: FSMContext,
                   lang: str) -> None:
    """The picker is redrawn in place; a press that changes nothing (− at none) leaves it as it is."""
    await query.answer()
    data = await state.get_data()
    chosen: list[int] = data["chosen"]
    if not 0 <= callback_data.line < len(chosen):
        return
    qty = min(max(callback_data.qty, 0), data["offered"][callback_data.line]["claimable"])
    if chosen[callback_data.line] == qty:
        return
    chosen[callback_data.line] = qty
    await state.update_data(chosen=chosen)
    text, markup = line_picker({**data, "chosen": chosen}, lang)
    await shown.edit_text(text, reply_markup=markup)


@feature.callback_query(AfterSales.lines, ClaimLinesDone.filter(), this_dialog, F.message.as_("shown"))
async def lines_chosen(query: CallbackQuery, shown: Message, state: FSMContext, lang: str) -> None:
    data = await state.get_data()
    lines = chosen_lines(data)
    if not lines:
        await query.answer(say(lang, "as_choose_one"), show_alert=True)
        return
    await query.answer()
    about = say(lang, "as_chosen", lines=listed([f"{qty} × {sku}" for sku, qty in lines], lang))
    if "as_text" in data:  # back after another request took some: their words and photos are kept
        await state.set_state(AfterSales.photos)
        await shown.answer(f"{about}\n{say(lang, 'as_photos')}", reply_markup=keyboard(
            [[(say(lang, "done"), AfterSalesDone(dialog=data["dialog"]))]]))
        return
    await state.set_state(AfterSales.text)
    await shown.answer(f"{about}\n{say(lang, 'as_text')}")


def chosen_lines(data: dict[str, Any]) -> list[tuple[str, int]]:
    return [(line["sku"], qty) for line, qty in zip(data["offered"], data["chosen"], strict=True) if qty]


@feature.message(AfterSales.text, F.text)
async def described(message: Message, state: FSMContext, lang: str) -> None:
    await state.update_data(as_text=(message.text or "")[:2000])
    await state.set_state(AfterSales.photos)
    dialog = (await state.get_data())["dialog"]
    await message.answer(say(lang, "as_photos"), reply_markup=keyboard(
        [[(say(lang, "done"), AfterSalesDone(dialog=dialog))]]))


@feature.message(AfterSales.photos, F.photo[-1].as_("biggest"))
async def photo(message: Message, biggest: PhotoSize, state: FSMContext, lang: str, bot: Bot) -> None:
    photos: list[str] = (await state.get_data()).get("photos", [])
    if len(photos) >= MAX_PHOTOS:
        return
    buffer = io.BytesIO()
    await bot.download(biggest, destination=buffer)
    photos.append(base64.b64encode(buffer.getvalue()).decode())
    await state.update_data(photos=photos)
    await message.answer(say(lang, "photo_ok", n=len(photos)))


@feature.callback_query(AfterSales.photos, AfterSalesDone.filter(), this_dialog, F.message.as_("shown"))
async def send_request(query: CallbackQuery, shown: Message, state: FSMContext, lang: str, customer: Customer,
                       settings: Settings) -> None:
    data = await state.get_data()
    body = RequestIn.model_validate({
        "order": data["as_order"], "kind": data["as_kind"], "text": data["as_text"],
        "lines": [{"sku": sku, "qty": qty} for sku, qty in chosen_lines(data)],
        "photos": [{"mime": "image/jpeg", "data": p} for p in data.get("photos", [])]})
    await query.answer()
    try:
        request = await open_request(body, f"tg:{query.from_user.id}", settings, customer_id=customer.id)
    except OverClaim as exc:
        await shown.answer(f"{exc.message(lang)}\n{say(lang, 'as_again')}")
        await choose_again(shown, state, data, customer, lang)
        return
    await end(state, keep_cart=True)
    await shown.answer(say(lang, "as_opened", number=request.number))


async def choose_again(message: Message, state: FSMContext, data: dict[str, Any], customer: Customer,
                       lang: str) -> None:
    """Another request claimed some of the goods meanwhile: the picker again, of what is left now."""
    offered = await offered_lines(data["as_order"], customer, lang)
    if not offered:
        await end(state, keep_cart=True)
        await message.answer(say(lang, "as_nothing_left", number=data["as_order"]))
        return
    await state.update_data(offered=offered, chosen=[0] * len(offered))
    await state.set_state(AfterSales.lines)
    text, markup = line_picker({**data, "offered": offered, "chosen": [0] * len(offered)}, lang)
    await message.answer(text, reply_markup=markup)


@feature.callback_query(or_f(AfterSalesKind.filter(), ClaimLine.filter(), ClaimLinesDone.filter(),
                             AfterSalesDone.filter()))
async def finished_step(query: CallbackQuery, lang: str) -> None:
    """A button of a step passed, of a request sent, or of an earlier one."""
    await already_done(query, lang)
