"""Packing: the picked goods of an order go into packages, checked against the order, each with a QR label."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from tortoise.transactions import in_transaction

from core.base.errors import Conflict, InvalidTransition
from core.base.events import emit
from core.base.i18n import listed, phrase, text
from core.base.numbering import next_number
from core.base.settings import Settings
from core.floor.picking import PickTask, TaskState, picked_quantities
from core.orders.order import LineIn, OrderLine, OrderStatus, order_by_number, transition
from core.shipping.shipments import Package, Shipment, book_carrier, new_tracking_token
from core.stock.catalog import products_by_sku

log = logging.getLogger(__name__)


class PackageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weight_g: int = Field(gt=0, le=1_000_000, strict=True)
    length_mm: int = Field(gt=0, le=10_000, strict=True)
    width_mm: int = Field(gt=0, le=10_000, strict=True)
    height_mm: int = Field(gt=0, le=10_000, strict=True)
    contents: list[LineIn] = Field(min_length=1, max_length=200)


class PackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    packages: list[PackageIn] = Field(min_length=1, max_length=50)


def _differences(wanted: dict[str, int], packed: dict[str, int]) -> list[str]:
    return [phrase("refuse.packed_vs_order", sku=sku, packed=packed.get(sku, 0), wanted=wanted.get(sku, 0))
            for sku in sorted(wanted.keys() | packed.keys()) if wanted.get(sku, 0) != packed.get(sku, 0)]


@dataclass(frozen=True)
class Packed:
    shipment: Shipment
    created: bool  # False when these very packages had been recorded before: a repeated request


def _as_sent(package: PackageIn) -> tuple[Any, ...]:
    return (package.weight_g, package.length_mm, package.width_mm, package.height_mm,
            [item.model_dump() for item in package.contents])


async def _packed_alike(order_id: int, body: PackIn) -> Shipment | None:
    """The order's shipment, if its packages are exactly the ones asked for now."""
    shipment = await Shipment.filter(order_id=order_id).order_by("-id").first()
    if shipment is None:
        return None
    stored = [(p.weight_g, p.length_mm, p.width_mm, p.height_mm, p.contents)
              for p in await Package.filter(shipment_id=shipment.id).order_by("seq")]
    return shipment if stored == [_as_sent(p) for p in body.packages] else None


async def pack_order(number: str, body: PackIn, actor: str, settings: Settings) -> Packed:
    """Record the packages of a fully picked order; their contents must be exactly the order.

    The same packing asked for again (a second press, a retry after a lost answer) gets the shipment made
    the first time; a different one is refused, the order being packed already."""
    order = await order_by_number(number)
    if order.status != OrderStatus.PICKING:
        if (earlier := await _packed_alike(order.id, body)) is not None:
            return Packed(earlier, created=False)
        raise InvalidTransition(document=number, current=order.status, action="packed", kind="order")
    lines = await OrderLine.filter(order_id=order.id).prefetch_related("product")
    wanted = {ln.product.sku: ln.qty for ln in lines}
    picked = await picked_quantities(order.id)
    still = [f"{ln.product.sku} × {ln.qty - picked.get(ln.product.id, 0)}" for ln in lines
             if picked.get(ln.product.id, 0) < ln.qty]
    if still or await PickTask.exists(order_id=order.id, state=TaskState.PENDING):
        raise Conflict(detail=phrase("refuse.not_picked", order=number,
                                    still=listed(still) if still else phrase("refuse.open_tasks")))
    packed: dict[str, int] = {}
    for package in body.packages:
        for item in package.contents:
            packed[item.sku] = packed.get(item.sku, 0) + item.qty
    await products_by_sku(packed.keys())  # an unknown SKU is named as such
    if problems := _differences(wanted, packed):
        raise Conflict(detail=phrase("refuse.packages_differ", order=number, problems=listed(problems)))
    shipment_number = await next_number("SH", settings.tz)
    package_numbers = [await next_number("PKG", settings.tz) for _ in body.packages]
    async with in_transaction():
        shipment = await Shipment.create(number=shipment_number, order_id=order.id,
                                         warehouse_id=order.warehouse_id,  # type: ignore[attr-defined]
                                         tracking_token=new_tracking_token())
        await Package.bulk_create([
            Package(number=pn, shipment_id=shipment.id, seq=i + 1, weight_g=p.weight_g, length_mm=p.length_mm,
                    width_mm=p.width_mm, height_mm=p.height_mm,
                    contents=[item.model_dump() for item in p.contents])
            for i, (pn, p) in enumerate(zip(package_numbers, body.packages, strict=True))
        ])
        await transition(order, OrderStatus.PACKED, actor,
                         phrase("history.packed", count=len(body.packages), shipment=shipment_number))
    try:
        return Packed(await book_carrier(shipment.number, actor, settings), created=True)
    except Exception:  # the packing stands; booking is retried from the shipment, and a manager is told
        log.exception("booking a carrier for %s failed", shipment.number)
        async with in_transaction():
            await emit("shipment.no_carrier", {"shipment": shipment.number, "order": number,
                                               "why": text("refuse.carrier_silent", "en"),
                                               "why_zh": text("refuse.carrier_silent", "zh")})
        return Packed(shipment, created=True)
