"""International carriers through karrio's SDK, against a local UPS: an order abroad declares its goods and
ships with UPS's waybill, label and commercial invoice, its tracking polled until delivered; an order abroad
whose products cannot be declared is refused in the reader's language; UPS's failures (bad credentials, an
unknown number, quota exceeded, silence) become fahuo's; and credentials appear nowhere."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from core.base.auth import add_api_key
from core.base.events import OutboxEvent
from core.base.jobs import run_due
from core.base.settings import CarrierAccount, Settings
from core.orders.order import Order, OrderStatus
from core.shipping.carrier_api import (
    CarrierRefused,
    CarrierUnavailable,
    Connection,
    CustomsLine,
    Party,
    Place,
    QuoteRequest,
    WaybillRequest,
)
from core.shipping.carrier_karrio import KarrioCarrier
from core.shipping.carriers import QUOTES
from core.shipping.shipments import BOOK, Shipment, ShipmentStatus
from core.shipping.tracking import poll_tracking
from core.stock.catalog import Product
from core.stock.imports import import_products
from tests.factories import a_carrier, a_product, a_warehouse, an_order, stock
from tests.test_carrier_sf import _dispatched
from tests.test_logistics import Phone, _phones, _pick_all
from tests.ups_fake import ACCOUNT, CLIENT_ID, CLIENT_SECRET, FakeUps, running_ups

SECRETS = (CLIENT_ID, CLIENT_SECRET)
SAN_FRANCISCO = {"recipient": "Ann Lee", "phone": "+1 415 555 0100", "province": "CA", "city": "San Francisco",
                 "district": "", "line1": "1 Market St", "postcode": "94105", "country": "us",
                 "lat": 37.79, "lon": -122.39}
TEA = {"hs_code": "090210", "origin_country": "CN", "customs_value": Decimal("45.00")}


@pytest.fixture
async def ups() -> AsyncIterator[FakeUps]:
    QUOTES.clear()
    await asyncio.to_thread(KarrioCarrier().warm_up)  # karrio loads in a second or two, once per process
    async with running_ups() as fake:
        yield fake
    QUOTES.clear()


def ups_account(fake: FakeUps, **changes: Any) -> CarrierAccount:
    return CarrierAccount.model_validate({
        "key": CLIENT_ID, "secret": CLIENT_SECRET, "account": ACCOUNT, "sandbox": True, "base_url": fake.url,
        "timeout_s": 1.0, "options": {"carrier": "ups"}, **changes})


@pytest.fixture
def settings(settings: Settings, ups: FakeUps) -> Settings:
    return settings.model_copy(update={"carrier_accounts": {"UPS": ups_account(ups)}, "carrier_wait_s": 2.5})


async def _abroad_ready(**tea: Any) -> None:
    """Tea in stock with its customs facts; UPS for the United States, and a carrier at home only."""
    await stock(await a_product("TEA", **{**TEA, **tea}), await a_warehouse(), 20)
    await a_carrier("UPS", adapter="karrio", regions=["US", "CA"], transit_days=4,
                    rates={"first_kg": "400", "per_kg": "60"})
    await a_carrier("STD", rates={"first_kg": "14", "per_kg": "3"})


async def _place_abroad(http, lines: dict[str, int], lang: str = "en") -> tuple[int, dict[str, Any]]:
    body = an_order(lines, address=SAN_FRANCISCO).model_dump(mode="json")
    async with http.post("/api/orders", json=body, headers={"X-API-Key": await add_api_key("shop"),
                                                            "Accept-Language": lang}) as resp:
        return resp.status, await resp.json()


async def _packed(phone: dict[str, Phone], number: str, lines: dict[str, int]) -> dict[str, Any]:
    """The order picked and packed in one box over HTTP; the shipment as the packer sees it."""
    _, pick_list = await phone["picker"].call("POST", "/api/pick-lists", {"orders": [number]})
    await _pick_all(phone["picker"], pick_list)
    status, shipment = await phone["packer"].call("POST", f"/api/orders/{number}/packages", {"packages": [
        {"weight_g": 1500, "length_mm": 300, "width_mm": 200, "height_mm": 150,
         "contents": [{"sku": sku, "qty": qty} for sku, qty in lines.items()]}]})
    assert status == 201, shipment
    return shipment


def _request(**changes: Any) -> WaybillRequest:
    home = Place("上海", "上海", "浦东新区", "世纪大道 100 号", "200120", "CN")
    away = Place("CA", "San Francisco", "", "1 Market St", "94105", "US")
    values: dict[str, Any] = {
        "shipment": "SH-20261118-00001", "sender": Party("Fahuo Demo", "+86 21 5080 0188", home, "SH warehouse"),
        "recipient": Party("Ann Lee", "+1 415 555 0100", away), "packages": 1, "weight_g": 1500, "goods": "tea",
        "customs": (CustomsLine("TEA", "Green tea", 2, "090210", "CN", Decimal("45.00"), 500),)}
    return WaybillRequest(**{**values, **changes})


@pytest.mark.slow
async def test_an_order_abroad_ships_with_ups_declares_its_goods_and_is_delivered(http, db: Settings, ups: FakeUps):
    await _abroad_ready()
    phone = await _phones(http)
    status, placed = await _place_abroad(http, {"TEA": 2})
    assert status == 201, placed
    number = placed["number"]
    assert (await Order.get(number=number)).country == "US"
    shipment = await _packed(phone, number, {"TEA": 2})
    assert shipment["status"] == "booked" and shipment["carrier"] == "UPS", shipment["choice"]
    assert shipment["waybill"].startswith(f"1Z{ACCOUNT}")
    # STD delivers at home only; UPS is priced by its live quote, not its rate table
    assert shipment["choice"]["rejected"][0]["carrier"] == "STD"
    assert shipment["price"] == "312.50" and shipment["choice"]["ranked"][0]["priced_by"] == "quote"
    sent = ups.sent(shipment["waybill"])
    assert sent["Shipper"]["ShipperNumber"] == ACCOUNT and sent["ShipTo"]["Address"]["CountryCode"] == "US"
    assert sent["Package"][0]["Dimensions"]["Length"] == "30.0" and sent["Service"]["Code"] == "65"
    invoice = sent["ShipmentServiceOptions"]["InternationalForms"]
    line = invoice["Product"][0]
    assert (line["CommodityCode"], line["OriginCountryCode"], line["Unit"]["Number"], line["Unit"]["Value"]) == (
        "090210", "CN", "2", "45.0")
    assert invoice["CurrencyCode"] == "CNY" and invoice["InvoiceNumber"] == shipment["number"]
    booked = await Shipment.get(number=shipment["number"])
    assert booked.carrier_label_format == "zpl" and shipment["waybill"].encode() in booked.carrier_label

    shipped = await _dispatched(phone, shipment)
    assert await poll_tracking(db) == 0  # UPS has no scan yet: "not found" is no error
    waybill = shipment["waybill"]
    ups.happen(waybill, "20261118170211", "P", "PU", "Pickup Scan", "Shanghai", "CN")
    ups.happen(waybill, "20261119093000", "I", "DP", "Departed from Facility", "Shanghai", "CN")
    assert await poll_tracking(db) == 2
    assert (await Order.get(number=number)).status == OrderStatus.SHIPPED
    ups.happen(waybill, "20261121101500", "D", "KB", "DELIVERED", "San Francisco", "US")
    assert await poll_tracking(db) == 1
    assert await poll_tracking(db) == 0
    assert (await Order.get(number=number)).status == OrderStatus.DELIVERED
    token = shipped["tracking_url"].rsplit("/", 1)[1]
    async with http.get(f"/t/{token}?lang=en") as resp:
        assert "Departed from Facility" in await resp.text()


async def test_an_order_abroad_whose_products_cannot_be_declared_is_refused_in_the_readers_language(
        http, db: Settings):
    await stock(await a_product("TEA", **TEA), await a_warehouse(), 20)
    await stock(await a_product("CUP", hs_code="691200"), await a_warehouse("GZ"), 20)
    status, refused = await _place_abroad(http, {"TEA": 1, "CUP": 1})
    assert status == 422 and refused["error"] == "customs_missing"
    assert "An order to US must declare its goods at customs, and CUP lack" in refused["message"]
    status, refused = await _place_abroad(http, {"CUP": 1}, lang="zh")
    assert status == 422
    assert "寄往 US 的订单须向海关申报货物，而 CUP 缺少 HS 编码、原产国或申报价值" in refused["message"]
    assert await Order.all().count() == 0
    status, placed = await _place_abroad(http, {"TEA": 1})  # a product that declares itself goes abroad
    assert status == 201, placed


async def test_the_product_import_sets_customs_facts_and_refuses_bad_ones(db: Settings, tmp_path: Path):
    good = tmp_path / "products.csv"
    good.write_text("sku,name,price,hs_code,origin_country,customs_value\nTEA,Green tea,58.00,090210,cn,45.00\n"
                    "CUP,Cup,12.00,,,\n", encoding="utf-8")
    assert await import_products(good) == 2
    tea, cup = await Product.get(sku="TEA"), await Product.get(sku="CUP")
    assert (tea.hs_code, tea.origin_country, tea.customs_value) == ("090210", "CN", Decimal("45.00"))
    assert tea.declares_customs and not cup.declares_customs
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,name,hs_code,origin_country\nTEA,Green tea,tea,China\n", encoding="utf-8")
    with pytest.raises(Exception) as refused:
        await import_products(bad)
    assert {code for _, code, _ in refused.value.problems} == {"csv_wrong_form"}


async def test_ups_failures_become_fahuos(ups: FakeUps):
    adapter, right = KarrioCarrier(), Connection("UPS", "UPS", account=ups_account(ups))
    wrong = Connection("UPS", "UPS", account=ups_account(ups, secret="guessed"))
    with pytest.raises(CarrierRefused, match="10401 ClientId is Invalid"):
        await adapter.create_waybill(wrong, _request())
    assert await adapter.fetch_tracking(right, "1Z999AA10123456784", datetime.now(UTC), "", "",
                                        datetime.now(UTC)) == []
    with pytest.raises(CarrierRefused, match="190102"):
        await adapter.cancel_waybill(right, "1Z999AA10123456784", "SH-NEVER-BOOKED")
    with pytest.raises(CarrierRefused, match="no customs data"):
        await adapter.create_waybill(right, _request(customs=()))
    ups.mode = "rate_limited"
    with pytest.raises(CarrierUnavailable, match="Quota Limit Exceeded"):
        await adapter.create_waybill(right, _request())
    ups.mode = "silent"
    started = datetime.now(UTC)
    with pytest.raises(CarrierUnavailable, match="TimeoutError"):
        await adapter.quote(right, QuoteRequest(_request().sender.place, _request().recipient.place, 1500))
    assert datetime.now(UTC) - started < timedelta(seconds=2)
    ups.mode = "ok"
    waybill = await adapter.create_waybill(right, _request())
    await adapter.cancel_waybill(right, waybill.number, "SH-20261118-00001")
    assert waybill.number in ups.voided
    assert ups.calls["token"] == 2  # the token is kept between calls (the wrong credentials asked once)


async def test_ups_over_quota_the_booking_is_asked_again_through_the_outbox(http, db: Settings, ups: FakeUps):
    await _abroad_ready()
    phone = await _phones(http)
    status, placed = await _place_abroad(http, {"TEA": 1})
    assert status == 201, placed
    ups.mode = "rate_limited"
    shipment = await _packed(phone, placed["number"], {"TEA": 1})
    assert shipment["status"] == "packed" and shipment["carrier"] is None
    alert = await OutboxEvent.get(kind="shipment.carrier_failed")
    assert alert.payload["carrier"] == "UPS" and alert.payload["why"] == "its system did not answer"
    ups.mode = "ok"
    assert (await run_due(db, datetime.now(UTC) + timedelta(minutes=3), [BOOK])).worked == 1
    booked = await Shipment.get(number=shipment["number"])
    assert booked.status == ShipmentStatus.BOOKED and booked.waybill.startswith("1Z")


async def test_ups_credentials_appear_in_no_view_no_log_and_no_repr(http, db: Settings, ups: FakeUps, caplog,
                                                                    capfd):
    caplog.set_level(logging.DEBUG)
    await _abroad_ready()
    phone = await _phones(http)
    _, placed = await _place_abroad(http, {"TEA": 1})
    shipment = await _packed(phone, placed["number"], {"TEA": 1})
    assert shipment["status"] == "booked"
    with pytest.raises(CarrierRefused) as refused:
        await KarrioCarrier().create_waybill(Connection("UPS", "UPS", account=ups_account(ups, key="nobody")),
                                             _request())
    status, carriers = await phone["manager"].call("GET", "/api/carriers")
    assert status == 200
    out, err = capfd.readouterr()
    shown = [repr(db), str(db.carrier_accounts), str(carriers), str(shipment), caplog.text, out, err,
             str(refused.value), str([e.payload for e in await OutboxEvent.all()])]
    for secret in SECRETS:
        assert not any(secret in text for text in shown), secret
