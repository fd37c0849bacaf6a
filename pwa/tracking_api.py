"""Tracking over HTTP: carriers' webhook, staff reports, polling, and the customer's public page."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import StringConstraints, TypeAdapter, ValidationError

from core.base.auth import Permission
from core.base.errors import NotFound
from core.base.i18n import LANGUAGES, language_of, zone_named
from core.shipping.papers import tracking_html, tracking_missing_html
from core.shipping.tracking import (
    TrackingEventIn,
    TrackingPushIn,
    poll_tracking,
    public_tracking,
    receive_carrier_push,
    receive_push,
    record_by_staff,
    tracking_reader,
)
from pwa.endpoints import Api, reply, said
from pwa.responses import NewEvents, TrackingOut
from pwa.security import Access, Principal
from pwa.state import SETTINGS

api = Api()
# the unguessable token of a tracking link (secrets.token_urlsafe); anything else is not a link of ours
TrackingToken = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_\-]{20,43}$")]
_TOKEN: TypeAdapter[str] = TypeAdapter(TrackingToken)


@api.route("POST", "/api/tracking/{carrier}/webhook",
           summary="A carrier pushes tracking events; X-Fahuo-Signature is the HMAC-SHA256 (hex) of the body",
           tag="tracking", access=Access.PUBLIC, body=TrackingPushIn, returns=NewEvents,
           responses={200: "stored (repeats are ignored)", 401: "the signature does not match"})
async def post_webhook(request: web.Request, who: Principal, carrier: str, body: TrackingPushIn) -> web.Response:
    raw = await request.read()  # the signature covers the bytes as sent
    new = await receive_push(carrier, raw, request.headers.get("X-Fahuo-Signature", ""), body)
    return reply({"new_events": new})


@api.route("POST", "/api/shipments/{number}/tracking", summary="Record a tracking event (own fleet, phone call)",
           tag="tracking", permission=Permission.DISPATCH, body=TrackingEventIn, returns=NewEvents,
           responses={201: "recorded"})
async def post_tracking_event(request: web.Request, who: Principal, number: str, body: TrackingEventIn
                              ) -> web.Response:
    return reply({"new_events": await record_by_staff(number, body, who.actor)}, status=201)


@api.route("POST", "/api/tracking/poll", summary="Ask the carriers about every shipment on the road now",
           tag="tracking", permission=Permission.PLAN_DELIVERIES, returns=NewEvents)
async def post_poll(request: web.Request, who: Principal) -> web.Response:
    return reply({"new_events": await poll_tracking(request.app[SETTINGS])})


@api.route("GET", "/api/track/{token}", summary="A shipment's journey, for whoever holds the tracking link",
           tag="tracking", access=Access.PUBLIC, params={"token": TrackingToken}, returns=TrackingOut)
async def get_tracking(request: web.Request, who: Principal, token: str) -> web.Response:
    return reply(said(request, await public_tracking(token)))


def page_language(request: web.Request, default: str) -> str:
    """The reader's language: the one they chose on the page (?lang=), else their browser's, else `default`
    (what the customer chose in the bot, or the company's)."""
    if request.query.get("lang") in LANGUAGES:
        return request.query["lang"]
    return language_of(request.headers.get("Accept-Language"), default)


async def tracking_page(request: web.Request) -> web.Response:
    """The page behind the link in the customer's message: plain HTML, readable on any phone, in the reader's
    language. A link that is broken or unknown gets a page saying so (404), not an API error."""
    settings = request.app[SETTINGS]
    headers = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
    try:
        token = _TOKEN.validate_python(request.match_info["token"])
        view = await public_tracking(token)
    except (ValidationError, NotFound):
        return web.Response(text=tracking_missing_html(page_language(request, settings.company_language), settings),
                            status=404, content_type="text/html", headers=headers)
    known, zone = await tracking_reader(token)
    lang = page_language(request, known if known in LANGUAGES else settings.company_language)
    return web.Response(text=tracking_html(view, lang, settings, zone_named(zone, settings.tz)),
                        content_type="text/html", headers=headers)


api.routes.get("/t/{token}")(tracking_page)


async def carrier_push(request: web.Request) -> web.Response:
    """A carrier's system pushing tracking in its own format (SF's route push, an aggregator's callback), to
    the address fahuo gave it, secret token included; answered in the words that carrier expects."""
    body = await request.content.read(1_000_000)  # a push of tracking is small; more is not a carrier's
    reply = await receive_carrier_push(request.match_info["carrier"], request.match_info["token"], body,
                                       request.content_type, request.app[SETTINGS])
    return web.Response(status=reply.status, text=reply.body, content_type=reply.content_type.split(";")[0])


api.routes.post("/carriers/{carrier}/push/{token}")(carrier_push)
