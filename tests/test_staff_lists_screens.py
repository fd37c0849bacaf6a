"""The staff app's home, order list, search and stock screens in headless Chromium at phone size, in English and
Chinese; screenshots land in test-artifacts/ (pwa-<screen>-<lang>.png)."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.async_api import Page

from core.base.auth import Role, add_staff
from core.orders.intake import place_order
from core.orders.order import Order
from core.shipping.printing import JobKind, Printer, PrintJob
from core.shipping.shipments import Shipment, ShipmentStatus, new_tracking_token
from core.shipping.thermal import PrinterLanguage
from core.stock.catalog import Product
from core.stock.ledger import StockLevel
from core.stock.replenishment import PoStatus, PurchaseOrder, PurchaseOrderLine
from core.stock.transfers import TransferOrder, TransferStatus
from tests import test_pwa
from tests.conftest import PASSWORD
from tests.factories import a_supplier, a_warehouse, an_order, stock
from tests.test_pwa import phone, shot, sign_in, troubles
from tests.test_staff_lists import NO_CARRIER
from tests.zh_leaks import assert_no_english

pytestmark = test_pwa.pytestmark  # Chromium tests, skipped where there is no Chromium
browser = test_pwa.browser


async def _floor(db) -> dict[str, str]:
    """Two warehouses, tea in both, 54 orders in Shanghai (one held, one whose shipment found no carrier), a
    purchase order and a transfer on their way, a bin to count and a label the printer did not take."""
    sh, gz = await a_warehouse("SH"), await a_warehouse("GZ")
    tea = await Product.create(sku="TEA-LJ-250", name="Longjing green tea 250 g", name_zh="西湖龙井 250克",
                               price="168.00", weight_g=300)
    vase = await Product.create(sku="VASE", name="Celadon vase", name_zh="青瓷花瓶", price="90000.00", weight_g=900)
    await stock(tea, sh, 200, "A-01-01")
    await stock(tea, sh, 6, "A-01-02")
    await stock(vase, sh, 1)
    await stock(tea, gz, 10)
    orders = [(await place_order(an_order({"TEA-LJ-250": 1}, phone="+86 138 1688 1234" if n == 3 else None),
                                 "shop", "api:shop", db)).order for n in range(52)]
    held = (await place_order(an_order({"VASE": 1}, address={"recipient": "王小明"}), "shop", "api:shop", db)).order
    stuck = await Shipment.create(number="SH-20261208-00001", order=orders[0], warehouse=sh, choice=NO_CARRIER,
                                  status=ShipmentStatus.STUCK, tracking_token=new_tracking_token())
    po = await PurchaseOrder.create(number="PO-20261208-00001", supplier=await a_supplier(), warehouse=sh,
                                    status=PoStatus.CONFIRMED, confirmed_at=datetime(2026, 12, 7, 2, tzinfo=UTC))
    await PurchaseOrderLine.create(purchase_order=po, product=tea, qty=40)
    transfer = await TransferOrder.create(number="TR-20261208-00001", source=gz, target=sh, created_by="staff:x",
                                          status=TransferStatus.SHIPPED,
                                          shipped_at=datetime(2026, 12, 7, 9, tzinfo=UTC))
    await transfer.lines.create(product=tea, qty=5)
    await StockLevel.filter(product=tea, location__code="A-01-02", warehouse_id=sh.id).update(
        count_due_since=datetime.now(UTC))
    printer = await Printer.create(code="P1", warehouse=sh, station="打包台 1", language=PrinterLanguage.ZPL,
                                   connection="tcp", address="192.0.2.1:9100")
    await PrintJob.create(printer=printer, kind=JobKind.SHIPMENT, subject=stuck.number, lang="zh",
                          problem="printer.paper_out", requested_by="x")
    await add_staff("manager-1", Role.MANAGER, PASSWORD, display_name="Zhou")
    return {"held": held.number, "phoned": orders[3].number, "stuck": orders[0].number, "newest": held.number}


async def _fits(page: Page) -> None:
    """Nothing wider than the phone: no sideways scrolling, no text cut at the right edge."""
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


async def test_the_home_counts_what_waits_and_each_count_opens_its_list(server, http, db, browser):
    floor = await _floor(db)
    context, page = await phone(browser, server, [])
    seen = troubles(page)
    await sign_in(page, "manager-1")
    assert await page.inner_text("a[data-wait='held'] b") == "1"
    assert await page.inner_text("a[data-wait='no_carrier'] b") == "1"
    assert await page.inner_text("a[data-wait='counts_due'] b") == "1"
    assert await page.inner_text("a[data-wait='print_failed'] b") == "1"
    assert await page.inner_text("a[data-wait='short_picks'] b") == "0"
    # one tile per task: held orders wait at the top, and transfers are one tile
    assert await page.locator("a[data-mode='held']").count() == 0
    assert await page.locator("a[data-mode='transfer']").count() == 0
    assert await page.locator("a[data-mode='transfers']").count() == 1
    modes = await page.locator("a[data-mode]").evaluate_all("els => els.map(e => e.dataset.mode)")
    assert len(modes) == len(set(modes))
    await _fits(page)
    await shot(page, "home-en")

    await page.click("a[data-wait='no_carrier']")  # the shipments, with why no carrier would take them
    await page.wait_for_selector("ul.waiting li:has-text('SH-20261208-00001')")
    assert "does not carry hazardous goods" in await page.inner_text("ul.waiting")
    await page.click("a[href='#/orders?stuck=1']")  # and their orders in the order list
    await page.wait_for_selector(f"li[data-order='{floor['stuck']}']")
    assert await page.locator("#orders li").count() == 1
    await page.goto("/#/")
    await page.click("a[data-wait='print_failed']")
    await page.wait_for_selector("ul.waiting li:has-text('P1')")
    assert "out of labels" in await page.inner_text("ul.waiting")
    await page.go_back()
    await page.click("a[data-wait='held']")
    await page.wait_for_selector(f"li[data-order='{floor['held']}']")

    await page.goto("/#/")
    await page.click("#lang")
    await page.wait_for_selector("a[data-wait='held']:has-text('待审订单')")
    assert_no_english(await page.inner_text("#view"), allowed=["Zhou"])
    await _fits(page)
    await shot(page, "home-zh")
    await page.click("a[data-wait='counts_due']")
    await page.wait_for_selector("ul.waiting li:has-text('A-01-02')")
    assert_no_english(await page.inner_text("#view"), allowed=["Longjing green tea 250 g"])
    await shot(page, "waiting-counts-zh")

    await add_staff("picker-1", Role.PICKER, PASSWORD)  # a picker: no counts of work that is not theirs
    await page.goto("/#/")
    await page.click("#signout")
    await sign_in(page, "picker-1")
    assert await page.locator("nav.waits").count() == 0
    modes = await page.locator("a[data-mode]").evaluate_all("els => els.map(e => e.dataset.mode)")
    assert sorted(modes) == ["lookup", "orders", "pick"]
    await shot(page, "home-picker-zh")
    await context.close()
    assert seen == []


async def test_the_order_list_filters_and_pages_and_the_search_finds_by_phone_number_or_name(server, http, db, browser):
    floor = await _floor(db)
    context, page = await phone(browser, server, [])
    seen = troubles(page)
    await sign_in(page, "manager-1")
    await page.click("a[data-mode='orders']")
    await page.wait_for_selector(f"li[data-order='{floor['newest']}']")
    assert await page.locator("#orders li").count() == 50
    await page.dblclick("#more")  # two presses load the next page once
    await page.wait_for_selector("#more", state="hidden")
    assert await page.locator("#orders li").count() == 53
    numbers = await page.locator("#orders li").evaluate_all("els => els.map(e => e.dataset.order)")
    assert len(set(numbers)) == 53
    await _fits(page)
    await shot(page, "orders-en")

    await page.click("details.filters summary")
    await page.check("input[name='held']")
    await page.click("#filters button")
    # the held order is on the first page too: wait for the filtered list itself, not for that order to show
    await page.wait_for_function("document.querySelectorAll('#orders li').length === 1")
    await page.wait_for_selector(f"li[data-order='{floor['held']}']")
    assert "held=1" in page.url

    await page.fill("#q", "+86 138-1688-1234")  # the phone written another way than it was given
    await page.press("#q", "Enter")
    await page.wait_for_selector(f"ul.found li[data-kind='order']:has-text('{floor['phoned']}')")
    assert await page.locator("ul.found li").count() == 1
    await page.fill("#q", "1234")  # four digits name too many people
    await page.press("#q", "Enter")
    await page.wait_for_selector("ul.found li.muted")
    await page.fill("#q", "sh-20261208-00001")
    await page.press("#q", "Enter")
    await page.wait_for_selector("ul.found li[data-kind='shipment']:has-text('Stuck')")
    await page.click("ul.found li[data-kind='shipment'] a")  # opens its card
    await page.wait_for_selector("[data-kind='shipment'] h2:has-text('Shipment SH-20261208-00001')")
    await _fits(page)
    await shot(page, "lookup-shipment-en")
    await page.goto("/#/find?q=TR-20261208-00001")
    await page.click("ul.found li[data-kind='transfer'] a")  # a transfer opens its own screen
    await page.wait_for_selector("text=On the way")

    await page.click("#lang")
    await page.wait_for_selector("text=调拨在途")  # the screen said again in Chinese
    await page.goto("/#/find?q=小明")
    await page.wait_for_selector(f"ul.found li:has-text('{floor['held']}')")
    assert "待审核" in await page.inner_text("ul.found")
    assert_no_english(await page.inner_text("#view"), allowed=["Li Lei"])
    await _fits(page)
    await shot(page, "search-zh")
    await page.goto("/#/orders?status=on_hold")
    await page.wait_for_selector(f"li[data-order='{floor['held']}']")
    assert_no_english(await page.inner_text("#view"), allowed=["Li Lei", "shop"])
    await _fits(page)
    await shot(page, "orders-zh")
    await context.close()
    assert seen == []


async def test_the_stock_screen_shows_on_hand_reserved_available_and_incoming_with_bins_folded(
        server, http, db, browser):
    await _floor(db)
    context, page = await phone(browser, server, [])
    seen = troubles(page)
    await sign_in(page, "manager-1")
    await page.click("a[data-mode='stock']")
    await page.wait_for_selector(".stock-row")
    await page.select_option("#wh", "SH")
    row = page.locator(".stock-row[data-sku='TEA-LJ-250']:has-text('PO-20261208-00001')")
    await row.wait_for()
    figures = await row.locator(".figures b").all_inner_texts()
    tea = await Order.filter(lines__product__sku="TEA-LJ-250").count()
    assert figures == ["206", str(tea), str(206 - tea), "45"]
    assert "PO-20261208-00001" in await row.inner_text() and "TR-20261208-00001" in await row.inner_text()
    assert not await row.locator("details.bins table").is_visible()  # folded until asked
    await row.locator("details.bins summary").click()
    assert await row.locator("details.bins tr.low:has-text('A-01-02')").is_visible()
    await _fits(page)
    await shot(page, "stock-en")
    await page.click("#lang")
    await row.wait_for()
    await page.wait_for_selector(".stock-row[data-sku='TEA-LJ-250']:has-text('预计 12月10日')")
    await row.locator("details.bins summary").click()
    assert_no_english(await page.inner_text("#view"), allowed=["SH warehouse", "GZ warehouse"])
    await _fits(page)
    await shot(page, "stock-zh")
    await context.close()
    assert seen == []
