"""What the staff app's transfer, after-sales, phone-order and route-plan screens ask of the API: the answers,
the alerts they raise through the outbox, and refusals of odd input (never a 500)."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from bot.notifier import notify_once
from core.base.auth import Role, Staff, add_staff
from core.base.events import OutboxEvent
from core.orders.intake import place_order
from core.orders.order import Order
from core.stock.transfers import TransferOrder
from core.stock.warehouses import Warehouse
from tests import test_bot
from tests.cli import run_py
from tests.conftest import PASSWORD, signed_in
from tests.factories import a_carrier, a_product, a_warehouse, an_order, stock
from tests.test_bot import Telegram
from tests.test_logistics import Phone, _phones, _pick_all, _place

GZ_MANAGER, SH_MANAGER, HEAD_MANAGER, DRIVER = 2101, 2102, 2103, 2201
telegram = test_bot.telegram  # the fake Telegram Bot API, as in the bot's tests


async def _manager(name: str, chat: int, warehouse: Warehouse | None) -> None:
    staff = await add_staff(name, Role.MANAGER, PASSWORD)
    await Staff.filter(id=staff.id).update(telegram_id=chat, language="en",
                                           warehouse_id=warehouse.id if warehouse else None)


@pytest.mark.slow  # starts run.py
async def test_a_transfer_allocation_raises_is_listed_and_told_to_its_source_warehouses_managers(
        telegram: Telegram, http):
    sh, gz = await a_warehouse("SH"), await a_warehouse("GZ")
    tea, cup = await a_product("TEA"), await a_product("CUP")
    await stock(tea, sh, 4)
    await stock(cup, gz, 1)
    await _manager("m-gz", GZ_MANAGER, None)
    tied = await asyncio.to_thread(run_py, "user", "warehouse", "m-gz", "gz",
                                   FAHUO_DATABASE_URL=telegram.settings.database_url)
    assert tied.returncode == 0 and "m-gz works at GZ" in tied.stdout, tied.stderr
    await _manager("m-sh", SH_MANAGER, sh)
    await _manager("m-head", HEAD_MANAGER, None)
    placed = await place_order(an_order({"TEA": 3, "CUP": 1}), "shop", "api:shop", telegram.settings)
    transfer = await TransferOrder.get(order_id=placed.order.id)

    await notify_once(telegram.bot)
    told = {chat: [s.text for s in telegram.api.to(chat) if transfer.number in s.text]
            for chat in (GZ_MANAGER, SH_MANAGER, HEAD_MANAGER)}
    assert told[SH_MANAGER] == []  # the goods leave GZ: Shanghai's manager has nothing to do
    assert told[GZ_MANAGER] == told[HEAD_MANAGER] == [
        f"🚚 Transfer {transfer.number}: please send CUP×1 (1 in all) from GZ GZ warehouse to SH SH warehouse."]
    await notify_once(telegram.bot)
    assert len([s for s in telegram.api.to(GZ_MANAGER) if transfer.number in s.text]) == 1  # told once

    dispatcher = Phone(http, await signed_in(http, Role.DISPATCHER))
    status, listed = await dispatcher.call("GET", "/api/transfers?warehouse=GZ")
    assert status == 200 and [t["number"] for t in listed] == [transfer.number]
    assert listed[0]["status"] == "draft" and listed[0]["for_order"] is True
    assert listed[0]["lines"][0] | {"sku": "CUP", "name": "Product CUP", "qty": 1} == listed[0]["lines"][0]
    status, made = await dispatcher.call("POST", "/api/transfers", {
        "from_warehouse": "SH", "to_warehouse": "GZ", "lines": [{"sku": "TEA", "qty": 1}]})
    assert status == 201, made
    assert await OutboxEvent.filter(kind="transfer.raised").count() == 2  # a manual one is told of too
    assert (await dispatcher.call("POST", f"/api/transfers/{transfer.number}/ship"))[0] == 200
    status, listed = await dispatcher.call("GET", "/api/transfers?warehouse=SH")
    assert {t["number"]: t["status"] for t in listed} == {transfer.number: "shipped", made["number"]: "draft"}
    status, refusal = await dispatcher.call("POST", f"/api/transfers/{transfer.number}/receive", {"location": "Z-99"})
    assert status == 422 and refusal["message"] == "Location Z-99 does not exist in warehouse SH.", refusal
    assert (await dispatcher.call("POST", f"/api/transfers/{transfer.number}/receive", {"location": "A-01-02"}))[0] \
        == 200
    status, listed = await dispatcher.call("GET", "/api/transfers?status=received")
    assert [t["number"] for t in listed] == [transfer.number]

    for query, code in (("?status=lost", 422), ("?warehouse=NOPE", 404), ("?warehouse=" + "W" * 40, 422)):
        status, refusal = await dispatcher.call("GET", f"/api/transfers{query}")
        assert status == code and refusal["message"], (query, refusal)


async def test_staff_take_an_order_by_phone_and_see_how_review_went(http, db):
    wh, tea = await a_warehouse(), await a_product("TEA", price="20.00")
    await stock(tea, wh, 5)
    await a_product("COFFEE")
    manager = Phone(http, await signed_in(http, Role.MANAGER))
    first = await _place(http, {"TEA": 1}, phone="+86 138 0000 1111")
    status, found = await manager.call("GET", "/api/customers?q=138-0000-1111")
    assert status == 200 and [c["phone"] for c in found] == ["+8613800001111"]
    assert found[0]["phone_display"] == "138 0000 1111"  # as the caller says it back
    assert found[0]["city"] == "上海" and found[0]["line1"] == "世纪大道 100 号"
    status, by_name = await manager.call("GET", "/api/customers?q=li%20l")
    assert [c["name"] for c in by_name] == ["Li Lei"]
    status, goods = await manager.call("GET", "/api/availability?q=tea")
    assert status == 200 and goods == [{"sku": "TEA", "name": "Product TEA", "name_zh": "", "price": "20.00",
                                        "available": 4, "warehouses": {"SH": 4}}]
    assert first

    body = {"customer": {"name": "Li Lei", "phone": "138 0000 1111"},
            "address": {"recipient": "Li Lei", "phone": "13800001111", "province": "上海", "city": "上海",
                        "district": "浦东新区", "line1": "世纪大道 100 号", "postcode": "200120"},
            "lines": [{"sku": "TEA", "qty": 2}]}
    status, order = await manager.call("POST", "/api/phone-orders", body)
    assert status == 201 and order["status"] == "allocated" and order["channel"] == "phone", order
    placed = await Order.get(number=order["number"])
    assert (placed.lat, placed.lon) == (31.22, 121.54)  # the address on record keeps its place
    held_body = {**body, "address": {**body["address"], "province": "", "postcode": ""},
                 "customer": {"name": "Han Mei", "phone": "139 0000 2222"}}
    status, held = await manager.call("POST", "/api/phone-orders", held_body)
    assert status == 201 and held["status"] == "on_hold"
    assert [r["rule"] for r in held["review"] if r["outcome"] == "hold"] == ["address"]

    bad = [({**body, "lines": []}, 422), ({**body, "lines": [{"sku": "TEA", "qty": 0}]}, 422),
           ({**body, "lines": [{"sku": "NOPE", "qty": 1}]}, 422),
           ({**body, "lines": [{"sku": "TEA", "qty": 1}, {"sku": "TEA", "qty": 1}]}, 422),
           ({**body, "customer": {"name": "X", "phone": "12"}}, 422), ({**body, "payment_state": "paid"}, 422),
           ({**body, "lines": [{"sku": "TEA", "qty": "lots"}]}, 422), ([1, 2], 422)]
    for wrong, code in bad:
        status, refusal = await manager.call("POST", "/api/phone-orders", wrong)
        assert status == code and refusal["message"], (wrong, refusal)
    async with http.post("/api/phone-orders", data=b"{not json", headers=manager.headers) as resp:
        assert resp.status == 400
    for query in ("", "?q=" + "1" * 101):
        assert (await manager.call("GET", f"/api/customers{query}"))[0] == 422
    assert (await manager.call("GET", "/api/customers?q=%25%25_"))[0] == 200
    for path in ("/api/customers?q=" + "1" * 100, "/api/availability?q=" + "0" * 99):
        assert await manager.call("GET", path) == (200, []), path
    picker = Phone(http, await signed_in(http, Role.PICKER))
    assert (await picker.call("POST", "/api/phone-orders", body))[0] == 403
    assert await Order.filter(channel="phone").count() == 2


@pytest.mark.slow
async def test_a_vans_route_goes_to_its_drivers_telegram_only_when_linked(telegram: Telegram, http):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 5)
    await a_carrier("OWN", adapter="own_fleet", regions=["上海"], transit_days=0)
    phone = await _phones(http)
    number = await _place(http, {"TEA": 1}, delivery_window={"start": "09:00", "end": "11:00"})
    _, pick_list = await phone["picker"].call("POST", "/api/pick-lists", {"orders": [number]})
    await _pick_all(phone["picker"], pick_list)
    status, shipment = await phone["packer"].call("POST", f"/api/orders/{number}/packages", {"packages": [
        {"weight_g": 900, "length_mm": 200, "width_mm": 200, "height_mm": 100,
         "contents": [{"sku": "TEA", "qty": 1}]}]})
    assert status == 201 and shipment["carrier"] == "OWN", shipment
    van = {"plate": "沪AD1234", "warehouse": "SH", "capacity_kg": 800, "driver": "司机 Ma"}
    assert (await phone["manager"].call("POST", "/api/vehicles", van))[0] == 201
    day = date(2026, 11, 26).isoformat()
    status, plan = await phone["manager"].call("POST", "/api/route-plans", {"warehouse": "SH", "day": day})
    assert status == 201, plan
    status, plans = await phone["dispatcher"].call("GET", f"/api/route-plans?warehouse=SH&day={day}")
    assert status == 200 and [p["number"] for p in plans] == [plan["number"]]
    stop = plans[0]["vehicles"][0]["stops"][0]
    assert plans[0]["vehicles"][0]["driver_linked"] is False
    assert (stop["recipient"], stop["window"], stop["shipment"]) == ("Li Lei", "09:00-11:00", shipment["number"])
    assert "09:00" <= stop["time"] <= "11:00"

    send = f"/api/route-plans/{plan['number']}/send"
    status, refusal = await phone["dispatcher"].call("POST", send, {"plate": "沪AD1234"})
    assert status == 409 and refusal["error"] == "driver_not_linked", refusal
    assert not await OutboxEvent.filter(kind="route_plan.sent").exists()
    assert (await phone["manager"].call("POST", "/api/vehicles", {**van, "driver_chat": DRIVER}))[0] == 201
    status, sent = await phone["dispatcher"].call("POST", send, {"plate": "沪ad1234"})
    assert status == 200 and sent["sent"] is True and sent["stops"] == 1, sent
    await notify_once(telegram.bot)
    [message] = telegram.api.to(DRIVER)
    assert message.text.startswith("🚐 发货示范商贸有限公司\n沪AD1234 的 11月26日 配送路线（1 站，1 件，")
    assert f"1. {stop['time']} Li Lei" in message.text and "世纪大道 100 号" in message.text

    for body, path, code in (({"plate": ""}, send, 422), ({"plate": "沪Z99999"}, send, 404),
                             ({}, send, 422), ({"plate": "沪AD1234", "x": 1}, send, 422),
                             ({"plate": "沪AD1234"}, "/api/route-plans/RP-NOPE/send", 404)):
        status, refusal = await phone["dispatcher"].call("POST", path, body)
        assert status == code and refusal["message"], (body, refusal)
    for query in ("", "?warehouse=SH&day=tomorrow", "?warehouse=NOPE"):
        status, refusal = await phone["dispatcher"].call("GET", f"/api/route-plans{query}")
        assert status in (404, 422) and refusal["message"], (query, refusal)
    status, refusal = await phone["picker"].call("POST", send, {"plate": "沪AD1234"})
    assert status == 403


async def test_after_sales_requests_are_listed_with_their_text_lines_and_photos(http, db):
    from tests.test_aftersales import PNG, _a_shipped_order

    phone, number, key = await _a_shipped_order(http)
    body = {"order": number, "kind": "damage", "text": "The cup arrived broken", "lines": [{"sku": "TEA", "qty": 1}],
            "photos": [{"mime": "image/png", "data": PNG}, {"mime": "image/png", "data": PNG}]}
    async with http.post("/api/after-sales", json=body, headers=key) as resp:
        assert resp.status == 201
    status, listed = await phone["manager"].call("GET", "/api/after-sales?status=open")
    assert status == 200 and len(listed) == 1
    assert listed[0]["text"] == "The cup arrived broken" and len(listed[0]["photos"]) == 2
    assert listed[0]["lines"] == [{"sku": "TEA", "qty": 1, "name": "Product TEA", "name_zh": "", "barcode": None,
                                   "unit_price": "10.00"}]  # what one unit cost: what a refund may be at most
    assert listed[0]["customer"] == "Li Lei"
    status, _ = await phone["manager"].call("GET", "/api/after-sales?status=lost")
    assert status == 422
    status, _ = await phone["manager"].call("GET", f"/api/after-sales/{listed[0]['number']}/photos/9")
    assert status == 422
    assert (await phone["manager"].call("GET", f"/api/after-sales/{listed[0]['number']}/photos/2"))[0] == 200
    status, _ = await phone["manager"].call("POST", f"/api/after-sales/{listed[0]['number']}/decision",
                                            {"approve": "perhaps"})
    assert status == 422

