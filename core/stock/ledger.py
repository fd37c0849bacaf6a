"""The stock ledger: every change is an append-only move; levels and reservations follow it exactly.

Invariants (checked by `check_ledger`, and so by `run.py check`):
  * a level's on_hand equals the sum of the moves into its location minus the moves out;
  * a level's reserved equals the sum of its active reservations;
  * 0 <= reserved <= on_hand.
Every function here expects to run inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.db import execute, fetch, in_callers_transaction, insert, lock_rows, marks
from core.base.errors import InvalidInput, OutOfStock
from core.base.i18n import DEFAULT_LANGUAGE, Phrase, phrase, text
from core.stock.catalog import Product
from core.stock.warehouses import STORAGE_KINDS, VIRTUAL_KINDS, Location

MAX_ON_HAND = 1_000_000_000  # per product and place; the int column holds 2,147,483,647


class MoveReason(StrEnum):
    RECEIPT = "receipt"
    ADJUSTMENT = "adjustment"
    IMPORT = "import"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    RELOCATION = "relocation"
    SHIPMENT = "shipment"
    RETURN = "return"
    SHORT_PICK = "short_pick"


class ReservationState(StrEnum):
    ACTIVE = "active"
    CONSUMED = "consumed"
    RELEASED = "released"


class StockLevel(Model):
    id = fields.IntField(primary_key=True)
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "fahuo.Product", related_name="levels", on_delete=fields.RESTRICT
    )
    location: fields.ForeignKeyRelation[Location] = fields.ForeignKeyField(
        "fahuo.Location", related_name="levels", on_delete=fields.RESTRICT
    )
    # copied from the location so that "what does warehouse W have of product P" is one indexed query
    warehouse_id = fields.IntField(db_index=True)
    on_hand = fields.IntField(default=0)
    reserved = fields.IntField(default=0)
    # set when a picker found less than the ledger said (a short pick); a count of the bin clears it
    count_due_since = fields.DatetimeField(null=True)

    class Meta:
        table = "stock_level"
        unique_together = (("product", "location"),)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockMove(Model):
    id = fields.BigIntField(primary_key=True)
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "fahuo.Product", related_name="moves", on_delete=fields.RESTRICT
    )
    from_location: fields.ForeignKeyRelation[Location] = fields.ForeignKeyField(
        "fahuo.Location", related_name="moves_out", on_delete=fields.RESTRICT
    )
    to_location: fields.ForeignKeyRelation[Location] = fields.ForeignKeyField(
        "fahuo.Location", related_name="moves_in", on_delete=fields.RESTRICT
    )
    qty = fields.IntField()
    reason = fields.CharEnumField(MoveReason, max_length=16)
    document = fields.CharField(max_length=64, default="", db_index=True)
    actor = fields.CharField(max_length=100, default="system")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "stock_move"
        indexes = (("product_id",),)


class Reservation(Model):
    id = fields.IntField(primary_key=True)
    level: fields.ForeignKeyRelation[StockLevel] = fields.ForeignKeyField(
        "fahuo.StockLevel", related_name="reservations", on_delete=fields.RESTRICT
    )
    product_id = fields.IntField()
    order_line = fields.ForeignKeyField(
        "fahuo.OrderLine", related_name="reservations", null=True, on_delete=fields.RESTRICT
    )
    transfer_line = fields.ForeignKeyField(
        "fahuo.TransferLine", related_name="reservations", null=True, on_delete=fields.RESTRICT
    )
    qty = fields.IntField()
    state = fields.CharEnumField(ReservationState, max_length=16, default=ReservationState.ACTIVE)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reservation"
        indexes = (("level_id", "state"), ("order_line_id",), ("transfer_line_id",))


# -- moves ----------------------------------------------------------------------------------------------


async def _add_on_hand(product_id: int, location: Location, qty: int) -> None:
    # guarded: what a place holds stays within its column (32-bit on PostgreSQL), or the move is refused
    level = StockLevel.filter(product_id=product_id, location_id=location.id)
    if qty <= MAX_ON_HAND and await level.filter(on_hand__lte=MAX_ON_HAND - qty).update(on_hand=F("on_hand") + qty):
        return
    if qty > MAX_ON_HAND or await level.exists():
        raise InvalidInput(detail=phrase("refuse.bin_full", location=location.code, most=f"{MAX_ON_HAND:,}"))
    try:
        async with in_transaction():  # savepoint: losing the creation race must not abort the caller
            await StockLevel.create(
                product_id=product_id, location_id=location.id, warehouse_id=location.warehouse_id, on_hand=qty
            )
    except IntegrityError:
        await _add_on_hand(product_id, location, qty)  # created meanwhile: now an update


async def _take_on_hand(product: Product, location: Location, qty: int, *, reserved: bool) -> None:
    """Take `qty` out of a location: from its reserved part (a consumption) or from what is free."""
    query = StockLevel.filter(product_id=product.id, location_id=location.id)
    if reserved:
        changed = await query.filter(reserved__gte=qty, on_hand__gte=qty).update(
            on_hand=F("on_hand") - qty, reserved=F("reserved") - qty
        )
    else:
        changed = await query.filter(on_hand__gte=F("reserved") + qty).update(on_hand=F("on_hand") - qty)
    if not changed:
        level = await StockLevel.get_or_none(product_id=product.id, location_id=location.id)
        have = 0 if level is None else (level.reserved if reserved else level.available)
        raise OutOfStock(sku=product.sku, location=location.code, available=have, wanted=qty)


@in_callers_transaction
async def move_stock(
    product: Product,
    source: Location,
    target: Location,
    qty: int,
    reason: MoveReason,
    *,
    document: str = "",
    actor: str = "system",
    from_reserved: bool = False,
) -> StockMove:
    """Move goods and record it. Refuses (OutOfStock) rather than let a level go below what is promised."""
    if qty <= 0:
        raise InvalidInput(detail=phrase("refuse.positive_qty"))
    if source.id == target.id:
        raise InvalidInput(detail=phrase("refuse.same_location"))
    if source.kind not in VIRTUAL_KINDS:
        await _take_on_hand(product, source, qty, reserved=from_reserved)
    if target.kind not in VIRTUAL_KINDS:
        await _add_on_hand(product.id, target, qty)
    return await StockMove.create(
        product_id=product.id,
        from_location_id=source.id,
        to_location_id=target.id,
        qty=qty,
        reason=reason,
        document=document,
        actor=actor,
    )


@in_callers_transaction
async def lock_levels(product_ids: Collection[int]) -> None:
    """Lock every stock level of these products, in id order, before changing any: a transaction that reserves
    at home and then in another warehouse, or lands goods line by line, would otherwise take levels in another
    order than one going the other way, and the two would deadlock (PostgreSQL)."""
    await lock_rows(StockLevel, "product_id", sorted(set(product_ids)))


# -- reservations ---------------------------------------------------------------------------------------


async def try_reserve(level_id: int, qty: int) -> bool:
    """One guarded update: the reservation happens whole or not at all, and never beyond what is on hand."""
    changed = await execute(
        'UPDATE "stock_level" SET "reserved"="reserved"+? WHERE "id"=? AND "on_hand">="reserved"+?', qty, level_id, qty
    )
    return changed == 1


@in_callers_transaction
async def reserve_in_warehouse(
    product_id: int, warehouse_id: int, qty: int, *, order_line_id: int | None = None,
    transfer_line_id: int | None = None, free: FreeStock | None = None,
) -> int:
    """Reserve up to `qty` from the warehouse's storage places, fullest first; returns how many were reserved.

    Levels are read (or taken from `free`, read just before), then reserved by guarded updates; when another
    order got there first the guard fails and that level is re-read, so the figure read is only ever a hint.
    """
    if free is None:
        free = await free_stock([product_id])
    taken = 0
    for level_id, available in free.levels.get((product_id, warehouse_id), ()):
        want = min(qty - taken, available)
        while want > 0 and not await try_reserve(level_id, want):
            fresh = await StockLevel.get(id=level_id)
            want = min(qty - taken, fresh.available)
        if want > 0:
            await insert(Reservation, level_id=level_id, product_id=product_id, qty=want,
                         order_line_id=order_line_id, transfer_line_id=transfer_line_id)
            taken += want
        if taken == qty:
            break
    return taken


@in_callers_transaction
async def release_reservation(reservation: Reservation) -> None:
    if reservation.state != ReservationState.ACTIVE:
        return
    changed = await Reservation.filter(id=reservation.id, state=ReservationState.ACTIVE).update(
        state=ReservationState.RELEASED
    )
    if changed:
        await StockLevel.filter(id=reservation.level_id).update(reserved=F("reserved") - reservation.qty)
    reservation.state = ReservationState.RELEASED


@in_callers_transaction
async def shrink_reservation(reservation: Reservation, qty: int) -> None:
    """Keep only `qty` units of an active reservation (none: it is released); the level follows."""
    if qty <= 0:
        await release_reservation(reservation)
        return
    if qty >= reservation.qty or reservation.state != ReservationState.ACTIVE:
        return
    if await Reservation.filter(id=reservation.id, state=ReservationState.ACTIVE).update(qty=qty):
        await StockLevel.filter(id=reservation.level_id).update(  # type: ignore[attr-defined]
            reserved=F("reserved") - (reservation.qty - qty))
    reservation.qty = qty


@in_callers_transaction
async def consume_reservation(
    reservation: Reservation, target: Location, reason: MoveReason, *, document: str, actor: str
) -> StockMove:
    """The reserved goods leave their bin: the reservation ends and the move is written, together."""
    changed = await Reservation.filter(id=reservation.id, state=ReservationState.ACTIVE).update(
        state=ReservationState.CONSUMED
    )
    if not changed:
        raise InvalidInput(detail=phrase("refuse.reservation_gone", reservation=reservation.id))
    level = await StockLevel.get(id=reservation.level_id).prefetch_related("location", "product")
    return await move_stock(
        level.product, level.location, target, reservation.qty, reason,
        document=document, actor=actor, from_reserved=True,
    )


# -- questions ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FreeStock:
    """Units free to reserve in storage places, read once. Only a hint: every reservation is guarded."""

    levels: dict[tuple[int, int], list[tuple[int, int]]]  # (product, warehouse) → [(level id, free)], fullest first

    def units(self, product_id: int, warehouse_id: int) -> int:
        return sum(free for _, free in self.levels.get((product_id, warehouse_id), ()))

    def total(self, product_id: int) -> int:
        return sum(self.units(p, w) for p, w in self.levels if p == product_id)


async def free_stock(product_ids: list[int]) -> FreeStock:
    if not product_ids:
        return FreeStock({})
    kinds = [kind.value for kind in STORAGE_KINDS]
    rows = await fetch(  # by hand: every order and every stock question asks this
        'SELECT l."id", l."product_id", l."warehouse_id", l."on_hand" - l."reserved" AS "free" '
        'FROM "stock_level" l JOIN "location" p ON p."id" = l."location_id" '
        f'WHERE l."product_id" IN ({marks(product_ids)}) '
        f'AND p."kind" IN ({marks(kinds)}) AND l."on_hand" > l."reserved" ORDER BY l."id"',
        *product_ids, *kinds,
    )
    levels: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for row in rows:
        levels.setdefault((row["product_id"], row["warehouse_id"]), []).append((row["id"], row["free"]))
    for candidates in levels.values():
        candidates.sort(key=lambda c: -c[1])
    return FreeStock(levels)


@dataclass(frozen=True)
class LedgerProblem:
    what: Phrase  # which level (or product and bin)
    detail: Phrase  # what does not add up

    @property
    def words(self) -> Phrase:
        """The problem, said in the reader's language when it is read (an alert, `run.py check`)."""
        return phrase("ledger.problem", what=self.what, detail=self.detail)

    def __str__(self) -> str:
        return text("ledger.problem", DEFAULT_LANGUAGE, what=self.what, detail=self.detail)


async def check_ledger() -> list[LedgerProblem]:
    """Compare every level with the moves and reservations behind it; an empty list means all is well."""
    problems: list[LedgerProblem] = []
    net: dict[tuple[int, int], int] = {}
    for row in await StockMove.all().values("product_id", "from_location_id", "to_location_id", "qty"):
        src = (row["product_id"], row["from_location_id"])
        dst = (row["product_id"], row["to_location_id"])
        net[src] = net.get(src, 0) - row["qty"]
        net[dst] = net.get(dst, 0) + row["qty"]
    held: dict[int, int] = {}
    active = Reservation.filter(state=ReservationState.ACTIVE).values("level_id", "qty")
    for row in await active:
        held[row["level_id"]] = held.get(row["level_id"], 0) + row["qty"]
    virtual = set(await Location.filter(kind__in=list(VIRTUAL_KINDS)).values_list("id", flat=True))
    seen: set[tuple[int, int]] = set()
    for level in await StockLevel.all().values("id", "product_id", "location_id", "on_hand", "reserved"):
        key = (level["product_id"], level["location_id"])
        seen.add(key)
        where = phrase("ledger.level", level=level["id"], product=key[0], location=key[1])
        if level["on_hand"] != net.get(key, 0):
            problems.append(LedgerProblem(where, phrase("ledger.on_hand_off", on_hand=level["on_hand"],
                                                        moves=net.get(key, 0))))
        if level["reserved"] != held.get(level["id"], 0):
            problems.append(LedgerProblem(where, phrase("ledger.reserved_off", reserved=level["reserved"],
                                                        held=held.get(level["id"], 0))))
        if not 0 <= level["reserved"] <= level["on_hand"]:
            problems.append(LedgerProblem(where, phrase("ledger.reserved_outside", reserved=level["reserved"],
                                                        on_hand=level["on_hand"])))
    for key, qty in net.items():
        if key not in seen and key[1] not in virtual and qty != 0:
            problems.append(LedgerProblem(phrase("ledger.place", product=key[0], location=key[1]),
                                          phrase("ledger.no_level", moves=qty)))
    return problems
