"""Look up anything a person can scan: what it is, where it is, how many, what state it is in.

Every answer has one shape, so one screen shows them all: a kind, a title, facts (label → value) and a table.
"""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q

from core.base.auth import person_of
from core.base.db import fits
from core.base.errors import DomainError, NotFound
from core.base.i18n import Phrase, is_named, is_phrase, listed, named, phrase, text
from core.floor.picking import PickList, PickTask, TaskState
from core.floor.qr import Kind, decode
from core.orders.order import Order, OrderLine
from core.shipping.aftersales import AfterSalesRequest
from core.shipping.fleet import Vehicle
from core.shipping.shipments import Package, Shipment
from core.stock.catalog import Product
from core.stock.ledger import StockLevel
from core.stock.replenishment import PurchaseOrder, PurchaseOrderLine
from core.stock.transfers import TransferLine, TransferOrder
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


async def _tracked(token: str) -> dict[str, Any] | None:
    """A customer's tracking link, as a delivery note's QR carries it: the order it follows."""
    shipment = await Shipment.get_or_none(tracking_token=token).select_related("order")
    return await _order(shipment.order.number) if shipment else None


async def _order(number: str) -> dict[str, Any] | None:
    if not fits(Order, "number", number):
        return None
    order = await Order.get_or_none(number=number).select_related("warehouse")
    if order is None:
        return None
    lines = await OrderLine.filter(order_id=order.id).select_related("product").order_by("id")
    shipments = await Shipment.filter(order_id=order.id).order_by("id")
    paid = phrase("lookup.payment", method=_status("payment_method", order.payment_method),
                  state=_status("payment", order.payment_state))
    facts: list[tuple[str, Any]] = [
        ("status", _status("order", order.status)), ("warehouse", order.warehouse.code if order.warehouse else "-"),
        ("city", order.city), ("payment", paid)]
    if shipments:  # where its goods stand once packed: a shipment with no carrier is found from its order
        facts.append(("shipment", listed([phrase("lookup.shipment_state", number=s.number,
                                                 status=_status("shipment", s.status)) for s in shipments])))
    return _answer("order", phrase("lookup.order", number=number), facts,
                   ["SKU", "name", "qty", "reserved"],
                   [[ln.product.sku, _name(ln.product), ln.qty, ln.qty_reserved] for ln in lines])


def _aboard(package: Package) -> Any:
    """Where a package went at the dock: onto one of our vans, or to an outside carrier's courier."""
    shipment = package.shipment
    if package.loaded_at is None:
        return phrase("lookup.not_loaded")
    if shipment.vehicle_plate or shipment.carrier is None:
        return shipment.vehicle_plate
    return phrase("lookup.courier", carrier=shipment.carrier.names)


async def _package(number: str) -> dict[str, Any] | None:
    if not fits(Package, "number", number):
        return None
    package = await Package.get_or_none(number=number).select_related("shipment__order", "shipment__carrier")
    if package is None:
        return None
    products = {p.sku: p for p in await Product.filter(sku__in=[c["sku"] for c in package.contents])}
    return _answer("package", phrase("lookup.package", number=number),
                   [("order", package.shipment.order.number), ("shipment", package.shipment.number),
                    ("shipment status", _status("shipment", package.shipment.status)),
                    ("weight", phrase("unit.grams", n=package.weight_g)),
                    ("on vehicle", _aboard(package))],
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


async def _numbered(model: Any, number: str, *related: str) -> Any:
    """The document of `model` with this number, with `related` rows; None when none has it (or it cannot be
    one's number)."""
    if not fits(model, "number", number):
        return None
    return await model.get_or_none(number=number).select_related(*related)


def _received(lines: list[Any]) -> list[list[Any]]:
    """Lines of goods on their way (a purchase order's, a transfer's): how many, how many arrived."""
    return [[ln.product.sku, _name(ln.product), ln.qty, ln.qty_received] for ln in lines]


async def _purchase_order(number: str) -> dict[str, Any] | None:
    po = await _numbered(PurchaseOrder, number, "supplier", "warehouse")
    if po is None:
        return None
    lines = await PurchaseOrderLine.filter(purchase_order_id=po.id).select_related("product").order_by("id")
    return _answer("purchase_order", phrase("lookup.purchase_order", number=number),
                   [("status", _status("purchase_order", po.status)), ("supplier", po.supplier.name),
                    ("warehouse", po.warehouse.code)],
                   ["SKU", "name", "ordered", "received"], _received(lines))


async def _shipment(number: str, by: str = "number") -> dict[str, Any] | None:
    """A shipment by its number or its carrier's waybill."""
    if not fits(Shipment, by, number):
        return None
    shipment = await Shipment.filter(**{by: number}).select_related("order", "carrier", "warehouse").first()
    if shipment is None:
        return None
    packages = await Package.filter(shipment_id=shipment.id).order_by("id")
    return _answer("shipment", phrase("lookup.shipment", number=shipment.number),
                   [("status", _status("shipment", shipment.status)), ("order", shipment.order.number),
                    ("warehouse", shipment.warehouse.code),
                    ("carrier", shipment.carrier.names if shipment.carrier else phrase("waits.no_carrier")),
                    ("waybill", shipment.waybill or "-"), ("packages", len(packages))],
                   ["package", "weight"], [[p.number, phrase("unit.grams", n=p.weight_g)] for p in packages],
                   shipment=shipment.number, order=shipment.order.number)


async def _transfer(number: str) -> dict[str, Any] | None:
    transfer = await _numbered(TransferOrder, number, "source", "target")
    if transfer is None:
        return None
    lines = await TransferLine.filter(transfer_id=transfer.id).select_related("product").order_by("id")
    return _answer("transfer", phrase("lookup.transfer", number=number),
                   [("status", _status("transfer", transfer.status)), ("from", transfer.source.code),
                    ("to", transfer.target.code)],
                   ["SKU", "name", "qty", "received"], _received(lines), transfer=number)


async def _aftersales(number: str) -> dict[str, Any] | None:
    request = await _numbered(AfterSalesRequest, number, "order")
    if request is None:
        return None
    return _answer("aftersales", phrase("lookup.aftersales", number=number),
                   [("status", _status("aftersales", request.status)),
                    ("kind", _status("aftersales_kind", request.kind)), ("order", request.order.number)],
                   ["SKU", "qty"], [[ln["sku"], ln["qty"]] for ln in request.lines], aftersales=number)


async def _document(number: str) -> dict[str, Any] | None:
    """A number typed by hand: whichever document has it, or the shipment whose waybill it is."""
    for answer in (_order, _package, _shipment, _transfer, _aftersales, _pick_list, _purchase_order):
        if found := await answer(number):
            return found
    return await _shipment(number, "waybill")


# what a typed label names, for the not-found answer
_THING = {Kind.LOCATION: "location", Kind.PRODUCT: "product", Kind.BARCODE: "product", Kind.ORDER: "order",
          Kind.PACKAGE: "package", Kind.PICK_LIST: "pick list", Kind.VEHICLE: "vehicle",
          Kind.PURCHASE_ORDER: "purchase order", Kind.TRACKING: "tracking link"}


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
    elif payload.kind == Kind.TRACKING:
        found = await _tracked(payload.value)
    else:  # typed by hand: a SKU, a bin, or a document number
        found = await _product_by("sku", payload.value) or await _location(payload.value, warehouse) or \
            await _document(payload.value) or await _document(payload.value.upper())
    if found is None and payload.kind in _THING:  # a label of a kind we print, naming what does not exist
        raise NotFound(what=_THING[payload.kind], key=payload.value[:64])
    if found is None:
        raise NothingForCode(code=code.strip()[:64])
    return {**found, "code": code.strip()}
