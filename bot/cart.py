"""The cart: SKU → quantity, kept in the person's dialog state until an order is placed or it is emptied."""

from __future__ import annotations

import secrets
from decimal import Decimal

from aiogram.fsm.context import FSMContext

from core.stock.catalog import known_products

Cart = dict[str, int]


async def cart_of(state: FSMContext) -> Cart:
    return dict((await state.get_data()).get("cart", {}))


async def cart_id(state: FSMContext) -> str:
    """The cart's own id, carried by the buttons of its message: a cart checked out or emptied is gone, and a
    new one gets a new id, so the old message's buttons can tell they are stale."""
    data = await state.get_data()
    if not data.get("cart_id"):
        await state.update_data(cart_id=secrets.token_hex(3))
        data = await state.get_data()
    return str(data["cart_id"])


async def add_to_cart(state: FSMContext, sku: str, qty: int, most: int) -> int:
    """Up to `most` of one product: more would be held for review as an unusual quantity. Returns how many of
    it the cart now holds."""
    cart = await cart_of(state)
    cart[sku] = min(cart.get(sku, 0) + qty, most)
    await state.update_data(cart=cart)
    return cart[sku]


async def set_line(state: FSMContext, sku: str, qty: int) -> None:
    """The cart holds `qty` of the product now; none takes its line out."""
    cart = await cart_of(state)
    if qty > 0:
        cart[sku] = qty
    else:
        cart.pop(sku, None)
    await state.update_data(cart=cart)


async def empty_cart(state: FSMContext) -> None:
    await state.update_data(cart={}, cart_id=None)


async def cart_lines(cart: Cart, lang: str = "en") -> tuple[str, Decimal]:
    """The cart as lines to read (names in the person's language), and its total; products gone since they were
    added are left out."""
    products = await known_products(list(cart))
    total = sum((products[s].price * q for s, q in cart.items() if s in products), Decimal(0))
    return "\n".join(f"{q} × {s} {products[s].name_in(lang)}"
                     for s, q in cart.items() if s in products), total


async def set_cart(state: FSMContext, cart: Cart) -> None:
    await state.update_data(cart=cart)


def listed(items: list[str], lang: str) -> str:
    """Items one after another, with the comma of the reader's language."""
    return ("，" if lang == "zh" else ", ").join(items)


def name_in(name: str, name_zh: str, lang: str) -> str:
    """A product's name for a reader of `lang`: the Chinese one when there is one and they read Chinese."""
    return name_zh or name if lang == "zh" else name
