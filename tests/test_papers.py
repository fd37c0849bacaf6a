"""Papers, package labels and the tracking page as their readers get them, over real HTTP: the PDFs read back
as text, the barcodes decoded, the page in Chinese and English. Every paper and label is also left as a PNG in
test-artifacts/ (or $FAHUO_ARTIFACTS) for a person to look at."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pypdf
import pytest
import zxingcpp
from PIL import Image
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from core.base.fonts import image_font
from core.base.i18n import local_day, local_moment
from core.base.places import written
from core.base.settings import Settings
from core.orders.customers import Customer
from core.orders.order import Order
from core.shipping.documents import Document, DocumentKind, warehouse_address
from core.shipping.labels import PackageLabel, package_label, wrap
from core.shipping.papers import _codes, _styles, carrier_words, layout, render_html, render_pdf
from core.shipping.shipments import Shipment
from core.shipping.thermal import PREVIEW, Text, package_page
from core.stock.warehouses import Warehouse
from tests.artifacts import artifact
from tests.browser import CHROMIUM, chromium
from tests.factories import a_carrier, a_product, a_warehouse, stock
from tests.test_logistics import _one_box, _phones, _pick_all, _place

# long enough that no fixed-width line could hold it: every character must still reach the paper
LONG_LINE1 = ("陆家嘴环路 1000 号恒生银行大厦 36 层 3608 室（北门进入，前台登记后致电收件人；"
              "工作日 9:00–18:00 收货，周末及节假日请勿派送）")
ADDRESS = {"recipient": "欧阳娜娜", "province": "上海", "city": "上海", "district": "浦东新区", "line1": LONG_LINE1,
           "postcode": "200120"}
PDFTOPPM = shutil.which("pdftoppm")
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """This company prints prices on its delivery notes."""
    return settings.model_copy(update={"papers_show_prices": True})


def squashed(value: str) -> str:
    """Text without white space: a wrapped line reads back from a PDF with a line break inside it."""
    return re.sub(r"\s+", "", value)


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def fonts_not_embedded(data: bytes) -> list[str]:
    """Fonts a reader's viewer would have to supply (and might not: boxes instead of glyphs)."""
    missing = []
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
            for d in descendants:
                descriptor = d.get("/FontDescriptor")
                if descriptor is None or not any(k in descriptor.get_object() for k in ("/FontFile", "/FontFile2",
                                                                                       "/FontFile3")):
                    missing.append(str(font["/BaseFont"]))
    return missing


def as_png(pdf: bytes, name: str, dpi: int = 80) -> Path:
    """The PDF's first page as PNG, kept with the test artifacts (pdftoppm, as a person would check it)."""
    target = Path(artifact(name))
    subprocess.run([PDFTOPPM, "-png", "-r", str(dpi), "-singlefile", "-", str(target.with_suffix(""))],
                   input=pdf, check=True, timeout=60)
    return target


def codes_in(image: Image.Image) -> list[tuple[str, str]]:
    return sorted((r.text, r.format.name) for r in zxingcpp.read_barcodes(image.convert("L")))


async def _dispatched(http: Any, db: Settings, time_zone: str = "") -> dict[str, Any]:
    """An order with a long Chinese address and a requested date, picked, packed, loaded and dispatched (from a
    warehouse in `time_zone`, set by its manager, when one is given)."""
    wh = await a_warehouse(bins=6)
    tea = await a_product("TEA-LJ-250", price="128.00", name_zh="西湖龙井 250 克")
    cup = await a_product("CUP-6", price="45.50", name_zh="青瓷茶杯（六只装）")
    await stock(tea, wh, 10, "A-01-03")
    await stock(cup, wh, 10, "A-01-05")
    await a_carrier("SWIFT", name="顺捷快递")
    phone = await _phones(http)
    if time_zone:
        status, body = await phone["manager"].call("PUT", f"/api/warehouses/{wh.code}/time-zone",
                                                   {"time_zone": time_zone})
        assert status == 200 and body == {"code": wh.code, "time_zone": time_zone}, body
    requested = (datetime.now(db.tz).date() + timedelta(days=6)).isoformat()
    number = await _place(http, {"TEA-LJ-250": 3, "CUP-6": 2}, address=ADDRESS, requested_date=requested)
    status, pick_list = await phone["picker"].call("POST", "/api/pick-lists", {"orders": [number]})
    assert status == 201, pick_list
    await _pick_all(phone["picker"], pick_list)
    status, shipment = await phone["packer"].call("POST", f"/api/orders/{number}/packages",
                                                  await _one_box(number, {"TEA-LJ-250": 3, "CUP-6": 2}))
    assert status == 201, shipment
    dispatcher = phone["dispatcher"]
    await dispatcher.scan("load", "FH:VEH:沪A12345", shipment=shipment["number"])
    await dispatcher.scan("load", f"FH:PKG:{shipment['packages'][0]['number']}", shipment=shipment["number"])
    status, shipped = await dispatcher.call("POST", f"/api/shipments/{shipment['number']}/dispatch")
    assert status == 200, shipped
    return {"order": number, "shipment": shipment["number"], "shipped": shipped, "requested": requested,
            "package": shipment["packages"][0]["number"], "phone": phone}


async def _paper(sent: dict[str, Any], kind: str, lang: str | None = None, fmt: str = "pdf") -> bytes:
    query = f"?lang={lang}" if lang else ""
    status, body = await sent["phone"]["dispatcher"].call(
        "GET", f"/api/shipments/{sent['shipment']}/documents/{kind}.{fmt}{query}")
    assert status == 200, body
    return body


async def test_the_delivery_note_says_who_sends_what_to_whom_with_the_whole_address(http, db: Settings):
    sent = await _dispatched(http, db)
    zh = await _paper(sent, "delivery-note")  # the customer's language: they chose Chinese
    text = squashed(pdf_text(zh))
    for expected in ("发货单", sent["shipped"]["delivery_note"], db.company_name, squashed(db.company_address),
                     "电话：021 5080 0188", "欧阳娜娜", squashed("上海浦东新区" + LONG_LINE1), "200120",
                     sent["order"], sent["shipment"], "顺捷快递", sent["shipped"]["waybill"], "要求送达日期",
                     local_day(sent["requested"], "zh", weekday=True), "西湖龙井250克", "青瓷茶杯（六只装）",
                     "单价（CNY）", "384.00", "91.00", "合计",
                     "475.00", "收货人签收", "日期", "第1页"):
        assert squashed(expected) in text, expected
    assert not fonts_not_embedded(zh)  # every glyph travels with the file, "·" and "（" included

    en = squashed(pdf_text(await _paper(sent, "delivery-note", "en")))
    for expected in ("Delivery note", "Sender", "Recipient", squashed(LONG_LINE1), "Requested delivery date",
                     local_day(sent["requested"], "en", weekday=True),
                     "Product TEA-LJ-250", "Unit price (CNY)", "475.00", "Received in good order", "Date", "page 1"):
        assert squashed(expected) in en, expected
    assert "发货单" not in en and "收货人签收" not in en

    html = (await _paper(sent, "delivery-note", "zh", fmt="html")).decode()
    assert LONG_LINE1 in html and "收货人签收" in html and db.company_name in html and "<svg" in html


async def test_the_confirmation_and_the_waybill_carry_the_vehicle_the_local_time_and_scannable_codes(
        http, db: Settings):
    sent = await _dispatched(http, db)
    await Customer.all().update(language="en")  # the customer reads English; the warehouse Chinese
    confirmation = await Document.get(kind=DocumentKind.CONFIRMATION)
    dispatched = datetime.fromisoformat(confirmation.content["dispatch"]["at"])
    local = local_moment(dispatched, ZoneInfo("Asia/Shanghai"), "zh", year=True)

    zh = squashed(pdf_text(await _paper(sent, "confirmation")))  # the warehouse's own paper: its language
    for expected in ("发货确认单", sent["shipped"]["confirmation"], "顺捷快递", "发车时间", local, "dispatcher-1",
                     "承运人签收", "日期", squashed(LONG_LINE1)):
        assert squashed(expected) in zh, expected
    assert "单价" not in zh  # prices are for the delivery note only
    en = squashed(pdf_text(await _paper(sent, "confirmation", "en")))
    assert "Shipmentconfirmation" in en and "Receivedforcarriage" in en
    assert squashed(local_moment(dispatched, ZoneInfo("Asia/Shanghai"), "en", year=True)) in en

    note = squashed(pdf_text(await _paper(sent, "delivery-note")))
    assert "Deliverynote" in note  # the note goes with the goods: the customer's language
    waybill = await _paper(sent, "waybill")
    assert "Waybill" in pdf_text(waybill) and not fonts_not_embedded(waybill)
    if PDFTOPPM:  # the codes printed on paper scan back: the waybill barcode and the QR
        page = Image.open(as_png(waybill, "paper-waybill-scan.png", dpi=200))
        assert codes_in(page) == [(sent["shipped"]["waybill"], "Code128"), (sent["shipped"]["waybill"], "QRCode")]


async def test_a_warehouse_abroad_prints_its_own_times_and_every_date_in_words(http, db: Settings):
    """A warehouse in Berlin: its papers say when they were issued and dispatched in Berlin time, and the
    requested and expected dates as a reader says them, never as ISO."""
    sent = await _dispatched(http, db, time_zone="Europe/Berlin")
    berlin = ZoneInfo("Europe/Berlin")
    confirmation = await Document.get(kind=DocumentKind.CONFIRMATION)
    dispatched = datetime.fromisoformat(confirmation.content["dispatch"]["at"])
    status, shipment = await sent["phone"]["dispatcher"].call("GET", f"/api/shipments/{sent['shipment']}")
    eta = shipment["eta"]
    assert status == 200 and confirmation.content["warehouse"]["time_zone"] == "Europe/Berlin" and eta
    for lang, title in (("zh", "运单"), ("en", "Waybill")):
        pdf = await _paper(sent, "waybill", lang)
        said = squashed(pdf_text(pdf))
        assert squashed(title) in said and squashed(local_day(eta, lang, weekday=True)) in said
        assert eta not in said and sent["requested"] not in said  # no ISO date on paper
        if PDFTOPPM:
            as_png(pdf, f"paper-waybill-berlin-{lang}.png", dpi=100)
        said = squashed(pdf_text(await _paper(sent, "confirmation", lang)))
        assert squashed(local_moment(dispatched, berlin, lang, year=True)) in said
        assert squashed(local_moment(confirmation.content["issued_at"], berlin, lang, year=True)) in said
        shanghai = local_moment(dispatched, ZoneInfo("Asia/Shanghai"), lang, year=True)
        assert squashed(shanghai) not in said  # seven hours apart or six: never the company's clock
    assert "（周" in squashed(pdf_text(await _paper(sent, "delivery-note", "zh")))


def a_sealed_note(lines: int = 1) -> dict[str, Any]:
    """A delivery note's facts as sealed, without the database."""
    return {"version": 2, "kind": "delivery_note", "number": "DN-1", "issued_at": "2026-03-01T02:30:00+00:00",
               "sender": {"name": "甲", "address": "乙", "phone": "1"},
               "recipient": {"name": "丙", "phone": "2", "postcode": "", "address": "丁"},
               "warehouse": {"code": "SH", "name": "上海仓", "address": ""}, "order": "SO-1", "shipment": "SH-1",
               "requested_date": None, "carrier": None, "waybill": None, "eta": None, "packages": 1,
               "weight_g": 1500, "currency": "CNY", "total": "20.00", "qr": "FH:ORD:SO-1",
               "lines": [{"sku": "A" if i == 0 else f"SKU-{i:03d}", "name": "Tea", "name_zh": "茶", "qty": 2,
                          "unit_price": "10.00", "amount": "20.00"} for i in range(lines)]}


def test_prices_show_on_the_delivery_note_only_when_the_company_wants_them(settings: Settings):
    content = a_sealed_note()
    with_prices = layout(content, "zh", settings)
    without = layout(content, "zh", settings.model_copy(update={"papers_show_prices": False}))
    assert with_prices.head[-1] == "金额（CNY）" and with_prices.rows == [["1", "A", "茶", "2", "10.00", "20.00"]]
    assert without.head == ["序号", "商品编码", "商品名称", "数量"] and without.rows == [["1", "A", "茶", "2"]]
    assert with_prices.issued == "开单时间：2026年3月1日 10:30"  # sealed in UTC, printed in Shanghai time
    assert ("要求送达日期", "无") in with_prices.facts


async def test_the_package_label_names_the_recipient_and_carries_the_waybill_barcode_and_our_qr(http, db):
    sent = await _dispatched(http, db)
    for lang in ("zh", "en"):
        path = f"/api/packages/{sent['package']}/label.png?lang={lang}"
        status, png = await sent["phone"]["packer"].call("GET", path)
        assert status == 200
        image = Image.open(io.BytesIO(png))
        image.save(artifact(f"label-package-{lang}.png"))
        assert image.size == (800, 1200)  # 100 × 150 mm at 8 dots/mm
        expected = [(sent["shipped"]["waybill"], "Code128"), (f"FH:PKG:{sent['package']}", "QRCode")]
        assert codes_in(image) == sorted(expected)


async def test_the_label_hides_the_middle_of_the_phone_and_names_the_warehouse_the_parcel_left(http, db):
    sent = await _dispatched(http, db)
    order = await Order.get(number=sent["order"])
    mobile = order.phone[3:]  # +86 138…: the number as dialled at home
    label = await package_label(sent["package"], "zh", db)
    assert label.recipient.endswith(f"{mobile[:3]}****{mobile[-4:]}") and mobile not in label.recipient
    assert label.sender.endswith("021 5080 0188")
    warehouse = await Warehouse.get(id=(await Shipment.get(number=sent["shipment"])).warehouse_id)
    assert label.sender_address == warehouse_address(warehouse) and label.sender_address
    whole = await package_label(sent["package"], "zh", db.model_copy(update={"labels_mask_phones": False}))
    assert whole.recipient.endswith(f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}")


def test_papers_staff_keep_show_the_phone_whole_and_the_waybill_hides_its_middle(settings: Settings):
    note = a_sealed_note()
    note["recipient"]["phone"], note["sender"]["phone"] = "+8613816881234", "+86 21 5080 0188"
    waybill = {**note, "kind": "waybill", "waybill": "SWIFT-1", "eta": None}
    recipient = {kind: layout(content, "zh", settings).parties[1].lines for kind, content in
                 (("note", note), ("waybill", waybill))}
    assert "电话：138 1688 1234" in recipient["note"] and "电话：138****1234" in recipient["waybill"]
    assert layout(note, "zh", settings).parties[0].lines[-1] == "电话：021 5080 0188"
    unmasked = settings.model_copy(update={"labels_mask_phones": False})
    assert "电话：138 1688 1234" in layout(waybill, "zh", unmasked).parties[1].lines


def test_a_long_waybill_number_keeps_its_barcode_clear_of_the_note_beside_it(settings: Settings):
    waybill = {**a_sealed_note(), "kind": "waybill", "waybill": "FLEET-SH-20261208-00001-0012", "eta": None}
    paper = layout(waybill, "zh", settings)
    width = A4[0] - 30 * mm
    table = _codes(paper, _styles(), width)
    for column, cell in enumerate(table._cellvalues[0]):
        for flowable in cell if isinstance(cell, list) else [cell]:
            if isinstance(flowable, Code128):
                assert flowable.width <= table._colWidths[column] - 12  # within its cell's padding
    assert sum(table._colWidths) <= width
    if PDFTOPPM:
        page = Image.open(as_png(render_pdf(paper, settings), "paper-waybill-long-number.png", dpi=200))
        assert ("FLEET-SH-20261208-00001-0012", "Code128") in codes_in(page)


async def test_the_delivery_notes_qr_opens_the_tracking_page_and_staff_scanners_read_it_as_the_order(http, db):
    sent = await _dispatched(http, db)
    shipment = await Shipment.get(number=sent["shipment"])
    link = f"{db.base_url}/t/{shipment.tracking_token}"
    note = await _paper(sent, "delivery-note")
    assert "扫码查看物流" in pdf_text(note)
    if PDFTOPPM:  # what a customer's phone camera reads off the printed note
        page = Image.open(as_png(note, "paper-delivery-note-qr.png", dpi=200))
        assert (link, "QRCode") in codes_in(page)
    async with http.get(link.removeprefix(db.base_url)) as resp:  # where it lands: the parcel's journey
        assert resp.status == 200 and sent["order"] in await resp.text()
    status, found = await sent["phone"]["dispatcher"].call("GET", f"/api/lookup?code={quote(link)}")
    assert status == 200 and found["kind"] == "order" and sent["order"] in found["title"], found


def test_a_long_paper_breaks_over_pages_with_its_heading_and_number_on_each(settings: Settings):
    pdf = render_pdf(layout(a_sealed_note(lines=80), "zh", settings), settings)
    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) >= 2 and "SKU-079" in pages[-1] and "收货人签收" in pages[-1]
    assert all("商品编码" in page and f"第 {n} 页" in page for n, page in enumerate(pages, start=1))
    if PDFTOPPM:
        subprocess.run([PDFTOPPM, "-png", "-r", "60", "-f", "2", "-l", "2", "-singlefile", "-",
                        artifact("paper-delivery-note-page-2").removesuffix(".png")], input=pdf, check=True,
                       timeout=60)


def test_a_paper_sealed_before_papers_carried_bare_facts_still_prints(settings: Settings):
    sealed = {"kind": "delivery_note", "title": "Delivery note · 发货单", "number": "DN-20250101-00001",
              "fields": [["Order 订单", "SO-1"], ["Address 地址", "上海浦东新区世纪大道 100 号"]],
              "table": {"head": ["SKU", "Product 商品", "Qty 数量"], "rows": [["TEA", "茶", "2"]]},
              "qr": "FH:ORD:SO-1", "issued_at": "2025-01-01 10:00"}
    paper = layout(sealed, "zh", settings)
    text = pdf_text(render_pdf(paper, settings))
    assert "Delivery note · 发货单" in text and "世纪大道 100 号" in text and "TEA" in text
    assert "SO-1" in render_html(paper, settings)


def test_a_label_address_fits_whole_however_long_and_a_repeated_place_is_said_once():
    address = written("上海", "上海", "浦东新区", "世纪大道 100 号" + "东方明珠广播电视塔旁边的小区" * 20,
                      between="")
    assert address.startswith("上海浦东新区世纪大道 100 号")
    label = PackageLabel(qr="FH:PKG:P-1", package="P-1", order="SO-1", box="1/1", weight="1 kg", to_heading="To",
                         recipient="Li", address=address, from_heading="From", sender="fahuo", carrier="SF",
                         waybill="SF1")
    texts = [e for e in package_page(label, PREVIEW) if isinstance(e, Text)]
    lines = [t for t in texts if t.value and squashed(t.value) in squashed(address)]
    assert squashed("".join(t.value for t in lines)) == squashed(address)
    assert all(t.x + image_font(t.size).getlength(t.value) <= PREVIEW.width - 24 for t in lines)
    assert wrap("Room 1203, Building 7, Lane 88 Zhangjiang Road", image_font(36), 300)[0] == "Room 1203,"


@pytest.mark.skipif(PDFTOPPM is None, reason="needs pdftoppm (poppler-utils; .ci/run installs it)")
async def test_every_paper_renders_to_a_page_a_person_can_read_in_chinese_and_english(http, db):
    sent = await _dispatched(http, db)
    for kind in ("delivery-note", "confirmation", "waybill"):
        for lang in ("zh", "en"):
            png = as_png(await _paper(sent, kind, lang), f"paper-{kind}-{lang}.png")
            assert Image.open(png).size[0] > 600


def test_the_carriers_own_words_show_only_when_they_say_more_than_the_event():
    assert carrier_words("picked_up", "Picked up by the courier") == ""  # the simulated carrier's stock phrase
    assert carrier_words("in_transit", "in transit") == ""
    assert carrier_words("arrived", "快件已到达【上海浦东转运中心】") == "快件已到达【上海浦东转运中心】"


# -- the tracking page ----------------------------------------------------------------------------------


async def _tracked(http, db) -> dict[str, Any]:
    sent = await _dispatched(http, db)
    now = datetime.now(UTC).replace(microsecond=0)
    events = [("e1", "picked_up", "Picked up by the courier", "上海", now + timedelta(hours=1)),
              ("e2", "arrived", "快件已到达【上海浦东转运中心】", "上海浦东", now + timedelta(hours=5))]
    for ident, code, description, place, at in events:
        status, answer = await sent["phone"]["dispatcher"].call(
            "POST", f"/api/shipments/{sent['shipment']}/tracking",
            {"id": ident, "code": code, "description": description, "place": place, "at": at.isoformat()})
        assert status == 201, answer
    sent["token"] = sent["shipped"]["tracking_url"].rsplit("/", 1)[1]
    sent["times"] = [at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M") for *_, at in events]
    sent["moments"] = [at for *_, at in events]
    return sent


def visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)[^>]*>.*?</\1>", "", html, flags=re.S))


async def _page(http, path: str, **headers: str) -> tuple[int, str, str]:
    async with http.get(path, headers=headers) as resp:
        return resp.status, resp.content_type, await resp.text()


async def test_the_tracking_page_speaks_the_readers_language_in_local_time_newest_first(http, db):
    sent = await _tracked(http, db)
    status, kind, zh = await _page(http, f"/t/{sent['token']}", **{"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert status == 200 and kind == "text/html"
    words = visible(zh)
    assert db.company_name in words and f"订单 {sent['order']}" in words
    assert "已到达网点" in words and "快件已到达【上海浦东转运中心】" in words and "已揽收" in words
    assert words.index("已到达网点") < words.index("已揽收") < words.index("已从仓库发出")  # newest first
    assert all(t in words for t in sent["times"]) and "UTC+08:00" in words
    assert "Picked up by the courier" not in words  # a stock phrase, said as 已揽收 instead
    codes = {w for code in (sent["order"], sent["shipped"]["waybill"]) for w in re.findall(r"[A-Za-z]{2,}", code)}
    assert set(re.findall(r"[A-Za-z]{2,}", words)) <= codes | {"English", "UTC"}  # no English leaks into Chinese

    status, _, en = await _page(http, f"/t/{sent['token']}?lang=en", **{"Accept-Language": "zh-CN"})
    words = visible(en)
    assert status == 200 and "Arrived at the local depot" in words and "Left our warehouse" in words
    assert f"Order {sent['order']}" in words and "顺捷快递" in words and "承运商" not in words
    status, _, browser_en = await _page(http, f"/t/{sent['token']}", **{"Accept-Language": "en-GB,en;q=0.9"})
    assert "Picked up" in visible(browser_en) and "Journey" in visible(browser_en)
    status, _, default = await _page(http, f"/t/{sent['token']}")  # no header: the language chosen in the bot
    assert "物流详情" in visible(default)


async def test_the_tracking_page_tells_a_customer_abroad_their_own_time(http, db):
    sent = await _tracked(http, db)
    order = await Order.get(number=sent["order"])
    await Customer.filter(id=order.customer_id).update(timezone="Asia/Urumqi")  # type: ignore[attr-defined]
    status, _, page = await _page(http, f"/t/{sent['token']}?lang=zh")
    words = visible(page)
    urumqi = [at.astimezone(ZoneInfo("Asia/Urumqi")).strftime("%H:%M") for at in sent["moments"]]
    assert status == 200 and all(t in words for t in urumqi) and "UTC+06:00" in words
    assert not any(t in words for t in sent["times"]) and "UTC+08:00" not in words
    kept_page("tracking-page-urumqi-zh.html", page)


def kept_page(name: str, html: str) -> None:
    Path(artifact(name)).write_text(html, encoding="utf-8")


async def test_a_link_that_is_not_found_says_so_without_a_blank(http, db):
    for lang, expected in (("en", "This tracking link was not found: it may have expired or been copied "
                                  "incompletely."), ("zh", "未找到该跟踪链接：可能已失效，或复制不完整。")):
        async with http.get("/api/track/" + "x" * 32, headers={"Accept-Language": lang}) as resp:
            body = await resp.json()
        assert resp.status == 404 and body["error"] == "not_found" and body["message"] == expected, body


async def test_a_bad_or_unknown_tracking_link_gets_a_friendly_page_not_an_api_error(http, db):
    for path, headers, expected in (
            ("/t/too-short", {"Accept-Language": "zh-CN"}, "此物流链接无效"),
            ("/t/" + "x" * 32, {"Accept-Language": "en-US"}, "This tracking link does not work"),
            ("/t/" + "x" * 32 + "?lang=zh", {"Accept-Language": "en-US"}, "此物流链接无效")):
        status, kind, page = await _page(http, path, **headers)
        assert status == 404 and kind == "text/html", page
        assert expected in page and db.company_name in page
        assert '<a href="tel:+862150800188">021 5080 0188</a>' in page  # dialled whole, written as people do
    async with http.get("/api/track/" + "x" * 32) as resp:  # the API stays an API
        assert resp.status == 404 and (await resp.json())["error"] == "not_found"


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (.ci/run installs it)")
async def test_the_tracking_page_fits_a_phone_in_chinese_and_english(http, db, server):
    sent = await _tracked(http, db)
    async with chromium() as browser:
        for name, path, lang in (("zh", f"/t/{sent['token']}", "zh-CN"), ("en", f"/t/{sent['token']}", "en-US"),
                                 ("bad-link-zh", "/t/not-a-link", "zh-CN"), ("bad-link-en", "/t/not-a-link", "en")):
            context = await browser.new_context(viewport=PHONE, device_scale_factor=1, locale=lang)
            page = await context.new_page()
            response = await page.goto(server + path)
            assert response is not None and response.status == (404 if name.startswith("bad") else 200)
            assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways
            await page.screenshot(path=artifact(f"tracking-{name}.png"), full_page=True)
            if name == "zh":
                await page.click("text=English")  # the switch keeps the reader on the same page
                assert "Journey" in await page.inner_text("main")
            await context.close()
        # the delivery note as the browser prints it
        context = await browser.new_context(viewport={"width": 820, "height": 1160},
                                            extra_http_headers=sent["phone"]["dispatcher"].headers)
        page = await context.new_page()
        response = await page.goto(f"{server}/api/shipments/{sent['shipment']}/documents/delivery-note.html")
        assert response is not None and response.status == 200
        await page.screenshot(path=artifact("paper-delivery-note-html-zh.png"), full_page=True)
        await context.close()
