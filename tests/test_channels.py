"""Storefronts against local fakes of their platforms: a Shopify and a WooCommerce order come in by signed
webhook, once however often they come, are picked, packed and dispatched, and their tracking is written back
to the platform — also after the platform was down for a while; forged or unreadable webhooks store nothing;
a cancellation on the platform cancels the order until it ships, and a manager hears when it is too late."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from core.base.auth import Role
from core.base.events import OutboxEvent, emit
from core.base.settings import ChannelAccount, Settings
from core.channels.channel_api import (
    Channel,
    ChannelUnavailable,
    Link,
    PlatformAddress,
    PlatformCancel,
    PlatformLine,
    PlatformOrder,
    Pulled,
)
from core.channels.connectors import CONNECTORS, write_back_shipments
from core.channels.platform import hmac_base64, signed_by
from core.channels.pulling import cursor_of, pull_orders
from core.channels.shopify import province_of
from core.orders.customers import Customer
from core.orders.order import Order, OrderStatus
from core.shipping.shipments import Shipment
from core.stock.ledger import StockLevel
from tests.conftest import signed_in
from tests.factories import a_carrier, a_product, a_warehouse, stock
from tests.shopify_fake import APP_SECRET, TOKEN, FakeShopify, running_shopify
from tests.test_carrier_sf import _dispatched
from tests.test_logistics import Phone, _phones, _pick_all
from tests.woocommerce_fake import KEY, SECRET, WEBHOOK_SECRET, FakeWooCommerce, running_woocommerce

SECRETS = (TOKEN, APP_SECRET, KEY, SECRET, WEBHOOK_SECRET)


@pytest.fixture
async def shopify() -> AsyncIterator[FakeShopify]:
    async with running_shopify() as fake:
        yield fake


@pytest.fixture
async def woo() -> AsyncIterator[FakeWooCommerce]:
    async with running_woocommerce() as fake:
        yield fake


@pytest.fixture
def settings(settings: Settings, shopify: FakeShopify, woo: FakeWooCommerce) -> Settings:
    channels = {
        "shopify": ChannelAccount.model_validate({
            "platform": "shopify", "shop_url": "https://fahuo-test.myshopify.com", "base_url": shopify.url,
            "webhook_secret": APP_SECRET, "key": TOKEN, "timeout_s": 1.0, "skus": {"TEA-GREEN-250G": "TEA"}}),
        "woo": ChannelAccount.model_validate({
            "platform": "woocommerce", "shop_url": "https://shop.example.com", "base_url": woo.url,
            "webhook_secret": WEBHOOK_SECRET, "key": KEY, "secret": SECRET, "timeout_s": 1.0}),
    }
    return settings.model_copy(update={"channels": channels, "channel_retries": 4})


async def _stocked() -> None:
    warehouse = await a_warehouse()
    for sku in ("TEA", "CUP"):
        await stock(await a_product(sku), warehouse, 20)
    await a_carrier("STD")


async def _shipped(http, phone: dict[str, Phone], number: str, lines: dict[str, int]) -> dict[str, Any]:
    """Picked, packed and dispatched over HTTP, as the floor does it."""
    _, pick_list = await phone["picker"].call("POST", "/api/pick-lists", {"orders": [number]})
    await _pick_all(phone["picker"], pick_list)
    status, shipment = await phone["packer"].call("POST", f"/api/orders/{number}/packages", {"packages": [
        {"weight_g": 900, "length_mm": 250, "width_mm": 200, "height_mm": 100,
         "contents": [{"sku": sku, "qty": qty} for sku, qty in lines.items()]}]})
    assert status == 201 and shipment["waybill"], shipment
    return await _dispatched(phone, shipment)


def test_a_webhook_signature_is_the_base64_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"id":820982911946154508}'  # openssl dgst -sha256 -hmac hush -binary | base64
    assert hmac_base64("hush", body) == "qBvrsZF7RfB1iS6BX6IHqJTp5L911P7intnPeTPsH0I="
    assert signed_by("hush", body, " qBvrsZF7RfB1iS6BX6IHqJTp5L911P7intnPeTPsH0I=\n")
    assert not signed_by("", body, hmac_base64("", body))  # no secret configured: nothing passes


async def test_a_shopify_order_comes_in_once_ships_and_is_fulfilled_with_its_tracking(
        http, server: str, db: Settings, shopify: FakeShopify):
    await _stocked()
    shopify.page_cap = 1  # two locations, one per page: fahuo pages through the fulfillment orders
    placed = shopify.new_order({"TEA-GREEN-250G": 2, "CUP": 1}, locations=2)
    url = f"{server}/api/channels/shopify/webhook"
    status, first = await shopify.send(url, "orders/create", placed)
    assert status == 200 and first["result"] == "created", first
    status, again = await shopify.send(url, "orders/create", placed)  # Shopify retries a webhook it doubts
    assert status == 200 and again == {"result": "repeated", "order": first["order"]}
    order = await Order.get(number=first["order"])
    assert (order.channel, order.external_ref, order.status) == ("shopify", str(placed["id"]),
                                                                 OrderStatus.ALLOCATED)
    assert (order.recipient, order.city, order.line1, order.postcode) == ("李雷", "上海市", "世纪大道 100 号 8 楼",
                                                                         "200120")
    assert order.phone == "+8613812345678" and order.payment_state == "paid"
    assert await Order.filter(external_ref=str(placed["id"])).count() == 1

    shipped = await _shipped(http, await _phones(http), order.number, {"TEA": 2, "CUP": 1})
    assert await write_back_shipments(db, datetime.now(UTC)) == 1
    [made] = shopify.fulfillments
    shipment = await Shipment.get(number=shipped["number"]).prefetch_related("carrier")
    assert made["tracking"]["number"] == shipment.waybill
    assert made["tracking"]["company"] == shipment.carrier.name
    assert made["tracking"]["url"].endswith(f"/t/{shipment.tracking_token}")
    assert len(made["fulfillment_orders"]) == 2 and made["notify"] is True
    assert await write_back_shipments(db, datetime.now(UTC)) == 0  # told once


def test_shopify_provinces_of_china_are_read_by_code_or_english_name_and_others_are_left_as_sent() -> None:
    assert province_of({"country_code": "CN", "province": "Guangdong", "province_code": "GD"}) == "广东省"
    assert province_of({"country_code": "CN", "province": "Inner Mongolia"}) == "内蒙古自治区"
    assert province_of({"country_code": "CN", "province": "Tibet", "province_code": ""}) == "西藏自治区"
    assert province_of({"country_code": "CN", "province": "浙江省"}) == "浙江省"
    assert province_of({"country_code": "US", "province": "Georgia", "province_code": "GA"}) == "Georgia"


async def test_a_shopify_order_from_china_in_english_province_and_pinyin_city_is_placed_to_its_district(
        server: str, db: Settings, shopify: FakeShopify):
    """Shopify keeps China's provinces by English name and code, and a buyer may write the city in pinyin: the
    province is read as its Chinese name, and a street line that names its district places the order there
    (not in a same-named district elsewhere), so it is not held for a district fahuo could not find."""
    await _stocked()
    url = f"{server}/api/channels/shopify/webhook"
    cases = [
        ({"province": "Guangdong", "province_code": "GD", "city": "Shenzhen", "address1": "南山区科技园科苑路 15 号",
          "address2": "", "zip": "518057"}, ("广东省", "深圳市", "南山区", "440305")),
        ({"province": "Jilin", "province_code": "JL", "city": "Changchun", "address1": "人民大街 100 号",
          "address2": "朝阳区", "zip": "130000"}, ("吉林省", "长春市", "朝阳区", "220104")),
        ({"province": "Xizang", "province_code": "YZ", "city": "拉萨市", "address1": "城关区北京中路 1 号",
          "address2": None, "zip": "850000"}, ("西藏自治区", "拉萨市", "城关区", "540102")),
    ]
    for n, (address, (province, city, district, adcode)) in enumerate(cases):
        buyer = {"first_name": "雷", "last_name": "李", "phone": f"+86138123456{n:02}", "email": f"{n}@example.com"}
        placed = shopify.new_order({"TEA": 1}, customer=buyer, email=buyer["email"], shipping_address={
            "name": "李雷", "phone": buyer["phone"], "country": "China", "country_code": "CN", **address})
        status, said = await shopify.send(url, "orders/create", placed)
        assert status == 200 and said["result"] == "created", said
        order = await Order.get(number=said["order"])
        assert (order.province, order.city, order.district, order.adcode) == (province, city, district, adcode)
        assert order.status != OrderStatus.ON_HOLD


async def test_a_shopify_order_waiting_for_payment_comes_in_when_it_is_paid(server: str, db: Settings,
                                                                              shopify: FakeShopify):
    await _stocked()
    url = f"{server}/api/channels/shopify/webhook"
    unpaid = shopify.new_order({"TEA": 1}, paid=False, payment_gateway_names=["Bank Deposit"])
    status, said = await shopify.send(url, "orders/create", unpaid)
    assert status == 200 and said == {"result": "ignored", "order": None} and not await Order.exists()
    status, said = await shopify.send(url, "orders/paid", {**unpaid, "financial_status": "paid"})
    assert status == 200 and said["result"] == "created"
    cod = shopify.new_order({"CUP": 1}, paid=False, payment_gateway_names=["Cash on Delivery (COD)"])
    _, said = await shopify.send(url, "orders/create", cod)
    order = await Order.get(number=said["order"])
    assert (order.payment_method, order.payment_state, order.status) == ("cod", "pending", OrderStatus.ALLOCATED)


async def test_one_webhook_delivered_twice_at_once_makes_one_order(server: str, db: Settings,
                                                                   shopify: FakeShopify):
    await _stocked()
    placed = shopify.new_order({"TEA": 1})
    url = f"{server}/api/channels/shopify/webhook"
    answers = await asyncio.gather(*(shopify.send(url, "orders/create", placed) for _ in range(3)))
    assert [status for status, _ in answers] == [200, 200, 200]
    assert sorted(said["result"] for _, said in answers) == ["created", "repeated", "repeated"]
    assert len({said["order"] for _, said in answers}) == 1 and await Order.all().count() == 1


async def test_a_woocommerce_order_comes_in_ships_and_is_completed_with_a_tracking_note(
        http, server: str, db: Settings, woo: FakeWooCommerce):
    await _stocked()
    url = f"{server}/api/channels/woo/webhook"
    assert await woo.ping(url) == 200  # a new webhook is tested before WooCommerce saves it
    placed = woo.new_order({"TEA": 3})
    status, first = await woo.send(url, "order.created", placed)
    assert status == 200 and first["result"] == "created", first
    status, again = await woo.send(url, "order.updated", placed)
    assert status == 200 and again["result"] == "repeated" and again["order"] == first["order"]
    order = await Order.get(number=first["order"])
    assert (order.province, order.city, order.phone) == ("广东省", "广州市", "+8613912345678")

    shipped = await _shipped(http, await _phones(http), order.number, {"TEA": 3})
    assert await write_back_shipments(db, datetime.now(UTC)) == 1
    assert woo.orders[placed["id"]]["status"] == "completed"
    [note] = woo.notes[placed["id"]]
    assert shipped["waybill"] in note["note"] and note["customer_note"] is True and "运单号" in note["note"]
    assert await write_back_shipments(db, datetime.now(UTC)) == 0


async def test_a_woocommerce_order_waiting_for_payment_comes_in_when_it_is_paid(server: str, db: Settings,
                                                                                   woo: FakeWooCommerce):
    await _stocked()
    url = f"{server}/api/channels/woo/webhook"
    transfer = woo.new_order({"TEA": 1}, status="on-hold", payment_method="bacs")
    status, said = await woo.send(url, "order.created", transfer)
    assert status == 200 and said == {"result": "ignored", "order": None} and not await Order.exists()
    paid = {**transfer, "status": "processing", "date_paid": "2026-11-28T08:00:00"}
    status, said = await woo.send(url, "order.updated", paid)
    assert said["result"] == "created" and (await Order.get(number=said["order"])).payment_state == "paid"
    cod = woo.new_order({"CUP": 1}, payment_method="cod")
    status, said = await woo.send(url, "order.created", {**cod, "date_paid": None})
    order = await Order.get(number=said["order"])
    assert (order.payment_method, order.status) == ("cod", OrderStatus.ALLOCATED)


@pytest.mark.parametrize("signature", ["", "bm90IHRoZSByaWdodCBvbmU=", "not base64 at all"])
async def test_a_forged_webhook_is_refused_and_stores_nothing(server: str, db: Settings, shopify: FakeShopify,
                                                               woo: FakeWooCommerce, signature: str):
    await _stocked()
    status, said = await shopify.send(f"{server}/api/channels/shopify/webhook", "orders/create",
                                      shopify.new_order({"TEA": 1}), signature=signature)
    assert status == 401 and said["error"] == "bad_signature", said
    status, said = await woo.send(f"{server}/api/channels/woo/webhook", "order.created", woo.new_order({"TEA": 1}),
                                  secret="someone else's secret")
    assert status == 401 and said["error"] == "bad_signature"
    assert not await Order.exists() and not await Customer.exists() and not await OutboxEvent.exists()


async def test_a_webhook_fahuo_cannot_take_is_a_clear_4xx_and_stores_nothing(http, server: str, db: Settings,
                                                                              shopify: FakeShopify):
    await _stocked()
    url = f"{server}/api/channels/shopify/webhook"
    cases = [
        (b"{not json", "not a Shopify order"),
        (shopify.new_order({"NO-SUCH-SKU": 1}), "NO-SUCH-SKU"),
        (shopify.new_order({"TEA": 0}), "lines"),
        (shopify.new_order({"TEA": 1}, shipping_address=None), "no shipping address"),
        (shopify.new_order({"TEA": 1}, line_items=5), "not a shopify order"),
        (b"[1, 2]", "not a Shopify order"),
        (shopify.new_order({"TEA": 1}, line_items=[{"sku": "TEA", "quantity": "two"}]), "lines"),
        (shopify.new_order({"TEA": 1}, phone=None, customer={}, shipping_address={
            "name": "李雷", "address1": "世纪大道 100 号", "city": "上海市", "province": "Shanghai", "zip": "200120"}),
         "phone"),
    ]
    for payload, words in cases:
        status, said = await shopify.send(url, "orders/create", payload)
        assert status in (400, 422) and words in said["message"], said
    async with http.post("/api/channels/nowhere/webhook", data=b"{}", headers={"Accept-Language": "zh"}) as resp:
        assert resp.status == 404 and "销售渠道" in (await resp.json())["message"]
    async with http.post("/api/channels/BAD NAME/webhook", data=b"{}") as resp:
        assert resp.status == 422
    assert not await Order.exists() and not await Customer.exists()


async def test_a_platform_that_is_down_is_told_later_and_a_manager_hears_when_it_stays_down(
        http, server: str, db: Settings, shopify: FakeShopify):
    await _stocked()
    url = f"{server}/api/channels/shopify/webhook"
    _, first = await shopify.send(url, "orders/create", shopify.new_order({"TEA": 1}))
    _, second = await shopify.send(url, "orders/create", shopify.new_order({"CUP": 1}))
    phone = await _phones(http)
    shopify.mode = "down"
    shipped = await _shipped(http, phone, first["order"], {"TEA": 1})  # dispatch does not wait for Shopify
    assert shipped["status"] == "dispatched"
    now = datetime.now(UTC)
    assert await write_back_shipments(db, now) == 0
    assert await write_back_shipments(db, now + timedelta(seconds=30)) == 0  # not due yet: not asked again
    shopify.mode = "rate_limited"
    assert await write_back_shipments(db, now + timedelta(minutes=3)) == 0
    shopify.mode = "ok"
    assert await write_back_shipments(db, now + timedelta(minutes=10)) == 1
    assert len(shopify.fulfillments) == 1 and not await OutboxEvent.exists(kind="channel.write_back_failed")

    shopify.mode = "throttled"
    await _shipped(http, phone, second["order"], {"CUP": 1})
    calls = shopify.calls
    later = now + timedelta(minutes=20)
    for _ in range(db.channel_retries + 1):
        assert await write_back_shipments(db, later) == 0
        later += timedelta(hours=2)
    assert shopify.calls - calls == db.channel_retries + 1  # one call a round: nothing asked twice meanwhile
    slow = await OutboxEvent.get(kind="channel.write_back_slow")
    assert slow.payload["tries"] == 3 and "Throttled" in slow.payload["why"]
    failed = await OutboxEvent.get(kind="channel.write_back_failed")
    assert failed.payload["order"] == second["order"] and failed.payload["tries"] == db.channel_retries + 1
    assert await write_back_shipments(db, later + timedelta(days=1)) == 0  # given up: not asked again


async def test_a_platform_found_down_is_not_called_again_in_the_same_round(http, server: str, db: Settings,
                                                                            shopify: FakeShopify):
    await _stocked()
    url = f"{server}/api/channels/shopify/webhook"
    numbers = [(await shopify.send(url, "orders/create", shopify.new_order({sku: 1})))[1]["order"]
               for sku in ("TEA", "CUP")]
    phone = await _phones(http)
    for number, sku in zip(numbers, ("TEA", "CUP"), strict=True):
        await _shipped(http, phone, number, {sku: 1})
    shopify.mode = "down"
    now = datetime.now(UTC)
    assert await write_back_shipments(db, now) == 0
    assert shopify.calls == 1  # the second waits without a call that would only fail (or time out) too
    shopify.mode = "ok"
    assert await write_back_shipments(db, now + timedelta(minutes=2)) == 2
    assert len(shopify.fulfillments) == 2


async def test_a_write_back_cut_off_half_way_is_finished_later_without_a_second_note(
        http, server: str, db: Settings, woo: FakeWooCommerce):
    await _stocked()
    placed = woo.new_order({"TEA": 1})
    _, said = await woo.send(f"{server}/api/channels/woo/webhook", "order.created", placed)
    await _shipped(http, await _phones(http), said["order"], {"TEA": 1})
    woo.mode = "updates_down"
    now = datetime.now(UTC)
    assert await write_back_shipments(db, now) == 0
    assert len(woo.notes[placed["id"]]) == 1 and woo.orders[placed["id"]]["status"] == "processing"
    woo.mode = "ok"
    assert await write_back_shipments(db, now + timedelta(minutes=5)) == 1
    assert len(woo.notes[placed["id"]]) == 1 and woo.orders[placed["id"]]["status"] == "completed"


async def test_a_refused_write_back_goes_to_a_manager_at_once(http, server: str, db: Settings,
                                                              woo: FakeWooCommerce):
    await _stocked()
    placed = woo.new_order({"TEA": 1})
    _, said = await woo.send(f"{server}/api/channels/woo/webhook", "order.created", placed)
    del woo.orders[placed["id"]]  # deleted in the shop meanwhile: it answers 404
    await _shipped(http, await _phones(http), said["order"], {"TEA": 1})
    assert await write_back_shipments(db, datetime.now(UTC)) == 0
    failed = await OutboxEvent.get(kind="channel.write_back_failed")
    assert failed.payload["tries"] == 1 and "Invalid ID" in failed.payload["why"]
    assert not await OutboxEvent.exists(kind="channel.write_back")


async def test_a_manager_sees_a_failed_write_back_in_words_and_retries_it_once_the_shop_is_fixed(
        http, server: str, db: Settings, woo: FakeWooCommerce):
    await _stocked()
    placed = woo.new_order({"TEA": 1})
    _, said = await woo.send(f"{server}/api/channels/woo/webhook", "order.created", placed)
    kept = woo.orders.pop(placed["id"])  # deleted in the shop meanwhile: it answers 404
    shipped = await _shipped(http, await _phones(http), said["order"], {"TEA": 1})
    assert await write_back_shipments(db, datetime.now(UTC)) == 0
    manager = await signed_in(http, Role.MANAGER, "manager-conn")
    async with http.get("/api/channels", headers={**manager, "Accept-Language": "zh"}) as resp:
        assert resp.status == 200
        channels = {c["name"]: c for c in await resp.json()}
    assert channels["woo"]["webhook_url"].endswith("/api/channels/woo/webhook")
    assert channels["woo"]["pulled_at"] is None and channels["woo"]["waiting"] == []
    [failed] = channels["woo"]["failed"]
    assert (failed["shipment"], failed["order"], failed["state_word"], failed["tries"]) == (
        shipped["number"], said["order"], "回传失败", 1)
    assert failed["error"] == "平台拒绝了回传。"
    assert failed["platform_said"].startswith("HTTP 404") and "Invalid ID" in failed["platform_said"]
    assert not any(secret in json.dumps(channels, ensure_ascii=False) for secret in SECRETS)

    woo.orders[placed["id"]] = kept  # put back in the shop
    async with in_transaction():  # another shop's retry, due in an hour: the one asked for by hand does not wait
        await emit("channel.write_back", {"channel": "shopify", "order": "SO-X", "shipment": "SH-X", "attempt": 2,
                                          "due": (datetime.now(UTC) + timedelta(hours=1)).isoformat()})
    retry = f"/api/channels/write-backs/{shipped['number']}/retry"
    async with http.post(retry, headers=manager) as resp:
        assert resp.status == 200 and (await resp.json())["state"] == "waiting"
    async with http.post(retry, headers={**manager, "Accept-Language": "zh"}) as resp:  # already asked for
        assert resp.status == 409 and "等待重试" in (await resp.json())["message"]
    assert await write_back_shipments(db, datetime.now(UTC)) == 1
    assert woo.orders[placed["id"]]["status"] == "completed"
    async with http.get("/api/channels", headers=manager) as resp:
        assert (await resp.json())[1]["failed"] == []
    async with http.post(retry, headers=manager) as resp:  # told: nothing to retry
        said_en = await resp.json()
        assert resp.status == 409 and "Told" in said_en["message"] and "tried again" in said_en["message"]


async def test_only_managers_may_see_channels_and_retry_and_unknown_shipments_are_named(http, server: str,
                                                                                        db: Settings):
    picker = await signed_in(http, Role.PICKER)
    for lang, word in (("en", "look after shop channels"), ("zh", "管理店铺对接")):
        async with http.get("/api/channels", headers={**picker, "Accept-Language": lang}) as resp:
            assert resp.status == 403 and word in (await resp.json())["message"]
        async with http.post("/api/channels/write-backs/SH-1/retry",
                             headers={**picker, "Accept-Language": lang}) as resp:
            assert resp.status == 403 and word in (await resp.json())["message"]
    async with http.get("/api/channels") as resp:
        assert resp.status == 401
    manager = await signed_in(http, Role.MANAGER)
    for lang, word in (("en", "not found"), ("zh", "发运单")):
        async with http.post("/api/channels/write-backs/SH-NONE/retry",
                             headers={**manager, "Accept-Language": lang}) as resp:
            said = await resp.json()
            assert resp.status == 404 and word in said["message"].lower() and "SH-NONE" in said["message"], said


async def test_a_cancellation_on_the_platform_cancels_the_order_until_it_ships(http, server: str, db: Settings,
                                                                               shopify: FakeShopify,
                                                                               woo: FakeWooCommerce):
    await _stocked()
    url = f"{server}/api/channels/shopify/webhook"
    placed = shopify.new_order({"TEA": 5})
    _, said = await shopify.send(url, "orders/create", placed)
    status, cancelled = await shopify.send(url, "orders/cancelled", {**placed, "cancel_reason": "customer"})
    assert status == 200 and cancelled == {"result": "cancelled", "order": said["order"]}
    assert (await Order.get(number=said["order"])).status == OrderStatus.CANCELLED
    assert sum(await StockLevel.all().values_list("reserved", flat=True)) == 0
    status, again = await shopify.send(url, "orders/cancelled", placed)
    assert status == 200 and again["result"] == "cancelled"
    status, stranger = await shopify.send(url, "orders/cancelled", shopify.new_order({"TEA": 1}))
    assert status == 200 and stranger == {"result": "unknown", "order": None}

    woo_url = f"{server}/api/channels/woo/webhook"
    sold = woo.new_order({"CUP": 1})
    _, taken = await woo.send(woo_url, "order.created", sold)
    await _shipped(http, await _phones(http), taken["order"], {"CUP": 1})
    status, late = await woo.send(woo_url, "order.updated", {**sold, "status": "cancelled"})
    assert status == 200 and late == {"result": "shipped", "order": taken["order"]}
    assert (await Order.get(number=taken["order"])).status == OrderStatus.SHIPPED
    alert = await OutboxEvent.get(kind="channel.cancel_too_late")
    assert alert.payload["order"] == taken["order"] and alert.payload["channel"] == "woo"


async def test_channel_secrets_appear_in_no_repr_no_log_and_no_answer(http, server: str, db: Settings,
                                                                       shopify: FakeShopify, caplog):
    caplog.set_level(logging.DEBUG)
    await _stocked()
    _, said = await shopify.send(f"{server}/api/channels/shopify/webhook", "orders/create",
                                 shopify.new_order({"TEA": 1}))
    shopify.mode = "down"
    await _shipped(http, await _phones(http), said["order"], {"TEA": 1})
    await write_back_shipments(db, datetime.now(UTC))
    seen = repr(db) + str(db.channels) + caplog.text + str(await OutboxEvent.all().values_list("payload", flat=True))
    for secret in SECRETS:
        assert secret not in seen


class PagedMarket(Channel):
    """A marketplace that is pulled: pages of orders keyed by cursor, as a connector's `pull` returns them."""

    platform, pulls = "paged", True

    def __init__(self, pages: dict[str, Pulled]) -> None:
        self.pages, self.down, self.acknowledged = pages, False, []

    async def pull(self, link: Link, cursor: str) -> Pulled:
        if self.down:
            raise ChannelUnavailable(link.name, "HTTP 503")
        return self.pages.get(cursor, Pulled(cursor=cursor))

    async def acknowledge(self, link: Link, ref: str, order: str) -> None:
        self.acknowledged.append((ref, order))


def _pulled(ref: str, sku: str) -> PlatformOrder:
    where = PlatformAddress("王芳", "13712345678", "浙江省", "杭州市", "文三路 90 号", "西湖区", "310012")
    return PlatformOrder(ref, f"T{ref}", "王芳", "13712345678", "", where, [PlatformLine(sku, 1)], paid=True)


async def test_a_pulled_channel_takes_each_order_once_page_by_page_and_keeps_its_place(db: Settings,
                                                                                       monkeypatch):
    await _stocked()
    market = PagedMarket({
        "": Pulled([_pulled("1001", "TEA"), _pulled("1002", "NOPE")], cursor="p2", more=True),
        "p2": Pulled([_pulled("1001", "TEA"), _pulled("1003", "CUP")], [PlatformCancel("1003")], cursor="t3"),
    })
    monkeypatch.setitem(CONNECTORS, "paged", market)
    settings = db.model_copy(update={"channels": {**db.channels, "market": ChannelAccount(platform="paged")}})
    market.down = True
    assert await pull_orders(settings, datetime.now(UTC)) == 0 and await cursor_of("market") == ""
    market.down = False
    assert await pull_orders(settings, datetime.now(UTC)) == 2
    assert await cursor_of("market") == "t3"
    taken = {o.external_ref: o.status for o in await Order.filter(channel="market")}
    assert taken == {"1001": OrderStatus.ALLOCATED, "1003": OrderStatus.CANCELLED}
    refused = await OutboxEvent.get(kind="channel.order_refused")
    assert refused.payload["ref"] == "1002" and "NOPE" in refused.payload["why"]
    assert [ref for ref, _ in market.acknowledged] == ["1001", "1001", "1003"]
    assert await pull_orders(settings, datetime.now(UTC)) == 0  # nothing new past t3
