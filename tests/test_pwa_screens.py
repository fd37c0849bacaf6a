"""The staff app's transfer, after-sales, phone-order and route-plan screens in headless Chromium, at phone size,
in English and Chinese; screenshots land in test-artifacts/ (pwa-<screen>-<lang>.png)."""

from __future__ import annotations

import asyncio
import base64
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageDraw
from playwright.async_api import Page

from core.base.auth import Role, add_staff
from core.base.events import OutboxEvent
from core.base.i18n import local_day
from core.orders.intake import place_order
from core.orders.order import Order, OrderStatus
from core.shipping.aftersales import AfterSalesRequest, RequestStatus
from core.shipping.fleet import RoutePlan, Vehicle
from core.stock.catalog import Product
from core.stock.ledger import StockLevel
from core.stock.transfers import TransferOrder, TransferStatus
from core.stock.warehouses import Warehouse
from tests import test_pwa
from tests.conftest import PASSWORD
from tests.factories import a_carrier, a_warehouse, an_order, stock
from tests.test_fleet import _own_fleet_shipments
from tests.test_logistics import _phones, _place
from tests.test_pwa import artifact, phone, scan, shot, sign_in, troubles

GOODS = [("TEA-LJ-250", "Longjing green tea 250 g", "西湖龙井 250克", "168.00"),
         ("CER-CUP-6", "Celadon cups, set of 6", "青瓷茶杯六只装", "128.00"),
         ("KIT-WOK-32", "Carbon-steel wok 32 cm", "碳钢炒锅 32厘米", "159.00")]
pytestmark = test_pwa.pytestmark  # Chromium tests, skipped where there is no Chromium
browser = test_pwa.browser  # one headless Chromium per test


async def _goods() -> dict[str, Product]:
    return {sku: await Product.create(sku=sku, name=name, name_zh=zh, price=price, weight_g=500)
            for sku, name, zh, price in GOODS}


async def _named(code: str, name: str) -> Warehouse:
    warehouse = await a_warehouse(code)
    await Warehouse.filter(id=warehouse.id).update(name=name)
    return warehouse


async def _to_chinese(page: Page) -> None:
    await page.click("#lang")
    await page.wait_for_selector("#lang:has-text('EN')")


async def test_a_transfer_raised_by_allocation_is_shipped_and_received_by_scanning(server, http, db, browser):
    sh, gz = await _named("SH", "上海青浦仓"), await _named("GZ", "广州白云仓")
    goods = await _goods()
    await stock(goods["TEA-LJ-250"], sh, 6)
    await stock(goods["CER-CUP-6"], gz, 2)
    placed = await place_order(an_order({"TEA-LJ-250": 3, "CER-CUP-6": 2}), "shop", "api:shop", db)
    raised = await TransferOrder.get(order_id=placed.order.id)
    await add_staff("dispatcher-1", Role.DISPATCHER, PASSWORD)
    context, page = await phone(browser, server, [])
    errors = troubles(page)
    await sign_in(page, "dispatcher-1")
    await page.click('a[data-mode="transfers"]')
    await page.select_option("#wh", "GZ")
    await page.wait_for_selector("h2:has-text('Open transfers of GZ')")
    await page.wait_for_selector(f"li[data-transfer='{raised.number}']")
    assert "To send" in await page.inner_text(f"li[data-transfer='{raised.number}']")
    await shot(page, "transfers-en")

    await scan(page, f"FH:TR:{raised.number}")  # the transfer's number opens it
    await page.wait_for_selector("text=Scan each item leaving GZ")
    await page.click("#go")  # nothing scanned yet: refused, nothing shipped
    await page.wait_for_selector("#feedback.bad:has-text('Scan every item first (0 of 2)')")
    await scan(page, "FH:SKU:TEA-LJ-250")  # not on this transfer
    await page.wait_for_selector("#feedback.bad:has-text('CER-CUP-6')")
    await scan(page, "FH:SKU:CER-CUP-6")
    await scan(page, "FH:SKU:CER-CUP-6")
    await page.wait_for_selector("text=scanned 2 of 2")
    await shot(page, "transfer-ship-en")
    await page.click("#go")
    await page.wait_for_selector(f"#feedback.ok:has-text('{raised.number} is on the road to SH')")
    assert (await TransferOrder.get(id=raised.id)).status == TransferStatus.SHIPPED

    await page.wait_for_selector("text=Scan each item arriving at SH")
    await scan(page, "FH:LOC:A-01-02")  # the bin before the goods: refused
    await page.wait_for_selector("#feedback.bad")
    await scan(page, "FH:SKU:CER-CUP-6")
    await scan(page, "FH:SKU:CER-CUP-6")
    await scan(page, "FH:SKU:CER-CUP-6")  # one too many
    await page.wait_for_selector("#feedback.bad:has-text('all 2 already scanned')")
    await scan(page, "FH:LOC:A-01-02")
    await page.wait_for_selector("#go:has-text('Receive into A-01-02')")
    await _to_chinese(page)  # the language switch redraws the screen: the count starts over, as it is read again
    await page.wait_for_selector("text=逐件扫描到达 SH 的商品")
    await scan(page, "FH:SKU:CER-CUP-6")
    await scan(page, "FH:SKU:CER-CUP-6")
    await scan(page, "FH:LOC:A-01-02")
    await page.wait_for_selector("text=已扫 2 / 2")
    await shot(page, "transfer-receive-zh")
    await page.click("#go")
    await page.wait_for_selector(f"#feedback.ok:has-text('{raised.number} 已收货入 A-01-02')")
    assert (await TransferOrder.get(id=raised.id)).status == TransferStatus.RECEIVED
    cups = await StockLevel.get(product=goods["CER-CUP-6"], location__warehouse=sh, location__code="A-01-02")
    assert (cups.on_hand, cups.reserved) == (2, 2)  # arrived, and taken by the order it came for

    manual = await TransferOrder.create(number="TR-MANUAL-1", source=sh, target=gz, created_by="staff:manager")
    await manual.lines.create(product=goods["KIT-WOK-32"], qty=1)
    await page.goto("/#/transfers")
    await page.select_option("#wh", "SH")
    await page.wait_for_selector("h2:has-text('SH 的未完成调拨')")  # drawn again for the warehouse chosen
    await page.wait_for_selector("li[data-transfer='TR-MANUAL-1']:has-text('待调出')")
    await shot(page, "transfers-zh")
    await context.close()
    assert errors == []


def _photo(text: str, colour: str) -> str:
    image = Image.new("RGB", (480, 360), colour)
    ImageDraw.Draw(image).text((30, 160), text, fill="white")
    out = io.BytesIO()
    image.save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


async def test_after_sales_requests_are_decided_from_their_photos_and_returns_booked_by_scanning(
        server, http, db, browser):
    from tests.test_aftersales import _a_shipped_order

    _, number, key = await _a_shipped_order(http)
    body = {"order": number, "kind": "return", "text": "茶叶受潮结块，想退掉一盒。The tea got damp.",
            "lines": [{"sku": "TEA", "qty": 1}],
            "photos": [{"mime": "image/png", "data": _photo("box, side", "#7c2d12")},
                       {"mime": "image/png", "data": _photo("damp leaves", "#365314")}]}
    async with http.post("/api/after-sales", json=body, headers=key) as resp:
        assert resp.status == 201
        opened = (await resp.json())["number"]
    await add_staff("boss", Role.MANAGER, PASSWORD)
    context, page = await phone(browser, server, [])
    errors = troubles(page)
    await sign_in(page, "boss")
    await page.click('a[data-mode="aftersales"]')
    await page.wait_for_selector(f"li[data-request='{opened}']:has-text('Open')")
    assert "2 photos" in await page.inner_text(f"li[data-request='{opened}']")
    await shot(page, "aftersales-en")
    await page.click(f"li[data-request='{opened}'] a")
    await page.wait_for_function("document.querySelectorAll('#photos img').length === 2 && "
                                 "[...document.querySelectorAll('#photos img')].every((i) => i.naturalWidth > 0)")
    await page.click("[data-act='reject']")  # declined without a word: refused, the customer would read nothing
    await page.wait_for_selector("#feedback.bad:has-text('Say why')")
    await shot(page, "aftersales-request-en")
    await _to_chinese(page)
    await page.wait_for_selector("#amountLabel:has-text('退款金额（最多 10.00）')")
    assert await page.inner_text("label[for='remedy']") == "处理方式"
    await shot(page, "aftersales-approve-zh")
    await page.click("#lang")
    await page.wait_for_selector("#amountLabel:has-text('Refund (at most')")
    assert await page.input_value("#remedy") == "refund" and await page.is_checked("#back")  # a return's usual
    assert await page.input_value("#amount") == "10.00"  # what the unit asked about cost
    assert await page.inner_text("#amountLabel") == "Refund (at most 10.00)"
    await page.fill("#amount", "8")  # approved for less money
    await page.fill("#note", "请寄回未拆封的一盒，运费我们承担。")
    await shot(page, "aftersales-approve-en")
    await page.click("[data-act='approve']")
    await page.wait_for_selector(f"#feedback.ok:has-text('{opened} approved')")
    outcome = await page.inner_text("#outcome")
    assert "approved in part; we refund 8.00 CNY for 1 × TEA Product TEA; please send 1 × TEA" in outcome
    assert (await AfterSalesRequest.get(number=opened)).refund_amount == 8
    await page.wait_for_selector("text=Scan each returned item")
    await scan(page, "FH:SKU:COFFEE")
    await page.wait_for_selector("#feedback.bad:has-text('Expected: TEA')")
    await scan(page, "FH:SKU:TEA")
    await scan(page, "FH:LOC:A-01-04")
    await page.wait_for_selector(".where:has-text('A-01-04')")
    await _to_chinese(page)
    await page.wait_for_selector("text=逐件扫描退回的商品")
    await page.wait_for_selector("#outcome:has-text('部分同意；退款 8.00 元')")  # said again in the reader's words
    await scan(page, "FH:SKU:TEA")
    await scan(page, "FH:LOC:A-01-04")
    await page.wait_for_function("document.querySelectorAll('#photos img').length === 2")
    await shot(page, "aftersales-return-zh")
    await page.click("#book")
    await page.wait_for_selector(f"#feedback.ok:has-text('{opened}：退货已入库 A-01-04')")
    assert (await AfterSalesRequest.get(number=opened)).status == RequestStatus.RECEIVED
    level = await StockLevel.get(product__sku="TEA", location__code="A-01-04")
    assert level.on_hand == 1
    await page.goto("/#/aftersales?all")
    await page.wait_for_selector(f"li[data-request='{opened}']:has-text('已收到退货')")
    await shot(page, "aftersales-zh")
    await context.close()
    assert errors == []


async def test_staff_take_an_order_by_phone_and_see_it_accepted_or_held_with_why(server, http, db, browser):
    await _named("SH", "上海青浦仓")
    gz = await _named("GZ", "广州白云仓")
    goods = await _goods()
    await stock(goods["TEA-LJ-250"], await Warehouse.get(code="SH"), 5)
    await stock(goods["TEA-LJ-250"], gz, 3)
    await stock(goods["CER-CUP-6"], gz, 1)
    await _place(http, {"CER-CUP-6": 1}, phone="+86 138 0000 0001",
                 customer={"name": "王芳 Wang Fang", "phone": "+86 138 0000 0001"},
                 address={"recipient": "王芳", "district": "徐汇区", "line1": "漕溪北路 201 号", "postcode": "200030"})
    await add_staff("boss", Role.MANAGER, PASSWORD)
    fast = await a_carrier("FAST", transit_days=2)
    context, page = await phone(browser, server, [])
    errors = troubles(page)
    await sign_in(page, "boss")
    await shot(page, "home-manager-en")
    await page.click('a[data-mode="phone"]')
    await page.click("#place")  # nothing filled in: said what is missing
    await page.wait_for_selector("#feedback.bad:has-text('Fill in: Name, Phone')")
    await page.fill("#who", "138 0000 0001")
    await page.press("#who", "Enter")
    await page.click("#people [data-i='0']")
    assert await page.input_value("#a-line1") == "漕溪北路 201 号"
    await page.fill("#what", "tea")
    await page.press("#what", "Enter")
    await page.wait_for_selector("#goods li:has-text('8 free')")
    await page.click("#goods [data-i='0']")
    await page.fill("#cart input", "9")
    await page.press("#cart input", "Tab")
    await page.wait_for_selector("#cart .warn:has-text('9 asked, 8 free now')")
    await page.fill("#cart input", "2")
    await page.press("#cart input", "Tab")
    earliest = fast.arrival(datetime.now(db.tz))  # the date field offers the days the carriers make
    await page.wait_for_function(f"document.querySelector('#date').min === '{earliest.isoformat()}'")
    last = datetime.now(db.tz).date() + timedelta(days=14)
    assert await page.inner_text("#datehint") == f"Carriers can deliver from " \
        f"{local_day(earliest, 'en', weekday=True)}; the calendar runs to {local_day(last, 'en', weekday=True)}."
    await page.fill("#date", (earliest + timedelta(days=2)).isoformat())
    await shot(page, "phone-order-en")
    await page.click("#place")
    await page.wait_for_selector(".result[data-status='allocated']")
    assert await page.inner_text("#asked") == \
        f"Requested delivery: {local_day(earliest + timedelta(days=2), 'en', weekday=True)}"
    await shot(page, "phone-order-accepted-en")
    order = await Order.filter(channel="phone").prefetch_related("customer").first()
    assert order is not None and order.customer.name == "王芳 Wang Fang" and order.status == OrderStatus.ALLOCATED
    assert order.requested_date == earliest + timedelta(days=2)

    # a whole address pasted from a chat fills the fields, and what is doubtful about it is said
    await page.click("#again")
    await page.fill("#a-paste", "收货人：刘洋 手机：13904310000 吉林省长春市朝阳区人民大街5988号")
    await page.click("#readpaste")
    await page.wait_for_function("document.querySelector('#a-district').value === '朝阳区'")
    filled = {part: await page.input_value(f"#a-{part}") for part in (
        "recipient", "phone", "province", "city", "district", "line1", "postcode")}
    assert filled == {"recipient": "刘洋", "phone": "+8613904310000", "province": "吉林省", "city": "长春市",
                      "district": "朝阳区", "line1": "人民大街5988号", "postcode": "130012"}
    assert await page.input_value("#c-name") == "刘洋"
    cut = await page.evaluate("""() => [...document.querySelectorAll('#phoneorder input')]
        .filter((field) => field.scrollWidth > field.clientWidth).map((field) => field.id)""")
    assert cut == []  # a phone as read (+86 and 11 digits) shows whole on a phone's screen
    await page.fill("#a-paste", "广州市体育西路1号")
    await page.click("#readpaste")
    await page.wait_for_selector("#a-doubts li:has-text('no district')")
    assert await page.input_value("#a-district") == ""  # the place as read this time, not the one before
    await shot(page, "phone-order-paste-en")

    await _to_chinese(page)
    await page.wait_for_selector("#place:has-text('提交订单')")
    await page.wait_for_selector("#datehint:has-text('承运商最早')")
    assert await page.inner_text("label[for='date']") == "要求送达日期（可选）"
    await page.fill("#c-name", "韩梅梅")
    await page.fill("#c-phone", "139 0000 2222")
    await page.fill("#a-recipient", "韩梅梅")
    await page.fill("#a-phone", "139 0000 2222")
    await page.fill("#a-city", "上海")
    await page.fill("#a-line1", "世纪大道 100 号")
    await page.fill("#what", "龙井")
    await page.press("#what", "Enter")
    await page.click("#goods [data-i='0']")
    await page.click("#place")
    await page.wait_for_selector(".result[data-status='on_hold']:has-text('地址不完整')")
    said = await page.inner_text(".result li")
    assert said.split() == ["地址不完整（省份、邮编）", "·", "待审核"], said  # the rule, and its outcome as a word
    goods = await page.inner_text(".result")
    assert "TEA-LJ-250 " in goods and "龙井" in goods, goods  # the product named beside its SKU
    await shot(page, "phone-order-held-zh")
    await page.click("#again")
    await page.fill("#who", "王芳")
    await page.press("#who", "Enter")
    await page.wait_for_selector("#people li:has-text('漕溪北路')")
    assert "138 0000 0001" in await page.inner_text("#people")  # the caller's number as people say it
    await shot(page, "phone-order-zh")
    await context.close()
    assert errors == []
    assert await Order.filter(channel="phone").count() == 2


@pytest.mark.slow
async def test_the_days_route_plan_is_shown_per_van_printed_and_sent_to_a_linked_driver(server, http, db, browser):
    """The warehouse keeps Urumqi time: the plan's day, its stops and when it was made are said in it."""
    wh = await _named("SH", "上海青浦仓")
    await Warehouse.filter(id=wh.id).update(timezone="Asia/Urumqi")
    await stock(await Product.create(sku="TEA", name="Longjing tea", name_zh="龙井茶", weight_g=500), wh, 20)
    await a_carrier("OWN", adapter="own_fleet", regions=["上海"], max_weight_g=900_000, transit_days=0)
    phones = await _phones(http)
    await _own_fleet_shipments(http, phones, heavy_kg=300)
    await Vehicle.create(plate="沪AD1234", warehouse=wh, capacity_kg=330, driver="司机 马师傅", driver_chat=2201)
    await Vehicle.create(plate="沪AF5678", warehouse=wh, capacity_kg=150, driver="司机 钱师傅")
    await add_staff("desk", Role.DISPATCHER, PASSWORD)
    context, page = await phone(browser, server, [])
    errors = troubles(page)
    await sign_in(page, "desk")
    await page.click('a[data-mode="routes"]')
    await page.wait_for_selector("text=No plan for this day yet.")
    await page.click("#plan")
    await page.wait_for_selector("section.van[data-plate='沪AD1234'] table.stops tbody tr")
    await page.wait_for_selector("#feedback.ok:has-text('5 stops')")
    assert "Driver not linked to Telegram" in await page.inner_text("section.van[data-plate='沪AF5678']")
    plan, head = await RoutePlan.get(), await page.inner_text(".plan-head")
    urumqi, shanghai = (plan.created_at.astimezone(ZoneInfo(z)).strftime("%H:%M")
                        for z in ("Asia/Urumqi", "Asia/Shanghai"))
    assert local_day(plan.day, "en", weekday=True) in head and urumqi in head and shanghai not in head, head
    assert plan.day == datetime.now(ZoneInfo("Asia/Urumqi")).date()  # the warehouse's today, not the phone's
    assert db.company_name in head and "All vans: 5 stops · 5 packages · collect 0.00 CNY" in head, head
    big_van = await page.inner_text("section.van[data-plate='沪AD1234']")
    assert "Pkgs" in big_van and "Total: " in big_van and "Signature" not in big_van  # signed on paper only
    await shot(page, "routes-en")
    await page.click("[data-send='沪AD1234']")
    await page.wait_for_selector("#feedback.ok:has-text('Route of 沪AD1234 sent to 司机 马师傅')")
    event = await OutboxEvent.get(kind="route_plan.sent")
    assert event.payload["chat_id"] == 2201 and event.payload["plate"] == "沪AD1234"

    await _to_chinese(page)
    await page.wait_for_selector("text=发送给司机")
    assert local_day(plan.day, "zh", weekday=True) in await page.inner_text(".plan-head")
    await shot(page, "routes-zh")
    await page.emulate_media(media="print")
    sheet = await page.inner_text("section.van[data-plate='沪AD1234']")
    assert sheet.startswith(f"{db.company_name} · 上海青浦仓 · {plan.number}") and "签收" in sheet, sheet
    await page.screenshot(path=artifact("pwa-routes-print-zh.png"), full_page=True)
    await page.pdf(path=artifact("pwa-routes-print-zh.pdf"), format="A4")
    await context.close()
    assert errors == []
    pdf, png = artifact("pwa-routes-print-zh.pdf"), artifact("pwa-routes-print-zh-page")
    pages = await asyncio.create_subprocess_exec("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", pdf, png)
    assert await pages.wait() == 0
