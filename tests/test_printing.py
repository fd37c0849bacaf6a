"""Labels on thermal printers: what reaches a (fake) network printer is read back command by command, field by
field; labels sent as images are decoded back and scanned; a printer that is off or out of labels keeps the
job, says why in the packer's language, and prints it once when it is back."""

from __future__ import annotations

import asyncio
import re
import stat
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from core.base.jobs import Job, run_due, run_now
from core.base.settings import Settings
from core.shipping.labels import PackageLabel
from core.shipping.printing import PRINT, JobState, PrintJob
from core.shipping.thermal import (
    LabelSize,
    Media,
    PrinterLanguage,
    TextMode,
    package_page,
    raster,
    render,
    snap_for,
)
from tests.artifacts import artifact
from tests.factories import a_carrier, a_product, a_warehouse, stock
from tests.printers import FakePrinter, free_port, tspl_labels, zpl_formats, zpl_graphic
from tests.test_logistics import _phones, _picked_and_packed

LABEL = PackageLabel(
    qr="FH:PKG:PKG-20260301-0007", package="PKG-20260301-0007", order="订单 SO-20260301-0003",
    box="第 2 件，共 3 件", weight="1.25 千克", to_heading="收件人", recipient="欧阳娜娜  +8613800001111",
    address='上海上海浦东新区陆家嘴环路 1000 号恒生银行大厦 36 层 3608 室（北门 "A" 口^~_进入，前台登记） 200120',
    from_heading="寄件人", sender="发货示范商贸有限公司  +86 21 5080 0188", carrier="顺丰速运",
    waybill="SF1401234567890", routing={"destRouteLabel": "755WF-571A", "codingMapping": "F33",
                                        "proName": "顺丰标快", "twoDimensionCode": "MMM={'k1':'755WF'}"})
FIELDS = ("carrier", "routing", "waybill", "to_heading", "recipient", "address", "from_heading", "sender", "box",
          "package", "order", "weight")
MEDIA = [Media(size, dpi) for size in LabelSize for dpi in (203, 300)]


def squashed(value: str) -> str:
    return re.sub(r"\s+", "", value)


def said(label: PackageLabel, name: str) -> str:
    if name == "routing":  # what SF's sorting centres read, large, then its service; its own QR data is not text
        return "755WF-571A  F33 顺丰标快"
    return str(getattr(label, name))


def assert_every_field_in_order(label: PackageLabel, texts: list[str]) -> None:
    """The label's words, top to bottom, are its fields in the order the label lays them out, each whole."""
    printed = squashed("".join(texts))
    at = 0
    for name in FIELDS:
        found = printed.find(squashed(said(label, name)), at)
        assert found >= 0, f"{name} ({said(label, name)!r}) missing after position {at} of {printed!r}"
        at = found + len(squashed(said(label, name)))
    assert at == len(printed), printed[at:]  # nothing printed that is not a field


def codes_in(image: Image.Image) -> list[tuple[str, str]]:
    return sorted((r.text, r.format.name) for r in zxingcpp.read_barcodes(image.convert("L")))


# -- the renderers, every size and resolution ---------------------------------------------------------------


@pytest.mark.parametrize("media", MEDIA, ids=lambda m: f"{m.size.value}@{m.dpi}")
def test_a_zpl_label_says_every_field_in_utf8_with_a_cjk_font_and_barcodes_carrying_the_right_data(media: Media):
    stream = render([package_page(LABEL, media)], PrinterLanguage.ZPL, media, TextMode.FONT)
    [label] = zpl_formats(stream)
    assert label["settings"]["CI"] == "28" and label["settings"]["CW"] == "1,E:ANMDS.TTF"
    assert (label["settings"]["PW"], label["settings"]["LL"]) == (str(media.width), str(media.height))
    drawn = label["drawn"]
    assert_every_field_in_order(LABEL, [d.data for d in drawn if d.kind == "text"])
    [bars] = [d for d in drawn if d.kind == "code128"]
    assert bars.data == LABEL.waybill and bars.params[:3] == ["N", bars.params[1], "N"]  # no printed digits
    [qr] = [d for d in drawn if d.kind == "qr"]
    assert qr.data == f"MA,{LABEL.qr}" and qr.params[:2] == ["N", "2"]  # model 2, M correction, automatic
    for d in drawn:
        assert 0 <= d.x < media.width and 0 <= d.y < media.height, d
    assert all(d.size >= 12 for d in drawn if d.kind == "text")


@pytest.mark.parametrize("media", MEDIA, ids=lambda m: f"{m.size.value}@{m.dpi}")
def test_a_tspl_label_says_every_field_in_gb18030_with_the_chinese_font_and_barcodes_carrying_the_right_data(
        media: Media):
    snap = snap_for(PrinterLanguage.TSPL, TextMode.FONT)
    stream = render([package_page(LABEL, media, snap)], PrinterLanguage.TSPL, media, TextMode.FONT)
    [label] = tspl_labels(stream)
    assert label["size"] == "{} mm,{} mm".format(*media.mm)
    drawn = label["drawn"]
    texts = [d for d in drawn if d.kind == "text"]
    assert {d.params[0] for d in texts} == {"TSS24.BF2"} and all(d.size % 24 == 0 for d in texts)
    assert_every_field_in_order(LABEL, [d.data for d in texts])
    [bars] = [d for d in drawn if d.kind == "code128"]
    assert bars.data == LABEL.waybill and bars.params[1] == "0"
    [qr] = [d for d in drawn if d.kind == "qr"]
    assert qr.data == LABEL.qr and qr.params == ["M", "A"]
    for d in drawn:
        assert 0 <= d.x < media.width and 0 <= d.y < media.height, d


@pytest.mark.parametrize("language", [PrinterLanguage.ZPL, PrinterLanguage.TSPL])
@pytest.mark.parametrize("media", MEDIA, ids=lambda m: f"{m.size.value}@{m.dpi}")
def test_a_label_sent_as_one_image_decodes_back_to_the_drawn_label_and_its_codes_scan(
        language: PrinterLanguage, media: Media):
    page = package_page(LABEL, media)
    stream = render([page], language, media, TextMode.BITMAP)
    if language == PrinterLanguage.ZPL:
        [label] = zpl_formats(stream)
        [graphic] = label["drawn"]
        image = zpl_graphic(graphic.data)
    else:
        [label] = tspl_labels(stream)
        image = label["image"]
    assert (graphic_x := label["drawn"][0].x, label["drawn"][0].y) == (0, 0) and graphic_x == 0
    image = image.crop((0, 0, media.width, media.height))
    assert image.tobytes() == raster(page, media).tobytes()  # dot for dot what fahuo drew
    assert codes_in(image) == sorted([(LABEL.waybill, "Code128"), (LABEL.qr, "QRCode")])
    if media == MEDIA[0]:
        image.save(artifact(f"thermal-{language}-bitmap.png"))


def test_a_label_without_a_waybill_or_routing_leaves_them_out():
    bare = PackageLabel(**{**LABEL.__dict__, "waybill": None, "routing": {}})
    media = MEDIA[0]
    [label] = zpl_formats(render([package_page(bare, media)], PrinterLanguage.ZPL, media, TextMode.FONT))
    assert [d.kind for d in label["drawn"]].count("code128") == 0
    assert "755WF" not in "".join(d.data for d in label["drawn"])


def test_the_big_routing_words_of_a_carrier_through_kuaidi100_are_printed_large():
    routed = PackageLabel(**{**LABEL.__dict__, "routing": {"bulkpen": "沪 浦东 A12", "pkgName": "上海转运中心",
                                                          "kdComOrderNum": "YT123"}})
    media = MEDIA[0]
    [label] = zpl_formats(render([package_page(routed, media)], PrinterLanguage.ZPL, media, TextMode.FONT))
    texts = {d.data: d.size for d in label["drawn"] if d.kind == "text"}
    assert texts["沪 浦东 A12"] > texts[LABEL.carrier] and "上海转运中心" in texts and "YT123" not in texts


# -- printing from the floor, over HTTP, to a fake network printer --------------------------------------------


async def _setup(http, db: Settings) -> tuple[dict[str, Any], dict[str, Any]]:
    """A packed order of two packages with a waybill, and the staff's phones."""
    wh = await a_warehouse(bins=4)
    tea = await a_product("TEA", name_zh="西湖龙井")
    await stock(tea, wh, 10, "A-01-02")
    await a_carrier("SWIFT", name="顺捷快递")
    phone = await _phones(http)
    _, shipment = await _picked_and_packed(http, phone, {"TEA": 3})
    return phone, shipment


async def _printer(phone: dict[str, Any], code: str, language: str, address: str, **extra: Any) -> dict[str, Any]:
    body = {"code": code, "warehouse": "SH", "station": "打包台 1", "language": language, "connection": "tcp",
            "address": address, **extra}
    status, saved = await phone["manager"].call("POST", "/api/printers", body)
    assert status == 201, saved
    return saved


async def _print(phone: dict[str, Any], path: str, printer: str, lang: str = "zh") -> dict[str, Any]:
    status, job = await phone["packer"].call("POST", path, {"printer": printer})
    assert status == 200, job
    return job


async def test_a_shipments_labels_reach_the_stations_printer_with_every_field_and_code(http, db: Settings):
    phone, shipment = await _setup(http, db)
    printer = await FakePrinter("zpl").start()
    try:
        await _printer(phone, "PACK-1", "zpl", printer.address)
        job = await _print(phone, f"/api/shipments/{shipment['number']}/print", "PACK-1")
        assert job["state"] == "printed" and job["message"] is None
        [stream] = printer.jobs
    finally:
        await printer.stop()
    labels = zpl_formats(stream)
    assert len(labels) == 2  # one per package, in box order
    for seq, (label, package) in enumerate(zip(labels, shipment["packages"], strict=True), start=1):
        texts = [d.data for d in label["drawn"] if d.kind == "text"]
        assert f"第 {seq} 件，共 2 件" in texts and package["number"] in texts and "顺捷快递" in texts
        own = shipment["waybill"] if seq == 1 else f"{shipment['waybill']}-{seq}"  # a simulated child waybill
        assert package["waybill"] == own and [d.data for d in label["drawn"] if d.kind == "code128"] == [own]
        assert (seq > 1) == any(shipment["waybill"] in t and "母单号" in t for t in texts)
        assert [d.data for d in label["drawn"] if d.kind == "qr"] == [f"MA,FH:PKG:{package['number']}"]
    status, printers = await phone["packer"].call("GET", "/api/printers?warehouse=SH")
    assert status == 200 and [(p["code"], p["waiting"], p["problem"]) for p in printers] == [("PACK-1", 0, None)]


async def test_a_printer_that_is_off_keeps_the_job_says_so_and_prints_it_once_when_it_is_back(http, db: Settings):
    phone, shipment = await _setup(http, db)
    port = free_port()
    await _printer(phone, "PACK-2", "tspl", f"127.0.0.1:{port}")
    phone["packer"].headers["Accept-Language"] = "zh-CN"
    path = f"/api/shipments/{shipment['number']}/print"
    job = await _print(phone, path, "PACK-2")
    assert job["state"] == "queued" and job["state_word"] == "等待打印"
    assert "PACK-2" in job["message"] and "没有响应" in job["message"] and "标签已保存" in job["message"]
    again = await _print(phone, path, "PACK-2")  # a reprint while it waits joins the waiting job
    assert again["id"] == job["id"] and await PrintJob.all().count() == 1
    _, printers = await phone["packer"].call("GET", "/api/printers")
    assert printers[0]["waiting"] == 1 and "没有响应" in printers[0]["problem"]

    printer = await FakePrinter("tspl", port=port).start()  # switched on
    try:
        later = (await Job.get(kind=PRINT)).due_at
        assert (await run_due(db, later, [PRINT])).worked == 1
        assert (await run_due(db, later, [PRINT])).tried == 0  # printed once, not again
        status, done = await phone["packer"].call("GET", f"/api/print-jobs/{job['id']}")
        assert status == 200 and done["message"] is None and done["state_word"] == "已打印"
        assert len(printer.jobs) == 1 and len(tspl_labels(printer.jobs[0])) == 2
    finally:
        await printer.stop()


async def test_a_printer_out_of_labels_is_said_in_the_packers_language_and_a_retry_prints_once(http, db):
    phone, shipment = await _setup(http, db)
    printer = await FakePrinter("tspl", paper=False).start()
    try:
        await _printer(phone, "PACK-3", "tspl", printer.address, label_size="76x130")
        phone["packer"].headers["Accept-Language"] = "en"
        package = shipment["packages"][1]["number"]
        job = await _print(phone, f"/api/packages/{package}/print", "PACK-3")
        assert job["state"] == "queued" and "out of labels" in job["message"] and printer.jobs == []
        printer.paper = True
        status, done = await phone["packer"].call("POST", f"/api/print-jobs/{job['id']}/retry")
        assert status == 200 and done["state"] == "printed"
        status, again = await phone["packer"].call("POST", f"/api/print-jobs/{job['id']}/retry")
        assert again["state"] == "printed" and len(printer.jobs) == 1
        [label] = tspl_labels(printer.jobs[0])
        assert label["size"] == "76 mm,130 mm"
        assert [d.data for d in label["drawn"] if d.kind == "qr"] == [f"FH:PKG:{package}"]
    finally:
        await printer.stop()


async def test_two_senders_at_once_print_a_waiting_job_once(http, db: Settings):
    phone, shipment = await _setup(http, db)
    port = free_port()
    await _printer(phone, "PACK-4", "zpl", f"127.0.0.1:{port}", text_mode="bitmap")
    job = await _print(phone, f"/api/shipments/{shipment['number']}/print", "PACK-4")
    printer = await FakePrinter("zpl", port=port).start()
    try:
        sent = await asyncio.gather(*(run_now(f"print:{job['id']}", db) for _ in range(4)))
        assert sent.count(True) == 1 and len(printer.jobs) == 1
        assert (await PrintJob.get(id=job["id"])).state == JobState.PRINTED
        images = [zpl_graphic(d.data) for f in zpl_formats(printer.jobs[0]) for d in f["drawn"]]
        assert [c for image in images for c in codes_in(image) if c[1] == "QRCode"] == [
            (f"FH:PKG:{p['number']}", "QRCode") for p in shipment["packages"]]
    finally:
        await printer.stop()


async def test_location_labels_go_to_a_thermal_printer_one_label_per_bin(http, db: Settings):
    phone, _ = await _setup(http, db)
    printer = await FakePrinter("zpl").start()
    try:
        await _printer(phone, "SHELF", "zpl", printer.address)
        status, job = await phone["manager"].call("POST", "/api/labels/locations/print",
                                                  {"printer": "SHELF", "warehouse": "SH"})
        assert status == 200 and job["state"] == "printed", job
        labels = zpl_formats(printer.jobs[0])
    finally:
        await printer.stop()
    bins = [f"A-01-0{i}" for i in range(1, 5)] + ["RCV"]  # every place stock is kept, the receiving area too
    assert [[d.data for d in f["drawn"] if d.kind == "qr"] for f in labels] == [[f"MA,FH:LOC:{b}"] for b in bins]
    assert [next(d.data for d in f["drawn"] if d.kind == "text") for f in labels] == bins


def fake_lp(folder: Path) -> Path:
    """An `lp` that keeps what it is given (its arguments, the job) and refuses while `<lp>.down` exists, as
    CUPS refuses a queue it does not know."""
    lp = folder / "lp"
    lp.write_text('#!/bin/sh\n[ -e "$0.down" ] && { echo "lp: The printer or class does not exist." >&2; exit 1; }\n'
                  'cat > "$0.job"; echo "$@" > "$0.args"\n')
    lp.chmod(lp.stat().st_mode | stat.S_IEXEC)
    return lp


def switch(lp: Path, up: bool) -> None:
    Path(f"{lp}.down").unlink(missing_ok=True) if up else Path(f"{lp}.down").touch()


def given_to_lp(lp: Path) -> tuple[list[str], bytes]:
    return Path(f"{lp}.args").read_text().split(), Path(f"{lp}.job").read_bytes()


async def test_a_cups_queue_gets_the_job_through_lp_and_a_refusal_is_kept(http, db: Settings, tmp_path: Path):
    phone, shipment = await _setup(http, db)
    db.lp_command = str(lp := fake_lp(tmp_path))
    switch(lp, up=False)
    status, saved = await phone["manager"].call("POST", "/api/printers", {
        "code": "OFFICE", "warehouse": "SH", "station": "Office", "language": "pdf", "connection": "cups",
        "address": "Brother_HL"})
    assert status == 201, saved
    job = await _print(phone, f"/api/shipments/{shipment['number']}/print", "OFFICE")
    assert job["state"] == "queued" and "does not exist" in job["message"]
    switch(lp, up=True)
    status, done = await phone["packer"].call("POST", f"/api/print-jobs/{job['id']}/retry")
    assert status == 200 and done["state"] == "printed"
    args, sent = given_to_lp(lp)
    assert args == ["-d", "Brother_HL", "-t", "fahuo"] and sent.startswith(b"%PDF")


async def test_a_printer_address_that_cannot_be_reached_is_refused_when_saved(http, db: Settings):
    await a_warehouse()
    phone = await _phones(http)
    for address in ("not an address", "printer:99999", "host:", "a" * 64 + ".example:9100", "a..b:9100"):
        status, body = await phone["manager"].call("POST", "/api/printers", {
            "code": "P", "warehouse": "SH", "station": "1", "language": "zpl", "connection": "tcp",
            "address": address})
        assert status == 422 and "host:port" in body["message"], (address, body)
    phone["manager"].headers["Accept-Language"] = "zh"
    status, body = await phone["manager"].call("POST", "/api/printers", {
        "code": "P", "warehouse": "SH", "station": "1", "language": "zpl", "connection": "cups", "address": "a b"})
    assert status == 422 and "CUPS 队列名" in body["message"]
    status, body = await phone["packer"].call("POST", "/api/printers", {
        "code": "P", "warehouse": "SH", "station": "1", "language": "zpl", "connection": "tcp",
        "address": "10.0.0.5:9100"})
    assert status == 403
    status, body = await phone["packer"].call("POST", "/api/packages/PKG-NOPE/print", {"printer": "P"})
    assert status == 404
