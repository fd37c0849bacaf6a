"""The staff app's list of shipments stuck without a carrier, in headless Chromium at phone size, in English and
Chinese: the dashboard counts them, the list says why in words, and a manager books an allowed carrier from it.
Screenshots land in test-artifacts/ (pwa-stuck-<lang>.png, pwa-dashboard-stuck-<lang>.png)."""

from __future__ import annotations

from core.shipping.shipments import Shipment, ShipmentStatus
from core.stock.catalog import GoodsClass
from tests import test_pwa
from tests.factories import a_carrier
from tests.test_logistics import _phones
from tests.test_place_codes import FROZEN_TO_SHANGHAI, _cold_shop, _packed, _place_typed
from tests.test_pwa import phone, shot, sign_in, troubles
from tests.test_pwa_screens import _to_chinese

pytestmark = test_pwa.pytestmark
browser = test_pwa.browser


async def test_a_manager_sees_why_a_shipment_is_stuck_and_books_a_carrier_allowed_now(server, http, db, browser):
    await _cold_shop("北京")
    phones = await _phones(http)
    stuck = await _packed(phones, (await _place_typed(http, FROZEN_TO_SHANGHAI))["number"])
    context, page = await phone(browser, server, [])
    errors = troubles(page)
    await sign_in(page, "manager-1")
    await page.goto("/#/dashboard")
    await page.wait_for_selector("a[href='#/stuck'].warn:has-text('stuck: no carrier allowed')")
    await shot(page, "dashboard-stuck-en")
    await page.click("a[href='#/stuck']")
    card = f"li[data-shipment='{stuck['number']}']"
    await page.wait_for_selector(f"{card} .why:has-text('CHILL: does not deliver to 上海市')")
    assert "No carrier is allowed to take it yet" in await page.inner_text(card)
    assert "Stuck: no carrier allowed" in await page.inner_text(card)
    await shot(page, "stuck-en")

    await _to_chinese(page)
    await page.wait_for_selector(f"{card} .why:has-text('CHILL：不配送到上海市')")
    text = await page.inner_text(card)
    assert "受阻：无承运商可承运" in text and "暂无承运商可承运" in text
    await shot(page, "stuck-zh")

    await a_carrier("COLD2", classes=(GoodsClass.COLD,), regions=["Shanghai"])
    await page.goto("/#/dashboard")
    await page.wait_for_selector("a[href='#/stuck'] b:has-text('1')")
    await shot(page, "dashboard-stuck-zh")
    await page.click("a[href='#/stuck']")
    await page.click(f"{card} [data-carrier='COLD2']")
    await page.wait_for_selector(f"#feedback.ok:has-text('{stuck['number']} 已交由COLD2 carrier承运')")
    assert (await Shipment.get(number=stuck["number"])).status == ShipmentStatus.BOOKED
    await context.close()
    assert errors == []
