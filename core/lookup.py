"""Look up anything a person can scan: what it is, where it is, how many, what state it is in.

Every answer has one shape, so one screen shows them all: a kind, a title, facts (label → value) and a table.
"""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q

from core.base.auth import person_of
from core.base.db import fits
from core.base.errors import DomainError, NotFound
from core.base.i18n import Phrase, is_named, is_phrase, named, phrase, text
from core.floor.picking import PickList, PickTask, TaskState
from core.floor.qr import Kind, decode
from core.orders.order import Order, OrderLine
from core.shipping.fleet import Vehicle
from core.shipping.shipments import Package, Shipment
from core.stock.catalog import Product
from core.stock.ledger import StockLevel
from core.stock.replenishment import PurchaseOrder, PurchaseOrderLine
from core.stock.warehouses import Location


def _answer(kind: str, title: Phrase, facts: list[tuple[str, Any]], head: list[str] | None = None,
            rows: list[list[Any]] | None = None, **refs: str) -> dict[str, Any]:
    """Labels are phrases (`fact.<label>`), said in the reader's language by the API; `refs` are the numbers a
    screen follows on (a package's shipment)."""
    return {"kind": kind, "title": title, "facts": [[phrase(f"fact.{k}"), _value(v)] for k, v in facts],
            "table": {"head": [phrase(f"fact.{h}") for h in head or []],
                      "rows": [[_value(c) for c in r] for r in rows or []]}, "refs": refs}


def _value(value: Any) -> Any:
    return value if is_phrase(value) or is_named(value) else str(value)


def _status(kind: str, value: str) -> Phrase:
    """A state as a word in the reader's language (the catalogue's `status.<kind>.<value>`)."""
    return phrase(f"status.{kind}.{value}")


async def _location(code: str, warehouse: str | None = None) -> dict[str, Any] | None:
    """A bin and what lies in it. The same code may name a bin in several warehouses: the one of `warehouse`
    when it has it, else all of them, each row saying its warehouse."""
    if not fits(Location, "code", code):
        return None
    places = await Location.filter(code=code).select_related("warehouse")
    if mine := [p for p in places if p.warehouse.code == warehouse]:
        places = mine
    if not places:
        return None
    levels = await (StockLevel.filter(Q(on_hand__gt=0) | Q(count_due_since__not_isnull=True),
                                      location_id__in=[p.id for p in places])
                    .select_related("product", "location").order_by("product_id"))
    # a bin code may be in several warehouses: each is named, with the zone the bin is in
    where = " / ".join(f"{p.warehouse.code} {p.warehouse.name}" for p in places)
    facts: list[tuple[str, Any]] = [("warehouse", where), ("zone", ", ".join(sorted({p.zone for p in places}))),
                                    ("products", sum(lv.on_hand > 0 for lv in levels))]
    if short := [lv.product.sku for lv in levels if lv.count_due_since]:  # found short by a picker
        facts.append(("count due", ", ".join(short)))
    if len(places) > 1:
        warehouse_of = {p.id: p.warehouse.code for p in places}
        return _answer("location", phrase("lookup.location", code=code), facts,
                       ["warehouse", "SKU", "name", "on hand", "reserved"],
                       [[warehouse_of[lv.location.id], lv.product.sku, _name(lv.product), lv.on_hand, lv.reserved]
                        for lv in levels])
    return _answer("location", phrase("lookup.location", code=code), facts,
                   ["SKU", "name", "on hand", "reserved"],
                   [[lv.product.sku, _name(lv.product), lv.on_hand, lv.reserved] for lv in levels])


def _name(product: Product) -> Phrase:
    """A product's name in the reader's language: its Chinese name for Chinese readers, when it has one."""
    return named(product.name, product.name_zh)


async def _product(product: Product) -> dict[str, Any]:
    levels = await (StockLevel.filter(product_id=product.id, on_hand__gt=0)
                    .select_related("location__warehouse").order_by("warehouse_id", "location_id"))
    return _answer("product", phrase("lookup.product", sku=product.sku, name=_name(product)),
                   [("name", product.name), ("name_zh", product.name_zh or "-"), ("barcode", product.barcode or "-"),
                    ("goods class", phrase(f"goods.{product.goods_class}")),
                    ("weight", phrase("unit.grams", n=product.weight_g)),
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
    return _answer("order", phrase("lookup.order", number=number),
                   [("status", _status("order", order.status)),
                    ("warehouse", order.warehouse.code if order.warehouse else "-"),
                    ("city", order.city),
                    ("payment", phrase("lookup.payment", method=_status("payment_method", order.payment_method),
                                       state=_status("payment", order.payment_state)))],
                   ["SKU", "name", "qty", "reserved"],
                   [[ln.product.sku, _name(ln.product), ln.qty, ln.qty_reserved] for ln in lines])


async def _package(number: str) -> dict[str, Any] | None:
    if not fits(Package, "number", number):
        return None
    package = await Package.get_or_none(number=number).select_related("shipment__order")
    if package is None:
        return None
    products = {p.sku: p for p in await Product.filter(sku__in=[c["sku"] for c in package.contents])}
    return _answer("package", phrase("lookup.package", number=number),
                   [("order", package.shipment.order.number), ("shipment", package.shipment.number),
                    ("shipment status", _status("shipment", package.shipment.status)),
                    ("weight", phrase("unit.grams", n=package.weight_g)),
                    ("on vehicle",
                     package.shipment.vehicle_plate if package.loaded_at else phrase("lookup.not_loaded"))],
                   ["SKU", "name", "qty"],
                   [[c["sku"], _name(products[c["sku"]]) if c["sku"] in products else "", c["qty"]]
                    for c in package.contents],
                   shipment=package.shipment.number)


async def _pick_list(number: str) -> dict[str, Any] | None:
    if not fits(PickList, "number", number):
        return None
    pick_list = await PickList.get_or_none(number=number)
    if pick_list is None:
        return None
    left = await PickTask.filter(pick_list_id=pick_list.id, state=TaskState.PENDING).count()
    picker = await person_of(pick_list.picker)  # the person, not their login
    return _answer("pick_list", phrase("lookup.pick_list", number=number),
                   [("status", _status("pick_list", pick_list.status)), ("picker", picker or "-"),
                    ("tasks left", left)])


async def _vehicle(plate: str) -> dict[str, Any] | None:
    if not fits(Vehicle, "plate", plate):
        return None
    vehicle = await Vehicle.get_or_none(plate=plate)
    aboard = await Shipment.filter(vehicle_plate=plate, status__in=("loading", "dispatched")).select_related(
        "order").order_by("-id").limit(50)
    facts: list[tuple[str, Any]] = [("fleet", phrase("lookup.own_van" if vehicle else "lookup.carrier_vehicle"))]
    if vehicle:
        facts += [("driver", vehicle.driver or "-"), ("capacity", f"{vehicle.capacity_kg} kg")]
    return _answer("vehicle", phrase("lookup.vehicle", plate=plate), facts, ["shipment", "order", "status"],
                   [[s.number, s.order.number, _status("shipment", s.status)] for s in aboard])


async def _purchase_order(number: str) -> dict[str, Any] | None:
    if not fits(PurchaseOrder, "number", number):
        return None
    po = await PurchaseOrder.get_or_none(number=number).select_related("supplier", "warehouse")
    if po is None:
        return None
    lines = await PurchaseOrderLine.filter(purchase_order_id=po.id).select_related("product").order_by("id")
    return _answer("purchase_order", phrase("lookup.purchase_order", number=number),
                   [("status", _status("purchase_order", po.status)), ("supplier", po.supplier.name),
                    ("warehouse", po.warehouse.code)],
                   ["SKU", "name", "ordered", "received"],
                   [[ln.product.sku, _name(ln.product), ln.qty, ln.qty_received] for ln in lines])


# what a typed label names, for the not-found answer
_THING = {Kind.LOCATION: "location", Kind.PRODUCT: "product", Kind.BARCODE: "product", Kind.ORDER: "order",
          Kind.PACKAGE: "package", Kind.PICK_LIST: "pick list", Kind.VEHICLE: "vehicle",
          Kind.PURCHASE_ORDER: "purchase order"}


class NothingForCode(NotFound):
    """A code typed or scanned that names nothing fahuo knows: not found, in words of its own."""

    def __init__(self, *, code: str) -> None:
        DomainError.__init__(self, code=code)

    def message(self, lang: str = "en") -> str:
        return text("nothing_for_code", lang, **self.params)


async def look_up(code: str, warehouse: str | None = None) -> dict[str, Any]:
    """What `code` is, with labels and words left as phrases for the reader's language."""
    payload = decode(code)
    found: dict[str, Any] | None = None
    if payload.kind == Kind.LOCATION:
        found = await _location(payload.value, warehouse)
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
        found = await _product_by("sku", payload.value) or await _location(payload.value, warehouse) or \
            await _order(payload.value) or await _package(payload.value) or await _pick_list(payload.value) or \
            await _purchase_order(payload.value)
    if found is None and payload.kind in _THING:  # a label of a kind we print, naming what does not exist
        raise NotFound(what=_THING[payload.kind], key=payload.value[:64])
    if found is None:
        raise NothingForCode(code=code.strip()[:64])
    return {**found, "code": code.strip()}
