"""What customers see in a browser: the emulator's web chat with the real bot behind it, and the checkout page of
the simulated payment provider; in Chromium at phone size, in English and Chinese (screenshots in
test-artifacts/ or $FAHUO_ARTIFACTS)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from core.base.auth import Role, Staff, add_staff
from core.orders.intake import place_order
from core.orders.order import Order, PaymentState
from core.orders.payments import start_payment
from tests.browser import CHROMIUM, chromium
from tests.factories import a_product, a_warehouse, an_order, stock
from tests.test_bot import CUSTOMER, MANAGER, Telegram
from tests.test_pwa import PHONE, artifact, troubles

pytest_plugins = ("tests.test_bot",)  # its `telegram` fixture: the real bot against the Bot API emulator
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists() or not shutil.which("ffmpeg"),
                                 reason="needs Debian's chromium (.ci/run installs it)")]
LOCALES = {"en": "en-US", "zh": "zh-CN"}


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as b:
        yield b


async def a_phone(browser: Browser, base_url: str, lang: str) -> Page:
    context = await browser.new_context(viewport=PHONE, base_url=base_url, locale=LOCALES[lang], has_touch=True,
                                        is_mobile=True)
    return await context.new_page()


async def _shop() -> None:
    wh = await a_warehouse()
    for n in range(1, 8):  # one more than a catalogue page holds
        product = await a_product(f"TEA-{n}", price=f"{n}8.00", name_zh=f"龙井茶 {n} 号")
        await stock(product, wh, 30)


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_in_the_web_chat_a_customer_sees_what_they_typed_and_taps_buttons_that_answer(
        browser: Browser, telegram: Telegram, lang: str):
    await _shop()
    page = await a_phone(browser, telegram.settings.telegram_api_base, lang)
    problems = troubles(page)
    catalogue, added = {"en": ("Catalogue", "Added"), "zh": ("商品目录", "已加入")}[lang]
    await page.goto(f"/chat?chat={CUSTOMER}")
    await page.fill("#t", "/catalog")
    await page.press("#t", "Enter")
    await page.wait_for_selector('.msg.me:has-text("/catalog")')  # the customer's own message
    await page.wait_for_selector(f'.msg:not(.me):has-text("{catalogue}")')

    # the page changes only what changed: the buttons shown stay the same elements while messages arrive
    product = page.locator(".keys button", has_text="TEA-1" if lang == "en" else "龙井茶 1 号")
    await product.evaluate("b => { b.dataset.kept = 'yes' }")
    await page.fill("#t", "/help")
    await page.press("#t", "Enter")
    await page.wait_for_selector('.msg:not(.me):has-text("/cart")')
    assert await product.get_attribute("data-kept") == "yes"

    await product.tap()
    card = page.locator(".msg:not(.me)", has_text="TEA-1").last
    await card.wait_for()
    await page.locator(f'.keys[data-for="{await card.get_attribute("data-id")}"] button', has_text="+5").tap()
    await page.wait_for_selector(f'.msg:has-text("{added} 5 × TEA-1")')  # the card itself says it, no pop-up

    # a tap on the catalogue's next page edits that message in place, not a second copy
    await page.locator(".keys button", has_text="2 ›").tap()
    await page.wait_for_selector('.msg:has-text("2/2")')
    assert await page.locator(f'.msg:has-text("{catalogue}")').count() == 1
    await page.locator(".keys button", has_text="TEA-7" if lang == "en" else "龙井茶 7 号").wait_for()
    await page.screenshot(path=artifact(f"bot-web-chat-{lang}.png"))
    assert problems == []
    assert sum(1 for s in telegram.api.sent if added in s.text and not s.popup) == 1  # one tap, one answer


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_checkout_page_of_a_payment_link_on_a_phone(browser: Browser, server: str, db, lang: str):
    wh, tea = await a_warehouse(), await a_product("TEA", price="44.00", name_zh="西湖龙井 250 克")
    await stock(tea, wh, 10)
    body = an_order({"TEA": 2}, payment_method="prepaid", payment_state="pending")
    order = (await place_order(body, "telegram", "tg:1", db)).order
    link = await start_payment(order.number, db)
    page = await a_phone(browser, server, lang)
    problems = troubles(page)
    await page.goto(f"/pay/{link.token}")
    await page.wait_for_selector("form button")
    await page.screenshot(path=artifact(f"pay-checkout-{lang}.png"))
    await page.tap("form button")
    await page.wait_for_selector("text=" + {"en": "is paid", "zh": "已付款"}[lang])
    await page.screenshot(path=artifact(f"pay-paid-{lang}.png"))
    assert (await Order.get(id=order.id)).payment_state == PaymentState.PAID
    assert problems == []
    await page.goto("/pay/this-link-was-never-given-out")  # a 404, said kindly
    await page.screenshot(path=artifact(f"pay-unknown-{lang}.png"))


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_web_chat_shows_a_managers_report_formatted_and_its_emoji(browser: Browser, telegram: Telegram,
                                                                          lang: str):
    await _shop()
    await place_order(an_order({"TEA-1": 2}), "telegram", "tg:1", telegram.settings)  # something to report
    manager = await add_staff("manager-chat", Role.MANAGER, "manager-password")
    await Staff.filter(id=manager.id).update(telegram_id=MANAGER, language=lang)
    page = await a_phone(browser, telegram.settings.telegram_api_base, lang)
    problems = troubles(page)
    await page.goto(f"/chat?chat={MANAGER}")
    await page.fill("#t", "/report")
    await page.press("#t", "Enter")
    table = page.locator(".msg:not(.me) pre").last  # the report's table, as Telegram draws HTML's <pre>
    await table.wait_for()
    assert "TEA-1" in await table.inner_text()
    shown = await page.locator(".msg:not(.me)").last.inner_text()
    assert "<pre>" not in shown and "</pre>" not in shown and shown.startswith("🖼")
    await page.screenshot(path=artifact(f"bot-web-chat-report-{lang}.png"))
    assert problems == []
