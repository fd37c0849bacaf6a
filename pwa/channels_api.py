"""Storefronts' webhooks: Shopify and WooCommerce push their orders and cancellations here; and the channels as
a manager looks after them (what each platform has not been told, a failed write-back tried again)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from aiohttp import web
from pydantic import StringConstraints

from core.base.auth import Permission
from core.channels.connectors import receive_webhook
from core.channels.pulling import channel_overview
from core.channels.write_backs import retry_write_back, write_back_view
from pwa.endpoints import Api, language, reply
from pwa.responses import ChannelOut, ChannelWebhookOut, WriteBackOut
from pwa.security import Access, Principal
from pwa.state import SETTINGS

api = Api()
ShipmentNumber = Annotated[str, StringConstraints(min_length=1, max_length=32)]
ChannelName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]  # as FAHUO_CHANNELS names it


@api.route("POST", "/api/channels/{channel}/webhook",
           summary="A storefront pushes an order or its cancellation, signed as its platform signs "
                   "(Shopify: X-Shopify-Hmac-Sha256; WooCommerce: X-WC-Webhook-Signature)",
           tag="channels", access=Access.PUBLIC, params={"channel": ChannelName}, returns=ChannelWebhookOut,
           responses={200: "taken (a repeat changes nothing)", 401: "the signature does not match",
                      404: "no channel of that name", 422: "an order fahuo cannot take; nothing stored"})
async def post_channel_webhook(request: web.Request, who: Principal, channel: str) -> web.Response:
    body = await request.read()  # the signature covers the bytes as sent
    outcome = await receive_webhook(channel, request.headers, body, request.app[SETTINGS])
    return reply({"result": outcome.result, "order": outcome.order})


@api.route("GET", "/api/channels", summary="The configured shop channels: the webhook address to give each "
           "platform or when it was last pulled, and the shipments its platform has not been told of yet",
           tag="channels", access=Access.STAFF, permission=Permission.MANAGE_CHANNELS, returns=list[ChannelOut])
async def get_channels(request: web.Request, who: Principal) -> web.Response:
    lang = language(request)
    return reply([{"name": c.name, "platform": c.platform, "webhook_url": c.webhook_url,
                   "pulled_at": c.pulled_at.isoformat() if c.pulled_at else None,
                   "waiting": [write_back_view(r, lang) for r in c.waiting],
                   "failed": [write_back_view(r, lang) for r in c.failed]}
                  for c in await channel_overview(request.app[SETTINGS])])


@api.route("POST", "/api/channels/write-backs/{shipment}/retry", summary="Tell the platform of a shipment again "
           "after its write-back failed (the scheduler's next round tries it)", tag="channels", access=Access.STAFF,
           permission=Permission.MANAGE_CHANNELS, params={"shipment": ShipmentNumber}, returns=WriteBackOut,
           responses={200: "asked for: the scheduler's next round tries it", 404: "no write-back for that shipment",
                      409: "it has not failed: nothing to retry"})
async def post_write_back_retry(request: web.Request, who: Principal, shipment: str) -> web.Response:
    return reply(write_back_view(await retry_write_back(shipment, datetime.now(UTC)), language(request)))
