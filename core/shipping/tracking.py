"""Tracking: what happened to a shipment after it left, from the carrier (polled or pushed) or our drivers.

Events are stored once each (a carrier's own event id, or one we derive), so polling twice or a webhook
retry adds nothing. A `delivered` event closes the shipment and the order.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.db import in_callers_transaction
from core.base.errors import InvalidTransition, NotFound, Unauthorized
from core.base.events import emit
from core.base.i18n import Phrase, phrase, written_in
from core.base.jobs import Job, Later, enqueue, handles
from core.base.places import written
from core.base.settings import Settings
from core.orders.order import CustomerOrder, OrderStatus, customer_order, transition
from core.shipping.carrier_api import (
    CarrierError,
    CarrierRefused,
    Pushed,
    PushReply,
    Subscription,
    TrackingUpdate,
)
from core.shipping.carriers import Carrier, SimulatedCarrier, carrier_by_code, connect
from core.shipping.shipments import Shipment, ShipmentStatus, shipment_by_number, tracking_url

log = logging.getLogger(__name__)


class TrackingCode(StrEnum):
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    ARRIVED = "arrived"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"  # damaged, refused, address not found: a person must look


class TrackingEvent(Model):
    id = fields.IntField(primary_key=True)
    shipment: fields.ForeignKeyRelation[Shipment] = fields.ForeignKeyField(
        "fahuo.Shipment", related_name="tracking", on_delete=fields.CASCADE
    )
    external_id = fields.CharField(max_length=64)
    code = fields.CharEnumField(TrackingCode, max_length=24)
    description = fields.CharField(max_length=300)
    place = fields.CharField(max_length=100, default="")
    occurred_at = fields.DatetimeField()
    source = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tracking_event"
        unique_together = (("shipment", "external_id"),)
        ordering = ("occurred_at", "id")


class Following(StrEnum):
    YES = "yes"  # the carrier's system pushes the waybill's news: the poll leaves it alone
    ABORTED = "aborted"  # it stopped before the parcel's end: fahuo subscribes again (a few times)
    ENDED = "ended"  # it pushes no more: the poll follows the waybill


class PushSubscription(Model):
    """A carrier's system following one shipment's waybill for fahuo by push (kuaidi100's subscription)."""

    id = fields.IntField(primary_key=True)
    shipment: fields.OneToOneRelation[Shipment] = fields.OneToOneField(
        "fahuo.Shipment", related_name="push_subscription", on_delete=fields.CASCADE
    )
    state = fields.CharEnumField(Following, max_length=8, default=Following.YES)
    company = fields.CharField(max_length=32, default="")  # the aggregator's code, where a push corrected it
    renewals = fields.IntField(default=0)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "push_subscription"


RENEWALS = 3  # kuaidi100 takes a waybill four times a month: the first subscription and three renewals


Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]


class TrackingEventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    code: TrackingCode
    description: Line = ""
    place: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    at: datetime

    def update(self) -> TrackingUpdate:
        at = self.at if self.at.tzinfo else self.at.replace(tzinfo=UTC)
        return TrackingUpdate(self.id, self.code, self.description, self.place, at)  # no words: its kind says it


class TrackingPushIn(BaseModel):
    """What a carrier pushes to our webhook."""

    model_config = ConfigDict(extra="forbid")
    waybill: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    events: list[TrackingEventIn] = Field(min_length=1, max_length=100)


@in_callers_transaction
async def record_tracking(shipment: Shipment, updates: list[TrackingUpdate], source: str) -> int:
    """Store the new events of a shipment; returns how many were new. Call inside a transaction."""
    if shipment.status not in (ShipmentStatus.DISPATCHED, ShipmentStatus.DELIVERED):
        raise InvalidTransition(document=shipment.number, current=shipment.status, action="tracked", kind="shipment")
    known = set(await TrackingEvent.filter(shipment_id=shipment.id).values_list("external_id", flat=True))
    new = [u for u in updates if u.external_id not in known]
    for u in new:
        try:
            async with in_transaction():
                await TrackingEvent.create(shipment_id=shipment.id, external_id=u.external_id, code=u.code,
                                           description=u.description[:300], place=u.place[:100],
                                           occurred_at=u.occurred_at, source=source)
        except IntegrityError:
            continue  # a concurrent poll stored it first
        await emit("shipment.tracking", {"shipment": shipment.number, "order": shipment.order.number,
                                         "code": u.code, "description": u.description,
                                         "customer_id": shipment.order.customer_id},  # type: ignore[attr-defined]
                   dedupe_key=f"track:{shipment.id}:{u.external_id}")
    delivered = next((u for u in new if u.code == TrackingCode.DELIVERED), None)
    if delivered is not None and shipment.status == ShipmentStatus.DISPATCHED:
        await _deliver(shipment, delivered, source)
    return len(new)


async def _deliver(shipment: Shipment, event: TrackingUpdate, source: str) -> None:
    if await Shipment.filter(id=shipment.id, status=ShipmentStatus.DISPATCHED).update(
            status=ShipmentStatus.DELIVERED, delivered_at=event.occurred_at):
        shipment.status = ShipmentStatus.DELIVERED
        if shipment.order.status == OrderStatus.SHIPPED:
            await transition(shipment.order, OrderStatus.DELIVERED, source, event_words(event.code, event.description))


async def record_by_staff(number: str, event: TrackingEventIn, actor: str) -> int:
    """A driver of our own fleet (or a dispatcher on the phone with a carrier) reports what happened."""
    async with in_transaction():
        shipment = await shipment_by_number(number)
        return await record_tracking(shipment, [event.update()], actor)


def signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def receive_push(carrier_code: str, body: bytes, given_signature: str, push: TrackingPushIn) -> int:
    """A carrier's webhook call, accepted only with the HMAC-SHA256 of the body under its shared secret."""
    carrier = await carrier_by_code(carrier_code)
    if not carrier.webhook_secret or not hmac.compare_digest(signature(carrier.webhook_secret, body),
                                                              given_signature.strip().lower()):
        raise Unauthorized(detail=phrase("refuse.webhook_signature"))
    async with in_transaction():
        shipment = await Shipment.get_or_none(carrier_id=carrier.id, waybill=push.waybill).prefetch_related("order")
        if shipment is None:
            raise NotFound(what="waybill", key=push.waybill)
        return await record_tracking(shipment, [e.update() for e in push.events], f"carrier:{carrier.code}")


async def receive_carrier_push(code: str, token: str, body: bytes, content_type: str,
                               settings: Settings) -> PushReply:
    """Tracking a carrier's system pushes to fahuo, in its own format, answered in its own words.

    The push address carries the account's secret token (the carrier is given the whole URL); the adapter
    then reads (and, where the carrier signs, verifies) the body. An event is taken only for a waybill that
    carrier issued to fahuo, and for the shipment the carrier names with it; each is stored once, so a
    carrier that pushes again changes nothing. Events for a shipment not yet dispatched are left for the
    tracking poll, which asks again after dispatch."""
    carrier = await Carrier.get_or_none(code=code)
    if carrier is None:
        raise NotFound(what="carrier", key=code)
    adapter, conn = connect(carrier, settings)
    expected = conn.account.push_token.get_secret_value() if conn.account else ""
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        return replace(adapter.push_reply(False, "unknown push address"), status=401)
    try:
        pushed = adapter.read_push(conn, body, content_type)
    except CarrierRefused as refused:
        return adapter.push_reply(False, refused.reason)
    new = 0
    for push in pushed:
        async with in_transaction():
            shipment = await Shipment.get_or_none(carrier_id=carrier.id, waybill=push.waybill
                                                  ).prefetch_related("order")
            if shipment is None or (push.reference and push.reference != shipment.number):
                log.warning("%s pushed tracking for waybill %s, which is not one of its shipments", code, push.waybill)
            elif shipment.status not in (ShipmentStatus.DISPATCHED, ShipmentStatus.DELIVERED):
                log.info("%s pushed tracking for %s before dispatch; the poll takes it later", code, shipment.number)
            elif await _pushed_for_another(shipment, push):
                log.warning("%s pushed tracking of %s for company %s; it follows it as another",
                            code, shipment.number, push.company)
            else:
                new += await record_tracking(shipment, push.updates, f"carrier:{code}")
                if push.ended:
                    await _ended(shipment, push)
    return adapter.push_reply(True, f"{new} new")


async def _pushed_for_another(shipment: Shipment, push: Pushed) -> bool:
    """A push naming another company than the one fahuo follows the waybill as (the carrier's own, or the
    one a push corrected it to) is not this parcel's news."""
    if not push.company or push.company == push.corrected:
        return False
    followed_as = await PushSubscription.filter(shipment_id=shipment.id).values_list("company", flat=True)
    return push.company not in followed_as


async def _ended(shipment: Shipment, push: Pushed) -> None:
    """The carrier's system stopped following the waybill: ask it again (as the company it corrected to)
    while renewals are left and the parcel is on the road, else leave the waybill to the poll. Call inside
    a transaction."""
    subscription, _ = await PushSubscription.get_or_create(shipment_id=shipment.id)
    again = push.renew and subscription.renewals < RENEWALS and shipment.status == ShipmentStatus.DISPATCHED
    subscription.state = Following.ABORTED if again else Following.ENDED
    subscription.company = push.corrected or subscription.company
    await subscription.save(update_fields=["state", "company", "updated_at"])
    if again:
        await follow_later(shipment, subscription.company, subscription.renewals + 1)


SUBSCRIBE = "tracking.subscribe"  # ask a carrier that pushes on request to follow a waybill that left


def push_url(carrier: Carrier, token: str, settings: Settings) -> str:
    """The address a carrier pushes tracking to: fahuo's public address, the carrier's code, the secret token."""
    return f"{settings.base_url}/carriers/{carrier.code}/push/{token}"


@in_callers_transaction
async def follow_later(shipment: Shipment, company: str = "", renewal: int = 0) -> None:
    """Ask the shipment's carrier, by a job once the caller's transaction commits, to push its waybill's news:
    when the parcel leaves (`renewal` 0), and again each time the carrier's system stopped following it early."""
    await enqueue(SUBSCRIBE, {"shipment": shipment.number, "company": company, "renewal": renewal},
                  key=f"{SUBSCRIBE}:{shipment.number}:{renewal}")


@handles(SUBSCRIBE)
async def _subscribe(job: Job, settings: Settings) -> bool:
    """One subscription (a job of `follow_later`); True when the carrier will push. A carrier whose system fails
    is asked again later, holding back no other waybill; one that refuses (a bad key, a company it does not
    follow) is logged and the poll follows that waybill instead."""
    shipment = await Shipment.get_or_none(number=job.payload["shipment"]).prefetch_related(
        "carrier", "order", "warehouse")
    if shipment is None or shipment.carrier is None or not shipment.waybill \
            or shipment.status != ShipmentStatus.DISPATCHED:
        return False
    renewal = int(job.payload.get("renewal", 0))
    followed = await _follow(shipment, settings, job.payload.get("company", ""))
    if followed is None:
        raise Later(f"{shipment.carrier.code} did not take the subscription of {shipment.number}")
    if renewal == 0 and followed:
        await PushSubscription.update_or_create({"state": Following.YES}, shipment_id=shipment.id)
    elif renewal:
        await PushSubscription.filter(shipment_id=shipment.id, state=Following.ABORTED).update(
            state=Following.YES if followed else Following.ENDED, renewals=renewal - 1 + followed)
    return followed


async def _follow(shipment: Shipment, settings: Settings, company: str = "") -> bool | None:
    """Ask the shipment's carrier to push its waybill's news: True when it will, False when it will not (it
    pushes nothing on request, or refused), None when its system failed (ask again next round)."""
    carrier: Carrier = shipment.carrier  # type: ignore[assignment]
    adapter, conn = connect(carrier, settings)
    token = conn.account.push_token.get_secret_value() if conn.account else ""
    if not token:
        return False
    order = shipment.order
    wanted = Subscription(shipment.waybill or "", shipment.number, push_url(carrier, token, settings), order.phone,
                          written(shipment.warehouse.province, shipment.warehouse.city, "", "", between=""),
                          written(order.province, order.city, order.district, "", between=""), company)
    try:
        return await adapter.subscribe(conn, wanted)
    except CarrierRefused as refused:
        log.warning("%s refused to push tracking of %s: %s", carrier.code, shipment.number, refused.reason)
        return False
    except CarrierError as error:
        log.warning("%s did not take the subscription of %s (%s); asking again later",
                    carrier.code, shipment.number, error.reason)
        return None


async def poll_tracking(settings: Settings, now: datetime | None = None) -> int:
    """Ask each carrier about every shipment on the road; returns the number of new events.

    Carriers are asked outside any transaction; each shipment's answer is then stored in its own. A waybill
    whose carrier follows it by push is not asked about (each query costs) while that subscription is alive."""
    now = now or datetime.now(UTC)
    new = 0
    pushed = PushSubscription.filter(state=Following.YES).values_list("shipment_id", flat=True)
    on_road = await (Shipment.filter(status=ShipmentStatus.DISPATCHED, carrier_id__not_isnull=True)
                     .exclude(id__in=Subquery(pushed)).prefetch_related("carrier", "order", "warehouse").order_by("id"))
    for shipment in on_road:
        carrier: Carrier = shipment.carrier  # type: ignore[assignment]
        adapter, conn = connect(carrier, settings)
        try:
            updates = await adapter.fetch_tracking(conn, shipment.waybill or "", shipment.dispatched_at or now,
                                                   shipment.warehouse.city, shipment.order.city, now)
        except CarrierError as error:  # one carrier down does not stop the others; asked again next round
            log.warning("no tracking for %s from %s: %s", shipment.number, carrier.code, error.reason)
            continue
        if updates:
            async with in_transaction():
                new += await record_tracking(shipment, updates, f"carrier:{carrier.code}")
    return new


STOCK_PHRASES = {code: {words.casefold()} for _, code, words, _ in SimulatedCarrier.JOURNEY}


def carrier_words(code: str, description: str | Phrase, lang: str | None = None) -> str:
    """The carrier's own words for an event when they say more than its kind, which the reader is told in their
    language (status_word("tracking", code)): stock phrases such as "in transit" would only repeat it, and
    words in another language than the reader's (`lang`) are not read, so they are left out too."""
    if not isinstance(description, str):  # the event's kind in words (event_words): the reader is told it
        return ""
    plain = description.strip()
    stock = STOCK_PHRASES.get(code, set()) | {code.replace("_", " ")}
    if plain.casefold() in stock or (lang is not None and written_in(plain) != lang):
        return ""
    return plain


def event_words(code: str, description: str) -> str | Phrase:
    """What an event says: the carrier's own words, or, where it gave none (or only its stock phrase for the
    kind), the kind in the reader's words."""
    return carrier_words(code, description) or phrase(f"status.tracking.{code}")


async def shipment_timeline(shipment: Shipment) -> list[dict[str, Any]]:
    """A shipment's events in order; a `description` without the carrier's own words is a phrase."""
    events = await TrackingEvent.filter(shipment_id=shipment.id).order_by("occurred_at", "id")
    return [{"code": e.code, "description": event_words(e.code, e.description), "place": e.place,
             "at": e.occurred_at.isoformat()} for e in events]


async def tracking_reader(token: str) -> tuple[str | None, str | None]:
    """The language the customer behind a tracking link chose (in the bot) and the time zone they keep, as far
    as we know them."""
    found = await Shipment.filter(tracking_token=token).first().values_list(
        "order__customer__language", "order__customer__timezone")
    return (found[0], found[1]) if found else (None, None)


async def public_tracking(token: str) -> dict[str, Any]:
    """What anyone holding the link may see: the journey, not the customer's address or phone."""
    shipment = await Shipment.get_or_none(tracking_token=token).prefetch_related("order", "carrier")
    if shipment is None:
        raise NotFound(what="tracking link")
    return {
        "order": shipment.order.number,
        "status": shipment.status,
        "carrier": shipment.carrier.names if shipment.carrier else None,  # said in the reader's language
        "waybill": shipment.waybill,
        "eta": shipment.eta.isoformat() if shipment.eta else None,
        "city": shipment.order.city,
        "dispatched_at": shipment.dispatched_at.isoformat() if shipment.dispatched_at else None,
        "events": await shipment_timeline(shipment),
    }


@dataclass(frozen=True)
class Journey:
    """A customer's order and, once it is packed, its shipment's journey and the public tracking link."""

    order: CustomerOrder
    events: list[dict[str, Any]]
    tracking_url: str | None


async def journey_for_customer(number: str, customer_id: int, settings: Settings) -> Journey | None:
    """The customer's own order with its journey so far; None for an order that is not theirs."""
    order = await customer_order(number, customer_id)
    if order is None:
        return None
    events: list[dict[str, Any]] = []
    link = None
    if order.status in (OrderStatus.PACKED, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        shipment = await Shipment.filter(order_id=order.id).order_by("-id").first()
        if shipment is not None:
            events = await shipment_timeline(shipment)
            link = tracking_url(shipment, settings) if shipment.waybill else None
    return Journey(order, events, link)
