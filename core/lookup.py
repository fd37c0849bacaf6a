"""Look up anything a person can scan: what it is, where it is, how many, what state it is in.

Every answer has one shape, so one screen shows them all: a kind, a title, facts (label → value) and a table.
"""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q

from core.base.db import fits
from core.base.errors import NotFound
from core.floor.picking import PickList, PickTask, TaskState
from core.floor.qr import Kind, decode
from core.orders.order import Order, OrderLine
from core.shipping.fleet import Vehicle
from core.shipping.shipments import Package, Shipment
from core.stock.catalog import Product
from core.stock.ledger import StockLevel
from core.stock.replenishment import PurchaseOrder, PurchaseOrderLine
from core.stock.warehouses import Location


def _answer(kind: str, title: str, facts: list[tuple[str, Any]], head: list[str] | None = None,
            rows: list[list[Any]] | None = None) -> dict[str, Any]:
    return {"kind": kind, "title": title, "facts": [[k, str(v)] for k, v in facts],
            "table": {"head": head or [], "rows": [[str(c) for c in r] for r in rows or []]}}


async def _location(code: str) -> dict[str, Any] | None:
    if not fits(Location, "code", code):
        return None
    places = await Location.filter(code=code).select_related("warehouse")
    if not places:
        return None
    levels = await (StockLevel.filter(Q(on_hand__gt=0) | Q(count_due_since__not_isnull=True),
                                      location_id__in=[p.id for p in places])
                    .select_related("product", "location").order_by("product_id"))
    where = ", ".join(f"{p.warehouse.code} {p.zone}".strip() for p in places)
    facts: list[tuple[str, Any]] = [("warehouse", where), ("products", sum(lv.on_hand > 0 for lv in levels))]
    if short := [lv.product.sku for lv in levels if lv.count_due_since]:  # found short by a picker
        facts.append(("count due", ", ".join(short)))
    return _answer("location", f"Location {code}", facts,
                   ["SKU", "name", "on hand", "reserved"],
                   [[lv.product.sku, lv.product.name, lv.on_hand, lv.reserved] for lv in levels])


async def _product(product: Product) -> dict[str, Any]:
    levels = await (StockLevel.filter(product_id=product.id, on_hand__gt=0)
                    .select_related("location__warehouse").order_by("warehouse_id", "location_id"))
    return _answer("product", f"{product.sku} {product.name}",
                   [("name", product.name_zh or product.name), ("barcode", product.barcode or "-"),
                    ("goods class", product.goods_class), ("weight", f"{product.weight_g} g"),
                    ("on hand", sum(lv.on_hand for lv in levels)),
                    ("available", sum(lv.available for lv in levels))],
                   ["warehouse", "location", "on hand", "available"],
                   [[lv.location.warehouse.code, lv.location.code, lv.on_hand, lv.available] for lv in levels])


async def _product_by(field: str, value: str) -> dict[str, Any] | None:
    if not fits(Product, field, value):
        return None
    product = await Product.get_or_none(**{field: value})
    return await _product(product) if product else None


async def _order(number: str) -> dict[str, Any] | None:
    if not fits(Order, "number", number):
        return None
    order = await Order.get_or_none(number=number).select_related("warehouse")
    if order is None:
        return None
    lines = await OrderLine.filter(order_id=order.id).select_related("product").order_by("id")
    return _answer("order", f"Order {number}",
                   [("status", order.status), ("warehouse", order.warehouse.code if order.warehouse else "-"),
                    ("city", order.city), ("payment", f"{order.payment_method} / {order.payment_state}")],
                   ["SKU", "qty", "reserved"], [[ln.product.sku, ln.qty, ln.qty_reserved] for ln in lines])


async def _package(number: str) -> dict[str, Any] | None:
    if not fits(Package, "number", number):
        return None
    package = await Package.get_or_none(number=number).select_related("shipment__order")
    if package is None:
        return None
    return _answer("package", f"Package {number}",
                   [("order", package.shipment.order.number), ("shipment", package.shipment.number),
                    ("shipment status", package.shipment.status), ("weight", f"{package.weight_g} g"),
                    ("on vehicle", package.shipment.vehicle_plate if package.loaded_at else "not loaded")],
                   ["SKU", "qty"], [[c["sku"], c["qty"]] for c in package.contents])


async def _pick_list(number: str) -> dict[str, Any] | None:
    if not fits(PickList, "number", number):
        return None
    pick_list = await PickList.get_or_none(number=number)
    if pick_list is None:
        return None
    left = await PickTask.filter(pick_list_id=pick_list.id, state=TaskState.PENDING).count()
    return _answer("pick_list", f"Pick list {number}",
                   [("status", pick_list.status), ("picker", pick_list.picker or "-"), ("tasks left", left)])


async def _vehicle(plate: str) -> dict[str, Any] | None:
    if not fits(Vehicle, "plate", plate):
        return None
    vehicle = await Vehicle.get_or_none(plate=plate)
    aboard = await Shipment.filter(vehicle_plate=plate, status__in=("loading", "dispatched")).select_related(
        "order").order_by("-id").limit(50)
    facts: list[tuple[str, Any]] = [("fleet", "own van" if vehicle else "carrier's vehicle")]
    if vehicle:
        facts += [("driver", vehicle.driver or "-"), ("capacity", f"{vehicle.capacity_kg} kg")]
    return _answer("vehicle", f"Vehicle {plate}", facts, ["shipment", "order", "status"],
                   [[s.number, s.order.number, s.status] for s in aboard])


async def _purchase_order(number: str) -> dict[str, Any] | None:
    if not fits(PurchaseOrder, "number", number):
        return None
    po = await PurchaseOrder.get_or_none(number=number).select_related("supplier", "warehouse")
    if po is None:
        return None
    lines = await PurchaseOrderLine.filter(purchase_order_id=po.id).select_related("product").order_by("id")
    return _answer("purchase_order", f"Purchase order {number}",
                   [("status", po.status), ("supplier", po.supplier.name), ("warehouse", po.warehouse.code)],
                   ["SKU", "ordered", "received"], [[ln.product.sku, ln.qty, ln.qty_received] for ln in lines])


async def look_up(code: str) -> dict[str, Any]:
    payload = decode(code)
    found: dict[str, Any] | None = None
    if payload.kind == Kind.LOCATION:
        found = await _location(payload.value)
    elif payload.kind in (Kind.PRODUCT, Kind.BARCODE):
        found = await _product_by("barcode" if payload.kind == Kind.BARCODE else "sku", payload.value)
    elif payload.kind == Kind.ORDER:
        found = await _order(payload.value)
    elif payload.kind == Kind.PACKAGE:
        found = await _package(payload.value)
    elif payload.kind == Kind.PICK_LIST:
        found = await _pick_list(payload.value)
    elif payload.kind == Kind.VEHICLE:
        found = await _vehicle(payload.value)
    elif payload.kind == Kind.PURCHASE_ORDER:
        found = await _purchase_order(payload.value)
    else:  # typed by hand: a SKU, a bin, or a document number
        found = await _product_by("sku", payload.value) or await _location(payload.value) or \
            await _order(payload.value) or await _package(payload.value) or await _pick_list(payload.value) or \
            await _purchase_order(payload.value)
    if found is None:
        raise NotFound(what="anything with the code", key=code.strip()[:64])
    return {**found, "code": code.strip()}
