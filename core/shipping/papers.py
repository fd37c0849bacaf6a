"""Papers as people read them: a sealed paper's facts said in Chinese or English, times in the local zone,
laid out once (`layout`) and drawn as HTML for the browser's print dialog or as an A4 PDF; and the customer's
tracking page.

The PDF is built with reportlab's platypus (paragraphs that wrap, tables that break over pages with their
heading repeated) in the font fahuo ships (core.base.fonts), embedded, so every glyph prints.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from core.base.fonts import pdf_font
from core.base.i18n import local_day, local_moment, named, render, status_word, text, words_in, zone_named
from core.base.phones import display_phone, masked_phone
from core.base.settings import Settings
from core.floor.barcode import code128_svg
from core.floor.qr import qr_png, qr_svg
from core.shipping.documents import DocumentKind, paper, paper_language
from core.shipping.shipments import shipment_by_number
from core.shipping.tracking import carrier_words
from core.stock.warehouses import warehouse_label

templates = Environment(loader=PackageLoader("core", "templates"), autoescape=select_autoescape(["html"]))
INK, GREY, RULE, SHADE = colors.HexColor("#111111"), colors.HexColor("#555555"), colors.HexColor("#999999"), \
    colors.HexColor("#EEF3F2")
SIGNED_BY = {DocumentKind.DELIVERY_NOTE: "paper.sign.recipient", DocumentKind.CONFIRMATION: "paper.sign.carrier"}


@dataclass(frozen=True)
class Party:
    heading: str
    name: str
    lines: list[str]


@dataclass(frozen=True)
class Layout:
    """A paper in one language: every word and time already said, for the HTML and the PDF alike."""

    lang: str
    title: str
    number: str
    reference: str  # the bare number, for the footer and file name
    issued: str
    parties: list[Party]
    facts: list[tuple[str, str]]
    head: list[str]
    rows: list[list[str]]
    numeric_from: int  # columns from here on are numbers: right-aligned
    foot: list[str]
    note: str
    qr: str
    qr_caption: str
    barcode: str | None = None
    signatures: list[str] = field(default_factory=list)


def paper_zone(content: dict[str, Any], settings: Settings) -> ZoneInfo:
    """The zone a paper says its times in: its warehouse's as sealed (the company's for papers sealed before
    warehouses kept one)."""
    return zone_named(content["warehouse"].get("time_zone"), settings.tz)


def _money(value: str) -> str:
    return f"{Decimal(value):,.2f}"


async def printed_paper(kind: DocumentKind, shipment_number: str, actor: str, settings: Settings,
                        lang: str | None = None) -> Layout:
    """A shipment's paper as it prints: its content (issued now when it must be), laid out in `lang`, or in the
    language it prints in when nobody asks (the customer's or the company's, `paper_language`)."""
    shipment = await shipment_by_number(shipment_number)
    content = await paper(kind, shipment, actor, settings)
    return layout(content, lang or await paper_language(kind, shipment, settings), settings)


def product_name(line: dict[str, Any], lang: str) -> str:
    return (line.get("name_zh") or line["name"]) if lang == "zh" else (line["name"] or line.get("name_zh", ""))


def layout(content: dict[str, Any], lang: str, settings: Settings) -> Layout:
    """What the paper says in `lang`. Prices show on the delivery note only when the company wants them."""
    if "version" not in content:
        return _first_version(content, lang)
    say = words_in(lang)
    kind = DocumentKind(content["kind"])
    prices = kind == DocumentKind.DELIVERY_NOTE and settings.papers_show_prices
    head, rows, foot = _goods(content, lang, prices)
    is_waybill = kind == DocumentKind.WAYBILL
    tz = paper_zone(content, settings)
    return Layout(
        lang=lang, title=say(f"paper.title.{kind.value}"), number=say("paper.number", number=content["number"]),
        reference=content["number"],
        issued=say("paper.issued", at=local_moment(content["issued_at"], tz, lang, year=True)),
        parties=_parties_of(content, say, masked=is_waybill and settings.labels_mask_phones),
        facts=_facts_of(content, kind, lang, tz), head=head, rows=rows,
        numeric_from=3, foot=foot, note=say(f"paper.note.{kind.value}"), qr=_qr_of(content, settings),
        qr_caption=say("paper.scan_tracking" if content.get("tracking") else
                       "paper.scan_waybill" if is_waybill else "paper.scan"), barcode=content["waybill"],
        signatures=[say(SIGNED_BY[kind]), say("paper.sign.date")] if kind in SIGNED_BY else [],
    )


def _qr_of(content: dict[str, Any], settings: Settings) -> str:
    """What a paper's QR holds: the customer's tracking link on a delivery note (a phone's camera opens it; the
    staff app's look-up reads it as the order), else the typed code sealed with it."""
    if content.get("tracking"):
        return f"{settings.base_url}/t/{content['tracking']}"
    return content["qr"]


def _parties_of(content: dict[str, Any], say: Callable[..., str], masked: bool) -> list[Party]:
    """Who sends (the company as it was when the paper was issued) and who receives; the recipient's phone with
    its middle hidden on a paper that travels on the parcel (`masked`: the waybill), whole on those staff keep."""
    sender, recipient = content["sender"], content["recipient"]
    postcode = [say("paper.postcode", postcode=recipient["postcode"])] if recipient["postcode"] else []
    phone = (masked_phone if masked else display_phone)(recipient["phone"])
    return [
        Party(say("paper.sender"), sender["name"],
              [sender["address"], say("paper.phone", phone=display_phone(sender["phone"]))]),
        Party(say("paper.recipient"), recipient["name"], [recipient["address"], say("paper.phone", phone=phone),
                                                          *postcode]),
    ]


def _facts_of(content: dict[str, Any], kind: DocumentKind, lang: str, tz: ZoneInfo) -> list[tuple[str, str]]:
    """The paper's facts, dates in words ("11月29日（周日）", "Sun 29 Nov") and moments in the warehouse's zone,
    with their year: a paper is kept."""
    say = words_in(lang)
    none, warehouse = say("paper.none"), content["warehouse"]

    def day(value: str | None) -> str:
        return local_day(value, lang, weekday=True) if value else none
    facts = [
        (say("paper.order"), content["order"]), (say("paper.shipment"), content["shipment"]),
        (say("paper.carrier"), render(named(content["carrier"], content.get("carrier_zh")), lang)
         if content["carrier"] else none), (say("paper.waybill"), content["waybill"] or none),
        (say("paper.requested"), day(content["requested_date"])),
        (say("paper.warehouse"), render(warehouse_label(warehouse["code"], warehouse["name"],
                                                        warehouse.get("name_zh", "")), lang)),
        (say("paper.packages"), say("paper.packages_value", count=content["packages"])),
        (say("paper.weight"), say("paper.weight_value", kg=f"{content['weight_g'] / 1000:.2f}")),
    ]
    if kind == DocumentKind.WAYBILL:
        facts.append((say("paper.eta"), day(content["eta"])))
    if "dispatch" in content:
        dispatch = content["dispatch"]
        at = local_moment(dispatch["at"], tz, lang, year=True) if dispatch["at"] else none
        facts += [(say("paper.vehicle"), dispatch["vehicle"] or none),
                  (say("paper.dispatched_at"), at),
                  (say("paper.dispatched_by"), dispatch["by"] or none)]
    return facts


def _goods(content: dict[str, Any], lang: str, prices: bool) -> tuple[list[str], list[list[str]], list[str]]:
    """The goods table: heading, one row per line, and the totals row."""
    say = words_in(lang)
    head = [say("paper.col.line"), say("paper.col.sku"), say("paper.col.product"), say("paper.col.qty")]
    rows = [[str(i), line["sku"], product_name(line, lang), str(line["qty"])]
            for i, line in enumerate(content["lines"], start=1)]
    foot = ["", "", say("paper.total"), str(sum(line["qty"] for line in content["lines"]))]
    if prices:
        head += [say("paper.col.price", currency=content["currency"]),
                 say("paper.col.amount", currency=content["currency"])]
        for row, line in zip(rows, content["lines"], strict=True):
            row += [_money(line["unit_price"]), _money(line["amount"])]
        foot += ["", _money(content["total"])]
    return head, rows, foot


def _first_version(content: dict[str, Any], lang: str) -> Layout:
    """A paper sealed before papers carried bare facts: its labelled fields, as they were sealed."""
    return Layout(lang=lang, title=content["title"], number=f"No. {content['number']}", reference=content["number"],
                  issued=content["issued_at"], parties=[], facts=[(k, v) for k, v in content["fields"]],
                  head=content["table"]["head"], rows=content["table"]["rows"], numeric_from=2, foot=[], note="",
                  qr=content["qr"], qr_caption="")


# -- HTML -----------------------------------------------------------------------------------------------


@cache
def logo_data_uri(path: Path | None) -> str | None:
    if path is None:
        return None
    kind = "jpeg" if path.suffix.lower() in (".jpg", ".jpeg") else "png"
    return f"data:image/{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"


def render_html(paper: Layout, settings: Settings) -> str:
    return templates.get_template("document.html").render(
        doc=paper, company=settings.company_name, logo=logo_data_uri(settings.company_logo),
        qr=Markup(qr_svg(paper.qr)), barcode=Markup(code128_svg(paper.barcode)) if paper.barcode else None)


# -- PDF ------------------------------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    font = pdf_font()
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=13, textColor=INK, wordWrap="CJK")
    return {
        "base": base,
        "small": ParagraphStyle("small", base, fontSize=8, leading=10.5, textColor=GREY),
        "company": ParagraphStyle("company", base, fontSize=13, leading=16),
        "title": ParagraphStyle("title", base, fontSize=20, leading=24, alignment=TA_RIGHT),
        "right": ParagraphStyle("right", base, alignment=TA_RIGHT),
        "name": ParagraphStyle("name", base, fontSize=12, leading=15),
        "head": ParagraphStyle("head", base, fontSize=9, textColor=colors.white),
        "head_right": ParagraphStyle("head_right", base, fontSize=9, textColor=colors.white, alignment=TA_RIGHT),
    }


def _p(value: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(value), style)


def _table(rows: list[list[Any]], widths: list[float], style: list[tuple[Any, ...]], **options: Any) -> Table:
    """A table whose cells also write in fahuo's font (a table's own default would be Helvetica)."""
    table = Table(rows, colWidths=widths, **options)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), pdf_font()), *style]))
    return table


def _header(paper: Layout, settings: Settings, s: dict[str, ParagraphStyle], width: float) -> Table:
    """The company's logo and name on the left (its address is in the sender block), the paper on the right."""
    logo: Flowable | str = ""
    if settings.company_logo is not None:
        logo = Image(str(settings.company_logo), width=16 * mm, height=16 * mm, kind="proportional")
    company = [_p(settings.company_name, s["company"])]
    title = [_p(paper.title, s["title"]), _p(paper.number, s["right"]), _p(paper.issued, s["right"])]
    return _table([[logo, company, title]], [19 * mm, width * 0.5 - 19 * mm, width * 0.5],
                  [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0)])


def _parties(paper: Layout, s: dict[str, ParagraphStyle], width: float) -> Table:
    cells = [[_p(p.heading, s["small"]), _p(p.name, s["name"]), *[_p(line, s["base"]) for line in p.lines]]
             for p in paper.parties]
    return _table([cells], [width / 2] * 2,
                  [("VALIGN", (0, 0), (-1, -1), "TOP"), ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                   ("LINEAFTER", (0, 0), (0, 0), 2, colors.white),
                   ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 8)])


def _facts(paper: Layout, s: dict[str, ParagraphStyle], width: float) -> Table:
    """Label and value, two pairs a row; a long value wraps within its cell."""
    pairs = [[_p(label, s["small"]), _p(value, s["base"])] for label, value in paper.facts]
    rows = [pairs[i] + (pairs[i + 1] if i + 1 < len(pairs) else ["", ""]) for i in range(0, len(pairs), 2)]
    return _table(rows, [width * 0.16, width * 0.34] * 2,
                  [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                   ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)])


def _goods_table(paper: Layout, s: dict[str, ParagraphStyle], width: float) -> Table:
    n = len(paper.head)
    numbers = n - paper.numeric_from
    name_width = width - 12 * mm - 32 * mm - numbers * 24 * mm
    widths = [12 * mm, 32 * mm, name_width, *[24 * mm] * numbers][:n]

    def cells(row: list[str], plain: ParagraphStyle, right: ParagraphStyle) -> list[Paragraph]:
        return [_p(v, right if i >= paper.numeric_from else plain) for i, v in enumerate(row)]

    data = [cells(paper.head, s["head"], s["head_right"])]
    data += [cells(row, s["base"], s["right"]) for row in paper.rows]
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1F5F58")),
             ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE)]
    if paper.foot:
        data.append(cells(paper.foot, s["base"], s["right"]))
        style += [("LINEABOVE", (0, -1), (-1, -1), 1, INK), ("BACKGROUND", (0, -1), (-1, -1), SHADE)]
    return _table(data, widths, style, repeatRows=1)


def _codes(paper: Layout, s: dict[str, ParagraphStyle], width: float) -> Table:
    """The QR code to scan, and the waybill number as a Code 128 barcode for the carrier's scanners, as wide as
    its number needs (narrower bars only when its column cannot hold it); the note below them, so no barcode
    runs into it."""
    qr = Image(io.BytesIO(qr_png(paper.qr, box_size=4)), width=28 * mm, height=28 * mm)
    left: list[Flowable] = [qr, _p(paper.qr_caption, s["small"])]
    right: list[Flowable] = []
    room = width - 34 * mm - 12  # the barcode's column, less its cell's padding
    if paper.barcode:
        bars = Code128(paper.barcode, barHeight=14 * mm, barWidth=0.33 * mm)
        if bars.width > room:
            bars = Code128(paper.barcode, barHeight=14 * mm, barWidth=0.33 * mm * room / bars.width)
        right = [bars, Spacer(1, 2), _p(paper.barcode, s["base"])]
    return _table([[left, right], [_p(paper.note, s["small"]), ""]], [34 * mm, width - 34 * mm],
                  [("VALIGN", (0, 0), (-1, -1), "TOP"), ("SPAN", (0, 1), (1, 1))])


def _signatures(paper: Layout, s: dict[str, ParagraphStyle], width: float) -> Table:
    """签收: a line to sign on and a line for the date."""
    signer, day = paper.signatures
    colon = "：" if paper.lang == "zh" else ":"
    return _table([[_p(signer + colon, s["base"]), "", _p(day + colon, s["base"]), ""]],
                  [width * 0.3, width * 0.35, width * 0.1, width * 0.25],
                  [("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LINEBELOW", (1, 0), (1, 0), 0.8, INK),
                   ("LINEBELOW", (3, 0), (3, 0), 0.8, INK)], rowHeights=[14 * mm])


def render_pdf(paper: Layout, settings: Settings) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=14 * mm,
                            bottomMargin=16 * mm, title=f"{paper.title} {paper.reference}",
                            author=settings.company_name,
                            initialFontName=pdf_font())  # not Helvetica, the one font a paper would not carry
    s, width = _styles(), doc.width
    story: list[Flowable] = [_header(paper, settings, s, width),
                             HRFlowable(width="100%", thickness=1.2, color=INK, spaceBefore=4, spaceAfter=8)]
    if paper.parties:
        story += [_parties(paper, s, width), Spacer(1, 6)]
    story += [_facts(paper, s, width), Spacer(1, 10), _goods_table(paper, s, width), Spacer(1, 12)]
    tail: list[Flowable] = [_codes(paper, s, width)]
    if paper.signatures:
        tail += [Spacer(1, 6), _signatures(paper, s, width)]
    story.append(KeepTogether(tail))

    def footer(canvas: Canvas, _doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(pdf_font(), 8)
        canvas.setFillColor(GREY)
        canvas.drawString(15 * mm, 9 * mm, settings.company_name)
        canvas.drawRightString(A4[0] - 15 * mm, 9 * mm,
                               text("paper.page", paper.lang, number=paper.reference, page=canvas.getPageNumber()))
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


# -- the customer's tracking page -----------------------------------------------------------------------

def _offset(tz: ZoneInfo) -> str:
    offset = datetime.now(tz).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"


def tracking_steps(view: dict[str, Any], lang: str, tz: ZoneInfo) -> list[dict[str, str]]:
    """The journey, newest first: the carrier's events and our own (the parcel left the warehouse)."""
    events = [{"at": e["at"], "what": status_word("tracking", e["code"], lang),
               "detail": carrier_words(e["code"], e["description"], lang), "place": e["place"]} for e in view["events"]]
    if view["dispatched_at"]:
        events.append({"at": view["dispatched_at"], "what": text("tracking.left_warehouse", lang), "detail": "",
                       "place": ""})
    events.sort(key=lambda e: datetime.fromisoformat(e["at"]), reverse=True)
    return [{**e, "at": local_moment(e["at"], tz, lang)} for e in events]


def tracking_html(view: dict[str, Any], lang: str, settings: Settings, tz: ZoneInfo) -> str:
    """The page behind the link in the customer's message, in their language and time zone (`tz`)."""
    latest = view["events"][-1]["code"] if view["events"] else None
    status = status_word("tracking", latest, lang) if latest else status_word("shipment", view["status"], lang)
    return templates.get_template("tracking.html").render(
        t=render(view, lang), lang=lang, say=words_in(lang), status=status, delivered=view["status"] == "delivered",
        steps=tracking_steps(view, lang, tz), eta=local_day(view["eta"], lang, weekday=True) if view["eta"] else None,
        offset=_offset(tz),
        other="en" if lang == "zh" else "zh", company=settings.company_name,
        logo=logo_data_uri(settings.company_logo), **_company_phone(settings))


def tracking_missing_html(lang: str, settings: Settings) -> str:
    """What someone with a broken or unknown link sees: a page that says so and how to reach us, not an error."""
    return templates.get_template("tracking.html").render(
        t=None, lang=lang, say=words_in(lang), other="en" if lang == "zh" else "zh",
        company=settings.company_name, logo=logo_data_uri(settings.company_logo), **_company_phone(settings))


def _company_phone(settings: Settings) -> dict[str, str]:
    """The company's phone as the page writes it, and as a phone dials it."""
    return {"phone": display_phone(settings.company_phone), "tel": settings.company_phone.replace(" ", "")}
