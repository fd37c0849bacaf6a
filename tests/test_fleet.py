"""Own-fleet deliveries: vans with capacity and shifts, customers' time windows, the plan and its use at loading."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from core.base.events import OutboxEvent
from core.base.i18n import text
from core.orders.order import Order, PaymentMethod, PaymentState
from core.shipping.fleet import ROADS, RoadEstimate, Vehicle
from core.shipping.shipments import Shipment
from core.stock.catalog import GoodsClass
from tests.factories import a_carrier, a_product, a_warehouse, stock
from tests.test_logistics import _phones, _pick_all, _place

DAY = date(2026, 11, 26)
# Shanghai addresses around the warehouse at 31.23, 121.47
STOPS = [(31.24, 121.50, None), (31.20, 121.44, ("09:00", "10:30")), (31.30, 121.52, None),
         (31.18, 121.60, ("14:00", "16:00")), (31.26, 121.40, None)]


async def _own_fleet_shipments(http, phone, heavy_kg: int) -> list[str]:
    numbers = []
    for i, (lat, lon, window) in enumerate(STOPS):
        extra = {"address": {"lat": lat, "lon": lon}}
        if window:
            extra["delivery_window"] = {"start": window[0], "end": window[1]}
        number = await _place(http, {"TEA": 1}, **extra)
        _, pick_list = await phone["picker"].call("POST", "/api/pick-lists", {"orders": [number]})
        await _pick_all(phone["picker"], pick_list)
        grams = heavy_kg * 1000 if i == 0 else 20_000
        status, shipment = await phone["packer"].call("POST", f"/api/orders/{number}/packages", {"packages": [
            {"weight_g": grams, "length_mm": 600, "width_mm": 400, "height_mm": 400,
             "contents": [{"sku": "TEA", "qty": 1}]}]})
        assert status == 201 and shipment["carrier"] == "OWN", shipment
        numbers.append(shipment["number"])
    return numbers


@pytest.mark.slow
async def test_the_days_deliveries_are_planned_over_the_vans_within_windows_and_capacity(http, db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 20)
    await a_carrier("OWN", adapter="own_fleet", regions=["上海"], max_weight_g=900_000, transit_days=0,
                    classes=(GoodsClass.NORMAL,), rates={"first_kg": "1", "per_kg": "0.1"})
    phone = await _phones(http)
    shipments = await _own_fleet_shipments(http, phone, heavy_kg=900)
    for plate, kg in (("沪AD1234", 1000), ("沪AF5678", 150)):
        status, van = await phone["manager"].call("POST", "/api/vehicles", {
            "plate": plate, "warehouse": "SH", "capacity_kg": kg, "shift_start": "08:00", "shift_end": "18:00"})
        assert status == 201, van
    status, plan = await phone["manager"].call("POST", "/api/route-plans", {"warehouse": "SH", "day": DAY.isoformat()})
    assert status == 201, plan
    stops = {s["shipment"]: (v["plate"], s) for v in plan["vehicles"] for s in v["stops"]}
    assert sorted(stops) == sorted(shipments) and plan["unplanned"] == []
    assert stops[shipments[0]][0] == "沪AD1234"  # 900 kg fits only the big van
    for number, (_, stop) in stops.items():
        eta = datetime.fromisoformat(stop["eta"]).time()
        assert time(8, 0) < eta < time(18, 0)
        window = STOPS[shipments.index(number)][2]
        if window:
            assert time.fromisoformat(window[0]) <= eta <= time.fromisoformat(window[1]), (number, eta)
    for van in plan["vehicles"]:
        assert [s["seq"] for s in van["stops"]] == list(range(1, len(van["stops"]) + 1))

    # loading follows the plan: the wrong van is refused, naming the right one
    planned_plate = stops[shipments[1]][0]
    other = "沪AF5678" if planned_plate == "沪AD1234" else "沪AD1234"
    status, refusal = await phone["dispatcher"].scan("load", f"FH:VEH:{other}", shipment=shipments[1])
    assert status == 409 and planned_plate in refusal["message"]
    status, refusal = await phone["dispatcher"].scan("load", "FH:VEH:沪Z00000", shipment=shipments[1])
    assert status == 409 and "own vans" in refusal["message"]
    status, ok = await phone["dispatcher"].scan("load", f"FH:VEH:{planned_plate}", shipment=shipments[1])
    assert status == 200 and ok["vehicle"] == planned_plate


@pytest.mark.slow
async def test_stops_that_fit_no_van_are_listed_not_squeezed_in(http, db):
    """A warehouse in Urumqi: its vans' shifts and the stops' times are its own clock's, and a stop left out
    says why in the reader's language."""
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 20)
    await a_carrier("OWN", adapter="own_fleet", regions=["上海"], max_weight_g=900_000, transit_days=0)
    phone = await _phones(http)
    status, _ = await phone["manager"].call("PUT", "/api/warehouses/SH/time-zone", {"time_zone": "Asia/Urumqi"})
    assert status == 200
    shipments = await _own_fleet_shipments(http, phone, heavy_kg=900)
    await phone["manager"].call("POST", "/api/vehicles", {"plate": "沪AF5678", "warehouse": "SH", "capacity_kg": 200,
                                                          "shift_start": "08:00", "shift_end": "18:00"})
    status, plan = await phone["manager"].call("POST", "/api/route-plans", {"warehouse": "SH", "day": DAY.isoformat()})
    assert status == 201 and plan["time_zone"] == "Asia/Urumqi"
    assert [u["shipment"] for u in plan["unplanned"]] == [shipments[0]]
    assert plan["unplanned"][0]["why"] == "no van can reach it in its window with room left"
    for stop in (s for v in plan["vehicles"] for s in v["stops"]):
        eta = datetime.fromisoformat(stop["eta"])
        assert eta.utcoffset() == timedelta(hours=6) and "08:00" <= stop["time"] < "18:00"
        assert stop["time"] == eta.astimezone(ZoneInfo("Asia/Urumqi")).strftime("%H:%M")
    phone["manager"].headers["Accept-Language"] = "zh"
    status, plans = await phone["manager"].call("GET", f"/api/route-plans?warehouse=SH&day={DAY.isoformat()}")
    assert status == 200 and plans[0]["unplanned"][0]["why"] == "没有车辆能在时间窗内送达且有余量"


@pytest.mark.slow
async def test_a_plan_names_the_company_and_says_what_each_stop_collects_and_hands_over(http, db):
    """The dispatch desk's plan and the driver's message: the phone as people dial it, the packages, the cash
    to collect at each door and in all, under the company's name."""
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 20)
    await a_carrier("OWN", adapter="own_fleet", regions=["上海"], max_weight_g=900_000, transit_days=0)
    phone = await _phones(http)
    shipments = await _own_fleet_shipments(http, phone, heavy_kg=30)
    cash = [s.order_id for s in await Shipment.filter(number__in=shipments[:2])]  # type: ignore[attr-defined]
    await Order.filter(id__in=cash).update(payment_method=PaymentMethod.COD, payment_state=PaymentState.PENDING,
                                           total=Decimal("128.50"))
    await Vehicle.create(plate="沪AD1234", warehouse=wh, capacity_kg=1000, driver="马师傅", driver_chat=2201)
    status, plan = await phone["manager"].call("POST", "/api/route-plans", {"warehouse": "SH", "day": DAY.isoformat()})
    assert status == 201, plan
    assert plan["company"] == db.company_name and plan["totals"] == {"stops": 5, "packages": 5, "cod": "257.00"}
    [van] = plan["vehicles"]
    assert van["totals"] == plan["totals"]  # one van: its totals are the plan's
    for stop in van["stops"]:
        mobile = stop["phone"][3:]
        assert stop["packages"] == 1 and stop["phone_display"] == f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}"
        assert stop["cod"] == ("128.50" if stop["shipment"] in shipments[:2] else None)
    status, sent = await phone["dispatcher"].call("POST", f"/api/route-plans/{plan['number']}/send",
                                                  {"plate": "沪AD1234"})
    assert status == 200, sent
    event = await OutboxEvent.get(kind="route_plan.sent")
    message = text("bot.m.route_plan.sent", "zh", **event.payload)
    assert message.startswith(f"🚐 {db.company_name}\n") and "（5 站，5 件，" in message, message
    assert message.count("代收货款 128.50 CNY") == 2 and message.endswith("代收货款合计：257.00 CNY"), message
    assert van["stops"][0]["phone_display"] in message and "+86" not in message
    english = text("bot.m.route_plan.sent", "en", **event.payload)
    assert "collect 128.50 CNY" in english and "Cash to collect: 257.00 CNY" in english


async def test_a_warehouse_refuses_a_time_zone_that_does_not_exist(http, db):
    await a_warehouse()
    phone = await _phones(http)
    phone["manager"].headers["Accept-Language"] = "zh"
    status, refusal = await phone["manager"].call("PUT", "/api/warehouses/SH/time-zone", {"time_zone": "Mars/Base"})
    assert status == 422 and refusal["error"] == "validation_error", refusal
    assert "不是已知的时区" in refusal["message"]
    status, listed = await phone["picker"].call("GET", "/api/warehouses")
    assert status == 200 and listed[0]["time_zone"] == db.timezone  # unchanged: the company's
    status, refusal = await phone["picker"].call("PUT", "/api/warehouses/SH/time-zone", {"time_zone": "Asia/Urumqi"})
    assert status == 403, refusal


def test_rush_hour_makes_the_same_trip_slower():
    a, b = (31.23, 121.47), (31.30, 121.55)
    rush = ROADS.minutes(a, b, datetime(2026, 11, 26, 8, 0))
    night = ROADS.minutes(a, b, datetime(2026, 11, 26, 22, 0))
    assert rush > night * 1.5
    assert RoadEstimate(detour=1.0).km(a, b) < ROADS.km(a, b)
