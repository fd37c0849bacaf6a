"""Addresses written as free text, over the real HTTP API: read into parts, placed, and held when in doubt."""

import pytest
from openapi_spec_validator import validate

from core.base.auth import Role, add_api_key
from core.orders.order import Order
from tests.conftest import signed_in
from tests.factories import a_product, a_warehouse, stock


@pytest.fixture
async def shop(db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 10)
    return {"X-API-Key": await add_api_key("shop")}


async def test_a_pasted_address_is_read_into_its_parts_with_coordinates(http, shop):
    text = "王芳，13904310000，吉林省长春市朝阳区人民大街5988号 130012"
    async with http.post("/api/addresses/parse", json={"text": text}, headers=shop) as resp:
        assert resp.status == 200, await resp.text()
        read = await resp.json()
    assert {k: read[k] for k in ("province", "city", "district", "line", "postcode", "adcode", "name", "phone")} == {
        "province": "吉林省", "city": "长春市", "district": "朝阳区", "line": "人民大街5988号", "postcode": "130012",
        "adcode": "220104", "name": "王芳", "phone": "+8613904310000"}
    assert 43 < read["lat"] < 44 and 125 < read["lon"] < 126
    assert read["placed"] and read["confidence"] > 0.9 and read["doubts"] == []
    async with http.get("/api/openapi.json") as resp:
        doc = await resp.json()
    validate(doc)
    assert "AddressRead" in doc["components"]["schemas"] and "post" in doc["paths"]["/api/addresses/parse"]


async def test_staff_may_read_addresses_and_hear_the_doubts_in_their_language(http, db):
    staff = await signed_in(http, Role.MANAGER)
    async with http.post("/api/addresses/parse", json={"text": "广州市体育西路1号"},
                         headers={**staff, "Accept-Language": "zh"}) as resp:
        read = await resp.json()
    assert (read["city"], read["district"], read["placed"]) == ("广州市", "", False)
    assert read["doubts"] == ["地址中找不到区县，请与客户确认"]
    async with http.post("/api/addresses/parse", json={"text": "广州市体育西路1号"}) as resp:
        assert resp.status == 401


async def test_a_district_guessed_among_same_named_ones_or_no_street_is_said_to_staff(http, db):
    staff = await signed_in(http, Role.MANAGER)
    async with http.post("/api/addresses/parse", json={"text": "朝阳区建国路88号"},
                         headers={**staff, "Accept-Language": "zh"}) as resp:
        read = await resp.json()
    assert (read["city"], read["district"], read["placed"]) == ("北京市", "朝阳区", True)  # or Changchun's
    assert read["doubts"] == ["同名的区县不止一个，这是推测，请与客户确认"]
    async with http.post("/api/addresses/parse", json={"text": "北京市朝阳区建国路88号"}, headers=staff) as resp:
        assert (await resp.json())["doubts"] == []  # told apart by its city
    async with http.post("/api/addresses/parse", json={"text": "北京市朝阳区"},
                         headers={**staff, "Accept-Language": "zh"}) as resp:
        assert (await resp.json())["doubts"] == ["地址中没有街道门牌，请与客户确认"]


async def test_staff_hear_why_a_district_is_a_guess_and_that_hong_kong_is_outside_the_mainland(http, db):
    staff = await signed_in(http, Role.MANAGER)
    said = {}
    for text in ("山东省莱芜市莱城大道1号", "南京市雨花区小行路58号", "廣東省廣州市越秀區中山五路219號"):
        async with http.post("/api/addresses/parse", json={"text": text},
                             headers={**staff, "Accept-Language": "zh"}) as resp:
            read = await resp.json()
        said[read["district"]] = read["doubts"]
    assert said == {"莱芜区": ["该区县已撤并或拆分，这是最可能的现行区县，请与客户确认"],
                    "雨花台区": ["没有完全同名的区县，这是该市最接近的一个，请与客户确认"],
                    "越秀区": []}
    async with http.post("/api/addresses/parse", json={"text": "香港九龙半岛清水湾香港科技大学"},
                         headers={**staff, "Accept-Language": "zh"}) as resp:
        read = await resp.json()
    assert (read["province"], read["city"], read["district"]) == ("香港特别行政区", "香港特别行政区", "")  # not 九龙县
    assert read["doubts"] == ["地址在香港特别行政区，不在内地，请与客户确认承运和清关"]


@pytest.mark.parametrize("body", [{"text": ""}, {"text": "   "}, {"text": "北" * 501}, {"text": 42},
                                  {"text": None}, {}, {"text": "北京", "extra": 1}, ["北京"]])
async def test_bad_input_is_refused_in_the_callers_language(http, shop, body):
    async with http.post("/api/addresses/parse", json=body, headers={**shop, "Accept-Language": "zh"}) as resp:
        assert resp.status == 422, await resp.text()
        answer = await resp.json()
    assert answer["error"] and any("\u4e00" <= ch <= "\u9fff" for ch in answer["message"])


async def test_an_order_may_send_its_address_as_one_text(http, shop):
    body = {"customer": {"name": "王芳", "phone": "13904310000"}, "lines": [{"sku": "TEA", "qty": 1}],
            "payment_state": "paid", "address": {"text": "王芳 13904310000 长春朝阳区人民大街5988号"}}
    async with http.post("/api/orders", json=body, headers=shop) as resp:
        assert resp.status == 201, await resp.text()
        view = await resp.json()
    assert view["status"] == "allocated"
    assert view["address"] == {"recipient": "王芳", "phone": "+8613904310000", "phone_display": "139 0431 0000",
                               "province": "吉林省", "city": "长春市", "district": "朝阳区", "line1": "人民大街5988号",
                               "postcode": "130012", "adcode": "220104", "country": "CN",
                               "province_code": "220000", "city_code": "220100", "district_code": "220104",
                               "written": "吉林省 长春市 朝阳区 人民大街5988号"}
    order = await Order.get(number=view["number"])
    assert order.lat is not None and 43 < order.lat < 44  # the district's centre: plannable


async def test_an_address_without_a_district_is_held_with_the_reason(http, shop):
    body = {"customer": {"name": "王芳", "phone": "13904310000"}, "lines": [{"sku": "TEA", "qty": 1}],
            "payment_state": "paid", "address": {"text": "长春市人民大街5988号 130012", "recipient": "王芳",
                                                 "phone": "13904310000"}}
    async with http.post("/api/orders", json=body, headers={**shop, "Accept-Language": "zh"}) as resp:
        view = await resp.json()
    assert view["status"] == "on_hold"
    held = [r for r in view["review"] if r["outcome"] == "hold"]
    assert [r["rule"] for r in held] == ["address"] and "district" in held[0]["reason"]


async def test_a_phone_of_another_province_is_a_note_and_holds_a_pasted_address_only_when_set_to(http, shop, db):
    body = {"customer": {"name": "王芳", "phone": "13904310000"}, "lines": [{"sku": "TEA", "qty": 1}],
            "payment_state": "paid", "address": {"text": "王芳 13904310000 上海市徐汇区漕溪北路201号"}}
    async with http.post("/api/orders", json=body, headers=shop) as resp:
        view = await resp.json()
    assert view["status"] == "allocated"
    assert [r["reason"] for r in view["review"] if r["rule"] == "address"] == [
        "address complete; to note: phone 139 0431 0000 is from 吉林省长春市, the address in 上海市"]
    db.hold_phone_region = True
    body["lines"][0]["qty"] = 2  # not the same goods again: not a likely duplicate
    async with http.post("/api/orders", json=body, headers=shop) as resp:
        view = await resp.json()
    assert view["status"] == "on_hold"
    assert [r["reason"] for r in view["review"] if r["outcome"] == "hold"] == [
        "phone 139 0431 0000 is from 吉林省长春市 but the address is in 上海市; confirm it with the customer"]


async def test_an_order_may_send_its_address_as_a_bare_string_for_the_customer(http, shop):
    body = {"customer": {"name": "王芳", "phone": "13904310000"}, "lines": [{"sku": "TEA", "qty": 1}],
            "payment_state": "paid", "address": "长春市朝阳区人民大街5988号"}
    async with http.post("/api/orders", json=body, headers=shop) as resp:
        assert resp.status == 201, await resp.text()
        view = await resp.json()
    assert (view["address"]["recipient"], view["address"]["phone"]) == ("王芳", "+8613904310000")
    assert (view["address"]["district"], view["address"]["adcode"], view["status"]) == ("朝阳区", "220104", "allocated")
    async with http.post("/api/orders", json={**body, "address": 7}, headers=shop) as resp:
        assert resp.status == 422


async def test_an_order_written_on_one_line_names_a_municipality_and_its_district_once(http, shop):
    body = {"customer": {"name": "王芳", "phone": "13904310000"}, "lines": [{"sku": "TEA", "qty": 1}],
            "payment_state": "paid",
            "address": {"recipient": "王芳", "phone": "13904310000", "province": "上海市", "city": "上海市",
                        "district": "徐汇区", "line1": "上海市徐汇区漕溪北路201号"}}
    async with http.post("/api/orders", json=body, headers=shop) as resp:
        view = await resp.json()
    assert resp.status == 201 and view["address"]["written"] == "上海市 徐汇区 漕溪北路201号", view
