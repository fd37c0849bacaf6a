"""Finding things over HTTP: the order list with its filters and pages, one search box for any document, phone
or name, and what waits for a person (the manager's home and the lists its counts open)."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, Field, StringConstraints

from core.base.auth import Permission
from core.finding import find_anything
from core.order_list import MOST, PAGE, OrderFilter, order_page
from core.waits import WaitList, waiting_counts, waiting_items
from pwa.endpoints import Api, language, reply, said
from pwa.responses import Found, OrderPage, Waiting, WaitingItem
from pwa.security import Principal
from pwa.state import SETTINGS

api = Api()


class OrderPageQuery(OrderFilter):
    cursor: int | None = Field(default=None, ge=1, description="where the page starts: the `next` of the last page")
    limit: int = Field(default=PAGE, ge=1, le=MOST, description=f"how many, at most {MOST}")


class SearchQuery(BaseModel):
    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] = Field(
        description="a document number (SO, SH, TR, AS, PO, PL, PKG…), a waybill, a phone or a name")


@api.route("GET", "/api/order-list", summary="Orders newest first, filtered, a page at a time (keyset cursor)",
           tag="orders", permission=Permission.VIEW_ORDERS, query=OrderPageQuery, returns=OrderPage)
async def get_order_list(request: web.Request, who: Principal, query: OrderPageQuery) -> web.Response:
    which = OrderFilter.model_validate(query.model_dump(include=set(OrderFilter.model_fields)))
    page = await order_page(which, request.app[SETTINGS].tz, query.cursor, query.limit)
    return reply(said(request, page))


@api.route("GET", "/api/search", summary="Any document by its number, a shipment by its waybill, orders by a "
           "phone or a name: what the caller's role may see", tag="orders", permission=Permission.VIEW_ORDERS,
           query=SearchQuery, returns=list[Found])
async def get_search(request: web.Request, who: Principal, query: SearchQuery) -> web.Response:
    assert who.staff is not None  # staff only: the route takes no API key
    return reply(said(request, await find_anything(query.q, who.staff)))


@api.route("GET", "/api/waiting", summary="How many things of each kind wait for the caller (COUNTs)", tag="reports",
           returns=Waiting)
async def get_waiting(request: web.Request, who: Principal) -> web.Response:
    assert who.staff is not None
    return reply({"counts": await waiting_counts(who.staff)})


@api.route("GET", "/api/waiting/{kind}", summary="The things of one kind that wait, oldest first", tag="reports",
           params={"kind": WaitList}, returns=list[WaitingItem])
async def get_waiting_items(request: web.Request, who: Principal, kind: str) -> web.Response:
    assert who.staff is not None
    return reply(said(request, await waiting_items(kind, who.staff, language(request))))
