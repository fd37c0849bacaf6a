"""Addresses read from free text: what a pasted address says, before anyone places an order with it."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from core.base.auth import Permission
from core.base.fields import AddressText
from core.orders.addresses import address_view
from pwa.endpoints import Api, reply, said
from pwa.responses import AddressRead
from pwa.security import Access, Principal

api = Api()


class AddressTextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: AddressText = Field(description="an address as people write it, with or without the recipient's name "
                                          "and phone, in any order, e.g. 张三 13800138000 北京市朝阳区建国路88号")


@api.route("POST", "/api/addresses/parse", summary="Read a Chinese address written as free text into its parts",
           tag="orders", access=Access.KEY_OR_STAFF, permission=Permission.PLACE_ORDER, body=AddressTextIn,
           returns=AddressRead)
async def post_parse(request: web.Request, who: Principal, body: AddressTextIn) -> web.Response:
    return reply(said(request, address_view(body.text)))
