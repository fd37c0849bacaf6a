"""Scans from the floor: replays are answered once, refusals change nothing, pick lists group orders per tote."""

from __future__ import annotations

import asyncio

import pytest

from core.base.auth import Role
from core.base.errors import Conflict
from core.floor.picking import PickTask
from core.floor.scanning import Scan
from core.shipping.documents import Document
from tests.conftest import signed_in
from tests.factories import a_carrier, a_product, a_warehouse, stock
from tests.test_logistics import Phone, _phones, _picked_and_packed, _place


@pytest.mark.slow
async def test_a_replayed_queue_is_applied_once_even_when_copies_arrive_together(http, db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 10)
    phone = await _phones(http)
    number = await _place(http, {"TEA": 5})
    _, pick_list = await phone["picker"].call("POST", "/api/pick-lists", {"orders": [number]})
    picker = phone["picker"]
    await picker.scan("pick", "FH:LOC:A-01-01", pick_list=pick_list["number"])
    answers = await asyncio.gather(*(picker.scan("pick", "FH:SKU:TEA", scan_id="offline-queue-0007",
                                                 pick_list=pick_list["number"], qty=2) for _ in range(8)))
    assert {status for status, _ in answers} == {200}
    assert {a["current"]["picked"] for _, a in answers} == {2}
    assert (await PickTask.get(pick_list__number=pick_list["number"])).picked == 2
    assert await Scan.filter(client_scan_id="offline-queue-0007").count() == 1


@pytest.mark.slow
async def test_a_refused_scan_replayed_gets_the_same_refusal_and_changes_nothing(http, db):
    wh, tea, cup = await a_warehouse(), await a_product("TEA"), await a_product("CUP")
    await stock(tea, wh, 10)
    await stock(cup, wh, 10, "A-01-02")
    phone = await _phones(http)
    number = await _place(http, {"TEA": 1})
    _, pick_list = await phone["picker"].call("POST", "/api/pick-lists", {"orders": [number]})
    picker = phone["picker"]
    await picker.scan("pick", "FH:LOC:A-01-01", pick_list=pick_list["number"])
    first = await picker.scan("pick", "FH:SKU:CUP", scan_id="wrong-product-01", pick_list=pick_list["number"])
    again = await picker.scan("pick", "FH:SKU:CUP", scan_id="wrong-product-01", pick_list=pick_list["number"])
    assert first == again
    assert first[0] == 409 and "TEA" in first[1]["message"] and "A-01-01" in first[1]["message"]
    assert (await PickTask.get(pick_list__number=pick_list["number"])).picked == 0
    # someone else's device cannot take over a scan id
    other = Phone(http, await signed_in(http, Role.PICKER, "picker-2"))
    status, clash = await other.scan("pick", "FH:SKU:TEA", scan_id="wrong-product-01", pick_list=pick_list["number"])
    assert status == 409 and "another device" in clash["message"]


async def test_scans_that_make_no_sense_are_refused_clearly(http, db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 10)
    phone = await _phones(http)
    number = await _place(http, {"TEA": 1})
    _, pick_list = await phone["picker"].call("POST", "/api/pick-lists", {"orders": [number]})
    cases = [
        ({"mode": "pick", "code": "FH:LOC:A-01-01"}, 409, "pick list"),  # which list?
        ({"mode": "pick", "code": "FH:LOC:A-01-01", "pick_list": "PL-NOPE"}, 404, "PL-NOPE"),
        ({"mode": "pick", "code": "FH:LOC:A-01-01", "pick_list": pick_list["number"], "qty": 0}, 422, "quantity"),
        ({"mode": "teleport", "code": "x"}, 422, "mode"),
        ({"mode": "load", "code": "FH:VEH:X", "shipment": "SH-NOPE"}, 403, "dispatch"),  # a picker loading
    ]
    for i, (body, status, words) in enumerate(cases):
        got, answer = await phone["picker"].call("POST", "/api/scans", {"client_scan_id": f"case-{i:04d}", **body})
        assert got == status, (body, answer)
        assert words in answer["message"], answer
    got, answer = await phone["picker"].call("POST", "/api/scans", {"client_scan_id": "short", "mode": "pick"})
    assert got == 422
    assert (await PickTask.get(pick_list__number=pick_list["number"])).at_location is False


async def test_a_cart_takes_the_oldest_ready_orders_one_tote_each_but_not_unpaid_ones(http, db):
    wh, tea, cup = await a_warehouse(), await a_product("TEA"), await a_product("CUP")
    await stock(tea, wh, 10, "A-01-04")
    await stock(cup, wh, 10, "A-01-02")
    phone = await _phones(http)
    paid = [await _place(http, {"TEA": 1, "CUP": 1}) for _ in range(3)]
    unpaid = await _place(http, {"TEA": 1}, payment_state="pending")
    status, refused = await phone["picker"].call("POST", "/api/pick-lists", {"orders": [unpaid]})
    assert status == 409 and "not paid" in refused["message"]
    status, cart = await phone["picker"].call("POST", "/api/pick-lists", {"warehouse": "SH", "max_orders": 5})
    assert status == 201
    assert cart["orders"] == paid
    assert {t["tote"] for t in cart["tasks"]} == {"T1", "T2", "T3"}
    # all tasks at one bin come together, so the picker stops at each bin once
    places = [t["location"] for t in cart["tasks"]]
    assert places == sorted(places, key=places.index) and len(set(places)) == 2
    assert places.count(places[0]) == 3
    status, refused = await phone["picker"].call("POST", "/api/pick-lists", {"orders": [paid[0]]})
    assert status == 409  # already on a list


@pytest.mark.slow
async def test_an_issued_confirmation_cannot_be_changed_and_tampering_is_noticed(http, db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 10)
    await a_carrier()
    phone = await _phones(http)
    _, shipment = await _picked_and_packed(http, phone, {"TEA": 2})
    status, html = await phone["dispatcher"].call("GET", f"/api/shipments/{shipment['number']}/documents/waybill.html")
    assert status == 200 and shipment["waybill"].encode() in html
    status, _ = await phone["dispatcher"].call("GET", f"/api/shipments/{shipment['number']}/documents/confirmation.pdf")
    assert status == 404  # not dispatched yet
    await phone["dispatcher"].scan("load", "FH:VEH:沪A12345", shipment=shipment["number"])
    for package in shipment["packages"]:
        await phone["dispatcher"].scan("load", f"FH:PKG:{package['number']}", shipment=shipment["number"])
    status, shipped = await phone["dispatcher"].call("POST", f"/api/shipments/{shipment['number']}/dispatch")
    assert status == 200
    document = await Document.get(number=shipped["confirmation"])
    document.content = {**document.content, "fields": []}
    with pytest.raises(Conflict):
        await document.save()
    await Document.filter(id=document.id).update(content={**document.content, "number": "forged"})
    status, answer = await phone["dispatcher"].call(
        "GET", f"/api/shipments/{shipment['number']}/documents/confirmation.html")
    assert status == 409 and "altered" in answer["message"]
    status, again = await phone["dispatcher"].call("POST", f"/api/shipments/{shipment['number']}/dispatch")
    assert status == 409 and "dispatched" in again["message"].lower()


async def test_a_chinese_picker_hears_refusals_and_prompts_in_chinese_even_when_a_refusal_is_replayed(http, db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 10, "A-01-04")
    phone = await _phones(http)
    number = await _place(http, {"TEA": 2})
    picker = phone["picker"]
    _, pick_list = await picker.call("POST", "/api/pick-lists", {"orders": [number]})
    zh = Phone(http, picker.headers | {"Accept-Language": "zh-CN,zh;q=0.9"})
    status, refusal = await zh.scan("pick", "FH:LOC:A-01-02", scan_id="wrong-bin-0001", pick_list=pick_list["number"])
    assert status == 409
    assert refusal["message"] == "扫描错误：应扫描库位 A-01-04（收到 FH:LOC:A-01-02）。"
    _, again = await picker.scan("pick", "FH:LOC:A-01-02", scan_id="wrong-bin-0001", pick_list=pick_list["number"])
    assert again["message"] == "Wrong scan: expected location A-01-04 (got FH:LOC:A-01-02)."  # the copy, in English
    status, answer = await zh.scan("pick", "FH:LOC:A-01-04", pick_list=pick_list["number"])
    assert status == 200 and answer["prompt"] == "取 2 件 TEA（Product TEA）放入周转箱 T1。"
    _, refusal = await zh.scan("pick", "FH:SKU:TEA", pick_list=pick_list["number"], qty=3)
    assert refusal["message"] == "扫描错误：数量应为 1 至 2 件 TEA（收到 3 × TEA）。"
    _, missing = await zh.call("GET", "/api/pick-lists/PL-NOPE")
    assert missing["message"] == "未找到拣货单 PL-NOPE。"


async def test_a_look_up_names_the_bins_warehouse_and_says_what_does_not_exist_in_the_readers_language(http, db):
    wh, tea = await a_warehouse(), await a_product("TEA", name_zh="龙井茶")
    await stock(tea, wh, 7, "A-01-03")
    manager = (await _phones(http))["manager"]
    zh = Phone(http, manager.headers | {"Accept-Language": "zh"})
    await a_warehouse("GZ")  # with bins of the same codes
    _, found = await zh.call("GET", "/api/lookup?code=FH:LOC:A-01-03&warehouse=SH")  # the phone works in SH
    assert found["title"] == "库位 A-01-03"
    assert ["仓库", "SH SH warehouse"] in found["facts"]
    assert found["table"] == {"head": ["SKU", "名称", "在库", "已预留"], "rows": [["TEA", "龙井茶", "7", "0"]]}
    _, found = await manager.call("GET", "/api/lookup?code=FH:LOC:A-01-03")  # no warehouse: every bin so named
    assert found["title"] == "Location A-01-03"
    assert ["warehouse", "SH SH warehouse / GZ GZ warehouse"] in found["facts"]
    assert found["table"]["rows"] == [["SH", "TEA", "Product TEA", "7", "0"]]
    for code, words in (("FH:PKG:PK-NOPE", "未找到包裹 PK-NOPE。"), ("FH:ORD:SO-NOPE", "未找到订单 SO-NOPE。"),
                        ("WHAT-IS-THIS", "没有与条码 WHAT-IS-THIS 对应的内容。")):
        status, refusal = await zh.call("GET", f"/api/lookup?code={code}")
        assert (status, refusal["message"]) == (404, words)
    _, refusal = await manager.call("GET", "/api/lookup?code=FH:PKG:PK-NOPE")
    assert refusal["message"] == "package PK-NOPE was not found."
