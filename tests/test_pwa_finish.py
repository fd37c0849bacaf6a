"""Every finished screen of the floor app in real headless Chromium, once in English and once in Chinese: the
words a person reads (product names, counters, the route, refusals, held orders, the chart) and a screenshot
of each screen at phone size (test-artifacts/finish-<screen>-<lang>.png)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Page

from core.floor.scanning import Scan
from core.orders.order import Order, OrderStatus
from core.shipping.shipments import Shipment
from core.stock.catalog import Product
from core.stock.replenishment import PurchaseOrder, sweep_low_stock
from core.stock.warehouses import Warehouse
from tests.browser import chromium
from tests.factories import a_carrier, a_product, a_reorder_rule, a_supplier, a_warehouse, stock
from tests.test_logistics import _phones, _pick_all, _place
from tests.test_pwa import artifact, phone, scan, sign_in, troubles

pytestmark = [pytest.mark.browser]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as b:
        yield b

# what each language must say on the screens below
WORDS: dict[str, dict[str, Any]] = {
    "en": {"TEA": "Longjing tea", "CUP": "Celadon cup", "tea": "Longjing tea", "cup": "Celadon cup",
           "picked0": "picked 0 of 2", "picked1": "picked 1 of 2",
           "route": re.compile(r"^2 stops left · \d+ m$"),
           "wrong_bin": "Wrong scan: expected location {bin} (got FH:LOC:A-01-04).",
           "no_order": "order SO-NOPE was not found.", "no_package": "package PK-NOPE was not found.",
           "packed0": "packed 0 of 1", "handed1": "handed over 1 of 1", "bin": "Location A-01-03",
           "warehouse": "SH 上海仓", "why": "order value 60000.00 over 50000", "clear": "Clear all refused scans",
           "head": "ordered"},
    "zh": {"TEA": "龙井茶", "CUP": "青瓷杯", "tea": "龙井茶", "cup": "青瓷杯",
           "picked0": "已拣 0 / 2", "picked1": "已拣 1 / 2",
           "route": re.compile(r"^剩余 2 个库位 · \d+ 米$"),
           "wrong_bin": "扫描错误：应扫描库位 {bin}（收到 FH:LOC:A-01-04）。",
           "no_order": "未找到订单 SO-NOPE。", "no_package": "未找到包裹 PK-NOPE。",
           "packed0": "已装箱 0 / 1", "handed1": "已交接 1 / 1", "bin": "库位 A-01-03",
           "warehouse": "SH 上海仓", "why": "订单金额 60000.00 超过 50000", "clear": "清除全部被拒扫描",
           "head": "订购"},
}


async def shot(page: Page, name: str, lang: str) -> None:
    await page.screenshot(path=artifact(f"finish-{name}-{lang}.png"), full_page=True)


async def said(page: Page, kind: str) -> str:
    await page.wait_for_selector(f"#feedback.{kind}:not([hidden])")
    return await page.inner_text("#feedback")


async def hide_feedback(page: Page) -> None:
    await page.evaluate("document.getElementById('feedback').hidden = true")


async def _floor(http, tz: ZoneInfo) -> dict[str, Any]:
    """Two warehouses; tea and cups in Shanghai's bins; an order to pick, one picked to pack, one packed to
    load, one held for its value, and a draft purchase order."""
    sh = await a_warehouse()
    await Warehouse.filter(id=sh.id).update(name="上海仓")
    gz = await a_warehouse("GZ")
    await Warehouse.filter(id=gz.id).update(name="广州仓")
    supplier = await a_supplier()
    tea = await a_product("TEA", name_zh="龙井茶", supplier=supplier)
    cup = await a_product("CUP", name_zh="青瓷杯")
    vase = await a_product("VASE", name_zh="花瓶", price="60000.00")
    for product, name in ((tea, "Longjing tea"), (cup, "Celadon cup"), (vase, "Vase")):
        await Product.filter(id=product.id).update(name=name)
    await stock(tea, sh, 20, "A-01-03")
    await stock(cup, sh, 20, "A-01-01")
    await stock(vase, sh, 2, "A-01-02")
    await stock(cup, gz, 4, "A-01-01")
    await a_reorder_rule(tea, gz, point=10, qty=30)
    await sweep_low_stock(tz)
    await a_carrier()
    phones = await _phones(http)
    to_pack = await _place(http, {"CUP": 1})
    _, listed = await phones["picker"].call("POST", "/api/pick-lists", {"orders": [to_pack]})
    await _pick_all(phones["picker"], listed)
    to_load = await _place(http, {"CUP": 1})
    _, listed = await phones["picker"].call("POST", "/api/pick-lists", {"orders": [to_load]})
    await _pick_all(phones["picker"], listed)
    status, shipment = await phones["packer"].call("POST", f"/api/orders/{to_load}/packages", {"packages": [
        {"weight_g": 800, "length_mm": 200, "width_mm": 200, "height_mm": 100,
         "contents": [{"sku": "CUP", "qty": 1}]}]})
    assert status == 201, shipment
    held = await _place(http, {"VASE": 1})
    to_pick = await _place(http, {"TEA": 2, "CUP": 2})
    assert (await Order.get(number=held)).status == OrderStatus.ON_HOLD
    return {"to_pick": to_pick, "to_pack": to_pack, "held": held, "package": shipment["packages"][0]["number"],
            "po": (await PurchaseOrder.get()).number}


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_every_finished_screen_speaks_the_language_chosen_and_is_photographed(server, http, db, browser, lang):
    floor = await _floor(http, db.tz)
    words = WORDS[lang]
    context, page = await phone(browser, server, [])
    await context.add_init_script(f"localStorage.getItem('fahuo.lang') || localStorage.setItem('fahuo.lang', '{lang}')")
    seen = troubles(page)
    await sign_in(page, "manager-1")
    await shot(page, "home", lang)

    # pick: a cart from the warehouse chosen, the task with the product's name, counters and the route
    await page.click('a[data-mode="pick"]')
    await page.wait_for_selector("#wh option[value='GZ']", state="attached")
    await page.select_option("#wh", "SH")
    await shot(page, "pick-lists", lang)
    await page.click("#cart")
    await page.wait_for_selector('.task[data-step="location"]')
    where = await page.inner_text(".task .where")
    sku = "TEA" if where == "A-01-03" else "CUP"  # the walk decides which bin comes first
    assert words[sku] in await page.inner_text(".task .what")
    assert await page.inner_text(".task .count") == words["picked0"]
    assert words["route"].match(await page.inner_text("p.route")), await page.inner_text("p.route")
    await scan(page, "FH:LOC:A-01-04")  # the wrong bin: one line, the code said once
    refusal = await said(page, "bad")
    assert refusal == words["wrong_bin"].format(bin=where) and refusal.count("FH:LOC:A-01-04") == 1
    await page.wait_for_timeout(300)  # the screen redraws after the refusal: it is not repeated under the task
    assert "FH:LOC:A-01-04" not in await page.inner_text("main"), "the refusal is said once, in the feedback line"
    await shot(page, "pick-wrong-bin", lang)
    await hide_feedback(page)
    await scan(page, f"FH:LOC:{where}")
    await page.wait_for_selector('.task[data-step="product"]')
    await scan(page, f"FH:SKU:{sku}")  # two to take: one taken now, typed over the two offered
    await page.fill("#count", "1")
    await page.press("#count", "Enter")
    await page.wait_for_selector(f".task .count:text-is('{words['picked1']}')")
    assert words[sku] in await said(page, "ok")  # the prompt names the product in the reader's language
    await shot(page, "pick", lang)

    # a scan refused after the network came back lands in the queue; one press clears every refusal
    await page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=10_000)
    await context.set_offline(True)
    await scan(page, f"FH:SKU:{sku}")  # the last one: the task is done
    await scan(page, f"FH:SKU:{sku}")  # one too many, which only the server can tell
    await page.wait_for_function("document.querySelector('#queue').textContent.startsWith('2')")
    await context.set_offline(False)
    await page.evaluate("window.dispatchEvent(new Event('online'))")
    # the wrong bin of before and the extra one: each refusal in one line, its code once
    await page.wait_for_function("document.querySelector('#queue').textContent === '0 ↑ · 2 ✗'", timeout=10_000)
    await page.click("#queue")
    await page.wait_for_selector("#clear-refused")
    assert words["clear"] in await page.inner_text("#clear-refused")
    lines = await page.locator("li.refused").all_inner_texts()
    assert [line.count(code) for line, code in zip(lines, ("FH:LOC:A-01-04", f"FH:SKU:{sku}"), strict=True)] == [1, 1]
    await shot(page, "queue", lang)
    await page.click("#clear-refused")
    await page.wait_for_function("document.querySelector('#queue').hidden")
    assert await Scan.filter(accepted=False).count() == 2  # the wrong bin and the extra tea, kept on the server

    # pack: an order that does not exist says so; one that does lists its goods by name
    await page.goto("/#/pack")
    await page.wait_for_selector("#scanbar:not([hidden])")
    await hide_feedback(page)  # the refusals sent again above may still be showing theirs
    await scan(page, "FH:ORD:SO-NOPE")
    assert await said(page, "bad") == words["no_order"]
    await shot(page, "pack-no-order", lang)
    await scan(page, f"FH:ORD:{floor['to_pack']}")
    await page.wait_for_selector(f"h2:has-text('{floor['to_pack']}')")
    assert words["packed0"] in await page.inner_text("table")
    assert words["cup"] in await page.inner_text("table")
    await scan(page, "FH:SKU:CUP")
    await page.wait_for_selector("#w0")
    await hide_feedback(page)
    await shot(page, "pack", lang)

    # load: a package that does not exist says so; a real one opens its shipment
    await page.goto("/#/load")
    await page.wait_for_selector("#scanbar:not([hidden])")
    await scan(page, "FH:PKG:PK-NOPE")
    assert await said(page, "bad") == words["no_package"]
    await hide_feedback(page)
    await scan(page, f"FH:PKG:{floor['package']}")  # a carrier's: handed to its courier as it is scanned
    await page.wait_for_selector(f".card .count:text-is('{words['handed1']}')")
    await shot(page, "load", lang)

    # look-up: a bin names its warehouse
    await page.goto("/#/lookup")
    await page.wait_for_selector("#scanbar:not([hidden])")
    await scan(page, "FH:LOC:A-01-03")
    card = await page.wait_for_selector('[data-kind="location"]')
    text = await card.inner_text()
    assert words["bin"] in text and words["warehouse"] in text and words["tea"] in text
    await hide_feedback(page)
    await shot(page, "lookup", lang)

    # held orders: the goods, where they go and why review stopped the order
    await page.goto("/#/held")
    item = await page.wait_for_selector(f"li[data-order='{floor['held']}']")
    text = await item.inner_text()
    assert words["why"] in text and "VASE" in text and ("花瓶" if lang == "zh" else "Vase") in text
    held = await Order.get(number=floor["held"])
    assert held.line1 in text and held.recipient in text
    await shot(page, "held", lang)

    # stock: the warehouse switcher, remembered on the device
    await page.goto("/#/stock")
    await page.wait_for_selector(".stock-row")
    await page.select_option("#wh", "GZ")
    await page.wait_for_selector(".stock-row.low")  # tea below its reorder point in Guangzhou
    await page.reload()
    await page.wait_for_selector(".stock-row.low")
    assert await page.input_value("#wh") == "GZ"
    assert words["tea"] in await page.inner_text("#view")
    await shot(page, "stock", lang)

    # purchase orders: lines with names
    await page.goto("/#/purchase")
    await page.wait_for_selector(f"li[data-po='{floor['po']}']")
    assert words["tea"] in await page.inner_text(f"li[data-po='{floor['po']}']")
    await shot(page, "purchase", lang)

    # the dashboard's chart: a value axis, dates under the bars, the figures on them
    await page.goto("/#/dashboard")
    await page.wait_for_selector("svg.chart text.date", state="attached")
    dates = await page.locator("svg.chart text.date").all_text_contents()
    assert len(dates) == 7 and all(re.fullmatch(r"\d\d/\d\d", d) for d in dates)
    assert await page.locator("svg.chart text.tick").count() >= 2
    assert "4" in await page.locator("svg.chart text.value").all_text_contents()  # four orders placed today
    await shot(page, "dashboard", lang)

    # labels and papers: the location sheet of the warehouse chosen
    await page.goto("/#/labels")
    await page.wait_for_selector("#locsheet:has-text('GZ')")
    await shot(page, "labels", lang)

    # receiving: the purchase order's table in the reader's language, with names
    await page.goto("/#/receive")
    await page.wait_for_selector("#scanbar:not([hidden])")
    await scan(page, f"FH:PO:{floor['po']}")
    await page.wait_for_selector(f"th:has-text('{words['head']}')")
    assert words["tea"] in await page.inner_text("table")
    await hide_feedback(page)
    await shot(page, "receive", lang)

    await page.goto("/#/transfer")
    await page.wait_for_selector("#wh")
    await shot(page, "transfer", lang)
    assert await Shipment.all().count() == 1
    await context.close()
    assert [s for s in seen if s.startswith("pageerror")] == []  # refused requests log, scripts never fail
