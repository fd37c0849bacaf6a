"""After-sales: a customer's return, exchange, damage or missing-item request, and how it is settled.

    open → awaiting_return → received → resolved      (approved, goods come back)
    open → resolved                                   (approved: refund or replacement, nothing comes back)
    open → rejected

An approval says what happens (core.shipping.remedies): money back, the goods sent again, the goods sent back
to the warehouse that shipped them, or a refund or replacement with the goods sent back; for every unit asked
about or part of them. The customer is told it in words.

Managers hear of each new request through the outbox. Goods that come back are booked through the
ledger, from the customer into the warehouse's receiving area, and offered to waiting orders.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError
from tortoise import fields
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.db import by_number, in_callers_transaction, lock_rows, retry_on_conflict
from core.base.errors import Conflict, InvalidInput, InvalidTransition, NotFound, set_to
from core.base.events import emit
from core.base.fields import LocationCode, Note, Number
from core.base.i18n import Phrase, money, phrase
from core.base.numbering import next_number
from core.base.settings import Settings
from core.orders.allocation import fill_waiting
from core.orders.order import LineIn, Order, OrderLine, OrderStatus, order_by_number
from core.shipping.remedies import (
    Remedy,
    Settlement,
    items,
    outcome,
    return_address,
    send_replacement,
    settle,
    unit_prices,
)
from core.shipping.shipments import Shipment, ShipmentStatus
from core.stock.catalog import Product, products_by_sku
from core.stock.ledger import MoveReason, lock_levels, move_stock
from core.stock.warehouses import LocationKind, Warehouse, location_by_code, virtual_location

MAX_PHOTO_BYTES = 3 * 1024 * 1024
MAX_PHOTOS = 5
PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}


class RequestKind(StrEnum):
    RETURN = "return"
    EXCHANGE = "exchange"
    DAMAGE = "damage"
    MISSING_ITEM = "missing_item"


class RequestStatus(StrEnum):
    OPEN = "open"
    AWAITING_RETURN = "awaiting_return"
    RECEIVED = "received"
    RESOLVED = "resolved"
    REJECTED = "rejected"


GOODS_COME_BACK = (RequestKind.RETURN, RequestKind.EXCHANGE)
# what an approval does when the manager says no more than "approve"
USUAL_REMEDY = {RequestKind.RETURN: Remedy.REFUND, RequestKind.EXCHANGE: Remedy.REPLACE,
                RequestKind.DAMAGE: Remedy.REFUND, RequestKind.MISSING_ITEM: Remedy.REPLACE}


class RefundState(StrEnum):
    NONE = ""
    DUE = "due"  # approved: a manager pays it back


class AfterSalesRequest(Model):
    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "fahuo.Order", related_name="aftersales", on_delete=fields.RESTRICT
    )
    kind = fields.CharEnumField(RequestKind, max_length=16)
    status = fields.CharEnumField(RequestStatus, max_length=16, default=RequestStatus.OPEN, db_index=True)
    text = fields.TextField()
    lines: list[dict[str, Any]] = fields.JSONField()  # type: ignore[assignment]  # [{"sku", "qty"}]
    resolution = fields.CharField(max_length=500, default="")
    # what the approval does (core.shipping.remedies): for which units, money back, an order sent again,
    # goods to come back
    approved_lines: list[dict[str, Any]] | None = fields.JSONField(null=True)  # type: ignore[assignment]
    remedy = fields.CharField(max_length=16, default="")
    refund_amount = fields.DecimalField(max_digits=14, decimal_places=2, null=True)
    refund_state = fields.CharField(max_length=16, default="")
    replacement = fields.CharField(max_length=32, default="")  # the order that sends the goods again
    send_back = fields.BooleanField(default=False)
    created_by = fields.CharField(max_length=100)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "aftersales_request"


class AfterSalesStep(Model):
    id = fields.IntField(primary_key=True)
    request: fields.ForeignKeyRelation[AfterSalesRequest] = fields.ForeignKeyField(
        "fahuo.AfterSalesRequest", related_name="steps", on_delete=fields.CASCADE
    )
    status = fields.CharField(max_length=16)
    actor = fields.CharField(max_length=100)
    note = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "aftersales_step"


class AfterSalesPhoto(Model):
    id = fields.IntField(primary_key=True)
    request: fields.ForeignKeyRelation[AfterSalesRequest] = fields.ForeignKeyField(
        "fahuo.AfterSalesRequest", related_name="photos", on_delete=fields.CASCADE
    )
    mime = fields.CharField(max_length=32)
    data = fields.BinaryField()

    class Meta:
        table = "aftersales_photo"


class PhotoIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mime: str
    data: str  # base64

    @field_validator("mime")
    @classmethod
    def _image(cls, value: str) -> str:
        if value not in PHOTO_TYPES:
            raise PydanticCustomError("invalid.photo_type", "a photo must be one of {kinds}",
                                      {"kinds": ", ".join(sorted(PHOTO_TYPES))})
        return value

    def content(self) -> bytes:
        try:
            raw = base64.b64decode(self.data, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidInput(detail=phrase("refuse.bad_photo")) from exc
        if not raw or len(raw) > MAX_PHOTO_BYTES:
            raise InvalidInput(detail=phrase("refuse.photo_size", most=MAX_PHOTO_BYTES // 1024 // 1024))
        return raw


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    order: Number
    kind: RequestKind
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]
    lines: list[LineIn] = Field(min_length=1, max_length=100)
    photos: list[PhotoIn] = Field(default=[], max_length=MAX_PHOTOS)

    @field_validator("lines")
    @classmethod
    def _each_sku_once(cls, lines: list[LineIn]) -> list[LineIn]:
        skus = [line.sku for line in lines]
        if len(set(skus)) != len(skus):
            raise PydanticCustomError("invalid.a_sku_twice", "a SKU appears twice; send one line per product")
        return lines


class AfterSalesDecisionIn(BaseModel):
    """Approve or reject; an approval may say what it does (else what the kind of request usually gets: a
    return is refunded and sent back, an exchange replaced and sent back, damage refunded, a missing item
    sent again), for fewer units than asked (`lines`), and refund less than was paid (`amount`)."""

    model_config = ConfigDict(extra="forbid")
    approve: bool
    note: Note = ""
    remedy: Remedy | None = None
    send_back: bool | None = None
    lines: list[LineIn] | None = Field(default=None, min_length=1, max_length=100)
    amount: Decimal | None = Field(default=None, gt=0, le=Decimal("999999999999.99"), decimal_places=2)


class ReturnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    location: LocationCode = "RCV"
    note: Note = ""


class OverClaim(InvalidInput):
    """More of a product than was shipped and not yet asked about in another request."""

    code = "aftersales_over_claim"


class NotInOrder(InvalidInput):
    code = "aftersales_not_in_order"


@dataclass(frozen=True)
class ClaimableLine:
    """A line of a shipped order as after-sales sees it: what the customer may still ask about."""

    sku: str
    name: str
    name_zh: str
    shipped: int
    claimed: int  # in this order's other requests, open or settled (a declined one claims nothing)

    @property
    def claimable(self) -> int:
        return max(0, self.shipped - self.claimed)


async def claimable_lines(number: str, *, customer_id: int | None = None) -> list[ClaimableLine]:
    """The lines of a shipped order and how many of each the customer may still ask about: shipped less what
    earlier requests claimed. What the bot offers when the customer picks lines and quantities."""
    order = await _shipped_order(number, customer_id)
    return await _claimable(order)


async def _shipped_order(number: str, customer_id: int | None) -> Order:
    order = await order_by_number(number)
    if customer_id is not None and order.customer_id != customer_id:  # type: ignore[attr-defined]
        raise NotFound(what="order", key=number)
    if order.status not in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        raise InvalidTransition(document=order.number, current=order.status, action="the subject of after-sales",
                                kind="order")
    return order


async def _claimable(order: Order) -> list[ClaimableLine]:
    # a shipped order's lines are what left: packing insists the packages hold exactly the order, and what
    # was split off for later is an order of its own
    shipped = await OrderLine.filter(order_id=order.id).order_by("id").values_list(
        "product__sku", "product__name", "product__name_zh", "qty")
    claimed: dict[str, int] = {}
    for asked, approved in await AfterSalesRequest.filter(order_id=order.id).exclude(
            status=RequestStatus.REJECTED).values_list("lines", "approved_lines"):
        for line in approved if approved is not None else asked:  # approved in part: the rest claims nothing
            claimed[line["sku"]] = claimed.get(line["sku"], 0) + line["qty"]
    merged: dict[str, ClaimableLine] = {}
    for sku, name, name_zh, qty in shipped:
        before = merged.get(sku)
        merged[sku] = ClaimableLine(sku, name, name_zh or name, qty + (before.shipped if before else 0),
                                    claimed.get(sku, 0))
    return list(merged.values())


def _check_claim(order: Order, claimable: list[ClaimableLine], lines: list[LineIn]) -> None:
    by_sku = {line.sku: line for line in claimable}
    for line in lines:
        known = by_sku.get(line.sku)
        if known is None:
            raise NotInOrder(sku=line.sku, order=order.number)
        if line.qty > known.claimable:
            raise OverClaim(sku=line.sku, qty=line.qty, shipped=known.shipped, claimable=known.claimable)


async def open_request(body: RequestIn, actor: str, settings: Settings, *, customer_id: int | None = None
                       ) -> AfterSalesRequest:
    """A customer's request about the lines and quantities they chose of a shipped order; `customer_id` limits
    it to that customer's own orders. Each quantity is at most what was shipped less what earlier requests of
    the order claimed (a declined request claims nothing)."""
    order = await _shipped_order(body.order, customer_id)
    _check_claim(order, await _claimable(order), body.lines)  # before a number is taken for it
    photos = [(p.mime, p.content()) for p in body.photos]
    number = await next_number("AS", settings.tz)
    async with in_transaction():
        # two requests sent at once are checked one after the other, so together they cannot claim too much
        await lock_rows(Order, "id", [order.id])
        _check_claim(order, await _claimable(order), body.lines)
        request = await AfterSalesRequest.create(number=number, order_id=order.id, kind=body.kind, text=body.text,
                                                 lines=[ln.model_dump() for ln in body.lines], created_by=actor)
        for mime, data in photos:
            await AfterSalesPhoto.create(request_id=request.id, mime=mime, data=data)
        await AfterSalesStep.create(request_id=request.id, status=RequestStatus.OPEN, actor=actor)
        await emit("aftersales.opened", {"request": number, "order": order.number, "kind": body.kind,
                                         "text": body.text[:200], "photos": len(photos),
                                         "lines": [ln.model_dump() for ln in body.lines],
                                         "customer_id": order.customer_id})  # type: ignore[attr-defined]
    return request


async def request_by_number(number: str) -> AfterSalesRequest:
    return await by_number(AfterSalesRequest, number, "after-sales request", "order")


@in_callers_transaction
async def _step(request: AfterSalesRequest, current: RequestStatus, to: RequestStatus, actor: str, note: str,
                said: Any = "", **also: Any) -> None:
    """One step of the request; `said` is what the customer reads of it beside the manager's note (a phrase)."""
    if not await AfterSalesRequest.filter(id=request.id, status=current).update(status=to, **also):
        raise InvalidTransition(document=request.number, current=request.status, action=set_to("aftersales", to),
                                kind="aftersales")
    request.status = to
    for name, value in also.items():
        setattr(request, name, value)
    await AfterSalesStep.create(request_id=request.id, status=to, actor=actor, note=note)
    await emit(f"aftersales.{to.value}", {"request": request.number, "order": request.order.number,
                                          "note": note, "outcome": said or note,
                                          "more": note if said else "",  # the manager's words after what is done
                                          "customer_id": request.order.customer_id})  # type: ignore[attr-defined]


async def undecided_request(number: str, action: str = "decided") -> AfterSalesRequest:
    """The request, while it waits for a manager's decision; InvalidTransition once it was decided."""
    request = await request_by_number(number)
    if request.status != RequestStatus.OPEN:
        raise InvalidTransition(document=number, current=request.status, action=action, kind="aftersales")
    return request


@dataclass(frozen=True)
class Claim:
    """An undecided request as a manager settles it: what the customer paid for the goods asked about, and
    where they would come back to."""

    number: str
    paid: Any  # Phrase: the money, said in the reader's way
    items: Any  # Phrase
    comes_back: bool  # the kind of request usually sends the goods back
    address: str
    lines: list[tuple[str, int, int]]  # SKU, units chosen, units asked about


async def claim_to_settle(number: str, units: dict[str, int] | None = None) -> Claim:
    """The request as a manager settles it, for the units chosen per SKU (all that were asked about unless
    `units` says fewer); what those cost is what a refund may be at most."""
    request = await undecided_request(number, "approved")
    asked = [(line["sku"], line["qty"]) for line in request.lines]
    chosen = [(sku, min(max((units or {}).get(sku, qty), 0), qty)) for sku, qty in asked]
    paid = settle(request.lines, await unit_prices(request.order.id), Remedy.REFUND, False, chosen, None).paid
    names = _names(await products_by_sku([sku for sku, _ in asked]))
    comes_back = RequestKind(request.kind) in GOODS_COME_BACK
    return Claim(request.number, money(paid, request.order.currency),
                 items([(sku, qty) for sku, qty in chosen if qty], names), comes_back,
                 return_address(await _home_of(request.order)) if comes_back else "",
                 [(sku, qty, dict(asked)[sku]) for sku, qty in chosen])


@retry_on_conflict
async def decide_request(number: str, body: AfterSalesDecisionIn, actor: str, settings: Settings
                         ) -> AfterSalesRequest:
    """A manager's decision. An approval is checked whole before anything is written, then done in one
    transaction: the refund marked due, the replacement order placed, the goods asked back. A second decision
    is refused (InvalidTransition), so a double press does nothing twice."""
    request = await undecided_request(number)
    if not body.approve:
        async with in_transaction():
            await _step(request, RequestStatus.OPEN, RequestStatus.REJECTED, actor, body.note, resolution=body.note)
        return request
    kind = RequestKind(request.kind)
    remedy = body.remedy or USUAL_REMEDY[kind]
    send_back = kind in GOODS_COME_BACK if body.send_back is None else body.send_back
    chosen = [(line.sku, line.qty) for line in body.lines] if body.lines is not None else None
    settlement = settle(request.lines, await unit_prices(request.order.id), remedy, send_back, chosen, body.amount)
    replacement = await next_number("SO", settings.tz) if remedy == Remedy.REPLACE else ""
    async with in_transaction():
        await lock_rows(Order, "id", [request.order.id])  # one decision at a time per order
        request = await undecided_request(number)
        await _approve(request, settlement, replacement, body.note, actor, settings)
    return request


@in_callers_transaction
async def _approve(request: AfterSalesRequest, settlement: Settlement, replacement: str, note: str, actor: str,
                   settings: Settings) -> None:
    order = request.order
    products = await products_by_sku([sku for sku, _ in settlement.lines])
    if replacement:
        await send_replacement(order, [(products[sku], qty) for sku, qty in settlement.lines], replacement,
                               request.number, actor, settings)
    address = return_address(await _home_of(order)) if settlement.send_back else ""
    said = outcome(settlement, _names(products), order.currency, request.number, replacement, address)
    to = RequestStatus.AWAITING_RETURN if settlement.send_back else RequestStatus.RESOLVED
    await _step(request, RequestStatus.OPEN, to, actor, note, said=said, resolution=note,
                approved_lines=[{"sku": sku, "qty": qty} for sku, qty in settlement.lines],
                remedy=settlement.remedy.value, refund_amount=settlement.amount, replacement=replacement,
                send_back=settlement.send_back,
                refund_state=RefundState.DUE.value if settlement.amount is not None else RefundState.NONE.value)
    if settlement.amount is not None:
        await emit("aftersales.refund_due", {"request": request.number, "order": order.number,
                                             "amount": money(settlement.amount, order.currency)})


def _names(products: dict[str, Product]) -> dict[str, tuple[str, str]]:
    return {sku: (p.name, p.name_zh or p.name) for sku, p in products.items()}


async def request_outcome(request: AfterSalesRequest) -> Phrase | None:
    """What the approval of the request does, in words said when read; None before it is approved."""
    if not request.remedy:
        return None
    approved = [(line["sku"], line["qty"]) for line in request.approved_lines or request.lines]
    settlement = settle(request.lines, await unit_prices(request.order.id), Remedy(request.remedy),
                        request.send_back, approved, request.refund_amount)
    products = await products_by_sku([sku for sku, _ in approved])
    address = return_address(await _home_of(request.order)) if request.send_back else ""
    return outcome(settlement, _names(products), request.order.currency, request.number, request.replacement,
                   address)


async def _home_of(order: Order) -> Warehouse:
    """The warehouse that shipped the order: where its goods come back to."""
    warehouse = await Warehouse.get_or_none(id=order.warehouse_id)  # type: ignore[attr-defined]
    if warehouse is None:
        raise Conflict(detail=phrase("refuse.no_shipment_to_return", order=order.number))
    return warehouse


async def _shipped_from(order: Order) -> Shipment:
    """The shipment that took the order's goods: its warehouse is where they come back to."""
    shipment = await Shipment.filter(order_id=order.id, status__in=(
        ShipmentStatus.DISPATCHED, ShipmentStatus.DELIVERED)).prefetch_related("warehouse").first()
    if shipment is None:
        raise Conflict(detail=phrase("refuse.no_shipment_to_return", order=order.number))
    return shipment


@retry_on_conflict
async def receive_return(number: str, body: ReturnIn, actor: str, settings: Settings) -> AfterSalesRequest:
    """The goods are back: book them from the customer into the warehouse that shipped them."""
    async with in_transaction():
        request = await request_by_number(number)
        if request.status != RequestStatus.AWAITING_RETURN:
            raise InvalidTransition(document=number, current=request.status, action="received", kind="aftersales")
        warehouse = (await _shipped_from(request.order)).warehouse
        target = await location_by_code(warehouse, body.location)
        source = await virtual_location(warehouse.id, LocationKind.CUSTOMER)
        back = request.approved_lines if request.approved_lines is not None else request.lines
        products = await products_by_sku([ln["sku"] for ln in back])
        await lock_levels([p.id for p in products.values()])  # one lock order with orders and receipts
        for line in back:
            await move_stock(products[line["sku"]], source, target, line["qty"], MoveReason.RETURN,
                             document=number, actor=actor)
        await _step(request, RequestStatus.AWAITING_RETURN, RequestStatus.RECEIVED, actor,
                    body.note or f"received into {warehouse.code} {target.code}")
        await fill_waiting(warehouse.id, {p.id for p in products.values()}, actor)
    return request


async def resolve_request(number: str, note: str, actor: str) -> AfterSalesRequest:
    async with in_transaction():
        request = await request_by_number(number)
        await _step(request, RequestStatus.RECEIVED, RequestStatus.RESOLVED, actor, note, resolution=note)
    return request


async def request_view(request: AfterSalesRequest) -> dict[str, Any]:
    steps = await AfterSalesStep.filter(request_id=request.id).order_by("id")
    photo_ids = await AfterSalesPhoto.filter(request_id=request.id).order_by("id").values_list("id", flat=True)
    products = {p.sku: p for p in await Product.filter(sku__in=[ln["sku"] for ln in request.lines])}
    prices = await unit_prices(request.order.id)
    await request.order.fetch_related("customer")
    return {
        "number": request.number, "order": request.order.number, "kind": request.kind, "status": request.status,
        "customer": request.order.customer.name, "text": request.text,
        "lines": [{**ln, "name": products[ln["sku"]].name if ln["sku"] in products else "",
                   "name_zh": products[ln["sku"]].name_zh if ln["sku"] in products else "",
                   "barcode": products[ln["sku"]].barcode if ln["sku"] in products else None,
                   "unit_price": str(prices.get(ln["sku"], "0.00"))}
                  for ln in request.lines],
        "resolution": request.resolution, "outcome": await request_outcome(request),
        "approved_lines": request.approved_lines, "remedy": request.remedy or None,
        "refund": str(request.refund_amount) if request.refund_amount is not None else None,
        "refund_state": request.refund_state or None, "replacement": request.replacement or None,
        "send_back": request.send_back,
        "photos": [f"/api/after-sales/{request.number}/photos/{i + 1}" for i in range(len(photo_ids))],
        "history": [{"status": s.status, "by": s.actor, "note": s.note, "at": s.created_at.isoformat()}
                    for s in steps],
        "created_at": request.created_at.isoformat(),
    }


async def list_requests(status: RequestStatus | None, limit: int = 100) -> list[dict[str, Any]]:
    """Requests newest first, each as its view (text, lines, photos): what a manager decides from."""
    found = AfterSalesRequest.all().order_by("-id").limit(limit).prefetch_related("order")
    if status:
        found = found.filter(status=status)
    return [await request_view(r) for r in await found]


async def request_photo(number: str, index: int) -> tuple[str, bytes]:
    request = await request_by_number(number)
    photos = await AfterSalesPhoto.filter(request_id=request.id).order_by("id")
    if not 1 <= index <= len(photos):
        raise NotFound(what="photo", key=f"{number}/{index}")
    return photos[index - 1].mime, photos[index - 1].data
