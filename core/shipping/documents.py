"""Printed papers: waybill, delivery note (发货单), shipment confirmation (发货确认单), label sheets.

A delivery note and a confirmation are issued once, numbered, and stored as the data they show plus its
SHA-256. They are never edited: printing one again renders the stored data, and a changed row is noticed.
Every paper renders as HTML (for the browser's print dialog) and as PDF. The PDF uses reportlab's built-in
Chinese CID font, so Chinese addresses print without shipping a font file.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import datetime
from enum import StrEnum
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from tortoise import fields
from tortoise.models import Model

from core.base.errors import Conflict, NotFound
from core.base.i18n import text
from core.base.numbering import next_number
from core.base.settings import Settings
from core.floor.qr import Kind, encode, qr_png, qr_svg
from core.orders.order import OrderLine
from core.shipping.shipments import Shipment, shipment_view
from core.stock.catalog import Product
from core.stock.warehouses import STORAGE_KINDS, Location, warehouse_by_code

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
_templates = Environment(loader=PackageLoader("core", "templates"), autoescape=select_autoescape(["html"]))


class DocumentKind(StrEnum):
    DELIVERY_NOTE = "delivery_note"
    CONFIRMATION = "shipment_confirmation"
    WAYBILL = "waybill"  # not stored: the carrier's number is its identity, and it is rendered from the shipment


PREFIX = {DocumentKind.DELIVERY_NOTE: "DN", DocumentKind.CONFIRMATION: "SC"}


def _both(key: str, between: str = " ") -> str:
    """A paper's word in English and Chinese: papers go to both the warehouse and the recipient."""
    return f"{text(key, 'en')}{between}{text(key, 'zh')}"


TITLE = {kind: _both(f"paper.{kind.value}", " · ") for kind in DocumentKind}


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
        if self._saved_in_db:
            raise Conflict(detail=f"document {self.number} was issued and cannot be changed")
        await super().save(*args, **kwargs)


def _digest(content: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


async def _paper(kind: DocumentKind, shipment: Shipment, settings: Settings, number: str) -> dict[str, Any]:
    """The data a paper shows, in one shape for every kind: fields, a table of goods, a QR code."""
    view = await shipment_view(shipment, settings)
    order = shipment.order
    lines = await OrderLine.filter(order_id=order.id).order_by("id").prefetch_related("product")
    fields_ = [
        [_both("paper.order"), order.number],
        [_both("paper.shipment"), shipment.number],
        [_both("paper.from"), f"{shipment.warehouse.code} {shipment.warehouse.name}"],
        [_both("paper.to"), f"{order.recipient} {order.phone}"],
        [_both("paper.address"), f"{order.province}{order.city}{order.district}{order.line1} {order.postcode}".strip()],
        [_both("paper.carrier"), f"{view['carrier_name'] or '-'} {view['waybill'] or ''}".strip()],
        [_both("paper.requested"), order.requested_date.isoformat() if order.requested_date else "-"],
        [_both("paper.packages"), str(len(view["packages"]))],
        [_both("paper.weight"), f"{sum(p['weight_g'] for p in view['packages']) / 1000:.2f} kg"],
    ]
    if kind == DocumentKind.CONFIRMATION:
        fields_ += [[_both("paper.vehicle"), shipment.vehicle_plate or "-"],
                    [_both("paper.dispatched"),
                     shipment.dispatched_at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
                     if shipment.dispatched_at else "-"],
                    [_both("paper.dispatched_by"), shipment.dispatched_by or "-"]]
    if kind == DocumentKind.WAYBILL:
        fields_.append([_both("paper.eta"), view["eta"] or "-"])
    qr = encode(Kind.ORDER, order.number) if kind != DocumentKind.WAYBILL else view["waybill"] or shipment.number
    return {
        "kind": kind.value, "title": TITLE[kind], "number": number, "fields": fields_,
        "table": {"head": ["SKU", _both("paper.product"), _both("paper.qty")],
                  "rows": [[ln.product.sku, ln.product.name_zh or ln.product.name, str(ln.qty)] for ln in lines]},
        "qr": qr, "issued_at": datetime.now(settings.tz).strftime("%Y-%m-%d %H:%M"),
    }


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
            raise Conflict(detail=f"shipment {shipment.number} has no waybill yet: no carrier is booked")
        return await _paper(kind, shipment, settings, shipment.waybill)
    if kind == DocumentKind.CONFIRMATION:
        document = await Document.get_or_none(shipment_id=shipment.id, kind=kind)
        if document is None:
            raise NotFound(what="shipment confirmation for", key=shipment.number)
    else:
        document = await issue(kind, shipment, actor, settings)
    if _digest(document.content) != document.sha256:
        raise Conflict(detail=f"document {document.number} does not match its seal; it was altered")
    return document.content


def render_html(content: dict[str, Any]) -> str:
    return _templates.get_template("document.html").render(doc=content, qr=Markup(qr_svg(content["qr"])))


def render_pdf(content: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    pdf.setTitle(f"{content['title']} {content['number']}")
    width, height = A4
    y = height - 60
    pdf.setFont(FONT, 18)
    pdf.drawString(50, y, content["title"])
    pdf.setFont(FONT, 12)
    pdf.drawString(50, y - 24, f"No. {content['number']}    {content['issued_at']}")
    pdf.drawImage(ImageReader(io.BytesIO(qr_png(content["qr"], box_size=4))), width - 150, y - 80, 100, 100)
    y -= 70
    for label, value in content["fields"]:
        y -= 18
        pdf.drawString(50, y, f"{label}:")
        pdf.drawString(190, y, str(value)[:60])
    y -= 34
    columns = (50, 190, 480)
    pdf.setFont(FONT, 11)
    for row in [content["table"]["head"], *content["table"]["rows"]]:
        if y < 60:
            pdf.showPage()
            pdf.setFont(FONT, 11)
            y = height - 60
        for x, cell in zip(columns, row, strict=False):
            pdf.drawString(x, y, str(cell)[:48])
        y -= 16
    pdf.showPage()
    pdf.save()
    return out.getvalue()


# -- label sheets ---------------------------------------------------------------------------------------


class SheetKind(StrEnum):
    LOCATIONS = "locations"
    PRODUCTS = "products"


async def label_sheet(kind: SheetKind, warehouse_code: str | None) -> list[dict[str, str]]:
    """Labels to print and stick on shelves or goods: the QR payload and a caption."""
    if kind == SheetKind.LOCATIONS:
        if not warehouse_code:
            raise NotFound(what="warehouse", key="(none given)")
        warehouse = await warehouse_by_code(warehouse_code)
        places = await Location.filter(warehouse_id=warehouse.id, kind__in=list(STORAGE_KINDS)).order_by("code")
        return [{"qr": encode(Kind.LOCATION, p.code), "caption": p.code, "detail": f"{warehouse.code} {p.zone}"}
                for p in places]
    products = await Product.filter(active=True).order_by("sku")
    return [{"qr": encode(Kind.PRODUCT, p.sku), "caption": p.sku, "detail": p.name_zh or p.name} for p in products]


def tracking_html(view: dict[str, Any], lang: str = "en") -> str:
    """The customer's tracking page, its words from the catalogue in `lang`."""
    def say(code: str, **params: Any) -> str:
        return text(code, lang, **params)

    return _templates.get_template("tracking.html").render(t=view, say=say, lang=lang)


def sheet_html(title: str, labels: list[dict[str, str]]) -> str:
    return _templates.get_template("labels.html").render(
        title=title, labels=[{**label, "svg": Markup(qr_svg(label["qr"]))} for label in labels])


def sheet_pdf(title: str, labels: list[dict[str, str]]) -> bytes:
    """A4 sheets of 3 × 8 labels."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    pdf.setTitle(title)
    width, height = A4
    cols, rows = 3, 8
    cell_w, cell_h = (width - 40) / cols, (height - 40) / rows
    for i, label in enumerate(labels):
        if i and i % (cols * rows) == 0:
            pdf.showPage()
        slot = i % (cols * rows)
        x = 20 + (slot % cols) * cell_w
        y = height - 20 - (slot // cols + 1) * cell_h
        pdf.drawImage(ImageReader(io.BytesIO(qr_png(label["qr"], box_size=3))), x + 4, y + 8, cell_h - 16,
                      cell_h - 16)
        pdf.setFont(FONT, 11)
        pdf.drawString(x + cell_h - 6, y + cell_h / 2 + 4, label["caption"][:18])
        pdf.setFont(FONT, 8)
        pdf.drawString(x + cell_h - 6, y + cell_h / 2 - 10, label["detail"][:22])
    pdf.showPage()
    pdf.save()
    return out.getvalue()
