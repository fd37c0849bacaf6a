"""Input the database cannot hold is refused where it enters (4xx with {error, message}), and the OpenAPI
document tells the truth about every operation."""

from __future__ import annotations

import re

import pytest

from core.base.auth import Role, add_api_key
from core.orders.order import Order
from core.stock.ledger import MAX_ON_HAND, StockLevel, StockMove
from tests.conftest import signed_in
from tests.factories import a_product, a_warehouse, an_order, stock

LONG = "X" * 40  # longer than any document number (32)


@pytest.fixture
async def manager(http, db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 10)
    return await signed_in(http, Role.MANAGER)


async def _document(http) -> dict:
    async with http.get("/api/openapi.json") as resp:
        return await resp.json()


async def test_a_number_too_long_for_its_column_is_refused_on_every_endpoint_in_both_languages(http, manager):
    routes = [(method.upper(), path) for path, item in (await _document(http))["paths"].items()
              for method in item if "{number}" in path]
    assert len(routes) >= 20
    for method, path in routes:
        url = re.sub(r"{kind}", "waybill", path.replace("{number}", LONG)).replace("{fmt}", "pdf")
        url = url.replace("{index}", "1")
        async with http.request(method, url, json={}, headers=manager) as resp:
            answer = await resp.json()
            assert resp.status == 422, (method, path, answer)
            assert answer["error"] == "validation_error" and "number" in answer["message"]
    async with http.get(f"/api/orders/{LONG}", headers=manager | {"Accept-Language": "zh-CN"}) as resp:
        assert resp.status == 422 and (await resp.json())["message"].startswith("请求无效")


@pytest.mark.parametrize(("method", "path", "body", "field"), [
    ("GET", "/api/stock?warehouse=" + "W" * 17, None, "warehouse"),
    ("GET", "/api/stock/summary?warehouse=" + "W" * 17, None, "warehouse"),
    ("GET", "/api/vehicles?warehouse=" + "W" * 17, None, "warehouse"),
    ("POST", "/api/stock/receipts", {"warehouse": "W" * 17, "lines": [{"sku": "TEA", "qty": 1}]}, "warehouse"),
    ("POST", "/api/stock/receipts", {"warehouse": "SH", "lines": [{"sku": "TEA", "qty": 1, "location": "L" * 33}]},
     "location"),
    ("POST", "/api/stock/adjustments", {"warehouse": "SH", "location": "A-01-01", "sku": "TEA", "delta": 1,
                                        "reason": "r" * 65}, "reason"),
    ("POST", "/api/pick-lists", {"warehouse": "W" * 17}, "warehouse"),
    ("POST", "/api/vehicles", {"plate": "沪A12345", "warehouse": "SH", "capacity_kg": 500,
                               "shift_start": "08:00:00Z"}, "shift_start"),
    ("POST", "/api/carriers", {"code": "ZONED", "name": "Zoned", "regions": ["*"], "goods_classes": ["normal"],
                               "max_weight_g": 1000, "transit_days": 1, "rates": {"first_kg": "1", "per_kg": "1"},
                               "cutoff": "16:00+08:00"}, "cutoff"),
    ("GET", "/api/orders?limit=many", None, "limit"),
    ("GET", "/api/dashboard?days=0", None, "days"),
])
async def test_a_value_its_column_cannot_hold_is_refused_naming_the_field(http, manager, method, path, body, field):
    async with http.request(method, path, json=body, headers=manager) as resp:
        answer = await resp.json()
    assert resp.status == 422, answer
    assert answer["error"] == "validation_error" and field in answer["message"]


async def test_a_long_typed_code_is_looked_up_and_simply_not_found(http, manager):
    for code in ("Y" * 60, "FH:LOC:" + "Y" * 60, "FH:VEH:" + "Y" * 30, "FH:PKG:" + "Y" * 40):
        async with http.get("/api/lookup", params={"code": code}, headers=manager) as resp:
            assert resp.status == 404, await resp.text()
            assert (await resp.json())["error"] == "not_found"


async def test_json_nested_thousands_deep_is_refused_as_bad_json(http, manager):
    deep = b"[" * 5000 + b"]" * 5000
    async with http.post("/api/orders", data=deep, headers=manager | {"Content-Type": "application/json"}) as resp:
        assert resp.status == 400 and (await resp.json())["error"] == "bad_json"


async def test_receipts_cannot_fill_a_bin_past_what_its_column_holds(http, manager):
    receipt = {"warehouse": "SH", "lines": [{"sku": "TEA", "qty": 1_000_000, "location": "A-01-02"}] * 500}
    for _ in range(MAX_ON_HAND // 500_000_000):
        async with http.post("/api/stock/receipts", json=receipt, headers=manager) as resp:
            assert resp.status == 201, await resp.text()
    moves = await StockMove.all().count()
    async with http.post("/api/stock/receipts", json=receipt, headers=manager) as resp:
        answer = await resp.json()
    assert resp.status == 422 and "cannot hold more" in answer["message"], answer
    assert await StockMove.all().count() == moves  # the whole receipt was refused
    level = await StockLevel.get(product__sku="TEA", location__code="A-01-02")
    assert level.on_hand == MAX_ON_HAND


async def test_an_order_worth_more_than_its_total_column_holds_is_refused(http, db):
    wh, gold = await a_warehouse(), await a_product("GOLD", price="9999999999.00")
    await stock(gold, wh, 500)
    manager = await signed_in(http, Role.MANAGER)
    async with http.post("/api/orders", json=an_order({"GOLD": 200}).model_dump(mode="json"),
                         headers=manager) as resp:
        answer = await resp.json()
    assert resp.status == 422 and "worth at most" in answer["message"], answer
    assert not await Order.exists()


async def test_the_document_names_each_body_for_what_it_is_and_the_documented_body_is_accepted(http, db):
    wh, tv = await a_warehouse(), await a_product("TV", price="90000.00")
    await stock(tv, wh, 1)
    manager = await signed_in(http, Role.MANAGER)
    doc = await _document(http)
    schemas = doc["components"]["schemas"]

    def body_of(path: str) -> dict:
        ref = doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        return schemas[ref.rsplit("/", 1)[1]]

    assert set(body_of("/api/orders/{number}/approve")["properties"]) == {"reason"}
    assert set(body_of("/api/after-sales/{number}/decision")["properties"]) == {
        "approve", "note", "remedy", "send_back", "lines", "amount"}
    assert set(body_of("/api/tracking/{carrier}/webhook")["properties"]) == {"waybill", "events"}
    async with http.post("/api/orders", json=an_order({"TV": 1}).model_dump(mode="json"), headers=manager) as r:
        held = await r.json()
    async with http.post(f"/api/orders/{held['number']}/approve", json={"reason": "known customer"},
                         headers=manager) as resp:
        assert resp.status == 200, await resp.text()


async def test_every_operation_documents_what_it_answers(http, db):
    doc = await _document(http)
    for path, item in doc["paths"].items():
        for method, op in item.items():
            success = [code for code in op["responses"] if code.startswith("2")]
            assert success, (method, path)
            for code in success:
                assert op["responses"][code]["content"], (method, path, code)
            for param in op.get("parameters", []):
                if param["in"] == "path":
                    schema = param["schema"]
                    assert {"maxLength", "enum", "pattern", "$ref", "maximum"} & schema.keys(), (path, param)


async def test_a_wrong_method_says_which_are_allowed(http, db):
    key = {"X-API-Key": await add_api_key("shop"), "Accept-Language": "zh"}
    async with http.delete("/api/orders", headers=key) as resp:
        answer = await resp.json()
    assert resp.status == 405 and set(resp.headers["Allow"].split(",")) >= {"GET", "POST"}
    assert answer["error"] == "method_not_allowed" and "DELETE" in answer["message"] and "。" in answer["message"]
