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
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from core.base.errors import InvalidInput
from core.base.fonts import image_font, pdf_font
from core.base.i18n import phrase, render, words_in
from core.base.settings import Settings
from core.floor.barcode import code128_bars
from core.floor.qr import Kind, encode, qr_png, qr_svg
from core.shipping.documents import order_address
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
    sender: str
    carrier: str
    waybill: str | None  # printed as a Code 128 barcode for the carrier's scanners
    # the carrier's routing fields, as it named them (SF: destRouteLabel, codingMapping, proCode,
    # twoDimensionCode, …): a thermal label prints them where the carrier's layout puts them
    routing: dict[str, str] = field(default_factory=dict)
    master: str = ""  # on a further package of several: "master waybill <the shipment's>", beside its own
    carrier_qr: str = ""  # the carrier's own QR data for this package's waybill (SF's twoDimensionCode)


async def package_label(number: str, lang: str, settings: Settings) -> PackageLabel:
    package = await package_by_number(number)
    shipment = package.shipment
    await shipment.fetch_related("carrier")
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
        to_heading=say("label.to"), recipient=f"{order.recipient}  {order.phone}",
        address=f"{order_address(order)} {order.postcode}".strip(), from_heading=say("label.from"),
        sender=f"{settings.company_name}  {settings.company_phone}",
        carrier=render(shipment.carrier.names, lang) if shipment.carrier else say("label.no_waybill"), waybill=own,
        routing=routing, master=master, carrier_qr=carrier_qr(routing, own, shipment.waybill))


def carrier_qr(routing: dict[str, str], waybill: str | None, main: str | None) -> str:
    """The carrier's QR data for one package's waybill: only what the carrier gave for that waybill (SF's
    code names it), never the main waybill's on another package."""
    if waybill and waybill != main:
        return routing.get(f"twoDimensionCode:{waybill}", "")
    return routing.get("twoDimensionCode", "")


async def package_qr_svg(number: str) -> str:
    package = await package_by_number(number)
    return qr_svg(encode(Kind.PACKAGE, package.number))


# -- drawing a package label: 100 × 150 mm at 8 dots per mm, the size thermal label printers take ------------

WIDTH, HEIGHT, MARGIN = 800, 1200, 32
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


def _fitted(address: str, width: int) -> tuple[list[str], int]:
    """The whole address in the largest type that fits its part of the label (at most 280 dots high)."""
    for size in (36, 32, 28, 24, 20, 17):
        lines = wrap(address, image_font(size), width)
        if len(lines) * round(size * 1.28) <= 280:
            break
    return lines, size


def _barcode(draw: ImageDraw.ImageDraw, value: str, top: int, height: int) -> None:
    bars, modules = code128_bars(value)
    module = max(2, (WIDTH - 2 * MARGIN) // modules)  # whole pixels per module: a scanner needs even bars
    left = (WIDTH - modules * module) // 2
    for x, w in bars:
        draw.rectangle((left + x * module, top, left + (x + w) * module - 1, top + height), fill="black")


def _write(draw: ImageDraw.ImageDraw, y: int, lines: list[str], size: int) -> int:
    """Lines of text from the left margin down; returns where the next line goes."""
    for line in lines:
        draw.text((MARGIN, y), line, font=image_font(size), fill="black")
        y += round(size * 1.28)
    return y


def label_png(label: PackageLabel) -> bytes:
    image = Image.new("L", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    inner = WIDTH - 2 * MARGIN
    y = _write(draw, MARGIN, [label.carrier], 44) + 8
    if label.waybill:
        _barcode(draw, label.waybill, y, 150)
        draw.text((WIDTH // 2, y + 158), label.waybill, font=image_font(34), fill="black", anchor="ma")
        y += 210
    if label.master:
        y = _write(draw, y - 8, [label.master], 26) + 8
    draw.line((MARGIN, y, WIDTH - MARGIN, y), fill="black", width=4)
    y = _write(draw, y + 16, [label.to_heading], 26)
    y = _write(draw, y, wrap(label.recipient, image_font(46), inner), 46)
    y = _write(draw, y, *_fitted(label.address, inner)) + 10
    draw.line((MARGIN, y, WIDTH - MARGIN, y), fill="black", width=2)
    y = _write(draw, y + 12, [label.from_heading], 22)
    y = _write(draw, y, wrap(label.sender, image_font(26), inner), 26)
    _package_corner(image, label, max(y + 16, HEIGHT - MARGIN - 300))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _package_corner(image: Image.Image, label: PackageLabel, top: int) -> None:
    """Our QR for scanning the package onto the vehicle, and beside it which box of which order this is."""
    draw = ImageDraw.Draw(image)
    draw.line((MARGIN, top - 10, WIDTH - MARGIN, top - 10), fill="black", width=2)
    code = Image.open(io.BytesIO(qr_png(label.qr, box_size=8))).convert("L")
    side = min(HEIGHT - MARGIN - top, 300)
    image.paste(code.resize((side, side), Image.Resampling.NEAREST), (MARGIN - 16, top))
    x = MARGIN + side + 8
    for i, (line, size) in enumerate(((label.box, 40), (label.package, 30), (label.order, 28), (label.weight, 28))):
        draw.text((x, top + 24 + i * 60), line, font=image_font(size), fill="black")


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
