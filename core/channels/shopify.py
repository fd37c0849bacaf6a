"""Shopify: orders arrive by the `orders/create`, `orders/paid` and `orders/cancelled` webhooks, and an order
that left is fulfilled with its carrier and tracking number through the GraphQL Admin API (its fulfillment orders, then
`fulfillmentCreate`).

A webhook is Shopify's if `X-Shopify-Hmac-Sha256` is the base64 HMAC-SHA256 of the raw body under the app's
client secret (`webhook_secret`). The Admin API is called with the app's access token (`key`) in
`X-Shopify-Access-Token`, at the API version in `options.api_version`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from core.channels.channel_api import (
    Channel,
    ChannelRefused,
    ChannelUnavailable,
    Ignored,
    Incoming,
    Link,
    PlatformAddress,
    PlatformCancel,
    PlatformLine,
    PlatformOrder,
    ShipmentNote,
)
from core.channels.platform import amount, call_json, count, joined, plain, signed_by

API_VERSION = "2025-10"
# an order is taken once its money is safe (paid, or authorised to be captured) or it is paid on delivery; an
# order waiting for a manual payment comes again with `orders/paid`
SECURED = ("paid", "authorized")
OPEN = ("OPEN", "IN_PROGRESS")  # fulfillment orders that still wait for goods to leave
PAGE = 25
# Shopify keeps China's provinces by its own codes and English names (its country list); fahuo keeps the names.
# Xizang's code is YZ in Shopify's list; XZ (ISO 3166-2) is taken too.
PROVINCES = {
    "AH": ("Anhui", "安徽省"), "BJ": ("Beijing", "北京市"), "CQ": ("Chongqing", "重庆市"), "FJ": ("Fujian", "福建省"),
    "GS": ("Gansu", "甘肃省"), "GD": ("Guangdong", "广东省"), "GX": ("Guangxi", "广西壮族自治区"),
    "GZ": ("Guizhou", "贵州省"), "HI": ("Hainan", "海南省"), "HE": ("Hebei", "河北省"),
    "HL": ("Heilongjiang", "黑龙江省"), "HA": ("Henan", "河南省"), "HB": ("Hubei", "湖北省"), "HN": ("Hunan", "湖南省"),
    "NM": ("Inner Mongolia", "内蒙古自治区"), "JS": ("Jiangsu", "江苏省"), "JX": ("Jiangxi", "江西省"),
    "JL": ("Jilin", "吉林省"), "LN": ("Liaoning", "辽宁省"), "NX": ("Ningxia", "宁夏回族自治区"),
    "QH": ("Qinghai", "青海省"), "SN": ("Shaanxi", "陕西省"), "SD": ("Shandong", "山东省"),
    "SH": ("Shanghai", "上海市"), "SX": ("Shanxi", "山西省"), "SC": ("Sichuan", "四川省"), "TJ": ("Tianjin", "天津市"),
    "XJ": ("Xinjiang", "新疆维吾尔自治区"), "YZ": ("Xizang", "西藏自治区"), "XZ": ("Xizang", "西藏自治区"),
    "YN": ("Yunnan", "云南省"), "ZJ": ("Zhejiang", "浙江省"),
}
_BY_NAME = {english.lower(): chinese for english, chinese in PROVINCES.values()} | {"tibet": "西藏自治区"}

FULFILLMENT_ORDERS = """
query FulfillmentOrders($id: ID!, $after: String) {
  order(id: $id) {
    fulfillmentOrders(first: PAGE, after: $after) {
      nodes { id status }
      pageInfo { hasNextPage endCursor }
    }
  }
}""".replace("PAGE", str(PAGE))

FULFILLMENT_CREATE = """
mutation FulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status }
    userErrors { field message }
  }
}"""


def _cod(order: dict[str, Any]) -> bool:
    gateways = [str(g).lower() for g in order.get("payment_gateway_names") or []]
    return any("cash on delivery" in g or g in ("cod", "货到付款") for g in gateways)


def _float(value: object) -> float | None:
    try:
        return float(value) if value not in (None, "") else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def province_of(ship: dict[str, Any]) -> str:
    """The province in Chinese for an address in China, by Shopify's code or English name; else as given."""
    given = plain(ship.get("province"))
    if plain(ship.get("country_code")).upper() not in ("CN", ""):
        return given
    by_code = PROVINCES.get(plain(ship.get("province_code")).upper())
    return by_code[1] if by_code else _BY_NAME.get(given.lower(), given)


def read_order(link: Link, order: dict[str, Any]) -> PlatformOrder:
    """A Shopify order (the `orders/create` payload, the REST order resource) as fahuo takes it."""
    ship = order.get("shipping_address")
    if not isinstance(ship, dict):
        raise ChannelRefused(link.name, "the order has no shipping address (nothing to ship)")
    customer = order.get("customer") if isinstance(order.get("customer"), dict) else {}
    billing = order.get("billing_address") if isinstance(order.get("billing_address"), dict) else {}
    phone = next((p for p in (plain(ship.get("phone")), plain(order.get("phone")), plain(customer.get("phone")),
                              plain(billing.get("phone"))) if p), "")
    recipient = plain(ship.get("name")) or joined(ship.get("last_name"), ship.get("first_name"))
    lines = []
    for item in order.get("line_items") or []:
        if not isinstance(item, dict) or item.get("requires_shipping") is False:
            continue  # a gift card or a service: nothing leaves the warehouse for it
        if not plain(item.get("sku")):
            raise ChannelRefused(link.name, f"the line {plain(item.get('title'))!r} has no SKU")
        lines.append(PlatformLine(plain(item["sku"]), count(item.get("quantity")), plain(item.get("title"))))
    return PlatformOrder(
        ref=str(order["id"]), label=plain(order.get("name")) or str(order["id"]),
        customer=joined(customer.get("last_name"), customer.get("first_name")) or recipient,
        phone=phone, email=plain(order.get("email")) or plain(customer.get("email")),
        address=PlatformAddress(
            recipient=recipient, phone=phone, province=province_of(ship), city=plain(ship.get("city")),
            line1=joined(ship.get("address1"), ship.get("address2")), postcode=plain(ship.get("zip")),
            lat=_float(ship.get("latitude")), lon=_float(ship.get("longitude"))),
        lines=lines, paid=order.get("financial_status") in SECURED, cash_on_delivery=_cod(order),
        total=amount(order.get("total_price")),
        note=plain(order.get("note")))


class Shopify(Channel):
    platform = "shopify"

    def verify(self, link: Link, headers: Mapping[str, str], body: bytes) -> bool:
        return signed_by(link.account.webhook_secret.get_secret_value(), body,
                         headers.get("X-Shopify-Hmac-Sha256", ""))

    def read_webhook(self, link: Link, headers: Mapping[str, str], body: bytes) -> Incoming:
        topic = headers.get("X-Shopify-Topic", "")
        if topic not in ("orders/create", "orders/paid", "orders/cancelled"):
            return Ignored(f"topic {topic!r} is not one fahuo takes")
        try:
            order = json.loads(body)
            ref = str(int(order["id"]))
        except (ValueError, TypeError, KeyError):
            raise ChannelRefused(link.name, "the body is not a Shopify order (JSON with an id)") from None
        if topic == "orders/cancelled":
            return PlatformCancel(ref, plain(order.get("cancel_reason")))
        if order.get("cancelled_at"):
            return Ignored("cancelled already")
        taken = read_order(link, order)
        if not (taken.paid or taken.cash_on_delivery):
            return Ignored("not paid yet: orders/paid brings it")
        return taken

    async def _graphql(self, link: Link, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        version = str(link.account.options.get("api_version", API_VERSION))
        answer = await call_json(link, "POST", f"{link.account.api_url}/admin/api/{version}/graphql.json",
                                 body={"query": query, "variables": variables},
                                 headers={"X-Shopify-Access-Token": link.secret("key")})
        errors = (answer or {}).get("errors")
        if errors:
            codes = {str((e.get("extensions") or {}).get("code", "")) for e in errors if isinstance(e, dict)}
            kind = ChannelUnavailable if "THROTTLED" in codes or "INTERNAL_SERVER_ERROR" in codes else ChannelRefused
            raise kind(link.name, "; ".join(str(e.get("message", e)) for e in errors)[:300])
        return dict(answer.get("data") or {})

    async def _open_fulfillment_orders(self, link: Link, ref: str) -> list[str]:
        found: list[str] = []
        after: str | None = None
        while True:
            data = await self._graphql(link, FULFILLMENT_ORDERS, {"id": f"gid://shopify/Order/{ref}", "after": after})
            if data.get("order") is None:
                raise ChannelRefused(link.name, f"Shopify knows no order {ref}")
            page = data["order"]["fulfillmentOrders"]
            found += [node["id"] for node in page["nodes"] if node["status"] in OPEN]
            if not page["pageInfo"]["hasNextPage"]:
                return found
            after = page["pageInfo"]["endCursor"]

    async def write_back(self, link: Link, note: ShipmentNote) -> None:
        """Fulfil what is still open of the order; an order already fulfilled (told before) needs nothing."""
        pending = await self._open_fulfillment_orders(link, note.ref)
        if not pending:
            return
        data = await self._graphql(link, FULFILLMENT_CREATE, {"fulfillment": {
            "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": gid} for gid in pending],
            "notifyCustomer": bool(link.account.options.get("notify_customer", True)),
            "trackingInfo": {"company": note.carrier_name, "number": note.waybill, "url": note.tracking_url}}})
        problems = (data.get("fulfillmentCreate") or {}).get("userErrors") or []
        if problems:
            raise ChannelRefused(link.name, "; ".join(str(p.get("message")) for p in problems)[:300])
