"""What people do with stock: receive it, count and adjust it, move it between warehouses, look it up.

Every operation is one transaction; arriving goods go first to orders that wait for them.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from core.base.db import fits, retry_on_conflict
from core.base.errors import InvalidInput, InvalidTransition
from core.base.fields import LocationCode, Qty, Sku, WarehouseCode
from core.base.i18n import phrase
from core.base.numbering import next_number
from core.base.settings import Settings
from core.stock.catalog import Product, product_by_sku, products_by_sku
from core.stock.ledger import MoveReason, StockLevel, free_stock, lock_levels, move_stock
from core.stock.replenishment import PoStatus, PurchaseOrderLine, check_low_stock, po_by_number
from core.stock.transfers import (
    TransferOrder,
    add_transfer_line,
    announce_transfer,
    land_transfer,
    open_transfer,
    ship_transfer,
    transfer_by_number,
)
from core.stock.waiting import waiting_orders
from core.stock.warehouses import (
    Location,
    LocationKind,
    Warehouse,
    location_by_code,
    virtual_location,
    warehouse_by_code,
)


class QtyLine(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: Sku
    qty: Qty
    location: LocationCode | None = None  # put-away bin; defaults to where the product already lies


class ReceiptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    warehouse: WarehouseCode
    lines: list[QtyLine] = Field(min_length=1, max_length=500)
    reference: Annotated[str, StringConstraints(max_length=64)] = ""


class PoReceiptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lines: list[QtyLine] = Field(min_length=1, max_length=500)


class AdjustmentIn(BaseModel):
    """Either a signed change (`delta`) or the quantity counted on the shelf (`counted`)."""

    model_config = ConfigDict(extra="forbid")
    warehouse: WarehouseCode
    location: LocationCode
    sku: Sku
    delta: int | None = Field(default=None, ge=-1_000_000, le=1_000_000, strict=True)
    counted: int | None = Field(default=None, ge=0, le=1_000_000, strict=True)
    # kept as the ledger move's document, a 64-character column
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=64)]


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    from_warehouse: WarehouseCode
    to_warehouse: WarehouseCode
    lines: list[QtyLine] = Field(min_length=1, max_length=500)


async def put_away_location(warehouse: Warehouse, product: Product, code: str | None) -> Location:
    """The named bin, else the bin holding most of the product, else the receiving area."""
    if code:
        location = await location_by_code(warehouse, code)
        if location.is_virtual or location.kind == LocationKind.TRANSIT:
            raise InvalidInput(detail=phrase("refuse.not_a_shelf", location=code))
        return location
    level = await (
        StockLevel.filter(product_id=product.id, warehouse_id=warehouse.id, location__kind=LocationKind.BIN)
        .order_by("-on_hand").prefetch_related("location").first()
    )
    if level is not None:
        return level.location
    return await location_by_code(warehouse, "RCV")


async def _land(warehouse: Warehouse, lines: list[QtyLine], document: str, actor: str,
                reason: MoveReason) -> list[tuple[Product, int]]:
    products = await products_by_sku([ln.sku for ln in lines])
    await lock_levels([p.id for p in products.values()])  # goods may come in any order: levels are locked in one
    supplier = await virtual_location(warehouse.id, LocationKind.SUPPLIER)
    landed = []
    for line in lines:
        product = products[line.sku]
        target = await put_away_location(warehouse, product, line.location)
        await move_stock(product, supplier, target, line.qty, reason, document=document, actor=actor)
        landed.append((product, line.qty))
    return landed


@retry_on_conflict
async def receive_stock(data: ReceiptIn, actor: str, settings: Settings) -> list[str]:
    """Goods arrive without a purchase order (returns to stock, found goods). Returns orders now ready."""
    async with in_transaction():
        warehouse = await warehouse_by_code(data.warehouse)
        landed = await _land(warehouse, data.lines, data.reference or "receipt", actor, MoveReason.RECEIPT)
        return await waiting_orders().fill(warehouse.id, {p.id for p, _ in landed}, actor)


@retry_on_conflict
async def receive_purchase_order(number: str, data: PoReceiptIn, actor: str, settings: Settings) -> list[str]:
    async with in_transaction():
        po = await po_by_number(number)
        if po.status not in (PoStatus.CONFIRMED, PoStatus.PARTIAL):
            raise InvalidTransition(document=po.number, current=po.status, action="received (confirm it first)",
                                kind="purchase_order")
        warehouse = await Warehouse.get(id=po.warehouse_id)  # type: ignore[attr-defined]
        po_lines = {pl.product.sku: pl for pl in
                    await PurchaseOrderLine.filter(purchase_order_id=po.id).prefetch_related("product")}
        for line in data.lines:
            po_line = po_lines.get(line.sku)
            if po_line is None:
                raise InvalidInput(detail=phrase("refuse.not_on_po", sku=line.sku, po=po.number))
            if line.qty > po_line.qty - po_line.qty_received:
                raise InvalidInput(detail=phrase("refuse.over_po", sku=line.sku, qty=line.qty, po=po.number,
                                                 outstanding=po_line.qty - po_line.qty_received))
            await PurchaseOrderLine.filter(id=po_line.id).update(qty_received=F("qty_received") + line.qty)
        landed = await _land(warehouse, data.lines, po.number, actor, MoveReason.RECEIPT)
        rows = await PurchaseOrderLine.filter(purchase_order_id=po.id).values("qty", "qty_received")
        done = all(r["qty_received"] >= r["qty"] for r in rows)
        po.status = PoStatus.RECEIVED if done else PoStatus.PARTIAL
        await po.save(update_fields=["status"])
        return await waiting_orders().fill(warehouse.id, {p.id for p, _ in landed}, actor)


@retry_on_conflict
async def adjust_stock(data: AdjustmentIn, actor: str, settings: Settings) -> int:
    """Correct a bin after a count or damage; the difference goes to or comes from inventory loss.

    Returns the signed change applied. A decrease may not eat into units promised to orders."""
    if (data.delta is None) == (data.counted is None):
        raise InvalidInput(detail=phrase("refuse.delta_or_counted"))
    async with in_transaction():
        warehouse = await warehouse_by_code(data.warehouse)
        location = await location_by_code(warehouse, data.location)
        if location.is_virtual or location.kind == LocationKind.TRANSIT:
            raise InvalidInput(detail=phrase("refuse.not_countable", location=location.code))
        product = await product_by_sku(data.sku)
        level = await StockLevel.get_or_none(product_id=product.id, location_id=location.id)
        on_hand = level.on_hand if level else 0
        delta = data.delta if data.delta is not None else data.counted - on_hand  # type: ignore[operator]
        if data.counted is not None and level is not None:  # counted: the bin is known again
            await StockLevel.filter(id=level.id).update(count_due_since=None)
        if delta == 0:
            return 0
        loss = await virtual_location(warehouse.id, LocationKind.LOSS)
        source, target = (loss, location) if delta > 0 else (location, loss)
        await move_stock(product, source, target, abs(delta), MoveReason.ADJUSTMENT,
                         document=data.reason, actor=actor)
        if delta > 0:
            await waiting_orders().fill(warehouse.id, {product.id}, actor)
        else:
            await check_low_stock({(product.id, warehouse.id)}, settings.tz)
        return delta


@retry_on_conflict
async def create_transfer(data: TransferIn, actor: str, settings: Settings) -> TransferOrder:
    async with in_transaction():
        source = await warehouse_by_code(data.from_warehouse)
        target = await warehouse_by_code(data.to_warehouse)
        products = await products_by_sku([ln.sku for ln in data.lines])
        transfer = await open_transfer(source, target, await next_number("TR", settings.tz), actor)
        for line in sorted(data.lines, key=lambda ln: products[ln.sku].id):
            await add_transfer_line(transfer, products[line.sku], line.qty)
        await announce_transfer(transfer)
        await check_low_stock({(p.id, source.id) for p in products.values()}, settings.tz)
    return transfer


@retry_on_conflict
async def dispatch_transfer(number: str, actor: str) -> TransferOrder:
    async with in_transaction():
        transfer = await transfer_by_number(number)
        await ship_transfer(transfer, actor)
    return transfer


@retry_on_conflict
async def receive_transfer(number: str, location: str | None, actor: str, settings: Settings) -> list[str]:
    """Goods of a transfer arrive; those raised for an order are reserved for it at once."""
    async with in_transaction():
        transfer = await transfer_by_number(number)
        target = await Warehouse.get(id=transfer.target_id)  # type: ignore[attr-defined]
        place = await location_by_code(target, location or "RCV")
        lines = await land_transfer(transfer, place, actor)
        ready = await waiting_orders().take_transferred(
            [(ln.order_line_id, ln.qty) for ln in lines if ln.order_line_id], target.id, actor
        )
        ready += await waiting_orders().fill(target.id, {ln.product_id for ln in lines}, actor)  # type: ignore[attr-defined]
        return ready


async def stock_report(sku: str | None, warehouse: str | None) -> list[dict[str, Any]]:
    """On hand, reserved and available per location, for the product and/or warehouse asked; bins found short
    (count_due: since when) are listed until counted, even when empty."""
    query = StockLevel.filter(Q(on_hand__gt=0) | Q(count_due_since__not_isnull=True))
    if sku:
        query = query.filter(product_id=(await product_by_sku(sku)).id)
    if warehouse:
        query = query.filter(warehouse_id=(await warehouse_by_code(warehouse)).id)
    levels = await query.prefetch_related("product", "location__warehouse").order_by("product_id", "location_id")
    return [
        {"sku": lv.product.sku, "name": lv.product.name, "warehouse": lv.location.warehouse.code,
         "location": lv.location.code, "kind": lv.location.kind, "on_hand": lv.on_hand, "reserved": lv.reserved,
         "available": lv.available,
         "count_due": lv.count_due_since.isoformat() if lv.count_due_since else None}
        for lv in levels[:2000]
    ]



async def availability(query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Products on sale whose SKU, barcode or name holds the text, with the units free now in each warehouse:
    what staff offer a customer on the phone. A hint only: the order's reservation is what counts."""
    text = query.strip()
    found = Product.filter(active=True)
    if text:
        matches = Q(sku__icontains=text) | Q(name__icontains=text) | Q(name_zh__icontains=text)
        if fits(Product, "barcode", text):  # a longer text is no barcode (and the column could not hold it)
            matches |= Q(barcode=text)
        found = found.filter(matches)
    products = await found.order_by("sku").limit(limit)
    free = await free_stock([p.id for p in products])
    codes = dict(await Warehouse.all().order_by("id").values_list("id", "code"))
    return [{"sku": p.sku, "name": p.name, "name_zh": p.name_zh, "price": str(p.price),
             "available": free.total(p.id),
             "warehouses": {code: free.units(p.id, wid) for wid, code in codes.items() if free.units(p.id, wid)}}
            for p in products]
