"""Channels at work: a platform's order taken in, its cancellation followed, and its shipment written back.

Every platform is a `Channel` connector (core.channels.channel_api) registered here by its `platform` name;
each configured channel (FAHUO_CHANNELS) names the connector it uses. What is the same for all is done here:

- intake goes through `place_order` under the channel's name with the platform's order id as `external_ref`,
  so an order delivered twice (a webhook retried, a page pulled again) is one order; the platform's SKUs are
  mapped to fahuo's by the channel's `skus`, its address to fahuo's fields;
- a cancellation on the platform cancels the fahuo order while it has not shipped; once shipped a manager is
  told instead;
- after dispatch the platform is told (carrier and waybill) through the outbox: `shipment.dispatched` becomes a
  `channel.write_back` request, tried by a scheduler job, again and again with a growing wait while the
  platform is down; dispatch never waits for a platform, and a manager hears when it keeps failing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import ValidationError
from tortoise.transactions import in_transaction

from core.base.db import in_callers_transaction
from core.base.errors import BadSignature, InvalidInput, InvalidTransition, NotFound
from core.base.events import emit
from core.base.fields import MAX_ADDRESS_TEXT
from core.base.i18n import phrase, render, text
from core.base.jobs import GiveUp, Job, Later, Policy, enqueue, handles, run_due
from core.base.places import place_of, read_address
from core.base.settings import Settings
from core.channels.channel_api import (
    Channel,
    ChannelError,
    ChannelRefused,
    ChannelUnavailable,
    Ignored,
    Incoming,
    Link,
    PlatformAddress,
    PlatformCancel,
    PlatformOrder,
    ShipmentNote,
)
from core.channels.shopify import Shopify
from core.channels.taobao import Taobao
from core.channels.woocommerce import WooCommerce
from core.channels.write_backs import WRITE_BACK, FailureKind, WriteBackState, note_write_back, write_back_key
from core.orders.intake import Placed, place_order
from core.orders.notifications import advance, next_events
from core.orders.order import (
    TRANSITIONS,
    Order,
    OrderIn,
    OrderStatus,
    PaymentMethod,
    PaymentState,
    order_by_external_ref,
)
from core.shipping.cancellation import cancel_order
from core.shipping.shipments import Shipment, tracking_url

log = logging.getLogger(__name__)
CONNECTORS: dict[str, Channel] = {c.platform: c for c in (Shopify(), WooCommerce(), Taobao())}


def link_to(name: str, settings: Settings) -> tuple[Channel, Link]:
    """The configured channel's connector and link; NotFound for a name no channel has."""
    account = settings.channels.get(name)
    if account is None or account.platform not in CONNECTORS:
        raise NotFound(what="channel", key=name)
    return CONNECTORS[account.platform], Link(name, account)


def actor_of(link: Link) -> str:
    return f"channel:{link.name}"


# -- orders in ---------------------------------------------------------------------------------------------


def order_in(link: Link, order: PlatformOrder) -> OrderIn:
    """fahuo's order for the platform's: SKUs through the channel's map, the platform's payment as fahuo's.
    Words longer than fahuo keeps are cut (a shop allows longer names and streets than a waybill holds); a
    ValidationError names what does not fit (a missing phone, an address too short, a quantity of 0)."""
    skus = link.account.skus
    return OrderIn.model_validate({
        "external_ref": order.ref,
        "customer": {"name": (order.customer or order.address.recipient)[:100], "phone": order.phone,
                     "email": order.email[:200]},
        "address": address_in(order.address),
        "lines": [{"sku": skus.get(line.sku, line.sku), "qty": line.qty} for line in order.lines],
        "payment_method": PaymentMethod.COD if order.cash_on_delivery else PaymentMethod.PREPAID,
        "payment_state": PaymentState.PAID if order.paid else PaymentState.PENDING,
        "note": f"{link.name} {order.label} {order.note}".strip()[:500],
    })


def address_in(address: PlatformAddress) -> dict[str, object]:
    """fahuo's address for the platform's. Parts that name no district (a shop asks for none; a buyer writes the
    city in pinyin and the district in the street line) are read whole by the address reader, which then gives
    the province, city, district and line; when even the whole names no district the parts stay as sent, and
    the review asks a person."""
    parts: dict[str, object] = {
        "recipient": address.recipient[:100], "phone": address.phone, "province": address.province[:64],
        "city": address.city[:64], "district": address.district[:64], "line1": address.line1[:300],
        "postcode": address.postcode[:16], "lat": address.lat, "lon": address.lon}
    if place_of(address.province, address.city, address.district).placed:
        return parts
    whole = " ".join(p for p in (address.province, address.city, address.district, address.line1) if p)
    if not whole or len(whole) > MAX_ADDRESS_TEXT or not read_address(whole).placed:
        return parts
    return {"text": whole, **{k: parts[k] for k in ("recipient", "phone", "postcode", "lat", "lon")}}


async def take_order(link: Link, order: PlatformOrder, settings: Settings) -> Placed:
    """Place the platform's order (once, however often it comes); reviewed and allocated like any other."""
    return await place_order(order_in(link, order), link.name, actor_of(link), settings)


@dataclass(frozen=True)
class Outcome:
    """What became of a webhook: `order` is fahuo's number where there is one; `result` one of created,
    repeated (already taken), cancelled, shipped (too late to cancel), rejected (fahuo had refused it: nothing
    to cancel), unknown (an order fahuo never took), ignored."""

    result: str
    order: str | None = None


async def cancel_from_platform(link: Link, cancel: PlatformCancel) -> Outcome:
    """The platform cancelled its order: fahuo's is cancelled too while it has not shipped (the stock goes
    back); one that has shipped is not, and a manager is told once."""
    order = await order_by_external_ref(link.name, cancel.ref)
    if order is None:
        return Outcome("unknown")
    if order.status in (OrderStatus.CANCELLED, OrderStatus.REJECTED):
        return Outcome(str(order.status), order.number)
    reason = text("channel.cancelled", "en", channel=link.name) + (f" ({cancel.reason})" if cancel.reason else "")
    if OrderStatus.CANCELLED in TRANSITIONS[OrderStatus(order.status)]:
        try:
            await cancel_order(order.number, actor_of(link), reason[:300])
            return Outcome("cancelled", order.number)
        except InvalidTransition:  # it shipped meanwhile
            order = await Order.get(id=order.id)
    async with in_transaction():
        await emit("channel.cancel_too_late", {"channel": link.name, "order": order.number, "status": order.status,
                                               "ref": cancel.ref}, dedupe_key=f"cancel_too_late:{order.number}")
    return Outcome("shipped", order.number)


def _read(channel: Channel, link: Link, headers: Mapping[str, str], body: bytes) -> Incoming:
    try:
        return channel.read_webhook(link, headers, body)
    except ChannelRefused as refused:
        raise InvalidInput(detail=refused.reason) from None
    except (AttributeError, KeyError, TypeError, ValueError):  # a field of another shape than the platform's
        raise InvalidInput(detail=phrase("refuse.channel_unreadable", platform=channel.platform)) from None


async def receive_webhook(name: str, headers: Mapping[str, str], body: bytes, settings: Settings) -> Outcome:
    """A platform's webhook: refused whole (BadSignature, InvalidInput) unless it is signed by the channel's
    secret and fahuo can read it; then the order is taken in or cancelled."""
    channel, link = link_to(name, settings)
    if not channel.verify(link, headers, body):
        raise BadSignature(channel=name)
    incoming = _read(channel, link, headers, body)
    if isinstance(incoming, Ignored):
        return Outcome("ignored")
    if isinstance(incoming, PlatformCancel):
        return await cancel_from_platform(link, incoming)
    try:
        placed = await take_order(link, incoming, settings)
    except ValidationError as invalid:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in invalid.errors()[:5])
        raise InvalidInput(detail=problems) from None
    return Outcome("created" if placed.created else "repeated", placed.order.number)


# -- shipments written back --------------------------------------------------------------------------------

DISPATCHED = "channel_dispatched"  # the outbox consumer that asks for platforms to be told of orders that left
SLOW_AFTER = 3  # tries: down for a while now, someone may want to look, though fahuo keeps trying


async def _note(number: str, settings: Settings) -> ShipmentNote:
    shipment = await Shipment.get(number=number).prefetch_related("order", "carrier")
    # the shop's customers read the company's language
    carrier_name = render(shipment.carrier.names, settings.company_language) if shipment.carrier else ""
    url = tracking_url(shipment, settings)
    said = text("channel.tracking_note", settings.company_language, carrier=carrier_name,
                waybill=shipment.waybill or "", url=url)
    return ShipmentNote(ref=shipment.order.external_ref or "", order=shipment.order.number, shipment=number,
                        carrier_code=shipment.carrier.code if shipment.carrier else "", carrier_name=carrier_name,
                        waybill=shipment.waybill or "", tracking_url=url, said=said)


@handles(WRITE_BACK, Policy(tries=1000, claim=120.0))  # its own tries and pauses come from the settings
async def _write_back(job: Job, settings: Settings) -> bool:
    """Tell a platform its order left (a job of `write_back_shipments`); a failure is tried again later
    (waiting longer each time, holding back the later write-backs of the same channel only) or, refused or
    out of tries, given up and told to a manager. Runs outside any transaction: the platform is called with
    no row locked."""
    payload, now, attempt = job.payload, datetime.now(UTC), job.attempts
    name = str(payload["channel"])
    kind = FailureKind.REFUSED
    try:
        channel, link = link_to(name, settings)
        await channel.write_back(link, await _note(str(payload["shipment"]), settings))
        async with in_transaction():
            await note_write_back(payload, WriteBackState.DONE, attempt, now)
        return True
    except NotFound:
        failure: ChannelError = ChannelRefused(name, "the channel is no longer configured")
        kind = FailureKind.UNCONFIGURED
    except ChannelError as error:
        failure = error
        if isinstance(error, ChannelUnavailable):
            kind = FailureKind.UNAVAILABLE
    log.warning("channel %s was not told of shipment %s (try %d): %s", name, payload["shipment"], attempt,
                failure.reason)
    given_up = isinstance(failure, ChannelRefused) or attempt > settings.channel_retries
    async with in_transaction():
        base = {"channel": name, "order": payload["order"], "shipment": payload["shipment"], "tries": attempt,
                "why": failure.reason[:300]}
        if given_up:
            await note_write_back(payload, WriteBackState.FAILED, attempt, now, kind, failure.reason)
            await emit("channel.write_back_failed", base, dedupe_key=f"write_back_failed:{payload['shipment']}")
        else:
            await note_write_back(payload, WriteBackState.WAITING, attempt, now, kind, failure.reason)
            if attempt == SLOW_AFTER:
                await emit("channel.write_back_slow", base, dedupe_key=f"write_back_slow:{payload['shipment']}")
    if given_up:
        raise GiveUp(failure.reason)
    raise Later(failure.reason, after=60.0 * min(2 ** attempt, 60))


async def write_back_shipments(settings: Settings, now: datetime) -> int:
    """Tell the platforms of their orders that left (a scheduler job); returns how many were told by this
    round. Each dispatch of a shop's order becomes a write-back job (the row the connections screen shows
    comes with it), and the write-backs due by `now` are tried, each channel's in order."""
    while True:
        events = await next_events(DISPATCHED, 100, kind="shipment.dispatched")
        if not events:
            break
        async with in_transaction():
            for event in events:
                order = await Order.get_or_none(number=event.payload["order"])
                if order is not None and order.external_ref and order.channel in settings.channels:
                    await _write_back_later(order, str(event.payload["shipment"]), now)
            await advance(DISPATCHED, events[-1])
    return (await run_due(settings, now, [WRITE_BACK])).worked


@in_callers_transaction
async def _write_back_later(order: Order, shipment: str, now: datetime) -> None:
    payload = {"channel": order.channel, "order": order.number, "shipment": shipment}
    if await enqueue(WRITE_BACK, payload, key=write_back_key(shipment), lane=f"{WRITE_BACK}:{order.channel}",
                     due=now):
        await note_write_back(payload, WriteBackState.WAITING, 0, now)
