"""Carrier choice as a pure decision: carriers as data in memory, a parcel, a moment; no database.
(tests/test_delivery_date.py covers the requested date; tests/test_logistics.py the whole way over HTTP.)"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.orders.order import ServiceLevel
from core.shipping.carriers import Carrier, Parcel, choose_carrier

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


def _carrier(code: str, **data: Any) -> Carrier:
    defaults: dict[str, Any] = {"name": f"{code} Express", "regions": ["*"], "goods_classes": ["normal", "fragile"],
                                "service_level": "standard", "transit_days": 2, "max_weight_g": 30_000,
                                "max_side_mm": 1500, "cutoff": time(16, 0),
                                "rates": {"first_kg": "10", "per_kg": "2"}}
    return Carrier(code=code, **{**defaults, **data})


def _parcel(province: str = "浙江", goods: set[str] | None = None, weight_g: int = 1000, side_mm: int = 400,
            level: ServiceLevel = ServiceLevel.STANDARD, by: date | None = None) -> Parcel:
    return Parcel(province, frozenset(goods or {"normal"}), weight_g, side_mm, level, by)


# -- price and arrival ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("weight_g", "price"), [(1, "10.00"), (1000, "10.00"), (1001, "12.00"), (3500, "16.00")])
def test_the_price_is_the_first_kilogram_and_each_started_one_after_it(weight_g: int, price: str):
    assert _carrier("SF").price("浙江", weight_g) == Decimal(price)


def test_a_zone_factor_raises_the_price_for_far_provinces_only():
    far = _carrier("SF", rates={"first_kg": "10", "per_kg": "2", "zones": {"新疆": "1.8"}})
    assert far.price("新疆", 2000) == Decimal("21.60")
    assert far.price("浙江", 2000) == Decimal("12.00")


def test_before_the_cut_off_the_parcel_leaves_today_at_or_after_it_tomorrow():
    carrier = _carrier("SF", transit_days=2, cutoff=time(16, 0))
    assert carrier.arrival(MONDAY_10) == date(2026, 11, 25)
    assert carrier.arrival(MONDAY_10.replace(hour=16)) == date(2026, 11, 26)
    assert carrier.arrival(MONDAY_10.replace(hour=23, minute=59)) == date(2026, 11, 26)


# -- hard rules -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("carrier", "parcel", "en", "zh"), [
    (_carrier("R", regions=["上海", "江苏"]), _parcel("浙江"), "does not deliver to 浙江", "不配送到浙江"),
    (_carrier("R", regions=["上海"]), _parcel(""), "does not deliver to an unknown province", "不配送到未知省份"),
    (_carrier("G"), _parcel(goods={"normal", "liquid"}), "does not carry liquid goods", "不承运液体货物"),
    (_carrier("W", max_weight_g=5000), _parcel(weight_g=5500),
     "takes at most 5 kg per package, this one is 5.5 kg", "每件最多 5 千克，此件 5.5 千克"),
    (_carrier("S", max_side_mm=600), _parcel(side_mm=601),
     "takes sides up to 600 mm, this package has 601 mm", "边长最多 600 毫米，此件 601 毫米"),
    (_carrier("L", service_level="economy"), _parcel(level=ServiceLevel.STANDARD),
     "is economy, the customer asked for standard", "服务等级为经济，客户要求标准"),
])
def test_each_hard_rule_excludes_the_carrier_and_says_why_in_both_languages(carrier: Carrier, parcel: Parcel,
                                                                             en: str, zh: str):
    choice = choose_carrier([carrier], parcel, parcel.weight_g, MONDAY_10)
    assert choice.chosen is None and choice.ranked == []
    assert choice.rejected == [{"carrier": carrier.code, "reasons": [en], "reasons_zh": [zh]}]
    assert choice.summary == f"no carrier can take this shipment: {carrier.code}: {en}"
    assert choice.summary_zh == f"没有承运商能承运此发运：{carrier.code}：{zh}"


def test_every_rule_a_carrier_breaks_is_listed_not_only_the_first():
    tiny = _carrier("T", regions=["上海"], max_weight_g=500, max_side_mm=100)
    choice = choose_carrier([tiny], _parcel(weight_g=600, side_mm=200), 600, MONDAY_10)
    assert len(choice.rejected[0]["reasons"]) == 3


def test_a_faster_service_than_asked_is_allowed_a_slower_one_is_not():
    choice = choose_carrier([_carrier("X", service_level="express"), _carrier("E", service_level="economy")],
                            _parcel(level=ServiceLevel.STANDARD), 1000, MONDAY_10)
    assert choice.chosen == "X" and [r["carrier"] for r in choice.rejected] == ["E"]


def test_limits_apply_to_the_heaviest_package_while_the_price_is_for_the_whole_shipment():
    choice = choose_carrier([_carrier("SF", max_weight_g=5000)], _parcel(weight_g=4000), 12_000, MONDAY_10)
    assert choice.chosen == "SF" and choice.ranked[0]["price"] == "32.00"  # 10 + 11 × 2


# -- ranking ----------------------------------------------------------------------------------------------


def test_the_cheapest_carrier_wins_and_the_others_say_what_they_cost():
    cheap, dear = _carrier("CHEAP", rates={"first_kg": "8", "per_kg": "1"}), _carrier("DEAR", transit_days=1)
    choice = choose_carrier([dear, cheap], _parcel(), 1000, MONDAY_10)
    assert [o["carrier"] for o in choice.ranked] == ["CHEAP", "DEAR"]
    assert choice.basis == "lowest price, then arrival"
    assert choice.ranked[1]["why_not"] == "costs 10.00, CHEAP 8.00"
    assert choice.ranked[1]["why_not_zh"] == "运费 10.00，CHEAP 为 8.00"
    assert choice.summary == "CHEAP: lowest price, then arrival (8.00 CNY by rate table, arrives 2026-11-25)"


def test_at_the_same_price_the_sooner_arrival_wins():
    choice = choose_carrier([_carrier("SLOW", transit_days=3), _carrier("QUICK", transit_days=1)], _parcel(), 1000,
                            MONDAY_10)
    assert choice.chosen == "QUICK"


def test_for_express_the_soonest_arrival_wins_over_the_lowest_price():
    cheap = _carrier("CHEAP", service_level="express", transit_days=2, rates={"first_kg": "8", "per_kg": "1"})
    fast = _carrier("FAST", service_level="express", transit_days=1, rates={"first_kg": "20", "per_kg": "4"})
    choice = choose_carrier([cheap, fast], _parcel(level=ServiceLevel.EXPRESS), 1000, MONDAY_10)
    assert choice.chosen == "FAST" and choice.basis == "fastest arrival, then price"
    assert choice.ranked[1]["why_not"] == "arrives 2026-11-25, FAST by 2026-11-24"


def test_a_carrier_that_makes_the_requested_date_beats_a_cheaper_one_that_does_not():
    cheap_slow = _carrier("CHEAP", transit_days=4, rates={"first_kg": "5", "per_kg": "1"})
    choice = choose_carrier([cheap_slow, _carrier("SF", transit_days=1)], _parcel(by=date(2026, 11, 25)), 1000,
                            MONDAY_10)
    assert choice.chosen == "SF" and not choice.date_missed
    assert choice.basis == "arrives by the requested 2026-11-25, then lowest price"


def test_the_decision_is_the_same_whatever_order_the_carriers_come_in():
    carriers = [_carrier(f"C{n}", transit_days=n % 3 + 1, rates={"first_kg": str(10 + n % 4), "per_kg": "1"})
                for n in range(8)]
    first = choose_carrier(carriers, _parcel(), 2000, MONDAY_10).as_dict()
    again = choose_carrier(list(reversed(carriers)), _parcel(), 2000, MONDAY_10).as_dict()
    assert first["ranked"] == again["ranked"] and first["chosen"] == again["chosen"]
