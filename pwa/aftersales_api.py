"""After-sales over HTTP: customers' channels open requests, managers decide, the warehouse books returns."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, ConfigDict, StringConstraints

from core.aftersales import (
    AfterSalesRequest,
    DecisionIn,
    RequestIn,
    RequestStatus,
    ReturnIn,
    decide_request,
    open_request,
    receive_return,
    request_by_number,
    request_photo,
    request_view,
    resolve_request,
)
from core.auth import Permission
from core.errors import InvalidInput, NotFound
from core.orders import order_by_number
from pwa.endpoints import Api, query_choice, reply
from pwa.security import Access, Principal
from pwa.state import SETTINGS

api = Api()


async def _visible(request: web.Request, who: Principal) -> AfterSalesRequest:
    found = await request_by_number(request.match_info["number"])
    if not who.may_see_channel(found.order.channel):
        raise NotFound(what="after-sales request", key=found.number)
    return found


@api.route("POST", "/api/after-sales", summary="Open a return, exchange, damage or missing-item request",
           tag="after-sales", access=Access.KEY_OR_STAFF, permission=Permission.OPEN_AFTERSALES, body=RequestIn,
           responses={201: "opened"})
async def post_request(request: web.Request, who: Principal, body: RequestIn) -> web.Response:
    order = await order_by_number(body.order)
    if not who.may_see_channel(order.channel):
        raise NotFound(what="order", key=body.order)
    opened = await open_request(body, who.actor, request.app[SETTINGS])
    return reply(await request_view(await request_by_number(opened.number)), status=201)


@api.route("GET", "/api/after-sales", summary="After-sales requests, newest first", tag="after-sales",
           permission=Permission.HANDLE_AFTERSALES, query={"status": "only requests in this status"})
async def list_requests(request: web.Request, who: Principal) -> web.Response:
    query = AfterSalesRequest.all().order_by("-id").limit(200).prefetch_related("order")
    if status := query_choice(request, "status", RequestStatus):
        query = query.filter(status=status)
    return reply([{"number": r.number, "order": r.order.number, "kind": r.kind, "status": r.status,
                   "created_at": r.created_at.isoformat()} for r in await query])


@api.route("GET", "/api/after-sales/{number}", summary="One request with its history", tag="after-sales",
           access=Access.KEY_OR_STAFF, permission=Permission.OPEN_AFTERSALES)
async def get_request(request: web.Request, who: Principal) -> web.Response:
    return reply(await request_view(await _visible(request, who)))


@api.route("GET", "/api/after-sales/{number}/photos/{index}", summary="A photo sent with a request",
           tag="after-sales", access=Access.KEY_OR_STAFF, permission=Permission.OPEN_AFTERSALES,
           responses={200: "the image"})
async def get_photo(request: web.Request, who: Principal) -> web.Response:
    found = await _visible(request, who)
    if not request.match_info["index"].isdigit():
        raise InvalidInput(detail="a photo is numbered from 1")
    mime, data = await request_photo(found.number, int(request.match_info["index"]))
    return web.Response(body=data, content_type=mime)


@api.route("POST", "/api/after-sales/{number}/decision", summary="Approve or reject a request", tag="after-sales",
           permission=Permission.HANDLE_AFTERSALES, body=DecisionIn)
async def post_decision(request: web.Request, who: Principal, body: DecisionIn) -> web.Response:
    decided = await decide_request(request.match_info["number"], body, who.actor)
    return reply(await request_view(decided))


@api.route("POST", "/api/after-sales/{number}/return", summary="The goods came back: book them into stock",
           tag="after-sales", permission=Permission.RECEIVE_STOCK, body=ReturnIn, once=True)
async def post_return(request: web.Request, who: Principal, body: ReturnIn) -> web.Response:
    received = await receive_return(request.match_info["number"], body, who.actor, request.app[SETTINGS])
    return reply(await request_view(received))


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


@api.route("POST", "/api/after-sales/{number}/resolve", summary="Close a request whose goods came back",
           tag="after-sales", permission=Permission.HANDLE_AFTERSALES, body=ResolveIn)
async def post_resolve(request: web.Request, who: Principal, body: ResolveIn) -> web.Response:
    return reply(await request_view(await resolve_request(request.match_info["number"], body.note, who.actor)))
