"""Allocation: which warehouse ships an approved order, and where each missing unit will come from.

The warehouse that can ship the whole order and is closest to the customer wins. When none can, the one
covering most of it is chosen; what it lacks comes by transfer from others, and what nobody has is
backordered and put on a purchase-order draft.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from tortoise.expressions import F

from core.base.db import change, in_callers_transaction
from core.base.events import emit
from core.base.i18n import Phrase, kept, listed, phrase
from core.base.numbering import next_number
from core.base.regions import province_code
from core.base.settings import Settings
from core.orders.order import (
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    follow_on_note,
    line_total,
    root_number,
    transition,
)
from core.stock.catalog import Product
from core.stock.ledger import FreeStock, free_stock, lock_levels, reserve_in_warehouse
from core.stock.replenishment import add_to_draft, check_low_stock, on_order
from core.stock.transfers import TransferLine, TransferOrder, add_transfer_line, announce_transfer, open_transfer
from core.stock.waiting import WaitingOrders, serve_waiting_orders
from core.stock.warehouses import Warehouse, active_warehouses

FAR_AWAY_KM = 5000.0  # distance assumed when coordinates are missing and the province (by its code) differs


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
    mine = province_code(warehouse.adcode, warehouse.province)
    return 0.0 if mine and mine == province_code(order.adcode, order.province) else FAR_AWAY_KM


def choose_warehouse(order: Order, lines: list[tuple[OrderLine, Product]], free: FreeStock,
                     warehouses: list[Warehouse]) -> Warehouse | None:
    """The warehouse that ships the order: one that covers it whole, nearest first; else the one covering
    most units (nearest among equals). None only when there is no warehouse at all."""
    if not warehouses:
        return None
    total = sum(line.qty for line, _ in lines)
    candidates = [
        Candidate(wh, sum(min(line.qty, free.units(p.id, wh.id)) for line, p in lines), _distance(wh, order))
        for wh in warehouses
    ]
    return min(candidates, key=lambda c: c.rank(total)).warehouse


@in_callers_transaction
async def allocate_order(order: Order, actor: str, settings: Settings,
                         lines: list[tuple[OrderLine, Product]] | None = None,
                         free: FreeStock | None = None) -> OrderStatus:
    """Reserve stock for an approved order; the order ends allocated, or backordered if anything must wait.

    `lines` and `free` may be passed by a caller that has just read them (intake); they are only hints, as
    every reservation is a guarded update."""
    if lines is None:
        lines = [(ln, ln.product) for ln in await OrderLine.filter(order_id=order.id).prefetch_related("product")]
    lines = sorted(lines, key=lambda pair: pair[1].id)
    await lock_levels([p.id for _, p in lines])  # here and in every warehouse that may send some: one lock order
    if free is None:
        free = await free_stock([p.id for _, p in lines])
    warehouses = await active_warehouses()
    home = choose_warehouse(order, lines, free, warehouses)
    if home is None:
        await transition(order, OrderStatus.BACKORDERED, actor, phrase("history.no_warehouse"))
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
    for line, _ in lines:
        line.qty_transfer = line.qty - line.qty_reserved - missing.get(line.id, 0)
        line.qty_backordered = missing.get(line.id, 0)
        await change(OrderLine, {"id": line.id}, qty_reserved=line.qty_reserved, qty_transfer=line.qty_transfer,
                     qty_backordered=line.qty_backordered)
    waiting = _waiting(lines)
    how = listed(waiting)
    if transfers:
        how = phrase("history.transfers", what=how, transfers=listed([t.number for t in transfers]))
    # Partial shipment, when the customer or the order allows it: what is here ships now, and what waits
    # moves to a follow-on order that ships when it arrives.
    split = bool(waiting) and order.partial_shipment and any(line.qty_reserved for line, _ in lines)
    waiter = await _follow_on_number(order.number) if split else order.number
    for line, product in lines:
        if line.qty_backordered:  # asked before the split, while no order of these units counts as waiting yet
            await request_for_backorder(product, home.id, line.qty_backordered, waiter, settings.tz)
    await check_low_stock(touched, settings.tz)

    if split:
        await _split_off_waiting(order, lines, home.id, waiter, actor, how,
                                 phrase("history.reserved", warehouse=home.code))
        return OrderStatus.ALLOCATED
    if not waiting:
        await transition(order, OrderStatus.ALLOCATED, actor, phrase("history.reserved", warehouse=home.code),
                         warehouse_id=home.id)
        return OrderStatus.ALLOCATED
    await transition(order, OrderStatus.BACKORDERED, actor, phrase("history.waiting", warehouse=home.code, how=how),
                     warehouse_id=home.id)
    return OrderStatus.BACKORDERED


# what a follow-on order takes over from the order it was split from, as it stands
_CARRIED_OVER = ("channel", "customer_id", "recipient", "phone", "province", "city", "district", "line1", "postcode",
                 "lat", "lon", "adcode", "address_doubts", "service_level", "payment_method", "payment_state",
                 "currency", "requested_date", "window_start", "window_end", "partial_shipment", "review")


async def _follow_on_number(number: str) -> str:
    """SO-YYYYMMDD-NNNNN-2, -3, …: the next follow-on of an order (of the original, when a follow-on splits)."""
    root = root_number(number)
    taken = await Order.filter(number__startswith=f"{root}-").count()
    return f"{root}-{taken + 2}"


def _waiting(lines: list[tuple[OrderLine, Product]]) -> list[Phrase]:
    """What of an order is not reserved in its warehouse yet, and how it is coming."""
    waiting = []
    for line, product in lines:
        if line.qty_backordered:
            waiting.append(phrase("history.backordered", sku=product.sku, qty=line.qty_backordered))
        if line.qty_transfer:
            waiting.append(phrase("history.by_transfer", sku=product.sku, qty=line.qty_transfer))
    return waiting


async def _split_off_waiting(order: Order, lines: list[tuple[OrderLine, Product]], warehouse_id: int, number: str,
                             actor: str, how: Phrase, why: Phrase) -> None:
    """Move every unit of `order` that is not reserved here (coming by transfer or backordered) to a new order
    `number` for the same customer and address, which waits as `backordered`; `order` keeps what is reserved
    and becomes allocated (`why` says how it got its goods). Transfers bringing the moved units follow them."""
    moved = [(line, product) for line, product in lines if line.qty_transfer or line.qty_backordered]
    items = ", ".join(f"{product.sku}×{line.qty_transfer + line.qty_backordered}" for line, product in moved)
    follow_on = await Order.create(
        **{name: getattr(order, name) for name in _CARRIED_OVER}, number=number, external_ref=None,
        status=OrderStatus.BACKORDERED, warehouse_id=warehouse_id, created_by=actor, note=follow_on_note(order),
        total=line_total([(line.qty_transfer + line.qty_backordered, line.unit_price) for line, _ in moved]),
    )
    transfer_ids = await TransferLine.filter(order_line_id__in=[line.id for line, _ in moved]).values_list(
        "transfer_id", flat=True)
    for line, product in moved:
        new_line = await OrderLine.create(order_id=follow_on.id, product_id=product.id, unit_price=line.unit_price,
                             qty=line.qty_transfer + line.qty_backordered, qty_transfer=line.qty_transfer,
                             qty_backordered=line.qty_backordered)
        await TransferLine.filter(order_line_id=line.id).update(order_line_id=new_line.id)
        line.qty, line.qty_transfer, line.qty_backordered = line.qty_reserved, 0, 0
        if line.qty:
            await OrderLine.filter(id=line.id).update(qty=line.qty, qty_transfer=0, qty_backordered=0)
        else:
            await OrderLine.filter(id=line.id).delete()
    lines[:] = [(line, product) for line, product in lines if line.qty]
    if transfer_ids:  # the transfers bringing the moved units now serve the follow-on
        await TransferOrder.filter(id__in=sorted(set(transfer_ids))).update(order_id=follow_on.id)
    order.total = line_total([(line.qty, line.unit_price) for line, _ in lines])
    await Order.filter(id=order.id).update(total=order.total)
    await OrderEvent.create(order_id=follow_on.id, from_status=None, to_status=OrderStatus.BACKORDERED.value,
                            actor=actor, reason=kept(phrase("history.rest_of", order=order.number, how=how)))
    await emit("order.split", {"order": order.number, "follow_on": follow_on.number, "items": items,
                               "customer_id": order.customer_id, "channel": order.channel})  # type: ignore[attr-defined]
    await transition(order, OrderStatus.ALLOCATED, actor, phrase("history.split", why=why, number=number),
                     warehouse_id=warehouse_id)


def nearest_first(sources: list[Warehouse], home: Warehouse) -> list[Warehouse]:
    """The order in which other warehouses are asked for what `home` lacks; those without coordinates last."""
    return sorted(sources, key=lambda wh: _km_between(wh, home))


async def _cover_by_transfer(order: Order, lines: list[tuple[OrderLine, Product]], missing: dict[int, int],
                             home: Warehouse, others: list[Warehouse], free: FreeStock, actor: str,
                             settings: Settings,
                             touched: set[tuple[int, int]]) -> list[TransferOrder]:
    """Reserve what the home warehouse lacks in other warehouses, nearest first; one transfer per source."""
    if not missing:
        return []
    made: list[TransferOrder] = []
    for source in nearest_first(others, home):
        wanted = [(ln, p) for ln, p in lines if missing.get(ln.id) and free.units(p.id, source.id) > 0]
        if not wanted:
            continue
        transfer = await open_transfer(source, home, await next_number("TR", settings.tz), actor, order.id)
        for line, product in wanted:
            got = await add_transfer_line(transfer, product, missing[line.id], partial=True, order_line_id=line.id)
            missing[line.id] -= got
            touched.add((product.id, source.id))
        if await transfer.lines.all().count():
            await announce_transfer(transfer, order.number)
            made.append(transfer)
        else:
            await transfer.delete()
    for key in [k for k, v in missing.items() if v == 0]:
        del missing[key]
    return made


@in_callers_transaction
async def fill_waiting(warehouse_id: int, product_ids: set[int], actor: str) -> list[str]:
    """Stock arrived or became free: reserve it for backordered orders of this warehouse, oldest first.

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
    return await _allocate_if_complete({ln.order_id for ln in waiting_lines}, actor, phrase("history.stock_arrived"))  # type: ignore[attr-defined]


@in_callers_transaction
async def offer_freed(freed: set[tuple[int, int]], actor: str) -> list[str]:
    """Units of these (product, warehouse) pairs were given back (a cancel, a release): offered to the orders
    waiting in each warehouse, as arrivals are. Runs inside the caller's transaction."""
    ready: list[str] = []
    for warehouse_id in sorted({w for _, w in freed}):
        ready += await fill_waiting(warehouse_id, {p for p, w in freed if w == warehouse_id}, actor)
    return ready


@in_callers_transaction
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
    return await _allocate_if_complete(order_ids, actor, phrase("history.transfer_arrived"))


def after_arrival(lines: list[OrderLine], partial_shipment: bool) -> Literal["allocate", "split", "wait"]:
    """What a waiting order does once goods came: every line reserved, it is ready to pick; some reserved and
    partial shipment allowed, what is here ships and the rest splits off; else it keeps waiting."""
    if all(line.qty_reserved >= line.qty for line in lines):
        return "allocate"
    if partial_shipment and any(line.qty_reserved for line in lines):
        return "split"
    return "wait"


async def _allocate_if_complete(order_ids: set[int], actor: str, why: Phrase) -> list[str]:
    """Backordered orders whose every line is now reserved become allocated; so do those that take partial
    shipments and now have part of their goods, the rest moving to a follow-on order. Returns their numbers."""
    ready: list[str] = []
    for order in await Order.filter(id__in=sorted(order_ids), status=OrderStatus.BACKORDERED).order_by("id"):
        lines = [(ln, ln.product) for ln in
                 await OrderLine.filter(order_id=order.id).order_by("id").prefetch_related("product")]
        step = after_arrival([line for line, _ in lines], order.partial_shipment)
        if step == "allocate":
            await transition(order, OrderStatus.ALLOCATED, actor, why)
            ready.append(order.number)
        elif step == "split":
            await _split_off_waiting(order, lines, order.warehouse_id,  # type: ignore[attr-defined]
                                     await _follow_on_number(order.number), actor, listed(_waiting(lines)), why)
            ready.append(order.number)
    return ready


@in_callers_transaction
async def request_for_backorder(product: Product, warehouse_id: int, qty: int, order_number: str,
                                tz: ZoneInfo) -> None:
    """What no warehouse has goes on a draft purchase order, unless enough is already coming.

    Called while the order is still being allocated, so its own `qty` is not yet among the backorders."""
    coming = await on_order(product.id, warehouse_id)
    buy = to_purchase(qty, await _backordered_units(product.id, warehouse_id), coming)
    if buy:
        await add_to_draft(product, warehouse_id, buy, phrase("po.why.backorder", order=order_number), tz)


def to_purchase(qty: int, backordered: int, coming: int) -> int:
    """Units of a new backorder of `qty` to put on the draft purchase order: what all backorders of the product
    there (`backordered` already, plus this one) lack beyond what is `coming` on purchase orders, at most `qty`
    (the earlier backorders asked for theirs)."""
    return max(0, min(qty, backordered + qty - coming))


async def _backordered_units(product_id: int, warehouse_id: int) -> int:
    rows = await OrderLine.filter(
        product_id=product_id, order__warehouse_id=warehouse_id, qty_backordered__gt=0,
        order__status=OrderStatus.BACKORDERED,
    ).values_list("qty_backordered", flat=True)
    return sum(rows)


serve_waiting_orders(WaitingOrders(fill=fill_waiting, take_transferred=take_transferred))
