"""Figures and checks for managers: the dashboard, stock against reorder points, late orders, the daily
report, and the nightly ledger reconciliation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import Q
from tortoise.functions import Sum

from core.base.events import OutboxEvent, emit
from core.base.settings import Settings
from core.orders.order import Order, OrderEvent, OrderLine, OrderStatus
from core.shipping.shipments import Shipment
from core.stock.ledger import StockLevel, check_ledger
from core.stock.replenishment import ReorderRule
from core.stock.warehouses import STORAGE_KINDS, warehouse_by_code


def _per_day(moments: list[datetime], days: list[str], tz: ZoneInfo) -> list[int]:
    counts = dict.fromkeys(days, 0)
    for moment in moments:
        day = moment.astimezone(tz).date().isoformat()
        if day in counts:
            counts[day] += 1
    return list(counts.values())


@dataclass(frozen=True)
class Outflow:
    shipped_at: list[datetime]
    on_time_rate: float | None  # delivered by the promised day, of those delivered
    order_to_ship_hours: float | None  # mean, from order to dispatch


async def _outflow(tz: ZoneInfo, start: datetime, end: datetime) -> Outflow:
    """What left and what arrived in [start, end): the figures the dashboard and the daily report share."""
    shipped = await Shipment.filter(dispatched_at__gte=start, dispatched_at__lt=end).values_list(
        "dispatched_at", "order__created_at")
    delivered = await Shipment.filter(delivered_at__gte=start, delivered_at__lt=end).values_list("delivered_at", "eta")
    on_time = sum(1 for at, eta in delivered if eta is None or at.astimezone(tz).date() <= eta)
    hours = [(out - placed).total_seconds() / 3600 for out, placed in shipped]
    return Outflow([out for out, _ in shipped], on_time / len(delivered) if delivered else None,
                   round(sum(hours) / len(hours), 1) if hours else None)


async def dashboard(tz: ZoneInfo, days: int = 14) -> dict[str, Any]:
    """Orders in and out per day, on-time deliveries, order-to-ship time, what waits and what is held."""
    today = datetime.now(tz).date()
    labels = [(today - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]
    since = datetime.combine(today - timedelta(days=days - 1), datetime.min.time(), tz).astimezone(UTC)
    received = await Order.filter(created_at__gte=since).values_list("created_at", flat=True)
    out = await _outflow(tz, since, datetime.combine(today + timedelta(days=1), datetime.min.time(), tz))
    return {
        "days": labels,
        "received": _per_day(list(received), labels, tz),
        "shipped": _per_day(out.shipped_at, labels, tz),
        "on_time_rate": None if out.on_time_rate is None else round(out.on_time_rate, 3),
        "order_to_ship_hours": out.order_to_ship_hours,
        "backordered": await Order.filter(status=OrderStatus.BACKORDERED).count(),
        "on_hold": await Order.filter(status=OrderStatus.ON_HOLD).count(),
        "to_pick": await Order.filter(status=OrderStatus.ALLOCATED).count(),
    }


async def stock_summary(warehouse_code: str) -> list[dict[str, Any]]:
    """Per product in a warehouse: on hand, reserved, available, its reorder point and the bins to count (found
    short by a picker); low ones first."""
    warehouse = await warehouse_by_code(warehouse_code)
    totals: dict[int, dict[str, Any]] = {}
    levels = StockLevel.filter(warehouse_id=warehouse.id, location__kind__in=list(STORAGE_KINDS)).select_related(
        "product", "location")
    for level in await levels:
        row = totals.setdefault(level.product.id, {"sku": level.product.sku, "name": level.product.name,
                                                   "name_zh": level.product.name_zh or level.product.name,
                                                   "on_hand": 0, "reserved": 0, "count_due": []})
        row["on_hand"] += level.on_hand
        row["reserved"] += level.reserved
        if level.count_due_since:
            row["count_due"].append(level.location.code)
    points = {}
    for product_id, point, sku, name, name_zh in await ReorderRule.filter(warehouse_id=warehouse.id).values_list(
            "product_id", "reorder_point", "product__sku", "product__name", "product__name_zh"):
        points[product_id] = point
        totals.setdefault(product_id, {"sku": sku, "name": name, "name_zh": name_zh or name, "on_hand": 0,
                                       "reserved": 0, "count_due": []})
    rows = []
    for product_id, row in totals.items():
        available = row["on_hand"] - row["reserved"]
        point = points.get(product_id)
        rows.append({**row, "available": available, "reorder_point": point,
                     "low": point is not None and available < point})
    return sorted(rows, key=lambda r: (not r["low"], r["sku"]))


LATE_STATUSES = (OrderStatus.APPROVED, OrderStatus.ALLOCATED, OrderStatus.BACKORDERED, OrderStatus.PICKING,
                 OrderStatus.PACKED)


async def alert_late_orders(settings: Settings, now: datetime) -> list[str]:
    """Orders that should have left by now: past their requested day, or older than `late_after_hours`.

    One manager alert a day, listing them (the first run of the day that finds any)."""
    today = now.astimezone(settings.tz).date()
    too_old = now - timedelta(hours=settings.late_after_hours)
    late = await Order.filter(Q(requested_date__lt=today) | Q(created_at__lt=too_old),
                              status__in=LATE_STATUSES).order_by("id").values_list("number", flat=True)
    if late:
        listed = ", ".join(late[:30]) + (f" and {len(late) - 30} more" if len(late) > 30 else "")
        await emit("shipment.late", {"count": len(late), "orders": listed,
                                     "why": f"past the requested day or older than {settings.late_after_hours} h"},
                   dedupe_key=f"late:{today.isoformat()}")
    return list(late)


async def daily_figures(tz: ZoneInfo, day: date) -> dict[str, Any]:
    start = datetime.combine(day, datetime.min.time(), tz).astimezone(UTC)
    end = start + timedelta(days=1)
    received = Order.filter(created_at__gte=start, created_at__lt=end)
    out = await _outflow(tz, start, end)
    top = await (OrderLine.filter(order__created_at__gte=start, order__created_at__lt=end)
                 .annotate(units=Sum("qty")).group_by("product__sku").order_by("-units").limit(5)
                 .values_list("product__sku", "units"))
    return {
        "day": day.isoformat(),
        "received": await received.count(),
        "approved": await OrderEvent.filter(to_status=OrderStatus.APPROVED, created_at__gte=start,
                                            created_at__lt=end).count(),
        "shipped": len(out.shipped_at),
        "on_time": "–" if out.on_time_rate is None else f"{out.on_time_rate:.0%}",
        "order_to_ship_hours": "–" if out.order_to_ship_hours is None else out.order_to_ship_hours,
        "backordered": await Order.filter(status=OrderStatus.BACKORDERED).count(),
        "top": ", ".join(f"{sku} ×{units}" for sku, units in top) or "–",
        "stock_alerts": await OutboxEvent.filter(kind="stock.low", created_at__gte=start, created_at__lt=end).count(),
    }


CATCH_UP_DAYS = 7


async def in_use_since(tz: ZoneInfo) -> date | None:
    """The day fahuo went into use: that of its first order. Days before it have nothing to report, and unlike
    the moment the tables were made, it travels with the data (a restored backup, a move to PostgreSQL)."""
    first = await Order.all().order_by("created_at").first().values_list("created_at", flat=True)
    return first.astimezone(tz).date() if first else None


async def send_daily_reports(settings: Settings, now: datetime) -> list[str]:
    """The report of each finished day not yet reported (after downtime too, up to a week back, never before
    the first order), once its hour has come. Each day's report is one outbox event, so running twice sends
    nothing twice."""
    local = now.astimezone(settings.tz)
    last = local.date() - timedelta(days=1 if local.time() >= settings.daily_report_at else 2)
    since = await in_use_since(settings.tz)
    if since is None:
        return []
    sent = []
    for back in range(CATCH_UP_DAYS - 1, -1, -1):
        day = last - timedelta(days=back)
        if day < since or await OutboxEvent.exists(dedupe_key=f"report:{day.isoformat()}"):
            continue
        if await emit("report.daily", await daily_figures(settings.tz, day), dedupe_key=f"report:{day.isoformat()}"):
            sent.append(day.isoformat())
    return sent


async def reconcile_ledger(settings: Settings, now: datetime) -> int:
    """The nightly `run.py check`: any drift between levels and their moves or reservations is an alert."""
    problems = await check_ledger()
    if problems:
        await emit("ledger.drift", {"count": len(problems), "first": "; ".join(str(p) for p in problems[:3])},
                   dedupe_key=f"drift:{now.astimezone(settings.tz).date().isoformat()}")
    return len(problems)
