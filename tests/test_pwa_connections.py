"""The staff app's connections screen (对接) in headless Chromium at phone size, in English and Chinese: the shop
channels with their webhook address and write-backs (a failed one retried), and a webhook subscription made
(its secret shown once), tested against a real receiver, paused and deleted; screenshots land in
test-artifacts/ (pwa-connections-*.png)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tortoise.transactions import in_transaction

from core.base.auth import Role, add_staff
from core.base.jobs import Job, JobState
from core.base.settings import ChannelAccount, Settings
from core.channels.write_backs import ChannelWriteBack, FailureKind, WriteBackState, note_write_back
from core.webhooks import WebhookSubscription
from tests import test_pwa
from tests.conftest import PASSWORD
from tests.test_pwa import phone, shot, sign_in, troubles
from tests.test_pwa_screens import _to_chinese
from tests.webhook_receiver import Receiver
from tests.zh_leaks import assert_no_english

pytestmark = test_pwa.pytestmark  # Chromium tests, skipped where there is no Chromium
browser = test_pwa.browser  # one headless Chromium per test
NAMES = ("Shopify", "WooCommerce", "Webhook", "shopify", "woo", "https", "HTTP", "fahuo")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Two shops connected; the receiver listens on 127.0.0.1, which fahuo calls only when allowed."""
    channels = {
        "shopify": ChannelAccount.model_validate({
            "platform": "shopify", "shop_url": "https://fahuo-test.myshopify.com", "webhook_secret": "app-secret",
            "key": "shpat_token"}),
        "woo": ChannelAccount.model_validate({
            "platform": "woocommerce", "shop_url": "https://shop.example.com", "webhook_secret": "wc-secret",
            "key": "ck_key", "secret": "cs_secret"}),
    }
    return settings.model_copy(update={"channels": channels, "webhook_allow_private": True})


async def _write_backs() -> None:
    """One shipment the shop refused to hear of, one fahuo is still trying."""
    now = datetime.now(UTC)
    async with in_transaction():
        await note_write_back({"channel": "woo", "order": "SO-20261127-00007", "shipment": "SH-20261127-00007"},
                              WriteBackState.FAILED, 1, now - timedelta(hours=2), FailureKind.REFUSED,
                              'HTTP 404: {"code":"woocommerce_rest_shop_order_invalid_id"}')
        await note_write_back({"channel": "shopify", "order": "SO-20261127-00008", "shipment": "SH-20261127-00008"},
                              WriteBackState.WAITING, 2, now - timedelta(minutes=5), FailureKind.UNAVAILABLE,
                              "HTTP 503: try later")


async def test_a_manager_looks_after_shops_and_webhooks_on_a_phone_in_english_and_chinese(server, db, browser):
    await _write_backs()
    await add_staff("manager-1", Role.MANAGER, PASSWORD)
    receiver = Receiver()
    await receiver.start()
    try:
        context, page = await phone(browser, server, [])
        await context.grant_permissions(["clipboard-read", "clipboard-write"])
        errors = troubles(page)
        await sign_in(page, "manager-1")
        await page.click('a[data-mode="connections"]')
        await page.wait_for_selector("section[data-channel='woo'] li[data-shipment='SH-20261127-00007']")
        woo = await page.inner_text("section[data-channel='woo']")
        assert f"{db.base_url}/api/channels/woo/webhook" in woo and "WooCommerce" in woo
        assert "The platform refused it." in woo and "tries: 1 · " in woo
        shopify = await page.inner_text("section[data-channel='shopify']")
        assert "waiting to be told to the shop: 1" in shopify and "Will retry" in shopify
        assert "Last try: The platform did not answer" in shopify
        await page.click("section[data-channel='woo'] [data-copy]")
        await page.wait_for_selector("#feedback:has-text('Copied.')")
        assert await page.evaluate("navigator.clipboard.readText()") == f"{db.base_url}/api/channels/woo/webhook"
        await shot(page, "connections-en")

        await page.click("[data-retry='SH-20261127-00007']")
        await page.wait_for_selector("#feedback:has-text('SH-20261127-00007 will be told to the shop again')")
        assert (await ChannelWriteBack.get(shipment="SH-20261127-00007")).state == WriteBackState.WAITING
        assert (await Job.get(key="channel.write_back:SH-20261127-00007")).state == JobState.WAITING  # due now

        await page.uncheck("input[value='stock.low']")
        await page.fill("#hookurl", receiver.url)
        await page.click("#subscribe")
        await page.wait_for_selector("[data-secret-for] code.secret")
        secret = await page.inner_text("[data-secret-for] code.secret")
        assert secret.startswith("whsec_") and "Store the signing secret now" in await page.inner_text("#secret")
        receiver.secret = secret
        made = await WebhookSubscription.get(url=receiver.url)
        assert made.events == ["aftersales.*", "order.*", "shipment.*"]
        await shot(page, "connections-secret-en")
        await page.goto(f"/#/connections/{made.id}")
        await page.wait_for_selector("#ping")
        assert secret not in await page.content()  # shown once, never again
        await page.click("#ping")
        await page.wait_for_selector("#pingresult:has-text('The receiver took the test (HTTP 200).')")
        assert [e["kind"] for e in receiver.events] == ["ping"]
        await page.wait_for_selector("li[data-delivery] .badge:has-text('Delivered')")
        await page.click("#toggle")
        await page.wait_for_selector("#feedback:has-text('Paused: nothing is sent')")
        await page.wait_for_selector(".badge.s-paused")
        assert not (await WebhookSubscription.get(id=made.id)).active
        await shot(page, "connections-hook-en")

        # in Chinese: a receiver that is down, a test that fails and says why, then the subscription deleted
        await _to_chinese(page)
        await page.wait_for_selector("#toggle:has-text('恢复')")
        await page.click("#toggle")
        await page.wait_for_selector("#feedback:has-text('已恢复推送')")
        await receiver.stop()
        await page.click("#ping")
        await page.wait_for_selector("#pingresult:has-text('测试推送未成功')")
        await page.wait_for_selector("li[data-delivery] .badge:has-text('推送失败')")
        assert_no_english(await page.inner_text("main"), NAMES)
        await shot(page, "connections-hook-zh")
        page.once("dialog", lambda dialog: dialog.accept())
        await page.click("#delete")
        await page.wait_for_selector("#feedback:has-text('订阅已删除')")
        await page.wait_for_selector("section[data-channel='woo']")
        assert not await WebhookSubscription.exists(id=made.id)
        main = await page.inner_text("main")
        assert "店铺渠道" in main and "等待重试" in main and "上次失败：平台未应答，系统会自动重试。" in main
        assert_no_english(main, NAMES)
        await shot(page, "connections-zh")
        assert not errors or all("409" in e or "502" in e for e in errors), errors
        await context.close()
    finally:
        await receiver.stop()


async def test_the_connections_tile_is_shown_only_to_roles_that_may_use_it(server, db, browser):
    await add_staff("picker-1", Role.PICKER, PASSWORD)
    context, page = await phone(browser, server, [])
    await sign_in(page, "picker-1")
    assert not await page.query_selector('a[data-mode="connections"]')
    await context.close()
