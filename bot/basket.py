"""The cart's message: its lines, each with −, its quantity (tap to type another), + and 🗑, then check out or
empty it. Every press edits that one message in place and answers the button quietly; a button of a cart already
checked out or emptied says so instead of acting."""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.callbacks import CartAction, CartButton, CartLine, LineEdit
from bot.cart import cart_id, cart_lines, cart_of, empty_cart, set_line
from bot.features import Feature
from bot.keyboards import Row, keyboard
from bot.texts import say
from core.base.settings import Settings
from core.stock.catalog import known_products

feature = Feature("basket")


class TypingQty(StatesGroup):
    qty = State()


async def cart_message(state: FSMContext, lang: str) -> tuple[str, InlineKeyboardMarkup | None]:
    """The cart as it is now, with its buttons; the empty cart says so, without any."""
    cart = await cart_of(state)
    if not cart:
        return say(lang, "cart_empty"), None
    lines, total = await cart_lines(cart, lang)
    this = await cart_id(state)
    rows: list[Row] = [[("−", CartLine(cart=this, line=i, edit=LineEdit.LESS)),
                        (f"{qty} × {sku} ✏️", CartLine(cart=this, line=i, edit=LineEdit.TYPE)),
                        ("+", CartLine(cart=this, line=i, edit=LineEdit.MORE)),
                        ("🗑", CartLine(cart=this, line=i, edit=LineEdit.REMOVE))]
                       for i, (sku, qty) in enumerate(cart.items())]
    rows.append([(say(lang, "checkout"), CartButton(action=CartAction.CHECKOUT)),
                 (say(lang, "clear"), CartButton(action=CartAction.CLEAR))])
    return say(lang, "cart", lines=lines, total=total), keyboard(rows)


@feature.message(Command("cart"))
async def show_cart(message: Message, state: FSMContext, lang: str) -> None:
    text, markup = await cart_message(state, lang)
    await message.answer(text, reply_markup=markup)


async def line_pressed(query: CallbackQuery, callback_data: CartLine, state: FSMContext) -> str | None:
    """The SKU of the pressed line, or None when the button is of a cart checked out or emptied since."""
    cart = list(await cart_of(state))
    data = await state.get_data()
    if callback_data.cart != data.get("cart_id") or not 0 <= callback_data.line < len(cart):
        return None
    return cart[callback_data.line]


@feature.callback_query(CartLine.filter(), F.message.as_("shown"))
async def edit_line(query: CallbackQuery, callback_data: CartLine, shown: Message, state: FSMContext, lang: str,
                    settings: Settings) -> None:
    sku = await line_pressed(query, callback_data, state)
    if sku is None:
        await query.answer(say(lang, "cart_stale"), show_alert=True)
        return
    qty = (await cart_of(state))[sku]
    if callback_data.edit == LineEdit.TYPE:
        await query.answer()
        await state.set_state(TypingQty.qty)
        await state.update_data(typing=sku, cart_message=shown.message_id)
        product = (await known_products([sku])).get(sku)
        await shown.answer(say(lang, "cart_ask_qty", sku=sku, name=product.name_in(lang) if product else ""))
        return
    wanted = {LineEdit.LESS: qty - 1, LineEdit.MORE: min(qty + 1, settings.max_line_qty),
              LineEdit.REMOVE: 0}[callback_data.edit]
    await query.answer()
    if wanted == qty:
        return  # + at the most a line may hold: nothing to redraw
    await set_line(state, sku, wanted)
    text, markup = await cart_message(state, lang)
    await shown.edit_text(text, reply_markup=markup)


@feature.message(TypingQty.qty, F.text)
async def typed_qty(message: Message, state: FSMContext, lang: str, settings: Settings, bot: Bot) -> None:
    """The quantity typed for the line asked about: the cart's message is redrawn where it is."""
    words = (message.text or "").strip()
    most = settings.max_line_qty
    if not words.isdigit() or int(words) > most:
        await message.answer(say(lang, "cart_bad_qty", most=most))
        return
    data = await state.get_data()
    await state.set_state(None)
    if data.get("typing") not in await cart_of(state):  # checked out or emptied meanwhile
        await message.answer(say(lang, "cart_stale"))
        return
    await set_line(state, data["typing"], int(words))
    text, markup = await cart_message(state, lang)
    await bot.edit_message_text(text=text, chat_id=message.chat.id, message_id=data["cart_message"],
                                reply_markup=markup)


@feature.callback_query(CartButton.filter(F.action == CartAction.CLEAR), F.message.as_("shown"))
async def clear_cart(query: CallbackQuery, shown: Message, state: FSMContext, lang: str) -> None:
    await empty_cart(state)
    await shown.edit_text(say(lang, "cart_empty"))
    await query.answer()
