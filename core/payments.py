"""Payment state of prepaid orders: recording a payment, and what happens to stock held for one that never came.

A prepaid order is reserved at once, so the goods are there when the money arrives; but not forever. After
`unpaid_hold_hours` the policy decides: cancel the order, or give the stock back and wait for the payment
(`awaiting_payment`), allocating again when it arrives.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from core.allocation import allocate_order, offer_freed
from core.db import retry_on_conflict
from core.errors import InvalidTransition
from core.orders import (
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentState,
    order_by_number,
    release_order_stock,
    transition,
)
from core.settings import Settings

HELD_FOR_PAYMENT = (OrderStatus.ALLOCATED, OrderStatus.BACKORDERED)


async def expire_unpaid(settings: Settings, now: datetime) -> list[str]:
    """Orders whose payment did not come in time; safe to run again (a handled order no longer matches).
    The stock they give back goes to orders waiting for it."""
    cutoff = now - timedelta(hours=settings.unpaid_hold_hours)
    due = await Order.filter(payment_method=PaymentMethod.PREPAID, payment_state=PaymentState.PENDING,
                             status__in=HELD_FOR_PAYMENT, created_at__lt=cutoff).order_by("id")
    handled = []
    why = f"not paid within {settings.unpaid_hold_hours} hours"
    for order in due:
        async with in_transaction():
            fresh = await Order.get(id=order.id)
            if fresh.status not in HELD_FOR_PAYMENT or fresh.payment_state != PaymentState.PENDING:
                continue  # paid or moved on meanwhile
            freed = await release_order_stock(fresh)
            target = OrderStatus.CANCELLED if settings.unpaid_policy == "cancel" else OrderStatus.AWAITING_PAYMENT
            await transition(fresh, target, "scheduler", why)
            await offer_freed(freed, "scheduler")
        handled.append(order.number)
    return handled


@retry_on_conflict
async def record_payment(number: str, actor: str, settings: Settings) -> Order:
    """The money arrived. An order that had given its stock back is allocated again."""
    async with in_transaction():
        order = await order_by_number(number)
        if order.payment_state == PaymentState.PAID:
            return order  # a payment callback may come twice
        if order.status in (OrderStatus.CANCELLED, OrderStatus.REJECTED):
            raise InvalidTransition(document=number, current=order.status, action="paid (refund it instead)")
        await Order.filter(id=order.id).update(payment_state=PaymentState.PAID)
        order.payment_state = PaymentState.PAID
        if order.status == OrderStatus.AWAITING_PAYMENT:
            await transition(order, OrderStatus.APPROVED, actor, "payment received")
            await allocate_order(order, actor, settings)
    return order
