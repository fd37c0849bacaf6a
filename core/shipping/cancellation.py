"""Cancelling an order: the one step that reaches across every stage.

An order may be cancelled until it ships. Its stock goes back (and on to orders waiting for it), its transfers
and open shipments are called off, and so are its follow-ons not shipped yet (the rest of a partial shipment).
It lives here, above orders and shipments, because it undoes what both did.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from core.base.db import retry_on_conflict
from core.base.errors import InvalidTransition
from core.base.events import emit
from core.base.i18n import DEFAULT_LANGUAGE, Phrase, phrase, render
from core.orders.allocation import offer_freed
from core.orders.order import (
    TRANSITIONS,
    Order,
    OrderStatus,
    follow_on_note,
    order_by_number,
    release_order_stock,
    root_number,
    transition,
)
from core.orders.payments import refund_on_close
from core.shipping.shipments import cancel_open_shipments


async def _open_follow_ons(order: Order) -> list[Order]:
    """The follow-ons of an order, and theirs, that may still be cancelled, oldest first."""
    root = root_number(order.number)
    found: list[Order] = []
    parents = [order]
    while parents:
        parents = await Order.filter(customer_id=order.customer_id, number__startswith=f"{root}-",  # type: ignore[attr-defined]
                                     note__in=[note for p in parents for note in (
                                         follow_on_note(p), f"rest of {p.number}")]  # and as notes read before
                                     ).order_by("id")
        found += [f for f in parents if OrderStatus.CANCELLED in TRANSITIONS[OrderStatus(f.status)]]
    return found


@retry_on_conflict
async def cancel_order(number: str, actor: str, reason: str | Phrase) -> Order:
    """Cancel an order before it ships, with its follow-ons not shipped yet (the rest of it): their stock is
    given back and offered to waiting orders, and money paid online is due for refund. The customer is told
    once: `order.cancelled`, or, with follow-ons, one `order.cancelled_with_rest` naming them all."""
    async with in_transaction():
        order = await order_by_number(number)
        if OrderStatus.CANCELLED not in TRANSITIONS[OrderStatus(order.status)]:
            raise InvalidTransition(document=order.number, current=order.status, action="cancelled", kind="order")
        rest = await _open_follow_ons(order)
        freed: set[tuple[int, int]] = set()
        for each in (order, *rest):
            freed |= await release_order_stock(each)
            await cancel_open_shipments(each.id)
            await refund_on_close(each)
            await transition(each, OrderStatus.CANCELLED, actor, reason if each is order else
                             phrase("history.cancelled_with", reason=reason, order=order.number), announce=not rest)
        if rest:
            await emit("order.cancelled_with_rest", {
                "order": order.number, "follow_ons": ", ".join(f.number for f in rest),
                "reason": render(reason, DEFAULT_LANGUAGE), "reason_zh": render(reason, "zh"),
                "customer_id": order.customer_id, "channel": order.channel})  # type: ignore[attr-defined]
        await offer_freed(freed, actor)
    return order
