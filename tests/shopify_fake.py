"""A local Shopify store for tests: a real aiohttp server on 127.0.0.1 with the part of the GraphQL Admin API
fahuo calls (an order's `fulfillmentOrders`, paged by `first`/`after` with `pageInfo`, and `fulfillmentCreate`
with `trackingInfo`), the access token checked as Shopify checks `X-Shopify-Access-Token`, and Shopify's
failures: 401 for a wrong token, a 503, a 429 with Retry-After, a THROTTLED error. It also makes orders as
Shopify's `orders/create` webhook carries them and sends them, signed (X-Shopify-Hmac-Sha256) or not.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from core.channels.platform import hmac_base64
from tests.loopback import on_loopback, post

TOKEN, APP_SECRET = "shpat_test_0123456789abcdef", "shopify-app-secret-9f8e7d6c5b4a"
_ids = itertools.count(5_800_000_000_001)


class FakeShopify:
    def __init__(self) -> None:
        self.mode = "ok"  # ok | down (503) | rate_limited (429) | throttled (GraphQL THROTTLED)
        self.page_cap = 250  # Shopify's most per page; a test may lower it to see fahuo page
        self.fulfillment_orders: dict[str, list[dict[str, Any]]] = {}  # order gid → its fulfillment orders
        self.fulfillments: list[dict[str, Any]] = []  # what fulfillmentCreate made
        self.calls = 0
        self.url = ""

    # -- the Admin API -------------------------------------------------------------------------------------

    async def graphql(self, request: web.Request) -> web.Response:
        self.calls += 1
        if request.headers.get("X-Shopify-Access-Token") != TOKEN:
            return web.json_response({"errors": "[API] Invalid API key or access token (unrecognized login or "
                                                "wrong password)"}, status=401)
        if self.mode == "down":
            return web.json_response({"errors": "Service Unavailable"}, status=503)
        if self.mode == "rate_limited":
            return web.json_response({"errors": "Exceeded 2 calls per second for api client."}, status=429,
                                     headers={"Retry-After": "2.0"})
        if self.mode == "throttled":
            return web.json_response({"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]})
        body = await request.json()
        query, variables = body.get("query", ""), body.get("variables") or {}
        if "fulfillmentCreate" in query:
            return web.json_response({"data": {"fulfillmentCreate": self._create(variables["fulfillment"])}})
        if "fulfillmentOrders" in query:
            return web.json_response({"data": {"order": self._order(query, variables)}})
        return web.json_response({"errors": [{"message": "Field doesn't exist on type 'QueryRoot'",
                                              "extensions": {"code": "undefinedField"}}]})

    def _order(self, query: str, variables: dict[str, Any]) -> dict[str, Any] | None:
        known = self.fulfillment_orders.get(variables.get("id", ""))
        if known is None:
            return None
        first = min(int(re.search(r"fulfillmentOrders\(first:\s*(\d+)", query).group(1)), self.page_cap)  # type: ignore[union-attr]
        start = int(variables["after"]) if variables.get("after") else 0
        page = known[start:start + first]
        more = start + first < len(known)
        return {"fulfillmentOrders": {"nodes": [{"id": f["id"], "status": f["status"]} for f in page],
                                      "pageInfo": {"hasNextPage": more,
                                                   "endCursor": str(start + len(page)) if page else None}}}

    def _create(self, fulfillment: dict[str, Any]) -> dict[str, Any]:
        wanted = [pair["fulfillmentOrderId"] for pair in fulfillment.get("lineItemsByFulfillmentOrder", [])]
        every = {f["id"]: f for fos in self.fulfillment_orders.values() for f in fos}
        for gid in wanted:
            if gid not in every or every[gid]["status"] not in ("OPEN", "IN_PROGRESS"):
                return {"fulfillment": None, "userErrors": [
                    {"field": ["fulfillment"], "message": f"Fulfillment order {gid} is not fulfillable"}]}
        for gid in wanted:
            every[gid]["status"] = "CLOSED"
        made = {"id": f"gid://shopify/Fulfillment/{next(_ids)}", "status": "SUCCESS", "fulfillment_orders": wanted,
                "tracking": fulfillment.get("trackingInfo") or {}, "notify": fulfillment.get("notifyCustomer")}
        self.fulfillments.append(made)
        return {"fulfillment": {"id": made["id"], "status": made["status"]}, "userErrors": []}

    # -- the store's side: orders and webhooks -------------------------------------------------------------

    def new_order(self, lines: dict[str, int], *, locations: int = 1, paid: bool = True,
                  **changes: Any) -> dict[str, Any]:
        """An order as `orders/create` carries it, with a fulfillment order per location it ships from."""
        order_id = next(_ids)
        items = [{"id": next(_ids), "sku": sku, "quantity": qty, "title": f"Product {sku}", "requires_shipping": True,
                  "price": "10.00"} for sku, qty in lines.items()]
        order = {
            "id": order_id, "admin_graphql_api_id": f"gid://shopify/Order/{order_id}", "name": f"#{order_id % 10000}",
            "email": "lilei@example.com", "phone": None, "financial_status": "paid" if paid else "pending",
            "fulfillment_status": None, "payment_gateway_names": ["shopify_payments"], "currency": "CNY",
            "total_price": "20.00", "note": "请工作日送货", "cancelled_at": None, "cancel_reason": None,
            "customer": {"id": next(_ids), "email": "lilei@example.com", "first_name": "雷", "last_name": "李",
                         "phone": "+8613812345678"},
            "shipping_address": {"first_name": "雷", "last_name": "李", "name": "李雷",
                                 "address1": "浦东新区世纪大道 100 号",
                                 "address2": "8 楼", "city": "上海市", "province": "Shanghai", "country": "China",
                                 "country_code": "CN", "zip": "200120", "phone": "13812345678",
                                 "latitude": 31.22, "longitude": 121.54, "company": None},
            "line_items": items,
        }
        order.update(changes)
        self.fulfillment_orders[order["admin_graphql_api_id"]] = [
            {"id": f"gid://shopify/FulfillmentOrder/{next(_ids)}", "status": "OPEN"} for _ in range(locations)]
        return order

    async def send(self, url: str, topic: str, payload: dict[str, Any] | bytes, *, secret: str = APP_SECRET,
                   signature: str | None = None) -> tuple[int, Any]:
        """Deliver a webhook as Shopify does: the raw JSON body, its HMAC in X-Shopify-Hmac-Sha256."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "X-Shopify-Topic": topic,
                   "X-Shopify-Hmac-Sha256": signature if signature is not None else hmac_base64(secret, body),
                   "X-Shopify-Shop-Domain": "fahuo-test.myshopify.com", "X-Shopify-API-Version": "2025-10",
                   "X-Shopify-Webhook-Id": f"wh-{next(_ids)}"}
        return await post(url, body, headers)


@asynccontextmanager
async def running_shopify() -> AsyncIterator[FakeShopify]:
    fake = FakeShopify()
    app = web.Application()
    app.router.add_post("/admin/api/{version}/graphql.json", fake.graphql)
    async with on_loopback(app) as fake.url:
        yield fake
