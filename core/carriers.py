"""Carriers as data, the choice among them (with its reasons), and the adapters that talk to them.

A carrier declares where it delivers, which goods classes it accepts, how heavy and long a parcel may be,
its service level, transit days, a rate table and the daily cut-off. Choosing first drops every carrier a
hard rule excludes, saying which rule; the rest are ranked by cost, or by arrival date when the customer
asked for express. The whole reasoning is stored with the shipment.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from tortoise import fields
from tortoise.models import Model

from core.catalog import GoodsClass
from core.clock import ClockField
from core.errors import Conflict, NotFound
from core.fields import ClockTime
from core.orders import ServiceLevel

SPEED = {ServiceLevel.ECONOMY: 0, ServiceLevel.STANDARD: 1, ServiceLevel.EXPRESS: 2}
EVERYWHERE = "*"


class Carrier(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=16, unique=True)
    name = fields.CharField(max_length=100)
    adapter = fields.CharField(max_length=32, default="simulated")  # key into ADAPTERS
    service_level = fields.CharEnumField(ServiceLevel, max_length=16, default=ServiceLevel.STANDARD)
    regions: list[str] = fields.JSONField(default=list)  # type: ignore[assignment]  # provinces, or ["*"]
    goods_classes: list[str] = fields.JSONField(default=list)  # type: ignore[assignment]
    max_weight_g = fields.IntField(default=30_000)
    max_side_mm = fields.IntField(default=1500)
    transit_days = fields.IntField(default=2)
    # {"first_kg": "12.00", "per_kg": "2.00", "zones": {"新疆": "1.8"}}: price = (first + per_kg × extra kg) × zone
    rates: dict[str, Any] = fields.JSONField(default=dict)  # type: ignore[assignment]
    cutoff = ClockField(default=time(16, 0))
    webhook_secret = fields.CharField(max_length=128, default="")
    active = fields.BooleanField(default=True)

    class Meta:
        table = "carrier"

    def price(self, province: str, weight_g: int) -> Decimal:
        kg = max(1, math.ceil(weight_g / 1000))
        base = Decimal(self.rates.get("first_kg", "10")) + Decimal(self.rates.get("per_kg", "2")) * (kg - 1)
        zone = Decimal(self.rates.get("zones", {}).get(province, "1"))
        return (base * zone).quantize(Decimal("0.01"))

    def arrival(self, now: datetime) -> date:
        leaves = now.date() if now.timetz().replace(tzinfo=None) < self.cutoff else now.date() + timedelta(days=1)
        return leaves + timedelta(days=self.transit_days)


Money = Annotated[str, StringConstraints(pattern=r"^\d{1,6}(\.\d{1,2})?$")]


class RatesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    first_kg: Money
    per_kg: Money
    zones: dict[Annotated[str, StringConstraints(min_length=1, max_length=64)], Money] = {}


class CarrierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z0-9]{2,16}$")]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    adapter: Annotated[str, StringConstraints(min_length=1, max_length=32)] = "simulated"
    service_level: ServiceLevel = ServiceLevel.STANDARD
    regions: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(min_length=1)
    goods_classes: list[GoodsClass] = Field(min_length=1)
    max_weight_g: int = Field(gt=0, le=10_000_000)
    max_side_mm: int = Field(default=1500, gt=0, le=20_000)
    transit_days: int = Field(ge=0, le=60)
    rates: RatesIn
    cutoff: ClockTime = time(16, 0)
    webhook_secret: Annotated[str, StringConstraints(max_length=128)] = ""

    @field_validator("adapter")
    @classmethod
    def _known_adapter(cls, value: str) -> str:
        if value not in ADAPTERS:
            raise ValueError(f"unknown adapter {value!r}; one of {', '.join(sorted(ADAPTERS))}")
        return value


async def save_carrier(body: CarrierIn) -> Carrier:
    """Add a carrier or replace the data of the one with this code."""
    data = body.model_dump(mode="json")
    data["cutoff"] = body.cutoff
    carrier = await Carrier.get_or_none(code=body.code)
    if carrier is None:
        return await Carrier.create(**data)
    await carrier.update_from_dict(data).save()
    return carrier


async def carrier_by_code(code: str) -> Carrier:
    carrier = await Carrier.get_or_none(code=code)
    if carrier is None:
        raise NotFound(what="carrier", key=code)
    return carrier


def carrier_view(c: Carrier) -> dict[str, Any]:
    return {"code": c.code, "name": c.name, "adapter": c.adapter, "service_level": c.service_level,
            "regions": c.regions, "goods_classes": c.goods_classes, "max_weight_g": c.max_weight_g,
            "max_side_mm": c.max_side_mm, "transit_days": c.transit_days, "rates": c.rates,
            "cutoff": c.cutoff.strftime("%H:%M"), "active": c.active}


# -- choosing -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parcel:
    """What must be carried, as the choice sees it."""

    province: str
    goods_classes: frozenset[str]
    weight_g: int  # the heaviest package
    longest_side_mm: int
    service_level: ServiceLevel


@dataclass
class Choice:
    chosen: str | None
    basis: str
    ranked: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)

    @property
    def summary(self) -> str:
        if self.chosen is None:
            return "no carrier can take this shipment: " + "; ".join(
                f"{r['carrier']}: {', '.join(r['reasons'])}" for r in self.rejected)
        best = self.ranked[0]
        return f"{best['carrier']}: {self.basis} ({best['price']} CNY, arrives {best['arrives']})"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "summary": self.summary}


def _refusals(c: Carrier, parcel: Parcel) -> list[str]:
    reasons = []
    if EVERYWHERE not in c.regions and parcel.province not in c.regions:
        reasons.append(f"does not deliver to {parcel.province or 'an unknown province'}")
    refused = sorted(parcel.goods_classes - set(c.goods_classes))
    if refused:
        reasons.append(f"does not carry {', '.join(refused)} goods")
    if parcel.weight_g > c.max_weight_g:
        reasons.append(f"takes at most {c.max_weight_g / 1000:g} kg per package, this one is "
                       f"{parcel.weight_g / 1000:g} kg")
    if parcel.longest_side_mm > c.max_side_mm:
        reasons.append(f"takes sides up to {c.max_side_mm} mm, this package has {parcel.longest_side_mm} mm")
    if SPEED[ServiceLevel(c.service_level)] < SPEED[parcel.service_level]:
        reasons.append(f"is {c.service_level}, the customer asked for {parcel.service_level}")
    return reasons


def choose_carrier(carriers: list[Carrier], parcel: Parcel, total_weight_g: int, now: datetime) -> Choice:
    fastest = parcel.service_level == ServiceLevel.EXPRESS
    choice = Choice(chosen=None, basis="fastest arrival, then price" if fastest else "lowest price, then arrival")
    for c in carriers:
        reasons = _refusals(c, parcel)
        if reasons:
            choice.rejected.append({"carrier": c.code, "reasons": reasons})
        else:
            choice.ranked.append({"carrier": c.code, "name": c.name, "price": str(c.price(parcel.province,
                                  total_weight_g)), "arrives": c.arrival(now).isoformat()})

    def key(option: dict[str, Any]) -> tuple[Any, ...]:
        price, arrives = Decimal(option["price"]), option["arrives"]
        return (arrives, price) if fastest else (price, arrives)

    choice.ranked.sort(key=key)
    for i, option in enumerate(choice.ranked[1:], start=1):
        best = choice.ranked[0]
        option["why_not"] = (f"arrives {option['arrives']}, {best['carrier']} by {best['arrives']}" if fastest
                             else f"costs {option['price']}, {best['carrier']} {best['price']}")
        choice.ranked[i] = option
    choice.chosen = choice.ranked[0]["carrier"] if choice.ranked else None
    return choice


# -- adapters -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaybillRequest:
    shipment: str
    sender: str
    recipient: str
    phone: str
    address: str
    province: str
    packages: int
    weight_g: int


@dataclass(frozen=True)
class TrackingUpdate:
    external_id: str
    code: str  # picked_up | in_transit | arrived | out_for_delivery | delivered | exception
    description: str
    place: str
    occurred_at: datetime


class CarrierAdapter(Protocol):
    """What fahuo needs from a carrier's system; a real carrier's API client implements these three."""

    async def create_waybill(self, carrier: Carrier, request: WaybillRequest) -> str: ...

    async def cancel_waybill(self, carrier: Carrier, waybill: str) -> None: ...

    async def fetch_tracking(self, carrier: Carrier, waybill: str, dispatched_at: datetime, origin: str,
                             destination: str, now: datetime) -> list[TrackingUpdate]: ...


class SimulatedCarrier:
    """A carrier for demos and tests: issues waybill numbers and reports a parcel's journey as time passes."""

    JOURNEY = (
        (0.02, "picked_up", "Picked up by the courier", "origin"),
        (0.15, "in_transit", "Left the sorting centre", "origin"),
        (0.60, "arrived", "Arrived at the destination sorting centre", "destination"),
        (0.85, "out_for_delivery", "Out for delivery", "destination"),
        (1.00, "delivered", "Delivered and signed for", "destination"),
    )

    def __init__(self) -> None:
        self.cancelled: set[str] = set()

    async def create_waybill(self, carrier: Carrier, request: WaybillRequest) -> str:
        return f"{carrier.code}{request.shipment.replace('-', '')[2:]}"

    async def cancel_waybill(self, carrier: Carrier, waybill: str) -> None:
        self.cancelled.add(waybill)

    async def fetch_tracking(self, carrier: Carrier, waybill: str, dispatched_at: datetime, origin: str,
                             destination: str, now: datetime) -> list[TrackingUpdate]:
        if waybill in self.cancelled:
            return []
        journey = timedelta(days=carrier.transit_days or 0.25)
        places = {"origin": origin, "destination": destination}
        return [
            TrackingUpdate(f"{waybill}-{i}", code, text, places[where], dispatched_at + journey * share)
            for i, (share, code, text, where) in enumerate(self.JOURNEY)
            if dispatched_at + journey * share <= now
        ]


class OwnFleet:
    """Our own vans: the waybill is our shipment number; drivers report delivery through fahuo itself."""

    async def create_waybill(self, carrier: Carrier, request: WaybillRequest) -> str:
        return f"{carrier.code}-{request.shipment}"

    async def cancel_waybill(self, carrier: Carrier, waybill: str) -> None:
        return None

    async def fetch_tracking(self, carrier: Carrier, waybill: str, dispatched_at: datetime, origin: str,
                             destination: str, now: datetime) -> list[TrackingUpdate]:
        return []


ADAPTERS: dict[str, CarrierAdapter] = {"simulated": SimulatedCarrier(), "own_fleet": OwnFleet()}


def adapter_for(carrier: Carrier) -> CarrierAdapter:
    adapter = ADAPTERS.get(carrier.adapter)
    if adapter is None:
        raise Conflict(detail=f"carrier {carrier.code} uses adapter {carrier.adapter}, which is not installed")
    return adapter
