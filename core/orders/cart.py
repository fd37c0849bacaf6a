"""A customer's cart against the stock: how much of each line can be had now, and what becomes of the rest.

Ordering more than there is works today: review lets it pass, allocation reserves what the warehouses have
(nearest first, the rest by transfer) and backorders what nobody has, on the supplier's draft purchase order.
What the customer should know before confirming is what that means for them: with partial shipment (their
customer record says) what is here ships now and the rest follows as an order of its own; without it the whole
order waits for the rest. So a short line offers two ways on: order all and let the rest be backordered, or
order only what is there.

The answer is read once and is a promise of nothing: stock may go meanwhile, and allocation, whose every
reservation is guarded, has the last word.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from core.base.db import fetch
from core.orders.customers import Customer
from core.stock.catalog import Product
from core.stock.ledger import free_stock


class LineFate(StrEnum):
    IN_STOCK = "in_stock"  # all of it can be reserved now
    PARTLY = "partly"  # some now; the rest is backordered, or left out
    NONE_NOW = "none_now"  # none now: all of it is backordered, or left out
    NOT_SOLD = "not_sold"  # no such product on sale: cannot be ordered at all


class StockChoice(StrEnum):
    """What the customer chose for the lines there is not enough of."""

    BACKORDER = "backorder"  # order it all; the rest waits for a purchase
    AVAILABLE_ONLY = "available_only"  # order only what is there now


@dataclass(frozen=True)
class CartLine:
    sku: str
    name: str
    name_zh: str
    price: Decimal
    wanted: int
    available: int  # free to reserve now in the active warehouses, all of them together
    on_sale: bool = True

    @property
    def fate(self) -> LineFate:
        if not self.on_sale:
            return LineFate.NOT_SOLD
        if self.available >= self.wanted:
            return LineFate.IN_STOCK
        return LineFate.PARTLY if self.available else LineFate.NONE_NOW

    @property
    def now(self) -> int:
        """Units that can be reserved now."""
        return 0 if self.fate == LineFate.NOT_SOLD else min(self.wanted, self.available)

    @property
    def short(self) -> int:
        """Units that would be backordered ("only 28 left": the 7)."""
        return 0 if self.fate == LineFate.NOT_SOLD else self.wanted - self.now

    def ordered(self, choice: StockChoice) -> int:
        """Units this line puts in the order after the customer's choice."""
        if self.fate == LineFate.NOT_SOLD:
            return 0
        return self.wanted if choice == StockChoice.BACKORDER else self.now


@dataclass(frozen=True)
class CartCheck:
    lines: list[CartLine]
    partial_shipment: bool  # the customer's policy: the rest follows on its own (True) or the order waits whole

    @property
    def short(self) -> bool:
        """Some line has less than wanted: the customer must choose before confirming."""
        return any(line.short for line in self.lines)

    @property
    def not_sold(self) -> list[str]:
        return [line.sku for line in self.lines if line.fate == LineFate.NOT_SOLD]

    def total(self, choice: StockChoice = StockChoice.BACKORDER) -> Decimal:
        return sum((line.price * line.ordered(choice) for line in self.lines), Decimal(0))

    def cart(self, choice: StockChoice) -> dict[str, int]:
        """The cart to order after the choice: products not on sale dropped; with AVAILABLE_ONLY each line cut
        to what is there now (a line with none at all dropped)."""
        return {line.sku: line.ordered(choice) for line in self.lines if line.ordered(choice)}


async def check_cart(cart: Mapping[str, int], customer: Customer | None = None) -> CartCheck:
    """Each line of the cart (SKU → units, in the cart's order) against what can be reserved now. Lines of
    products unknown or no longer on sale come back as NOT_SOLD. Without a customer, or for one whose record does
    not allow partial shipment, a short order waits whole."""
    products = {p.sku: p for p in await Product.filter(sku__in=list(cart), active=True)}
    available = await _available([p.id for p in products.values()])
    lines = []
    for sku, qty in cart.items():
        product = products.get(sku)
        if product is None:
            lines.append(CartLine(sku, sku, sku, Decimal(0), qty, 0, on_sale=False))
            continue
        lines.append(CartLine(sku, product.name, product.name_zh or product.name, product.price, qty,
                              available.get(product.id, 0)))
    return CartCheck(lines, bool(customer and customer.partial_shipment))


async def _available(product_ids: list[int]) -> dict[int, int]:
    """Free units per product in active warehouses: allocation ships from those only, nearest first, the rest by
    transfer from another of them."""
    if not product_ids:
        return {}
    free = await free_stock(product_ids)
    active = {row["id"] for row in await fetch('SELECT "id" FROM "warehouse" WHERE "active"')}
    return {pid: sum(free.units(pid, wid) for wid in active) for pid in product_ids}
