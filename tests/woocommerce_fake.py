"""A local WooCommerce shop for tests: a real aiohttp server on 127.0.0.1 with the REST API fahuo calls (wc/v3:
an order's notes listed and added, the order updated), HTTP basic auth with the consumer key and secret, and
WooCommerce's answers: 401 `woocommerce_rest_cannot_view` for wrong keys, 404 `woocommerce_rest_shop_order_
invalid_id` for an unknown order, and a shop that is down (503). It also makes orders as the `order.created`
webhook carries them and sends them signed (X-WC-Webhook-Signature), and the unsigned ping of a new webhook.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from core.channels.platform import hmac_base64
from tests.loopback import on_loopback, post

KEY, SECRET = "ck_0123456789abcdef0123456789abcdef01234567", "cs_fedcba9876543210fedcba9876543210fedcba98"
WEBHOOK_SECRET = "woo-webhook-secret-4b3a2c1d"
_ids = itertools.count(7001)


def _error(code: str, message: str, status: int) -> web.Response:
    return web.json_response({"code": code, "message": message, "data": {"status": status}}, status=status)


class FakeWooCommerce:
    def __init__(self) -> None:
        self.mode = "ok"  # ok | down | updates_down (reads and notes work, order updates answer 502)
        self.orders: dict[int, dict[str, Any]] = {}
        self.notes: dict[int, list[dict[str, Any]]] = {}
        self.calls = 0
        self.url = ""

    # -- the REST API --------------------------------------------------------------------------------------

    def _refusal(self, request: web.Request) -> web.Response | None:
        self.calls += 1
        if self.mode == "down":
            return web.Response(status=503, text="<html><body>Service Unavailable</body></html>",
                                content_type="text/html")
        expected = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return _error("woocommerce_rest_cannot_view", "Sorry, you cannot list resources.", 401)
        if int(request.match_info["id"]) not in self.orders:
            return _error("woocommerce_rest_shop_order_invalid_id", "Invalid ID.", 404)
        return None

    async def list_notes(self, request: web.Request) -> web.Response:
        if (refused := self._refusal(request)) is not None:
            return refused
        return web.json_response(self.notes[int(request.match_info["id"])])

    async def add_note(self, request: web.Request) -> web.Response:
        if (refused := self._refusal(request)) is not None:
            return refused
        body = await request.json()
        if not body.get("note"):
            return _error("rest_missing_callback_param", "Missing parameter(s): note", 400)
        note = {"id": next(_ids), "author": "WooCommerce", "date_created": "2026-11-27T10:00:00",
                "note": body["note"], "customer_note": bool(body.get("customer_note"))}
        self.notes[int(request.match_info["id"])].insert(0, note)  # newest first, as the API lists them
        return web.json_response(note, status=201)

    async def update_order(self, request: web.Request) -> web.Response:
        if (refused := self._refusal(request)) is not None:
            return refused
        if self.mode == "updates_down":
            return web.Response(status=502, text="Bad Gateway")
        order = self.orders[int(request.match_info["id"])]
        order.update({k: v for k, v in (await request.json()).items() if k in ("status",)})
        return web.json_response(order)

    # -- the shop's side: orders and webhooks --------------------------------------------------------------

    def new_order(self, lines: dict[str, int], *, status: str = "processing", **changes: Any) -> dict[str, Any]:
        order_id = next(_ids)
        person = {"first_name": "梅梅", "last_name": "韩", "company": "", "address_1": "天河区天河路 385 号",
                  "address_2": "1203 室", "city": "广州市", "state": "CN20", "postcode": "510620", "country": "CN"}
        order = {
            "id": order_id, "number": str(order_id), "status": status, "currency": "CNY", "total": "36.00",
            "payment_method": "alipay", "payment_method_title": "支付宝",
            "date_paid": "2026-11-27T09:58:00" if status == "processing" else None,
            "billing": {**person, "email": "hanmeimei@example.com", "phone": "13912345678"},
            "shipping": {**person, "phone": ""},
            "line_items": [{"id": next(_ids), "name": f"Product {sku}", "product_id": next(_ids), "variation_id": 0,
                            "quantity": qty, "sku": sku, "price": 18} for sku, qty in lines.items()],
            "customer_note": "",
        }
        order.update(changes)
        self.orders[order_id] = order
        self.notes[order_id] = []
        return order

    async def send(self, url: str, topic: str, payload: dict[str, Any] | bytes, *, secret: str = WEBHOOK_SECRET,
                   signature: str | None = None) -> tuple[int, Any]:
        """Deliver a webhook as WooCommerce does: the JSON body, its HMAC in X-WC-Webhook-Signature."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
        resource, event = topic.split(".")
        headers = {"Content-Type": "application/json", "X-WC-Webhook-Source": "https://shop.example.com/",
                   "X-WC-Webhook-Topic": topic, "X-WC-Webhook-Resource": resource, "X-WC-Webhook-Event": event,
                   "X-WC-Webhook-Signature": signature if signature is not None
                   else hmac_base64(secret, body),
                   "X-WC-Webhook-ID": "12", "X-WC-Webhook-Delivery-ID": str(next(_ids))}
        return await post(url, body, headers)

    async def ping(self, url: str) -> int:
        """What WooCommerce sends to a new webhook's address before it saves it."""
        status, _ = await post(url, "webhook_id=12", {"Content-Type": "application/x-www-form-urlencoded"})
        return status


@asynccontextmanager
async def running_woocommerce() -> AsyncIterator[FakeWooCommerce]:
    fake = FakeWooCommerce()
    app = web.Application()
    app.router.add_get("/wp-json/wc/v3/orders/{id:\\d+}/notes", fake.list_notes)
    app.router.add_post("/wp-json/wc/v3/orders/{id:\\d+}/notes", fake.add_note)
    app.router.add_put("/wp-json/wc/v3/orders/{id:\\d+}", fake.update_order)
    async with on_loopback(app) as fake.url:
        yield fake
