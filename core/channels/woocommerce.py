"""WooCommerce: orders arrive by webhooks (`order.created`, `order.updated`), and an order that left is set
completed with a note naming its carrier and waybill through the REST API (wc/v3).

A webhook is the shop's if `X-WC-Webhook-Signature` is the base64 HMAC-SHA256 of the raw body under the
webhook's secret (`webhook_secret`). The REST API is called with HTTP basic auth, the consumer key (`key`) and
secret (`secret`) of a key with read/write rights, over HTTPS.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import aiohttp

from core.channels.channel_api import (
    Channel,
    ChannelRefused,
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

# WooCommerce keeps China's provinces as codes (its states list); fahuo keeps the names
PROVINCES = {
    "CN1": "云南省", "CN2": "北京市", "CN3": "天津市", "CN4": "河北省", "CN5": "山西省", "CN6": "内蒙古自治区",
    "CN7": "辽宁省", "CN8": "吉林省", "CN9": "黑龙江省", "CN10": "上海市", "CN11": "江苏省", "CN12": "浙江省",
    "CN13": "安徽省", "CN14": "福建省", "CN15": "江西省", "CN16": "山东省", "CN17": "河南省", "CN18": "湖北省",
    "CN19": "湖南省", "CN20": "广东省", "CN21": "广西壮族自治区", "CN22": "海南省", "CN23": "重庆市",
    "CN24": "四川省", "CN25": "贵州省", "CN26": "陕西省", "CN27": "甘肃省", "CN28": "青海省",
    "CN29": "宁夏回族自治区", "CN30": "澳门特别行政区", "CN31": "西藏自治区", "CN32": "新疆维吾尔自治区",
}
# paid, or cash on delivery; an order waiting for its payment (pending, on-hold for a bank transfer) comes again
# by `order.updated` once it is paid
TAKEN = ("processing",)
CANCELLED = ("cancelled", "refunded")
PING = re.compile(rb"webhook_id=\d+")  # what WooCommerce sends, unsigned, to test a new webhook's address


def read_order(link: Link, order: dict[str, Any]) -> PlatformOrder:
    """A WooCommerce order (the webhook's payload, the REST order resource) as fahuo takes it."""
    ship = order.get("shipping") if isinstance(order.get("shipping"), dict) else {}
    billing = order.get("billing") if isinstance(order.get("billing"), dict) else {}
    if not plain(ship.get("address_1")):
        ship = billing  # a shop that asks no separate shipping address ships to the billing one
    phone = plain(ship.get("phone")) or plain(billing.get("phone"))
    recipient = joined(ship.get("last_name"), ship.get("first_name"))
    lines = []
    for item in order.get("line_items") or []:
        if not isinstance(item, dict):
            continue
        if not plain(item.get("sku")):
            raise ChannelRefused(link.name, f"the line {plain(item.get('name'))!r} has no SKU")
        lines.append(PlatformLine(plain(item["sku"]), count(item.get("quantity")), plain(item.get("name"))))
    state = plain(ship.get("state"))
    return PlatformOrder(
        ref=str(order["id"]), label=f"#{plain(order.get('number')) or order['id']}",
        customer=joined(billing.get("last_name"), billing.get("first_name")) or recipient,
        phone=phone, email=plain(billing.get("email")),
        address=PlatformAddress(
            recipient=recipient, phone=phone, province=PROVINCES.get(state, state), city=plain(ship.get("city")),
            line1=joined(ship.get("address_1"), ship.get("address_2")), postcode=plain(ship.get("postcode"))),
        lines=lines, paid=bool(order.get("date_paid")), cash_on_delivery=order.get("payment_method") == "cod",
        total=amount(order.get("total")), note=plain(order.get("customer_note")))


class WooCommerce(Channel):
    platform = "woocommerce"

    def verify(self, link: Link, headers: Mapping[str, str], body: bytes) -> bool:
        if "X-WC-Webhook-Signature" not in headers and PING.fullmatch(body):
            return True  # the test of a new webhook carries nothing, and is answered 200 so that it is saved
        return signed_by(link.account.webhook_secret.get_secret_value(), body,
                         headers.get("X-WC-Webhook-Signature", ""))

    def read_webhook(self, link: Link, headers: Mapping[str, str], body: bytes) -> Incoming:
        if PING.fullmatch(body):
            return Ignored("a new webhook's test")
        topic = headers.get("X-WC-Webhook-Topic", "")
        if topic not in ("order.created", "order.updated"):
            return Ignored(f"topic {topic!r} is not one fahuo takes")
        try:
            order = json.loads(body)
            int(order["id"])
        except (ValueError, TypeError, KeyError):
            raise ChannelRefused(link.name, "the body is not a WooCommerce order (JSON with an id)") from None
        status = plain(order.get("status"))
        if status in CANCELLED:
            return PlatformCancel(str(order["id"]), f"{status} in WooCommerce")
        if status not in TAKEN:
            return Ignored(f"an order {status or 'without status'} is not taken yet")
        return read_order(link, order)

    def _auth(self, link: Link) -> dict[str, str]:
        return {"Authorization": aiohttp.encode_basic_auth(link.secret("key"), link.secret("secret"))}

    async def write_back(self, link: Link, note: ShipmentNote) -> None:
        """The tracking note (once: a note already there with this waybill is not added again), then the order
        completed, which WooCommerce tells its customer."""
        orders = f"{link.account.api_url}/wp-json/wc/v3/orders/{note.ref}"
        notes = await call_json(link, "GET", f"{orders}/notes", headers=self._auth(link))
        if not any(note.waybill in str(n.get("note", "")) for n in notes or [] if isinstance(n, dict)):
            await call_json(link, "POST", f"{orders}/notes", body={"note": note.said, "customer_note": True},
                            headers=self._auth(link))
        await call_json(link, "PUT", orders, body={"status": "completed"}, headers=self._auth(link))
