"""Allocation: which warehouse ships an approved order, and where each missing unit will come from.

The warehouse that can ship the whole order and is closest to the customer wins. When none can, the one
covering most of it is chosen; what it lacks comes by transfer from others, and what nobody has is
backordered and put on a purchase-order draft.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import F

from core.catalog import Product
from core.db import execute, select
from core.numbering import next_number
from core.orders import Order, OrderLine, OrderStatus, transition
from core.replenishment import check_low_stock, request_for_backorder
from core.settings import Settings
from core.stock import FreeStock, free_stock, reserve_in_warehouse
from core.transfers import TransferOrder, add_transfer_line, open_transfer
from core.warehouses import Warehouse

FAR_AWAY_KM = 5000.0  # distance assumed when coordinates are missing and the province differs


@dataclass
class Candidate:
    warehouse: Warehouse
    covered: int  # units of the order it can serve now
    distance_km: float

    def rank(self, total: int) -> tuple[int, int, float]:
        return (0 if self.covered >= total else 1, -self.covered, self.distance_km)


def _km_between(a: Warehouse, b: Warehouse) -> float:
    km = a.distance_km(b.lat, b.lon)
    return FAR_AWAY_KM if km is None else km  # 0 km is near, not unknown


def _distance(warehouse: Warehouse, order: Order) -> float:
    km = warehouse.distance_km(order.lat, order.lon)
    if km is not None:
        return km
    return 0.0 if warehouse.province and warehouse.province == order.province else FAR_AWAY_KM


def choose_warehouse(order: Order, lines: list[tuple[OrderLine, Product]], free: FreeStock,
                     warehouses: list[Warehouse]) -> Warehouse | None:
    if not warehouses:
        return None
    total = sum(line.qty for line, _ in lines)
    candidates = [
        Candidate(wh, sum(min(line.qty, free.units(p.id, wh.id)) for line, p in lines), _distance(wh, order))
        for wh in warehouses
    ]
    return min(candidates, key=lambda c: c.rank(total)).warehouse


async def allocate_order(order: Order, actor: str, settings: Settings,
                         lines: list[tuple[OrderLine, Product]] | None = None,
                         free: FreeStock | None = None) -> OrderStatus:
    """Reserve stock for an approved order; the order ends allocated, or backordered if anything must wait.

    `lines` and `free` may be passed by a caller that has just read them (intake); they are only hints, as
    every reservation is a guarded update."""
    if lines is None:
        lines = [(ln, ln.product) for ln in await OrderLine.filter(order_id=order.id).prefetch_related("product")]
    lines = sorted(lines, key=lambda pair: pair[1].id)  # one lock order for every transaction (PostgreSQL)
    if free is None:
        free = await free_stock([p.id for _, p in lines])
    warehouses = await select(Warehouse, 'SELECT * FROM "warehouse" WHERE "active" ORDER BY "id"')
    home = choose_warehouse(order, lines, free, warehouses)
    if home is None:
        await transition(order, OrderStatus.BACKORDERED, actor, "no active warehouse")
        return OrderStatus.BACKORDERED

    touched: set[tuple[int, int]] = set()
    missing: dict[int, int] = {}
    for line, product in lines:
        got = await reserve_in_warehouse(product.id, home.id, line.qty, order_line_id=line.id, free=free)
        line.qty_reserved = got
        touched.add((product.id, home.id))
        if got < line.qty:
            missing[line.id] = line.qty - got

    others = [wh for wh in warehouses if wh.id != home.id]
    transfers = await _cover_by_transfer(order, lines, missing, home, others, free, actor, settings, touched)
    waiting = []
    for line, product in lines:
        line.qty_transfer = line.qty - line.qty_reserved - missing.get(line.id, 0)
        line.qty_backordered = missing.get(line.id, 0)
        await execute('UPDATE "sales_order_line" SET "qty_reserved"=?, "qty_transfer"=?, "qty_backordered"=? '
                      'WHERE "id"=?', line.qty_reserved, line.qty_transfer, line.qty_backordered, line.id)
        if line.qty_backordered:
            await request_for_backorder(product, home.id, line.qty_backordered, order.number, settings.tz)
            waiting.append(f"{product.sku}×{line.qty_backordered} backordered")
        if line.qty_transfer:
            waiting.append(f"{product.sku}×{line.qty_transfer} by transfer")
    await check_low_stock(touched, settings.tz)

    if not waiting:
        await transition(order, OrderStatus.ALLOCATED, actor, f"reserved in {home.code}", warehouse_id=home.id)
        return OrderStatus.ALLOCATED
    how = ", ".join(waiting)
    if transfers:
        how += f" ({', '.join(t.number for t in transfers)})"
    await transition(order, OrderStatus.BACKORDERED, actor, f"shipping from {home.code}; waiting: {how}",
                     warehouse_id=home.id)
    return OrderStatus.BACKORDERED


async def _cover_by_transfer(order: Order, lines: list[tuple[OrderLine, Product]], missing: dict[int, int],
                             home: Warehouse, others: list[Warehouse], free: FreeStock, actor: str,
                             settings: Settings,
                             touched: set[tuple[int, int]]) -> list[TransferOrder]:
    """Reserve what the home warehouse lacks in other warehouses, nearest first; one transfer per source."""
    if not missing:
        return []
    made: list[TransferOrder] = []
    for source in sorted(others, key=lambda wh: _km_between(wh, home)):
        wanted = [(ln, p) for ln, p in lines if missing.get(ln.id) and free.units(p.id, source.id) > 0]
        if not wanted:
            continue
        transfer = await open_transfer(source, home, await next_number("TR", settings.tz), actor, order.id)
        for line, product in wanted:
            got = await add_transfer_line(transfer, product, missing[line.id], partial=True, order_line_id=line.id)
            missing[line.id] -= got
            touched.add((product.id, source.id))
        if await transfer.lines.all().count():
            made.append(transfer)
        else:
            await transfer.delete()
    for key in [k for k, v in missing.items() if v == 0]:
        del missing[key]
    return made


async def fill_waiting(warehouse_id: int, product_ids: set[int], actor: str, settings: Settings) -> list[str]:
    """Stock arrived: reserve it for backordered orders of this warehouse, oldest first.

    Returns the numbers of orders that became fully allocated."""
    waiting_lines = await (
        OrderLine.filter(product_id__in=product_ids, qty_backordered__gt=0, order__warehouse_id=warehouse_id,
                         order__status=OrderStatus.BACKORDERED)
        .order_by("order_id", "id")
    )
    for line in waiting_lines:
        got = await reserve_in_warehouse(line.product_id, warehouse_id, line.qty_backordered,  # type: ignore[attr-defined]
                                         order_line_id=line.id)
        if got:
            await OrderLine.filter(id=line.id).update(
                qty_reserved=F("qty_reserved") + got, qty_backordered=F("qty_backordered") - got
            )
    return await _allocate_if_complete({ln.order_id for ln in waiting_lines}, actor, "stock arrived")  # type: ignore[attr-defined]


async def take_transferred(line_ids_and_qty: list[tuple[int, int]], warehouse_id: int, actor: str) -> list[str]:
    """Goods of a transfer landed in the home warehouse: reserve them for the order lines they came for."""
    order_ids: set[int] = set()
    for order_line_id, qty in line_ids_and_qty:
        line = await OrderLine.get_or_none(id=order_line_id)
        if line is None or line.qty_transfer <= 0:
            continue
        got = await reserve_in_warehouse(line.product_id, warehouse_id, min(qty, line.qty_transfer),  # type: ignore[attr-defined]
                                         order_line_id=line.id)
        await OrderLine.filter(id=line.id).update(
            qty_reserved=F("qty_reserved") + got, qty_transfer=F("qty_transfer") - got
        )
        order_ids.add(line.order_id)  # type: ignore[attr-defined]
    return await _allocate_if_complete(order_ids, actor, "transfer arrived")


async def _allocate_if_complete(order_ids: set[int], actor: str, why: str) -> list[str]:
    """Backordered orders whose every line is now reserved become allocated; returns their numbers."""
    ready: list[str] = []
    for order in await Order.filter(id__in=sorted(order_ids), status=OrderStatus.BACKORDERED).order_by("id"):
        if not await OrderLine.filter(order_id=order.id, qty_reserved__lt=F("qty")).exists():
            await transition(order, OrderStatus.ALLOCATED, actor, why)
            ready.append(order.number)
    return ready
