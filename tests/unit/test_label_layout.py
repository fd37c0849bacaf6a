"""A package label laid out for every size and resolution fahuo prints: every element on the label, none over
another (the PNG preview, ZPL, TSPL and PDF all draw this one layout)."""

from __future__ import annotations

from itertools import combinations

import pytest

from core.base.fonts import image_font
from core.floor.barcode import QUIET, code128_bars
from core.floor.qr import qr_modules
from core.shipping.labels import PackageLabel
from core.shipping.thermal import (
    Bars,
    Element,
    LabelSize,
    Media,
    PrinterLanguage,
    Qr,
    Rule,
    Text,
    TextMode,
    package_page,
    snap_for,
)

CROWDED = PackageLabel(
    qr="FH:PKG:PKG-20261208-00012", package="PKG-20261208-00012", order="订单 SO-20261208-00034-2",
    box="第 12 件，共 12 件", weight="12.25 千克", to_heading="收件人", recipient="欧阳娜娜  138****1234",
    address="上海浦东新区陆家嘴环路 1000 号恒生银行大厦 36 层 3608 室（北门进入，前台登记后致电收件人；工作日 "
            "9:00–18:00 收货，周末及节假日请勿派送） 200120",
    from_heading="寄件人", sender="发货示范商贸有限公司  021 5080 0188",
    sender_address="上海浦东新区张江路 88 号 3 号楼 1 层（张江高科技园区东区物流中心 B 座北侧装卸平台）",
    carrier="自有车队", waybill="FLEET-SH-20261208-00001", master="母单号 FLEET-SH-20261208-00000",
    routing={"destRouteLabel": "755WF-571A", "codingMapping": "F33", "proName": "顺丰标快"},
    carrier_qr="MMM={'k1':'755WF','k2':'571A','k3':'F33'}")
MEDIA = [Media(size, dpi) for size in LabelSize for dpi in (203, 300)]
MODES = [(PrinterLanguage.ZPL, TextMode.FONT), (PrinterLanguage.TSPL, TextMode.FONT)]


def box(element: Element) -> tuple[int, int, int, int]:
    """Where an element prints ink (a barcode with its quiet zones, a QR without: its quiet zone may lie in the
    margin)."""
    match element:
        case Text(x, y, size, value):
            return x, y, x + round(image_font(size).getlength(value) * 1.03), y + size
        case Rule(x, y, width, thickness):
            return x, y, x + width, y + thickness
        case Bars(x, y, height, module, value):
            return x, y, x + code128_bars(value)[1] * module, y + height
        case Qr(x, y, module, value):
            side = len(qr_modules(value)) * module
            return x + 4 * module, y + 4 * module, x + 4 * module + side, y + 4 * module + side
    raise TypeError(element)


def overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("media", MEDIA, ids=lambda m: f"{m.size.value}@{m.dpi}")
@pytest.mark.parametrize(("language", "mode"), MODES, ids=lambda v: v.value)
def test_a_crowded_label_keeps_every_element_on_the_label_and_none_over_another(media, language, mode):
    page = package_page(CROWDED, media, snap_for(language, mode))
    boxes = [(element, box(element)) for element in page]
    for element, (left, top, right, bottom) in boxes:
        assert 0 <= left and right <= media.width and 0 <= top and bottom <= media.height, element
    for (a, box_a), (b, box_b) in combinations(boxes, 2):
        assert not overlap(box_a, box_b), (a, b)
    quiet = [e for e in page if isinstance(e, Bars)]
    assert all(e.x + QUIET * e.module >= 0 for e in quiet)
