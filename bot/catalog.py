"""Browsing what is on sale: the shelves (categories) first, then a shelf page by page, a product's card with
its picture, and +1 / +5 into the cart (the card says how many the cart holds)."""

from __future__ import annotations

from pathlib import Path

from aiogram import F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, FSInputFile, InlineKeyboardMarkup, Message

from bot.callbacks import ALL, AddToCart, CataloguePage, ProductCard, Shelves
from bot.cart import add_to_cart, cart_id
from bot.features import Feature
from bot.keyboards import Row, keyboard
from bot.texts import say
from core.base.settings import Settings
from core.stock.catalog import ALL_SHELVES, NO_SHELF, catalogue_page, picture_of, product_on_sale, shelves
from core.stock.ledger import free_stock

feature = Feature("catalog")
PAGE = 6
OTHER = "-"  # a button's name for the products on no shelf (a button's field cannot be empty)


async def shelf_list(lang: str) -> tuple[str, InlineKeyboardMarkup] | None:
    """The shelves as buttons, two to a row; None when the shop uses no categories."""
    found = await shelves()
    if not found:
        return None
    buttons = [(f"{s.name_in(lang) or say(lang, 'other_shelf')} ({s.products})",
                CataloguePage(shelf=s.code or OTHER, page=1)) for s in found]
    return say(lang, "shelves"), keyboard([buttons[i:i + 2] for i in range(0, len(buttons), 2)])


async def shelf_page(shelf: str, page: int, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    """One page of a shelf (or of everything), with ‹ › to turn pages and, on a shelf, the way back."""
    wanted = ALL_SHELVES if shelf == ALL else NO_SHELF if shelf == OTHER else shelf
    found = await catalogue_page(page, PAGE, wanted)
    rows: list[Row] = [[(f"{p.name_in(lang)} · {p.price}", ProductCard(product=p.id))] for p in found.products]
    nav: Row = [(f"‹ {found.page - 1}", CataloguePage(shelf=shelf, page=found.page - 1))] if found.page > 1 else []
    nav += [(f"{found.page + 1} ›", CataloguePage(shelf=shelf, page=found.page + 1))] \
        if found.page < found.pages else []
    if shelf != ALL:
        nav.insert(0, (say(lang, "back_to_shelves"), Shelves()))
    return say(lang, "catalog", page=found.page, pages=found.pages), keyboard([*rows, nav] if nav else rows)


@feature.message(Command("catalog"))
async def catalogue(message: Message, lang: str) -> None:
    text, markup = await shelf_list(lang) or await shelf_page(ALL, 1, lang)
    await message.answer(text, reply_markup=markup)


@feature.callback_query(Shelves.filter(), F.message.as_("shown"))
async def back_to_shelves(query: CallbackQuery, shown: Message, lang: str) -> None:
    text, markup = await shelf_list(lang) or await shelf_page(ALL, 1, lang)
    await shown.edit_text(text, reply_markup=markup)
    await query.answer()


@feature.callback_query(CataloguePage.filter(), F.message.as_("shown"))
async def turn_page(query: CallbackQuery, callback_data: CataloguePage, shown: Message, lang: str) -> None:
    text, markup = await shelf_page(callback_data.shelf, callback_data.page, lang)
    await shown.edit_text(text, reply_markup=markup)
    await query.answer()


@feature.callback_query(ProductCard.filter(), F.message.as_("shown"))
async def product_card(query: CallbackQuery, callback_data: ProductCard, shown: Message, lang: str,
                       settings: Settings) -> None:
    item = await product_on_sale(callback_data.product)
    if item is None:
        await query.answer(say(lang, "not_on_sale"), show_alert=True)
        return
    stock = (await free_stock([item.id])).total(item.id)
    text = say(lang, "product", name=item.name_in(lang), sku=item.sku, price=item.price, stock=stock)
    buttons = keyboard([[("+1", AddToCart(product=item.id, qty=1)), ("+5", AddToCart(product=item.id, qty=5))]])
    picture = picture_of(item, settings.media_dir)
    if picture is None:
        await shown.answer(text, reply_markup=buttons)
    else:  # a file of ours is sent up; an address, Telegram fetches itself
        await shown.answer_photo(FSInputFile(picture) if isinstance(picture, Path) else picture, caption=text,
                                 reply_markup=buttons)
    await query.answer()


@feature.callback_query(AddToCart.filter(), F.message.as_("shown"))
async def add(query: CallbackQuery, callback_data: AddToCart, shown: Message, state: FSMContext, lang: str,
              settings: Settings) -> None:
    item = await product_on_sale(callback_data.product)
    if item is None:
        await query.answer(say(lang, "not_on_sale"), show_alert=True)
        return
    held = await add_to_cart(state, item.sku, callback_data.qty, settings.max_line_qty)
    await cart_id(state)  # the cart's buttons will carry it
    # the card says it, edited in place: no message and no pop-up for each press
    said = (shown.caption if shown.photo else shown.text) or ""
    card = said.split("\n✅ ")[0] + "\n✅ " + say(lang, "added", qty=callback_data.qty, sku=item.sku, held=held)
    await query.answer()
    if shown.photo:
        await shown.edit_caption(caption=card, reply_markup=shown.reply_markup)
    else:
        await shown.edit_text(card, reply_markup=shown.reply_markup)

