"""Issue 14's "done when": one order through each of the four kinds of carrier fahuo speaks to — kuaidi100, SF
Express, an international carrier through karrio (UPS), and the built-in simulated one — each against its local
fake: the waybill, the package's label on the station's (fake) thermal printer carrying that waybill, the
parcel's tracking pushed back (polled, for karrio and the simulated carrier), and "delivered" closing the order."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.base.jobs import run_due
from core.base.settings import Settings
from core.orders.order import Order, OrderStatus
from core.shipping.carriers import Carrier
from core.shipping.tracking import SUBSCRIBE, poll_tracking
from tests.factories import a_carrier, a_product, a_warehouse, stock
from tests.kuaidi100_fake import FakeKuaidi100
from tests.printers import FakePrinter, zpl_formats
from tests.sf_fake import FakeSf
from tests.test_carrier_karrio import TEA, _packed, _place_abroad, ups, ups_account  # noqa: F401 (ups: fixture)
from tests.test_carrier_kuaidi100 import PUSH_TOKEN as KD_PUSH_TOKEN
from tests.test_carrier_kuaidi100 import kd, kd_account  # noqa: F401 (kd: fixture)
from tests.test_carrier_sf import PUSH_TOKEN as SF_PUSH_TOKEN
from tests.test_carrier_sf import _dispatched, sf, sf_account  # noqa: F401 (sf: fixture)
from tests.test_logistics import Phone, _phones, _place
from tests.ups_fake import FakeUps

pytestmark = pytest.mark.slow


@pytest.fixture
def settings(settings: Settings, sf: FakeSf, kd: FakeKuaidi100, ups: FakeUps) -> Settings:  # noqa: F811
    accounts = {"SF": sf_account(sf), "kuaidi100": kd_account(kd), "UPS": ups_account(ups)}
    return settings.model_copy(update={"carrier_accounts": accounts, "carrier_wait_s": 2.5})


async def _only(code: str) -> None:
    """The carrier the order must go with is the only one active: the choice has no other."""
    await Carrier.all().update(active=False)
    await Carrier.filter(code=code).update(active=True)


async def _printed(phone: dict[str, Phone], printer: FakePrinter, shipment: dict[str, Any]) -> list[dict[str, Any]]:
    """The packer prints the shipment's labels at the station: the printer gets fahuo's label carrying the
    waybill as its Code 128 and the package's QR; then the carrier's own label, where it draws one."""
    status, job = await phone["packer"].call("POST", f"/api/shipments/{shipment['number']}/print",
                                             {"printer": "PACK-1"})
    assert status == 200 and job["state"] == "printed", job
    ours, *carriers = zpl_formats(printer.jobs[-1])
    assert [d.data for d in ours["drawn"] if d.kind == "code128"] == [shipment["waybill"]]
    qrs = [d.data for d in ours["drawn"] if d.kind == "qr"]
    assert f"MA,FH:PKG:{shipment['packages'][0]['number']}" in qrs  # ours; SF's own two-dimension code beside it
    assert all(qr.startswith("MA,FH:PKG:") or (shipment["carrier"] == "SF" and "MMM=" in qr) for qr in qrs), qrs
    return carriers


async def _ship(http, phone: dict[str, Phone], printer: FakePrinter, carrier: str, *, abroad: bool = False
                ) -> tuple[str, dict[str, Any]]:
    """An order placed, picked, packed, booked with `carrier`, labelled and dispatched."""
    await _only(carrier)
    if abroad:
        status, placed = await _place_abroad(http, {"TEA": 1})
        assert status == 201, placed
        number = placed["number"]
    else:
        number = await _place(http, {"TEA": 1})
    shipment = await _packed(phone, number, {"TEA": 1})
    assert shipment["status"] == "booked" and shipment["carrier"] == carrier, shipment["choice"]
    carriers_own = await _printed(phone, printer, shipment)
    # UPS (through karrio) draws its own ZPL label, printed after fahuo's; the others leave it to fahuo's
    assert [[d.data for d in label["drawn"] if d.kind == "code128"] for label in carriers_own] == (
        [[shipment["waybill"]]] if abroad else [])
    await _dispatched(phone, shipment)
    return number, shipment


async def _delivered(number: str, track: Callable[[], Awaitable[Any]]) -> None:
    assert (await Order.get(number=number)).status == OrderStatus.SHIPPED
    await track()
    assert (await Order.get(number=number)).status == OrderStatus.DELIVERED


async def test_a_demo_order_ships_through_each_of_the_four_kinds_of_carrier(
        http, server: str, db: Settings, sf: FakeSf, kd: FakeKuaidi100, ups: FakeUps):  # noqa: F811
    db.public_url = server
    await stock(await a_product("TEA", **TEA), await a_warehouse(), 40)
    await a_carrier("YTO", adapter="kuaidi100")
    await a_carrier("SF", adapter="sf")
    await a_carrier("UPS", adapter="karrio", regions=["WORLD"])
    await a_carrier("SIM")  # the simulated carrier
    phone = await _phones(http)
    printer = await FakePrinter("zpl").start()
    try:
        status, saved = await phone["manager"].call("POST", "/api/printers", {
            "code": "PACK-1", "warehouse": "SH", "station": "打包台 1", "language": "zpl", "connection": "tcp",
            "address": printer.address})
        assert status == 201, saved

        number, shipment = await _ship(http, phone, printer, "YTO")  # kuaidi100: subscribed, then pushed
        assert (await run_due(db, None, [SUBSCRIBE])).worked == 1
        waybill = shipment["waybill"]
        kd.happen(waybill, "2026-11-18 17:02:11", "已揽收", "上海,上海市", "1", "103")
        kd.happen(waybill, "2026-11-19 10:15:00", "您的快件已签收", "浙江,杭州市", "3", "301")
        assert kd.subscriptions[waybill]["parameters"]["callbackurl"].endswith(f"/carriers/YTO/push/{KD_PUSH_TOKEN}")
        await _delivered(number, lambda: kd.push(waybill, kd.push_body(waybill, status="shutdown")))

        number, shipment = await _ship(http, phone, printer, "SF")  # SF: routes pushed
        waybill = shipment["waybill"]
        routes = [sf.route(waybill, "50", "2026-11-18 17:02:11", "顺丰速运 已收取快件", "上海市"),
                  sf.route(waybill, "80", "2026-11-19 10:15:00", "已签收", "杭州市")]
        await _delivered(number, lambda: sf.push(f"{server}/carriers/SF/push/{SF_PUSH_TOKEN}", routes))

        number, shipment = await _ship(http, phone, printer, "UPS", abroad=True)  # karrio: polled
        ups.happen(shipment["waybill"], "20261118170211", "P", "PU", "Pickup Scan", "Shanghai", "CN")
        ups.happen(shipment["waybill"], "20261121101500", "D", "KB", "DELIVERED", "San Francisco", "US")
        assert ups.sent(shipment["waybill"])["ShipmentServiceOptions"]["InternationalForms"]["Product"]
        await _delivered(number, lambda: poll_tracking(db))

        number, shipment = await _ship(http, phone, printer, "SIM")  # simulated: its journey, as days pass
        await _delivered(number, lambda: poll_tracking(db, datetime.now(UTC) + timedelta(days=3)))
    finally:
        await printer.stop()
    assert len(printer.jobs) == 4
