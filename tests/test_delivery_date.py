"""The customer's requested delivery date: carrier choice keeps it, people see it, and when no carrier can
make it the fastest goes and a manager hears of it. First the pure decision, then the whole way over HTTP."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.notifier import message_for
from core.base.auth import Role, add_api_key
from core.base.events import OutboxEvent
from core.base.i18n import local_day, local_moment
from core.base.settings import Settings
from core.orders.notifications import Recipient
from core.orders.order import Order, ServiceLevel
from core.shipping.carriers import Carrier, Parcel, choose_carrier
from core.shipping.documents import Document, DocumentKind
from tests.factories import a_carrier, a_product, a_warehouse, an_order, stock
from tests.test_bot_shop import shop
from tests.test_logistics import Phone, _phones, _pick_all, _place

__all__ = ["shop"]

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
    assert loser["why_not_zh"] == "2026-11-26 送达，晚于要求的 2026-11-25；FAST 2026-11-24 即可送达"
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
    assert choice.basis_zh == "没有承运商能在要求的 2026-11-23 前送达：选最快送达"
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


# -- over HTTP --------------------------------------------------------------------------------------------


async def _booked(http: aiohttp.ClientSession, phone: dict[str, Phone], **order: Any) -> tuple[str, dict[str, Any]]:
    """An order of 2 TEA placed by the shop, picked and packed: the carrier is chosen as it is packed. With
    `then`, the day asked for is that one by the time it is packed (a day carriers could make when it came in)."""
    then = order.pop("then", None)
    number = await _place(http, {"TEA": 2}, **order)
    if then is not None:
        await Order.filter(number=number).update(requested_date=then)
    _, pick_list = await phone["picker"].call("POST", "/api/pick-lists", {"orders": [number]})
    await _pick_all(phone["picker"], pick_list)
    status, shipment = await phone["packer"].call("POST", f"/api/orders/{number}/packages", {"packages": [
        {"weight_g": 1000, "length_mm": 300, "width_mm": 200, "height_mm": 100,
         "contents": [{"sku": "TEA", "qty": 2}]}]})
    assert status == 201, shipment
    return number, shipment


async def _two_carriers(db: Settings) -> Carrier:
    """CHEAP, 3 days on the road, and FAST, dearer and 1 day; returns FAST."""
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 10)
    await a_carrier("CHEAP", transit_days=3, rates={"first_kg": "5", "per_kg": "1"})
    return await a_carrier("FAST", transit_days=1, rates={"first_kg": "15", "per_kg": "1"})


async def test_a_carrier_that_makes_the_requested_date_beats_a_cheaper_late_one_and_the_date_shows_everywhere(
        http, db: Settings):
    fast = await _two_carriers(db)
    wanted = fast.arrival(datetime.now(db.tz))  # FAST makes it, CHEAP is two days later
    phone = await _phones(http)
    number, shipment = await _booked(http, phone, requested_date=wanted.isoformat())
    assert shipment["carrier"] == "FAST"
    cheap = next(o for o in shipment["choice"]["ranked"] if o["carrier"] == "CHEAP")
    assert f"after the requested {wanted}" in cheap["why_not"] and f"晚于要求的 {wanted}" in cheap["why_not_zh"]
    assert shipment["choice"]["date_missed"] is False
    assert not await OutboxEvent.exists(kind="shipment.date_missed")

    status, order = await phone["manager"].call("GET", f"/api/orders/{number}")
    assert status == 200 and order["requested_date"] == wanted.isoformat()
    status, note = await phone["dispatcher"].call(
        "GET", f"/api/shipments/{shipment['number']}/documents/delivery-note.html")
    assert status == 200 and "要求送达" in note.decode() and local_day(wanted, "zh", weekday=True) in note.decode()


async def test_when_no_carrier_can_make_the_requested_date_the_fastest_goes_and_managers_are_told(http, db: Settings):
    await _two_carriers(db)
    today = datetime.now(db.tz).date()  # every carrier needs at least a day
    phone = await _phones(http)
    number, shipment = await _booked(http, phone, then=today)
    assert shipment["status"] == "booked" and shipment["carrier"] == "FAST"
    choice = shipment["choice"]
    assert choice["date_missed"] is True
    assert f"no carrier arrives by the requested {today}" in choice["summary"]
    assert f"没有承运商能在要求的 {today} 前送达" in choice["summary_zh"]
    alert = await OutboxEvent.get(kind="shipment.date_missed")
    assert alert.payload["order"] == number and alert.payload["arrives"] == shipment["eta"]
    en = message_for(alert, Recipient(1, "en", "manager"))
    zh = message_for(alert, Recipient(1, "zh", "manager"))
    assert en is not None and zh is not None
    # the day in words, as the reader writes it ("27 Nov", "11月27日"), never an ISO date
    assert f"{number} will arrive after the customer's requested date {local_day(today, 'en')}" in en[0]
    assert f"{number} 无法在客户要求的 {local_day(today, 'zh')} 前送达" in zh[0]
    status, _ = await phone["manager"].call("POST", f"/api/shipments/{shipment['number']}/carrier", {})
    assert status == 200
    assert await OutboxEvent.filter(kind="shipment.date_missed").count() == 1  # booked again: told once


async def test_the_delivery_note_is_sealed_at_dispatch_and_opening_it_later_gives_the_same_paper(http, db):
    await _two_carriers(db)
    phone = await _phones(http)
    _, shipment = await _booked(http, phone)
    dispatcher, number = phone["dispatcher"], shipment["number"]
    await dispatcher.scan("load", "FH:VEH:沪A12345", shipment=number)
    await dispatcher.scan("load", f"FH:PKG:{shipment['packages'][0]['number']}", shipment=number)
    assert not await Document.exists(kind=DocumentKind.DELIVERY_NOTE)  # nobody opened it before it left
    status, shipped = await dispatcher.call("POST", f"/api/shipments/{number}/dispatch")
    assert status == 200, shipped
    note = await Document.get(kind=DocumentKind.DELIVERY_NOTE, shipment__number=number)
    assert shipped["delivery_note"] == note.number
    assert (await OutboxEvent.get(kind="shipment.dispatched")).payload["delivery_note"] == note.number
    for _ in range(2):
        status, html = await dispatcher.call("GET", f"/api/shipments/{number}/documents/delivery-note.html")
        issued = local_moment(note.content["issued_at"], db.tz, "zh", year=True)  # sealed in UTC, printed in local time
        assert status == 200 and note.number in html.decode() and issued is not None and issued in html.decode()
    assert await Document.filter(kind=DocumentKind.DELIVERY_NOTE).count() == 1


# -- the days a customer may ask for ---------------------------------------------------------------------------


async def test_the_days_offered_begin_at_the_earliest_a_carrier_makes_today_only_before_its_cut_off(db: Settings):
    from core.orders.delivery_days import HORIZON_DAYS, delivery_window

    await a_product("TEA")
    evening = MORNING.replace(hour=17)
    window = await delivery_window("上海", "CN", ["TEA"], MORNING)
    assert window.earliest == date(2026, 11, 24)  # no carrier yet: tomorrow
    await a_carrier("SLOW", transit_days=3)
    await a_carrier("NEXT", transit_days=1)
    window = await delivery_window("上海", "CN", ["TEA"], MORNING)
    assert (window.earliest, window.latest) == (date(2026, 11, 24), date(2026, 12, 7))  # collected today
    assert len(window.days()) == HORIZON_DAYS
    assert (await delivery_window("上海", "CN", ["TEA"], evening)).earliest == date(2026, 11, 25)  # after 16:00
    await a_carrier("VAN", transit_days=0)  # our own vans, the same day
    assert (await delivery_window("上海", "CN", ["TEA"], MORNING)).earliest == MORNING.date()
    assert (await delivery_window("上海", "CN", ["TEA"], evening)).earliest == date(2026, 11, 24)


async def test_an_order_asking_for_a_day_no_carrier_makes_is_refused_naming_the_earliest(http, db: Settings):
    fast = await _two_carriers(db)
    earliest = fast.arrival(datetime.now(db.tz))
    today = datetime.now(db.tz).date()
    key = {"X-API-Key": await add_api_key("shop")}
    body = an_order({"TEA": 1}, requested_date=today.isoformat()).model_dump(mode="json")
    for lang, said in (("en", f"No carrier can deliver there by {today}; the earliest possible is {earliest}."),
                       ("zh", f"{today} 前无法送达该地址，最早可送达日期为 {earliest}。")):
        async with http.post("/api/orders", json=body, headers={**key, "Accept-Language": lang}) as resp:
            assert resp.status == 422
            assert await resp.json() == {"error": "requested_date_too_early", "message": said}
    body["requested_date"] = earliest.isoformat()
    async with http.post("/api/orders", json=body, headers=key) as resp:
        assert resp.status == 201 and (await resp.json())["requested_date"] == earliest.isoformat()


async def test_a_csv_import_takes_a_requested_date_and_names_the_line_of_a_bad_one(db: Settings, tmp_path):
    from core.base.errors import ImportFailed
    from core.orders.order_imports import import_orders

    fast = await _two_carriers(db)
    earliest, today = fast.arrival(datetime.now(db.tz)), datetime.now(db.tz).date()
    head = "order,name,phone,province,city,district,line1,postcode,sku,qty,requested_date\n"
    where = "Li Lei,13800001111,上海,上海,浦东新区,世纪大道 100 号,200120,TEA,1"
    bad = tmp_path / "bad.csv"
    bad.write_text(head + f"T-1,{where},{earliest}\nT-2,{where},2026-13-40\nT-3,{where},{today}\n", "utf-8")
    with pytest.raises(ImportFailed) as refused:
        await import_orders(bad, "csv", db)
    zh = refused.value.lines("zh")
    assert len(zh) == 2 and zh[0].startswith("第 3 行") and "requested_date" in zh[0]
    assert zh[1] == f"第 4 行：{today} 前无法送达，最早可送达日期为 {earliest}"
    assert refused.value.lines("en")[1] == f"line 4: no carrier can deliver by {today}; the earliest possible is " \
                                           f"{earliest}"
    assert not await Order.exists()
    good = tmp_path / "good.csv"
    good.write_text(head + f"T-1,{where},{earliest}\nT-4,{where},\n", "utf-8")
    assert await import_orders(good, "csv", db) == 2
    assert (await Order.get(external_ref="T-1")).requested_date == earliest
    assert (await Order.get(external_ref="T-4")).requested_date is None


async def test_the_bot_offers_a_calendar_of_the_days_the_carriers_make_and_the_order_keeps_the_day(shop):
    from tests.test_bot_shop import CUSTOMER, at_checkout, transcript

    settings = shop.telegram.settings
    slow = await a_carrier("SLOW", transit_days=3)
    earliest = slow.arrival(datetime.now(settings.tz))
    api = shop.api
    await at_checkout(api, "zh")
    days = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "上海，上海，浦东新区，世纪大道 100 号，200120"),
                           contains="何时")
    labels = [b["text"] for row in days.buttons for b in row]
    assert labels[0] == "不限" and labels[1] == local_day(earliest, "zh", weekday=True)  # no today, no tomorrow
    assert len(labels) == 1 + 14 - (earliest - datetime.now(settings.tz).date()).days + 1
    assert all(len(row) <= 3 for row in days.buttons)
    wanted = labels[2]
    speed = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, days, wanted), contains="配送速度")
    summary = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, speed, "标准"), contains="付款方式")
    summary = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, summary, "货到付款"), contains="请确认")
    assert f"配送：{wanted.split('（')[0]}" in summary.text
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, summary, "确认下单"), contains="已收到")
    order = await Order.get(channel="telegram")
    assert order.requested_date == earliest + timedelta(days=1)
    transcript(api, CUSTOMER, "delivery-calendar-zh", "送达日期：承运商能送达的日历（中文）")


async def test_a_day_of_the_calendar_the_carriers_can_no_longer_make_is_said_so_and_offered_again(shop):
    from tests.test_bot_shop import CUSTOMER, at_checkout

    settings = shop.telegram.settings
    api = shop.api
    await at_checkout(api, "en")
    days = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "上海, 上海, 浦东新区, 世纪大道 100 号, 200120"),
                           contains="When")
    slow = await a_carrier("SLOW", transit_days=3)  # the only carrier now: tomorrow cannot be made any more
    earliest = slow.arrival(datetime.now(settings.tz))
    again = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, days, "Tomorrow"), contains="no longer")
    tomorrow = datetime.now(settings.tz).date() + timedelta(days=1)
    assert again.text == f"{local_day(tomorrow, 'en')} can no longer be made; the earliest now is " \
                         f"{local_day(earliest, 'en')}. Please choose again."
    assert again.buttons[1][0]["text"] == local_day(earliest, "en", weekday=True)
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, again, local_day(earliest, "en", weekday=True)),
                    contains="How fast")  # the day offered again is taken


async def test_the_days_asked_for_over_http_follow_the_carriers_and_a_sku_too_long_is_refused(http, db: Settings):
    from tests.conftest import signed_in

    fast = await _two_carriers(db)
    earliest = fast.arrival(datetime.now(db.tz))
    manager = await signed_in(http, Role.MANAGER)
    async with http.get("/api/delivery-days", params={"province": "上海", "skus": "TEA"}, headers=manager) as resp:
        assert resp.status == 200
        days = await resp.json()
    assert days["earliest"] == earliest.isoformat() and days["days"][0] == earliest.isoformat()
    async with http.get("/api/delivery-days", params={"skus": "T" * 65}, headers=manager) as resp:
        assert resp.status == 422  # a SKU longer than a SKU can be, never a server error
