"""The staff's order list: newest first, filtered, paged by a keyset cursor.

A page ends at an order's id and the next starts below it (`id < cursor`), never by OFFSET: the database walks
an index on (filter, id) from where the last page stopped, so page 5,000 costs what page 1 does."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from tortoise.expressions import Subquery

from core.base.errors import InvalidInput
from core.base.fields import WarehouseCode
from core.base.i18n import phrase
from core.orders.order import Order, OrderStatus
from core.stock.warehouses import warehouse_by_code
from core.waits import stuck_shipments

PAGE = 50
MOST = 200


class OrderFilter(BaseModel):
    """Which orders a list shows; every part may be left out."""

    status: OrderStatus | None = Field(default=None, description="only orders in this status")
    warehouse: WarehouseCode | None = Field(default=None, description="only orders of this warehouse")
    channel: str | None = Field(default=None, max_length=32, description="only orders from this sales channel")
    since: date | None = Field(default=None, description="placed on or after this day (the company's time zone)")
    until: date | None = Field(default=None, description="placed on or before this day (the company's time zone)")
    held: bool = Field(default=False, description="only orders held for a manager's review")
    stuck: bool = Field(default=False, description="only orders with a shipment stuck without a carrier")


def _start_of(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tz).astimezone(UTC)


async def _filtered(which: OrderFilter, tz: ZoneInfo) -> Any:
    if which.since and which.until and which.since > which.until:
        raise InvalidInput(detail=phrase("refuse.days_reversed", since=which.since.isoformat(),
                                         until=which.until.isoformat()))
    orders = Order.all()
    if which.status:
        orders = orders.filter(status=which.status)
    if which.held:
        orders = orders.filter(status=OrderStatus.ON_HOLD)
    if which.warehouse:
        # by its id, so the database walks the (warehouse_id, id) index; an unknown code is NotFound
        orders = orders.filter(warehouse_id=(await warehouse_by_code(which.warehouse)).id)
    if which.channel:
        orders = orders.filter(channel=which.channel)
    if which.since:
        orders = orders.filter(created_at__gte=_start_of(which.since, tz))
    if which.until:
        orders = orders.filter(created_at__lt=_start_of(which.until + timedelta(days=1), tz))
    if which.stuck:
        orders = orders.filter(id__in=Subquery(stuck_shipments().values("order_id")))
    return orders


async def order_page(which: OrderFilter, tz: ZoneInfo, cursor: int | None = None, limit: int = PAGE
                     ) -> dict[str, Any]:
    """One page of orders newest first: each as a line of the list (its status as a phrase), and the cursor of
    the next page (None on the last)."""
    orders = await _filtered(which, tz)
    if cursor is not None:
        orders = orders.filter(id__lt=cursor)
    found = await orders.order_by("-id").limit(min(limit, MOST) + 1).select_related("customer", "warehouse")
    more = len(found) > limit
    found = found[:limit]
    return {"orders": [_line(o) for o in found], "next": str(found[-1].id) if more else None}


def _line(order: Order) -> dict[str, Any]:
    return {"number": order.number, "status": order.status, "status_word": phrase(f"status.order.{order.status}"),
            "customer": order.customer.name, "recipient": order.recipient, "city": order.city,
            "total": str(order.total), "channel": order.channel,
            "warehouse": order.warehouse.code if order.warehouse else None, "created_at": order.created_at.isoformat()}
