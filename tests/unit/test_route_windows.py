"""Route planning's pure part: the order of a van's stops and when it reaches each."""

from __future__ import annotations

from datetime import date, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from core.shipping.fleet import ROADS, Stop, Vehicle, _solve

DAY, TZ = date(2026, 11, 26), ZoneInfo("Asia/Shanghai")
DEPOT = (31.23, 121.47)
ALL_DAY = (0, 24 * 60)


def a_stop(name: str, lat: float, lon: float, window: tuple[int, int] = ALL_DAY) -> Stop:
    return Stop(SimpleNamespace(number=name), (lat, lon), 20, window)  # type: ignore[arg-type]


def test_stops_without_a_window_are_served_first_rather_than_waiting_behind_one_at_two():
    stops = [a_stop("afternoon", 31.18, 121.60, (14 * 60, 16 * 60)), a_stop("a", 31.24, 121.50),
             a_stop("b", 31.30, 121.52), a_stop("c", 31.26, 121.40)]
    van = Vehicle(plate="沪AD1234", capacity_kg=1000, shift_start=time(9, 0), shift_end=time(18, 0))
    routes, dropped = _solve(DEPOT, stops, [van], DAY, TZ, ROADS)
    assert dropped == []
    [(_, legs)] = routes
    order = [stop.shipment.number for stop, _, _ in legs]
    times = {stop.shipment.number: eta.astimezone(TZ).time() for stop, eta, _ in legs}
    assert order[-1] == "afternoon" and times["afternoon"] == time(14, 0)
    assert all(times[name] < time(11, 0) for name in "abc"), times  # from 09:00, not after 14:00
    assert min(times.values()) < time(9, 45)


def test_a_van_with_only_a_stop_in_the_afternoon_still_takes_it():
    van = Vehicle(plate="沪AF5678", capacity_kg=200, shift_start=time(9, 0), shift_end=time(18, 0))
    routes, dropped = _solve(DEPOT, [a_stop("afternoon", 31.18, 121.60, (14 * 60, 16 * 60))], [van], DAY, TZ, ROADS)
    assert dropped == [] and routes[0][1][0][1].astimezone(TZ).time() == time(14, 0)
