"""Transfers over HTTP, as the floor works them: the open transfers of a warehouse, to ship or to receive."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, Field

from core.base.auth import Permission
from core.base.fields import WarehouseCode
from core.stock.transfers import TransferStatus, list_transfers
from core.stock.warehouses import warehouse_by_code
from pwa.endpoints import Api, reply
from pwa.responses import TransferOut
from pwa.security import Principal

api = Api()


class TransferListQuery(BaseModel):
    warehouse: WarehouseCode | None = Field(default=None, description="transfers leaving or arriving here")
    status: TransferStatus | None = Field(default=None, description="only this status; open ones when not given")


@api.route("GET", "/api/transfers", summary="Transfers to ship or on the road (or of one status), newest first",
           tag="transfers", permission=Permission.VIEW_STOCK, query=TransferListQuery, returns=list[TransferOut])
async def get_transfers(request: web.Request, who: Principal, query: TransferListQuery) -> web.Response:
    warehouse = await warehouse_by_code(query.warehouse) if query.warehouse else None
    return reply(await list_transfers(warehouse, query.status))
