"""Orders over HTTP: intake from channels and staff, lookup, and managers' decisions."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from core.base.auth import Permission
from core.base.errors import NotFound
from core.base.fields import Note
from core.base.i18n import phrase
from core.orders.intake import place_order
from core.orders.order import Order, OrderIn, OrderStatus, list_orders, order_by_number, order_view
from core.orders.payments import record_payment
from core.orders.review import decide_held
from core.shipping.cancellation import cancel_order
from pwa.endpoints import Api, language, reply, said
from pwa.responses import OrderOut, OrderSummary
from pwa.security import Access, Principal
from pwa.state import SETTINGS

api = Api()


class OrderDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Note = ""


class OrderListQuery(BaseModel):
    status: OrderStatus | None = Field(default=None, description="only orders in this status")
    limit: int = Field(default=100, ge=1, le=500, description="how many, at most 500")
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = Field(
        default=None, description="only the orders of the customer with this phone")


async def _visible_order(number: str, principal: Principal) -> Order:
    order = await order_by_number(number)
    if not principal.may_see_channel(order.channel):
        raise NotFound(what="order", key=order.number)  # another channel's order does not exist for you
    return order


@api.route("POST", "/api/orders", summary="Place an order", tag="orders", access=Access.KEY_OR_STAFF,
           permission=Permission.PLACE_ORDER, body=OrderIn, returns=OrderOut,
           responses={201: "order created", 200: "this external_ref was received before: the existing order"})
async def post_order(request: web.Request, who: Principal, body: OrderIn) -> web.Response:
    channel = who.channel or "staff"
    placed = await place_order(body, channel, who.actor, request.app[SETTINGS])
    return reply(said(request, await order_view(placed.order)), status=201 if placed.created else 200)


@api.route("GET", "/api/orders", summary="List orders, newest first", tag="orders",
           permission=Permission.VIEW_ORDERS, query=OrderListQuery, returns=list[OrderSummary])
async def get_orders(request: web.Request, who: Principal, query: OrderListQuery) -> web.Response:
    return reply(await list_orders(query.status, query.phone, query.limit, language(request)))


@api.route("GET", "/api/orders/{number}", summary="An order: status, lines, reservations, history", tag="orders",
           access=Access.KEY_OR_STAFF, permission=Permission.VIEW_ORDERS, returns=OrderOut)
async def get_order(request: web.Request, who: Principal, number: str) -> web.Response:
    return reply(said(request, await order_view(await _visible_order(number, who))))


@api.route("POST", "/api/orders/{number}/approve", summary="Approve a held order", tag="orders",
           permission=Permission.REVIEW_ORDERS, body=OrderDecisionIn, returns=OrderOut, once=True)
async def approve(request: web.Request, who: Principal, number: str, body: OrderDecisionIn) -> web.Response:
    order = await decide_held(number, True, who.actor, body.reason, request.app[SETTINGS])
    return reply(said(request, await order_view(order)))


@api.route("POST", "/api/orders/{number}/reject", summary="Reject a held order (reason required)", tag="orders",
           permission=Permission.REVIEW_ORDERS, body=OrderDecisionIn, returns=OrderOut, once=True)
async def reject(request: web.Request, who: Principal, number: str, body: OrderDecisionIn) -> web.Response:
    order = await decide_held(number, False, who.actor, body.reason, request.app[SETTINGS])
    return reply(said(request, await order_view(order)))


@api.route("POST", "/api/orders/{number}/cancel", summary="Cancel an order not yet shipped", tag="orders",
           access=Access.KEY_OR_STAFF, permission=Permission.CANCEL_ORDERS, body=OrderDecisionIn,
           returns=OrderOut, once=True)
async def cancel(request: web.Request, who: Principal, number: str, body: OrderDecisionIn) -> web.Response:
    order = await _visible_order(number, who)
    cancelled = await cancel_order(order.number, who.actor, body.reason or phrase("history.cancelled"))
    return reply(said(request, await order_view(cancelled)))


@api.route("POST", "/api/orders/{number}/paid", summary="Record that a prepaid order was paid (repeats are fine)",
           tag="orders", access=Access.KEY_OR_STAFF, permission=Permission.PLACE_ORDER, returns=OrderOut)
async def paid(request: web.Request, who: Principal, number: str) -> web.Response:
    order = await _visible_order(number, who)
    return reply(said(request, await order_view(await record_payment(order.number, who.actor, request.app[SETTINGS]))))
