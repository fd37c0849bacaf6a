"""Labels: the one on each package (who it is for, the carrier's waybill as a barcode, our QR), and sheets of
location or product labels to stick on shelves and goods.

A package label is data first (`PackageLabel`: every word already said in one language) and drawn second, so
the same data can feed another printer language (a thermal printer's commands) beside the PNG drawn here.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from enum import StrEnum

from markupsafe import Markup
from PIL import ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from core.base.errors import InvalidInput
from core.base.fonts import pdf_font
from core.base.i18n import phrase, render, words_in
from core.base.phones import display_phone, masked_phone
from core.base.settings import Settings
from core.floor.qr import Kind, encode, qr_png, qr_svg
from core.shipping.documents import order_address, warehouse_address
from core.shipping.papers import templates
from core.shipping.shipments import Package, package_by_number
from core.stock.catalog import Product
from core.stock.warehouses import STORAGE_KINDS, Location, warehouse_by_code


@dataclass(frozen=True)
class PackageLabel:
    """What a package's label says, in one language."""

    qr: str  # FH:PKG:<number>, scanned at loading
    package: str
    order: str
    box: str  # "Box 1 of 2"
    weight: str
    to_heading: str
    recipient: str  # name and phone
    address: str  # the whole address with its postcode, however long
    from_heading: str
    sender: str  # the company and its phone
    carrier: str
    waybill: str | None  # printed as a Code 128 barcode for the carrier's scanners
    # the carrier's routing fields, as it named them (SF: destRouteLabel, codingMapping, proCode,
    # twoDimensionCode, …): a thermal label prints them where the carrier's layout puts them
    routing: dict[str, str] = field(default_factory=dict)
    master: str = ""  # on a further package of several: "master waybill <the shipment's>", beside its own
    carrier_qr: str = ""  # the carrier's own QR data for this package's waybill (SF's twoDimensionCode)
    sender_address: str = ""  # where the parcel left: its warehouse, on one line


async def package_label(number: str, lang: str, settings: Settings) -> PackageLabel:
    package = await package_by_number(number)
    shipment = package.shipment
    await shipment.fetch_related("carrier", "warehouse")
    order = shipment.order
    total = await Package.filter(shipment_id=shipment.id).count()
    say = words_in(lang)
    own = (package.waybill or shipment.waybill) if shipment.waybill else None  # a package's own, while booked
    master = say("label.master", waybill=shipment.waybill) if own != shipment.waybill else ""
    routing = dict(shipment.routing or {})
    return PackageLabel(
        qr=encode(Kind.PACKAGE, package.number), package=package.number, order=say("label.order", order=order.number),
        box=say("label.box", seq=package.seq, total=total),
        weight=say("paper.weight_value", kg=f"{package.weight_g / 1000:.2f}"),
        to_heading=say("label.to"), recipient=f"{order.recipient}  {label_phone(order.phone, settings)}",
        address=f"{order_address(order)} {order.postcode}".strip(), from_heading=say("label.from"),
        sender=f"{settings.company_name}  {display_phone(settings.company_phone)}",
        sender_address=warehouse_address(shipment.warehouse),
        carrier=render(shipment.carrier.names, lang) if shipment.carrier else say("label.no_waybill"), waybill=own,
        routing=routing, master=master, carrier_qr=carrier_qr(routing, own, shipment.waybill))


def label_phone(phone: str, settings: Settings) -> str:
    """The recipient's phone as a label shows it to everyone handling the parcel: its middle hidden
    (138****1234) unless the company prints it whole."""
    return masked_phone(phone) if settings.labels_mask_phones else display_phone(phone)


def carrier_qr(routing: dict[str, str], waybill: str | None, main: str | None) -> str:
    """The carrier's QR data for one package's waybill: only what the carrier gave for that waybill (SF's
    code names it), never the main waybill's on another package."""
    if waybill and waybill != main:
        return routing.get(f"twoDimensionCode:{waybill}", "")
    return routing.get("twoDimensionCode", "")


async def package_qr_svg(number: str) -> str:
    package = await package_by_number(number)
    return qr_svg(encode(Kind.PACKAGE, package.number))


# -- words on a label: wrapped, never cut (core.shipping.thermal lays the label out) ----------------------

_TOKEN = re.compile(r"[A-Za-z0-9_.,:/#\-]+|\s+|.")  # Latin words stay whole; CJK may break between any two


def wrap(value: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Lines of `value` no wider than `width`: nothing is cut off, however long the address."""
    lines, line = [], ""
    for token in _TOKEN.findall(value):
        if line and font.getlength(line + token) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    return [*lines, line.rstrip()] if line.strip() else lines


# -- label sheets -----------------------------------------------------------------------------------------


class SheetKind(StrEnum):
    LOCATIONS = "locations"
    PRODUCTS = "products"


async def label_sheet(kind: SheetKind, warehouse_code: str | None) -> list[dict[str, str]]:
    """Labels to print and stick on shelves or goods: the QR payload and a caption."""
    if kind == SheetKind.LOCATIONS:
        if not warehouse_code:
            raise InvalidInput(detail=phrase("refuse.name_warehouse"))
        warehouse = await warehouse_by_code(warehouse_code)
        places = await Location.filter(warehouse_id=warehouse.id, kind__in=list(STORAGE_KINDS)).order_by("code")
        return [{"qr": encode(Kind.LOCATION, p.code), "caption": p.code, "detail": f"{warehouse.code} {p.zone}"}
                for p in places]
    products = await Product.filter(active=True).order_by("sku")
    return [{"qr": encode(Kind.PRODUCT, p.sku), "caption": p.sku, "detail": p.name_zh or p.name} for p in products]


def sheet_html(title: str, labels: list[dict[str, str]]) -> str:
    return templates.get_template("labels.html").render(
        title=title, labels=[{**label, "svg": Markup(qr_svg(label["qr"]))} for label in labels])


def sheet_pdf(title: str, labels: list[dict[str, str]]) -> bytes:
    """A4 sheets of 3 × 8 labels."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    pdf.setTitle(title)
    width, height = A4
    cols, rows = 3, 8
    cell_w, cell_h = (width - 40) / cols, (height - 40) / rows
    font = pdf_font()
    for i, label in enumerate(labels):
        if i and i % (cols * rows) == 0:
            pdf.showPage()
        slot = i % (cols * rows)
        x = 20 + (slot % cols) * cell_w
        y = height - 20 - (slot // cols + 1) * cell_h
        pdf.drawImage(ImageReader(io.BytesIO(qr_png(label["qr"], box_size=3))), x + 4, y + 8, cell_h - 16,
                      cell_h - 16)
        pdf.setFont(font, 11)
        pdf.drawString(x + cell_h - 6, y + cell_h / 2 + 4, label["caption"][:18])
        pdf.setFont(font, 8)
        pdf.drawString(x + cell_h - 6, y + cell_h / 2 - 10, label["detail"][:22])
    pdf.showPage()
    pdf.save()
    return out.getvalue()
