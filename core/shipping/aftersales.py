"""After-sales: a customer's return, exchange, damage or missing-item request, and how it is settled.

    open → awaiting_return → received → resolved      (return, exchange: approved, goods come back)
    open → resolved                                   (damage, missing item: approved, refund or resend)
    open → rejected

Managers hear of each new request through the outbox. Goods that come back are booked through the
ledger, from the customer into the warehouse's receiving area, and offered to waiting orders.
"""

from __future__ import annotations

import base64
import binascii
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from tortoise import fields
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.db import by_number, retry_on_conflict
from core.base.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from core.base.events import emit
from core.base.fields import LocationCode, Note, Number
from core.base.numbering import next_number
from core.base.settings import Settings
from core.orders.allocation import fill_waiting
from core.orders.order import LineIn, Order, OrderLine, OrderStatus, order_by_number
from core.shipping.shipments import Shipment, ShipmentStatus
from core.stock.catalog import products_by_sku
from core.stock.ledger import MoveReason, lock_levels, move_stock
from core.stock.warehouses import LocationKind, location_by_code, virtual_location

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
            raise ValueError(f"a photo must be one of {', '.join(sorted(PHOTO_TYPES))}")
        return value

    def content(self) -> bytes:
        try:
            raw = base64.b64decode(self.data, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidInput(detail="a photo is not valid base64") from exc
        if not raw or len(raw) > MAX_PHOTO_BYTES:
            raise InvalidInput(detail=f"a photo must be between 1 byte and {MAX_PHOTO_BYTES // 1024 // 1024} MB")
        return raw


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    order: Number
    kind: RequestKind
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]
    lines: list[LineIn] = Field(min_length=1, max_length=100)
    photos: list[PhotoIn] = Field(default=[], max_length=MAX_PHOTOS)


class AfterSalesDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approve: bool
    note: Note = ""


class ReturnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    location: LocationCode = "RCV"
    note: Note = ""


async def open_request(body: RequestIn, actor: str, settings: Settings, *, customer_id: int | None = None
                       ) -> AfterSalesRequest:
    """A customer's request about a shipped order; `customer_id` limits it to that customer's own orders."""
    order = await order_by_number(body.order)
    if customer_id is not None and order.customer_id != customer_id:  # type: ignore[attr-defined]
        raise NotFound(what="order", key=body.order)
    if order.status not in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        raise InvalidTransition(document=order.number, current=order.status, action="the subject of after-sales")
    products = await products_by_sku([ln.sku for ln in body.lines])
    ordered = dict(await OrderLine.filter(order_id=order.id).values_list("product_id", "qty"))
    for line in body.lines:
        if line.qty > ordered.get(products[line.sku].id, 0):
            raise InvalidInput(detail=f"{line.sku}: the order shipped {ordered.get(products[line.sku].id, 0)}, "
                                      f"not {line.qty}")
    photos = [(p.mime, p.content()) for p in body.photos]
    number = await next_number("AS", settings.tz)
    async with in_transaction():
        request = await AfterSalesRequest.create(number=number, order_id=order.id, kind=body.kind, text=body.text,
                                                 lines=[ln.model_dump() for ln in body.lines], created_by=actor)
        for mime, data in photos:
            await AfterSalesPhoto.create(request_id=request.id, mime=mime, data=data)
        await AfterSalesStep.create(request_id=request.id, status=RequestStatus.OPEN, actor=actor)
        await emit("aftersales.opened", {"request": number, "order": order.number, "kind": body.kind,
                                         "text": body.text[:200], "photos": len(photos),
                                         "customer_id": order.customer_id})  # type: ignore[attr-defined]
    return request


async def request_by_number(number: str) -> AfterSalesRequest:
    return await by_number(AfterSalesRequest, number, "after-sales request", "order")


async def _step(request: AfterSalesRequest, current: RequestStatus, to: RequestStatus, actor: str, note: str,
                **also: Any) -> None:
    if not await AfterSalesRequest.filter(id=request.id, status=current).update(status=to, **also):
        raise InvalidTransition(document=request.number, current=request.status, action=f"set to {to.value}")
    request.status = to
    await AfterSalesStep.create(request_id=request.id, status=to, actor=actor, note=note)
    await emit(f"aftersales.{to.value}", {"request": request.number, "order": request.order.number,
                                          "note": note, "customer_id": request.order.customer_id})  # type: ignore[attr-defined]


async def undecided_request(number: str, action: str = "decided") -> AfterSalesRequest:
    """The request, while it waits for a manager's decision; InvalidTransition once it was decided."""
    request = await request_by_number(number)
    if request.status != RequestStatus.OPEN:
        raise InvalidTransition(document=number, current=request.status, action=action)
    return request


async def decide_request(number: str, body: AfterSalesDecisionIn, actor: str) -> AfterSalesRequest:
    async with in_transaction():
        request = await undecided_request(number)
        if not body.approve:
            await _step(request, RequestStatus.OPEN, RequestStatus.REJECTED, actor, body.note, resolution=body.note)
        elif request.kind in GOODS_COME_BACK:
            await _step(request, RequestStatus.OPEN, RequestStatus.AWAITING_RETURN, actor, body.note)
        else:
            await _step(request, RequestStatus.OPEN, RequestStatus.RESOLVED, actor, body.note, resolution=body.note)
    return request


@retry_on_conflict
async def receive_return(number: str, body: ReturnIn, actor: str, settings: Settings) -> AfterSalesRequest:
    """The goods are back: book them from the customer into the warehouse that shipped them."""
    async with in_transaction():
        request = await request_by_number(number)
        if request.status != RequestStatus.AWAITING_RETURN:
            raise InvalidTransition(document=number, current=request.status, action="received")
        shipment = await Shipment.filter(order_id=request.order.id, status__in=(
            ShipmentStatus.DISPATCHED, ShipmentStatus.DELIVERED)).prefetch_related("warehouse").first()
        if shipment is None:
            raise Conflict(detail=f"{request.order.number} has no shipment to return to")
        warehouse = shipment.warehouse
        target = await location_by_code(warehouse, body.location)
        source = await virtual_location(warehouse.id, LocationKind.CUSTOMER)
        products = await products_by_sku([ln["sku"] for ln in request.lines])
        await lock_levels([p.id for p in products.values()])  # one lock order with orders and receipts
        for line in request.lines:
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
    return {
        "number": request.number, "order": request.order.number, "kind": request.kind, "status": request.status,
        "text": request.text, "lines": request.lines, "resolution": request.resolution,
        "photos": [f"/api/after-sales/{request.number}/photos/{i + 1}" for i in range(len(photo_ids))],
        "history": [{"status": s.status, "by": s.actor, "note": s.note, "at": s.created_at.isoformat()}
                    for s in steps],
        "created_at": request.created_at.isoformat(),
    }


async def request_photo(number: str, index: int) -> tuple[str, bytes]:
    request = await request_by_number(number)
    photos = await AfterSalesPhoto.filter(request_id=request.id).order_by("id")
    if not 1 <= index <= len(photos):
        raise NotFound(what="photo", key=f"{number}/{index}")
    return photos[index - 1].mime, photos[index - 1].data
