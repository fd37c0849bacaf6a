"""Storefronts' webhooks: Shopify and WooCommerce push their orders and cancellations here."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import StringConstraints

from core.channels.connectors import receive_webhook
from pwa.endpoints import Api, reply
from pwa.responses import ChannelWebhookOut
from pwa.security import Access, Principal
from pwa.state import SETTINGS

api = Api()
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
