"""From shelf to truck over HTTP: pick lists, scans, packing, carriers, papers, vans, route plans, dispatch."""

from __future__ import annotations

from datetime import date
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from core.base.auth import Permission, Staff
from core.base.fields import CarrierCode, Number, ScannedCode, WarehouseCode
from core.base.i18n import text
from core.floor.picking import (
    MAX_BATCH,
    PickListStatus,
    list_pick_lists,
    pick_list_by_number,
    pick_progress,
    start_pick_list,
)
from core.floor.scanning import ScanIn
from core.lookup import look_up
from core.reports import dashboard, stock_summary
from core.scans import apply_scan
from core.shipping.carriers import CarrierIn, carrier_view, list_carriers, save_carrier
from core.shipping.dispatch import confirm_dispatch
from core.shipping.documents import DocumentKind
from core.shipping.fleet import (
    VehicleIn,
    list_vehicles,
    plan_by_number,
    plan_deliveries,
    plan_view,
    save_vehicle,
    vehicle_view,
)
from core.shipping.labels import SheetKind, label_sheet, package_label, package_qr_svg, sheet_html, sheet_pdf
from core.shipping.packing import PackIn, pack_order
from core.shipping.papers import printed_paper, render_html, render_pdf
from core.shipping.shipments import book_carrier, shipment_by_number, shipment_view
from core.shipping.thermal import label_png
from pwa.endpoints import Api, language, reply, said
from pwa.responses import (
    CarrierOut,
    DashboardOut,
    Dispatched,
    LookupOut,
    PickListOut,
    PickListSummary,
    RoutePlanOut,
    ScanAnswer,
    ShipmentOut,
    StockSummaryRow,
    VehicleOut,
)
from pwa.security import Principal
from pwa.state import SETTINGS

api = Api()
Format = Literal["html", "pdf"]
PAPER_MEDIA = ("text/html", "application/pdf")


def member(who: Principal) -> Staff:
    assert who.staff is not None  # these endpoints are for staff sessions only
    return who.staff


class PickListIn(BaseModel):
    """Either the orders to pick, or a warehouse whose oldest ready orders fill one cart."""

    model_config = ConfigDict(extra="forbid")
    orders: list[Number] = Field(default=[], max_length=MAX_BATCH)
    warehouse: WarehouseCode | None = None
    max_orders: int = Field(default=6, ge=1, le=MAX_BATCH)

    @model_validator(mode="after")
    def _one_way(self) -> PickListIn:
        if bool(self.orders) == bool(self.warehouse):
            raise PydanticCustomError("invalid.orders_or_warehouse", "give either orders or a warehouse")
        return self


@api.route("POST", "/api/pick-lists", summary="Make a pick list (one tote per order), tasks in walking order",
           tag="picking", permission=Permission.PICK, body=PickListIn, returns=PickListOut,
           responses={201: "created"}, once=True)
async def post_pick_list(request: web.Request, who: Principal, body: PickListIn) -> web.Response:
    pick_list = await start_pick_list(body.orders, body.warehouse, body.max_orders, who.actor, request.app[SETTINGS])
    return reply(said(request, await pick_progress(pick_list)), status=201)


class PickListQuery(BaseModel):
    warehouse: WarehouseCode | None = Field(default=None, description="warehouse code")
    status: PickListStatus = Field(default=PickListStatus.OPEN, description="open or done")


@api.route("GET", "/api/pick-lists", summary="Open pick lists of a warehouse", tag="picking",
           permission=Permission.PICK, query=PickListQuery, returns=list[PickListSummary])
async def get_pick_lists(request: web.Request, who: Principal, query: PickListQuery) -> web.Response:
    return reply(await list_pick_lists(query.status, query.warehouse))


@api.route("GET", "/api/pick-lists/{number}", summary="A pick list with its tasks and the next step",
           tag="picking", permission=Permission.PICK, returns=PickListOut)
async def get_pick_list(request: web.Request, who: Principal, number: str) -> web.Response:
    return reply(said(request, await pick_progress(await pick_list_by_number(number))))


@api.route("POST", "/api/scans", summary="Apply one scan (pick, short pick, loading); replays are answered once",
           tag="scanning", body=ScanIn, returns=ScanAnswer,
           responses={200: "applied, or the answer to an earlier copy of this scan (replayed: true)",
                      409: "wrong scan: the message says what was expected; nothing changed"})
async def post_scan(request: web.Request, who: Principal, body: ScanIn) -> web.Response:
    return reply(said(request, await apply_scan(body, member(who), request.app[SETTINGS])))


@api.route("POST", "/api/orders/{number}/packages", summary="Pack a picked order; a carrier is booked at once",
           tag="packing", permission=Permission.PACK, body=PackIn, returns=ShipmentOut,
           responses={201: "packed", 200: "these packages were recorded before: their shipment (replayed: true)"})
async def post_packages(request: web.Request, who: Principal, number: str, body: PackIn) -> web.Response:
    settings = request.app[SETTINGS]
    packed = await pack_order(number, body, who.actor, settings)
    view = await shipment_view(packed.shipment, settings, language(request))
    return reply(view, status=201) if packed.created else reply({**view, "replayed": True})


class LanguageQuery(BaseModel):
    lang: Literal["en", "zh"] | None = Field(default=None, description="the language to print in")


@api.route("GET", "/api/packages/{number}/label.png",
           summary="A package's label (100 × 150 mm): recipient, address, carrier, waybill barcode, QR",
           tag="packing", permission=Permission.VIEW_ORDERS, query=LanguageQuery, media="image/png")
async def get_label_png(request: web.Request, who: Principal, number: str, query: LanguageQuery) -> web.Response:
    settings = request.app[SETTINGS]
    label = await package_label(number, query.lang or settings.company_language, settings)
    return web.Response(body=label_png(label), content_type="image/png")


@api.route("GET", "/api/packages/{number}/label.svg", summary="A package's QR code as SVG", tag="packing",
           permission=Permission.VIEW_ORDERS, media="image/svg+xml")
async def get_label_svg(request: web.Request, who: Principal, number: str) -> web.Response:
    return web.Response(text=await package_qr_svg(number), content_type="image/svg+xml")


@api.route("GET", "/api/shipments/{number}", summary="A shipment: carrier and why, packages, loading",
           tag="shipping", permission=Permission.VIEW_ORDERS, returns=ShipmentOut)
async def get_shipment(request: web.Request, who: Principal, number: str) -> web.Response:
    settings = request.app[SETTINGS]
    return reply(await shipment_view(await shipment_by_number(number), settings, language(request)))


class BookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    carrier: CarrierCode | None = None


@api.route("POST", "/api/shipments/{number}/carrier",
           summary="Choose the carrier again, or take the one named (if its rules allow)", tag="shipping",
           permission=Permission.PLAN_DELIVERIES, body=BookIn, returns=ShipmentOut)
async def post_carrier_choice(request: web.Request, who: Principal, number: str, body: BookIn) -> web.Response:
    settings = request.app[SETTINGS]
    shipment = await book_carrier(number, who.actor, settings, carrier_code=body.carrier)
    return reply(await shipment_view(shipment, settings, language(request)))


@api.route("POST", "/api/shipments/{number}/dispatch",
           summary="Confirm the loaded shipment left: stock out, order shipped, confirmation issued",
           tag="shipping", permission=Permission.DISPATCH, returns=Dispatched, once=True)
async def post_dispatch(request: web.Request, who: Principal, number: str) -> web.Response:
    return reply(await confirm_dispatch(number, member(who), request.app[SETTINGS], language(request)))


KINDS = {"waybill": DocumentKind.WAYBILL, "delivery-note": DocumentKind.DELIVERY_NOTE,
         "confirmation": DocumentKind.CONFIRMATION}
PaperKind = Literal["waybill", "delivery-note", "confirmation"]


@api.route("GET", "/api/shipments/{number}/documents/{kind}.{fmt}",
           summary="A printable paper (waybill, delivery-note, confirmation) as html or pdf; in the customer's "
                   "language (delivery note, waybill) or the company's (confirmation) unless lang says",
           tag="shipping", permission=Permission.VIEW_ORDERS, params={"kind": PaperKind, "fmt": Format},
           query=LanguageQuery, media=PAPER_MEDIA, responses={200: "the paper, as text/html or application/pdf"})
async def get_document(request: web.Request, who: Principal, number: str, kind: str, fmt: str, query: LanguageQuery
                       ) -> web.Response:
    settings = request.app[SETTINGS]
    printed = await printed_paper(KINDS[kind], number, who.actor, settings, query.lang)
    if fmt == "pdf":
        return web.Response(body=render_pdf(printed, settings), content_type="application/pdf",
                            headers={"Content-Disposition": f'inline; filename="{printed.reference}.pdf"'})
    return web.Response(text=render_html(printed, settings), content_type="text/html")


class SheetQuery(BaseModel):
    warehouse: WarehouseCode | None = Field(default=None, description="for location labels")
    lang: Literal["en", "zh"] | None = Field(default=None, description="the language of its title (else the "
                                             "company's)")


@api.route("GET", "/api/labels/{kind}.{fmt}", summary="A sheet of location or product labels (html or pdf)",
           tag="labels", permission=Permission.VIEW_STOCK, params={"kind": SheetKind, "fmt": Format},
           query=SheetQuery, media=PAPER_MEDIA, responses={200: "the sheet, as text/html or application/pdf"})
async def get_label_sheet(request: web.Request, who: Principal, kind: SheetKind, fmt: str, query: SheetQuery
                          ) -> web.Response:
    labels = await label_sheet(kind, query.warehouse)
    title = text(f"label.sheet.{kind}", query.lang or request.app[SETTINGS].company_language,
                 warehouse=query.warehouse or "").strip()
    if fmt == "pdf":
        return web.Response(body=sheet_pdf(title, labels), content_type="application/pdf")
    return web.Response(text=sheet_html(title, labels), content_type="text/html")


# -- carriers, vans, route plans ------------------------------------------------------------------------


@api.route("GET", "/api/carriers", summary="Carriers and what they accept", tag="carriers",
           permission=Permission.VIEW_ORDERS, returns=list[CarrierOut])
async def get_carriers(request: web.Request, who: Principal) -> web.Response:
    return reply(await list_carriers())


@api.route("POST", "/api/carriers", summary="Add a carrier or replace its data", tag="carriers",
           permission=Permission.PLAN_DELIVERIES, body=CarrierIn, returns=CarrierOut, responses={201: "saved"})
async def post_carrier(request: web.Request, who: Principal, body: CarrierIn) -> web.Response:
    return reply(carrier_view(await save_carrier(body)), status=201)


class WarehouseQuery(BaseModel):
    warehouse: WarehouseCode | None = Field(default=None, description="warehouse code")


@api.route("GET", "/api/vehicles", summary="Our own vans", tag="fleet", permission=Permission.VIEW_ORDERS,
           query=WarehouseQuery, returns=list[VehicleOut])
async def get_vehicles(request: web.Request, who: Principal, query: WarehouseQuery) -> web.Response:
    return reply(await list_vehicles(query.warehouse))


@api.route("POST", "/api/vehicles", summary="Add a van or replace its data", tag="fleet",
           permission=Permission.PLAN_DELIVERIES, body=VehicleIn, returns=VehicleOut, responses={201: "saved"})
async def post_vehicle(request: web.Request, who: Principal, body: VehicleIn) -> web.Response:
    return reply(vehicle_view(await save_vehicle(body)), status=201)


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    warehouse: WarehouseCode
    day: date


@api.route("POST", "/api/route-plans", summary="Plan the day's own-fleet deliveries over the vans", tag="fleet",
           permission=Permission.PLAN_DELIVERIES, body=PlanIn, returns=RoutePlanOut, responses={201: "planned"})
async def post_route_plan(request: web.Request, who: Principal, body: PlanIn) -> web.Response:
    settings = request.app[SETTINGS]
    plan = await plan_deliveries(body.warehouse, body.day, who.actor, settings)
    return reply(said(request, await plan_view(plan, settings)), status=201)


@api.route("GET", "/api/route-plans/{number}", summary="A route plan: stops per van with arrival times",
           tag="fleet", permission=Permission.VIEW_ORDERS, returns=RoutePlanOut)
async def get_route_plan(request: web.Request, who: Principal, number: str) -> web.Response:
    plan = await plan_by_number(number)
    return reply(said(request, await plan_view(plan, request.app[SETTINGS])))


# -- look-up and managers' figures ----------------------------------------------------------------------


class LookupQuery(BaseModel):
    code: ScannedCode = Field(description="the scanned or typed code")
    warehouse: WarehouseCode | None = Field(default=None, description="the warehouse the device works in: a bin "
                                            "code found there is answered for that warehouse alone")


class DashboardQuery(BaseModel):
    days: int = Field(default=14, ge=1, le=90, description="how many days back")


class SummaryQuery(BaseModel):
    warehouse: WarehouseCode = Field(description="warehouse code")


@api.route("GET", "/api/lookup", summary="What a scanned code is: where, how many, what state", tag="lookup",
           permission=Permission.VIEW_STOCK, query=LookupQuery, returns=LookupOut)
async def get_lookup(request: web.Request, who: Principal, query: LookupQuery) -> web.Response:
    return reply(said(request, await look_up(query.code, query.warehouse)))


@api.route("GET", "/api/dashboard", summary="Orders in and out per day, on-time rate, order-to-ship time",
           tag="reports", permission=Permission.VIEW_REPORTS, query=DashboardQuery, returns=DashboardOut)
async def get_dashboard(request: web.Request, who: Principal, query: DashboardQuery) -> web.Response:
    return reply(await dashboard(request.app[SETTINGS].tz, query.days))


@api.route("GET", "/api/stock/summary", summary="Stock per product of a warehouse: on hand, reserved, available, "
           "incoming (with the days expected), its bins, against reorder points",
           tag="stock", permission=Permission.VIEW_STOCK, query=SummaryQuery, returns=list[StockSummaryRow])
async def get_stock_summary(request: web.Request, who: Principal, query: SummaryQuery) -> web.Response:
    return reply(said(request, await stock_summary(query.warehouse, request.app[SETTINGS].tz)))
