"""Figures and checks for managers: the dashboard, sales by product and by customer, stock against reorder
points, late orders, the daily report, and the nightly ledger reconciliation."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import Q
from tortoise.functions import Sum
from tortoise.transactions import in_transaction

from core.base.errors import InvalidInput
from core.base.events import OutboxEvent, emit
from core.base.i18n import listed, phrase
from core.base.regions import canonical, province_code
from core.base.settings import Settings
from core.orders.customers import Customer
from core.orders.order import Order, OrderEvent, OrderLine, OrderStatus, root_number
from core.shipping.shipments import Shipment
from core.shipping.stuck import count_stuck
from core.stock.catalog import Product
from core.stock.ledger import StockLevel, check_ledger
from core.stock.replenishment import OPEN_PO, PurchaseOrderLine, ReorderRule
from core.stock.transfers import TransferLine, TransferStatus
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
        "stuck_no_carrier": await count_stuck(),
    }


# -- sales: what sold, by product and by customer --------------------------------------------------------

# Orders that count as sales: accepted by review (or by a manager) and not cancelled since. Held orders may
# still be rejected, so they wait until decided.
SOLD = (OrderStatus.APPROVED, OrderStatus.AWAITING_PAYMENT, OrderStatus.ALLOCATED, OrderStatus.BACKORDERED,
        OrderStatus.PICKING, OrderStatus.PACKED, OrderStatus.SHIPPED, OrderStatus.DELIVERED)
SALES_DAYS = (14, 30)  # the windows managers are offered
MAX_SALES_DAYS = 366


@dataclass(frozen=True)
class SalesRow:
    """One product's or one customer's sales in the window."""

    ref: str  # the product's SKU; the customer's phone (E.164), or "" when unknown
    name: str
    qty: int  # units ordered
    revenue: Decimal  # quantity × unit price of the lines, in the shop's currency
    orders: int  # orders placed; a follow-on (the rest of a partial shipment) counts with the order it continues


@dataclass(frozen=True)
class Sales:
    """Sales over the local days `first`…`last` (today included): the best `rows` and the whole window's totals,
    so a reader can say "top 10 of 57"."""

    first: date
    last: date
    rows: list[SalesRow]
    entries: int  # products or customers that sold anything, of which `rows` are the best
    qty: int
    revenue: Decimal
    orders: int


@dataclass(frozen=True)
class Tally:
    """What one product or customer sold."""

    qty: int
    revenue: Decimal
    orders: int


def tally_sales(lines: Iterable[tuple[str, Hashable, int, Decimal]]) -> dict[Hashable, Tally]:
    """Sum (order number, key, quantity, unit price) lines per key, best first: by revenue, then units.
    An order and its follow-ons are one order, so a split does not count twice."""
    units: dict[Hashable, int] = {}
    money: dict[Hashable, Decimal] = {}
    orders: dict[Hashable, set[str]] = {}
    for number, key, qty, price in lines:
        units[key] = units.get(key, 0) + qty
        money[key] = money.get(key, Decimal(0)) + qty * price
        orders.setdefault(key, set()).add(root_number(number))
    ranked = sorted(units, key=lambda k: (-money[k], -units[k], str(k)))
    return {key: Tally(units[key], money[key], len(orders[key])) for key in ranked}


def _sales_window(tz: ZoneInfo, days: int) -> tuple[date, date, datetime]:
    if not 1 <= days <= MAX_SALES_DAYS:
        raise InvalidInput(detail=phrase("refuse.sales_days", most=MAX_SALES_DAYS, days=days))
    last = datetime.now(tz).date()
    first = last - timedelta(days=days - 1)
    return first, last, datetime.combine(first, datetime.min.time(), tz).astimezone(UTC)


async def _sold_lines(since: datetime, key: str) -> list[tuple[str, Hashable, int, Decimal]]:
    return await OrderLine.filter(order__created_at__gte=since, order__status__in=list(SOLD)).values_list(
        "order__number", key, "qty", "unit_price")


async def sales_by_product(tz: ZoneInfo, days: int = 14, limit: int = 10) -> Sales:
    """What sold best over the last `days` local days (today included): units, revenue and orders per product."""
    first, last, since = _sales_window(tz, days)
    lines = await _sold_lines(since, "product_id")
    tallies = tally_sales(lines)
    best = list(tallies)[:limit]
    names = {p.id: p for p in await Product.filter(id__in=best)}
    rows = [SalesRow(names[k].sku, names[k].name, t.qty, t.revenue, t.orders)
            for k, t in tallies.items() if k in names]
    return _sales(first, last, rows, tallies, lines)


async def sales_by_customer(tz: ZoneInfo, days: int = 14, limit: int = 10) -> Sales:
    """Who bought most over the last `days` local days (today included): units, revenue and orders per customer."""
    first, last, since = _sales_window(tz, days)
    lines = await _sold_lines(since, "order__customer_id")
    tallies = tally_sales(lines)
    best = list(tallies)[:limit]
    names = {c.id: c for c in await Customer.filter(id__in=best)}
    rows = [SalesRow(names[k].phone or "", names[k].name, t.qty, t.revenue, t.orders)
            for k, t in tallies.items() if k in names]
    return _sales(first, last, rows, tallies, lines)


async def sales_by_region(tz: ZoneInfo, days: int = 14, limit: int = 10) -> Sales:
    """Where goods went over the last `days` local days, per province by its code (上海 and 上海市 are one):
    each row's `ref` is the province's adcode ("" for orders abroad or never placed), its name fahuo's."""
    first, last, since = _sales_window(tz, days)
    lines = [(number, province_code(adcode), qty, price) for number, adcode, qty, price
             in await _sold_lines(since, "order__adcode")]
    tallies = tally_sales(lines)
    rows = [SalesRow(str(k), canonical(str(k)) if k else "", t.qty, t.revenue, t.orders)
            for k, t in list(tallies.items())[:limit]]
    return _sales(first, last, rows, tallies, lines)


def _sales(first: date, last: date, rows: list[SalesRow], tallies: dict[Hashable, Tally],
           lines: list[tuple[str, Hashable, int, Decimal]]) -> Sales:
    return Sales(first, last, rows, len(tallies), sum(t.qty for t in tallies.values()),
                 sum((t.revenue for t in tallies.values()), Decimal(0)),
                 len({root_number(number) for number, *_ in lines}))


async def stock_summary(warehouse_code: str, tz: ZoneInfo) -> list[dict[str, Any]]:
    """Per product in a warehouse: on hand, reserved, available and incoming (open purchase orders and transfers
    to it, each with the day it is expected), its reorder point, and its bins (those to count, found short by a
    picker, marked); low ones first."""
    warehouse = await warehouse_by_code(warehouse_code)
    totals: dict[int, dict[str, Any]] = {}

    def row_of(product_id: int, sku: str, name: str, name_zh: str | None) -> dict[str, Any]:
        return totals.setdefault(product_id, {"sku": sku, "name": name, "name_zh": name_zh or name, "on_hand": 0,
                                              "reserved": 0, "count_due": [], "bins": [], "incoming": []})

    levels = StockLevel.filter(warehouse_id=warehouse.id, location__kind__in=list(STORAGE_KINDS)).select_related(
        "product", "location").order_by("location__code")
    for level in await levels:
        row = row_of(level.product.id, level.product.sku, level.product.name, level.product.name_zh)
        row["on_hand"] += level.on_hand
        row["reserved"] += level.reserved
        if level.count_due_since:
            row["count_due"].append(level.location.code)
        if level.on_hand or level.reserved or level.count_due_since:
            row["bins"].append({"location": level.location.code, "on_hand": level.on_hand, "reserved": level.reserved,
                                "count_due": level.count_due_since is not None})
    for product_id, arriving in (await _incoming(warehouse.id, tz)).items():
        row_of(product_id, *arriving[0]["product"])["incoming"] = [
            {k: v for k, v in a.items() if k != "product"} for a in arriving]
    points = {}
    for product_id, point, sku, name, name_zh in await ReorderRule.filter(warehouse_id=warehouse.id).values_list(
            "product_id", "reorder_point", "product__sku", "product__name", "product__name_zh"):
        points[product_id] = point
        row_of(product_id, sku, name, name_zh)
    rows = []
    for product_id, row in totals.items():
        available = row["on_hand"] - row["reserved"]
        point = points.get(product_id)
        rows.append({**row, "available": available, "incoming_qty": sum(a["qty"] for a in row["incoming"]),
                     "reorder_point": point, "low": point is not None and available < point})
    return sorted(rows, key=lambda r: (not r["low"], r["sku"]))


TRANSFER_DAYS = 1  # a transfer on the road is expected the next day: warehouses trade by overnight truck


async def _incoming(warehouse_id: int, tz: ZoneInfo) -> dict[int, list[dict[str, Any]]]:
    """What is on its way to a warehouse, per product: open purchase orders (expected the supplier's lead time
    after they were confirmed; a draft is not sent yet, so has no day) and transfers to it (expected the day
    after they left)."""
    arriving: dict[int, list[dict[str, Any]]] = {}
    lines = await PurchaseOrderLine.filter(purchase_order__warehouse_id=warehouse_id,
                                           purchase_order__status__in=list(OPEN_PO)).select_related(
        "purchase_order__supplier", "product").order_by("purchase_order_id")
    for ln in lines:
        po = ln.purchase_order
        due = po.confirmed_at and po.confirmed_at.astimezone(tz).date() + timedelta(days=po.supplier.lead_days)
        if ln.qty > ln.qty_received:
            arriving.setdefault(ln.product.id, []).append(_arriving(
                ln.product, "purchase_order", po.number, po.status, ln.qty - ln.qty_received, due))
    moving = await TransferLine.filter(transfer__target_id=warehouse_id, transfer__status__in=(
        TransferStatus.DRAFT, TransferStatus.SHIPPED)).select_related("transfer", "product").order_by("transfer_id")
    for ln in moving:
        tr = ln.transfer
        due = tr.shipped_at and tr.shipped_at.astimezone(tz).date() + timedelta(days=TRANSFER_DAYS)
        if ln.qty > ln.qty_received:
            arriving.setdefault(ln.product.id, []).append(_arriving(
                ln.product, "transfer", tr.number, tr.status, ln.qty - ln.qty_received, due))
    return arriving


def _arriving(product: Product, kind: str, number: str, status: str, qty: int, due: date | None) -> dict[str, Any]:
    return {"product": (product.sku, product.name, product.name_zh), "kind": kind, "number": number,
            "status": status, "status_word": phrase(f"status.{kind}.{status}"), "qty": qty,
            "expected": due.isoformat() if due else None}


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
        named = listed(late[:30]) if len(late) <= 30 else phrase("late.more", orders=listed(late[:30]),
                                                                    more=len(late) - 30)
        async with in_transaction():
            await emit("shipment.late", {"count": len(late), "orders": named,
                                         "why": phrase("late.why", hours=settings.late_after_hours)},
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
        figures = await daily_figures(settings.tz, day)
        async with in_transaction():
            if await emit("report.daily", figures, dedupe_key=f"report:{day.isoformat()}"):
                sent.append(day.isoformat())
    return sent


async def reconcile_ledger(settings: Settings, now: datetime) -> int:
    """The nightly `run.py check`: any drift between levels and their moves or reservations is an alert."""
    problems = await check_ledger()
    if problems:
        async with in_transaction():
            first = listed([p.words for p in problems[:3]], "clauses")  # said in each manager's language
            await emit("ledger.drift", {"count": len(problems), "first": first},
                       dedupe_key=f"drift:{now.astimezone(settings.tz).date().isoformat()}")
    return len(problems)
