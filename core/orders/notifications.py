"""Who hears of which event, and a record of what each of them was already told.

The outbox is read in order from a consumer's cursor, a position no late commit can fall behind (see
core.base.events). For every event the audience is worked out (the customer of an order, the managers who want
that kind of alert); a message is sent to each one not yet told, and marked told only after the sending
succeeded. The cursor moves past an event when all of its audience was told. So a crash or an outage means
a later retry, never a lost or a doubled message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.auth import Permission, Staff, roles_with
from core.base.db import in_callers_transaction
from core.base.events import START, OutboxEvent, Position, committed_after, count_after
from core.base.jobs import Job, JobState, enqueue
from core.orders.customers import Customer


class Alert(StrEnum):
    """Kinds of manager alert; each manager may switch any of them off."""

    HELD = "held"
    LOW_STOCK = "low_stock"
    PURCHASE = "purchase"
    LATE = "late"
    AFTERSALES = "aftersales"
    NO_CARRIER = "no_carrier"
    REPORT = "report"
    LEDGER = "ledger"
    TRANSFER = "transfer"
    CHANNEL = "channel"
    WEBHOOK = "webhook"


CUSTOMER_EVENTS = {"order.approved", "order.on_hold", "order.backordered", "order.split", "order.rejected",
                   "order.cancelled", "order.cancelled_with_rest",
                   "order.awaiting_payment", "order.paid",
                   "shipment.dispatched", "order.delivered", "aftersales.awaiting_return", "aftersales.resolved",
                   "aftersales.rejected"}
MANAGER_EVENTS = {"order.on_hold": Alert.HELD, "stock.low": Alert.LOW_STOCK,
                  "purchase_order.drafted": Alert.PURCHASE, "shipment.late": Alert.LATE,
                  "aftersales.opened": Alert.AFTERSALES, "aftersales.refund_due": Alert.AFTERSALES,
                  "shipment.no_carrier": Alert.NO_CARRIER,
                  "shipment.carrier_failed": Alert.NO_CARRIER,
                  "shipment.date_missed": Alert.LATE,
                  "stock.short_pick": Alert.LOW_STOCK, "report.daily": Alert.REPORT, "ledger.drift": Alert.LEDGER,
                  "payment.refund_due": Alert.HELD,  # money to give back: a manager's decision, like a held order
                  "transfer.raised": Alert.TRANSFER,
                  "channel.cancel_too_late": Alert.CHANNEL, "channel.order_refused": Alert.CHANNEL,
                  "channel.pull_refused": Alert.CHANNEL,
                  "channel.write_back_slow": Alert.CHANNEL,
                  "channel.write_back_failed": Alert.CHANNEL,
                  "webhook.failed": Alert.WEBHOOK}
# sent to the one chat the event names (`chat_id`, `language`): a driver's route
DIRECT_EVENTS = {"route_plan.sent"}


class ConsumerCursor(Model):
    id = fields.IntField(primary_key=True)
    consumer = fields.CharField(max_length=32, unique=True)
    # the last event done with, as its place in the outbox's reading order (see core.base.events.committed_after)
    last_tx = fields.BigIntField(default=0)
    last_event_id = fields.BigIntField(default=0)
    # set while deliveries keep failing (Telegram down): what /healthz reports, cleared by a good round
    failing_since = fields.DatetimeField(null=True)

    class Meta:
        table = "consumer_cursor"


class Delivery(Model):
    """One event told to one recipient: the unique pair is what keeps a message from being sent twice."""

    id = fields.BigIntField(primary_key=True)
    event_id = fields.BigIntField()
    recipient = fields.CharField(max_length=64)
    outcome = fields.CharField(max_length=16, default="sent")  # sent | unreachable (blocked the bot)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "delivery"
        unique_together = (("event_id", "recipient"),)


@dataclass(frozen=True)
class Recipient:
    chat_id: int
    language: str
    role: str  # "customer" or the staff role

    @property
    def key(self) -> str:
        return f"tg:{self.chat_id}"


async def cursor_of(consumer: str) -> Position:
    """Where the consumer stands in the outbox: the last event it is done with (START before its first)."""
    rows = await ConsumerCursor.filter(consumer=consumer).values_list("last_tx", "last_event_id")
    return (int(rows[0][0]), int(rows[0][1])) if rows else START


async def next_events(consumer: str, limit: int = 100, kind: str | None = None) -> list[OutboxEvent]:
    return await committed_after(await cursor_of(consumer), limit, kind)


async def advance(consumer: str, event: OutboxEvent) -> None:
    tx, event_id = event.position
    if not await ConsumerCursor.filter(consumer=consumer).update(last_tx=tx, last_event_id=event_id):
        try:
            await ConsumerCursor.create(consumer=consumer, last_tx=tx, last_event_id=event_id)
        except IntegrityError:
            await ConsumerCursor.filter(consumer=consumer).update(last_tx=tx, last_event_id=event_id)


async def audience(event: OutboxEvent) -> list[Recipient]:
    people: list[Recipient] = []
    customer_id = event.payload.get("customer_id")
    if event.kind in CUSTOMER_EVENTS and customer_id:
        customer = await Customer.get_or_none(id=customer_id)
        if customer is not None and customer.telegram_id:
            people.append(Recipient(customer.telegram_id, customer.language, "customer"))
    alert = MANAGER_EVENTS.get(event.kind)
    if alert is not None:
        people += await _managers(alert, event.payload.get("warehouse_id"))
    if event.kind in DIRECT_EVENTS and isinstance(event.payload.get("chat_id"), int):
        people.append(Recipient(event.payload["chat_id"], str(event.payload.get("language", "zh")), "driver"))
    return people


async def _managers(alert: Alert, warehouse_id: object) -> list[Recipient]:
    """Managers linked to Telegram who want this alert; when it concerns one warehouse, only those who work
    there or for the whole company (no warehouse of their own)."""
    managers = Staff.filter(role__in=roles_with(Permission.RECEIVE_ALERTS), active=True,
                            telegram_id__not_isnull=True)
    if isinstance(warehouse_id, int):
        managers = managers.filter(Q(warehouse_id__isnull=True) | Q(warehouse_id=warehouse_id))
    return [Recipient(m.telegram_id, m.language, m.role)  # type: ignore[arg-type]
            for m in await managers.order_by("id") if alert.value not in m.muted_alerts]


async def already_told(event_id: int) -> set[str]:
    return set(await Delivery.filter(event_id=event_id).values_list("recipient", flat=True))


async def mark_told(event_id: int, recipient: Recipient, outcome: str = "sent") -> None:
    try:
        await Delivery.create(event_id=event_id, recipient=recipient.key, outcome=outcome)
    except IntegrityError:
        pass  # a second notifier told them at the same moment; once is what counts


async def toggle_alert(staff: Staff, alert: Alert) -> bool:
    """Switch one alert kind on or off for a manager; returns whether it is now on."""
    muted: list[str] = list(staff.muted_alerts)
    if alert.value in muted:
        muted.remove(alert.value)
    else:
        muted.append(alert.value)
    await Staff.filter(id=staff.id).update(muted_alerts=muted)
    staff.muted_alerts = muted
    return alert.value not in muted


async def note_failure(consumer: str, now: datetime) -> None:
    if not await ConsumerCursor.filter(consumer=consumer, failing_since__isnull=True).update(failing_since=now):
        if not await ConsumerCursor.exists(consumer=consumer):
            await ConsumerCursor.create(consumer=consumer, failing_since=now)


async def note_success(consumer: str) -> None:
    await ConsumerCursor.filter(consumer=consumer, failing_since__isnull=False).update(failing_since=None)


async def notifier_health(consumer: str) -> dict[str, object] | None:
    """What /healthz shows of a notifier: its backlog and since when it fails; None while none has run
    (the bot is off), rather than a count of every event ever written."""
    cursor = await ConsumerCursor.get_or_none(consumer=consumer)
    if cursor is None:
        return None
    return {"waiting": await count_after((cursor.last_tx, cursor.last_event_id)) + await messages_waiting(),
            "failing_since": cursor.failing_since.isoformat() if cursor.failing_since else None}


async def backlog(consumer: str) -> int:
    """Events the consumer has not got past yet, and messages not sent yet: a growing number means messages are
    stuck."""
    return await count_after(await cursor_of(consumer)) + await messages_waiting()


# A message to one person in Telegram is a job (core.base.jobs) of this kind: the bot handles it.
MESSAGE = "telegram.message"


async def messages_waiting() -> int:
    return await Job.filter(kind=MESSAGE, state=JobState.WAITING).count()


@in_callers_transaction
async def tell_later(event: OutboxEvent, recipient: Recipient) -> None:
    """A message about `event` for `recipient`, sent by a job once the caller's transaction commits: one per
    event and person (the job's key), after the messages that person was due before it (their chat's lane)."""
    await enqueue(MESSAGE, {"event_id": event.id, "chat_id": recipient.chat_id, "language": recipient.language,
                            "role": recipient.role},
                  key=f"{MESSAGE}:{event.id}:{recipient.key}", lane=recipient.key)


async def fan_out(consumer: str, told: Callable[[OutboxEvent, Recipient], bool], limit: int = 100) -> int:
    """Turn the consumer's next outbox events into one message job for each person `told` says hears of it, and
    move past them, in one transaction: no one is called here, so this is quick whatever Telegram does.
    Returns how many events were read."""
    events = await next_events(consumer, limit)
    if not events:
        return 0
    async with in_transaction():
        for event in events:
            for who in await audience(event):
                if told(event, who):
                    await tell_later(event, who)
        await advance(consumer, events[-1])
    return len(events)


async def message_of(job: Job) -> tuple[OutboxEvent | None, Recipient]:
    """What a message job is about (None once the event is gone), and whom it tells."""
    who = Recipient(int(job.payload["chat_id"]), job.payload["language"], job.payload["role"])
    return await OutboxEvent.get_or_none(id=job.payload["event_id"]), who
