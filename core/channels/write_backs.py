"""Where each shipment's write-back to its platform stands (waiting for another try, failed, done), so a manager
sees what the platforms have not been told and can ask for one failed write-back to be tried again; and the
configured channels as the connections screen shows them.

The row says where it stands for people; the try itself is a job of the queue (core.base.jobs, kind
`channel.write_back`, handled in core.channels.connectors), one per shipment, in its channel's lane. A retry
asked for by hand makes that job due at once, its tries counted afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.errors import InvalidTransition, NotFound
from core.base.i18n import status_word, text
from core.base.jobs import enqueue, retry_key
from core.base.settings import Settings


class WriteBackState(StrEnum):
    WAITING = "waiting"  # a try failed; fahuo tries again by itself
    FAILED = "failed"  # refused by the platform, or out of tries: a person must look
    DONE = "done"


class FailureKind(StrEnum):
    REFUSED = "refused"  # the platform said no (a 4xx): trying again as it is will not help
    UNAVAILABLE = "unavailable"  # no answer, 429, 5xx
    UNCONFIGURED = "unconfigured"  # the channel is no longer in FAHUO_CHANNELS


class ChannelWriteBack(Model):
    id = fields.IntField(primary_key=True)
    channel = fields.CharField(max_length=32)
    order = fields.CharField(max_length=32)
    shipment = fields.CharField(max_length=32, unique=True)
    state = fields.CharEnumField(WriteBackState, max_length=16)
    tries = fields.IntField(default=0)
    failure = fields.CharEnumField(FailureKind, max_length=16, null=True)
    why = fields.CharField(max_length=300, default="")  # the platform's own words, as it said them
    updated_at = fields.DatetimeField()

    class Meta:
        table = "channel_write_back"
        indexes = (("channel", "state"),)


async def note_write_back(payload: dict[str, object], state: WriteBackState, tries: int, now: datetime,
                          failure: FailureKind | None = None, why: str = "") -> None:
    """Keep where a shipment's write-back stands. Runs inside the caller's transaction (the one that asks for
    the next try or tells a manager), so the row and the request agree."""
    await ChannelWriteBack.update_or_create(
        shipment=str(payload["shipment"]),
        defaults={"channel": str(payload["channel"]), "order": str(payload["order"]), "state": state,
                  "tries": tries, "failure": failure, "why": why[:300], "updated_at": now})


WRITE_BACK = "channel.write_back"  # the queue's kind of job that tells a platform its order left


def write_back_key(shipment: str) -> str:
    return f"{WRITE_BACK}:{shipment}"


async def retry_write_back(shipment: str, now: datetime) -> ChannelWriteBack:
    """Try a failed write-back again, from its first try (the job runner's next round takes it); only a failed
    one: one still waiting is tried anyway, one done needs nothing."""
    async with in_transaction():
        found = await ChannelWriteBack.get_or_none(shipment=shipment)
        if found is None:
            raise NotFound(what="shipment", key=shipment)
        if not await ChannelWriteBack.filter(id=found.id, state=WriteBackState.FAILED).update(
                state=WriteBackState.WAITING, updated_at=now):
            raise InvalidTransition(kind="write_back", document=shipment, current=found.state, action="retried")
        payload = {"channel": found.channel, "order": found.order, "shipment": shipment}
        if not await enqueue(WRITE_BACK, payload, key=write_back_key(shipment), lane=f"{WRITE_BACK}:{found.channel}",
                             due=now):  # one failed before write-backs were jobs has none yet
            await retry_key(write_back_key(shipment), now)
    return await ChannelWriteBack.get(id=found.id)


def write_back_view(row: ChannelWriteBack, lang: str) -> dict[str, object]:
    """A write-back as a person reads it: its state as a word and, after a failure, why in their language; the
    platform's own words (its status and message, often English) beside, for whoever takes it up with the shop."""
    return {"shipment": row.shipment, "order": row.order, "state": row.state,
            "state_word": status_word("write_back", row.state, lang), "tries": row.tries,
            "error": text(f"write_back.{row.failure}", lang) if row.failure else None,
            "platform_said": row.why or None, "updated_at": row.updated_at.isoformat()}


@dataclass(frozen=True)
class ChannelSummary:
    name: str
    platform: str
    webhook_url: str | None  # what to give the platform; none for a channel fahuo pulls from
    pulled_at: datetime | None
    waiting: list[ChannelWriteBack]
    failed: list[ChannelWriteBack]


async def channel_summaries(settings: Settings, pulled: dict[str, datetime | None], pulls: set[str]
                            ) -> list[ChannelSummary]:
    """Every configured channel, by name, with what its platform has not been told yet. `pulls` names the
    platforms fahuo pulls from; `pulled` is when each channel was last pulled."""
    rows = await ChannelWriteBack.filter(state__in=(WriteBackState.WAITING, WriteBackState.FAILED)) \
        .order_by("-updated_at").limit(500)
    found = []
    for name, account in sorted(settings.channels.items()):
        mine = [r for r in rows if r.channel == name]
        pulling = account.platform in pulls
        found.append(ChannelSummary(
            name=name, platform=account.platform,
            webhook_url=None if pulling else f"{settings.base_url}/api/channels/{name}/webhook",
            pulled_at=pulled.get(name) if pulling else None,
            waiting=[r for r in mine if r.state == WriteBackState.WAITING],
            failed=[r for r in mine if r.state == WriteBackState.FAILED]))
    return found
