"""The customer's requested delivery date: carrier choice keeps it, people see it, and when no carrier can
make it the fastest goes and a manager hears of it. First the pure decision, then the whole way over HTTP."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from core.carriers import Carrier, Parcel, choose_carrier
from core.orders import ServiceLevel

SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)  # a Monday, before every cut-off


def _carrier(code: str, transit_days: int, first_kg: str, cutoff: time = time(16, 0)) -> Carrier:
    return Carrier(code=code, name=f"{code} carrier", regions=["*"], goods_classes=["normal"],
                   service_level="standard", transit_days=transit_days, cutoff=cutoff,
                   rates={"first_kg": first_kg, "per_kg": "1"})


def _parcel(requested: date | None, level: ServiceLevel = ServiceLevel.STANDARD) -> Parcel:
    return Parcel("上海", frozenset({"normal"}), 1000, 300, level, requested)


CHEAP_SLOW = _carrier("CHEAP", transit_days=3, first_kg="5")  # arrives Thursday 26th
DEAR_FAST = _carrier("FAST", transit_days=1, first_kg="15")  # arrives Tuesday 24th


def test_without_a_requested_date_the_cheapest_carrier_wins():
    choice = choose_carrier([CHEAP_SLOW, DEAR_FAST], _parcel(None), 1000, MORNING)
    assert choice.chosen == "CHEAP" and not choice.date_missed


def test_a_cheaper_carrier_that_arrives_after_the_requested_date_loses_to_one_that_arrives_in_time():
    choice = choose_carrier([CHEAP_SLOW, DEAR_FAST], _parcel(date(2026, 11, 25)), 1000, MORNING)
    assert choice.chosen == "FAST" and not choice.date_missed
    assert [o["on_time"] for o in choice.ranked] == [True, False]
    loser = choice.ranked[1]
    assert loser["why_not"] == "arrives 2026-11-26, after the requested 2026-11-25; FAST arrives by 2026-11-24"
    assert loser["why_not_zh"] == "2026-11-26 送达,晚于要求的 2026-11-25;FAST 2026-11-24 即可送达"
    assert "2026-11-25" in choice.summary and "2026-11-25" in choice.summary_zh


def test_of_the_carriers_that_make_the_date_the_cheapest_still_wins():
    fair = _carrier("FAIR", transit_days=1, first_kg="9")
    choice = choose_carrier([CHEAP_SLOW, DEAR_FAST, fair], _parcel(date(2026, 11, 25)), 1000, MORNING)
    assert [o["carrier"] for o in choice.ranked] == ["FAIR", "FAST", "CHEAP"]
    assert choice.ranked[1]["why_not"] == "costs 15.00, FAIR 9.00"


def test_when_no_carrier_can_meet_the_requested_date_the_fastest_wins_and_the_reason_says_so():
    choice = choose_carrier([CHEAP_SLOW, DEAR_FAST], _parcel(date(2026, 11, 23)), 1000, MORNING)
    assert choice.chosen == "FAST" and choice.date_missed
    assert choice.basis == "no carrier arrives by the requested 2026-11-23: fastest arrival"
    assert choice.basis_zh == "没有承运商能在要求的 2026-11-23 前送达:选最快送达"
    assert choice.as_dict()["date_missed"] is True


def test_an_order_after_the_cut_off_leaves_the_next_day_and_can_miss_the_date():
    early = _carrier("EARLY", transit_days=1, first_kg="5", cutoff=time(12, 0))  # misses today's pick-up
    late_cutoff = _carrier("LATE", transit_days=1, first_kg="8", cutoff=time(18, 0))
    afternoon = datetime(2026, 11, 23, 14, 0, tzinfo=SHANGHAI)
    choice = choose_carrier([early, late_cutoff], _parcel(date(2026, 11, 24)), 1000, afternoon)
    assert choice.chosen == "LATE"
    assert choice.ranked[1]["arrives"] == "2026-11-25"


def test_refusals_are_given_in_english_and_chinese():
    fragile = Parcel("上海", frozenset({"fragile"}), 1000, 300, ServiceLevel.STANDARD, None)
    choice = choose_carrier([CHEAP_SLOW], fragile, 1000, MORNING)
    assert choice.chosen is None
    assert choice.rejected == [{"carrier": "CHEAP", "reasons": ["does not carry fragile goods"],
                                "reasons_zh": ["不承运易碎货物"]}]
    assert "不承运易碎货物" in choice.summary_zh
