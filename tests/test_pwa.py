"""The floor app in real headless Chromium (Debian's), against the real server on 127.0.0.1.

Screenshots of each mode at phone size land in test-artifacts/ (or $FAHUO_ARTIFACTS)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.async_api import Browser, BrowserContext, Page

from core.base.auth import Role, add_api_key, add_staff, issue_login_link
from core.floor.picking import PickTask
from core.floor.scanning import REQUEST, Scan
from core.orders.order import Order, OrderStatus
from core.shipping.documents import Document, DocumentKind
from core.shipping.shipments import Package, Shipment
from core.stock.ledger import StockLevel
from core.stock.replenishment import PurchaseOrder, sweep_low_stock
from core.stock.transfers import TransferOrder
from tests.artifacts import artifact
from tests.browser import CHROMIUM, camera_feed, chromium
from tests.conftest import PASSWORD, signed_in
from tests.factories import a_carrier, a_product, a_reorder_rule, a_supplier, a_warehouse, an_order, stock
from tests.test_logistics import Phone, _pick_all

PHONE = {"width": 390, "height": 844}
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists() or not shutil.which("ffmpeg"),
                                 reason="needs Debian's chromium and ffmpeg (.ci/run installs them)")]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as b:
        yield b


async def phone(browser: Browser, server: str, outside: list[str]) -> tuple[BrowserContext, Page]:
    """A phone-sized page that notes every request leaving 127.0.0.1."""
    context = await browser.new_context(viewport=PHONE, base_url=server, permissions=["camera"], locale="en-US",
                                        has_touch=True, is_mobile=True)
    page = await context.new_page()
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname not in (
        "127.0.0.1", None) and not r.url.startswith(("blob:", "data:")) else None)
    return context, page


def troubles(page: Page) -> list[str]:
    """Every JavaScript error the page throws and every error it logs (a refused request logs one too)."""
    seen: list[str] = []
    page.on("pageerror", lambda exc: seen.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: seen.append(f"console: {msg.text}") if msg.type == "error" else None)
    return seen


async def press_twice(page: Page, selector: str, name: str) -> str:
    """Two fast presses, then one more once the answer is on screen: what the feedback says at the end."""
    await page.dblclick(selector)
    await page.wait_for_selector(f"{selector}.done")
    await shot(page, f"{name}-done")
    await page.evaluate("document.getElementById('feedback').hidden = true")
    await page.click(selector)
    await page.wait_for_selector("#feedback:not([hidden])")
    assert await page.get_attribute("#feedback", "class") == "ok"
    return await page.inner_text("#feedback")


async def sign_in(page: Page, username: str) -> None:
    await page.goto("/#/login")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("#login button")
    await page.wait_for_selector("nav.tiles")


async def scan(page: Page, code: str) -> None:
    """What a hardware scanner does: types the code into the focused field and presses Enter."""
    await page.fill("#scan", code)
    await page.press("#scan", "Enter")


async def shot(page: Page, name: str) -> None:
    await page.screenshot(path=artifact(f"pwa-{name}.png"))


async def _order(http, lines: dict[str, int]) -> str:
    key = {"X-API-Key": await add_api_key("shop")}
    async with http.post("/api/orders", json=an_order(lines).model_dump(mode="json"), headers=key) as resp:
        assert resp.status == 201, await resp.text()
        return (await resp.json())["number"]


async def test_the_camera_reads_a_fahuo_label_without_leaving_the_machine(server, db, tmp_path):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 7, "A-01-03")
    await add_staff("picker-1", Role.PICKER, PASSWORD)
    outside: list[str] = []
    async with chromium(camera_feed(tmp_path, "FH:LOC:A-01-03")) as browser:
        context, page = await phone(browser, server, outside)
        await sign_in(page, "picker-1")
        await page.goto("/#/lookup")
        await page.wait_for_selector("#scanbar:not([hidden])")
        await page.click("#camera")
        card = await page.wait_for_selector('[data-kind="location"]', timeout=20_000)
        assert "Location A-01-03" in await card.inner_text()
        assert "TEA" in await card.inner_text()
        took = await page.evaluate("window.fahuoCameraDecoded - window.fahuoCameraStarted")
        print(f"camera decode: {took:.0f} ms")
        await shot(page, "lookup-camera")
        await context.close()
    assert outside == []


async def test_pick_pack_and_dispatch_by_scanning(server, http, db, browser):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 10, "A-01-02")
    await a_carrier()
    number = await _order(http, {"TEA": 2})
    for name, role in (("picker-1", Role.PICKER), ("packer-1", Role.PACKER), ("dispatcher-1", Role.DISPATCHER)):
        await add_staff(name, role, PASSWORD)
    outside: list[str] = []
    context, page = await phone(browser, server, outside)

    await sign_in(page, "picker-1")
    await shot(page, "home-picker")
    await page.click('a[data-mode="pick"]')
    await page.click("#cart")
    await page.wait_for_selector('.task[data-step="location"]')
    await scan(page, "FH:LOC:A-01-04")  # the wrong bin: refused, naming the right one
    await page.wait_for_selector("#feedback.bad")
    assert "A-01-02" in await page.inner_text("#feedback")
    await shot(page, "pick-wrong-scan")
    await scan(page, "FH:LOC:A-01-02")
    await page.wait_for_selector('.task[data-step="product"]')
    await shot(page, "pick")
    await scan(page, "FH:SKU:TEA")
    await scan(page, "FH:SKU:TEA")  # scanned twice: counted, and the count said back to confirm
    await page.wait_for_function("document.getElementById('count')?.value === '2'")
    await page.press("#count", "Enter")
    await page.wait_for_selector("#countform .confirm")
    await page.press("#count", "Enter")
    await page.wait_for_selector("text=All picked")

    await page.goto("/#/")
    await page.click("#signout")
    await sign_in(page, "packer-1")
    await page.click('a[data-mode="pack"]')
    await page.wait_for_selector("#scanbar:not([hidden])")
    await scan(page, f"FH:ORD:{number}")
    await page.wait_for_selector(f"h2:has-text('{number}')")
    await scan(page, "FH:SKU:TEA")
    await scan(page, "FH:SKU:TEA")
    await scan(page, "FH:SKU:TEA")  # one too many: refused
    await page.wait_for_selector("#feedback.bad")
    await page.fill("input.w", "1300")
    await shot(page, "pack")
    await page.click("#finish")
    await page.wait_for_selector("[data-label]")

    package = await Package.get(shipment__order__number=number)
    await page.goto("/#/")
    await page.click("#signout")
    await sign_in(page, "dispatcher-1")
    await page.click('a[data-mode="load"]')
    await page.wait_for_selector("#scanbar:not([hidden])")
    await scan(page, f"FH:PKG:{package.number}")  # an outside carrier's: handed to its courier as it is scanned
    await page.wait_for_selector("text=courier")
    await page.wait_for_selector("#dispatch:not([disabled])")
    await shot(page, "load")
    await page.click("#dispatch")
    await page.wait_for_selector("#conf")
    assert (await Order.get(number=number)).status == OrderStatus.SHIPPED
    await context.close()
    assert outside == []


async def test_scans_made_offline_survive_a_reload_and_are_applied_once(server, http, db, browser):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 10, "A-01-01")
    await add_staff("picker-1", Role.PICKER, PASSWORD)
    await _order(http, {"TEA": 3})
    context, page = await phone(browser, server, [])
    await sign_in(page, "picker-1")
    await page.click('a[data-mode="pick"]')
    await page.click("#cart")
    await page.wait_for_selector('.task[data-step="location"]')
    await page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=10_000)
    pick_url = page.url

    await context.set_offline(True)
    for code in ("FH:LOC:A-01-01", "FH:SKU:TEA", "FH:SKU:TEA"):  # two of the three counted by scans
        await scan(page, code)
    await page.wait_for_function("document.getElementById('count')?.value === '2'")
    await page.press("#count", "Enter")
    await page.wait_for_selector("#countform .confirm")
    await page.press("#count", "Enter")
    await page.wait_for_function("document.querySelector('#queue').textContent.startsWith('2')")
    await shot(page, "pick-offline")
    await page.reload()
    await page.wait_for_selector(".task")
    await page.wait_for_function("document.querySelector('#queue').textContent.startsWith('2')")
    assert await Scan.exclude(mode=REQUEST).count() == 0  # the new cart's request is remembered, no scan

    await context.set_offline(False)
    await page.evaluate("window.dispatchEvent(new Event('online'))")
    await page.wait_for_function("document.querySelector('#queue').hidden", timeout=10_000)
    task = await PickTask.get(pick_list__number=pick_url.rsplit("/", 1)[1])
    assert (task.at_location, task.picked) == (True, 2)
    assert await Scan.filter(accepted=True).exclude(mode=REQUEST).count() == 2  # the bin, and one count of 2
    await context.close()


async def test_managers_decide_held_orders_and_read_the_dashboard(server, http, db, browser):
    wh, tea = await a_warehouse(), await a_product("TEA", price="60000.00")
    await stock(tea, wh, 3)
    await a_reorder_rule(tea, wh, point=5, qty=10)
    await add_staff("manager-1", Role.MANAGER, PASSWORD)
    number = await _order(http, {"TEA": 1})  # over the value limit: held
    assert (await Order.get(number=number)).status == OrderStatus.ON_HOLD
    context, page = await phone(browser, server, [])
    token = await issue_login_link("manager-1")
    await page.goto(f"/#/link/{token}")  # the one-time link the bot sends
    await page.wait_for_selector("nav.tiles")
    await page.click('a[data-wait="held"]')  # what waits, with its count, at the top of the home
    await page.wait_for_selector(f"li[data-order='{number}'] .addr")
    mobile = (await Order.get(number=number)).phone[3:]  # +86 dropped, in three groups
    assert f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}" in await page.inner_text(f"li[data-order='{number}'] .addr")
    await shot(page, "held")
    await page.fill(f"li[data-order='{number}'] .reason", "known customer")
    await page.click(f"li[data-order='{number}'] button[data-act='approve']")
    await page.wait_for_selector("#feedback.ok")
    assert (await Order.get(number=number)).status == OrderStatus.ALLOCATED
    await page.goto("/#/dashboard")
    await page.wait_for_selector("svg.chart rect", state="attached")
    assert await page.locator("svg.chart rect").count() == 28  # 14 days × (received, shipped)
    await shot(page, "dashboard")
    await page.goto("/#/stock")
    await page.wait_for_selector(".stock-row.low")
    await shot(page, "stock")
    await page.click("#lang")
    await page.wait_for_selector("text=可用")
    await context.close()


async def test_receiving_a_purchase_order_and_confirming_drafts_by_scanning(server, http, db, browser):
    wh = await a_warehouse()
    await a_warehouse("GZ")
    tea = await a_product("TEA", supplier=await a_supplier())
    await a_reorder_rule(tea, wh, point=10, qty=30)
    await sweep_low_stock(db.tz)  # nothing on hand: a draft purchase order for 30
    po = await PurchaseOrder.get()
    await add_staff("manager-1", Role.MANAGER, PASSWORD)
    context, page = await phone(browser, server, [])
    await sign_in(page, "manager-1")
    await page.click('a[data-mode="purchase"]')
    await page.click(f"li[data-po='{po.number}'] [data-confirm]")
    await page.wait_for_selector("#feedback.ok")
    await page.goto("/#/receive")
    await page.wait_for_selector("#scanbar:not([hidden])")
    await scan(page, f"FH:PO:{po.number}")
    await page.wait_for_selector(f"h2:has-text('{po.number}')")
    await scan(page, "FH:SKU:COFFEE")  # not on this purchase order
    await page.wait_for_selector("#feedback.bad")
    await scan(page, "FH:SKU:TEA")
    await page.fill("#qty", "12")
    await scan(page, "FH:LOC:A-01-03")  # the put-away bin, scanned
    await shot(page, "receive")
    await page.click("#book")
    await page.wait_for_selector("#feedback.ok:has-text('TEA × 12 booked in')")
    level = await StockLevel.get(product=tea, location__code="A-01-03")
    assert level.on_hand == 12
    await page.goto("/#/transfer")
    await page.wait_for_selector("#scanbar:not([hidden])")
    await page.select_option("#wh", "SH")  # the warehouse the goods leave from, remembered on the phone
    await scan(page, "FH:SKU:TEA")
    await scan(page, "FH:SKU:TEA")
    await page.fill("#to", "GZ")
    await shot(page, "transfer")
    await page.click("#create")
    await page.wait_for_selector("#feedback.ok:has-text('TR-')")
    transfer = await TransferOrder.get()
    assert [(line.qty) for line in await transfer.lines.all()] == [2]
    await context.close()


async def test_action_buttons_pressed_twice_do_the_work_once_and_say_what_happened(server, http, db, browser):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await a_warehouse("GZ")
    await stock(tea, wh, 10, "A-01-02")
    await a_carrier()
    number = await _order(http, {"TEA": 2})
    picker = Phone(http, await signed_in(http, Role.PICKER))
    _, pick_list = await picker.call("POST", "/api/pick-lists", {"orders": [number]})
    await _pick_all(picker, pick_list)
    await add_staff("manager-1", Role.MANAGER, PASSWORD)
    context, page = await phone(browser, server, [])
    seen = troubles(page)
    await sign_in(page, "manager-1")

    await page.goto("/#/pack")
    await page.wait_for_selector("#scanbar:not([hidden])")
    await scan(page, f"FH:ORD:{number}")
    await page.wait_for_selector(f"h2:has-text('{number}')")
    await scan(page, "FH:SKU:TEA")
    await scan(page, "FH:SKU:TEA")
    await page.click("#finish")  # nothing weighed yet: the packer is asked, no weight is made up
    await page.wait_for_selector("#feedback.bad:has-text('Weigh package 1')")
    assert await page.evaluate("document.activeElement.id") == "w0"
    assert await Shipment.all().count() == 0
    await page.fill("input.w", "1300")
    said = await press_twice(page, "#finish", "pack")
    shipment = await Shipment.get(order__number=number)
    assert shipment.number in said and await Shipment.all().count() == 1
    assert [p.weight_g for p in await Package.filter(shipment=shipment)] == [1300]
    assert await page.locator("[data-label]").count() == 1

    package = await Package.get(shipment=shipment)
    await page.goto("/#/load")
    await page.wait_for_selector("#scanbar:not([hidden])")
    await scan(page, f"FH:PKG:{package.number}")  # an outside carrier's: handed to its courier as it is scanned
    await page.wait_for_selector("text=courier")
    await page.wait_for_selector("#dispatch:not([disabled])")
    said = await press_twice(page, "#dispatch", "dispatch")
    confirmation = await Document.get(kind=DocumentKind.CONFIRMATION)
    assert confirmation.number in said and shipment.number in said
    assert (await Order.get(number=number)).status == OrderStatus.SHIPPED

    await page.click("#lang")  # the transfer in Chinese
    await page.goto("/#/transfer")
    await page.wait_for_selector("#scanbar:not([hidden])")
    await page.select_option("#wh", "SH")  # the warehouse the goods leave from, remembered on the phone
    await scan(page, "FH:SKU:TEA")
    await scan(page, "FH:SKU:TEA")
    await page.fill("#to", "GZ")
    said = await press_twice(page, "#create", "transfer-zh")
    transfer = await TransferOrder.get()
    assert transfer.number in said and "已创建" in said
    assert [line.qty for line in await transfer.lines.all()] == [2]
    assert await page.locator("#lines tr").count() == 0 and await page.input_value("#to") == ""
    await context.close()
    assert seen == []


async def test_a_picker_reports_a_short_bin_with_what_is_still_there_and_goes_on_elsewhere(server, http, db, browser):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 10, "A-01-01")
    await stock(tea, wh, 5, "A-01-03")
    await _order(http, {"TEA": 4})
    await add_staff("picker-1", Role.PICKER, PASSWORD)
    context, page = await phone(browser, server, [])
    await sign_in(page, "picker-1")
    await page.click('a[data-mode="pick"]')
    await page.click("#cart")
    await page.wait_for_selector('.task[data-step="location"] >> text=A-01-01')
    await scan(page, "FH:LOC:A-01-01")
    await page.wait_for_selector('.task[data-step="product"]')
    await page.click("#short")
    await page.fill("#inbin", "1")  # one is left, but not the four asked
    await shot(page, "pick-short")
    await page.click("#shortform button")
    await page.wait_for_selector('.task[data-step="location"] >> text=A-01-03')
    level = await StockLevel.get(product=tea, location__code="A-01-01")
    assert (level.on_hand, level.reserved, level.count_due_since is not None) == (1, 0, True)
    assert [(t.location_id, t.state) for t in await PickTask.all().order_by("seq")] == [
        (level.location_id, "short"), ((await StockLevel.get(product=tea, location__code="A-01-03")).location_id,
                                       "pending")]
    await add_staff("manager-1", Role.MANAGER, PASSWORD)  # the manager sees which bin to count
    await page.goto("/#/")
    await page.click("#signout")
    await sign_in(page, "manager-1")
    await page.click('a[data-mode="stock"]')
    await page.wait_for_selector(".stock-row[data-sku='TEA'] .badge:has-text('count A-01-01')")
    await context.close()
