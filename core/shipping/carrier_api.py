"""What fahuo asks of a carrier's system and what comes back: the interface every carrier adapter implements.

An adapter turns fahuo's plain requests into one carrier's API calls (SF Express, an aggregator, karrio, the
built-in simulated carrier) and the answers back into these values. It knows nothing of fahuo's tables: it is
given a `Connection` (which carrier, and the account fahuo uses with it) and plain requests, so every adapter
stays a small module of its own that `core.shipping.carriers` registers by name.

Failures come in two kinds, because fahuo answers them differently: `CarrierUnavailable` (timeout, network,
rate limit, the carrier's own fault: try again later or another carrier) and `CarrierRefused` (the carrier
said no: bad data, bad signature, unknown waybill; the same call will fail again).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import aiohttp

from core.base.settings import CarrierAccount


class CarrierError(Exception):
    """A carrier's system did not do what was asked. `reason` is plain words for logs and the stored choice;
    it never carries a credential."""

    def __init__(self, carrier: str, reason: str) -> None:
        super().__init__(f"{carrier}: {reason}")
        self.carrier, self.reason = carrier, reason


class CarrierUnavailable(CarrierError):
    """No usable answer (timeout, connection, rate limit, server error): worth asking again later."""


class CarrierRefused(CarrierError):
    """The carrier answered no; asking again the same way will not help."""


async def post_form(conn: Connection, url: str, form: dict[str, str], what: str) -> Any:
    """A form posted to a carrier's system and its JSON answer, within the account's `timeout_s`. No answer in
    time, no connection, a rate limit (429), the carrier's server failing (5xx) or an answer that is no JSON are
    `CarrierUnavailable`, its reason naming the call (`what`); reading the answer is the adapter's."""
    account = conn.needs_account()
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=account.timeout_s)) as http, \
                http.post(url, data=form) as resp:
            if resp.status == 429 or resp.status >= 500:
                raise CarrierUnavailable(conn.code, f"{what}: HTTP {resp.status}")
            return await resp.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        raise CarrierUnavailable(conn.code, f"{what}: {type(error).__name__}") from None


@dataclass(frozen=True)
class Connection:
    """One carrier as its adapter needs it: fahuo's code and name for it, its usual transit days, and the
    account (from settings) fahuo uses with its system, if it needs one."""

    code: str
    name: str
    transit_days: int = 2
    account: CarrierAccount | None = None

    def needs_account(self) -> CarrierAccount:
        if self.account is None or not self.account.key.get_secret_value():
            raise CarrierRefused(self.code, "no account is configured for this carrier (FAHUO_CARRIER_ACCOUNTS)")
        return self.account


@dataclass(frozen=True)
class Place:
    """An address as carriers take it: the administrative names and the street part apart."""

    province: str
    city: str
    district: str
    street: str
    postcode: str = ""
    country: str = "CN"  # ISO 3166-1 alpha-2

    @property
    def whole(self) -> str:
        return f"{self.province}{self.city}{self.district}{self.street}"


@dataclass(frozen=True)
class Party:
    name: str
    phone: str
    place: Place
    company: str = ""


@dataclass(frozen=True)
class Size:
    """One package as packed: its weight in grams and its sides in millimetres."""

    weight_g: int
    length_mm: int
    width_mm: int
    height_mm: int


@dataclass(frozen=True)
class CustomsLine:
    """One line of the commercial invoice of a parcel abroad: a product, how many, and what customs are told
    of one unit (value in `currency`, weight in grams)."""

    sku: str
    description: str
    qty: int
    hs_code: str
    origin_country: str
    unit_value: Decimal
    unit_weight_g: int
    currency: str = "CNY"


@dataclass(frozen=True)
class WaybillRequest:
    """Everything a carrier needs to issue a waybill for one shipment. `shipment` is fahuo's number for it and
    the carrier's order reference, so asking twice gets the same waybill where the carrier allows it."""

    shipment: str
    sender: Party
    recipient: Party
    packages: int
    weight_g: int
    goods: str  # what is inside, in a few words
    service_level: str = "standard"
    customs: tuple[CustomsLine, ...] = ()  # the commercial invoice, for a parcel abroad
    sizes: tuple[Size, ...] = ()  # each package as packed, where the carrier prices by size

    @property
    def abroad(self) -> bool:
        return self.recipient.place.country != self.sender.place.country

    @property
    def province(self) -> str:
        return self.recipient.place.province


@dataclass(frozen=True)
class QuoteRequest:
    origin: Place
    destination: Place
    weight_g: int
    service_level: str = "standard"


@dataclass(frozen=True)
class Quote:
    """A carrier's live price (CNY) and, when it says, the day it delivers."""

    price: Decimal
    arrives: date | None = None
    service: str = ""  # the carrier's name for the product priced, e.g. 顺丰标快


@dataclass(frozen=True)
class Waybill:
    """What a carrier issues: the number, the routing fields its label must show (e.g. SF's destination code
    `destRouteLabel`, origin code, two-dimension code), and its own label where it draws one."""

    number: str
    routing: dict[str, str] = field(default_factory=dict)
    children: tuple[str, ...] = ()  # the numbers of the further packages, in order (child waybills, 子单号)
    label: bytes | None = None
    label_format: str | None = None  # "pdf", "zpl", "png"


@dataclass(frozen=True)
class TrackingUpdate:
    external_id: str  # stable for the same event, however it arrives (polled or pushed): it is stored once
    code: str  # picked_up | in_transit | arrived | out_for_delivery | delivered | exception
    description: str
    place: str
    occurred_at: datetime


@dataclass(frozen=True)
class Pushed:
    """Events a carrier pushed for one of its waybills; `reference` is the order reference the carrier
    repeats (fahuo's shipment number), when it does."""

    waybill: str
    updates: list[TrackingUpdate]
    reference: str = ""
    ended: bool = False  # the carrier's system stopped following the waybill (it pushes no more)
    renew: bool = False  # …before the parcel's end (kuaidi100's abort): subscribing again may bring more
    company: str = ""  # an aggregator's code of the carrier it pushed for, where that is not this carrier's own
    corrected: str = ""  # the code the aggregator says the waybill really belongs to, to subscribe again with


@dataclass(frozen=True)
class Subscription:
    """A waybill to follow by push: where to push (fahuo's address for this carrier, secret token included)
    and what helps the carrier find the parcel (the recipient's phone, the cities it travels between)."""

    waybill: str
    reference: str  # fahuo's shipment number
    push_url: str
    phone: str = ""
    origin: str = ""
    destination: str = ""
    company: str = ""  # an aggregator's code to follow it as, where a push corrected the carrier's own


@dataclass(frozen=True)
class PushReply:
    """The answer a carrier expects to a push, in its own words (many retry until they read them)."""

    status: int
    body: str
    content_type: str = "application/json"


class CarrierAdapter:
    """The interface, with the answers of a carrier that does not offer the optional parts (quotes, pushed
    tracking). An adapter overrides what its carrier offers; every method may raise `CarrierUnavailable` or
    `CarrierRefused`, and a call must give up by itself within the account's `timeout_s`."""

    async def create_waybill(self, conn: Connection, request: WaybillRequest) -> Waybill:
        raise NotImplementedError

    async def cancel_waybill(self, conn: Connection, waybill: str, reference: str) -> None:
        """Cancel `waybill`, issued for shipment `reference`; cancelling one already cancelled is no error."""
        raise NotImplementedError

    async def fetch_tracking(self, conn: Connection, waybill: str, dispatched_at: datetime, origin: str,
                             destination: str, now: datetime) -> list[TrackingUpdate]:
        raise NotImplementedError

    async def quote(self, conn: Connection, request: QuoteRequest) -> Quote | None:
        """The live price, or None where the carrier quotes nothing (its rate table in fahuo then counts)."""
        return None

    async def subscribe(self, conn: Connection, subscription: Subscription) -> bool:
        """Ask the carrier's system to push the waybill's tracking to fahuo, once it is on the road. False
        where there is nothing to ask (the carrier pushes unasked, or not at all); subscribing again to a
        waybill already followed is no error."""
        return False

    def read_push(self, conn: Connection, body: bytes, content_type: str) -> list[Pushed]:
        """Parse (and verify, where the carrier signs) a push; raise `CarrierRefused` for one to turn away.
        The URL's secret token was checked before this is called."""
        raise CarrierRefused(conn.code, "this carrier does not push tracking")

    def push_reply(self, accepted: bool, message: str) -> PushReply:
        return PushReply(200 if accepted else 400, json.dumps({"ok": accepted, "message": message}))

    def warm_up(self) -> None:
        """Load what the first call would otherwise load while a packer waits (a library slow to import).
        Blocking: it runs in a worker thread, once, as fahuo starts."""
