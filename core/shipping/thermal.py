"""Labels for thermal label printers: the same label data drawn as ZPL (Zebra), TSPL (TSC, Gprinter, Xprinter),
a PDF of the label's size, or an image — pure functions from label data, size and resolution to bytes.

A label is laid out once, as elements placed in the printer's dots (lines of text, rules, a Code 128 symbol, a
QR code); each printer language then says those elements its own way. Text goes one of two ways, chosen per
printer (`TextMode`):

- FONT: the printer's own fonts draw the text. Chinese needs a CJK font in the printer: ZPL selects UTF-8
  (`^CI28`) and a TrueType font stored in the printer (Zebra's Simplified Chinese `E:ANMDS.TTF` by default);
  TSPL uses the 24-dot GB font built into printers sold in China (`TSS24.BF2`), so its text is sent in GB18030
  and comes in multiples of 24 dots. Jobs are a few kilobytes, and barcodes are drawn by the printer.
- BITMAP: fahuo draws the whole label with the font it ships (WenQuanYi Micro Hei) and sends it as one image
  (ZPL `^GFA`, TSPL `BITMAP`). Every printer prints every glyph, with no font to install, and the label looks
  exactly like its preview; the job is larger (an image of the label, tens of kilobytes on a network that
  carries megabytes a second).

Sources: Zebra's ZPL II Programming Guide (^CI, ^CW, ^A, ^FH, ^BC, ^BY, ^BQ, ^GB, ^GF, ~HS) and TSC's TSPL/TSPL2
Programming Manual as printed by TSC and Gprinter (SIZE, GAP, TEXT, BAR, BARCODE, QRCODE, BITMAP, <ESC>!?).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from PIL import Image, ImageDraw
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from core.base.fonts import image_font
from core.floor.barcode import QUIET, code128_bars
from core.floor.qr import qr_modules
from core.shipping.labels import PackageLabel, wrap


class PrinterLanguage(StrEnum):
    ZPL = "zpl"
    TSPL = "tspl"
    PDF = "pdf"  # an office or label printer behind CUPS that prints PDF


class TextMode(StrEnum):
    FONT = "font"
    BITMAP = "bitmap"


class LabelSize(StrEnum):
    MM_100X150 = "100x150"
    MM_76X130 = "76x130"


DOTS_PER_MM = {203: 8, 300: 12}  # what printer makers mean by 203 and 300 dpi
ZPL_CJK_FONT = "E:ANMDS.TTF"  # Zebra's Simplified Chinese TrueType font, as stored on the printer
TSPL_CJK_FONT = "TSS24.BF2"  # TSPL's built-in Simplified Chinese font: 24 × 24 dots, GB code
TSPL_FONT_DOTS = 24


@dataclass(frozen=True)
class Media:
    """A roll of labels in a printer: their size and the printer's resolution."""

    size: LabelSize
    dpi: int

    @property
    def mm(self) -> tuple[int, int]:
        width, height = self.size.value.split("x")
        return int(width), int(height)

    @property
    def dots_per_mm(self) -> int:
        return DOTS_PER_MM[self.dpi]

    @property
    def width(self) -> int:
        return self.mm[0] * self.dots_per_mm

    @property
    def height(self) -> int:
        return self.mm[1] * self.dots_per_mm


# -- what a label is made of, in dots from the top left ---------------------------------------------------


@dataclass(frozen=True)
class Text:
    x: int
    y: int
    size: int  # the height of the type in dots
    value: str  # one line


@dataclass(frozen=True)
class Rule:
    x: int
    y: int
    width: int
    thickness: int


@dataclass(frozen=True)
class Bars:
    """A Code 128 symbol; x is the left edge of its quiet zone."""

    x: int
    y: int
    height: int
    module: int  # dots per narrowest bar
    value: str


@dataclass(frozen=True)
class Qr:
    """A QR code; (x, y) is the corner of its quiet zone."""

    x: int
    y: int
    module: int
    value: str


Element = Text | Rule | Bars | Qr
Page = list[Element]
Snap = Callable[[int], int]  # the type size a printer can print nearest to the one asked for


def any_size(size: int) -> int:
    return size


def tspl_font_size(size: int) -> int:
    """TSPL's built-in CJK font is 24 dots high, enlarged by whole multiples only."""
    return TSPL_FONT_DOTS * max(1, round(size / TSPL_FONT_DOTS))


def snap_for(language: PrinterLanguage, mode: TextMode) -> Snap:
    return tspl_font_size if language == PrinterLanguage.TSPL and mode == TextMode.FONT else any_size


class _Pen:
    """Writes lines down the label from the top margin, keeping the place of the next one."""

    def __init__(self, media: Media, snap: Snap) -> None:
        self.d = media.dots_per_mm
        self.scale = media.mm[0] / 100  # type sizes were chosen for 100 mm wide labels
        self.margin = 3 * self.d
        self.inner = media.width - 2 * self.margin
        self.y = self.margin
        self.snap = snap
        self.page: Page = []

    def size(self, millimetres: float) -> int:
        return self.snap(max(12, round(millimetres * self.d * self.scale)))

    def lines(self, value: str, size: int) -> list[str]:
        return wrap(value, image_font(size), self.inner * 0.97)  # printers' fonts run a little wider than ours

    def write(self, lines: list[str], size: int, x: int | None = None) -> None:
        for line in lines:
            self.page.append(Text(self.margin if x is None else x, self.y, size, line))
            self.y += round(size * 1.25)

    def text(self, value: str, millimetres: float) -> None:
        size = self.size(millimetres)
        self.write(self.lines(value, size), size)

    def rule(self, thickness_mm: float = 0.4) -> None:
        self.y += self.d
        thickness = max(2, round(thickness_mm * self.d))
        self.page.append(Rule(self.margin, self.y, self.inner, thickness))
        self.y += thickness + self.d


def _fitted(pen: _Pen, address: str, box_mm: float) -> tuple[list[str], int]:
    """The whole address in the largest type that fits its part of the label: nothing is cut off."""
    for millimetres in (4.5, 4.0, 3.5, 3.0, 2.5):
        size = pen.size(millimetres)
        lines = pen.lines(address, size)
        if len(lines) * round(size * 1.25) <= box_mm * pen.d * pen.scale:
            break
    return lines, size


def _barcode(pen: _Pen, value: str, height_mm: float) -> None:
    _, modules = code128_bars(value)
    module = max(1, min(pen.d // 2, (pen.inner + 2 * pen.margin) // modules))  # whole dots: scanners need even bars
    left = (pen.inner + 2 * pen.margin - modules * module) // 2
    height = round(height_mm * pen.d * pen.scale)
    pen.page.append(Bars(left, pen.y, height, module, value))
    pen.y += height + pen.d


# The carrier's routing fields a label shows, by the carrier's names for them: what the sorting centres read
# large (the 大头笔 kuaidi100 passes on, SF's destination route label and inbound mapping code), then the
# service, transfer codes, sorting centre and bag.
ROUTING_LARGE = ("bulkpen", "destRouteLabel", "codingMapping")
ROUTING_SMALL = ("proName", "codingMappingOut", "sourceTransferCode", "destTransferCode", "destTeamCode",
                 "destSortingName", "pkgName")


def routing_lines(routing: dict[str, str]) -> list[tuple[str, float]]:
    """The routing fields as lines of text and their type size in mm; fields for machines (SF's own QR data,
    the other packages' waybills) are left to the carrier's own label."""
    lines = []
    for keys, millimetres in ((ROUTING_LARGE, 8.0), (ROUTING_SMALL, 3.5)):
        if values := [routing[k] for k in keys if routing.get(k)]:
            lines.append(("  ".join(values), millimetres))
    return lines


# How a crowded label makes room, tried in turn until everything fits above the bottom margin: the address's
# box first (its type gets smaller, never cut), then our QR (still large enough for a phone's camera).
SQUEEZES = ((30, 30), (24, 30), (20, 26), (16, 24), (12, 20), (10, 18))


def package_page(label: PackageLabel, media: Media, snap: Snap = any_size) -> Page:
    """A package's label: carrier, routing, waybill barcode, recipient and address, sender and the warehouse it
    left, and our QR beside which box of which order it is and its weight; nothing runs over anything else or
    off the label, however long the address."""
    for address_mm, qr_mm in SQUEEZES:
        pen = _Pen(media, snap)
        _top(pen, label, address_mm)
        _corner(pen, label, media, qr_mm)
        if pen.y <= media.height - pen.margin // 2:
            break
    return pen.page


def _top(pen: _Pen, label: PackageLabel, address_mm: float) -> None:
    pen.text(label.carrier, 5.5)
    for line, millimetres in routing_lines(label.routing):
        pen.text(line, millimetres)
    if label.waybill:
        _barcode(pen, label.waybill, 15)
        pen.text(label.waybill, 4.5)
    if label.master:
        pen.text(label.master, 3.2)
    pen.rule(0.6)
    pen.text(label.to_heading, 3)
    pen.text(label.recipient, 5.5)
    pen.write(*_fitted(pen, label.address, address_mm))
    pen.rule()
    pen.text(label.from_heading, 2.5)
    pen.text(label.sender, 3.2)
    if label.sender_address:
        pen.text(label.sender_address, 2.8)
    pen.rule()


def _qr_module(value: str, millimetres: float, pen: _Pen) -> tuple[int, int]:
    """The module (dots) of a QR code as large as `millimetres` allows, and its side without the quiet zone."""
    count = len(qr_modules(value))
    module = max(2, min(10, round(millimetres * pen.d * pen.scale) // count))  # ZPL and TSPL enlarge up to 10×
    return module, count * module


def _corner(pen: _Pen, label: PackageLabel, media: Media, qr_mm: float) -> None:
    """Our QR, as large as `qr_mm` allows, in the bottom corner; the carrier's own QR (where it gives one) in
    the other; between them, clear of both codes' quiet zones, which box of which order, its weight. Leaves
    the pen below the lowest of them."""
    module, side = _qr_module(label.qr, qr_mm, pen)
    theirs, their_side = _qr_module(label.carrier_qr, qr_mm * 0.75, pen) if label.carrier_qr else (0, 0)
    x = pen.margin + side + 4 * module  # after our QR's quiet zone
    right = media.width - pen.margin - (their_side + 4 * theirs if label.carrier_qr else 0)
    words = []
    for value, millimetres in ((label.box, 4.5), (label.package, 3.2), (label.order, 3.2), (label.weight, 3.2)):
        size = pen.size(millimetres)
        words.append((wrap(value, image_font(size), right - pen.d - x), size))
    tall = sum(len(lines) * round(size * 1.25) + pen.d for lines, size in words)
    # the codes' quiet zones stay clear of the rule above; everything ends at the bottom margin when it can
    top = max(pen.y + 4 * max(module, theirs), media.height - pen.margin - max(side, their_side, tall))
    pen.page.append(Qr(pen.margin - 4 * module, top - 4 * module, module, label.qr))  # quiet zone in the margin
    if label.carrier_qr:
        pen.page.append(Qr(right, top - 4 * theirs, theirs, label.carrier_qr))
    pen.y = top
    for lines, size in words:
        pen.write(lines, size, x=x)
        pen.y += pen.d
    pen.y = max(pen.y - pen.d, top + side, top + their_side)


def shelf_page(qr: str, caption: str, detail: str, media: Media, snap: Snap = any_size) -> Page:
    """A location's or a product's label on a thermal roll: a QR to read from a step away, the code large."""
    pen = _Pen(media, snap)
    count = len(qr_modules(qr))
    module = max(2, min(10, (media.width * 7 // 10) // count))
    side = count * module
    pen.page.append(Qr((media.width - side) // 2, pen.y, module, qr))
    pen.y += side + pen.d
    pen.text(caption, 10)
    pen.text(detail, 5)
    return pen.page


# -- ZPL --------------------------------------------------------------------------------------------------


def _zpl_field(value: str) -> str:
    """Field data with ZPL's own characters written as hex (^FH_): a customer's '^' cannot end the field."""
    return "".join(f"_{ord(c):02X}" if c in "^~_" else c for c in value)


def _zpl_element(element: Element) -> str:
    match element:
        case Text(x, y, size, value):
            return f"^FO{x},{y}^A1N,{size},{size}^FH_^FD{_zpl_field(value)}^FS"
        case Rule(x, y, width, thickness):
            return f"^FO{x},{y}^GB{width},{thickness},{thickness}^FS"
        case Bars(x, y, height, module, value):  # '>' starts a subset switch in ^BC data; '><' is a '>'
            return (f"^FO{x + QUIET * module},{y}^BY{module}^BCN,{height},N,N,N"
                    f"^FH_^FD{_zpl_field(value.replace('>', '><'))}^FS")
        case Qr(x, y, module, value):  # model 2; M error correction, automatic data input
            return f"^FO{x + 4 * module},{y + 4 * module}^BQN,2,{module}^FH_^FDMA,{_zpl_field(value)}^FS"
    raise TypeError(element)


def zpl_hex_rows(image: Image.Image) -> str:
    """A 1-bit image as ^GF's ASCII hex, 1 for a black dot, with ZPL's compression: ',' ends a row whose rest is
    white, ':' repeats the row above."""
    ink = image.convert("L").point(lambda v: 255 if v < 128 else 0).convert("1")
    row_bytes = (image.width + 7) // 8
    data, out, previous = ink.tobytes(), [], None
    for r in range(image.height):
        row = data[r * row_bytes:(r + 1) * row_bytes].hex().upper()
        if row == previous:
            out.append(":")
            continue
        previous = row
        kept = row.rstrip("0")
        out.append(kept + "," if len(kept) < len(row) else row)
    return "".join(out)


def zpl(pages: list[Page], media: Media, mode: TextMode, font: str = ZPL_CJK_FONT) -> bytes:
    """One ZPL label format per page, in UTF-8 (^CI28)."""
    formats = []
    for page in pages:
        head = f"^XA^CI28^PW{media.width}^LL{media.height}^LH0,0"
        if mode == TextMode.BITMAP:
            image = raster(page, media)
            total = (image.width + 7) // 8 * image.height
            body = f"^FO0,0^GFA,{total},{total},{(image.width + 7) // 8},{zpl_hex_rows(image)}^FS"
        else:
            body = f"^CW1,{font}" + "".join(_zpl_element(e) for e in page)
        formats.append(f"{head}{body}^PQ1^XZ\n")
    return "".join(formats).encode("utf-8")


# -- TSPL -------------------------------------------------------------------------------------------------


def _tspl_quoted(value: str) -> str:
    return '"' + value.replace('"', '\\["]') + '"'  # TSPL writes a double quote inside a string as \["]


def _tspl_element(element: Element) -> str:
    match element:
        case Text(x, y, size, value):
            k = size // TSPL_FONT_DOTS
            return f'TEXT {x},{y},"{TSPL_CJK_FONT}",0,{k},{k},{_tspl_quoted(value)}'
        case Rule(x, y, width, thickness):
            return f"BAR {x},{y},{width},{thickness}"
        case Bars(x, y, height, module, value):  # no printed digits: the number is a text line of its own
            return f'BARCODE {x + QUIET * module},{y},"128",{height},0,0,{module},{module},{_tspl_quoted(value)}'
        case Qr(x, y, module, value):
            return f"QRCODE {x + 4 * module},{y + 4 * module},M,{module},A,0,{_tspl_quoted(value)}"
    raise TypeError(element)


def tspl_bitmap(image: Image.Image) -> bytes:
    """A 1-bit image as TSPL's BITMAP data: rows of bytes, a set bit a white dot (TSPL prints the cleared ones)."""
    return image.convert("L").point(lambda v: 255 if v >= 128 else 0).convert("1").tobytes()


def tspl(pages: list[Page], media: Media, mode: TextMode) -> bytes:
    """One label per page; text in GB18030, as the built-in Chinese font reads it."""
    width, height = media.mm
    out = bytearray()
    for page in pages:
        out += f"SIZE {width} mm,{height} mm\r\nGAP 2 mm,0 mm\r\nDIRECTION 1,0\r\nREFERENCE 0,0\r\nCLS\r\n".encode()
        if mode == TextMode.BITMAP:
            image = raster(page, media)
            out += f"BITMAP 0,0,{(image.width + 7) // 8},{image.height},0,".encode() + tspl_bitmap(image) + b"\r\n"
        else:
            out += "".join(_tspl_element(e) + "\r\n" for e in page).encode("gb18030")
        out += b"PRINT 1,1\r\n"
    return bytes(out)


# -- drawn by fahuo: an image of the label, and a PDF of its size ---------------------------------------------


def raster(page: Page, media: Media) -> Image.Image:
    """The label as the printer would print it, drawn with fahuo's font (grey levels 0 and 255 only)."""
    image = Image.new("L", (media.width, media.height), 255)
    draw = ImageDraw.Draw(image)
    for element in page:
        match element:
            case Text(x, y, size, value):
                draw.text((x, y), value, font=image_font(size), fill=0)
            case Rule(x, y, width, thickness):
                draw.rectangle((x, y, x + width - 1, y + thickness - 1), fill=0)
            case Bars(x, y, height, module, value):
                for start, bar in code128_bars(value)[0]:
                    draw.rectangle((x + start * module, y, x + (start + bar) * module - 1, y + height - 1), fill=0)
            case Qr(x, y, module, value):
                for r, row in enumerate(qr_modules(value)):
                    for c, dark in enumerate(row):
                        if dark:
                            draw.rectangle((x + c * module, y + r * module, x + (c + 1) * module - 1,
                                            y + (r + 1) * module - 1), fill=0)
    return image.point(lambda v: 0 if v < 128 else 255)  # a thermal head burns a dot or it does not


PREVIEW = Media(LabelSize.MM_100X150, 203)  # the label a packer sees on screen: 800 × 1200 dots


def label_png(label: PackageLabel) -> bytes:
    """The package's label as an image, laid out as a 100 × 150 mm printer at 203 dpi prints it."""
    out = io.BytesIO()
    raster(package_page(label, PREVIEW), PREVIEW).save(out, format="PNG")
    return out.getvalue()


def label_pdf(pages: list[Page], media: Media) -> bytes:
    """Pages of the label's own size, for a printer that takes PDF."""
    width, height = media.mm
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(width * mm, height * mm))
    for page in pages:
        png = io.BytesIO()
        raster(page, media).save(png, format="PNG")
        pdf.drawImage(ImageReader(png), 0, 0, width * mm, height * mm)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def render(pages: list[Page], language: PrinterLanguage, media: Media, mode: TextMode) -> bytes:
    """The bytes a printer of `language` prints `pages` from."""
    if language == PrinterLanguage.ZPL:
        return zpl(pages, media, mode)
    if language == PrinterLanguage.TSPL:
        return tspl(pages, media, mode)
    return label_pdf(pages, media)
