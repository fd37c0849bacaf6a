"""Loading at the dock: our vans take our deliveries, an outside carrier's courier takes theirs, and a planned
van is loaded last stop first."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from core.shipping.fleet import RoutePlan, RouteStop, Vehicle
from core.shipping.shipments import Shipment
from core.stock.warehouses import Warehouse
from tests.factories import a_carrier, a_product, a_warehouse, stock
from tests.test_logistics import Phone, _phones, _picked_and_packed


async def _vans() -> None:
    warehouse = await Warehouse.get(code="SH")
    for plate in ("沪AD1234", "沪AF5678"):
        await Vehicle.create(plate=plate, warehouse_id=warehouse.id, capacity_kg=800)


async def _floor(http, carrier: str, adapter: str = "simulated") -> dict[str, Phone]:
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 20)
    await a_carrier(carrier, name="Standard Post", name_zh="标准快递", adapter=adapter)
    await _vans()
    return await _phones(http)


async def test_an_outside_carriers_shipment_goes_on_no_van_of_ours_and_to_their_courier(http, db):
    phone = await _floor(http, "STD")
    _, shipment = await _picked_and_packed(http, phone, {"TEA": 2})
    dispatcher, number = phone["dispatcher"], shipment["number"]
    status, refusal = await dispatcher.scan("load", "FH:VEH:沪AD1234", shipment=number)
    assert status == 409, refusal
    assert "goes with Standard Post, hand it to their courier" in refusal["message"]
    dispatcher.headers["Accept-Language"] = "zh"
    status, refusal = await dispatcher.scan("load", "FH:VEH:浙A12345", shipment=number)
    assert status == 409 and f"{number} 由标准快递承运，请交给其快递员" in refusal["message"], refusal
    assert "Standard" not in refusal["message"]
    for package in shipment["packages"]:
        status, handed = await dispatcher.scan("load", f"FH:PKG:{package['number']}", shipment=number)
        assert status == 200 and handed["message"] == f"{package['number']} 已交给标准快递", handed
    assert handed["ready"] is True and handed["own_fleet"] is False and handed["vehicle"] is None
    status, shipped = await dispatcher.call("POST", f"/api/shipments/{number}/dispatch")
    assert status == 200 and shipped["status"] == "dispatched" and shipped["carrier_said"] == "标准快递", shipped


async def test_a_plate_none_of_our_vans_has_is_refused_naming_the_vans(http, db):
    phone = await _floor(http, "OWN", adapter="own_fleet")
    _, shipment = await _picked_and_packed(http, phone, {"TEA": 2})
    status, refusal = await phone["dispatcher"].scan("load", "FH:VEH:浙A12345", shipment=shipment["number"])
    assert status == 409, refusal
    assert refusal["message"] == ("Wrong scan: expected one of our own vans: 沪AD1234, 沪AF5678 "
                                  "(got vehicle 浙A12345, which is none of ours).")
    status, loading = await phone["dispatcher"].scan("load", "FH:VEH:沪AF5678", shipment=shipment["number"])
    assert status == 200 and loading["vehicle"] == "沪AF5678" and loading["own_fleet"] is True


async def _planned(shipments: list[dict[str, Any]], plate: str) -> None:
    """A plan putting these shipments on one van, in this order of stops (as the route planner would)."""
    warehouse, van = await Warehouse.get(code="SH"), await Vehicle.get(plate=plate)
    plan = await RoutePlan.create(number="RP-1", warehouse_id=warehouse.id, day=date(2026, 12, 8), created_by="t")
    for seq, shipment in enumerate(shipments, start=1):
        await RouteStop.create(plan_id=plan.id, vehicle_id=van.id, seq=seq, eta=datetime.now(UTC),
                               km_from_previous=1.0, shipment=await Shipment.get(number=shipment["number"]))


async def test_a_planned_van_is_loaded_last_stop_first_and_a_package_out_of_order_is_flagged(http, db):
    phone = await _floor(http, "OWN", adapter="own_fleet")
    stops = [(await _picked_and_packed(http, phone, {"TEA": 2}))[1] for _ in range(3)]
    await _planned(stops, "沪AD1234")
    dispatcher = phone["dispatcher"]
    first, _, last = (s["number"] for s in stops)
    status, loading = await dispatcher.scan("load", "FH:VEH:沪AD1234", shipment=last)
    assert status == 200, loading
    assert [s["shipment"] for s in loading["loading_order"]] == [last, stops[1]["number"], first]
    assert [s["seq"] for s in loading["loading_order"]] == [3, 2, 1] and loading["loading_order"][0]["this"]
    package = stops[2]["packages"][0]["number"]
    status, loaded = await dispatcher.scan("load", f"FH:PKG:{package}", shipment=last)
    assert status == 200 and loaded["out_of_order"] is None  # the last stop goes in first
    await dispatcher.scan("load", "FH:VEH:沪AD1234", shipment=first)
    package = stops[0]["packages"][0]["number"]
    status, loaded = await dispatcher.scan("load", f"FH:PKG:{package}", shipment=first)
    assert status == 200 and loaded["message"] == f"{package} loaded", loaded  # flagged, not refused
    assert loaded["out_of_order"] == (f"Out of the loading order: {last}, {stops[1]['number']} (later stops) "
                                      f"should go in before {first} (stop 1)")
    assert [s["waiting"] for s in loaded["loading_order"]] == [1, 2, 1]
