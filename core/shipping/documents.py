"""Papers: waybill, delivery note (发货单), shipment confirmation (发货确认单) — what they say, and their seal.

A delivery note and a confirmation are issued once, numbered, and stored as the facts they show plus its
SHA-256. They are never edited: printing one again renders the stored facts, and a changed row is noticed.
The facts carry no language and times are UTC: the same sealed paper prints in Chinese or English, in the
local time zone (core.shipping.papers lays it out as HTML and PDF).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.auth import person_of
from core.base.db import in_callers_transaction, is_stored
from core.base.errors import Conflict, NotFound
from core.base.fields import HOME_COUNTRY
from core.base.i18n import phrase
from core.base.numbering import next_number
from core.base.places import written
from core.base.settings import Settings
from core.floor.qr import Kind, encode
from core.orders.customers import Customer
from core.orders.order import Order, OrderLine
from core.shipping.shipments import Shipment, shipment_view
from core.stock.warehouses import Warehouse


class DocumentKind(StrEnum):
    DELIVERY_NOTE = "delivery_note"
    CONFIRMATION = "shipment_confirmation"
    WAYBILL = "waybill"  # not stored: the carrier's number is its identity, and it is rendered from the shipment


PREFIX = {DocumentKind.DELIVERY_NOTE: "DN", DocumentKind.CONFIRMATION: "SC"}
# 2: facts without words (the paper is said in a language when printed); 1 (no "version"): labelled fields
VERSION = 2


class Document(Model):
    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(DocumentKind, max_length=24)
    number = fields.CharField(max_length=32, unique=True)
    shipment: fields.ForeignKeyRelation[Shipment] = fields.ForeignKeyField(
        "fahuo.Shipment", related_name="documents", on_delete=fields.RESTRICT
    )
    content: dict[str, Any] = fields.JSONField()  # type: ignore[assignment]
    sha256 = fields.CharField(max_length=64)
    issued_by = fields.CharField(max_length=100)
    issued_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "document"
        unique_together = (("shipment", "kind"),)

    async def save(self, *args: Any, **kwargs: Any) -> None:
        if is_stored(self):
            raise Conflict(detail=phrase("refuse.document_sealed", document=self.number))
        await super().save(*args, **kwargs)


def _digest(content: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def order_address(order: Order) -> str:
    """Where the order goes, in one line; abroad, with its country's code last (its name is the post's)."""
    place = written(order.province, order.city, order.district, order.line1, between="")
    return place if order.country == HOME_COUNTRY else f"{place} {order.country}"


def warehouse_address(warehouse: Warehouse) -> str:
    """Where a warehouse is, in one line: what its papers and labels give as the sender's address."""
    return written(warehouse.province, warehouse.city, "", warehouse.address, between="")


async def _paper(kind: DocumentKind, shipment: Shipment, settings: Settings, number: str) -> dict[str, Any]:
    """The facts a paper shows, in no language: they are sealed as issued, and said in a language (with times
    in the local zone) only when printed (core.shipping.papers). The sender is the company as it was then."""
    view = await shipment_view(shipment, settings)
    order, warehouse = shipment.order, shipment.warehouse
    lines = await OrderLine.filter(order_id=order.id).order_by("id").prefetch_related("product")
    content: dict[str, Any] = {
        "version": VERSION, "kind": kind.value, "number": number,
        "issued_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sender": {"name": settings.company_name, "address": settings.company_address,
                   "phone": settings.company_phone},
        "recipient": {"name": order.recipient, "phone": order.phone, "postcode": order.postcode,
                      "address": order_address(order)},
        "warehouse": {"code": warehouse.code, "name": warehouse.name, "name_zh": warehouse.name_zh,
                      "address": warehouse_address(warehouse),
                      "time_zone": warehouse.zone(settings.tz).key},  # its times are said where it was issued
        "order": order.number, "shipment": shipment.number,
        "requested_date": order.requested_date.isoformat() if order.requested_date else None,
        "carrier": shipment.carrier.name if shipment.carrier else None,
        "carrier_zh": shipment.carrier.name_zh if shipment.carrier else None,
        "waybill": view["waybill"], "eta": view["eta"],
        "packages": len(view["packages"]), "weight_g": sum(p["weight_g"] for p in view["packages"]),
        "currency": order.currency,
        "lines": [{"sku": ln.product.sku, "name": ln.product.name, "name_zh": ln.product.name_zh, "qty": ln.qty,
                   "unit_price": str(ln.unit_price), "amount": str(ln.unit_price * ln.qty)} for ln in lines],
        "total": str(sum((ln.unit_price * ln.qty for ln in lines), Decimal(0))),
        "qr": encode(Kind.ORDER, order.number) if kind != DocumentKind.WAYBILL else view["waybill"] or shipment.number,
    }
    if kind == DocumentKind.DELIVERY_NOTE:  # its QR is the customer's tracking link, on whatever address fahuo has
        content["tracking"] = shipment.tracking_token
    if kind == DocumentKind.CONFIRMATION:
        content["dispatch"] = {"vehicle": shipment.vehicle_plate, "by": await person_of(shipment.dispatched_by),
                               "at": shipment.dispatched_at.isoformat() if shipment.dispatched_at else None}
    return content


@in_callers_transaction
async def issue(kind: DocumentKind, shipment: Shipment, actor: str, settings: Settings) -> Document:
    """The shipment's paper of this kind: issued now, or the one issued before (never a second one)."""
    existing = await Document.get_or_none(shipment_id=shipment.id, kind=kind)
    if existing is not None:
        return existing
    number = await next_number(PREFIX[kind], settings.tz)
    content = await _paper(kind, shipment, settings, number)
    return await Document.create(kind=kind, number=number, shipment_id=shipment.id, content=content,
                                 sha256=_digest(content), issued_by=actor)


async def paper(kind: DocumentKind, shipment: Shipment, actor: str, settings: Settings) -> dict[str, Any]:
    """What to print: the stored content of an issued paper (checked), or a waybill made from the shipment."""
    if kind == DocumentKind.WAYBILL:
        if not shipment.waybill:
            raise Conflict(detail=phrase("refuse.no_waybill", shipment=shipment.number))
        return await _paper(kind, shipment, settings, shipment.waybill)
    if kind == DocumentKind.CONFIRMATION:
        document = await Document.get_or_none(shipment_id=shipment.id, kind=kind)
        if document is None:
            raise NotFound(what="shipment confirmation for", key=shipment.number)
    else:
        async with in_transaction():
            document = await issue(kind, shipment, actor, settings)
    if _digest(document.content) != document.sha256:
        raise Conflict(detail=phrase("refuse.document_altered", document=document.number))
    return document.content


async def paper_language(kind: DocumentKind, shipment: Shipment, settings: Settings) -> str:
    """The language a paper prints in when nobody asks for one: the customer's for what goes with the goods
    (delivery note, waybill), the company's for its own record (the confirmation)."""
    if kind == DocumentKind.CONFIRMATION:
        return settings.company_language
    customer = await Customer.get_or_none(id=shipment.order.customer_id)  # type: ignore[attr-defined]
    return customer.language if customer is not None and customer.language in ("en", "zh") else "zh"
