"""Outbound webhooks: other systems subscribe to fahuo's events and receive each one, signed, at their URL.

The outbox is read by its own consumer (`fan_out`): for every public event and every active subscription that
wants it, one delivery row is written, in one transaction with the move of the consumer's cursor, so an event
is handed on once whatever stops the process. The body is frozen then, so every try sends the same bytes
under the same event id (`evt_<outbox id>`), and a receiver deduplicates by it.

Deliveries are sent by a scheduler job (`send_webhooks`), several receivers at a time, each call bounded by a
timeout; a receiver that fails keeps the rest of its deliveries for the next round, so it holds up no one
else. A failed delivery is tried again after a pause that doubles each time; after the last try it is marked
failed and a manager hears of it once (until the receiver takes a delivery again).

Each delivery is signed with the subscription's secret: HMAC-SHA256 over `<timestamp>.<body>`, the timestamp
being the moment of the try (unix seconds), so a receiver can refuse an old request played back to it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import ResolveResult
from aiohttp.resolver import ThreadedResolver
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr
from pydantic_core import PydanticCustomError
from tortoise import fields
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.transactions import in_transaction
from yarl import URL

from core.base.auth import ApiKey
from core.base.db import in_callers_transaction
from core.base.errors import DomainError, NotFound
from core.base.events import OutboxEvent, emit
from core.base.i18n import is_named, status_word, text
from core.base.jobs import GiveUp, Job, Later, Policy, enqueue, handles, run_due
from core.base.settings import Settings
from core.orders.notifications import advance, next_events
from core.orders.order import Order, OrderStatus
from core.shipping.aftersales import RequestStatus

log = logging.getLogger(__name__)
CONSUMER = "webhooks"
FAN_OUT_BATCH = 200  # outbox events read per transaction
PER_RECEIVER = 200  # deliveries to one subscription per round, one after another
MAX_SUBSCRIPTIONS = 20  # per API key
SIGNATURE = "X-Fahuo-Signature"
TIMESTAMP = "X-Fahuo-Timestamp"
EVENT_ID = "X-Fahuo-Event-Id"
EVENT_KIND = "X-Fahuo-Event"

# The public events and the payload fields each one shows; everything else in the outbox (customer ids,
# internal ids, alerts meant for staff) stays inside.
_ORDER = ("order", "from", "status", "reason", "channel")
PUBLIC_EVENTS: dict[str, tuple[str, ...]] = {
    **{f"order.{status.value}": _ORDER for status in OrderStatus  # an order arrives approved, held or rejected
       if status not in (OrderStatus.DRAFT, OrderStatus.SUBMITTED)},
    "order.paid": ("order", "total", "currency", "channel"),
    "order.split": ("order", "follow_on", "items", "channel"),
    "order.cancelled_with_rest": ("order", "follow_ons", "reason", "channel"),
    "shipment.booked": ("shipment", "order", "carrier", "waybill"),
    "shipment.dispatched": ("shipment", "order", "carrier", "waybill", "eta", "tracking_url", "confirmation",
                            "delivery_note"),
    "shipment.tracking": ("shipment", "order", "code", "description"),
    "shipment.date_missed": ("shipment", "order", "requested", "carrier", "arrives"),
    "stock.low": ("sku", "warehouse", "available", "reorder_point", "on_order"),
    "aftersales.opened": ("request", "order", "kind", "lines", "photos"),
    **{f"aftersales.{status.value}": ("request", "order", "note") for status in RequestStatus
       if status != RequestStatus.OPEN},
}
COMPANY_WIDE = {"stock.low"}  # not about one order: every subscriber may hear of it
# subscriptions that are sent to: not paused, and made by a manager or by a key that was not revoked since
LIVE = Q(active=True) & (Q(api_key_id__isnull=True) | Q(api_key__active=True))


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookSubscription(Model):
    id = fields.IntField(primary_key=True)
    # the key that made it (it hears of its channel's orders only); none when a manager made it for everyone
    api_key: fields.ForeignKeyNullableRelation[ApiKey] = fields.ForeignKeyField(
        "fahuo.ApiKey", related_name="webhooks", null=True, on_delete=fields.CASCADE)
    channel = fields.CharField(max_length=32, null=True)
    url = fields.CharField(max_length=500)
    # kept as it is, since signing needs it; shown once, when the subscription is made, never again
    secret = fields.CharField(max_length=64)
    events: list[str] = fields.JSONField(default=list)  # type: ignore[assignment]
    active = fields.BooleanField(default=True)
    created_by = fields.CharField(max_length=100)
    created_at = fields.DatetimeField(auto_now_add=True)
    # set when a delivery was given up on, cleared by the next one taken: a manager is told once per outage
    failing_since = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_subscription"

    def wants(self, kind: str) -> bool:
        return any(matches(pattern, kind) for pattern in self.events)

    @property
    def signing_key(self) -> SecretStr:
        return SecretStr(self.secret)


class WebhookDelivery(Model):
    """One event (or ping) for one subscription, and how sending it went: the subscription's delivery log."""

    id = fields.BigIntField(primary_key=True)
    subscription: fields.ForeignKeyRelation[WebhookSubscription] = fields.ForeignKeyField(
        "fahuo.WebhookSubscription", related_name="deliveries", on_delete=fields.CASCADE)
    event_id = fields.CharField(max_length=40)  # evt_<outbox id>, or ping_<random>
    kind = fields.CharField(max_length=64)
    body = fields.TextField()
    state = fields.CharEnumField(DeliveryState, max_length=16, default=DeliveryState.PENDING)
    attempts = fields.IntField(default=0)
    next_try_at = fields.DatetimeField()
    response_code = fields.IntField(null=True)
    error = fields.CharField(max_length=32, null=True)  # a catalogue code (webhook.*): why the last try failed
    error_detail = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_try_at = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_delivery"
        unique_together = (("subscription", "event_id"),)
        indexes = (("state", "next_try_at"),)


# -- subscribing ------------------------------------------------------------------------------------------


class TooManyWebhooks(DomainError):
    code = "webhook.too_many"


class PrivateWebhookUrl(DomainError):
    code = "webhook.private_url"


def private_host(host: str) -> bool:
    """Whether a host (a name or an address) is this machine or a private network's: a subscriber must not make
    fahuo call inside its own network, unless the operator allows it (FAHUO_WEBHOOK_ALLOW_PRIVATE)."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name: its addresses are checked when it is resolved (PublicOnly)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global


def matches(pattern: str, kind: str) -> bool:
    """`*` is every event, `order.*` every order event, anything else one event by name."""
    return pattern == "*" or pattern == kind or (pattern.endswith(".*") and kind.startswith(pattern[:-1]))


def _http_url(value: str) -> str:
    bad = PydanticCustomError("webhook.bad_url", "the URL must start with http:// or https:// and name a host")
    if any(c.isspace() or not c.isprintable() for c in value):
        raise bad
    try:
        parts, url = urlsplit(value), URL(value)
        parts.port  # noqa: B018 - a port out of range raises here
    except ValueError:
        raise bad from None
    if parts.scheme not in ("http", "https") or not parts.hostname or not url.host:
        raise bad
    if parts.username or parts.password:
        raise PydanticCustomError("webhook.url_credentials", "the URL must not carry a user name or password")
    return value


def _known_pattern(value: str) -> str:
    families = {kind.split(".")[0] for kind in PUBLIC_EVENTS}
    if value == "*" or value in PUBLIC_EVENTS or (value.endswith(".*") and value[:-2] in families):
        return value
    raise PydanticCustomError("webhook.bad_event", "unknown event {event}", {"event": value[:64]})


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: Annotated[str, Field(min_length=1, max_length=500, description="http:// or https:// URL to POST to"),
                   AfterValidator(_http_url)]
    events: list[Annotated[str, Field(max_length=64), AfterValidator(_known_pattern)]] = Field(
        min_length=1, max_length=50, description="event names or families: order.*, shipment.dispatched, *")
    active: bool = True


class WebhookChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    active: bool | None = None
    events: list[Annotated[str, Field(max_length=64), AfterValidator(_known_pattern)]] | None = Field(
        default=None, min_length=1, max_length=50)


async def add_subscription(body: WebhookIn, api_key_id: int | None, channel: str | None, actor: str,
                           settings: Settings) -> tuple[WebhookSubscription, SecretStr]:
    """A new subscription and its signing secret, which only this answer carries."""
    if not settings.webhook_allow_private and private_host(urlsplit(body.url).hostname or ""):
        raise PrivateWebhookUrl()
    if api_key_id is not None and await WebhookSubscription.filter(api_key_id=api_key_id).count() >= MAX_SUBSCRIPTIONS:
        raise TooManyWebhooks(limit=MAX_SUBSCRIPTIONS)
    secret = SecretStr(f"whsec_{secrets.token_urlsafe(32)}")
    subscription = await WebhookSubscription.create(
        api_key_id=api_key_id, channel=channel, url=body.url, secret=secret.get_secret_value(),
        events=sorted(set(body.events)), active=body.active, created_by=actor)
    return subscription, secret


async def subscriptions_of(api_key_id: int | None) -> list[WebhookSubscription]:
    """A key's own subscriptions; every one for None (a manager)."""
    found = WebhookSubscription.all().order_by("id")
    return await (found if api_key_id is None else found.filter(api_key_id=api_key_id))


async def subscription_of(subscription_id: int, api_key_id: int | None) -> WebhookSubscription:
    """The subscription, if the caller may see it (a key sees only its own); NotFound otherwise."""
    found = WebhookSubscription.filter(id=subscription_id)
    found = found if api_key_id is None else found.filter(api_key_id=api_key_id)
    subscription = await found.first()
    if subscription is None:
        raise NotFound(what="webhook subscription", key=str(subscription_id))
    return subscription


async def change_subscription(subscription: WebhookSubscription, body: WebhookChange) -> WebhookSubscription:
    values: dict[str, Any] = {}
    if body.active is not None:
        values["active"] = body.active
    if body.events is not None:
        values["events"] = sorted(set(body.events))
    if values:
        await WebhookSubscription.filter(id=subscription.id).update(**values)
    return await WebhookSubscription.get(id=subscription.id)


async def remove_subscription(subscription: WebhookSubscription) -> None:
    """The subscription and its delivery log go; nothing more is sent to it."""
    await subscription.delete()


def subscription_view(s: WebhookSubscription) -> dict[str, Any]:
    return {"id": s.id, "url": s.url, "events": s.events, "active": s.active, "channel": s.channel,
            "created_by": s.created_by, "created_at": s.created_at.isoformat(),
            "failing_since": s.failing_since.isoformat() if s.failing_since else None}


# -- from the outbox to deliveries ------------------------------------------------------------------------


def public_body(event: OutboxEvent) -> str:
    """What a receiver gets for an event: its stable id, kind, time and the public part of its payload. A name
    held in both languages (a warehouse's, a carrier's) is sent as both: `{"en": …, "zh": …}`."""
    shown = PUBLIC_EVENTS[event.kind]
    data = {name: (value["names"] if is_named(value := event.payload[name]) else value)
            for name in shown if name in event.payload}
    return json.dumps({"id": f"evt_{event.id}", "kind": event.kind, "created_at": event.created_at.isoformat(),
                       "data": data}, ensure_ascii=False, separators=(",", ":"), default=str)


async def _channels(events: list[OutboxEvent]) -> dict[str, str]:
    """The sales channel of each order the events name (an event that names none is company-wide)."""
    numbers = {str(e.payload["order"]) for e in events if "order" in e.payload}
    rows = await Order.filter(number__in=numbers).values_list("number", "channel") if numbers else []
    return {str(number): str(channel) for number, channel in rows}


async def fan_out(now: datetime, limit: int = FAN_OUT_BATCH) -> int:
    """Turn the next outbox events into deliveries, one per interested subscription, and move past them in
    the same transaction; returns how many events it moved past."""
    async with in_transaction():
        events = await next_events(CONSUMER, limit)
        if not events:
            return 0
        subscriptions = await WebhookSubscription.filter(LIVE)
        channels = await _channels(events)
        added = 0
        for event in events:
            if event.kind not in PUBLIC_EVENTS:
                continue
            body, channel = public_body(event), channels.get(str(event.payload.get("order")))
            for s in subscriptions:
                # only what happened after it subscribed, and about its own channel's orders
                if (s.wants(event.kind) and event.created_at >= s.created_at
                        and (s.channel is None or event.kind in COMPANY_WIDE or s.channel == channel)):
                    added += await _deliver_later(s, f"evt_{event.id}", event.kind, body, now)
        await advance(CONSUMER, events[-1])
    return len(events)


# -- sending ----------------------------------------------------------------------------------------------


def sign(secret: SecretStr, timestamp: int, body: str) -> str:
    """The signature header's value: `sha256=` and the hex HMAC-SHA256 of `<timestamp>.<body>`."""
    mac = hmac.new(secret.get_secret_value().encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


class PrivateAddress(OSError):
    """A receiver's name resolved to private addresses only (see `private_host`)."""


class PublicOnly(ThreadedResolver):
    """Name resolution that keeps only public addresses, so a name that points inside the network (now, or
    after a subscription was checked) is not called."""

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
                      ) -> list[ResolveResult]:
        found = [r for r in await super().resolve(host, port, family) if not private_host(r["host"])]
        if not found:
            raise PrivateAddress(f"{host} is a private address")
        return found


class Refused(Exception):
    """Why a receiver did not take a delivery: a catalogue code (webhook.*), its HTTP status if it answered."""

    def __init__(self, code: str, detail: str = "", status: int | None = None) -> None:
        super().__init__(f"{code}: {detail}")
        self.code, self.detail, self.status = code, detail, status


async def _post(session: aiohttp.ClientSession, s: WebhookSubscription, d: WebhookDelivery, now: datetime,
                settings: Settings) -> int:
    if not settings.webhook_allow_private and private_host(urlsplit(s.url).hostname or ""):
        raise Refused("webhook.private", s.url[:200])
    timestamp = int(now.timestamp())
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "fahuo-webhooks",
               TIMESTAMP: str(timestamp), SIGNATURE: sign(s.signing_key, timestamp, d.body),
               EVENT_ID: d.event_id, EVENT_KIND: d.kind}
    try:
        async with session.post(s.url, data=d.body.encode(), headers=headers, allow_redirects=False) as resp:
            await resp.read()
            if not 200 <= resp.status < 300:
                raise Refused("webhook.status", f"HTTP {resp.status}", resp.status)
            return resp.status
    except TimeoutError as exc:
        raise Refused("webhook.timeout", "no answer in time") from exc
    except aiohttp.ClientConnectorError as exc:
        if isinstance(exc.os_error, PrivateAddress):
            raise Refused("webhook.private", str(exc.os_error)[:200]) from exc
        # the address only: the client's own words are English, and the reader may not be
        raise Refused("webhook.unreachable", f"{exc.host}:{exc.port}") from exc
    except (aiohttp.ClientError, ValueError) as exc:  # ValueError: a URL the client cannot use after all
        raise Refused("webhook.unreachable", str(exc)[:200] or type(exc).__name__) from exc


def pause(attempts: int, settings: Settings) -> timedelta:
    """Before the next try: the first pause, doubled after each failure, at most an hour."""
    return timedelta(seconds=min(3600.0, settings.webhook_retry_s * 2 ** (attempts - 1)))


@in_callers_transaction
async def _deliver_later(s: WebhookSubscription, event_id: str, kind: str, body: str, now: datetime) -> bool:
    """A delivery for the log and its job in the queue, in the caller's transaction; one per event and receiver
    (False when it exists). A receiver's deliveries go out in order (its lane)."""
    if not await enqueue(DELIVER, {"subscription": s.id, "event_id": event_id}, key=f"{DELIVER}:{s.id}:{event_id}",
                         lane=f"{DELIVER}:{s.id}", due=now):
        return False
    await WebhookDelivery.create(subscription_id=s.id, event_id=event_id, kind=kind, body=body, next_try_at=now)
    return True


DELIVER = "webhook"  # the queue's kind of job that posts one delivery to its receiver


async def _record(s: WebhookSubscription, d: WebhookDelivery, settings: Settings, now: datetime,
                  last_try: bool) -> bool:
    """Post a delivery and write down how it went; True when the receiver took it. Raises Later when it is to
    be tried again (after its pause), GiveUp when it is given up (after the last try, or at once for a ping):
    a manager hears of it once per outage."""
    attempts = d.attempts + 1
    try:
        async with _client(settings) as session:
            status = await _post(session, s, d, now, settings)
    except Refused as why:
        log.warning("webhook %s to subscription %s failed (try %s): %s", d.event_id, s.id, attempts, why)
        gave_up = last_try or attempts >= settings.webhook_attempts
        async with in_transaction():
            await WebhookDelivery.filter(id=d.id).update(
                attempts=attempts, last_try_at=now, response_code=why.status, error=why.code,
                error_detail=why.detail[:200] or None, next_try_at=now + pause(attempts, settings),
                state=DeliveryState.FAILED if gave_up else DeliveryState.PENDING)
            if gave_up and d.kind != "ping" and await WebhookSubscription.filter(
                    id=s.id, failing_since__isnull=True).update(failing_since=now):
                await emit("webhook.failed", {"subscription": s.id, "url": s.url, "channel": s.channel or "",
                                              "event": d.event_id, "event_kind": d.kind, "attempts": attempts,
                                              "why": text(why.code, "en", detail=why.detail),
                                              "why_zh": text(why.code, "zh", detail=why.detail)})
        if gave_up:
            raise GiveUp(str(why)) from why
        raise Later(str(why), after=pause(attempts, settings).total_seconds()) from why
    await WebhookDelivery.filter(id=d.id).update(
        state=DeliveryState.DELIVERED, attempts=attempts, last_try_at=now, delivered_at=now,
        response_code=status, error=None, error_detail=None)
    if s.failing_since is not None:
        await WebhookSubscription.filter(id=s.id).update(failing_since=None)
    return True


@handles(DELIVER, Policy(tries=1000, claim=60.0))  # its own tries and pauses come from the settings (`_record`)
async def _deliver(job: Job, settings: Settings) -> bool:
    """Post one delivery (a job of `_deliver_later`). A delivery whose runner died mid-post (the receiver may
    have got it) is sent again, under the same event id, once the claim runs out. A subscription paused or
    deleted meanwhile takes nothing."""
    s = await WebhookSubscription.get_or_none(LIVE, id=job.payload["subscription"])
    d = await WebhookDelivery.get_or_none(subscription_id=job.payload["subscription"],
                                          event_id=job.payload["event_id"])
    if s is None or d is None or d.state != DeliveryState.PENDING:
        return False
    return await _record(s, d, settings, datetime.now(UTC), last_try=False)


def _client(settings: Settings) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=settings.webhook_concurrency,
                                     resolver=None if settings.webhook_allow_private else PublicOnly())
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=settings.webhook_timeout_s))


async def send_webhooks(settings: Settings, now: datetime) -> int:
    """The scheduler's job: new events into deliveries, then the deliveries due (by `now`) through the job
    queue, receivers side by side; returns how many were taken."""
    while await fan_out(now) == FAN_OUT_BATCH:  # a full batch: there may be more
        pass
    ran = await run_due(settings, now, [DELIVER], concurrency=settings.webhook_concurrency)
    return ran.worked


async def ping(subscription: WebhookSubscription, settings: Settings, now: datetime | None = None
               ) -> WebhookDelivery:
    """Send a signed test event to the subscription now, once (it is not tried again), and log it."""
    now = now or datetime.now(UTC)
    event_id = f"ping_{secrets.token_hex(8)}"
    body = json.dumps({"id": event_id, "kind": "ping", "created_at": now.isoformat(),
                       "data": {"subscription": subscription.id}}, separators=(",", ":"))
    delivery = await WebhookDelivery.create(subscription_id=subscription.id, event_id=event_id, kind="ping",
                                            body=body, next_try_at=now)
    with contextlib.suppress(GiveUp):  # a ping is tried once: how it went is in its log row
        await _record(subscription, delivery, settings, now, last_try=True)
    return await WebhookDelivery.get(id=delivery.id)


async def webhook_health() -> dict[str, int]:
    """What /healthz shows of webhooks: deliveries waiting to be taken, and subscriptions given up on lately."""
    return {"waiting": await WebhookDelivery.filter(state=DeliveryState.PENDING).count(),
            "failing": await WebhookSubscription.filter(failing_since__isnull=False).count()}


# -- the delivery log -------------------------------------------------------------------------------------


async def deliveries_of(subscription: WebhookSubscription, state: DeliveryState | None, limit: int
                        ) -> list[WebhookDelivery]:
    found = WebhookDelivery.filter(subscription_id=subscription.id).order_by("-id").limit(limit)
    return await (found.filter(state=state) if state else found)


def delivery_view(d: WebhookDelivery, lang: str) -> dict[str, Any]:
    """A delivery as its log shows it: state in words and, after a failed try, why in the reader's language."""
    return {"id": d.id, "event_id": d.event_id, "kind": d.kind, "state": d.state,
            "state_word": status_word("webhook_delivery", d.state, lang), "attempts": d.attempts,
            "response_code": d.response_code,
            "last_error": text(d.error, lang, detail=d.error_detail or "") if d.error else None,
            "created_at": d.created_at.isoformat(),
            "last_try_at": d.last_try_at.isoformat() if d.last_try_at else None,
            "next_try_at": d.next_try_at.isoformat() if d.state == DeliveryState.PENDING else None,
            "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None}
