"""What the API answers, for its OpenAPI document: the fields a client may rely on, with their types.

The views (core's `*_view` functions) build these answers as dicts; the models here only describe them, and the
fuzz test (tests/test_fuzz.py) checks every answer against them. Further fields may come; none documented may go.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class Staffer(BaseModel):
    username: str
    role: str
    display_name: str


class SessionOut(BaseModel):
    token: str
    expires_at: str
    staff: Staffer


class SignedOut(BaseModel):
    signed_out: bool


class OrderSummary(BaseModel):
    number: str
    status: str
    customer: str
    total: str
    channel: str
    created_at: str
    hold_reason: str


class OrderLineOut(BaseModel):
    sku: str
    name: str
    name_zh: str  # the Chinese name, or the name when there is none
    barcode: str | None
    qty: int
    unit_price: str
    reserved: int
    in_transfer: int
    backordered: int


class Held(BaseModel):
    sku: str
    location: str
    qty: int


class OrderStep(BaseModel):
    to: str
    by: str
    reason: str
    at: str


class OrderOut(BaseModel):
    number: str
    status: str
    channel: str
    external_ref: str | None
    customer: dict[str, Any]
    address: dict[str, str] = Field(description="recipient, phone, the place in words and its administrative "
                                                "codes: adcode (the deepest), province_code, city_code, district_code")
    warehouse: str | None
    payment_method: str
    payment_state: str
    service_level: str
    total: str
    currency: str
    lines: list[OrderLineOut]
    reservations: list[Held]
    review: list[dict[str, Any]]
    note: str
    history: list[OrderStep]
    created_at: str


class StockRow(BaseModel):
    sku: str
    name: str
    warehouse: str
    location: str
    kind: str
    on_hand: int
    reserved: int
    available: int


class Received(BaseModel):
    received: int
    orders_ready: list[str]


class Adjusted(BaseModel):
    sku: str
    location: str
    change: int


class DocumentLine(BaseModel):
    sku: str
    name: str | None = None
    name_zh: str | None = None  # the Chinese name, or the name when there is none
    qty: int
    received: int


class WarehouseOut(BaseModel):
    code: str
    name: str = Field(description="in English")
    name_zh: str = Field(description="in Chinese (empty: the English name serves)")
    city: str
    time_zone: str = Field(description="IANA name of the zone its staff read times in (its own, else the company's)")


class WarehouseZoneOut(BaseModel):
    code: str
    time_zone: str


class TransferOut(BaseModel):
    number: str
    status: str
    units: int
    lines: list[DocumentLine]
    created_by: str
    created_at: str


class TransferArrival(TransferOut):
    orders_ready: list[str]


class PurchaseOrderOut(BaseModel):
    number: str
    status: str
    supplier: str
    warehouse: str
    lines: list[DocumentLine]
    created_at: str


class PurchaseOrderArrival(PurchaseOrderOut):
    orders_ready: list[str]


class PickListSummary(BaseModel):
    number: str
    status: str
    picker: str | None
    picker_name: str | None = Field(description="the person who picks it, as the app shows them (else the login)")
    route_m: float
    created_at: str


class PickListOut(BaseModel):
    number: str
    warehouse: str
    status: str
    picker: str | None
    route_m: float
    orders: list[str]
    tasks: list[dict[str, Any]]
    step: str
    prompt: str
    current: dict[str, Any] | None
    tasks_left: int
    stops_left: int  # bins still to visit
    notices: list[str]
    created_at: str


class ScanAnswer(BaseModel):
    replayed: bool = False  # only on the answer to a copy of an earlier scan


class PackageOut(BaseModel):
    number: str
    seq: int
    weight_g: int
    size_mm: list[int]
    contents: list[dict[str, Any]]
    qr: str
    loaded: bool
    loaded_at: str | None


class ShipmentOut(BaseModel):
    number: str
    order: str
    warehouse: str
    status: str
    carrier: str | None
    carrier_name: str | None
    carrier_said: str | None = None  # the carrier's name in the reader's language
    own_fleet: bool = False  # loaded onto one of our vans; else handed to the carrier's courier
    waybill: str | None
    routing: dict[str, str] = {}  # what the carrier's label shows beside the waybill (e.g. SF's route label)
    price: str | None
    eta: str | None
    choice: Any
    vehicle: str | None
    dispatched_at: str | None
    dispatched_by: str | None
    delivered_at: str | None
    tracking_url: str | None
    packages: list[PackageOut]


class Dispatched(ShipmentOut):
    confirmation: str


class CarrierOut(BaseModel):
    code: str
    name: str = Field(description="in English")
    name_zh: str = Field(description="in Chinese (empty: the English name serves)")
    adapter: str
    service_level: str
    regions: list[str] = Field(description="where it delivers, as fahuo names each place (上海市, 广东省深圳市), "
                                           "or * (everywhere at home), countries' codes abroad, WORLD")
    region_codes: list[str] = Field(description="the same as kept and compared: adcodes, *, countries, WORLD")
    goods_classes: list[str]
    max_weight_g: int
    max_side_mm: int
    transit_days: int
    rates: dict[str, Any]
    cutoff: str
    active: bool


class VehicleOut(BaseModel):
    plate: str
    capacity_kg: int
    driver: str
    shift: str
    active: bool


class RoutePlanOut(BaseModel):
    number: str
    warehouse: str
    time_zone: str = Field(description="IANA name of the warehouse's zone, in which the stops' `time` is said")
    day: str
    vehicles: list[dict[str, Any]]
    unplanned: list[Any]


class LookupTable(BaseModel):
    head: list[str]
    rows: list[list[str]]


class LookupOut(BaseModel):
    kind: str
    title: str
    facts: list[list[str]]
    table: LookupTable
    refs: dict[str, str] = Field(description="numbers a screen follows on, such as a package's shipment")
    code: str


class DashboardOut(BaseModel):
    days: list[str]
    received: list[int]
    shipped: list[int]
    on_time_rate: float | None
    order_to_ship_hours: float | None
    backordered: int
    on_hold: int
    to_pick: int
    stuck_no_carrier: int = Field(description="shipments no carrier is allowed to take (GET /api/stuck-shipments)")


class StuckShipmentOut(BaseModel):
    shipment: str
    order: str
    warehouse: str
    recipient: str
    place: str  # the address on one line
    adcode: str
    province_code: str
    city_code: str
    district_code: str
    why: str  # why no carrier may take it, in the reader's language
    allowed: list[str]  # carriers whose rules allow it now: a manager may pick one
    packed_at: str


class StockBin(BaseModel):
    location: str
    on_hand: int
    reserved: int
    count_due: bool = Field(description="found short by a picker: to be counted")


class StockIncoming(BaseModel):
    kind: Literal["purchase_order", "transfer"]
    number: str
    status: str
    status_word: str
    qty: int = Field(description="still to arrive")
    expected: str | None = Field(description="the day it is expected (ISO); none for a draft not yet sent")


class StockSummaryRow(BaseModel):
    sku: str
    name: str
    name_zh: str  # the Chinese name, or the name when there is none
    on_hand: int
    reserved: int
    available: int
    incoming_qty: int
    incoming: list[StockIncoming]
    bins: list[StockBin]
    count_due: list[str]
    reorder_point: int | None
    low: bool


class NewEvents(BaseModel):
    new_events: int


class TrackingStep(BaseModel):
    code: str
    description: str
    place: str
    at: str


class TrackingOut(BaseModel):
    order: str
    status: str
    carrier: str | None
    waybill: str | None
    eta: str | None
    city: str
    dispatched_at: str | None
    events: list[TrackingStep]


class AfterSalesStepOut(BaseModel):
    status: str
    by: str
    note: str
    at: str


class AfterSalesOut(BaseModel):
    number: str
    order: str
    customer: str
    kind: str
    status: str
    text: str
    lines: list[dict[str, Any]]
    resolution: str  # the manager's note
    outcome: str | None  # what the approval does, in the reader's words
    approved_lines: list[dict[str, Any]] | None  # approved in part: fewer units than `lines`
    remedy: str | None  # refund, replace, none (the goods come back first)
    refund: str | None  # the amount refunded
    refund_state: str | None  # due: a manager pays it back
    replacement: str | None  # the order that sends the goods again
    send_back: bool
    photos: list[str]
    history: list[AfterSalesStepOut]
    created_at: str


class PaymentCallbackOut(BaseModel):
    order: str
    payment: str  # paid, or refund_due when the order was closed before the money came
    replayed: bool  # the provider had said so before; nothing changed

class DeliveryDaysOut(BaseModel):
    earliest: str  # ISO day
    latest: str  # the calendar's last day
    days: list[str]


class CustomerFound(BaseModel):
    id: int
    name: str
    phone: str | None
    phone_display: str  # as people write it: 138 0000 1111 at home, +852 9123 4567 abroad
    province: str
    city: str
    district: str
    line1: str
    postcode: str
    blocked: bool
    written: str = ""  # the address on one line


class ProductAvailability(BaseModel):
    sku: str
    name: str
    name_zh: str
    price: str
    available: int
    warehouses: dict[str, int]


class RouteSent(BaseModel):
    plan: str
    plate: str
    driver: str
    stops: int
    sent: bool

class PrinterOut(BaseModel):
    code: str
    warehouse: str
    station: str
    language: str
    text_mode: str
    connection: str
    address: str
    label_size: str
    dpi: int
    check_status: bool
    active: bool
    waiting: int  # jobs waiting for it
    problem: str | None  # why the oldest of them waits, in the caller's language


class PrintJobOut(BaseModel):
    id: int
    printer: str
    station: str
    kind: str
    subject: str
    state: str
    state_word: str
    attempts: int
    message: str | None  # while it waits: why, and that it is kept
    created_at: str
    printed_at: str | None


class ChannelWebhookOut(BaseModel):
    result: str = Field(description="created | repeated | cancelled | shipped (too late to cancel) | rejected | "
                                    "unknown | ignored")
    order: str | None = Field(default=None, description="fahuo's order number, where there is one")


class JobOut(BaseModel):
    id: int
    kind: str = Field(description="waybill.book | waybill.cancel | tracking.subscribe | telegram.message | print")
    what: str = Field(description="what the job does, in the reader's language")
    subject: str = Field(description="the shipment, waybill, printer or event it is about")
    state: str = Field(description="waiting (fahuo tries again by itself) | failed (a person must look) | done")
    state_word: str
    tries: int
    next_try_at: str | None = Field(description="when it is tried next, while it waits")
    error: str | None = Field(description="why the last try failed, as the outside system or fahuo said it")
    created_at: str


class WriteBackOut(BaseModel):
    shipment: str
    order: str
    state: str = Field(description="waiting (fahuo tries again by itself) | failed (a person must look) | done")
    state_word: str
    tries: int
    error: str | None = Field(description="why the last try failed, in the reader's language")
    platform_said: str | None = Field(description="the platform's own words about it, as it said them")
    updated_at: str


class ChannelOut(BaseModel):
    name: str
    platform: str
    webhook_url: str | None = Field(description="the address to give the platform for its webhooks; none for a "
                                                "channel fahuo pulls from")
    pulled_at: str | None = Field(description="when fahuo last pulled this channel (pulled channels only)")
    waiting: list[WriteBackOut] = Field(description="shipments whose write-back fahuo is still trying")
    failed: list[WriteBackOut] = Field(description="shipments the platform was not told of; each may be retried")


class WebhookOut(BaseModel):
    id: int
    url: str
    events: list[str]
    active: bool
    channel: str | None  # whose orders it hears of; none: every channel (a manager's subscription)
    created_by: str
    created_at: str
    failing_since: str | None  # a delivery was given up on since then; cleared by the next one taken


class WebhookCreated(WebhookOut):
    secret: str = Field(description="the signing secret: shown in this answer only, store it now")


class WebhookDeliveryOut(BaseModel):
    id: int
    event_id: str  # the same on every try: receivers deduplicate by it
    kind: str
    state: str
    state_word: str
    attempts: int
    response_code: int | None
    last_error: str | None
    created_at: str
    last_try_at: str | None
    next_try_at: str | None  # while it waits for its next try
    delivered_at: str | None


class AddressRead(BaseModel):
    province: str
    city: str
    district: str  # the county level; a city with none below it names itself (东莞市)
    line: str  # the street, number, building and room
    postcode: str  # as written, else the district's
    adcode: str  # the administrative code of the deepest place found, "" when none was
    lat: float | None  # the district's centre
    lon: float | None
    name: str  # the recipient, when the text names one
    phone: str  # in E.164 when it is a valid number
    confidence: float = Field(ge=0, le=1)
    placed: bool  # read down to a district: an order with it can be planned without asking
    doubts: list[str]  # what to check with the customer, in the caller's language


class OrderListLine(BaseModel):
    number: str
    status: str
    status_word: str
    customer: str
    recipient: str
    city: str
    total: str
    channel: str
    warehouse: str | None
    created_at: str


class OrderPage(BaseModel):
    orders: list[OrderListLine]
    next: str | None = Field(description="the cursor of the next page; none on the last")


class Found(BaseModel):
    kind: str = Field(description="order, shipment, package, transfer, pick_list, purchase_order or aftersales")
    what: str
    number: str
    status: str
    status_word: str
    detail: str


class Waiting(BaseModel):
    counts: dict[str, int] = Field(description="how many of each kind wait, for the kinds the caller may see to")


class WaitingItem(BaseModel):
    number: str
    title: str
    detail: str
    status: str
