"""The floor app at 390×844 as a picker, a packer and a dispatcher use it: counts typed or scanned, what was
packed kept on the screen, loading that says what to do, nothing cut off. Screenshots in test-artifacts/."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from playwright.async_api import Page

from core.base.auth import Role, add_staff
from core.floor.picking import PickTask
from core.shipping.fleet import RoutePlan, RouteStop, Vehicle
from core.shipping.shipments import Package, Shipment
from core.stock.warehouses import Warehouse
from tests.conftest import PASSWORD, signed_in
from tests.factories import a_carrier, a_product, a_warehouse, stock
from tests.test_logistics import Phone, _pick_all
from tests.test_pwa import _order, browser, phone, scan, shot, sign_in, troubles

__all__ = ["browser"]  # the fixture, shared with the other floor-app tests
pytestmark = [pytest.mark.browser]


async def _as(page: Page, lang: str) -> None:
    """The language this phone reads, chosen with the header's button as a person would."""
    if await page.evaluate("document.documentElement.lang") != lang:
        await page.click("#lang")
        await page.wait_for_function(f"document.documentElement.lang === '{lang}'")


async def _fits(page: Page) -> None:
    """Nothing wider than the phone, no text cut off with an ellipsis."""
    wide = await page.evaluate("""[...document.querySelectorAll('body *')].filter((el) => {
        const box = el.getBoundingClientRect();
        return box.width > 0 && (box.right > innerWidth + 1 || getComputedStyle(el).textOverflow === 'ellipsis'
          && el.scrollWidth > el.clientWidth);
      }).map((el) => el.tagName + '#' + el.id + '.' + el.className)""")
    assert wide == []


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_picker_types_or_scans_a_count_and_confirms_it(server, http, db, browser, lang):
    wh, tea = await a_warehouse(name="Shanghai Qingpu Distribution Centre 上海青浦配送中心"), await a_product("TEA")
    await stock(tea, wh, 20, "A-01-02")
    await _order(http, {"TEA": 6})
    await add_staff("picker-1", Role.PICKER, PASSWORD)
    context, page = await phone(browser, server, [])
    seen = troubles(page)
    await sign_in(page, "picker-1")
    await _as(page, lang)
    await page.click('a[data-mode="pick"]')
    await page.wait_for_selector("#scanbar:not([hidden])")
    await scan(page, "FH:SKU:TEA")  # no list open yet: a product is not a list
    await page.wait_for_selector("#feedback.bad")
    said = await page.inner_text("#feedback")
    assert "FH:SKU:TEA" in said and ("open a pick list first" in said and "a product" in said if lang == "en"
                                     else "请先打开拣货单" in said and "是商品" in said), said
    await shot(page, f"floor-pick-no-list-{lang}")
    await _fits(page)
    await page.click("#cart")
    await page.wait_for_selector('.task[data-step="location"]')
    number = (await page.inner_text("#title")).split()[-1]
    await _fits(page)
    await scan(page, "FH:LOC:A-01-02")
    await page.wait_for_selector('.task[data-step="product"]')
    await scan(page, "FH:SKU:TEA")  # six to take: the count is asked, all six preselected
    await page.wait_for_selector("#countform")
    assert await page.input_value("#count") == "6"
    assert await page.evaluate("document.activeElement.id") == "count"  # a scanner's Enter lands here
    await scan(page, "FH:SKU:TEA")  # scanned again: counting by scans
    await page.wait_for_function("document.getElementById('count').value === '2'")
    await page.fill("#count", "7")  # one too many: refused saying how many
    await page.press("#count", "Enter")
    await page.wait_for_selector("#feedback.bad")
    assert ("Only 6 × TEA to take" if lang == "en" else "只需拣 6 件 TEA") in await page.inner_text("#feedback")
    await page.fill("#count", "6")
    await page.press("#count", "Enter")
    confirm = await page.wait_for_selector("#countform .confirm")
    expected = (f"Pick 6 × TEA (Product TEA) into {number}? 6 expected." if lang == "en"
                else f"拣 6 件 TEA（Product TEA）到 {number}？应拣 6 件。")
    assert await confirm.inner_text() == expected
    await shot(page, f"floor-pick-count-{lang}")
    await page.press("#count", "Enter")
    await page.wait_for_selector(".card:has-text('All picked')" if lang == "en" else ".card:has-text('全部拣完')")
    assert [t.picked for t in await PickTask.all()] == [6]  # one counted pick, applied once
    assert await page.evaluate("document.activeElement.id") == "scan"  # the scanner types into the scan field again
    await shot(page, f"floor-pick-done-{lang}")
    await context.close()
    assert seen == []


async def test_what_was_packed_stays_on_screen_until_the_next_order(server, http, db, browser):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 10, "A-01-02")
    await a_carrier("STD", name="Standard Post", name_zh="标准快递")
    numbers = [await _order(http, {"TEA": 1}) for _ in range(2)]
    picker = Phone(http, await signed_in(http, Role.PICKER))
    for number in numbers:
        _, pick_list = await picker.call("POST", "/api/pick-lists", {"orders": [number]})
        await _pick_all(picker, pick_list)
    await add_staff("packer-1", Role.PACKER, PASSWORD)
    context, page = await phone(browser, server, [])
    seen = troubles(page)
    await sign_in(page, "packer-1")
    await _as(page, "zh")
    await page.goto("/#/pack")
    await page.wait_for_selector("#scanbar:not([hidden])")
    await scan(page, f"FH:ORD:{numbers[0]}")
    await page.wait_for_selector(f"h2:has-text('{numbers[0]}')")
    await scan(page, "FH:SKU:TEA")
    await page.fill("input.w", "900")
    await page.click("#finish")
    card = await page.wait_for_selector(".card.packed")
    shipment = await Shipment.get(order__number=numbers[0])
    await page.wait_for_timeout(3000)  # the feedback has gone; the result has not
    text = await card.inner_text()
    assert "标准快递" in text and "Standard" not in text and shipment.waybill in text, text
    assert await page.locator(".card.packed [data-label]").count() == 1
    await shot(page, "floor-packed-zh")
    await _fits(page)
    await scan(page, "FH:SKU:TEA")  # a stray product scan: refused, the result stays
    await page.wait_for_selector("#feedback.bad")
    assert await page.locator(".card.packed").count() == 1
    await scan(page, f"FH:ORD:{numbers[1]}")  # the next order: the last one's result goes
    await page.wait_for_selector(f"h2:has-text('{numbers[1]}')")
    assert await page.locator(".card.packed").count() == 0
    await context.close()
    assert seen == []


async def _van_and_plan(shipments: list[str]) -> None:
    warehouse = await Warehouse.get(code="SH")
    van = await Vehicle.create(plate="沪AD1234", warehouse_id=warehouse.id, capacity_kg=800)
    plan = await RoutePlan.create(number="RP-1", warehouse_id=warehouse.id, day=date(2026, 12, 8), created_by="t")
    for seq, number in enumerate(shipments, start=1):
        await RouteStop.create(plan_id=plan.id, vehicle_id=van.id, seq=seq, eta=datetime.now(UTC),
                               km_from_previous=1.0, shipment=await Shipment.get(number=number))


async def _packed(http, staff: tuple[Phone, Phone], carrier: str, count: int) -> list[str]:
    numbers = [await _order(http, {"TEA": 1}) for _ in range(count)]
    picker, packer = staff
    shipments = []
    for number in numbers:
        _, pick_list = await picker.call("POST", "/api/pick-lists", {"orders": [number]})
        await _pick_all(picker, pick_list)
        status, shipment = await packer.call("POST", f"/api/orders/{number}/packages", {"packages": [
            {"weight_g": 900, "length_mm": 200, "width_mm": 200, "height_mm": 100,
             "contents": [{"sku": "TEA", "qty": 1}]}]})
        assert status == 201 and shipment["carrier"] == carrier, shipment
        shipments.append(shipment["number"])
    return shipments


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_dispatcher_is_told_what_to_do_with_a_carriers_shipment_and_a_planned_van(
        server, http, db, browser, lang):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 10, "A-01-02")
    await a_carrier("OWN", name="fahuo vans 自有车队", adapter="own_fleet")
    staff = (Phone(http, await signed_in(http, Role.PICKER)), Phone(http, await signed_in(http, Role.PACKER)))
    planned = await _packed(http, staff, "OWN", 3)
    await _van_and_plan(planned)
    await a_carrier("STD", name="Standard Post", name_zh="标准快递", rates={"first_kg": "1", "per_kg": "0.1"})
    (outside,) = await _packed(http, staff, "STD", 1)
    await add_staff("dispatcher-1", Role.DISPATCHER, PASSWORD)
    context, page = await phone(browser, server, [])
    seen = troubles(page)
    await sign_in(page, "dispatcher-1")
    await _as(page, lang)
    await page.goto("/#/load")
    await page.wait_for_selector("#scanbar:not([hidden])")
    package = (await Package.get(shipment__number=outside)).number
    await scan(page, "FH:SKU:TEA")
    await page.wait_for_selector("#feedback.bad")
    await scan(page, f"FH:PKG:{package}")  # an outside carrier's: handed to its courier as it is scanned
    await page.wait_for_selector("#dispatch:not([disabled])")
    assert ("Standard Post's courier" if lang == "en" else "交给标准快递快递员") in await page.inner_text(".task")
    await scan(page, "FH:VEH:沪AD1234")  # not onto our van
    await page.wait_for_selector("#feedback.bad")
    said = await page.inner_text("#feedback")
    assert ("hand it to their courier" if lang == "en" else "请交给其快递员") in said, said
    await shot(page, f"floor-load-courier-{lang}")
    await _fits(page)

    await page.goto("/#/")
    await page.goto("/#/load")
    await page.wait_for_selector("#scanbar:not([hidden])")
    first = (await Package.get(shipment__number=planned[0])).number
    await scan(page, f"FH:PKG:{first}")
    await page.wait_for_selector(f"h2:has-text('{planned[0]}')")
    await scan(page, "FH:VEH:浙A12345")  # no van of ours: refused naming ours
    await page.wait_for_selector("#feedback.bad")
    assert "沪AD1234" in await page.inner_text("#feedback")
    await scan(page, "FH:VEH:沪AD1234")
    await page.wait_for_selector(".loading-order li.this")
    order = [await li.inner_text() for li in await page.query_selector_all(".loading-order li")]
    assert [planned[2] in order[0], planned[1] in order[1], planned[0] in order[2]] == [True] * 3
    await scan(page, f"FH:PKG:{first}")  # the first stop loaded first: flagged, not refused
    await page.wait_for_selector(".card.warn.out-of-order")
    assert await page.get_attribute("#feedback", "class") == "warn"
    assert await page.is_enabled("#dispatch")
    await shot(page, f"floor-load-order-{lang}")
    await _fits(page)
    await context.close()
    assert [s for s in seen if not s.endswith("(Conflict)")] == []  # the refusals asked for, nothing else


async def test_a_refusal_badge_goes_when_its_list_is_done_and_a_look_up_is_said_again_in_the_new_language(
        server, http, db, browser):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 10, "A-01-02")
    await _order(http, {"TEA": 1})
    await add_staff("picker-1", Role.PICKER, PASSWORD)
    context, page = await phone(browser, server, [])
    await sign_in(page, "picker-1")
    await _as(page, "en")
    await page.click('a[data-mode="pick"]')
    await page.click("#cart")
    await page.wait_for_selector('.task[data-step="location"]')
    await scan(page, "FH:LOC:A-01-04")  # refused: the badge counts it
    await page.wait_for_function("document.querySelector('#queue').textContent.endsWith('1 ✗')")
    await scan(page, "FH:LOC:A-01-02")
    await page.wait_for_selector('.task[data-step="product"]')
    await scan(page, "FH:SKU:TEA")
    await page.wait_for_selector(".card:has-text('All picked')")
    await page.wait_for_selector("#queue", state="hidden")  # the list is done: its refusal is no news

    await page.goto("/#/lookup")
    await page.wait_for_selector("#scanbar:not([hidden])")
    await scan(page, "FH:LOC:A-01-02")
    await page.wait_for_selector('[data-kind="location"]:has-text("Location A-01-02")')
    await page.click("#lang")
    await page.wait_for_selector('[data-kind="location"]:has-text("库位 A-01-02")')
    await shot(page, "floor-lookup-zh")
    await context.close()
