"""kuaidi100 against a local fake of its API: an electronic waybill whose number and label fields reach the
label, a subscription as the parcel leaves, signed pushes taken once each until delivered closes the order (a
forged one changing nothing), the real-time query, its states mapped to fahuo's, and a kuaidi100 that fails
handing over to the next carrier or asked again through the outbox."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.base.events import OutboxEvent
from core.base.jobs import run_due
from core.base.settings import CarrierAccount, Settings
from core.orders.order import Order, OrderStatus
from core.shipping.carrier_api import CarrierRefused, CarrierUnavailable, Connection, Party, Place, WaybillRequest
from core.shipping.carrier_kuaidi100 import CARRIERS, COMPANIES, Kuaidi100, md5_upper, track_updates, tracking_code
from core.shipping.carriers import QUOTES, Carrier
from core.shipping.labels import package_label
from core.shipping.shipments import BOOK, Shipment, ShipmentStatus
from core.shipping.tracking import SUBSCRIBE, TrackingEvent, poll_tracking
from tests.factories import a_carrier
from tests.kuaidi100_fake import CUSTOMER, KEY, PARTNER_ID, PARTNER_KEY, SALT, SECRET, FakeKuaidi100, running_kuaidi100
from tests.test_carrier_sf import _dispatched, _packed, _stocked
from tests.test_logistics import _phones

PUSH_TOKEN = "kd-push-token-M4nB7vCx"
SECRETS = (KEY, CUSTOMER, SECRET, SALT, PARTNER_ID, PARTNER_KEY, PUSH_TOKEN)


@pytest.fixture
async def kd() -> AsyncIterator[FakeKuaidi100]:
    QUOTES.clear()
    async with running_kuaidi100() as fake:
        yield fake
    QUOTES.clear()


def kd_account(fake: FakeKuaidi100, **options: Any) -> CarrierAccount:
    return CarrierAccount.model_validate({
        "key": KEY, "secret": SECRET, "account": PARTNER_ID, "account_key": PARTNER_KEY, "push_secret": SALT,
        "push_token": PUSH_TOKEN, "customer": CUSTOMER, "base_url": fake.url, "timeout_s": 1.0,
        "options": {"net": "yuantong-sh", **options}})


@pytest.fixture
def settings(settings: Settings, kd: FakeKuaidi100) -> Settings:
    return settings.model_copy(update={"carrier_accounts": {"kuaidi100": kd_account(kd)}, "carrier_wait_s": 2.5})


async def _yto_and_fallback(**attrs: Any) -> None:
    await a_carrier("YTO", adapter="kuaidi100", **{"rates": {"first_kg": "8", "per_kg": "2"}, **attrs})
    await a_carrier("STD", rates={"first_kg": "14", "per_kg": "3"})


def _yto(fake: FakeKuaidi100, **options: Any) -> Connection:
    return Connection("YTO", "圆通速递", account=kd_account(fake, **options))


def test_kuaidi100_states_and_companies_become_fahuos() -> None:
    assert [tracking_code(s) for s in ("1", "0", "5", "3", "2", "4", "6", "7", "14", "8", "13")] == [
        "picked_up", "in_transit", "out_for_delivery", "delivered", "exception", "exception", "exception",
        "in_transit", "exception", "in_transit", "exception"]
    # resultv2 sub-states: 到达派件城市, 投柜或驿站, 投柜或站签收, 超时未签收, 已下单 (no event of the parcel's)
    assert [tracking_code(s) for s in ("1001", "501", "304", "201", "103", "101")] == [
        "arrived", "out_for_delivery", "delivered", "exception", "picked_up", None]
    assert [COMPANIES[c] for c in ("SF", "YTO", "ZTO", "YD", "STO", "JT", "EMS", "JD")] == [
        "shunfeng", "yuantong", "zhongtong", "yunda", "shentong", "jtexpress", "ems", "jd"]
    assert CARRIERS["yuantong"] == "YTO" and CARRIERS["yunda"] == "YD" and CARRIERS["jtexpress"] == "JT"


def test_pushed_history_comes_oldest_first_and_the_newest_takes_the_waybills_state() -> None:
    result = {"state": "5", "data": [
        {"context": "派件中", "ftime": "2026-11-19 08:10:00", "areaName": "浙江,杭州市"},
        {"context": "已揽收", "ftime": "2026-11-18 17:02:11", "areaName": "上海,上海市"}]}
    updates = track_updates(result)
    assert [(u.code, u.description, u.place) for u in updates] == [
        ("in_transit", "已揽收", "上海,上海市"), ("out_for_delivery", "派件中", "浙江,杭州市")]
    assert updates[0].occurred_at == datetime(2026, 11, 18, 9, 2, 11, tzinfo=UTC)
    assert track_updates(result)[1].external_id == updates[1].external_id  # the same however often it comes
    assert md5_upper("abc") == "900150983CD24FB0D6963F7D28E17F72"


@pytest.mark.slow
async def test_an_order_ships_through_kuaidi100_from_waybill_to_delivered(http, server: str, db: Settings,
                                                                         kd: FakeKuaidi100):
    db.public_url = server
    await _stocked()
    await _yto_and_fallback()
    phone = await _phones(http)
    number, shipment, _ = await _packed(http, phone, {"TEA": 2})
    assert shipment["status"] == "booked" and shipment["carrier"] == "YTO", shipment["choice"]
    waybill = shipment["waybill"]
    sent = kd.orders[shipment["number"]]["param"]
    assert sent["kuaidicom"] == "yuantong" and sent["partnerId"] == PARTNER_ID and sent["partnerKey"] == PARTNER_KEY
    assert sent["net"] == "yuantong-sh" and sent["recMan"]["printAddr"].startswith("上海浦东新区")
    assert sent["recMan"]["mobile"].startswith("138") and sent["count"] == 1 and sent["weight"] == 1.5
    assert waybill == kd.orders[shipment["number"]]["data"]["kuaidinum"]
    assert shipment["routing"]["bulkpen"] == "571-088 A12" and shipment["routing"]["destSortingCode"] == "571A"
    label = await package_label(shipment["packages"][0]["number"], "zh", db)
    assert label.waybill == waybill and label.routing["bulkpen"] == "571-088 A12"

    await _dispatched(phone, shipment)
    assert not kd.subscriptions
    assert (await run_due(db, None, [SUBSCRIBE])).worked == 1  # the scheduler's job, as the parcel left
    followed = kd.subscriptions[waybill]
    assert followed["company"] == "yuantong" and followed["parameters"]["salt"] == SALT
    assert followed["parameters"]["callbackurl"] == f"{server}/carriers/YTO/push/{PUSH_TOKEN}"
    assert followed["parameters"]["phone"].startswith("138") and followed["to"] == "上海浦东新区"
    assert (await run_due(db, None, [SUBSCRIBE])).worked == 0  # asked once

    kd.happen(waybill, "2026-11-18 17:02:11", "【上海市浦东新区公司】已揽收", "上海,上海市", "1", "103")
    kd.happen(waybill, "2026-11-18 23:40:00", "快件已到达【杭州转运中心】", "浙江,杭州市", "0", "1001")
    assert await kd.push(waybill) == (200, {"result": True, "returnCode": "200", "message": "成功"})
    assert await kd.push(waybill) == (200, {"result": True, "returnCode": "200", "message": "成功"})  # again
    events = await TrackingEvent.filter(shipment__number=shipment["number"]).order_by("occurred_at")
    assert [(e.code, e.place) for e in events] == [("picked_up", "上海,上海市"), ("arrived", "浙江,杭州市")]

    kd.happen(waybill, "2026-11-19 10:15:00", "您的快件已签收，签收人：本人", "浙江,杭州市", "3", "301")
    forged = kd.push_body(waybill, status="shutdown", salt="guessed-salt")
    status, refused = await kd.push(waybill, forged)
    assert status == 400 and refused["result"] is False
    assert await TrackingEvent.filter(shipment__number=shipment["number"]).count() == 2  # nothing changed
    assert (await Order.get(number=number)).status == OrderStatus.SHIPPED
    unsigned = {"param": forged["param"]}
    assert (await kd.push(waybill, unsigned))[0] == 400
    db.carrier_accounts["kuaidi100"] = kd_account(kd).model_copy(update={"push_secret": CarrierAccount().key})
    assert (await kd.push(waybill, kd.push_body(waybill, salt="")))[0] == 400  # no salt: no push taken
    db.carrier_accounts["kuaidi100"] = kd_account(kd)

    assert (await kd.push(waybill, kd.push_body(waybill, status="shutdown")))[1]["result"] is True
    assert (await Order.get(number=number)).status == OrderStatus.DELIVERED
    assert (await Shipment.get(number=shipment["number"])).status == ShipmentStatus.DELIVERED
    assert await poll_tracking(db) == 0  # the query answers the same events: nothing new


async def test_the_real_time_query_signs_with_key_and_customer_and_says_what_it_knows(kd: FakeKuaidi100):
    adapter, now = Kuaidi100(), datetime.now(UTC)
    kd.happen("YT8800000000001", "2026-11-18 17:02:11", "已揽收", "上海,上海市", "1")
    updates = await adapter.fetch_tracking(_yto(kd), "YT8800000000001", now, "上海市", "杭州市", now)
    assert [(u.code, u.description) for u in updates] == [("picked_up", "已揽收")]
    assert await adapter.fetch_tracking(_yto(kd), "YT0000000000404", now, "", "", now) == []  # not known yet
    with pytest.raises(CarrierRefused, match="400"):
        await adapter.fetch_tracking(_yto(kd, company="nosuchcompany"), "YT1", now, "", "", now)
    wrong = Connection("YTO", "YTO", account=kd_account(kd).model_copy(update={"key": kd_account(kd).secret}))
    with pytest.raises(CarrierRefused, match="503"):
        await adapter.fetch_tracking(wrong, "YT8800000000001", now, "", "", now)
    kd.mode = "busy"
    with pytest.raises(CarrierUnavailable, match="502"):
        await adapter.fetch_tracking(_yto(kd), "YT8800000000001", now, "", "", now)
    kd.mode = "silent"
    with pytest.raises(CarrierUnavailable):
        await adapter.fetch_tracking(_yto(kd), "YT8800000000001", now, "", "", now)
    with pytest.raises(CarrierRefused, match="no kuaidi100 company"):
        await adapter.fetch_tracking(Connection("ACME", "ACME", account=kd_account(kd)), "1", now, "", "", now)


async def test_kuaidi100_refuses_a_wrong_signature_and_cancels_only_what_it_issued(kd: FakeKuaidi100):
    adapter = Kuaidi100()
    request = WaybillRequest("SH-20261118-0001", Party("发货示范商贸", "+86 21 5080 0188", Place(
        "上海市", "上海市", "浦东新区", "张江路 88 号"), company="上海仓"), Party("李雷", "+86 138 0013 8000", Place(
        "浙江省", "杭州市", "西湖区", "文三路 100 号")), 1, 1200, "茶叶×2")
    wrong = Connection("YTO", "YTO", account=kd_account(kd).model_copy(update={"secret": kd_account(kd).key}))
    with pytest.raises(CarrierRefused, match="30003"):
        await adapter.create_waybill(wrong, request)
    waybill = await adapter.create_waybill(_yto(kd), request)
    assert waybill.number.startswith("YT") and waybill.routing["kdComOrderNum"]
    again = await adapter.create_waybill(_yto(kd), request)  # the same order asked twice: the same waybill
    assert again.number == waybill.number
    await adapter.cancel_waybill(_yto(kd), waybill.number, request.shipment)
    assert waybill.number in kd.cancelled
    with pytest.raises(CarrierRefused, match="400"):
        await adapter.cancel_waybill(_yto(kd), "YT0000000000404", request.shipment)
    with pytest.raises(CarrierRefused, match="no waybill number"):
        await adapter.cancel_waybill(_yto(kd), "", request.shipment)


async def test_a_subscription_kuaidi100_cannot_take_now_is_asked_again_and_a_refused_one_is_left_to_the_poll(
        http, server: str, db: Settings, kd: FakeKuaidi100, caplog):
    db.public_url = server
    await _stocked()
    await _yto_and_fallback()
    phone = await _phones(http)
    _, first, _ = await _packed(http, phone, {"TEA": 1})
    _, second, _ = await _packed(http, phone, {"TEA": 1})
    await _dispatched(phone, first)
    await _dispatched(phone, second)
    kd.mode = "busy"
    now = datetime.now(UTC)
    assert (await run_due(db, now, [SUBSCRIBE])).worked == 0
    assert (await run_due(db, now + timedelta(minutes=2), [SUBSCRIBE])).worked == 0  # still down: both wait
    kd.mode = "ok"
    assert (await run_due(db, now + timedelta(minutes=2), [SUBSCRIBE])).worked == 0  # not due yet
    assert (await run_due(db, now + timedelta(minutes=5), [SUBSCRIBE])).worked == 2
    assert set(kd.subscriptions) == {first["waybill"], second["waybill"]}

    _, third, _ = await _packed(http, phone, {"TEA": 1})
    await _dispatched(phone, third)
    db.carrier_accounts["kuaidi100"] = kd_account(kd).model_copy(update={"key": kd_account(kd).secret})
    assert (await run_due(db, None, [SUBSCRIBE])).worked == 0
    assert "refused to push tracking" in caplog.text and "600" in caplog.text
    db.carrier_accounts["kuaidi100"] = kd_account(kd)
    assert (await run_due(db, None, [SUBSCRIBE])).worked == 0  # refused is final: the poll follows that one


async def test_kuaidi100_silent_the_packer_gets_the_next_carrier_and_alone_it_is_asked_again(
        http, db: Settings, kd: FakeKuaidi100):
    await _stocked()
    await _yto_and_fallback()
    kd.mode = "silent"
    phone = await _phones(http)
    _, shipment, took = await _packed(http, phone, {"TEA": 2})
    assert took < db.carrier_wait_s + 1.5
    assert shipment["status"] == "booked" and shipment["carrier"] == "STD"
    assert shipment["choice"]["fallbacks"][0]["carrier"] == "YTO"
    assert (await OutboxEvent.get(kind="shipment.carrier_failed")).payload["carrier"] == "YTO"

    await Carrier.filter(code="STD").update(active=False)
    kd.mode = "busy"
    _, alone, _ = await _packed(http, phone, {"TEA": 1})
    assert alone["status"] == "packed" and alone["carrier"] is None
    kd.mode = "ok"
    assert (await run_due(db, datetime.now(UTC) + timedelta(minutes=3), [BOOK])).worked == 1
    booked = await Shipment.get(number=alone["number"])
    assert booked.status == ShipmentStatus.BOOKED and booked.waybill and booked.routing["bulkpen"]


async def test_kuaidi100s_price_is_the_live_quote_where_the_account_asks_for_it(http, db: Settings,
                                                                               kd: FakeKuaidi100):
    db.carrier_accounts["kuaidi100"] = kd_account(kd, quote=True)
    await _stocked()
    await _yto_and_fallback(rates={"first_kg": "30", "per_kg": "10"})
    phone = await _phones(http)
    _, shipment, _ = await _packed(http, phone, {"TEA": 1})
    assert shipment["carrier"] == "YTO" and shipment["price"] == "7.50"
    assert shipment["choice"]["ranked"][0]["priced_by"] == "quote"
    assert kd.calls["price"] == 1


async def test_kuaidi100_credentials_appear_in_no_view_no_log(http, server: str, db: Settings,
                                                             kd: FakeKuaidi100, caplog):
    caplog.set_level(logging.DEBUG)
    db.public_url = server
    await _stocked()
    await _yto_and_fallback()
    phone = await _phones(http)
    _, shipment, _ = await _packed(http, phone, {"TEA": 1})
    shipped = await _dispatched(phone, shipment)
    kd.mode = "busy"
    await run_due(db, None, [SUBSCRIBE])
    kd.mode = "ok"
    await run_due(db, None, [SUBSCRIBE])
    status, carriers = await phone["manager"].call("GET", "/api/carriers")
    assert status == 200
    shown = [repr(db), str(db.carrier_accounts), str(carriers), str(shipment), str(shipped), caplog.text,
             str([e.payload for e in await OutboxEvent.all()])]
    for secret in SECRETS:
        assert not any(secret in text for text in shown), secret


async def test_a_subscription_kuaidi100_aborts_is_renewed_a_few_times_and_the_poll_leaves_followed_ones_alone(
        http, server: str, db: Settings, kd: FakeKuaidi100):
    db.public_url = server
    await _stocked()
    await _yto_and_fallback()
    phone = await _phones(http)
    _, shipment, _ = await _packed(http, phone, {"TEA": 1})
    waybill = shipment["waybill"]
    await _dispatched(phone, shipment)
    assert (await run_due(db, None, [SUBSCRIBE])).worked == 1
    kd.happen(waybill, "2026-11-18 17:02:11", "已揽收", "上海,上海市", "1", "103")
    assert await poll_tracking(db) == 0 and kd.calls["query"] == 0  # pushed: the poll does not ask

    # kuaidi100 found the waybill belongs to another company and stopped: followed again as that one
    aborted = kd.push_body(waybill, status="abort", message="3天查询无记录", corrected="zhongtong")
    assert (await kd.push(waybill, aborted))[1]["result"] is True
    await poll_tracking(db)
    assert kd.calls["query"] == 1  # no longer followed: the poll asks until the renewal takes
    assert (await run_due(db, None, [SUBSCRIBE])).worked == 1
    assert kd.subscriptions[waybill]["company"] == "zhongtong" and kd.subscribed[waybill] == 2
    assert (await run_due(db, None, [SUBSCRIBE])).worked == 0  # renewed once per abort
    kd.happen(waybill, "2026-11-19 08:10:00", "快件已到达【杭州转运中心】", "浙江,杭州市", "0", "1001")
    assert (await kd.push(waybill))[1]["result"] is True  # pushed as the corrected company: taken
    assert await TrackingEvent.filter(shipment__number=shipment["number"]).count() == 2

    for _ in range(2):  # abort after abort: renewed a bounded number of times, then the poll follows it
        await kd.push(waybill, kd.push_body(waybill, status="abort", message="3天查询无记录"))
        await run_due(db, None, [SUBSCRIBE])
    assert kd.subscribed[waybill] == 4
    await poll_tracking(db)
    assert kd.calls["query"] == 1  # followed again each time: not asked
    await kd.push(waybill, kd.push_body(waybill, status="abort", message="3天查询无记录"))
    assert (await run_due(db, None, [SUBSCRIBE])).worked == 0  # renewals used up: the poll follows it
    await poll_tracking(db)
    assert kd.calls["query"] == 2
