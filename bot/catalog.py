"""Browsing what is on sale, page by page, a product's card, and the cart."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.callbacks import AddToCart, CartAction, CartButton, CataloguePage, ProductCard
from bot.cart import add_to_cart, cart_lines, cart_of, empty_cart
from bot.features import Feature
from bot.keyboards import Row, keyboard
from bot.texts import say
from core.base.settings import Settings
from core.stock.catalog import Product, catalogue_page, product_on_sale
from core.stock.ledger import free_stock

feature = Feature("catalog")
PAGE = 6


def shown_name(product: Product, lang: str) -> str:
    return product.name_zh or product.name if lang == "zh" else product.name


async def page_of_catalogue(page: int, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    found = await catalogue_page(page, PAGE)
    rows: list[Row] = [[(f"{shown_name(p, lang)} · {p.price}", ProductCard(sku=p.sku))] for p in found.products]
    nav: Row = [(f"‹ {found.page - 1}", CataloguePage(page=found.page - 1))] if found.page > 1 else []
    nav += [(f"{found.page + 1} ›", CataloguePage(page=found.page + 1))] if found.page < found.pages else []
    return say(lang, "catalog", page=found.page, pages=found.pages), keyboard([*rows, nav] if nav else rows)


@feature.message(Command("catalog"))
async def catalogue(message: Message, lang: str) -> None:
    text, markup = await page_of_catalogue(1, lang)
    await message.answer(text, reply_markup=markup)


@feature.callback_query(CataloguePage.filter(), F.message.as_("shown"))
async def turn_page(query: CallbackQuery, callback_data: CataloguePage, shown: Message, lang: str) -> None:
    text, markup = await page_of_catalogue(callback_data.page, lang)
    await shown.edit_text(text, reply_markup=markup)
    await query.answer()


@feature.callback_query(ProductCard.filter(), F.message.as_("shown"))
async def product_card(query: CallbackQuery, callback_data: ProductCard, shown: Message, lang: str) -> None:
    item = await product_on_sale(callback_data.sku)
    if item is None:
        await query.answer("?")
        return
    stock = (await free_stock([item.id])).total(item.id)
    text = say(lang, "product", name=shown_name(item, lang), sku=item.sku, price=item.price, stock=stock)
    await shown.answer(text, reply_markup=keyboard([[("+1", AddToCart(sku=item.sku, qty=1)),
                                                     ("+5", AddToCart(sku=item.sku, qty=5))]]))
    await query.answer()


@feature.callback_query(AddToCart.filter(), F.message.as_("shown"))
async def add(query: CallbackQuery, callback_data: AddToCart, shown: Message, state: FSMContext, lang: str,
              settings: Settings) -> None:
    await add_to_cart(state, callback_data.sku, callback_data.qty, settings.max_line_qty)
    added = say(lang, "added", qty=callback_data.qty, sku=callback_data.sku)
    await query.answer(added)
    await shown.answer(added)


@feature.message(Command("cart"))
async def show_cart(message: Message, state: FSMContext, lang: str) -> None:
    cart = await cart_of(state)
    if not cart:
        await message.answer(say(lang, "cart_empty"))
        return
    lines, total = await cart_lines(cart, lang)
    await message.answer(say(lang, "cart", lines=lines, total=total), reply_markup=keyboard([[
        (say(lang, "checkout"), CartButton(action=CartAction.CHECKOUT)),
        (say(lang, "clear"), CartButton(action=CartAction.CLEAR))]]))


@feature.callback_query(CartButton.filter(F.action == CartAction.CLEAR), F.message.as_("shown"))
async def clear_cart(query: CallbackQuery, shown: Message, state: FSMContext, lang: str) -> None:
    await empty_cart(state)
    await shown.answer(say(lang, "cart_empty"))
    await query.answer()
