"""What an approved after-sales request does: money back, the goods sent again, the goods sent back to us, or
two of them; for all the units asked about, or part of them.

The decision is checked before anything is written (`settle`): units no more than the request asked about
(which were shipped), a refund no more than was paid for those units. The replacement is an order like any
other, allocated and reserved through the core, free of charge and numbered by the request it settles; the
refund is money due, which a manager pays back and is told of, as for a paid order that was closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from core.base.db import add, in_callers_transaction, insert
from core.base.errors import InvalidInput
from core.base.i18n import Phrase, kept, listed, money, named, phrase
from core.base.places import written
from core.base.settings import Settings
from core.orders.allocation import allocate_order
from core.orders.order import Order, OrderEvent, OrderLine, OrderStatus, PaymentState, transition
from core.stock.catalog import Product
from core.stock.warehouses import Warehouse

CENT = Decimal("0.01")


class Remedy(StrEnum):
    REFUND = "refund"  # money back, for the approved units or less
    REPLACE = "replace"  # the approved units sent again, as an order of their own
    NONE = "none"  # nothing yet: the goods come back first, and the request is settled once they are here


class OverApproval(InvalidInput):
    """More units approved than the request asked about (or a product it did not ask about)."""

    code = "aftersales_over_approval"


class RefundTooBig(InvalidInput):
    code = "aftersales_refund_too_big"


class AmountWithoutRefund(InvalidInput):
    code = "aftersales_amount_without_refund"


class NothingApproved(InvalidInput):
    """Approved with no refund, no replacement and no goods to send back: the customer would get nothing."""

    code = "aftersales_nothing_approved"


@dataclass(frozen=True)
class Settlement:
    """A manager's approval, checked: what happens, for which units."""

    remedy: Remedy
    send_back: bool
    lines: list[tuple[str, int]]  # SKU, units approved
    paid: Decimal  # what the customer paid for those units
    amount: Decimal | None  # the refund, when there is one
    partly: bool  # fewer units, or less money, than the request asked about


def settle(asked: list[dict[str, Any]], prices: dict[str, Decimal], remedy: Remedy, send_back: bool,
           lines: list[tuple[str, int]] | None, amount: Decimal | None) -> Settlement:
    """Check an approval against the request (`asked`: its lines) and the prices paid per unit (`prices`):
    every unit approved was asked about, a refund is at most what those units cost."""
    wanted = {line["sku"]: line["qty"] for line in asked}
    chosen = lines if lines is not None else list(wanted.items())
    for sku, qty in chosen:
        if qty > wanted.get(sku, 0):
            raise OverApproval(sku=sku, qty=qty, asked=wanted.get(sku, 0))
    paid = sum((prices.get(sku, Decimal(0)) * qty for sku, qty in chosen), Decimal(0)).quantize(CENT)
    if amount is not None and remedy != Remedy.REFUND:
        raise AmountWithoutRefund()
    if remedy == Remedy.NONE and not send_back:
        raise NothingApproved()
    refund = None
    if remedy == Remedy.REFUND:
        refund = paid if amount is None else amount.quantize(CENT)
        if refund > paid:
            raise RefundTooBig(amount=f"{refund:.2f}", paid=f"{paid:.2f}")
    partly = sum(q for _, q in chosen) < sum(wanted.values()) or (refund is not None and refund < paid)
    return Settlement(remedy, send_back, chosen, paid, refund, partly)


async def unit_prices(order_id: int) -> dict[str, Decimal]:
    """What the customer paid for one unit of each product of the order."""
    rows = await OrderLine.filter(order_id=order_id).values_list("product__sku", "qty", "unit_price")
    totals: dict[str, tuple[int, Decimal]] = {}
    for sku, qty, price in rows:
        units, amount = totals.get(sku, (0, Decimal(0)))
        totals[sku] = (units + qty, amount + qty * Decimal(price))
    return {sku: (amount / units).quantize(CENT, ROUND_HALF_UP) for sku, (units, amount) in totals.items() if units}


# what a replacement takes over from the order it replaces
_SAME_AS_ORIGINAL = ("channel", "customer_id", "recipient", "phone", "province", "city", "district", "line1",
                     "postcode", "country", "lat", "lon", "adcode", "service_level", "payment_method", "currency",
                     "window_start", "window_end")


@in_callers_transaction
async def send_replacement(original: Order, lines: list[tuple[Product, int]], number: str, request: str,
                           actor: str, settings: Settings) -> Order:
    """The approved units again, free, to the same address: an order numbered `number` (taken by the caller
    before its transaction), approved by the manager's decision and allocated like any other."""
    why = phrase("history.replacement", request=request, order=original.number)
    order = await add(Order, number=number, external_ref=request, status=OrderStatus.SUBMITTED, total=Decimal(0),
                      payment_state=PaymentState.PAID, note=f"{request} · {original.number}", created_by=actor,
                      **{name: getattr(original, name) for name in _SAME_AS_ORIGINAL})
    for product, qty in lines:
        await add(OrderLine, order_id=order.id, product_id=product.id, qty=qty, unit_price=Decimal(0))
    await insert(OrderEvent, order_id=order.id, from_status=OrderStatus.DRAFT.value,
                 to_status=OrderStatus.SUBMITTED.value, actor=actor, reason=kept(why))
    await transition(order, OrderStatus.APPROVED, actor, why)
    await allocate_order(order, actor, settings)
    return order


def return_address(warehouse: Warehouse) -> str:
    """Where goods are sent back: the warehouse's address on one line, and its name."""
    return f"{written(warehouse.province, warehouse.city, '', warehouse.address)} {warehouse.name}".strip()


def items(lines: list[tuple[str, int]], names: dict[str, tuple[str, str]]) -> Phrase:
    return listed([phrase("item", qty=qty, sku=sku, name=named(*names.get(sku, (sku, sku)))) for sku, qty in lines])


def outcome(settlement: Settlement, names: dict[str, tuple[str, str]], currency: str, request: str,
            replacement: str, address: str) -> Phrase:
    """What the customer reads of the approval, clause by clause, in their language when said."""
    what = items(settlement.lines, names)
    said: list[Phrase] = [phrase("as.partly")] if settlement.partly else []
    if settlement.amount is not None:
        said.append(phrase("as.refund", amount=money(settlement.amount, currency), items=what))
    if replacement:
        said.append(phrase("as.replace", order=replacement, items=what))
    if settlement.send_back:
        said.append(phrase("as.send_back", items=what, address=address, request=request))
    return listed(said, "clauses")
