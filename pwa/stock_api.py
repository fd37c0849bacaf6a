"""Stock over HTTP: levels, receipts, adjustments, transfers and purchase orders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, ConfigDict, StringConstraints
from tortoise.transactions import in_transaction

from core.auth import Permission
from core.errors import InvalidInput
from core.inventory import (
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
from core.replenishment import PoStatus, PurchaseOrder, cancel_po, confirm_po, po_by_number, po_view
from core.transfers import transfer_by_number, transfer_view
from pwa.endpoints import Api, query_choice, reply
from pwa.security import Access, Principal
from pwa.state import SETTINGS

api = Api()


class ArrivalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    location: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None = None


@api.route("GET", "/api/stock", summary="On hand, reserved and available per location", tag="stock",
           access=Access.KEY_OR_STAFF, permission=Permission.VIEW_STOCK,
           query={"sku": "one product", "warehouse": "one warehouse code"})
async def get_stock(request: web.Request, who: Principal) -> web.Response:
    sku, warehouse = request.query.get("sku"), request.query.get("warehouse")
    if not sku and not warehouse:
        raise InvalidInput(detail="name a sku, a warehouse, or both")
    return reply(await stock_report(sku, warehouse))


@api.route("POST", "/api/stock/receipts", summary="Receive goods without a purchase order", tag="stock",
           permission=Permission.RECEIVE_STOCK, body=ReceiptIn, responses={201: "received"}, once=True)
async def post_receipt(request: web.Request, who: Principal, body: ReceiptIn) -> web.Response:
    ready = await receive_stock(body, who.actor, request.app[SETTINGS])
    return reply({"received": sum(ln.qty for ln in body.lines), "orders_ready": ready}, status=201)


@api.route("POST", "/api/stock/adjustments", summary="Correct a bin after a count or damage", tag="stock",
           permission=Permission.ADJUST_STOCK, body=AdjustmentIn, responses={201: "adjusted"}, once=True)
async def post_adjustment(request: web.Request, who: Principal, body: AdjustmentIn) -> web.Response:
    delta = await adjust_stock(body, who.actor, request.app[SETTINGS])
    return reply({"sku": body.sku, "location": body.location, "change": delta}, status=201)


@api.route("POST", "/api/transfers", summary="Move stock to another warehouse (reserves it at the source)",
           tag="transfers", permission=Permission.TRANSFER_STOCK, body=TransferIn, responses={201: "created"},
           once=True)
async def post_transfer(request: web.Request, who: Principal, body: TransferIn) -> web.Response:
    transfer = await create_transfer(body, who.actor, request.app[SETTINGS])
    return reply(await transfer_view(transfer), status=201)


@api.route("GET", "/api/transfers/{number}", summary="A transfer order", tag="transfers",
           permission=Permission.VIEW_STOCK)
async def get_transfer(request: web.Request, who: Principal) -> web.Response:
    return reply(await transfer_view(await transfer_by_number(request.match_info["number"])))


@api.route("POST", "/api/transfers/{number}/ship", summary="The transfer leaves its source", tag="transfers",
           permission=Permission.TRANSFER_STOCK, once=True)
async def ship(request: web.Request, who: Principal) -> web.Response:
    return reply(await transfer_view(await dispatch_transfer(request.match_info["number"], who.actor)))


@api.route("POST", "/api/transfers/{number}/receive", summary="The transfer arrives at its target",
           tag="transfers", permission=Permission.TRANSFER_STOCK, body=ArrivalIn, once=True)
async def arrive(request: web.Request, who: Principal, body: ArrivalIn) -> web.Response:
    number = request.match_info["number"]
    ready = await receive_transfer(number, body.location, who.actor, request.app[SETTINGS])
    return reply({**await transfer_view(await transfer_by_number(number)), "orders_ready": ready})


@api.route("GET", "/api/purchase-orders", summary="Purchase orders, newest first", tag="purchasing",
           permission=Permission.MANAGE_PURCHASING, query={"status": "draft, confirmed, …"})
async def list_pos(request: web.Request, who: Principal) -> web.Response:
    query = PurchaseOrder.all().order_by("-id")
    if status := query_choice(request, "status", PoStatus):
        query = query.filter(status=status)
    return reply([await po_view(po) for po in await query.limit(200)])


@api.route("GET", "/api/purchase-orders/{number}", summary="A purchase order", tag="purchasing",
           permission=Permission.MANAGE_PURCHASING)
async def get_po(request: web.Request, who: Principal) -> web.Response:
    return reply(await po_view(await po_by_number(request.match_info["number"])))


@api.route("POST", "/api/purchase-orders/{number}/confirm", summary="Send a draft to the supplier",
           tag="purchasing", permission=Permission.MANAGE_PURCHASING, once=True)
async def confirm(request: web.Request, who: Principal) -> web.Response:
    return await _change_po(request, confirm_po)


@api.route("POST", "/api/purchase-orders/{number}/cancel", summary="Cancel a purchase order not yet received",
           tag="purchasing", permission=Permission.MANAGE_PURCHASING, once=True)
async def cancel(request: web.Request, who: Principal) -> web.Response:
    return await _change_po(request, cancel_po)


async def _change_po(request: web.Request, change: Callable[[PurchaseOrder], Awaitable[None]]) -> web.Response:
    async with in_transaction():
        po = await po_by_number(request.match_info["number"])
        await change(po)
    return reply(await po_view(po))


@api.route("POST", "/api/purchase-orders/{number}/receive", summary="Receive goods of a confirmed purchase order",
           tag="purchasing", permission=Permission.RECEIVE_STOCK, body=PoReceiptIn, once=True)
async def receive_po(request: web.Request, who: Principal, body: PoReceiptIn) -> web.Response:
    number = request.match_info["number"]
    ready = await receive_purchase_order(number, body, who.actor, request.app[SETTINGS])
    return reply({**await po_view(await po_by_number(number)), "orders_ready": ready})
