"""Outbound webhooks over HTTP: a channel (by its API key) or a manager subscribes a URL to fahuo's events, sends
it a signed test, and reads the log of what was delivered."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, Field

from core.base.auth import Permission
from core.webhooks import (
    DeliveryState,
    WebhookChange,
    WebhookIn,
    WebhookSubscription,
    add_subscription,
    change_subscription,
    deliveries_of,
    delivery_view,
    ping,
    remove_subscription,
    subscription_of,
    subscription_view,
    subscriptions_of,
)
from pwa.endpoints import Api, language, reply
from pwa.responses import WebhookCreated, WebhookDeliveryOut, WebhookOut
from pwa.security import Access, Principal
from pwa.state import SETTINGS

api = Api()
SubscriptionId = Annotated[int, Field(ge=1, le=2**31 - 1)]
KEY_OR_MANAGER, MANAGE, ONE = Access.KEY_OR_STAFF, Permission.MANAGE_WEBHOOKS, {"subscription": SubscriptionId}


class DeliveriesQuery(BaseModel):
    state: DeliveryState | None = Field(default=None, description="only deliveries in this state")
    limit: int = Field(default=50, ge=1, le=500, description="newest first, at most this many")


async def _own(subscription: int, who: Principal) -> WebhookSubscription:
    # a key sees its own subscriptions only; a manager (no key) sees every one
    return await subscription_of(subscription, who.key_id)


@api.route("POST", "/api/webhooks", summary="Subscribe a URL to events; the answer carries the signing secret, "
           "which is never shown again", body=WebhookIn, returns=WebhookCreated, responses={201: "subscribed"},
           tag="webhooks", access=KEY_OR_MANAGER, permission=MANAGE)
async def post_webhook(request: web.Request, who: Principal, body: WebhookIn) -> web.Response:
    subscription, secret = await add_subscription(body, who.key_id, who.channel, who.actor,
                                                request.app[SETTINGS])
    return reply({**subscription_view(subscription), "secret": secret.get_secret_value()}, status=201)


@api.route("GET", "/api/webhooks", summary="Webhook subscriptions (a key's own; every one for a manager)",
           returns=list[WebhookOut], tag="webhooks", access=KEY_OR_MANAGER, permission=MANAGE)
async def get_webhooks(request: web.Request, who: Principal) -> web.Response:
    return reply([subscription_view(s) for s in await subscriptions_of(who.key_id)])


@api.route("PATCH", "/api/webhooks/{subscription}", summary="Pause or resume a subscription, or change its events",
           body=WebhookChange, returns=WebhookOut, tag="webhooks", access=KEY_OR_MANAGER, permission=MANAGE,
           params=ONE)
async def patch_webhook(request: web.Request, who: Principal, subscription: int, body: WebhookChange
                        ) -> web.Response:
    return reply(subscription_view(await change_subscription(await _own(subscription, who), body)))


@api.route("DELETE", "/api/webhooks/{subscription}", summary="End a subscription (its delivery log goes with it)",
           returns=WebhookOut, tag="webhooks", access=KEY_OR_MANAGER, permission=MANAGE, params=ONE)
async def delete_webhook(request: web.Request, who: Principal, subscription: int) -> web.Response:
    found = await _own(subscription, who)
    await remove_subscription(found)
    return reply(subscription_view(found))


@api.route("POST", "/api/webhooks/{subscription}/ping", summary="Send a signed test event now (once) and say "
           "how the receiver answered", returns=WebhookDeliveryOut, tag="webhooks",
           access=KEY_OR_MANAGER, permission=MANAGE, params=ONE)
async def post_ping(request: web.Request, who: Principal, subscription: int) -> web.Response:
    sent = await ping(await _own(subscription, who), request.app[SETTINGS])
    return reply(delivery_view(sent, language(request)))


@api.route("GET", "/api/webhooks/{subscription}/deliveries", summary="The subscription's delivery log, newest "
           "first: state, tries, the receiver's last answer and times", query=DeliveriesQuery,
           returns=list[WebhookDeliveryOut], tag="webhooks",
           access=KEY_OR_MANAGER, permission=MANAGE, params=ONE)
async def get_deliveries(request: web.Request, who: Principal, subscription: int, query: DeliveriesQuery
                         ) -> web.Response:
    found = await deliveries_of(await _own(subscription, who), query.state, query.limit)
    return reply([delivery_view(d, language(request)) for d in found])
