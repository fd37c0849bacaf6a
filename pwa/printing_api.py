"""Label printers over HTTP: set them up, print a shipment's or a package's labels or shelf labels on one, and
follow a job until the printer took it."""

from __future__ import annotations

from typing import Annotated, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from core.base.auth import Permission
from core.base.fields import WarehouseCode
from core.shipping.labels import SheetKind
from core.shipping.printing import (
    JobKind,
    PrinterCode,
    PrinterIn,
    job_by_id,
    job_view,
    print_labels,
    printer_view,
    printers_of,
    retry_job,
    save_printer,
)
from pwa.endpoints import Api, language, reply
from pwa.responses import PrinterOut, PrintJobOut
from pwa.security import Principal
from pwa.state import SETTINGS

api = Api()
JobId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class PrintersQuery(BaseModel):
    warehouse: WarehouseCode | None = Field(default=None, description="warehouse code")


@api.route("GET", "/api/printers", summary="Label printers (of a warehouse), with the jobs waiting for each",
           tag="printing", permission=Permission.VIEW_STOCK, query=PrintersQuery, returns=list[PrinterOut])
async def list_printers(request: web.Request, who: Principal, query: PrintersQuery) -> web.Response:
    return reply([await printer_view(p, language(request)) for p in await printers_of(query.warehouse)])


@api.route("POST", "/api/printers", summary="Add a label printer or replace its settings", tag="printing",
           permission=Permission.MANAGE_PRINTERS, body=PrinterIn, returns=PrinterOut, responses={201: "saved"})
async def post_printer(request: web.Request, who: Principal, body: PrinterIn) -> web.Response:
    return reply(await printer_view(await save_printer(body), language(request)), status=201)


class PrintIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    printer: PrinterCode
    lang: Literal["en", "zh"] | None = Field(default=None, description="the labels' language (the company's)")


async def _printed(request: web.Request, who: Principal, kind: JobKind, subject: str, body: PrintIn
                   ) -> web.Response:
    settings = request.app[SETTINGS]
    job = await print_labels(kind, subject, body.printer, body.lang or settings.company_language, who.actor,
                             settings)
    return reply(job_view(await job_by_id(job.id), language(request)))


@api.route("POST", "/api/shipments/{number}/print",
           summary="Print every package label of a shipment on a label printer; the job says if it printed or "
                   "why it waits (it is kept and tried again)",
           tag="printing", permission=Permission.PACK, body=PrintIn, returns=PrintJobOut)
async def print_shipment(request: web.Request, who: Principal, number: str, body: PrintIn) -> web.Response:
    return await _printed(request, who, JobKind.SHIPMENT, number, body)


@api.route("POST", "/api/packages/{number}/print", summary="Print a package's label again on a label printer",
           tag="printing", permission=Permission.PACK, body=PrintIn, returns=PrintJobOut)
async def print_package(request: web.Request, who: Principal, number: str, body: PrintIn) -> web.Response:
    return await _printed(request, who, JobKind.PACKAGE, number, body)


class ShelfPrintIn(PrintIn):
    warehouse: WarehouseCode | None = Field(default=None, description="for location labels")


@api.route("POST", "/api/labels/{kind}/print", summary="Print location or product labels on a label printer",
           tag="printing", permission=Permission.VIEW_STOCK, params={"kind": SheetKind}, body=ShelfPrintIn,
           returns=PrintJobOut)
async def print_shelf_labels(request: web.Request, who: Principal, kind: SheetKind, body: ShelfPrintIn
                             ) -> web.Response:
    job_kind = JobKind.LOCATIONS if kind == SheetKind.LOCATIONS else JobKind.PRODUCTS
    return await _printed(request, who, job_kind, body.warehouse or "", body)


@api.route("GET", "/api/print-jobs/{job}", summary="A print job: printed, or why it waits", tag="printing",
           permission=Permission.VIEW_STOCK, params={"job": JobId}, returns=PrintJobOut)
async def get_print_job(request: web.Request, who: Principal, job: int) -> web.Response:
    return reply(job_view(await job_by_id(job), language(request)))


@api.route("POST", "/api/print-jobs/{job}/retry", summary="Try a waiting print job now", tag="printing",
           permission=Permission.VIEW_STOCK, params={"job": JobId}, returns=PrintJobOut)
async def post_retry(request: web.Request, who: Principal, job: int) -> web.Response:
    return reply(job_view(await retry_job(job, request.app[SETTINGS]), language(request)))
