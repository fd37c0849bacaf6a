"""Orders taken by phone: find the caller, offer what is in stock, place the order and say how review went."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, Field, StringConstraints

from core.base.auth import Permission
from core.base.fields import HOME_COUNTRY, Country
from core.orders.customers import find_customers
from core.orders.delivery_days import delivery_window
from core.orders.intake import PhoneOrderIn, take_phone_order
from core.orders.order import order_view
from core.stock.inventory import availability
from pwa.endpoints import Api, reply, said
from pwa.responses import CustomerFound, DeliveryDaysOut, OrderOut, ProductAvailability
from pwa.security import Principal
from pwa.state import SETTINGS

api = Api()
SearchText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]


class CustomerQuery(BaseModel):
    q: SearchText = Field(description="part of a phone number (any spelling) or of a name")


class DeliveryDaysQuery(BaseModel):
    province: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = Field(
        default="", description="where it goes (a province as written in addresses)")
    country: Country = HOME_COUNTRY
    skus: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000,
                                           pattern=r"^([^,]{1,64}(,[^,]{1,64}){0,49})?$")] = Field(
        default="", description="the products, up to 50 comma-separated SKUs (their goods classes decide the "
                                "carriers)")


class ProductQuery(BaseModel):
    q: SearchText = Field(default="", description="part of a SKU or name, or a barcode; none lists the first ones")


@api.route("GET", "/api/customers", summary="Customers by part of their phone number or name", tag="orders",
           permission=Permission.PLACE_ORDER, query=CustomerQuery, returns=list[CustomerFound])
async def get_customers(request: web.Request, who: Principal, query: CustomerQuery) -> web.Response:
    return reply(await find_customers(query.q))


@api.route("GET", "/api/delivery-days", summary="The days a delivery there may be asked for: from the earliest a "
           "carrier makes (today only before its cut-off) to two weeks ahead", tag="orders",
           permission=Permission.PLACE_ORDER, query=DeliveryDaysQuery, returns=DeliveryDaysOut)
async def get_delivery_days(request: web.Request, who: Principal, query: DeliveryDaysQuery) -> web.Response:
    skus = [sku.strip() for sku in query.skus.split(",") if sku.strip()]
    window = await delivery_window(query.province, query.country, skus, datetime.now(request.app[SETTINGS].tz))
    return reply({"earliest": window.earliest.isoformat(), "latest": window.latest.isoformat(),
                  "days": [day.isoformat() for day in window.days()]})


@api.route("GET", "/api/availability", summary="Products on sale with the units free now in each warehouse",
           tag="stock", permission=Permission.VIEW_STOCK, query=ProductQuery, returns=list[ProductAvailability])
async def get_availability(request: web.Request, who: Principal, query: ProductQuery) -> web.Response:
    return reply(await availability(query.q))


@api.route("POST", "/api/phone-orders", summary="Place an order taken on the phone; the answer says how review went",
           tag="orders", permission=Permission.PLACE_ORDER, body=PhoneOrderIn, returns=OrderOut,
           responses={201: "placed: approved and allocated, held for a manager, or rejected (see status, review)"},
           once=True)
async def post_phone_order(request: web.Request, who: Principal, body: PhoneOrderIn) -> web.Response:
    placed = await take_phone_order(body, who.actor, request.app[SETTINGS])
    return reply(said(request, await order_view(placed.order)), status=201)
