"""Stock over HTTP: levels, receipts, adjustments, transfers and purchase orders."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from core.base.auth import Permission
from core.base.errors import InvalidInput
from core.base.fields import LocationCode, Sku, TimeZoneName, WarehouseCode
from core.base.i18n import phrase
from core.stock.inventory import (
    AdjustmentIn,
    PoReceiptIn,
    ReceiptIn,
    TransferIn,
    adjust_stock,
    create_transfer,
    dispatch_transfer,
    receive_purchase_order,
    receive_stock,
    receive_transfer,
    stock_report,
)
from core.stock.replenishment import PoStatus, cancel_po, confirm_po, list_purchase_orders, po_by_number, po_view
from core.stock.transfers import transfer_by_number, transfer_view
from core.stock.warehouses import list_warehouses, set_warehouse_zone
from pwa.endpoints import Api, reply, said
from pwa.responses import (
    Adjusted,
    PurchaseOrderArrival,
    PurchaseOrderOut,
    Received,
    StockRow,
    TransferArrival,
    TransferOut,
    WarehouseOut,
    WarehouseZoneOut,
)
from pwa.security import Access, Principal
from pwa.state import SETTINGS

api = Api()


class ArrivalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    location: LocationCode | None = None


class WarehouseZoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    time_zone: TimeZoneName = Field(description="IANA name (Asia/Urumqi); empty for the company's own")


class StockQuery(BaseModel):
    sku: Sku | None = Field(default=None, description="one product")
    warehouse: WarehouseCode | None = Field(default=None, description="one warehouse code")


class PoListQuery(BaseModel):
    status: PoStatus | None = Field(default=None, description="only purchase orders in this status")


@api.route("GET", "/api/warehouses", summary="The warehouses in use, for choosing one", tag="stock",
           permission=Permission.VIEW_STOCK, returns=list[WarehouseOut])
async def get_warehouses(request: web.Request, who: Principal) -> web.Response:
    return reply(await list_warehouses(request.app[SETTINGS].tz))


@api.route("PUT", "/api/warehouses/{warehouse}/time-zone", summary="The time zone a warehouse's staff app and papers "
           "say times in", tag="stock", permission=Permission.MANAGE_WAREHOUSES, body=WarehouseZoneIn,
           returns=WarehouseZoneOut)
async def put_warehouse_zone(request: web.Request, who: Principal, warehouse: str, body: WarehouseZoneIn
                             ) -> web.Response:
    return reply(await set_warehouse_zone(warehouse, body.time_zone))


@api.route("GET", "/api/stock", summary="On hand, reserved and available per location", tag="stock",
           access=Access.KEY_OR_STAFF, permission=Permission.VIEW_STOCK,
           query=StockQuery, returns=list[StockRow])
async def get_stock(request: web.Request, who: Principal, query: StockQuery) -> web.Response:
    if not query.sku and not query.warehouse:
        raise InvalidInput(detail=phrase("refuse.sku_or_warehouse"))
    return reply(await stock_report(query.sku, query.warehouse))


@api.route("POST", "/api/stock/receipts", summary="Receive goods without a purchase order", tag="stock",
           permission=Permission.RECEIVE_STOCK, body=ReceiptIn, returns=Received, responses={201: "received"},
           once=True)
async def post_receipt(request: web.Request, who: Principal, body: ReceiptIn) -> web.Response:
    ready = await receive_stock(body, who.actor, request.app[SETTINGS])
    return reply({"received": sum(ln.qty for ln in body.lines), "orders_ready": ready}, status=201)


@api.route("POST", "/api/stock/adjustments", summary="Correct a bin after a count or damage", tag="stock",
           permission=Permission.ADJUST_STOCK, body=AdjustmentIn, returns=Adjusted, responses={201: "adjusted"},
           once=True)
async def post_adjustment(request: web.Request, who: Principal, body: AdjustmentIn) -> web.Response:
    delta = await adjust_stock(body, who.actor, request.app[SETTINGS])
    return reply({"sku": body.sku, "location": body.location, "change": delta}, status=201)


@api.route("POST", "/api/transfers", summary="Move stock to another warehouse (reserves it at the source)",
           tag="transfers", permission=Permission.TRANSFER_STOCK, body=TransferIn, returns=TransferOut,
           responses={201: "created"}, once=True)
async def post_transfer(request: web.Request, who: Principal, body: TransferIn) -> web.Response:
    transfer = await create_transfer(body, who.actor, request.app[SETTINGS])
    return reply(await transfer_view(transfer), status=201)


@api.route("GET", "/api/transfers/{number}", summary="A transfer order", tag="transfers",
           permission=Permission.VIEW_STOCK, returns=TransferOut)
async def get_transfer(request: web.Request, who: Principal, number: str) -> web.Response:
    return reply(await transfer_view(await transfer_by_number(number)))


@api.route("POST", "/api/transfers/{number}/ship", summary="The transfer leaves its source", tag="transfers",
           permission=Permission.TRANSFER_STOCK, returns=TransferOut, once=True)
async def ship(request: web.Request, who: Principal, number: str) -> web.Response:
    return reply(await transfer_view(await dispatch_transfer(number, who.actor)))


@api.route("POST", "/api/transfers/{number}/receive", summary="The transfer arrives at its target",
           tag="transfers", permission=Permission.TRANSFER_STOCK, body=ArrivalIn, returns=TransferArrival, once=True)
async def arrive(request: web.Request, who: Principal, number: str, body: ArrivalIn) -> web.Response:
    ready = await receive_transfer(number, body.location, who.actor, request.app[SETTINGS])
    return reply({**await transfer_view(await transfer_by_number(number)), "orders_ready": ready})


@api.route("GET", "/api/purchase-orders", summary="Purchase orders, newest first", tag="purchasing",
           permission=Permission.MANAGE_PURCHASING, query=PoListQuery, returns=list[PurchaseOrderOut])
async def list_pos(request: web.Request, who: Principal, query: PoListQuery) -> web.Response:
    return reply(said(request, await list_purchase_orders(query.status)))


@api.route("GET", "/api/purchase-orders/{number}", summary="A purchase order", tag="purchasing",
           permission=Permission.MANAGE_PURCHASING, returns=PurchaseOrderOut)
async def get_po(request: web.Request, who: Principal, number: str) -> web.Response:
    return reply(said(request, await po_view(await po_by_number(number))))


@api.route("POST", "/api/purchase-orders/{number}/confirm", summary="Send a draft to the supplier",
           tag="purchasing", permission=Permission.MANAGE_PURCHASING, returns=PurchaseOrderOut, once=True)
async def confirm(request: web.Request, who: Principal, number: str) -> web.Response:
    return reply(said(request, await po_view(await confirm_po(number))))


@api.route("POST", "/api/purchase-orders/{number}/cancel", summary="Cancel a purchase order not yet received",
           tag="purchasing", permission=Permission.MANAGE_PURCHASING, returns=PurchaseOrderOut, once=True)
async def cancel(request: web.Request, who: Principal, number: str) -> web.Response:
    return reply(said(request, await po_view(await cancel_po(number))))


@api.route("POST", "/api/purchase-orders/{number}/receive", summary="Receive goods of a confirmed purchase order",
           tag="purchasing", permission=Permission.RECEIVE_STOCK, body=PoReceiptIn, returns=PurchaseOrderArrival,
           once=True)
async def receive_po(request: web.Request, who: Principal, number: str, body: PoReceiptIn) -> web.Response:
    ready = await receive_purchase_order(number, body, who.actor, request.app[SETTINGS])
    return reply(said(request, {**await po_view(await po_by_number(number)), "orders_ready": ready}))
