"""After-sales over HTTP: customers' channels open requests, managers decide, the warehouse books returns."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from core.base.auth import Permission
from core.base.errors import NotFound
from core.base.fields import Note
from core.orders.order import order_by_number
from core.shipping.aftersales import (
    MAX_PHOTOS,
    AfterSalesDecisionIn,
    AfterSalesRequest,
    RequestIn,
    RequestStatus,
    ReturnIn,
    decide_request,
    list_requests,
    open_request,
    receive_return,
    request_by_number,
    request_photo,
    request_view,
    resolve_request,
)
from pwa.endpoints import Api, reply, said
from pwa.responses import AfterSalesOut
from pwa.security import Access, Principal
from pwa.state import SETTINGS

api = Api()
PhotoIndex = Annotated[int, Field(ge=1, le=MAX_PHOTOS)]  # photos are numbered from 1


class RequestListQuery(BaseModel):
    status: RequestStatus | None = Field(default=None, description="only requests in this status")


async def _visible(number: str, who: Principal) -> AfterSalesRequest:
    found = await request_by_number(number)
    if not who.may_see_channel(found.order.channel):
        raise NotFound(what="after-sales request", key=found.number)
    return found


@api.route("POST", "/api/after-sales", summary="Open a return, exchange, damage or missing-item request",
           tag="after-sales", access=Access.KEY_OR_STAFF, permission=Permission.OPEN_AFTERSALES, body=RequestIn,
           returns=AfterSalesOut, responses={201: "opened"})
async def post_request(request: web.Request, who: Principal, body: RequestIn) -> web.Response:
    order = await order_by_number(body.order)
    if not who.may_see_channel(order.channel):
        raise NotFound(what="order", key=body.order)
    opened = await open_request(body, who.actor, request.app[SETTINGS])
    return reply(said(request, await request_view(await request_by_number(opened.number))), status=201)


@api.route("GET", "/api/after-sales", summary="After-sales requests, newest first", tag="after-sales",
           permission=Permission.HANDLE_AFTERSALES, query=RequestListQuery, returns=list[AfterSalesOut])
async def get_requests(request: web.Request, who: Principal, query: RequestListQuery) -> web.Response:
    return reply(said(request, await list_requests(query.status)))


@api.route("GET", "/api/after-sales/{number}", summary="One request with its history", tag="after-sales",
           access=Access.KEY_OR_STAFF, permission=Permission.OPEN_AFTERSALES, returns=AfterSalesOut)
async def get_request(request: web.Request, who: Principal, number: str) -> web.Response:
    return reply(said(request, await request_view(await _visible(number, who))))


@api.route("GET", "/api/after-sales/{number}/photos/{index}", summary="A photo sent with a request",
           tag="after-sales", access=Access.KEY_OR_STAFF, permission=Permission.OPEN_AFTERSALES,
           params={"index": PhotoIndex}, media="image/*", responses={200: "the image"})
async def get_photo(request: web.Request, who: Principal, number: str, index: int) -> web.Response:
    found = await _visible(number, who)
    mime, data = await request_photo(found.number, index)
    return web.Response(body=data, content_type=mime)


@api.route("POST", "/api/after-sales/{number}/decision", summary="Approve or reject a request", tag="after-sales",
           permission=Permission.HANDLE_AFTERSALES, body=AfterSalesDecisionIn, returns=AfterSalesOut)
async def post_decision(request: web.Request, who: Principal, number: str, body: AfterSalesDecisionIn
                        ) -> web.Response:
    decided = await decide_request(number, body, who.actor, request.app[SETTINGS])
    return reply(said(request, await request_view(decided)))


@api.route("POST", "/api/after-sales/{number}/return", summary="The goods came back: book them into stock",
           tag="after-sales", permission=Permission.RECEIVE_STOCK, body=ReturnIn, returns=AfterSalesOut,
           once=True)
async def post_return(request: web.Request, who: Principal, number: str, body: ReturnIn) -> web.Response:
    received = await receive_return(number, body, who.actor, request.app[SETTINGS])
    return reply(said(request, await request_view(received)))


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Annotated[Note, StringConstraints(min_length=1)]


@api.route("POST", "/api/after-sales/{number}/resolve", summary="Close a request whose goods came back",
           tag="after-sales", permission=Permission.HANDLE_AFTERSALES, body=ResolveIn, returns=AfterSalesOut)
async def post_resolve(request: web.Request, who: Principal, number: str, body: ResolveIn) -> web.Response:
    return reply(said(request, await request_view(await resolve_request(number, body.note, who.actor))))
