"""Figures for managers: the dashboard of the last days, and stock against reorder points."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.orders import Order, OrderStatus
from core.replenishment import ReorderRule
from core.shipments import Shipment, ShipmentStatus
from core.stock import StockLevel
from core.warehouses import STORAGE_KINDS, warehouse_by_code


def _per_day(moments: list[datetime], days: list[str], tz: ZoneInfo) -> list[int]:
    counts = dict.fromkeys(days, 0)
    for moment in moments:
        day = moment.astimezone(tz).date().isoformat()
        if day in counts:
            counts[day] += 1
    return list(counts.values())


async def dashboard(tz: ZoneInfo, days: int = 14) -> dict[str, Any]:
    """Orders in and out per day, on-time deliveries, order-to-ship time, what waits and what is held."""
    today = datetime.now(tz).date()
    labels = [(today - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]
    since = datetime.combine(today - timedelta(days=days - 1), datetime.min.time(), tz).astimezone(UTC)
    received = await Order.filter(created_at__gte=since).values_list("created_at", flat=True)
    shipped = await Shipment.filter(dispatched_at__gte=since).values_list("dispatched_at", "order__created_at")
    delivered = await Shipment.filter(status=ShipmentStatus.DELIVERED, delivered_at__gte=since).values_list(
        "delivered_at", "eta")
    on_time = sum(1 for at, eta in delivered if eta is None or at.astimezone(tz).date() <= eta)
    hours = [(out - placed).total_seconds() / 3600 for out, placed in shipped]
    return {
        "days": labels,
        "received": _per_day(list(received), labels, tz),
        "shipped": _per_day([out for out, _ in shipped], labels, tz),
        "on_time_rate": round(on_time / len(delivered), 3) if delivered else None,
        "order_to_ship_hours": round(sum(hours) / len(hours), 1) if hours else None,
        "backordered": await Order.filter(status=OrderStatus.BACKORDERED).count(),
        "on_hold": await Order.filter(status=OrderStatus.ON_HOLD).count(),
        "to_pick": await Order.filter(status=OrderStatus.ALLOCATED).count(),
    }


async def stock_summary(warehouse_code: str) -> list[dict[str, Any]]:
    """Per product in a warehouse: on hand, reserved, available and its reorder point; low ones first."""
    warehouse = await warehouse_by_code(warehouse_code)
    totals: dict[int, dict[str, Any]] = {}
    levels = StockLevel.filter(warehouse_id=warehouse.id, location__kind__in=list(STORAGE_KINDS)).select_related(
        "product")
    for level in await levels:
        row = totals.setdefault(level.product.id, {"sku": level.product.sku, "name": level.product.name,
                                                   "on_hand": 0, "reserved": 0})
        row["on_hand"] += level.on_hand
        row["reserved"] += level.reserved
    points = {}
    for product_id, point, sku, name in await ReorderRule.filter(warehouse_id=warehouse.id).values_list(
            "product_id", "reorder_point", "product__sku", "product__name"):
        points[product_id] = point
        totals.setdefault(product_id, {"sku": sku, "name": name, "on_hand": 0, "reserved": 0})
    rows = []
    for product_id, row in totals.items():
        available = row["on_hand"] - row["reserved"]
        point = points.get(product_id)
        rows.append({**row, "available": available, "reorder_point": point,
                     "low": point is not None and available < point})
    return sorted(rows, key=lambda r: (not r["low"], r["sku"]))
