"""Shipments stuck without a carrier, as managers see and resolve them."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, Field

from core.base.auth import Permission
from core.base.fields import WarehouseCode
from core.orders.order import AddressIn
from core.shipping.shipments import shipment_view
from core.shipping.stuck import readdress_stuck, stuck_shipments
from pwa.endpoints import Api, language, reply, said
from pwa.responses import ShipmentOut, StuckShipmentOut
from pwa.security import Principal
from pwa.state import SETTINGS

api = Api()


class StuckQuery(BaseModel):
    warehouse: WarehouseCode | None = Field(default=None, description="warehouse code; all when not given")


@api.route("GET", "/api/stuck-shipments",
           summary="Shipments no carrier is allowed to take, oldest first, with why and the carriers allowed now",
           tag="shipping", permission=Permission.PLAN_DELIVERIES, query=StuckQuery, returns=list[StuckShipmentOut])
async def get_stuck(request: web.Request, who: Principal, query: StuckQuery) -> web.Response:
    return reply(said(request, await stuck_shipments(query.warehouse)))


@api.route("POST", "/api/shipments/{number}/address",
           summary="Correct where a stuck shipment goes; its carrier is chosen again", tag="shipping",
           permission=Permission.PLAN_DELIVERIES, body=AddressIn, returns=ShipmentOut,
           responses={200: "the address corrected and the carrier chosen again", 409: "the shipment is not stuck"})
async def post_address(request: web.Request, who: Principal, number: str, body: AddressIn) -> web.Response:
    settings = request.app[SETTINGS]
    shipment = await readdress_stuck(number, body, who.actor, settings)
    return reply(await shipment_view(shipment, settings, language(request)))
