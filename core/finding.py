"""One search box for the staff: any document by its number, a shipment by its waybill, a customer's orders by
their phone (written any way) or by a name (customer or recipient, part of it).

Each hit says what it is, its number and its status as phrases; the screen it opens is the app's to choose by
`kind`. A person finds only what their role may see (core.base.auth)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q
from tortoise.models import Model

from core.base.auth import Permission, Staff
from core.base.db import fits
from core.base.errors import InvalidInput
from core.base.i18n import Phrase, phrase
from core.floor.picking import PickList
from core.floor.qr import Kind, decode
from core.orders.customers import Customer, e164
from core.orders.order import Order
from core.shipping.aftersales import AfterSalesRequest
from core.shipping.shipments import Package, Shipment
from core.stock.replenishment import PurchaseOrder
from core.stock.transfers import TransferOrder

MOST = 20
LEAST = 2  # characters: one character would name half the customers
RECENT = 100_000  # orders whose recipients a name is looked for among
_PHONE_LIKE = re.compile(r"^[+\d(][\d\s()\-]{6,}$")


@dataclass(frozen=True)
class Document:
    """A kind of numbered document the box finds, and who may see it."""

    kind: str  # the app opens its screen by this
    model: type[Model]
    permission: Permission
    status_kind: str  # its states in the catalogue: status.<status_kind>.<value>
    detail: Callable[[Any], Awaitable[Phrase | str]]


async def _order_detail(order: Order) -> str:
    await order.fetch_related("customer")
    return f"{order.customer.name} → {order.recipient} · {order.city}"


async def _shipment_detail(shipment: Shipment) -> Phrase | str:
    await shipment.fetch_related("order", "carrier")
    carrier = shipment.carrier.names if shipment.carrier else phrase("waits.no_carrier")
    return phrase("finding.shipment", order=shipment.order.number, carrier=carrier, waybill=shipment.waybill or "")


async def _transfer_detail(transfer: TransferOrder) -> str:
    await transfer.fetch_related("source", "target")
    return f"{transfer.source.code} → {transfer.target.code}"


async def _po_detail(po: PurchaseOrder) -> str:
    await po.fetch_related("supplier", "warehouse")
    return f"{po.supplier.name} → {po.warehouse.code}"


async def _request_detail(request: AfterSalesRequest) -> Phrase:
    await request.fetch_related("order")
    return phrase("finding.aftersales", kind=phrase(f"status.aftersales_kind.{request.kind}"),
                  order=request.order.number)


async def _pick_list_detail(pick_list: PickList) -> str:
    return pick_list.picker or ""


async def _package_detail(package: Package) -> Phrase:
    await package.fetch_related("shipment__order")
    return phrase("finding.package", shipment=package.shipment.number, order=package.shipment.order.number)


DOCUMENTS = (
    Document("order", Order, Permission.VIEW_ORDERS, "order", _order_detail),
    Document("shipment", Shipment, Permission.VIEW_ORDERS, "shipment", _shipment_detail),
    Document("package", Package, Permission.VIEW_ORDERS, "shipment", _package_detail),
    Document("transfer", TransferOrder, Permission.VIEW_STOCK, "transfer", _transfer_detail),
    Document("pick_list", PickList, Permission.VIEW_STOCK, "pick_list", _pick_list_detail),
    Document("purchase_order", PurchaseOrder, Permission.MANAGE_PURCHASING, "purchase_order", _po_detail),
    Document("aftersales", AfterSalesRequest, Permission.HANDLE_AFTERSALES, "aftersales", _request_detail),
)


async def _hit(doc: Document, row: Any) -> dict[str, Any]:
    status = getattr(row, "status", None) or row.shipment.status  # a package stands where its shipment does
    return {"kind": doc.kind, "what": phrase(f"finding.kind.{doc.kind}"), "number": row.number,
            "status": status, "status_word": phrase(f"status.{doc.status_kind}.{status}"),
            "detail": await doc.detail(row)}


async def _by_number(number: str, staff: Staff) -> list[dict[str, Any]]:
    """The documents with exactly this number (typed in any case), and the shipment with this waybill."""
    hits = []
    for doc in DOCUMENTS:
        if not staff.may(doc.permission) or not fits(doc.model, "number", number):  # longer than any number
            continue
        found = doc.model.filter(number=number)
        if doc.model is Package:
            found = found.select_related("shipment")
        for row in await found:
            hits.append(await _hit(doc, row))
    if staff.may(Permission.VIEW_ORDERS) and fits(Shipment, "waybill", number):
        for shipment in await Shipment.filter(waybill=number).limit(MOST):
            hits.append(await _hit(DOCUMENTS[1], shipment))
    return hits


def _phone(words: str) -> str | None:
    """The phone these words write, in E.164, or None: a whole number only (the last four digits name too many
    people to be a search)."""
    if not _PHONE_LIKE.match(words):
        return None
    try:
        return e164(words)
    except InvalidInput:
        return None


async def _orders(query: Q) -> list[dict[str, Any]]:
    orders = await Order.filter(query).order_by("-id").limit(MOST)
    return [await _hit(DOCUMENTS[0], o) for o in orders]


async def find_anything(words: str, staff: Staff) -> list[dict[str, Any]]:
    """What these words find, in this order: documents by number or waybill, then orders by phone, then orders
    by part of a customer's name, or of a recipient's among the newest RECENT orders (newest first, at most
    MOST)."""
    words = words.strip()
    if len(words) < LEAST:
        raise InvalidInput(detail=phrase("refuse.search_short", least=LEAST))
    payload = decode(words)  # a scanned label finds what it names
    number = payload.value if payload.kind not in (Kind.TEXT, Kind.BARCODE) else words.upper()
    hits = await _by_number(number, staff)
    if hits or not staff.may(Permission.VIEW_ORDERS):
        return hits
    if phone := _phone(words):  # the buyer's phone or the recipient's: each by its own index
        buyers = await Customer.filter(phone=phone).values_list("id", flat=True)
        return await _orders(Q(phone=phone) | Q(customer_id__in=list(buyers)))
    if any(ch.isalpha() for ch in words):
        buyers = await Customer.filter(name__icontains=words).limit(MOST).values_list("id", flat=True)
        newest = await Order.all().order_by("-id").limit(1).values_list("id", flat=True)
        # a recipient's name is no index's prefix: it is looked for among the newest RECENT orders only, so a
        # search reads at most that many rows (every order ever, at a million, took a second)
        recent = Q(recipient__icontains=words, id__gt=(newest[0] if newest else 0) - RECENT)
        # no "OR false" when no customer has the name: SQLite then scans every order instead of the newest
        return await _orders(recent | Q(customer_id__in=list(buyers)) if buyers else recent)
    return []
