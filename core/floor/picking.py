"""Pick lists: allocated orders of one warehouse, their reserved goods in walking order, picked by scans.

A task is one reservation: a product in one bin for one order, which goes into that order's tote. The
picker stands at a bin (scans its label), takes the product (scans it, with a count), and moves on. Stock
stays in the bin on the ledger until dispatch; the reservation is what keeps it for the order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.expressions import F
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.auth import Staff, people_of
from core.base.db import by_number, fetch, in_callers_transaction, retry_on_conflict
from core.base.errors import Conflict, InvalidInput, InvalidTransition, NotFound, WrongScan
from core.base.events import emit
from core.base.i18n import Phrase, listed, named, phrase
from core.base.numbering import next_number
from core.base.settings import Settings
from core.floor.qr import Kind, Payload
from core.floor.routing import Spot, distance_matrix, shortest_tour, tour_length
from core.orders.allocation import request_for_backorder
from core.orders.order import Order, OrderLine, OrderStatus, PaymentMethod, PaymentState, order_by_number, transition
from core.stock.ledger import (
    FreeStock,
    MoveReason,
    Reservation,
    ReservationState,
    StockLevel,
    free_stock,
    move_stock,
    reserve_in_warehouse,
    shrink_reservation,
)
from core.stock.replenishment import check_low_stock
from core.stock.transfers import TransferLine
from core.stock.warehouses import (
    STORAGE_KINDS,
    Location,
    LocationKind,
    Warehouse,
    virtual_location,
    warehouse_label,
)

MAX_BATCH = 12  # totes on one cart


class PickListStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class TaskState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    SHORT = "short"  # the bin had less than the ledger said
    CANCELLED = "cancelled"  # the order was cancelled before this task was finished


LIVE_TASKS = (TaskState.PENDING, TaskState.DONE, TaskState.SHORT)


class PickList(Model):
    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)
    warehouse: fields.ForeignKeyRelation[Warehouse] = fields.ForeignKeyField(
        "fahuo.Warehouse", related_name="pick_lists", on_delete=fields.RESTRICT
    )
    status = fields.CharEnumField(PickListStatus, max_length=16, default=PickListStatus.OPEN, db_index=True)
    picker = fields.CharField(max_length=100, null=True)
    route_m = fields.FloatField(default=0)
    created_by = fields.CharField(max_length=100)
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "pick_list"


class PickTask(Model):
    id = fields.IntField(primary_key=True)
    pick_list: fields.ForeignKeyRelation[PickList] = fields.ForeignKeyField(
        "fahuo.PickList", related_name="tasks", on_delete=fields.CASCADE
    )
    seq = fields.IntField()
    order = fields.ForeignKeyField("fahuo.Order", related_name="pick_tasks", on_delete=fields.RESTRICT)
    order_line = fields.ForeignKeyField("fahuo.OrderLine", related_name="pick_tasks", on_delete=fields.RESTRICT)
    reservation = fields.ForeignKeyField("fahuo.Reservation", related_name="pick_tasks", null=True,
                                         on_delete=fields.RESTRICT)
    product = fields.ForeignKeyField("fahuo.Product", related_name="pick_tasks", on_delete=fields.RESTRICT)
    location = fields.ForeignKeyField("fahuo.Location", related_name="pick_tasks", on_delete=fields.RESTRICT)
    tote = fields.CharField(max_length=16)
    qty = fields.IntField()
    picked = fields.IntField(default=0)
    state = fields.CharEnumField(TaskState, max_length=16, default=TaskState.PENDING)
    at_location = fields.BooleanField(default=False)

    class Meta:
        table = "pick_task"
        indexes = (("pick_list_id", "seq"), ("order_id",), ("reservation_id",))


# -- making a pick list ---------------------------------------------------------------------------------


def ready_to_pick(order: Order) -> Phrase | None:
    """Why an order may not be picked yet, or None."""
    if order.status != OrderStatus.ALLOCATED:
        return phrase("refuse.not_allocated", order=order.number, status=phrase(f"status.order.{order.status}"))
    if order.payment_method == PaymentMethod.PREPAID and order.payment_state != PaymentState.PAID:
        return phrase("refuse.not_paid", order=order.number)
    return None


async def _unpicked(line_ids: list[int]) -> list[Reservation]:
    """Active reservations of these lines in storage places that no live task covers yet."""
    covered = await PickTask.filter(order_line_id__in=line_ids, state__in=LIVE_TASKS).values_list(
        "reservation_id", flat=True)
    return await (
        Reservation.filter(order_line_id__in=line_ids, state=ReservationState.ACTIVE,
                           level__location__kind__in=list(STORAGE_KINDS))
        .exclude(id__in=[c for c in covered if c])
        .prefetch_related("level__location", "order_line")
        .order_by("id")
    )


async def next_batch(warehouse_code: str, max_orders: int) -> list[str]:
    """The oldest orders of a warehouse that are ready to pick, for one cart."""
    rows = await Order.filter(status=OrderStatus.ALLOCATED, warehouse__code=warehouse_code).order_by("id").limit(
        max_orders * 4)
    return [o.number for o in rows if ready_to_pick(o) is None][:max_orders]


def _walk_order(dock: Location, locations: list[Location]) -> tuple[list[Location], float]:
    spots = [Spot(loc.x, loc.y, loc.aisle) for loc in [dock, *locations]]
    matrix = distance_matrix(spots)
    tour = shortest_tour(matrix)
    return [locations[i - 1] for i in tour[1:-1]], tour_length(matrix, tour)


@retry_on_conflict
async def create_pick_list(numbers: list[str], actor: str, settings: Settings) -> PickList:
    """One pick list for these orders (one tote each), tasks in walking order from the dock and back."""
    numbers = list(dict.fromkeys(numbers))
    if not 1 <= len(numbers) <= MAX_BATCH:
        raise InvalidInput(detail=phrase("refuse.batch_size", most=MAX_BATCH))
    orders = [await order_by_number(n) for n in numbers]
    for order in orders:
        if (why := ready_to_pick(order)) is not None:
            raise InvalidTransition(document=order.number, current=order.status, kind="order",
                                    action=phrase("action.picked_because", why=why))
    warehouses = {o.warehouse_id for o in orders}  # type: ignore[attr-defined]
    if len(warehouses) != 1:
        raise InvalidInput(detail=phrase("refuse.one_warehouse"))
    warehouse_id = warehouses.pop()
    lines = await OrderLine.filter(order_id__in=[o.id for o in orders])
    work = await _unpicked([ln.id for ln in lines])
    if not work:
        raise InvalidInput(detail=phrase("refuse.nothing_to_pick"))
    dock = await Location.get(warehouse_id=warehouse_id, kind=LocationKind.DOCK)
    places = list({r.level.location.id: r.level.location for r in work}.values())
    walk, metres = _walk_order(dock, places)  # solved before the transaction: it must not hold the database
    rank = {loc.id: i for i, loc in enumerate(walk)}
    tote_of = {o.id: f"T{i + 1}" for i, o in enumerate(orders)}
    work.sort(key=lambda r: (rank[r.level.location.id], r.order_line.order_id, r.product_id))
    number = await next_number("PL", settings.tz)
    async with in_transaction():
        pick_list = await PickList.create(number=number, warehouse_id=warehouse_id, created_by=actor,
                                          route_m=round(metres, 1))
        for order in orders:
            await transition(order, OrderStatus.PICKING, actor,
                             phrase("history.on_pick_list", pick_list=number, tote=tote_of[order.id]))
        await PickTask.bulk_create([
            PickTask(pick_list_id=pick_list.id, seq=i + 1, order_id=r.order_line.order_id,
                     order_line_id=r.order_line_id, reservation_id=r.id, product_id=r.product_id,
                     location_id=r.level.location.id, tote=tote_of[r.order_line.order_id], qty=r.qty)
            for i, r in enumerate(work)
        ])
        await emit("pick_list.created", {"pick_list": number, "orders": numbers, "tasks": len(work)})
    return pick_list


async def start_pick_list(orders: list[str], warehouse: str | None, max_orders: int, actor: str,
                          settings: Settings) -> PickList:
    """The pick list a picker asks for: of the orders named, or else of the oldest orders of `warehouse` that
    are ready to pick (one cart of at most `max_orders`)."""
    numbers = orders or await next_batch(warehouse or "", max_orders)
    if not numbers:
        raise Conflict(detail=phrase("refuse.none_ready", warehouse=warehouse))  # nothing wrong with the asking
    return await create_pick_list(numbers, actor, settings)


async def pick_list_by_number(number: str) -> PickList:
    return await by_number(PickList, number, "pick list")


async def pick_list_warehouse(number: str) -> Phrase | None:
    """The label of the warehouse a pick list is of; None for a pick list there is not."""
    found = await PickList.filter(number=number).first().values_list("warehouse__code", "warehouse__name",
                                                                            "warehouse__name_zh")
    return warehouse_label(*found) if found else None


async def list_pick_lists(status: PickListStatus, warehouse: str | None = None, limit: int = 100
                          ) -> list[dict[str, Any]]:
    """Pick lists in a status, newest first, of one warehouse if one is named, each as a line of a list."""
    found = PickList.filter(status=status).order_by("-id").limit(limit)
    if warehouse:
        found = found.filter(warehouse__code=warehouse)
    lists = await found
    people = await people_of({p.picker for p in lists if p.picker})
    return [{"number": p.number, "status": p.status, "picker": p.picker, "picker_name": people.get(p.picker or ""),
             "route_m": p.route_m, "created_at": p.created_at.isoformat()} for p in lists]


# -- picking by scans -----------------------------------------------------------------------------------


@dataclass
class Current:
    """The task a picker works on, read in one query: the scan hot path needs no model objects."""

    id: int
    seq: int
    tote: str
    qty: int
    picked: int
    state: str
    at_location: bool
    order: str
    order_status: str
    sku: str
    name: str
    name_zh: str  # the product's Chinese name, or its name when it has none
    barcode: str | None
    location: str

    @classmethod
    def of(cls, t: PickTask) -> Current:
        """From a task read with its order, product and location."""
        return cls(t.id, t.seq, t.tote, t.qty, t.picked, t.state, t.at_location, t.order.number, t.order.status,
                   t.product.sku, t.product.name, t.product.name_zh or t.product.name, t.product.barcode,
                   t.location.code)

    def view(self) -> dict[str, Any]:
        return {"seq": self.seq, "order": self.order, "tote": self.tote, "location": self.location, "sku": self.sku,
                "name": self.name, "name_zh": self.name_zh or self.name, "barcode": self.barcode, "qty": self.qty,
                "picked": self.picked, "state": self.state, "at_location": self.at_location}


_CURRENT = {"id": "id", "seq": "seq", "tote": "tote", "qty": "qty", "picked": "picked", "state": "state",
            "at_location": "at_location", "order": "order__number", "order_status": "order__status",
            "sku": "product__sku", "name": "product__name", "name_zh": "product__name_zh",
            "barcode": "product__barcode",
            "location": "location__code"}


async def _current_task(pick_list_id: int, notices: list[Phrase]) -> Current | None:
    """The next pending task in walking order; tasks of orders cancelled meanwhile are closed on the way."""
    while True:
        rows = await (PickTask.filter(pick_list_id=pick_list_id, state=TaskState.PENDING).order_by("seq").limit(1)
                      .values(**_CURRENT))
        task = Current(**rows[0]) if rows else None
        if task is None or task.order_status != OrderStatus.CANCELLED:
            return task
        await PickTask.filter(id=task.id).update(state=TaskState.CANCELLED)
        if task.picked:
            notices.append(phrase("pick.cancelled", order=task.order, picked=task.picked, sku=task.sku,
                                  tote=task.tote, location=task.location))


def _is_product(payload: Payload, task: Current) -> bool:
    if payload.kind == Kind.BARCODE:
        return payload.value == task.barcode
    return payload.kind in (Kind.PRODUCT, Kind.TEXT) and payload.value == task.sku


@dataclass
class OpenList:
    id: int
    number: str
    status: str
    picker: str | None
    left: int  # pending tasks
    stops: int  # bins still to visit


# The list, its pending count and its current task with what a person reads about it, in one statement.
_STEP_SQL = """
SELECT pl."id" AS "list_id", pl."status" AS "list_status", pl."picker" AS "picker",
       (SELECT COUNT(*) FROM "pick_task" p WHERE p."pick_list_id" = pl."id" AND p."state" = 'pending') AS "left_count",
       (SELECT COUNT(DISTINCT p."location_id") FROM "pick_task" p
        WHERE p."pick_list_id" = pl."id" AND p."state" = 'pending') AS "stops_count",
       t."id", t."seq", t."tote", t."qty", t."picked", t."state", t."at_location", o."number" AS "order",
       o."status" AS "order_status", pr."sku", pr."name", pr."name_zh", pr."barcode", l."code" AS "location"
FROM "pick_list" pl
LEFT JOIN "pick_task" t ON t."id" = (SELECT c."id" FROM "pick_task" c WHERE c."pick_list_id" = pl."id"
                                     AND c."state" = 'pending' ORDER BY c."seq" LIMIT 1)
LEFT JOIN "sales_order" o ON o."id" = t."order_id"
LEFT JOIN "product" pr ON pr."id" = t."product_id"
LEFT JOIN "location" l ON l."id" = t."location_id"
WHERE pl."number" = ?
"""


async def _read_step(number: str, notices: list[Phrase]) -> tuple[OpenList, Current | None]:
    rows = await fetch(_STEP_SQL, number)
    if not rows:
        raise NotFound(what="pick list", key=number)
    row = rows[0]
    if row["list_status"] != PickListStatus.OPEN:
        raise InvalidTransition(document=number, current=row["list_status"], action="picked from",
                                kind="pick_list")
    pick_list = OpenList(row["list_id"], number, row["list_status"], row["picker"], row["left_count"],
                         row["stops_count"])
    if row["id"] is None:
        return pick_list, None
    task = Current(**{name: row[name] for name in _CURRENT})
    task.at_location = bool(task.at_location)
    if task.order_status == OrderStatus.CANCELLED:  # rare: close such tasks the slow way
        task = await _current_task(pick_list.id, notices)
    return pick_list, task


@in_callers_transaction
async def pick_scan(number: str, payload: Payload, qty: int, staff: Staff) -> dict[str, Any]:
    """Apply one scan to a pick list: confirm the bin, then take the product. Refusals change nothing.

    This is the floor's hot path, a few statements per scan; the answer is the next step, not the list."""
    notices: list[Phrase] = []
    pick_list, task = await _read_step(number, notices)
    left = pick_list.left
    if task is None:
        return await _finish(pick_list, staff, notices)
    if pick_list.picker is None:
        await PickList.filter(id=pick_list.id).update(picker=staff.username)
    is_here = payload.kind in (Kind.LOCATION, Kind.TEXT) and payload.value == task.location
    if not task.at_location:
        if not is_here:
            raise WrongScan(got=str(payload), expected=phrase("expect.location", code=task.location))
        await PickTask.filter(id=task.id).update(at_location=True)
        task.at_location = True
        return _step(pick_list, task, left, notices)
    if is_here:
        return _step(pick_list, task, left, notices)  # the bin scanned twice: harmless
    if not _is_product(payload, task):
        raise WrongScan(got=str(payload), expected=phrase("expect.product", sku=task.sku,
                                                          name=named(task.name, task.name_zh), location=task.location))
    remaining = task.qty - task.picked
    if not 1 <= qty <= remaining:
        raise WrongScan(got=f"{qty} × {task.sku}", expected=phrase("expect.qty", left=remaining, sku=task.sku))
    state = TaskState.DONE if qty == remaining else TaskState.PENDING
    # guarded on the count we read: two devices on one list cannot both take the last unit
    if not await PickTask.filter(id=task.id, picked=task.picked, state=TaskState.PENDING).update(
            picked=task.picked + qty, state=state):
        raise Conflict(detail=phrase("refuse.task_changed"))
    task.picked += qty
    if state == TaskState.PENDING:
        return _step(pick_list, task, left, notices)
    following = await _current_task(pick_list.id, notices)
    if following is None:
        return await _finish(pick_list, staff, notices)
    if following.location != task.location:  # a task done may leave its bin: count the bins again
        pick_list.stops = await _stops_left(pick_list.id)
    return _step(pick_list, following, left - 1, notices)


async def _stops_left(pick_list_id: int) -> int:
    return len(set(await PickTask.filter(pick_list_id=pick_list_id, state=TaskState.PENDING).values_list(
        "location_id", flat=True)))


def _prompt(current: dict[str, Any] | None) -> tuple[str, Phrase]:
    """The next step and what to tell the picker, said in their language when the answer is read."""
    if current is None:
        return "done", phrase("pick.done")
    if not current["at_location"]:
        return "location", phrase("pick.go_to", location=current["location"])
    return "product", phrase("pick.take", left=current["qty"] - current["picked"], sku=current["sku"],
                             name=named(current["name"], current["name_zh"]), tote=current["tote"])


def _step(pick_list: OpenList, current: Current, left: int, notices: list[Phrase]) -> dict[str, Any]:
    """The answer to a scan: where the picker stands now and what comes next."""
    view = current.view()
    step, prompt = _prompt(view)
    return {"number": pick_list.number, "status": pick_list.status, "step": step, "prompt": prompt,
            "current": view, "tasks_left": left, "stops_left": pick_list.stops, "notices": notices}


async def _finish(pick_list: OpenList | PickList, staff: Staff, notices: list[Phrase]) -> dict[str, Any]:
    if await PickList.filter(id=pick_list.id, status=PickListStatus.OPEN).update(
            status=PickListStatus.DONE, finished_at=datetime.now(UTC)):
        await emit("pick_list.done", {"pick_list": pick_list.number, "picker": staff.username})
    return await pick_progress(await PickList.get(id=pick_list.id), notices)


@in_callers_transaction
async def report_short(number: str, staff: Staff, settings: Settings, in_bin: int | None = None) -> dict[str, Any]:
    """The bin of the current task has less than asked: the picker's word becomes the bin's truth.

    `in_bin` is what the picker still sees on the shelf (none: the bin is empty of the product). What was
    picked stays reserved for the order; the bin keeps on the ledger what lies in totes from it plus `in_bin`,
    the rest is written off to inventory loss, and the bin is flagged for a count. Every unit that no longer
    fits in the bin, this task's first, is reserved in the warehouse's other bins (as tasks on the list it is
    picked on) or backordered; nobody is sent back to this bin for it."""
    pick_list = await pick_list_by_number(number)
    if pick_list.status != PickListStatus.OPEN:
        raise InvalidTransition(document=number, current=pick_list.status, action="picked from",
                                kind="pick_list")
    notices: list[Phrase] = []
    current = await _current_task(pick_list.id, notices)
    if current is None:
        return await _finish(pick_list, staff, notices)
    if not current.at_location:
        raise WrongScan(got=phrase("got.short_pick"), expected=phrase("expect.location_first", code=current.location))
    missing, left = current.qty - current.picked, in_bin or 0
    if left >= missing:
        raise WrongScan(got=phrase("got.short_with_stock", left=left, sku=current.sku, location=current.location),
                        expected=phrase("expect.take", missing=missing, sku=current.sku, location=current.location))
    task = await PickTask.filter(id=current.id).select_related("order", "product", "location").first()
    assert task is not None
    level = await StockLevel.get(product_id=task.product.id, location_id=task.location.id).select_related("location")
    bumped = await _settle_bin(level, task, left, pick_list.number, staff)
    warehouse = await Warehouse.get(id=level.warehouse_id)  # type: ignore[attr-defined]
    await emit("stock.short_pick", {"pick_list": pick_list.number, "location": task.location.code,
                                    "warehouse": warehouse.label, "sku": task.product.sku, "missing": missing,
                                    "in_bin": left, "by": staff.username})
    for reservation, short in bumped:
        await _cover(reservation, short, level, pick_list, staff, settings, notices)
    await check_low_stock({(task.product.id, level.warehouse_id)}, settings.tz)
    if await _current_task(pick_list.id, notices) is None:
        return await _finish(pick_list, staff, notices)
    return await pick_progress(pick_list, notices)


async def _settle_bin(level: StockLevel, task: PickTask, left: int, document: str,
                      staff: Staff) -> list[tuple[Reservation, int]]:
    """Make the bin's level what the picker found: units in totes from it plus `left` on the shelf.

    The shelf's units go to the other reservations of the bin, oldest first (never to `task`, just reported
    short here); each reservation keeps what it picked and what it got, and the rest of it is returned, with
    the units it lacks now, `task`'s first. Runs inside the caller's transaction."""
    reservations = await Reservation.filter(level_id=level.id, state=ReservationState.ACTIVE).order_by("id")
    in_totes: dict[int, int] = {}
    for reservation_id, picked in await PickTask.filter(
            reservation_id__in=[r.id for r in reservations], state__in=LIVE_TASKS).values_list("reservation_id",
                                                                                              "picked"):
        in_totes[reservation_id] = in_totes.get(reservation_id, 0) + picked
    shelf, bumped = left, []
    for reservation in sorted(reservations, key=lambda r: (r.id != task.reservation_id, r.id)):  # type: ignore[attr-defined]
        taken = in_totes.get(reservation.id, 0)
        keep = 0 if reservation.id == task.reservation_id else min(reservation.qty - taken, shelf)  # type: ignore[attr-defined]
        shelf -= keep
        if reservation.qty > taken + keep:
            bumped.append((reservation, reservation.qty - taken - keep))
            await shrink_reservation(reservation, taken + keep)
    gone = level.on_hand - left - sum(in_totes.values())
    if gone > 0:
        loss = await virtual_location(level.warehouse_id, LocationKind.LOSS)
        await move_stock(task.product, task.location, loss, gone, MoveReason.SHORT_PICK, document=document,
                         actor=staff.actor)
    await StockLevel.filter(id=level.id, count_due_since__isnull=True).update(count_due_since=datetime.now(UTC))
    return bumped


async def _free_elsewhere(level: StockLevel) -> FreeStock:
    """What is free of the level's product, leaving out the level itself (its bin was just found short)."""
    free = await free_stock([level.product_id])  # type: ignore[attr-defined]
    return FreeStock({key: [c for c in found if c[0] != level.id] for key, found in free.levels.items()})


async def _cover(reservation: Reservation, short: int, level: StockLevel, pick_list: PickList, staff: Staff,
                 settings: Settings, notices: list[Phrase]) -> None:
    """Units of `reservation` that its short bin no longer holds: taken from the warehouse's other bins, on the
    same pick list and tote when it is being picked; what nobody has is backordered."""
    if reservation.transfer_line_id is not None:  # type: ignore[attr-defined]
        await _cover_transfer(reservation, short, level, settings)
        return
    line = await OrderLine.get(id=reservation.order_line_id).select_related("order", "product")  # type: ignore[attr-defined]
    task = await PickTask.filter(reservation_id=reservation.id, state=TaskState.PENDING).select_related(
        "pick_list", "location").first()
    if task is not None:  # the task at the short bin asks only for what the bin still holds for it
        done = reservation.qty <= task.picked or reservation.state != ReservationState.ACTIVE
        await PickTask.filter(id=task.id).update(
            state=TaskState.SHORT if done else TaskState.PENDING, qty=task.qty if done else reservation.qty,
            reservation_id=reservation.id if reservation.state == ReservationState.ACTIVE else None)
    ours = task is not None and task.pick_list_id == pick_list.id  # type: ignore[attr-defined]
    got = await reserve_in_warehouse(line.product.id, level.warehouse_id, short, order_line_id=line.id,
                                     free=await _free_elsewhere(level))
    if got and task is not None:
        extra = await _unpicked([line.id])
        last = await PickTask.filter(pick_list_id=task.pick_list.id).order_by("-seq").first()
        await PickTask.bulk_create([
            PickTask(pick_list_id=task.pick_list.id, seq=last.seq + i + 1, order_id=line.order.id,  # type: ignore[union-attr]
                     order_line_id=line.id, reservation_id=r.id, product_id=r.product_id,
                     location_id=r.level.location.id, tote=task.tote, qty=r.qty)
            for i, r in enumerate(extra)
        ])
        if ours:
            notices.append(phrase("pick.more_from", qty=got, sku=line.product.sku,
                                  locations=listed([r.level.location.code for r in extra])))
    if short > got:
        rest = short - got
        await OrderLine.filter(id=line.id).update(qty_reserved=F("qty_reserved") - rest,
                                                  qty_backordered=F("qty_backordered") + rest)
        await request_for_backorder(line.product, level.warehouse_id, rest, line.order.number, settings.tz)
        if line.order.status != OrderStatus.BACKORDERED:
            await transition(line.order, OrderStatus.BACKORDERED, staff.actor,
                             phrase("history.short_pick", location=level.location.code, sku=line.product.sku,
                                    missing=rest))
        if ours:
            notices.append(phrase("pick.waits", order=line.order.number, qty=rest, sku=line.product.sku,
                                  tote=task.tote))  # type: ignore[union-attr]


async def _cover_transfer(reservation: Reservation, short: int, level: StockLevel, settings: Settings) -> None:
    """A transfer not yet gone loses units in the short bin: other bins give them, or the transfer carries
    less and the order it was raised for waits for a purchase instead."""
    line = await TransferLine.get(id=reservation.transfer_line_id).select_related("product")  # type: ignore[attr-defined]
    got = await reserve_in_warehouse(line.product.id, level.warehouse_id, short, transfer_line_id=line.id,
                                     free=await _free_elsewhere(level))
    rest = short - got
    if not rest:
        return
    await TransferLine.filter(id=line.id).update(qty=F("qty") - rest)
    if line.order_line_id is None:
        return
    await OrderLine.filter(id=line.order_line_id).update(qty_transfer=F("qty_transfer") - rest,
                                                         qty_backordered=F("qty_backordered") + rest)
    order = await Order.get(lines__id=line.order_line_id)
    await request_for_backorder(line.product, order.warehouse_id, rest, order.number, settings.tz)  # type: ignore[attr-defined]


async def pick_progress(pick_list: PickList, notices: list[Phrase] | None = None) -> dict[str, Any]:
    """The whole list with the next step: what the PWA shows when a list is opened."""
    view = await pick_list_view(pick_list)
    current = next((t for t in view["tasks"] if t["state"] == TaskState.PENDING), None)
    step, prompt = _prompt(current)
    pending = [t for t in view["tasks"] if t["state"] == TaskState.PENDING]
    return {**view, "step": step, "prompt": prompt, "current": current, "tasks_left": len(pending),
            "stops_left": len({t["location"] for t in pending}), "notices": notices or []}


async def pick_list_view(pick_list: PickList) -> dict[str, Any]:
    tasks = await (PickTask.filter(pick_list_id=pick_list.id).order_by("seq")
                   .prefetch_related("order", "product", "location"))
    await pick_list.fetch_related("warehouse")
    return {
        "number": pick_list.number,
        "warehouse": pick_list.warehouse.code,
        "status": pick_list.status,
        "picker": pick_list.picker,
        "route_m": pick_list.route_m,
        "orders": list(dict.fromkeys(t.order.number for t in tasks)),
        "tasks": [Current.of(t).view() for t in tasks],
        "created_at": pick_list.created_at.isoformat(),
    }


async def picked_quantities(order_id: int) -> dict[int, int]:
    """Units picked into the order's tote so far, per product, over all its pick lists."""
    picked: dict[int, int] = {}
    for product_id, qty in await PickTask.filter(order_id=order_id, state__in=(TaskState.DONE, TaskState.SHORT),
                                                 ).values_list("product_id", "picked"):
        picked[product_id] = picked.get(product_id, 0) + qty
    return picked
