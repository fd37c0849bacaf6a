"""Carriers as data, the choice among them (with its reasons), and the adapters that talk to them.

A carrier declares where it delivers, which goods classes it accepts, how heavy and long a parcel may be,
its service level, transit days, a rate table and the daily cut-off. Choosing first drops every carrier a
hard rule excludes, saying which rule; the rest are ranked by cost, or by arrival date when the customer
asked for express, and a carrier that arrives by the customer's requested date beats one that does not. The
whole reasoning, in English and Chinese, is stored with the shipment.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError
from tortoise import fields
from tortoise.models import Model

from core.base.clock import ClockField
from core.base.errors import Conflict, NotFound
from core.base.fields import HOME_COUNTRY, ClockTime
from core.base.i18n import LANGUAGES, SEPARATOR, Phrase, named, phrase, text
from core.base.regions import canonical, covers, division, place_code
from core.base.settings import Settings
from core.orders.delivery_days import serve_earliest_arrival
from core.orders.order import ServiceLevel
from core.shipping.carrier_api import CarrierAdapter, Connection, Quote, TrackingUpdate, Waybill, WaybillRequest
from core.shipping.carrier_karrio import KarrioCarrier
from core.shipping.carrier_kuaidi100 import Kuaidi100
from core.shipping.carrier_sf import SfExpress
from core.stock.catalog import GoodsClass

SPEED = {ServiceLevel.ECONOMY: 0, ServiceLevel.STANDARD: 1, ServiceLevel.EXPRESS: 2}
EVERYWHERE = "*"  # every province at home
WORLD = "WORLD"  # every country abroad; a carrier that goes to some only lists their codes ("US", "DE")


def region_code(name: str) -> str | None:
    """A region as a carrier keeps it, from any way of naming it: "*" and "WORLD" as they are, a place at home
    (a province, city or district in any name form: 上海, 上海市, Shanghai, SH, 310000) as its adcode, and
    any other two letters as a country abroad ("US"); None for a name of no place (or of several)."""
    name = name.strip()
    if name in (EVERYWHERE, WORLD):
        return name
    place = division(name)
    if place is not None:
        return place.adcode
    return name.upper() if len(name) == 2 and name.isascii() and name.isalpha() else None


def region_name(code: str) -> str:
    """A stored region as fahuo answers it: a place at home by its name (上海市, 广东省深圳市), the rest as kept."""
    return canonical(code) if code.isdigit() else code


class Carrier(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=16, unique=True)
    name = fields.CharField(max_length=100)  # in English; `name_zh` in Chinese (empty: the English one)
    name_zh = fields.CharField(max_length=100, default="")
    adapter = fields.CharField(max_length=32, default="simulated")  # key into ADAPTERS
    service_level = fields.CharEnumField(ServiceLevel, max_length=16, default=ServiceLevel.STANDARD)
    # adcodes of the places served at home (a province, city or district covers all under it), or ["*"];
    # countries' codes abroad, or "WORLD"
    regions: list[str] = fields.JSONField(default=list)  # type: ignore[assignment]
    goods_classes: list[str] = fields.JSONField(default=list)  # type: ignore[assignment]
    max_weight_g = fields.IntField(default=30_000)
    max_side_mm = fields.IntField(default=1500)
    transit_days = fields.IntField(default=2)
    # {"first_kg": "12.00", "per_kg": "2.00", "zones": {"650000": "1.8"}}: price = (first + per_kg × extra kg) × the
    # factor of the deepest zone (an adcode) the destination lies in
    rates: dict[str, Any] = fields.JSONField(default=dict)  # type: ignore[assignment]
    cutoff = ClockField(default=time(16, 0))
    webhook_secret = fields.CharField(max_length=128, default="")
    active = fields.BooleanField(default=True)

    class Meta:
        table = "carrier"

    @property
    def region_codes(self) -> list[str]:
        """The regions as codes, however they were written (a row from before codes, a carrier made in memory)."""
        return [code for name in self.regions if (code := region_code(name)) is not None]

    def serves(self, adcode: str, country: str = HOME_COUNTRY) -> bool:
        """At home a carrier serves the places under the regions it lists (or all: "*"); abroad only the
        countries it lists (or all: "WORLD"), a carrier listing none going nowhere abroad."""
        codes = self.region_codes
        if country != HOME_COUNTRY:
            return WORLD in codes or country in codes
        return EVERYWHERE in codes or any(covers(code, adcode) for code in codes if code.isdigit())

    @property
    def own_fleet(self) -> bool:
        """Our own vans carry it (loaded onto one of them), not an outside carrier's courier."""
        return self.adapter == "own_fleet"

    @property
    def names(self) -> Phrase:
        """The carrier's name in each language it has one (a name kept in one only is said whole in both)."""
        return named(self.name, self.name_zh)

    def price(self, place: str, weight_g: int) -> Decimal:
        """What the parcel costs to `place` (an adcode, or a place's name in any form)."""
        kg = max(1, math.ceil(weight_g / 1000))
        base = Decimal(self.rates.get("first_kg", "10")) + Decimal(self.rates.get("per_kg", "2")) * (kg - 1)
        adcode = place if place.isdigit() else place_code(place)
        zones = [(code, factor) for name, factor in self.rates.get("zones", {}).items()
                 if (code := region_code(name)) and code.isdigit() and covers(code, adcode)]
        zone = Decimal(max(zones, key=lambda z: int(z[0]))[1] if zones else "1")  # the deepest: 440300 under 440000
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
    name_zh: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
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

    @field_validator("regions")
    @classmethod
    def _known_regions(cls, names: list[str]) -> list[str]:
        return list(dict.fromkeys(_region_or_refuse(name) for name in names))

    @field_validator("rates")
    @classmethod
    def _zones_by_code(cls, rates: RatesIn) -> RatesIn:
        return rates.model_copy(update={"zones": {_region_or_refuse(name): f for name, f in rates.zones.items()}})

    @field_validator("adapter")
    @classmethod
    def _known_adapter(cls, value: str) -> str:
        if value not in ADAPTERS:
            raise PydanticCustomError("invalid.adapter", "unknown adapter {adapter}; one of {known}",
                                      {"adapter": value, "known": ", ".join(sorted(ADAPTERS))})
        return value


def _region_or_refuse(name: str) -> str:
    code = region_code(name)
    if code is None:
        raise PydanticCustomError("invalid.region", "{region} names no place (or several): name a province, city "
                                  "or district (上海, Shanghai, SH, 310000, 北京市朝阳区), a country (US), * or WORLD",
                                  {"region": name})
    return code


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


async def list_carriers() -> list[dict[str, Any]]:
    """Every carrier by code, with what it accepts."""
    return [carrier_view(c) for c in await Carrier.all().order_by("code")]


def carrier_view(c: Carrier) -> dict[str, Any]:
    return {"code": c.code, "name": c.name, "name_zh": c.name_zh, "adapter": c.adapter,
            "service_level": c.service_level,
            "regions": [region_name(code) for code in c.region_codes], "region_codes": c.region_codes,
            "goods_classes": c.goods_classes, "max_weight_g": c.max_weight_g,
            "max_side_mm": c.max_side_mm, "transit_days": c.transit_days, "rates": _rates_view(c.rates),
            "cutoff": c.cutoff.strftime("%H:%M"), "active": c.active}


def _rates_view(rates: dict[str, Any]) -> dict[str, Any]:
    zones = rates.get("zones")
    return {**rates, "zones": {region_name(code): f for code, f in zones.items()}} if zones else rates


# -- choosing -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parcel:
    """What must be carried, as the choice sees it."""

    province: str  # the destination's province in words, as the reasons say it
    goods_classes: frozenset[str]
    weight_g: int  # the heaviest package
    longest_side_mm: int
    service_level: ServiceLevel
    requested_date: date | None = None  # the day the customer wants it by, if they said
    country: str = HOME_COUNTRY
    adcode: str = ""  # where it goes, as deep as known; every rule compares this code, never the name

    @property
    def place(self) -> str:
        """The destination's code: the one given, else the one its province's name in any form says."""
        return self.adcode or place_code(self.province)


Said = dict[str, str]  # one text in every language: {"en": …, "zh": …}


def bilingual(code: str, **params: Any) -> Said:
    """The catalogue's text for `code` in every language; a callable parameter gives its words per language."""
    return {lang: text(code, lang, **{k: v(lang) if callable(v) else v for k, v in params.items()})
            for lang in LANGUAGES}


def _words(kind: str, values: list[str]) -> Any:
    return lambda lang: SEPARATOR[lang].join(text(f"{kind}.{v}", lang) for v in values)


@dataclass
class Choice:
    """The decision and its reasons, each in English (`reasons`, `why_not`, `basis`, `summary`) and Chinese
    (the same with `_zh`), as the API and the stored shipment show them."""

    chosen: str | None
    basis: str
    basis_zh: str
    requested: str | None = None  # the customer's date, ISO
    ranked: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    # carriers whose system failed at booking, each with why in both languages, the next one taking over
    fallbacks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def date_missed(self) -> bool:
        """The customer asked for a date that no carrier able to take the shipment arrives by."""
        return bool(self.ranked) and not any(o["on_time"] is not False for o in self.ranked)

    def _summary(self, lang: str) -> str:
        if self.chosen is None:
            suffix = "" if lang == "en" else "_zh"
            colon, semi = (": ", "; ") if lang == "en" else ("：", "；")
            return text("carrier.none", lang, reasons=semi.join(
                f"{r['carrier']}{colon}{SEPARATOR[lang].join(r['reasons' + suffix])}" for r in self.rejected))
        best = self.ranked[0]
        suffix = "" if lang == "en" else "_zh"
        said = text("carrier.chosen", lang, carrier=best["carrier"], basis=self.basis if lang == "en" else
                    self.basis_zh, price=best["price"], arrives=best["arrives"], priced=best["priced" + suffix])
        return " ".join([said, *(f["why" + suffix] for f in self.fallbacks)])

    @property
    def summary(self) -> str:
        return self._summary("en")

    @property
    def summary_zh(self) -> str:
        return self._summary("zh")

    def set_basis(self, said: Said) -> None:
        self.basis, self.basis_zh = said["en"], said["zh"]

    def fall_back(self, failed: str, reason: Said) -> bool:
        """The chosen carrier's system failed: the next ranked one takes over, and the choice says so.
        False when none is left."""
        self.ranked = [o for o in self.ranked if o["carrier"] != failed]
        if not self.ranked:
            self.chosen = None
            return False
        self.chosen = self.ranked[0]["carrier"]
        said = bilingual("carrier.fell_back", failed=failed, carrier=self.chosen,
                         reason=lambda lang: reason["en" if lang == "en" else "zh"])
        self.fallbacks.append({"carrier": failed, "why": said["en"], "why_zh": said["zh"]})
        return True

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "summary": self.summary, "summary_zh": self.summary_zh,
                "date_missed": self.date_missed}


def _refusals(c: Carrier, parcel: Parcel) -> list[Said]:
    reasons = []
    if not c.serves(parcel.place, parcel.country):
        reasons.append(bilingual("carrier.region", province=(
            parcel.province if parcel.country == HOME_COUNTRY else parcel.country) or (
            lambda lang: text("unknown_province", lang))))
    refused = sorted(parcel.goods_classes - set(c.goods_classes))
    if refused:
        reasons.append(bilingual("carrier.goods", classes=_words("goods", refused)))
    if parcel.weight_g > c.max_weight_g:
        reasons.append(bilingual("carrier.weight", limit=c.max_weight_g / 1000, weight=parcel.weight_g / 1000))
    if parcel.longest_side_mm > c.max_side_mm:
        reasons.append(bilingual("carrier.side", limit=c.max_side_mm, side=parcel.longest_side_mm))
    if SPEED[ServiceLevel(c.service_level)] < SPEED[parcel.service_level]:
        reasons.append(bilingual("carrier.level", level=_words("service", [c.service_level]),
                                 asked=_words("service", [parcel.service_level])))
    return reasons


def eligible(carriers: list[Carrier], parcel: Parcel) -> list[Carrier]:
    """The carriers no hard rule excludes: the only ones worth asking for a live quote."""
    return [c for c in carriers if not _refusals(c, parcel)]


def _option(c: Carrier, parcel: Parcel, total_weight_g: int, now: datetime, quote: Quote | None) -> dict[str, Any]:
    """One carrier able to take the shipment: its price and arrival from its live quote where it gave one,
    else from its rate table and transit days, saying which."""
    price = quote.price.quantize(Decimal("0.01")) if quote else c.price(parcel.place, total_weight_g)
    arrives = (quote.arrives if quote else None) or c.arrival(now)
    priced = bilingual("carrier.live_quote" if quote else "carrier.rate_table")
    by = parcel.requested_date
    return {"carrier": c.code, "name": c.name, "price": str(price), "arrives": arrives.isoformat(),
            "on_time": None if by is None else arrives <= by, "priced_by": "quote" if quote else "table",
            "priced": priced["en"], "priced_zh": priced["zh"]}


def choose_carrier(carriers: list[Carrier], parcel: Parcel, total_weight_g: int, now: datetime,
                   quotes: Mapping[str, Quote] | None = None) -> Choice:
    """Drop the carriers a hard rule excludes; rank the rest. A requested date comes first: carriers that
    arrive by it beat those that do not, then price (or arrival, for express). When none can make the date,
    the fastest wins and the basis says the date cannot be met. Price and arrival are a carrier's live quote
    where `quotes` has one, else its data: the rate table, and the day it collects (today before its
    cut-off, else tomorrow) plus its transit days, every day counting."""
    by = parcel.requested_date
    choice = Choice(chosen=None, basis="", basis_zh="", requested=by.isoformat() if by else None)
    for c in carriers:
        reasons = _refusals(c, parcel)
        if reasons:
            choice.rejected.append({"carrier": c.code, "reasons": [r["en"] for r in reasons],
                                    "reasons_zh": [r["zh"] for r in reasons]})
        else:
            choice.ranked.append(_option(c, parcel, total_weight_g, now, (quotes or {}).get(c.code)))
    can_meet = by is None or any(o["on_time"] for o in choice.ranked)
    by_arrival = parcel.service_level == ServiceLevel.EXPRESS or not can_meet

    def key(option: dict[str, Any]) -> tuple[Any, ...]:
        late = option["on_time"] is False
        soonest = (option["arrives"], Decimal(option["price"]))
        return (late, soonest if by_arrival or late else (Decimal(option["price"]), option["arrives"]))

    choice.ranked.sort(key=key)
    if by is None:
        basis = "carrier.by_speed" if by_arrival else "carrier.by_price"
    else:
        basis = "carrier.date_missed" if not can_meet else "carrier.date_by_speed" if by_arrival else \
            "carrier.date_by_price"
    choice.set_basis(bilingual(basis, requested=choice.requested))
    if choice.ranked:
        best = choice.ranked[0]
        for option in choice.ranked[1:]:
            said = _why_not(option, best, choice.requested, by_arrival)
            option["why_not"], option["why_not_zh"] = said["en"], said["zh"]
        choice.chosen = best["carrier"]
    return choice


def _why_not(option: dict[str, Any], best: dict[str, Any], requested: str | None, by_arrival: bool) -> Said:
    if option["on_time"] is False and best["on_time"]:
        return bilingual("carrier.late", arrives=option["arrives"], requested=requested, best=best["carrier"],
                     best_arrives=best["arrives"])
    if by_arrival:
        return bilingual("carrier.slower", arrives=option["arrives"], best=best["carrier"],
                         best_arrives=best["arrives"])
    return bilingual("carrier.dearer", price=option["price"], best=best["carrier"], best_price=best["price"])


# -- adapters -------------------------------------------------------------------------------------------


class SimulatedCarrier(CarrierAdapter):
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

    async def create_waybill(self, conn: Connection, request: WaybillRequest) -> Waybill:
        number = f"{conn.code}{request.shipment.replace('-', '')[2:]}"
        return Waybill(number, children=tuple(f"{number}-{seq}" for seq in range(2, request.packages + 1)))

    async def cancel_waybill(self, conn: Connection, waybill: str, reference: str) -> None:
        self.cancelled.add(waybill)

    async def fetch_tracking(self, conn: Connection, waybill: str, dispatched_at: datetime, origin: str,
                             destination: str, now: datetime) -> list[TrackingUpdate]:
        if waybill in self.cancelled:
            return []
        journey = timedelta(days=conn.transit_days or 0.25)
        places = {"origin": origin, "destination": destination}
        return [
            TrackingUpdate(f"{waybill}-{i}", code, text, places[where], dispatched_at + journey * share)
            for i, (share, code, text, where) in enumerate(self.JOURNEY)
            if dispatched_at + journey * share <= now
        ]


class OwnFleet(CarrierAdapter):
    """Our own vans: the waybill is our shipment number; drivers report delivery through fahuo itself."""

    async def create_waybill(self, conn: Connection, request: WaybillRequest) -> Waybill:
        return Waybill(f"{conn.code}-{request.shipment}")

    async def cancel_waybill(self, conn: Connection, waybill: str, reference: str) -> None:
        return None

    async def fetch_tracking(self, conn: Connection, waybill: str, dispatched_at: datetime, origin: str,
                             destination: str, now: datetime) -> list[TrackingUpdate]:
        return []


# Every adapter fahuo has, by the name a carrier's `adapter` field gives. A new carrier's system is a module
# beside carrier_sf.py implementing CarrierAdapter, added here.
ADAPTERS: dict[str, CarrierAdapter] = {"simulated": SimulatedCarrier(), "own_fleet": OwnFleet(),
                                       "sf": SfExpress(), "kuaidi100": Kuaidi100(), "karrio": KarrioCarrier()}


async def warm_up_adapters() -> None:
    """Let the adapters of the active carriers load what they need before the first packer waits on them."""
    for name in sorted(set(await Carrier.filter(active=True).values_list("adapter", flat=True))):
        if (adapter := ADAPTERS.get(str(name))) is not None:
            await asyncio.to_thread(adapter.warm_up)


def adapter_for(carrier: Carrier) -> CarrierAdapter:
    adapter = ADAPTERS.get(carrier.adapter)
    if adapter is None:
        raise Conflict(detail=phrase("refuse.no_adapter", carrier=carrier.code, adapter=carrier.adapter))
    return adapter


def connect(carrier: Carrier, settings: Settings) -> tuple[CarrierAdapter, Connection]:
    """The carrier's adapter, and the connection (with its account from settings) to call it with."""
    return adapter_for(carrier), Connection(carrier.code, carrier.name, carrier.transit_days,
                                            settings.carrier_account(carrier.code, carrier.adapter))


QuoteKey = tuple[str, str, str, str, int]  # carrier, country, province, city, whole kilograms


class QuoteCache:
    """Live quotes kept briefly, per carrier, destination and whole kilogram, so packing a run of similar
    parcels asks each carrier once, not once per parcel."""

    def __init__(self) -> None:
        self._kept: dict[QuoteKey, tuple[datetime, Quote]] = {}

    @staticmethod
    def key(code: str, province: str, city: str, weight_g: int, country: str = HOME_COUNTRY) -> QuoteKey:
        return code, country, province, city, max(1, math.ceil(weight_g / 1000))

    def get(self, key: QuoteKey, now: datetime) -> Quote | None:
        kept = self._kept.get(key)
        return kept[1] if kept is not None and kept[0] > now else None

    def put(self, key: QuoteKey, quote: Quote, until: datetime) -> None:
        self._kept[key] = (until, quote)

    def clear(self) -> None:
        self._kept.clear()


QUOTES = QuoteCache()


async def earliest_arrival(province: str, country: str, goods_classes: frozenset[str], now: datetime) -> date | None:
    """The first day an active carrier that serves the place and takes the goods can arrive, collecting today
    before its cut-off, else tomorrow: where a customer's calendar of delivery days begins."""
    parcel = Parcel(province, goods_classes, 0, 0, ServiceLevel.ECONOMY, None, country)
    days = [c.arrival(now) for c in eligible(await Carrier.filter(active=True), parcel)]
    return min(days) if days else None


serve_earliest_arrival(earliest_arrival)
