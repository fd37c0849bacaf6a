"""A Taobao/Tmall shop against a local fake of the Taobao open platform: paid trades are pulled (signed calls,
window by window, page by page, from where the last round stopped, each trade once), picked, packed and
dispatched, and sent back with the carrier's logistics company code and the waybill — also after TOP was down;
a trade closed before it ships cancels the order; credentials TOP refuses stop the pull and tell a manager."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.base.events import OutboxEvent
from core.base.settings import ChannelAccount, Settings
from core.channels.channel_api import ChannelRefused, ChannelUnavailable, Link
from core.channels.connectors import write_back_shipments
from core.channels.pulling import cursor_of, pull_orders
from core.channels.taobao import Window, beijing, failure, sign
from core.orders.order import Order, OrderStatus
from core.shipping.shipments import Shipment
from tests.factories import a_carrier, a_product, a_warehouse, stock
from tests.taobao_fake import APP_KEY, APP_SECRET, SESSION, FakeTaobao, running_taobao
from tests.test_channels import _shipped
from tests.test_logistics import _phones

PARAMS = {"method": "taobao.trade.fullinfo.get", "app_key": "12345678", "session": "test-session",
          "timestamp": "2026-11-27 13:00:00", "format": "json", "v": "2.0"}


@pytest.fixture
async def taobao() -> AsyncIterator[FakeTaobao]:
    async with running_taobao() as fake:
        yield fake


def _account(fake: FakeTaobao, **changes: Any) -> ChannelAccount:
    body: dict[str, Any] = {
        "platform": "taobao", "shop_url": "https://fahuo-test.tmall.com", "base_url": fake.router, "key": APP_KEY,
        "secret": APP_SECRET, "session": SESSION, "timeout_s": 1.0, "skus": {"TEA-250G": "TEA"},
        "carriers": {"STD": "YTO"},
        "options": {"since": beijing(datetime.now(UTC) - timedelta(hours=2)), "lag_minutes": 0}}
    body.update(changes)
    return ChannelAccount.model_validate(body)


@pytest.fixture
def settings(settings: Settings, taobao: FakeTaobao) -> Settings:
    return settings.model_copy(update={"channels": {"tmall": _account(taobao)}, "channel_retries": 4})


def _with(db: Settings, fake: FakeTaobao, **changes: Any) -> Settings:
    return db.model_copy(update={"channels": {"tmall": _account(fake, **changes)}})


async def _stocked(carrier: str = "SF") -> None:
    warehouse = await a_warehouse()
    for sku in ("TEA", "CUP"):
        await stock(await a_product(sku), warehouse, 30)
    await a_carrier(carrier)


def _now() -> datetime:
    return datetime.now(UTC)


def test_a_top_sign_follows_the_documented_rule_for_each_sign_method() -> None:
    # printf 'hello<sorted names and values>hello' | md5sum; openssl dgst -md5 / -sha256 -hmac hello
    assert sign({**PARAMS, "sign_method": "md5"}, "hello", "md5") == "B7827698598BBC042DE61E6E0713D557"
    assert sign({**PARAMS, "sign_method": "hmac"}, "hello", "hmac") == "437140D690211472DB95B441EC92C58B"
    assert sign({**PARAMS, "sign_method": "hmac-sha256"}, "hello", "hmac-sha256") == (
        "80B791FC9B45C21AC2D03F9E227353C411767CB8C0F5A482DCD3F70EB3F24021")
    # the sign itself and empty values take no part
    assert sign({**PARAMS, "sign_method": "md5", "sign": "X", "fields": ""}, "hello", "md5") == (
        "B7827698598BBC042DE61E6E0713D557")


@pytest.mark.parametrize(("error", "kind"), [
    ({"code": 7, "msg": "App Call Limited", "sub_code": "accesscontrol.limited-by-app-access-count"},
     ChannelUnavailable),
    ({"code": 10, "msg": "Service Currently Unavailable"}, ChannelUnavailable),
    ({"code": 15, "msg": "Remote service error", "sub_code": "isp.top-remote-connection-timeout"},
     ChannelUnavailable),
    ({"code": 15, "msg": "Remote service error", "sub_code": "isv.logistics-offline-service-error:B04"},
     ChannelRefused),
    ({"code": 25, "msg": "Invalid signature"}, ChannelRefused),
    ({"code": 27, "msg": "Invalid session", "sub_code": "invalid-sessionkey"}, ChannelRefused),
    ({"code": 11, "msg": "Insufficient isv permissions", "sub_code": "isv.permission-api-package-limit"},
     ChannelRefused),
])
def test_top_errors_are_sorted_into_worth_asking_again_and_refused(error: dict[str, Any], kind: type) -> None:
    said = failure(Link("tmall", ChannelAccount(platform="taobao")), error)
    assert type(said) is kind and said.reason.startswith(f"TOP error {error['code']} {error['msg']}")


def test_a_window_is_read_from_its_last_page_to_its_first_then_for_closed_trades() -> None:
    steps, window = [], Window("2026-11-27 10:00:00", "2026-11-27 10:30:00")
    while window is not None:
        steps.append((window.phase, window.page))
        window = window.after(3 if window.phase == 0 else 1)
    assert steps == [(0, 0), (0, 3), (0, 2), (0, 1), (1, 0)]
    assert Window.read(Window("a", "b", 1, 2).text()) == Window("a", "b", 1, 2)


async def test_a_paid_trade_comes_in_ships_and_is_sent_back_with_company_code_and_waybill(
        http, server: str, db: Settings, taobao: FakeTaobao):
    await _stocked()
    tid = taobao.new_trade({"TEA-250G": 2, "CUP": 1})
    assert await pull_orders(db, _now()) == 1
    order = await Order.get(channel="tmall", external_ref=tid)
    assert order.status == OrderStatus.ALLOCATED and order.payment_state == "paid"
    assert (order.recipient, order.phone, order.province, order.city, order.district, order.line1,
            order.postcode) == ("王芳", "+8613712345678", "浙江省", "杭州市", "西湖区",
                                "文三路 90 号 东部软件园 3 号楼", "310012")
    assert tid in order.note and "请发顺丰" in order.note
    # the increment carries no receiver here: fahuo asked the trade's full information
    assert [c["tid"] for c in taobao.calls if c["method"] == "taobao.trade.fullinfo.get"] == [tid]
    assert {c["sign_method"] for c in taobao.calls} == {"hmac-sha256"}
    assert await pull_orders(db, _now()) == 0

    shipped = await _shipped(http, await _phones(http), order.number, {"TEA": 2, "CUP": 1})
    assert await write_back_shipments(db, _now()) == 1
    assert taobao.sent[tid] == {"out_sid": shipped["waybill"], "company_code": "SF",
                                "method": "taobao.logistics.offline.send"}
    assert taobao.trades[tid]["status"] == "WAIT_BUYER_CONFIRM_GOODS"
    assert await write_back_shipments(db, _now()) == 0  # told once
    assert await pull_orders(db, _now()) == 0 and await Order.filter(channel="tmall").count() == 1


@pytest.mark.parametrize("method", ["md5", "hmac"])
async def test_the_older_sign_methods_are_taken_too(db: Settings, taobao: FakeTaobao, method: str):
    await _stocked()
    taobao.receiver_in_increment = True
    tid = taobao.new_trade({"CUP": 1})
    settings = _with(db, taobao, options={**db.channels["tmall"].options, "sign_method": method})
    assert await pull_orders(settings, _now()) == 1 and await Order.exists(external_ref=tid)
    assert not [c for c in taobao.calls if c["method"] == "taobao.trade.fullinfo.get"]


async def test_the_pull_goes_page_by_page_resumes_where_it_stopped_and_takes_each_trade_once(
        db: Settings, taobao: FakeTaobao):
    await _stocked()
    settings = _with(db, taobao, options={**db.channels["tmall"].options, "page_size": 2})
    tids = [taobao.new_trade({"TEA": 1}, minutes_ago=m) for m in (100, 98, 96, 94, 92, 50, 20)]
    taobao.receiver_in_increment = True  # only the increment is called: the pages read are the calls made
    taobao.calls_left = 9  # TOP goes down part-way through
    first = await pull_orders(settings, _now())
    assert 0 < first < len(tids)
    stopped = await cursor_of("tmall")
    assert stopped
    taobao.mode, taobao.calls_left = "ok", None
    assert await pull_orders(settings, _now()) == len(tids) - first
    assert sorted(await Order.filter(channel="tmall").values_list("external_ref", flat=True)) == sorted(tids)
    # the window that held five trades was read page 1, then 3, 2, 1
    window = [c for c in taobao.calls if c["method"] == "taobao.trades.sold.increment.get"
              and c["status"] == "WAIT_SELLER_SEND_GOODS" and c["start_modified"] <= taobao.trades[tids[0]]["modified"]
              <= c["end_modified"]]
    assert [int(c["page_no"]) for c in window] == [1, 3, 2, 1]
    assert all(c["page_size"] == "2" for c in window)

    await asyncio.sleep(1.1)  # TOP counts in seconds: what changes next is past the window just read
    taobao.change(tids[-1], buyer_message="改成周末送")  # modified again: seen again, still one order
    taobao.change(tids[0], status="TRADE_CLOSED")  # refunded in full before it shipped
    assert await pull_orders(settings, _now()) == 0
    assert await Order.filter(channel="tmall").count() == len(tids)
    assert (await Order.get(external_ref=tids[0])).status == OrderStatus.CANCELLED
    assert (await Order.get(external_ref=tids[-1])).status != OrderStatus.CANCELLED


@pytest.mark.parametrize(("changes", "words"), [({"secret": "not-the-app-secret"}, "Invalid signature"),
                                                ({"session": "an-expired-session"}, "Invalid session"),
                                                ({"key": "87654321"}, "Invalid app Key")])
async def test_credentials_top_refuses_stop_the_pull_and_tell_a_manager_once(
        db: Settings, taobao: FakeTaobao, caplog, changes: dict[str, str], words: str):
    caplog.set_level(logging.DEBUG)
    await _stocked()
    taobao.new_trade({"TEA": 1})
    settings = _with(db, taobao, **changes)
    assert await pull_orders(settings, _now()) == 0
    assert await pull_orders(settings, _now()) == 0
    assert await cursor_of("tmall") == "" and not await Order.exists()
    [alert] = await OutboxEvent.filter(kind="channel.pull_refused")
    assert alert.payload["channel"] == "tmall" and words in alert.payload["why"]
    seen = caplog.text + str(alert.payload) + repr(settings) + str(settings.channels)
    for secret in (APP_SECRET, SESSION, *changes.values()):
        assert secret not in seen


@pytest.mark.parametrize("mode", ["down", "limited", "trouble", "slow"])
async def test_a_platform_that_cannot_answer_is_pulled_again_later_with_no_alert(db: Settings,
                                                                                  taobao: FakeTaobao, mode: str):
    await _stocked()
    tid = taobao.new_trade({"TEA": 1})
    taobao.mode = mode
    assert await pull_orders(db, _now()) == 0 and await cursor_of("tmall") == ""
    taobao.mode = "ok"
    assert await pull_orders(db, _now()) == 1 and await Order.exists(external_ref=tid)
    assert not await OutboxEvent.exists(kind="channel.pull_refused")


async def test_a_send_back_while_top_is_down_lands_once_it_is_up(http, server: str, db: Settings,
                                                                  taobao: FakeTaobao):
    await _stocked("STD")  # a carrier of fahuo's own code: the channel's `carriers` names Taobao's
    tid = taobao.new_trade({"CUP": 2})
    await pull_orders(db, _now())
    order = await Order.get(external_ref=tid)
    taobao.mode = "down"
    shipped = await _shipped(http, await _phones(http), order.number, {"CUP": 2})
    assert shipped["status"] == "dispatched"  # dispatch does not wait for Taobao
    now = _now()
    assert await write_back_shipments(db, now) == 0
    taobao.mode = "limited"
    assert await write_back_shipments(db, now + timedelta(minutes=3)) == 0
    taobao.mode = "slow"
    assert await write_back_shipments(db, now + timedelta(minutes=8)) == 0
    taobao.mode = "ok"
    assert await write_back_shipments(db, now + timedelta(minutes=30)) == 1
    shipment = await Shipment.get(number=shipped["number"])
    assert taobao.sent[tid]["out_sid"] == shipment.waybill and taobao.sent[tid]["company_code"] == "YTO"
    assert not await OutboxEvent.exists(kind="channel.write_back_failed")
    slow = await OutboxEvent.get(kind="channel.write_back_slow")
    assert "App Call Limited" in slow.payload["why"] or "no answer" in slow.payload["why"]


async def test_a_trade_closed_after_it_shipped_is_refused_and_a_manager_hears_at_once(
        http, server: str, db: Settings, taobao: FakeTaobao):
    await _stocked()
    tid = taobao.new_trade({"TEA": 1})
    await pull_orders(db, _now())
    order = await Order.get(external_ref=tid)
    await _shipped(http, await _phones(http), order.number, {"TEA": 1})
    taobao.change(tid, status="TRADE_CLOSED")
    assert await write_back_shipments(db, _now()) == 0
    failed = await OutboxEvent.get(kind="channel.write_back_failed")
    assert failed.payload["tries"] == 1 and "TRADE_CLOSED" in failed.payload["why"]
    assert tid not in taobao.sent
    await asyncio.sleep(1.1)  # TOP counts in seconds: the closing is read once its second has passed
    await pull_orders(db, _now())  # the closing comes in too late to cancel: a manager settles it
    assert (await Order.get(id=order.id)).status == OrderStatus.SHIPPED
    assert (await OutboxEvent.get(kind="channel.cancel_too_late")).payload["ref"] == tid


async def test_a_carrier_taobao_has_no_code_for_is_refused_by_name(http, server: str, db: Settings,
                                                                    taobao: FakeTaobao):
    await _stocked("VAN")
    tid = taobao.new_trade({"TEA": 1})
    await pull_orders(db, _now())
    await _shipped(http, await _phones(http), (await Order.get(external_ref=tid)).number, {"TEA": 1})
    assert await write_back_shipments(db, _now()) == 0
    failed = await OutboxEvent.get(kind="channel.write_back_failed")
    assert "VAN" in failed.payload["why"] and "carriers" in failed.payload["why"]


async def test_refunded_lines_are_left_out_and_a_trade_refunded_whole_is_not_taken(db: Settings,
                                                                                   taobao: FakeTaobao):
    await _stocked()
    part = taobao.new_trade({"TEA": 1, "CUP": 3})
    taobao.trades[part]["orders"]["order"][1]["refund_status"] = "SUCCESS"
    whole = taobao.new_trade({"TEA": 1})
    taobao.trades[whole]["orders"]["order"][0]["refund_status"] = "SUCCESS"
    assert await pull_orders(db, _now()) == 1
    order = await Order.get(external_ref=part).prefetch_related("lines__product")
    assert [(line.product.sku, line.qty) for line in order.lines] == [("TEA", 1)]
    assert not await Order.exists(external_ref=whole)


@pytest.mark.parametrize("options", [{"since": "yesterday"}, {"page_size": "many"}, {"sign_method": "sha1"}])
async def test_options_fahuo_cannot_read_stop_only_that_channel_and_tell_a_manager(db: Settings,
                                                                                   taobao: FakeTaobao, options):
    taobao.new_trade({"TEA": 1})
    settings = _with(db, taobao, options={**db.channels["tmall"].options, **options})
    assert await pull_orders(settings, _now()) == 0 and not taobao.calls
    assert "options" in (await OutboxEvent.get(kind="channel.pull_refused")).payload["why"]


async def test_a_cash_on_delivery_trade_is_taken_as_such_and_sent_by_the_online_send(
        http, server: str, db: Settings, taobao: FakeTaobao):
    await _stocked()
    tid = taobao.new_trade({"CUP": 1}, type="cod")
    assert await pull_orders(db, _now()) == 1
    order = await Order.get(external_ref=tid)
    assert (order.payment_method, order.payment_state) == ("cod", "pending")
    shipped = await _shipped(http, await _phones(http), order.number, {"CUP": 1})
    assert await write_back_shipments(db, _now()) == 1
    assert taobao.sent[tid] == {"out_sid": shipped["waybill"], "company_code": "SF",
                                "method": "taobao.logistics.online.send"}


async def test_a_trade_whose_receiver_top_masks_is_not_taken_and_a_manager_hears(db: Settings, taobao: FakeTaobao):
    await _stocked()
    masked = taobao.new_trade({"TEA": 1}, receiver_name="王*", receiver_mobile="137****5678")
    fine = taobao.new_trade({"CUP": 1})
    assert await pull_orders(db, _now()) == 1
    assert await Order.exists(external_ref=fine) and not await Order.exists(external_ref=masked)
    refused = await OutboxEvent.get(kind="channel.order_refused")
    assert refused.payload["ref"] == masked and "phone" in refused.payload["why"]
    assert await cursor_of("tmall")  # the pull went on past it
