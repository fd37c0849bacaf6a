"""After-sales over HTTP: a customer's channel opens a request with a photo, a manager decides, goods come back."""

from __future__ import annotations

import base64

import pytest

from core.auth import add_api_key
from core.catalog import Product
from core.events import OutboxEvent
from core.stock import StockLevel, StockMove, check_ledger
from tests.factories import a_carrier, a_product, a_warehouse, stock
from tests.test_logistics import _phones, _picked_and_packed

PNG = base64.b64encode(bytes.fromhex("89504e470d0a1a0a") + b"photo of a broken cup").decode()


async def _shipped(http, phone) -> str:
    number, shipment = await _picked_and_packed(http, phone, {"TEA": 3})
    await phone["dispatcher"].scan("load", "FH:VEH:沪A12345", shipment=shipment["number"])
    for package in shipment["packages"]:
        await phone["dispatcher"].scan("load", f"FH:PKG:{package['number']}", shipment=shipment["number"])
    status, _ = await phone["dispatcher"].call("POST", f"/api/shipments/{shipment['number']}/dispatch")
    assert status == 200
    return number


async def _a_shipped_order(http) -> tuple[dict, str, dict[str, str]]:
    """Staff phones, an order of TEA shipped to a customer of the channel `shop`, and that channel's key."""
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 5)
    await a_carrier()
    phone = await _phones(http)
    return phone, await _shipped(http, phone), {"X-API-Key": await add_api_key("shop")}


@pytest.mark.slow
async def test_a_returned_item_comes_back_into_stock_through_the_ledger(http, db):
    phone, number, key = await _a_shipped_order(http)
    tea = await Product.get(sku="TEA")
    body = {"order": number, "kind": "return", "text": "Wrong flavour, please take it back",
            "lines": [{"sku": "TEA", "qty": 1}], "photos": [{"mime": "image/png", "data": PNG}]}
    async with http.post("/api/after-sales", json=body, headers=key) as resp:
        assert resp.status == 201, await resp.text()
        request = await resp.json()
    assert request["status"] == "open" and len(request["photos"]) == 1
    async with http.get(request["photos"][0], headers=key) as resp:
        assert resp.status == 200 and resp.content_type == "image/png"
    assert await OutboxEvent.filter(kind="aftersales.opened").count() == 1

    status, decided = await phone["manager"].call("POST", f"/api/after-sales/{request['number']}/decision",
                                                  {"approve": True, "note": "send it back"})
    assert status == 200 and decided["status"] == "awaiting_return"
    assert not await StockLevel.exists(product=tea, location__code="RCV")
    status, received = await phone["packer"].call("POST", f"/api/after-sales/{request['number']}/return", {})
    assert status == 200 and received["status"] == "received"
    move = await StockMove.get(reason="return")
    assert move.qty == 1 and move.document == request["number"]
    assert (await StockLevel.get(product=tea, location__code="RCV")).on_hand == 1
    status, resolved = await phone["manager"].call("POST", f"/api/after-sales/{request['number']}/resolve",
                                                   {"note": "refunded 168.00"})
    assert status == 200 and resolved["status"] == "resolved"
    assert [h["status"] for h in resolved["history"]] == ["open", "awaiting_return", "received", "resolved"]
    assert not await check_ledger()


async def test_after_sales_refuses_what_was_not_shipped_and_bad_photos(http, db):
    phone, number, key = await _a_shipped_order(http)
    base = {"order": number, "kind": "damage", "text": "The box was crushed"}
    for lines, photos, status in (
        ([{"sku": "TEA", "qty": 4}], [], 422),  # more than was shipped
        ([{"sku": "NOPE", "qty": 1}], [], 422),
        ([{"sku": "TEA", "qty": 1}], [{"mime": "image/png", "data": "not base64!"}], 422),
        ([{"sku": "TEA", "qty": 1}], [{"mime": "application/pdf", "data": PNG}], 422),
    ):
        async with http.post("/api/after-sales", json={**base, "lines": lines, "photos": photos},
                             headers=key) as resp:
            assert resp.status == status, await resp.text()
    other = {"X-API-Key": await add_api_key("market")}
    async with http.post("/api/after-sales", json={**base, "lines": [{"sku": "TEA", "qty": 1}]},
                         headers=other) as resp:
        assert resp.status == 404  # another channel's order does not exist for it
    status, _ = await phone["picker"].call("POST", "/api/after-sales/AS-1/decision", {"approve": True})
    assert status == 403
    assert await OutboxEvent.filter(kind="aftersales.opened").count() == 0
