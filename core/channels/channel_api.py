"""What fahuo asks of a storefront's or marketplace's system and what comes back: the interface every channel
connector implements (Shopify, WooCommerce, Taobao …).

A connector turns one platform's webhooks or API answers into these plain values, and fahuo's shipment back
into the platform's calls. It knows nothing of fahuo's tables: it is given a `Link` (the channel's name and
its account from settings) and plain values, so each platform stays a small module of its own that
`core.channels.connectors` registers by name. Taking the order in (SKU mapping, review, idempotency by the
platform's order id), cancelling, and retrying write-backs through the outbox are done there, once for all.

Failures come in two kinds, as with carriers: `ChannelUnavailable` (timeout, network, 429, the platform's
5xx: try again later) and `ChannelRefused` (a payload fahuo cannot take, credentials refused, an order the
platform does not know: the same call fails again).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from core.base.settings import ChannelAccount


class ChannelError(Exception):
    """A platform's system did not do what was asked, or sent what fahuo cannot take. `reason` is plain words
    for logs and a manager's alert; it never carries a credential."""

    def __init__(self, channel: str, reason: str) -> None:
        super().__init__(f"{channel}: {reason}")
        self.channel, self.reason = channel, reason


class ChannelUnavailable(ChannelError):
    """No usable answer (timeout, connection, rate limit, server error): worth asking again later."""


class ChannelRefused(ChannelError):
    """The platform said no, or sent something fahuo cannot read; asking again the same way will not help."""


@dataclass(frozen=True)
class Link:
    """One channel as its connector needs it: fahuo's name for it (its orders' `channel`) and its account."""

    name: str
    account: ChannelAccount

    def secret(self, field_name: str) -> str:
        """A credential of the account; ChannelRefused when it is not configured."""
        value = getattr(self.account, field_name).get_secret_value()
        if not value:
            raise ChannelRefused(self.name, f"no {field_name} is configured for this channel (FAHUO_CHANNELS)")
        return str(value)


@dataclass(frozen=True)
class PlatformAddress:
    """Where the goods go, as the platform gave it. Platforms outside China have no district: it stays empty."""

    recipient: str
    phone: str
    province: str
    city: str
    line1: str
    district: str = ""
    postcode: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class PlatformLine:
    sku: str  # the platform's SKU; the channel's `skus` map turns it into fahuo's
    qty: int
    title: str = ""  # what the shop calls it, for a clear refusal when the SKU is unknown


@dataclass(frozen=True)
class PlatformOrder:
    """A new order on the platform. `ref` is the platform's own id for it (the order's `external_ref`, what
    makes intake idempotent); `label` is what the shop shows its customer (Shopify's "#1001")."""

    ref: str
    label: str
    customer: str
    phone: str
    email: str
    address: PlatformAddress
    lines: list[PlatformLine]
    paid: bool
    cash_on_delivery: bool = False
    total: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class PlatformCancel:
    """The platform cancelled an order: fahuo cancels it too unless it has shipped."""

    ref: str
    reason: str = ""


@dataclass(frozen=True)
class Ignored:
    """A webhook fahuo has nothing to do with (a ping, an update that changes nothing here): answered 200."""

    why: str


Incoming = PlatformOrder | PlatformCancel | Ignored


@dataclass(frozen=True)
class Pulled:
    """One page of a pull: new orders and cancellations, and where the next pull starts (`cursor`, the
    connector's own token: a time, a page, a platform cursor); `more` when the next page is there already."""

    orders: list[PlatformOrder] = field(default_factory=list)
    cancels: list[PlatformCancel] = field(default_factory=list)
    cursor: str = ""
    more: bool = False


@dataclass(frozen=True)
class ShipmentNote:
    """What the platform is told once an order left: the platform's order id, the carrier (fahuo's code and
    the name a person reads) and its waybill, fahuo's tracking page, and all of it said in words for the shop's
    customer (`said`, in the company's language) where a platform takes a note."""

    ref: str
    order: str  # fahuo's order number
    shipment: str  # fahuo's shipment number
    carrier_code: str
    carrier_name: str
    waybill: str
    tracking_url: str
    said: str = ""


class Channel:
    """The interface, with the answers of a platform that does not offer an optional part. A connector
    overrides what its platform offers:

    - push platforms (Shopify, WooCommerce): `verify` and `read_webhook`;
    - pull platforms (Taobao): `pull`, then `acknowledge` for each order taken, where the platform asks for it;
    - all: `write_back` (the shipment's carrier and waybill, once it left).

    Network calls may raise `ChannelUnavailable` or `ChannelRefused` and give up by themselves within the
    account's `timeout_s`; `read_webhook` raises `ChannelRefused` for a payload fahuo cannot take."""

    platform: str = ""
    pulls: bool = False  # True where fahuo must fetch the orders (core.channels.pulling asks `pull`)

    def verify(self, link: Link, headers: Mapping[str, str], body: bytes) -> bool:
        """Whether a webhook really comes from the platform (its signature over the raw body)."""
        return False

    def read_webhook(self, link: Link, headers: Mapping[str, str], body: bytes) -> Incoming:
        raise ChannelRefused(link.name, "this platform sends no webhooks")

    async def pull(self, link: Link, cursor: str) -> Pulled:
        """Orders and cancellations since `cursor` ("" at first), one page at a time."""
        return Pulled(cursor=cursor)

    async def acknowledge(self, link: Link, ref: str, order: str) -> None:
        """Tell the platform fahuo took its order `ref` in (as fahuo's `order`); a webhook's 200 is the
        acknowledgement of push platforms, so by default there is nothing to say."""

    async def write_back(self, link: Link, note: ShipmentNote) -> None:
        """Tell the platform the order left, with carrier and waybill. Telling it twice must do no harm: a
        write-back interrupted half-way is tried again whole."""
        raise NotImplementedError
