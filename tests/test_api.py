"""The HTTP API over a real server on 127.0.0.1: intake, lookups, roles, and bad input refused cleanly."""

from decimal import Decimal

import pytest
from openapi_spec_validator import validate

from core.base.auth import Role, add_api_key
from core.base.events import OutboxEvent
from core.orders.customers import Customer
from core.orders.order import Order
from core.stock.catalog import Product
from core.stock.ledger import StockLevel, StockMove
from tests.conftest import signed_in
from tests.factories import a_product, a_warehouse, an_order, stock


async def order_body(**kw) -> dict:
    return an_order({"TEA": 1}, **kw).model_dump(mode="json")


async def written() -> tuple[int, ...]:
    """How much the database holds: a refused request must leave every count as it was."""
    return (await Order.all().count(), await Customer.all().count(), await StockMove.all().count(),
            await OutboxEvent.all().count(), sum(lv.reserved for lv in await StockLevel.all()))


@pytest.fixture
async def shop(db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 10)
    return {"X-API-Key": await add_api_key("shop")}


async def test_health_and_openapi_document(http):
    async with http.get("/healthz") as resp:
        assert resp.status == 200 and (await resp.json())["status"] == "ok"
    async with http.get("/api/openapi.json") as resp:
        doc = await resp.json()
    validate(doc)
    assert {"/api/orders", "/api/orders/{number}", "/api/stock", "/api/auth/login"} <= doc["paths"].keys()
    assert "OrderIn" in doc["components"]["schemas"]


async def test_a_channel_places_an_order_and_a_repeat_returns_the_same_order(http, shop):
    body = await order_body(external_ref="web-1001")
    async with http.post("/api/orders", json=body, headers=shop) as resp:
        assert resp.status == 201
        created = await resp.json()
    assert created["status"] == "allocated" and created["reservations"][0]["qty"] == 1
    async with http.post("/api/orders", json=body, headers=shop) as resp:
        assert resp.status == 200
        assert (await resp.json())["number"] == created["number"]
    async with http.get(f"/api/orders/{created['number']}", headers=shop) as resp:
        view = await resp.json()
    assert [h["to"] for h in view["history"]] == ["submitted", "approved", "allocated"]
    assert view == created  # the answer to the POST is the order as it stands
    assert view["lines"] == [{"sku": "TEA", "name": "Product TEA", "name_zh": "Product TEA", "barcode": None,
                              "qty": 1, "unit_price": "10.00", "reserved": 1, "in_transfer": 0, "backordered": 0}]
    assert view["reservations"] == [{"sku": "TEA", "location": "A-01-01", "qty": 1}]
    assert view["warehouse"] == "SH" and view["customer"]["name"] == "Li Lei" and view["total"] == "10.00"
    assert await Order.all().count() == 1


async def test_stock_lookup_shows_on_hand_reserved_and_available(http, shop):
    await http.post("/api/orders", json=await order_body(), headers=shop)
    async with http.get("/api/stock", params={"sku": "TEA", "warehouse": "SH"}, headers=shop) as resp:
        rows = await resp.json()
    assert rows == [{"sku": "TEA", "name": "Product TEA", "warehouse": "SH", "location": "A-01-01", "kind": "bin",
                     "on_hand": 10, "reserved": 1, "available": 9, "count_due": None}]


async def test_another_channel_cannot_see_the_order(http, shop):
    async with http.post("/api/orders", json=await order_body(), headers=shop) as resp:
        number = (await resp.json())["number"]
    other = {"X-API-Key": await add_api_key("marketplace")}
    async with http.get(f"/api/orders/{number}", headers=other) as resp:
        assert resp.status == 404


async def test_chinese_callers_get_chinese_messages(http, shop):
    async with http.get("/api/orders/SO-1", headers=shop | {"Accept-Language": "zh-CN"}) as resp:
        assert resp.status == 404
        assert (await resp.json())["message"] == "未找到订单 SO-1。"


def changed(edit):
    """An order body with one edit applied, built when the test runs."""
    async def build():
        body = await order_body()
        edit(body)
        return body
    return build


def with_lines(lines):
    return changed(lambda body: body.update(lines=lines))


def without(field):
    return changed(lambda body: body.pop(field))


def with_customer(changes):
    return changed(lambda body: body["customer"].update(changes))


def with_address(changes):
    return changed(lambda body: body["address"].update(changes))


BAD_ORDERS = {
    "unknown sku": (with_lines([{"sku": "NOPE", "qty": 1}]), 422, "unknown_sku"),
    "zero quantity": (with_lines([{"sku": "TEA", "qty": 0}]), 422, "validation_error"),
    "negative quantity": (with_lines([{"sku": "TEA", "qty": -3}]), 422, "validation_error"),
    "huge quantity": (with_lines([{"sku": "TEA", "qty": 10**12}]), 422, "validation_error"),
    "fractional quantity": (with_lines([{"sku": "TEA", "qty": 1.5}]), 422, "validation_error"),
    "quantity as text": (with_lines([{"sku": "TEA", "qty": "2"}]), 422, "validation_error"),
    "no lines": (with_lines([]), 422, "validation_error"),
    "same sku twice": (with_lines([{"sku": "TEA", "qty": 1}] * 2), 422, "validation_error"),
    "missing address": (without("address"), 422, "validation_error"),
    "missing customer": (without("customer"), 422, "validation_error"),
    "NUL in a name": (with_customer({"name": "Li\u0000Lei"}), 422, "validation_error"),
    "telegram id beyond BIGINT": (with_customer({"telegram_id": 2**70}), 422, "validation_error"),
    "coordinates not a number": (with_address({"lat": float("nan")}), 422, "validation_error"),
}


@pytest.mark.parametrize("case", BAD_ORDERS.keys())
async def test_a_bad_order_is_refused_with_a_clear_error_and_nothing_written(http, shop, case):
    build, status, code = BAD_ORDERS[case]
    before = await written()
    async with http.post("/api/orders", json=await build(), headers=shop) as resp:
        assert resp.status == status, await resp.text()
        error = await resp.json()
    assert error["error"] == code and error["message"]
    assert await written() == before


async def test_malformed_json_and_wrong_keys_are_refused(http, shop):
    before = await written()
    async with http.post("/api/orders", data=b'{"lines": [', headers=shop | {"Content-Type": "application/json"}) as r:
        assert r.status == 400 and (await r.json())["error"] == "bad_json"
    async with http.post("/api/orders", json=await order_body(), headers={"X-API-Key": "fh_wrong"}) as r:
        assert r.status == 401 and "API key" in (await r.json())["message"]
    async with http.post("/api/orders", json=await order_body()) as r:
        assert r.status == 401
    async with http.post("/api/orders", json=["not", "an", "object"], headers=shop) as r:
        assert r.status == 422
    assert await written() == before


async def test_a_picker_may_not_approve_a_held_order_but_a_manager_may(http, db):
    wh, tv = await a_warehouse(), await a_product("TV", price="90000.00")
    await stock(tv, wh, 1)
    manager = await signed_in(http, Role.MANAGER)
    body = an_order({"TV": 1}).model_dump(mode="json")
    async with http.post("/api/orders", json=body, headers=manager) as resp:
        order = await resp.json()
    assert order["status"] == "on_hold"
    picker = await signed_in(http, Role.PICKER)
    before = await written()
    async with http.post(f"/api/orders/{order['number']}/approve", json={}, headers=picker) as resp:
        assert resp.status == 403
        assert (await resp.json())["message"] == "Your role (Picker) may not approve or reject orders."
    assert await written() == before
    async with http.get("/api/orders", params={"status": "on_hold"}, headers=manager) as resp:
        assert [o["number"] for o in await resp.json()] == [order["number"]]
    async with http.post(f"/api/orders/{order['number']}/approve", json={"reason": "known customer"},
                         headers=manager) as resp:
        assert resp.status == 200 and (await resp.json())["status"] == "allocated"


async def test_sign_in_sign_out_and_wrong_password(http, db):
    headers = await signed_in(http, Role.PACKER, "wu")
    async with http.get("/api/auth/me", headers=headers) as resp:
        assert (await resp.json()) == {"username": "wu", "role": "packer", "display_name": ""}
    async with http.post("/api/auth/logout", headers=headers) as resp:
        assert resp.status == 200
    async with http.get("/api/auth/me", headers=headers) as resp:
        assert resp.status == 401
    async with http.post("/api/auth/login", json={"username": "wu", "password": "nope"}) as resp:
        assert resp.status == 401 and (await resp.json())["error"] == "bad_login"


async def test_staff_receive_adjust_and_transfer_stock_over_http(http, db):
    await a_warehouse("SH")
    await a_product("TEA")
    await a_warehouse("GZ")
    manager = await signed_in(http, Role.MANAGER)
    receipt = {"warehouse": "SH", "lines": [{"sku": "TEA", "qty": 20, "location": "A-01-02"}]}
    async with http.post("/api/stock/receipts", json=receipt, headers=manager) as resp:
        assert resp.status == 201
    count = {"warehouse": "SH", "location": "A-01-02", "sku": "TEA", "counted": 18, "reason": "cycle count"}
    async with http.post("/api/stock/adjustments", json=count, headers=manager) as resp:
        assert (await resp.json())["change"] == -2
    move = {"from_warehouse": "SH", "to_warehouse": "GZ", "lines": [{"sku": "TEA", "qty": 5}]}
    async with http.post("/api/transfers", json=move, headers=manager) as resp:
        transfer = await resp.json()
    assert transfer["status"] == "draft"
    async with http.post(f"/api/transfers/{transfer['number']}/receive", json={}, headers=manager) as resp:
        assert resp.status == 409  # not shipped yet
    async with http.post(f"/api/transfers/{transfer['number']}/ship", headers=manager) as resp:
        assert (await resp.json())["status"] == "shipped"
    async with http.post(f"/api/transfers/{transfer['number']}/receive", json={"location": "A-01-03"},
                         headers=manager) as resp:
        assert (await resp.json())["status"] == "received"
    async with http.get("/api/stock", params={"sku": "TEA"}, headers=manager) as resp:
        places = {(r["warehouse"], r["location"]): r["on_hand"] for r in await resp.json()}
    assert places == {("SH", "A-01-02"): 13, ("GZ", "A-01-03"): 5}
    picker = await signed_in(http, Role.PICKER)
    async with http.post("/api/stock/adjustments", json=count, headers=picker) as resp:
        assert resp.status == 403


async def test_a_manager_confirms_and_receives_the_purchase_draft_a_backorder_made(http, db):
    from core.stock.replenishment import PurchaseOrder
    from tests.factories import a_supplier

    await a_warehouse("SH")
    await a_product("TEA", supplier=await a_supplier())
    manager = await signed_in(http, Role.MANAGER)
    async with http.post("/api/orders", json=an_order({"TEA": 3}).model_dump(mode="json"), headers=manager) as r:
        order = await r.json()
    assert order["status"] == "backordered"
    number = (await PurchaseOrder.get()).number
    async with http.post(f"/api/purchase-orders/{number}/confirm", headers=manager) as resp:
        assert (await resp.json())["status"] == "confirmed"
    async with http.post(f"/api/purchase-orders/{number}/confirm", headers=manager) as resp:
        assert resp.status == 409
    receipt = {"lines": [{"sku": "TEA", "qty": 3}]}
    async with http.post(f"/api/purchase-orders/{number}/receive", json=receipt, headers=manager) as resp:
        received = await resp.json()
    assert received["status"] == "received" and received["orders_ready"] == [order["number"]]
    async with http.post(f"/api/purchase-orders/{number}/cancel", headers=manager) as resp:
        assert resp.status == 409 and (await resp.json())["error"] == "invalid_transition"


async def test_a_transfer_or_receipt_sent_again_with_its_idempotency_key_is_done_once(http, db):
    import asyncio

    from core.stock.transfers import TransferOrder

    await a_warehouse("SH")
    await a_product("TEA")
    await a_warehouse("GZ")
    manager = await signed_in(http, Role.MANAGER)

    async def send(path: str, body: dict, key: str, who: dict = manager, lang: str = "en") -> tuple[int, dict]:
        headers = {**who, "Idempotency-Key": key, "Accept-Language": lang}
        async with http.post(path, json=body, headers=headers) as resp:
            return resp.status, await resp.json()

    receipt = {"warehouse": "SH", "lines": [{"sku": "TEA", "qty": 20, "location": "A-01-02"}]}
    first, again = await send("/api/stock/receipts", receipt, "receipt-0001"), \
        await send("/api/stock/receipts", receipt, "receipt-0001")
    assert first == (201, {"received": 20, "orders_ready": []})
    assert again == (200, {"received": 20, "orders_ready": [], "replayed": True})
    assert (await StockLevel.get(location__code="A-01-02")).on_hand == 20

    move = {"from_warehouse": "SH", "to_warehouse": "GZ", "lines": [{"sku": "TEA", "qty": 5}]}
    answers = await asyncio.gather(*(send("/api/transfers", move, "transfer-0001") for _ in range(3)))
    assert sorted(status for status, _ in answers) == [200, 200, 201]
    assert {body["number"] for _, body in answers} == {(await TransferOrder.get()).number}
    assert (await StockLevel.get(location__code="A-01-02")).reserved == 5

    # the same key on another request, or from another person, changes nothing and says why
    status, clash = await send("/api/transfers", {**move, "to_warehouse": "SH"}, "transfer-0001", lang="zh")
    assert status == 422 and clash["error"] == "id_reused" and "另一个请求，" in clash["message"]
    other = await signed_in(http, Role.DISPATCHER)
    status, clash = await send("/api/transfers", move, "transfer-0001", who=other)
    assert status == 409 and clash["error"] == "id_taken"
    status, bad = await send("/api/transfers", move, "short")
    assert status == 422 and "Idempotency-Key" in bad["message"]
    assert await TransferOrder.all().count() == 1
    # a refusal is given again to a retry; a new key is a new try
    status, refusal = await send("/api/transfers", {**move, "to_warehouse": "XX"}, "transfer-0002")
    assert status == 404 and await send("/api/transfers", {**move, "to_warehouse": "XX"}, "transfer-0002") == (
        status, refusal)
    assert (await send("/api/transfers", move, "transfer-0003"))[0] == 201
    assert await TransferOrder.all().count() == 2


async def test_a_held_order_says_why_in_the_managers_language(http, shop):
    await Product.filter(sku="TEA").update(price=Decimal("60000.00"))
    manager = await signed_in(http, Role.MANAGER)
    async with http.post("/api/orders", json=an_order({"TEA": 1}).model_dump(mode="json"), headers=shop) as resp:
        number = (await resp.json())["number"]
    async with http.get("/api/orders?status=on_hold", headers=manager | {"Accept-Language": "zh"}) as resp:
        assert [(o["number"], o["hold_reason"]) for o in await resp.json()] == [
            (number, "订单金额 60000.00 超过 50000")]
    async with http.get(f"/api/orders/{number}", headers=manager | {"Accept-Language": "zh"}) as resp:
        review = (await resp.json())["review"]
    assert {r["rule"]: r["said"] for r in review}["value"] == "订单金额 60000.00 超过 50000"
    async with http.get("/api/orders?status=on_hold", headers=manager) as resp:
        assert (await resp.json())[0]["hold_reason"] == "order value 60000.00 over 50000"
