"""Replenishment: reorder rules per product and warehouse, low-stock alerts, purchase-order drafts."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from tortoise import fields
from tortoise.expressions import F
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.db import by_number, fetch, in_callers_transaction, marks
from core.base.errors import InvalidTransition
from core.base.events import emit
from core.base.i18n import Phrase, kept, phrase, unkept
from core.base.numbering import next_number
from core.stock.catalog import Product, Supplier
from core.stock.warehouses import STORAGE_KINDS, Warehouse, warehouse_label


class PoStatus(StrEnum):
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    PARTIAL = "partially_received"
    RECEIVED = "received"
    CANCELLED = "cancelled"


OPEN_PO = (PoStatus.DRAFT, PoStatus.CONFIRMED, PoStatus.PARTIAL)


class ReorderRule(Model):
    id = fields.IntField(primary_key=True)
    product = fields.ForeignKeyField("fahuo.Product", related_name="reorder_rules", on_delete=fields.CASCADE)
    warehouse = fields.ForeignKeyField("fahuo.Warehouse", related_name="reorder_rules", on_delete=fields.CASCADE)
    reorder_point = fields.IntField()
    reorder_qty = fields.IntField()

    class Meta:
        table = "reorder_rule"
        unique_together = (("product", "warehouse"),)


class PurchaseOrder(Model):
    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)
    supplier = fields.ForeignKeyField("fahuo.Supplier", related_name="purchase_orders", on_delete=fields.RESTRICT)
    warehouse = fields.ForeignKeyField("fahuo.Warehouse", related_name="purchase_orders", on_delete=fields.RESTRICT)
    status = fields.CharEnumField(PoStatus, max_length=24, default=PoStatus.DRAFT, db_index=True)
    created_by = fields.CharField(max_length=100, default="system")
    created_at = fields.DatetimeField(auto_now_add=True)
    confirmed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "purchase_order"


class PurchaseOrderLine(Model):
    id = fields.IntField(primary_key=True)
    purchase_order = fields.ForeignKeyField("fahuo.PurchaseOrder", related_name="lines", on_delete=fields.CASCADE)
    product = fields.ForeignKeyField("fahuo.Product", related_name="po_lines", on_delete=fields.RESTRICT)
    qty = fields.IntField()
    qty_received = fields.IntField(default=0)
    why = fields.CharField(max_length=200, default="")

    class Meta:
        table = "purchase_order_line"
        indexes = (("product_id",),)
        unique_together = (("purchase_order", "product"),)


async def on_order(product_id: int, warehouse_id: int) -> int:
    """Units ordered from suppliers for this warehouse and not yet received."""
    rows = await PurchaseOrderLine.filter(
        product_id=product_id,
        purchase_order__warehouse_id=warehouse_id,
        purchase_order__status__in=list(OPEN_PO),
    ).values("qty", "qty_received")
    return sum(r["qty"] - r["qty_received"] for r in rows)


@in_callers_transaction
async def add_to_draft(product: Product, warehouse_id: int, qty: int, why: Phrase, tz: ZoneInfo
                       ) -> PurchaseOrder | None:
    """Add `qty` to the open draft purchase order of the product's supplier for this warehouse; `why` is kept as a
    phrase, said to each reader in their language."""
    if product.supplier_id is None:  # type: ignore[attr-defined]
        return None
    supplier_id = product.supplier_id  # type: ignore[attr-defined]
    # Touching the supplier row makes concurrent drafters queue here (PostgreSQL) so one draft is made.
    await Supplier.filter(id=supplier_id).update(draft_lock=F("draft_lock") + 1)
    po = await PurchaseOrder.filter(supplier_id=supplier_id, warehouse_id=warehouse_id, status=PoStatus.DRAFT).first()
    if po is None:
        po = await PurchaseOrder.create(
            number=await next_number("PO", tz), supplier_id=supplier_id, warehouse_id=warehouse_id
        )
        supplier, warehouse = await Supplier.get(id=supplier_id), await Warehouse.get(id=warehouse_id)
        await emit("purchase_order.drafted", {"purchase_order": po.number, "supplier_id": supplier_id,
                                              "supplier": supplier.name, "warehouse_id": warehouse_id,
                                              "warehouse": warehouse.label})
    if not await PurchaseOrderLine.filter(purchase_order_id=po.id, product_id=product.id).update(
        qty=F("qty") + qty
    ):
        await PurchaseOrderLine.create(purchase_order=po, product=product, qty=qty, why=kept(why, 200))
    return po


@in_callers_transaction
async def check_low_stock(pairs: set[tuple[int, int]], tz: ZoneInfo) -> None:
    """For each (product, warehouse) under its reorder point: one alert a day and enough on a draft PO."""
    if not pairs:
        return
    product_ids = sorted({p for p, _ in pairs})
    kinds = sorted(kind.value for kind in STORAGE_KINDS)
    # asked after every allocation: the rules of these products with what is free under each, in one statement
    rules = await fetch(
        'SELECT r."product_id", r."warehouse_id", r."reorder_point", r."reorder_qty", w."code", w."name", '
        'w."name_zh", '
        '(SELECT COALESCE(SUM(l."on_hand" - l."reserved"), 0) FROM "stock_level" l '
        ' JOIN "location" p ON p."id" = l."location_id" WHERE l."product_id" = r."product_id" '
        f' AND l."warehouse_id" = r."warehouse_id" AND p."kind" IN ({marks(kinds)})) AS "available" '
        'FROM "reorder_rule" r JOIN "warehouse" w ON w."id" = r."warehouse_id" '
        f'WHERE r."product_id" IN ({marks(product_ids)}) ORDER BY r."id"',
        *kinds, *product_ids,
    )
    today = datetime.now(tz).strftime("%Y%m%d")
    for rule in rules:
        key = (rule["product_id"], rule["warehouse_id"])
        available = int(rule["available"])
        if key not in pairs or available >= rule["reorder_point"]:
            continue
        product = await Product.get(id=key[0])
        coming = await on_order(*key)
        await emit(
            "stock.low",
            {"sku": product.sku, "warehouse_id": key[1],
             "warehouse": warehouse_label(rule["code"], rule["name"], rule["name_zh"]), "available": available,
             "reorder_point": rule["reorder_point"], "on_order": coming},
            dedupe_key=f"stock.low:{key[0]}:{key[1]}:{today}",
        )
        if available + coming < rule["reorder_point"]:
            need = max(rule["reorder_qty"], rule["reorder_point"] - available - coming)
            await add_to_draft(product, key[1], need, phrase("po.why.reorder_point"), tz)


async def po_by_number(number: str) -> PurchaseOrder:
    return await by_number(PurchaseOrder, number, "purchase order")


async def confirm_po(number: str) -> PurchaseOrder:
    """Send a draft to the supplier: its status and its outbox event commit together."""
    async with in_transaction():
        po = await po_by_number(number)
        if not await PurchaseOrder.filter(id=po.id, status=PoStatus.DRAFT).update(
            status=PoStatus.CONFIRMED, confirmed_at=datetime.now(UTC)
        ):
            raise InvalidTransition(document=po.number, current=po.status, action="confirmed", kind="purchase_order")
        po.status = PoStatus.CONFIRMED
        await emit("purchase_order.confirmed", {"purchase_order": po.number})
    return po


async def cancel_po(number: str) -> PurchaseOrder:
    async with in_transaction():
        po = await po_by_number(number)
        if not await PurchaseOrder.filter(id=po.id, status__in=[PoStatus.DRAFT, PoStatus.CONFIRMED]).update(
            status=PoStatus.CANCELLED
        ):
            raise InvalidTransition(document=po.number, current=po.status, action="cancelled", kind="purchase_order")
        po.status = PoStatus.CANCELLED
    return po


async def po_view(po: PurchaseOrder) -> dict[str, Any]:
    await po.fetch_related("supplier", "warehouse")
    lines = await PurchaseOrderLine.filter(purchase_order_id=po.id).prefetch_related("product").order_by("id")
    return {
        "number": po.number,
        "status": po.status,
        "supplier": po.supplier.code,
        "warehouse": po.warehouse.code,
        "lines": [{"sku": ln.product.sku, "name": ln.product.name, "name_zh": ln.product.name_zh or ln.product.name,
                   "qty": ln.qty, "received": ln.qty_received, "why": unkept(ln.why)}
                  for ln in lines],
        "created_at": po.created_at.isoformat(),
    }


async def list_purchase_orders(status: PoStatus | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Purchase orders newest first, in a status if one is given, as `po_view` shows them."""
    found = PurchaseOrder.all().order_by("-id")
    if status:
        found = found.filter(status=status)
    return [await po_view(po) for po in await found.limit(limit)]


async def sweep_low_stock(tz: ZoneInfo) -> None:
    """Every product × warehouse with a reorder rule, checked at once (the scheduled sweep).

    Safe to repeat: alerts are one per product, warehouse and day, and drafts count as stock on order."""
    pairs = set(await ReorderRule.all().values_list("product_id", "warehouse_id"))
    async with in_transaction():
        await check_low_stock(pairs, tz)  # type: ignore[arg-type]
