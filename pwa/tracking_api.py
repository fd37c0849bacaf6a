"""Tracking over HTTP: carriers' webhook, staff reports, polling, and the customer's public page."""

from __future__ import annotations

from aiohttp import web

from core.base.auth import Permission
from core.base.errors import InvalidInput
from core.shipping.documents import tracking_html
from core.shipping.tracking import (
    TrackingEventIn,
    TrackingPushIn,
    poll_tracking,
    public_tracking,
    receive_push,
    record_by_staff,
)
from pwa.endpoints import Api, read_body, reply
from pwa.security import Access, Principal
from pwa.state import SETTINGS

api = Api()


@api.route("POST", "/api/tracking/{carrier}/webhook",
           summary="A carrier pushes tracking events; X-Fahuo-Signature is the HMAC-SHA256 (hex) of the body",
           tag="tracking", access=Access.PUBLIC, responses={200: "stored (repeats are ignored)"})
async def post_webhook(request: web.Request, who: Principal) -> web.Response:
    raw = await request.read()
    push = await read_body(request, TrackingPushIn)
    new = await receive_push(request.match_info["carrier"], raw, request.headers.get("X-Fahuo-Signature", ""), push)
    return reply({"new_events": new})


@api.route("POST", "/api/shipments/{number}/tracking", summary="Record a tracking event (own fleet, phone call)",
           tag="tracking", permission=Permission.DISPATCH, body=TrackingEventIn, responses={201: "recorded"})
async def post_tracking_event(request: web.Request, who: Principal, body: TrackingEventIn) -> web.Response:
    return reply({"new_events": await record_by_staff(request.match_info["number"], body, who.actor)}, status=201)


@api.route("POST", "/api/tracking/poll", summary="Ask the carriers about every shipment on the road now",
           tag="tracking", permission=Permission.PLAN_DELIVERIES)
async def post_poll(request: web.Request, who: Principal) -> web.Response:
    return reply({"new_events": await poll_tracking(request.app[SETTINGS])})


@api.route("GET", "/api/track/{token}", summary="A shipment's journey, for whoever holds the tracking link",
           tag="tracking", access=Access.PUBLIC)
async def get_tracking(request: web.Request, who: Principal) -> web.Response:
    return reply(await public_tracking(_token(request)))


def _token(request: web.Request) -> str:
    token = request.match_info["token"]
    if not 20 <= len(token) <= 43 or not token.replace("-", "").replace("_", "").isalnum():
        raise InvalidInput(detail="this is not a tracking link")
    return token


async def tracking_page(request: web.Request) -> web.Response:
    """The page behind the link in the customer's message: plain HTML, readable on any phone."""
    view = await public_tracking(_token(request))
    return web.Response(text=tracking_html(view), content_type="text/html",
                        headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"})


api.routes.get("/t/{token}")(tracking_page)
