"""Transfer orders: goods leave one warehouse into transit and arrive at another."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.expressions import Q
from tortoise.models import Model

from core.base.db import by_number, in_callers_transaction
from core.base.errors import InvalidInput, InvalidTransition, OutOfStock, set_to
from core.base.events import emit
from core.base.i18n import phrase
from core.stock.catalog import Product
from core.stock.ledger import (
    MoveReason,
    Reservation,
    ReservationState,
    consume_reservation,
    move_stock,
    release_reservation,
    reserve_in_warehouse,
)
from core.stock.warehouses import Location, LocationKind, Warehouse, virtual_location, warehouse_by_code


class TransferStatus(StrEnum):
    DRAFT = "draft"
    SHIPPED = "shipped"
    RECEIVED = "received"
    CANCELLED = "cancelled"


class TransferOrder(Model):
    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)
    source = fields.ForeignKeyField("fahuo.Warehouse", related_name="transfers_out", on_delete=fields.RESTRICT)
    target = fields.ForeignKeyField("fahuo.Warehouse", related_name="transfers_in", on_delete=fields.RESTRICT)
    status = fields.CharEnumField(TransferStatus, max_length=16, default=TransferStatus.DRAFT, db_index=True)
    order_id = fields.IntField(null=True, db_index=True)  # the sales order it was raised for, if any
    created_by = fields.CharField(max_length=100)
    created_at = fields.DatetimeField(auto_now_add=True)
    shipped_at = fields.DatetimeField(null=True)
    received_at = fields.DatetimeField(null=True)

    class Meta:
        table = "transfer_order"


class TransferLine(Model):
    id = fields.IntField(primary_key=True)
    transfer = fields.ForeignKeyField("fahuo.TransferOrder", related_name="lines", on_delete=fields.CASCADE)
    product = fields.ForeignKeyField("fahuo.Product", related_name="transfer_lines", on_delete=fields.RESTRICT)
    qty = fields.IntField()
    qty_received = fields.IntField(default=0)
    order_line_id = fields.IntField(null=True)

    class Meta:
        table = "transfer_line"
        indexes = (("transfer_id",),)


@in_callers_transaction
async def open_transfer(source: Warehouse, target: Warehouse, number: str, actor: str,
                        order_id: int | None = None) -> TransferOrder:
    if source.id == target.id:
        raise InvalidInput(detail=phrase("refuse.two_warehouses"))
    return await TransferOrder.create(
        number=number, source=source, target=target, order_id=order_id, created_by=actor
    )


@in_callers_transaction
async def add_transfer_line(transfer: TransferOrder, product: Product, qty: int, *, partial: bool = False,
                            order_line_id: int | None = None) -> int:
    """Reserve goods at the source for the transfer; all of `qty` unless `partial`. Returns units reserved."""
    line = await TransferLine.create(transfer=transfer, product=product, qty=qty, order_line_id=order_line_id)
    got = await reserve_in_warehouse(product.id, transfer.source_id, qty, transfer_line_id=line.id)  # type: ignore[attr-defined]
    if got < qty and not partial:
        source = await Warehouse.get(id=transfer.source_id)  # type: ignore[attr-defined]
        raise OutOfStock(sku=product.sku, location=source.label, available=got, wanted=qty)
    if got != qty:
        await TransferLine.filter(id=line.id).update(qty=got)
    if got == 0:
        await line.delete()
    return got


async def transfer_by_number(number: str) -> TransferOrder:
    return await by_number(TransferOrder, number, "transfer")


async def _set_status(transfer: TransferOrder, want: TransferStatus, to: TransferStatus, **stamp: Any) -> None:
    if not await TransferOrder.filter(id=transfer.id, status=want).update(status=to, **stamp):
        raise InvalidTransition(document=transfer.number, current=transfer.status, action=set_to("transfer", to),
                                kind="transfer")
    transfer.status = to


@in_callers_transaction
async def ship_transfer(transfer: TransferOrder, actor: str) -> None:
    """The reserved goods leave the source bins into transit."""
    await _set_status(transfer, TransferStatus.DRAFT, TransferStatus.SHIPPED, shipped_at=datetime.now(UTC))
    transit = await virtual_location(transfer.source_id, LocationKind.TRANSIT)  # type: ignore[attr-defined]
    line_ids = await TransferLine.filter(transfer_id=transfer.id).values_list("id", flat=True)
    reservations = await Reservation.filter(transfer_line_id__in=line_ids, state=ReservationState.ACTIVE)
    for reservation in sorted(reservations, key=lambda r: r.level_id):  # type: ignore[attr-defined]
        await consume_reservation(reservation, transit, MoveReason.TRANSFER_OUT, document=transfer.number, actor=actor)
    await emit("transfer.shipped", {"transfer": transfer.number})


@in_callers_transaction
async def land_transfer(transfer: TransferOrder, target_location: Location, actor: str) -> list[TransferLine]:
    """Goods in transit arrive at `target_location` in the target warehouse; returns the lines landed."""
    if target_location.warehouse_id != transfer.target_id:  # type: ignore[attr-defined]
        raise InvalidInput(detail=phrase("refuse.not_target", location=target_location.code))
    await _set_status(transfer, TransferStatus.SHIPPED, TransferStatus.RECEIVED, received_at=datetime.now(UTC))
    transit = await virtual_location(transfer.source_id, LocationKind.TRANSIT)  # type: ignore[attr-defined]
    lines = await TransferLine.filter(transfer_id=transfer.id).prefetch_related("product").order_by("id")
    for line in [ln for ln in lines if ln.qty]:  # a line may have lost all its goods to a short pick
        await move_stock(line.product, transit, target_location, line.qty, MoveReason.TRANSFER_IN,
                         document=transfer.number, actor=actor)
        line.qty_received = line.qty
        await line.save(update_fields=["qty_received"])
    await emit("transfer.received", {"transfer": transfer.number})
    return lines


@in_callers_transaction
async def cancel_transfer(transfer: TransferOrder) -> None:
    await _set_status(transfer, TransferStatus.DRAFT, TransferStatus.CANCELLED)
    line_ids = await TransferLine.filter(transfer_id=transfer.id).values_list("id", flat=True)
    for reservation in await Reservation.filter(transfer_line_id__in=line_ids, state=ReservationState.ACTIVE):
        await release_reservation(reservation)


@in_callers_transaction
async def cancel_transfers_for_order(order_id: int) -> set[tuple[int, int]]:
    """Transfers raised for a cancelled order that have not left are cancelled; those on the road land as
    free stock at their target. Returns the (product, source warehouse) pairs given back."""
    freed: set[tuple[int, int]] = set()
    for transfer in await TransferOrder.filter(order_id=order_id, status=TransferStatus.DRAFT):
        await cancel_transfer(transfer)
        freed |= {(p, transfer.source_id) for p in await TransferLine.filter(  # type: ignore[attr-defined]
            transfer_id=transfer.id).values_list("product_id", flat=True)}
    on_the_road = await TransferOrder.filter(order_id=order_id, status=TransferStatus.SHIPPED).values_list(
        "id", flat=True
    )
    if on_the_road:
        await TransferLine.filter(transfer_id__in=on_the_road).update(order_line_id=None)
    return freed


@in_callers_transaction
async def announce_transfer(transfer: TransferOrder, order: str = "") -> None:
    """Tell the source warehouse that goods must leave it (`transfer.raised`): its managers hear of it. `order`
    is the sales order it was raised for, if any. Runs in the caller's transaction, once the lines are in."""
    await transfer.fetch_related("source", "target")
    lines = await TransferLine.filter(transfer_id=transfer.id).prefetch_related("product").order_by("id")
    await emit("transfer.raised", {
        "transfer": transfer.number, "source": transfer.source.label, "target": transfer.target.label,
        "warehouse_id": transfer.source.id,  # whose managers are told
        "items": ", ".join(f"{ln.product.sku}×{ln.qty}" for ln in lines), "units": sum(ln.qty for ln in lines),
        "order": order,
    })


async def transfer_view(transfer: TransferOrder) -> dict[str, Any]:
    await transfer.fetch_related("source", "target")
    lines = await TransferLine.filter(transfer_id=transfer.id).prefetch_related("product").order_by("id")
    return {
        "number": transfer.number,
        "status": transfer.status,
        "from": transfer.source.code,
        "to": transfer.target.code,
        "from_name": transfer.source.name,
        "to_name": transfer.target.name,
        "for_order": transfer.order_id is not None,
        "lines": [{"sku": ln.product.sku, "name": ln.product.name, "name_zh": ln.product.name_zh,
                   "barcode": ln.product.barcode, "qty": ln.qty, "received": ln.qty_received} for ln in lines],
        "units": sum(ln.qty for ln in lines),
        "created_by": transfer.created_by,
        "created_at": transfer.created_at.isoformat(),
        "shipped_at": transfer.shipped_at.isoformat() if transfer.shipped_at else None,
        "received_at": transfer.received_at.isoformat() if transfer.received_at else None,
    }


OPEN_TRANSFERS = (TransferStatus.DRAFT, TransferStatus.SHIPPED)


async def list_transfers(warehouse_code: str | None, status: TransferStatus | None, limit: int = 100
                         ) -> list[dict[str, Any]]:
    """Transfers touching a warehouse (leaving or arriving; every one when no code is given), newest first; open
    ones (to ship, on the road) unless a status is asked for."""
    found = TransferOrder.filter(status__in=[status] if status else OPEN_TRANSFERS)
    if warehouse_code is not None:
        warehouse = await warehouse_by_code(warehouse_code)
        found = found.filter(Q(source_id=warehouse.id) | Q(target_id=warehouse.id))
    return [await transfer_view(t) for t in await found.order_by("-id").limit(limit)]
