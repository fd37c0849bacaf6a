"""The day's route plans as the dispatch desk reads them, and each van's route sent to its driver."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from core.base.auth import Permission
from core.base.fields import WarehouseCode
from core.shipping.fleet import plans_of_day, send_route_to_driver
from pwa.endpoints import Api, reply, said
from pwa.responses import RoutePlanOut, RouteSent
from pwa.security import Principal
from pwa.state import SETTINGS

api = Api()
Plate = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=2, max_length=16)]


class PlansQuery(BaseModel):
    warehouse: WarehouseCode = Field(description="warehouse code")
    day: date | None = Field(default=None, description="the delivery day; today where the warehouse is when not given")


class SendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    plate: Plate


@api.route("GET", "/api/route-plans", summary="The route plans of a warehouse's day, the latest first",
           tag="fleet", permission=Permission.VIEW_ORDERS, query=PlansQuery, returns=list[RoutePlanOut])
async def get_plans(request: web.Request, who: Principal, query: PlansQuery) -> web.Response:
    return reply(said(request, await plans_of_day(query.warehouse, query.day, request.app[SETTINGS])))


@api.route("POST", "/api/route-plans/{number}/send", summary="Send one van's route to its driver's Telegram",
           tag="fleet", permission=Permission.PLAN_DELIVERIES, body=SendIn, returns=RouteSent, once=True,
           responses={409: "the driver has no Telegram chat linked: nothing was sent"})
async def post_send(request: web.Request, who: Principal, number: str, body: SendIn) -> web.Response:
    return reply(await send_route_to_driver(number, body.plate, request.app[SETTINGS]))
