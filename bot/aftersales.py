"""After-sales help with a shipped order, one small step each: which order, what happened, in words, photos."""

from __future__ import annotations

import base64
import io

from aiogram import Bot, F
from aiogram.filters import Command, or_f
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, PhotoSize

from bot.callbacks import AfterSalesDone, AfterSalesKind, AfterSalesOrder
from bot.dialogs import begin, end, this_dialog
from bot.errors import already_done
from bot.features import Feature
from bot.keyboards import keyboard
from bot.texts import say
from core.base.settings import Settings
from core.orders.customers import Customer
from core.orders.order import OrderStatus, customer_order, orders_of_customer
from core.shipping.aftersales import RequestIn, RequestKind, open_request

feature = Feature("aftersales")
MAX_PHOTOS = 5
KINDS = ((RequestKind.RETURN, RequestKind.EXCHANGE), (RequestKind.DAMAGE, RequestKind.MISSING_ITEM))


class AfterSales(StatesGroup):
    kind = State()
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
    dialog = await begin(state, AfterSales.kind, as_order=number, photos=[])
    await shown.answer(say(lang, "as_kind"), reply_markup=keyboard(
        [[(say(lang, kind), AfterSalesKind(dialog=dialog, kind=kind)) for kind in row] for row in KINDS]))
    await query.answer()


@feature.callback_query(AfterSales.kind, AfterSalesKind.filter(), this_dialog, F.message.as_("shown"))
async def kind_chosen(query: CallbackQuery, callback_data: AfterSalesKind, shown: Message, state: FSMContext,
                      lang: str) -> None:
    await state.update_data(as_kind=callback_data.kind.value)
    await state.set_state(AfterSales.text)
    await shown.answer(say(lang, "as_text"))
    await query.answer()


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
    order = await customer_order(data["as_order"], customer.id)
    body = RequestIn.model_validate({
        "order": data["as_order"], "kind": data["as_kind"], "text": data["as_text"],
        "lines": [{"sku": sku, "qty": qty} for sku, qty in (order.lines if order else [])],
        "photos": [{"mime": "image/jpeg", "data": p} for p in data.get("photos", [])]})
    request = await open_request(body, f"tg:{query.from_user.id}", settings, customer_id=customer.id)
    await end(state, keep_cart=True)
    await shown.answer(say(lang, "as_opened", number=request.number))
    await query.answer()


@feature.callback_query(or_f(AfterSalesKind.filter(), AfterSalesDone.filter()))
async def finished_step(query: CallbackQuery, lang: str) -> None:
    """A button of a step passed, of a request sent, or of an earlier one."""
    await already_done(query, lang)
