"""SF Express against a local fake of its open platform: a waybill with the routing fields the label needs,
routes pushed back until the order is delivered; a carrier that fails hands over to the next one or is asked
again through the outbox; live quotes in the choice; and credentials that appear nowhere."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import zxingcpp

from core.base.events import OutboxEvent
from core.base.jobs import Job, run_due
from core.base.settings import CarrierAccount, Settings
from core.orders.order import Order, OrderStatus
from core.shipping.carrier_api import CarrierRefused, Connection
from core.shipping.carrier_sf import SfExpress, msg_digest, route_update
from core.shipping.carriers import QUOTES
from core.shipping.labels import package_label
from core.shipping.shipments import BOOK, CANCEL, Shipment, ShipmentStatus
from core.shipping.thermal import (
    LabelSize,
    Media,
    PrinterLanguage,
    TextMode,
    package_page,
    raster,
    render,
    snap_for,
)
from core.shipping.tracking import TrackingEvent, poll_tracking
from tests.factories import a_carrier, a_product, a_warehouse, stock
from tests.printers import tspl_labels, zpl_formats
from tests.sf_fake import CHECK_WORD, MONTHLY_CARD, PARTNER, FakeSf, running_sf
from tests.test_logistics import Phone, _phones, _pick_all, _place

PUSH_TOKEN = "push-token-Zq8v3kLmN0pR"
SECRETS = (PARTNER, CHECK_WORD, MONTHLY_CARD, PUSH_TOKEN)


@pytest.fixture
async def sf() -> AsyncIterator[FakeSf]:
    QUOTES.clear()
    async with running_sf() as fake:
        yield fake
    QUOTES.clear()


def sf_account(fake: FakeSf, **options: Any) -> CarrierAccount:
    return CarrierAccount.model_validate({
        "key": PARTNER, "secret": CHECK_WORD, "account": MONTHLY_CARD, "push_token": PUSH_TOKEN, "sandbox": True,
        "base_url": fake.url, "timeout_s": 1.0, "options": {"express_type": 2, **options}})


@pytest.fixture
def settings(settings: Settings, sf: FakeSf) -> Settings:
    return settings.model_copy(update={"carrier_accounts": {"SF": sf_account(sf)}, "carrier_wait_s": 2.5})


async def _sf_and_fallback(**sf_attrs: Any) -> None:
    await a_carrier("SF", adapter="sf", **{"rates": {"first_kg": "9", "per_kg": "2"}, **sf_attrs})
    await a_carrier("STD", rates={"first_kg": "14", "per_kg": "3"})


async def _packed(http, phone: dict[str, Phone], lines: dict[str, int],
                  boxes: int = 1) -> tuple[str, dict[str, Any], float]:
    """An order picked and packed over HTTP (each line's units spread over `boxes` packages); returns its
    number, the shipment and how long packing took."""
    number = await _place(http, lines)
    _, pick_list = await phone["picker"].call("POST", "/api/pick-lists", {"orders": [number]})
    await _pick_all(phone["picker"], pick_list)
    started = time.monotonic()
    status, shipment = await phone["packer"].call("POST", f"/api/orders/{number}/packages", {"packages": [
        {"weight_g": 1500, "length_mm": 300, "width_mm": 200, "height_mm": 150,
         "contents": [{"sku": sku, "qty": qty // boxes} for sku, qty in lines.items()]} for _ in range(boxes)]})
    assert status == 201, shipment
    return number, shipment, time.monotonic() - started


async def _stocked() -> None:
    await stock(await a_product("TEA"), await a_warehouse(), 20)


async def _dispatched(phone: dict[str, Phone], shipment: dict[str, Any]) -> dict[str, Any]:
    dispatcher = phone["dispatcher"]
    await dispatcher.scan("load", "FH:VEH:沪A12345", shipment=shipment["number"])
    for package in shipment["packages"]:
        await dispatcher.scan("load", f"FH:PKG:{package['number']}", shipment=shipment["number"])
    status, shipped = await dispatcher.call("POST", f"/api/shipments/{shipment['number']}/dispatch")
    assert status == 200, shipped
    return shipped


def test_the_digest_is_the_one_sfs_documentation_gives() -> None:
    assert msg_digest('{"language":"zh-CN","orderId":"QIAO-20200618-004"}', "12312334453453",
                      "fjcg5PGKaNpPSHFAZ4QsCOkV71R3zVci") == "IIKJtuLVzoFTu4kHI8M8vA=="


def test_sf_routes_become_fahuos_tracking_events() -> None:
    def code(op: str) -> str | None:
        update = route_update({"opCode": op, "acceptTime": "2026-11-18 09:30:00", "remark": "x"})
        return update.code if update else None

    assert [code(op) for op in ("50", "31", "130", "204", "80", "70", "8000", "9999")] == [
        "picked_up", "in_transit", "arrived", "out_for_delivery", "delivered", "exception", None, "in_transit"]
    update = route_update({"opCode": "50", "acceptTime": "2026-11-18 09:30:00", "remark": "顺丰速运 已收取快件",
                           "acceptAddress": "上海市"})
    assert update is not None and update.occurred_at == datetime(2026, 11, 18, 1, 30, tzinfo=UTC)
    assert (update.description, update.place) == ("顺丰速运 已收取快件", "上海市")


@pytest.mark.slow
async def test_an_order_ships_through_sf_from_waybill_to_delivered(http, server: str, db: Settings, sf: FakeSf):
    await _stocked()
    await _sf_and_fallback()
    phone = await _phones(http)
    number, shipment, _ = await _packed(http, phone, {"TEA": 2})
    assert shipment["status"] == "booked" and shipment["carrier"] == "SF", shipment["choice"]
    waybill = shipment["waybill"]
    sent = sf.orders[shipment["number"]]["order"]
    assert sent["monthlyCard"] == MONTHLY_CARD and sent["expressTypeId"] == 2 and sent["parcelQty"] == 1
    assert [c["contactType"] for c in sent["contactInfoList"]] == [1, 2]
    assert sent["contactInfoList"][1]["mobile"].startswith("138") and sent["contactInfoList"][1]["county"] == "浦东新区"
    assert shipment["routing"]["destRouteLabel"] == "571WE-088A" and shipment["routing"]["destCode"] == "571"
    label = await package_label(shipment["packages"][0]["number"], "zh", db)
    assert label.waybill == waybill and label.routing["destRouteLabel"] == "571WE-088A"
    assert label.routing["twoDimensionCode"].startswith("MMM=")

    shipped = await _dispatched(phone, shipment)
    push_url = f"{server}/carriers/SF/push/{PUSH_TOKEN}"
    routes = [sf.route(waybill, "50", "2026-11-18 17:02:11", "顺丰速运 已收取快件", "上海市"),
              sf.route(waybill, "31", "2026-11-18 23:40:00", "快件到达 【杭州萧山中转场】", "杭州市")]
    assert await sf.push(push_url, routes) == (200, {"return_code": "0000", "return_msg": "成功"})
    assert await sf.push(push_url, routes) == (200, {"return_code": "0000", "return_msg": "成功"})  # SF retries
    assert await TrackingEvent.filter(shipment__number=shipped["number"]).count() == 2
    status, refused = await sf.push(f"{server}/carriers/SF/push/guessed-token", routes)
    assert status == 401 and refused["return_code"] == "1000"
    stranger = dict(routes[0], mailno="SF0000000000001", orderid="SH-OTHER")
    assert (await sf.push(push_url, [stranger]))[0] == 200
    assert await TrackingEvent.filter(shipment__number=shipped["number"]).count() == 2

    delivered = sf.route(waybill, "80", "2026-11-19 10:15:00", "已签收,感谢使用顺丰,期待再次为您服务", "杭州市")
    assert (await sf.push(push_url, [delivered]))[1]["return_code"] == "0000"
    assert (await Order.get(number=number)).status == OrderStatus.DELIVERED
    token = shipped["tracking_url"].rsplit("/", 1)[1]
    async with http.get(f"/t/{token}?lang=zh") as resp:
        assert "已签收,感谢使用顺丰" in await resp.text()
    assert await poll_tracking(db) == 0  # the query answers the same routes: nothing new


async def test_polling_sf_brings_the_routes_of_a_parcel_on_the_road(http, db: Settings, sf: FakeSf):
    await _stocked()
    await _sf_and_fallback()
    phone = await _phones(http)
    number, shipment, _ = await _packed(http, phone, {"TEA": 1})
    await _dispatched(phone, shipment)
    sf.route(shipment["waybill"], "50", "2026-11-18 17:02:11", "顺丰速运 已收取快件", "上海市")
    sf.route(shipment["waybill"], "80", "2026-11-19 10:15:00", "已签收", "杭州市")
    assert await poll_tracking(db) == 2
    assert await poll_tracking(db) == 0
    assert (await Order.get(number=number)).status == OrderStatus.DELIVERED


async def test_sf_refuses_a_wrong_signature_an_unknown_order_and_knows_no_routes_of_a_stranger(sf: FakeSf):
    adapter = SfExpress()
    wrong = Connection("SF", "SF", account=sf_account(sf).model_copy(update={"secret": sf_account(sf).key}))
    with pytest.raises(CarrierRefused, match="A1006"):
        await adapter.fetch_tracking(wrong, "SF1", datetime.now(UTC), "", "", datetime.now(UTC))
    right = Connection("SF", "SF", account=sf_account(sf))
    with pytest.raises(CarrierRefused, match="8247"):
        await adapter.cancel_waybill(right, "SF1", "SH-NEVER-BOOKED")
    assert await adapter.fetch_tracking(right, "SF0000000000001", datetime.now(UTC), "", "", datetime.now(UTC)) == []
    with pytest.raises(CarrierRefused, match="no account"):
        await adapter.fetch_tracking(Connection("SF", "SF"), "SF1", datetime.now(UTC), "", "", datetime.now(UTC))


async def test_sf_silent_the_packer_is_answered_in_seconds_by_the_next_carrier_and_a_manager_hears(
        http, db: Settings, sf: FakeSf):
    await _stocked()
    await _sf_and_fallback()
    sf.mode = "silent"
    phone = await _phones(http)
    _, shipment, took = await _packed(http, phone, {"TEA": 2})
    assert took < db.carrier_wait_s + 1.5
    assert shipment["status"] == "booked" and shipment["carrier"] == "STD"
    choice = shipment["choice"]
    assert choice["fallbacks"][0]["carrier"] == "SF"
    assert "SF could not issue the waybill (its system did not answer), so STD takes" in choice["summary"]
    assert "SF 未能出单（其系统未应答），改由 STD 承运。" in choice["summary_zh"]
    alert = await OutboxEvent.get(kind="shipment.carrier_failed")
    assert alert.payload["carrier"] == "SF" and "STD" in alert.payload["next"]
    # SF may have made the order before it fell silent: it is cancelled once SF answers again
    cancel = await Job.get(kind=CANCEL)
    assert cancel.payload == {"carrier": "SF", "waybill": "", "shipment": shipment["number"]}
    sf.mode = "ok"
    sf.orders[shipment["number"]] = {"order": {}, "waybills": ["SF7444400099999"]}
    assert (await run_due(db, datetime.now(UTC), [CANCEL])).worked == 1
    assert shipment["number"] in sf.cancelled


async def test_sf_rate_limited_and_alone_the_request_is_asked_again_through_the_outbox(http, db: Settings,
                                                                                       sf: FakeSf):
    await _stocked()
    await a_carrier("SF", adapter="sf")
    sf.mode = "rate_limited"
    phone = await _phones(http)
    _, shipment, _ = await _packed(http, phone, {"TEA": 2})
    assert shipment["status"] == "packed" and shipment["carrier"] is None
    alert = await OutboxEvent.get(kind="shipment.carrier_failed")
    assert alert.payload["why"] == "its system did not answer" and "again" in alert.payload["next"]
    assert not await OutboxEvent.exists(kind="waybill.cancel")  # asked again, SF answers with what it made
    now = datetime.now(UTC)
    assert (await run_due(db, now, [BOOK])).worked == 0  # not due yet
    sf.mode = "ok"
    assert (await run_due(db, now + timedelta(minutes=3), [BOOK])).worked == 1
    booked = await Shipment.get(number=shipment["number"])
    assert booked.status == ShipmentStatus.BOOKED and booked.waybill and booked.routing["destRouteLabel"]
    assert (await run_due(db, now + timedelta(minutes=10), [BOOK])).worked == 0
    assert await OutboxEvent.filter(kind="shipment.carrier_failed").count() == 1  # told once


async def test_a_carrier_that_stays_down_is_handed_to_a_manager_after_the_last_try(http, db: Settings,
                                                                                   sf: FakeSf):
    await _stocked()
    await a_carrier("SF", adapter="sf")
    sf.mode = "rate_limited"
    phone = await _phones(http)
    _, shipment, _ = await _packed(http, phone, {"TEA": 1})
    later = datetime.now(UTC)
    for _ in range(db.waybill_retries):
        later += timedelta(hours=2)
        assert (await run_due(db, later, [BOOK])).worked == 0
    gave_up = await OutboxEvent.get(kind="shipment.no_carrier")
    assert "SF issued no waybill after" in gave_up.payload["why"] and "人工指定" in gave_up.payload["why_zh"]
    assert await Job.filter(kind=BOOK).count() == db.waybill_retries
    assert (await Shipment.get(number=shipment["number"])).status == ShipmentStatus.PACKED


async def test_a_live_quote_beats_the_rate_table_and_is_asked_once_for_alike_parcels(http, db: Settings,
                                                                                      sf: FakeSf):
    db.carrier_accounts["SF"] = sf_account(sf, quote=True)
    await _stocked()
    # by its rate table SF (30 + 10/kg) is dearer than STD; its live quote (8.00) is not
    await _sf_and_fallback(rates={"first_kg": "30", "per_kg": "10"})
    phone = await _phones(http)
    _, shipment, _ = await _packed(http, phone, {"TEA": 1})
    assert shipment["carrier"] == "SF" and shipment["price"] == "8.00" and shipment["eta"] == "2026-11-20"
    sf_option, std_option = shipment["choice"]["ranked"]
    assert (sf_option["priced_by"], std_option["priced_by"]) == ("quote", "table")
    assert "8.00 CNY by live quote" in shipment["choice"]["summary"]
    assert "依据实时报价" in shipment["choice"]["summary_zh"]
    _, again, _ = await _packed(http, phone, {"TEA": 1})
    assert again["carrier"] == "SF" and sf.calls["EXP_RECE_QUERY_DELIVERTM"] == 1  # kept for ten minutes
    sf.fee = None  # SF prices nothing: its rate table counts again, and says so
    QUOTES.clear()
    _, table, _ = await _packed(http, phone, {"TEA": 1})
    assert table["carrier"] == "STD" and "by rate table" in table["choice"]["summary"]


async def test_credentials_appear_in_no_view_no_log_and_no_repr(http, db: Settings, sf: FakeSf, caplog):
    caplog.set_level(logging.DEBUG)
    await _stocked()
    await _sf_and_fallback()
    phone = await _phones(http)
    sf.mode = "silent"
    _, shipment, _ = await _packed(http, phone, {"TEA": 1})
    sf.mode = "ok"
    _, booked, _ = await _packed(http, phone, {"TEA": 1})
    status, carriers = await phone["manager"].call("GET", "/api/carriers")
    assert status == 200 and any(c["code"] == "SF" for c in carriers)
    shown = [repr(db), str(db.carrier_accounts), str(carriers), str(shipment), str(booked), caplog.text,
             str([e.payload for e in await OutboxEvent.all()])]
    for secret in SECRETS:
        assert not any(secret in text for text in shown), secret


async def test_each_package_of_an_sf_shipment_prints_its_own_waybill_and_the_main_one_as_master(
        http, db: Settings, sf: FakeSf):
    await _stocked()
    await _sf_and_fallback()
    phone = await _phones(http)
    _, shipment, _ = await _packed(http, phone, {"TEA": 2}, boxes=2)
    main, child = sf.orders[shipment["number"]]["waybills"]
    assert shipment["waybill"] == main
    first, second = [await package_label(p["number"], "en", db) for p in shipment["packages"]]
    assert (first.waybill, first.master) == (main, "")
    assert second.waybill == child and main in second.master
    media = Media(LabelSize.MM_100X150, 203)
    [label] = zpl_formats(render([package_page(second, media)], PrinterLanguage.ZPL, media, TextMode.FONT))
    assert [d.data for d in label["drawn"] if d.kind == "code128"] == [child]
    texts = [d.data for d in label["drawn"] if d.kind == "text"]
    assert child in texts and any(main in t for t in texts)
    [label] = tspl_labels(render([package_page(second, media)], PrinterLanguage.TSPL, media, TextMode.FONT))
    assert [d.data for d in label["drawn"] if d.kind == "code128"] == [child]


async def test_sfs_own_qr_is_printed_beside_ours_on_each_package_it_was_given_for(http, db: Settings, sf: FakeSf):
    await _stocked()
    await _sf_and_fallback()
    phone = await _phones(http)
    _, shipment, _ = await _packed(http, phone, {"TEA": 2}, boxes=2)
    main, child = sf.orders[shipment["number"]]["waybills"]
    first, second = [await package_label(p["number"], "zh", db) for p in shipment["packages"]]
    assert main in first.carrier_qr and child in second.carrier_qr  # SF's data names each package's waybill
    media = Media(LabelSize.MM_76X130, 203)
    for label in (first, second):
        [zpl] = zpl_formats(render([package_page(label, media)], PrinterLanguage.ZPL, media, TextMode.FONT))
        assert sorted(d.data for d in zpl["drawn"] if d.kind == "qr") == sorted(
            [f"MA,{label.qr}", f"MA,{label.carrier_qr}"])
        snap = snap_for(PrinterLanguage.TSPL, TextMode.FONT)
        [tspl] = tspl_labels(render([package_page(label, media, snap)], PrinterLanguage.TSPL, media, TextMode.FONT))
        assert sorted(d.data for d in tspl["drawn"] if d.kind == "qr") == sorted([label.qr, label.carrier_qr])
        for d in zpl["drawn"] + tspl["drawn"]:
            assert 0 <= d.x < media.width and 0 <= d.y < media.height, d
        codes = {r.text for r in zxingcpp.read_barcodes(raster(package_page(label, media), media))}
        assert {label.qr, label.carrier_qr, label.waybill} <= codes  # what the PDF prints scans
    sf.per_package_qr = False  # an SF that gives its QR for the main waybill only: none on the others
    _, shipment, _ = await _packed(http, phone, {"TEA": 2}, boxes=2)
    first, second = [await package_label(p["number"], "zh", db) for p in shipment["packages"]]
    assert first.carrier_qr and not second.carrier_qr
