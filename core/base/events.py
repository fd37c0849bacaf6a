"""The outbox: domain events written in the same transaction as the change they describe.

The bot notifier and the scheduler read from here; a crash or an outage loses nothing, because an event is
only ever marked as delivered after its consumer handled it.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.db import insert


class OutboxEvent(Model):
    # Increasing ids give consumers a cursor and a total order of what happened.
    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=64, db_index=True)
    payload: dict[str, Any] = fields.JSONField(default=dict)  # type: ignore[assignment]
    # One event per key at most, e.g. one low-stock alert per product, warehouse and day.
    dedupe_key = fields.CharField(max_length=160, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "outbox_event"
        ordering = ("id",)


async def emit(kind: str, payload: dict[str, Any], dedupe_key: str | None = None) -> bool:
    """Record an event in the caller's transaction. False when an event with the same key exists."""
    if dedupe_key is None:
        await insert(OutboxEvent, kind=kind, payload=payload)  # most events: the plain, fast path
    else:
        if await OutboxEvent.exists(dedupe_key=dedupe_key):
            return False
        try:
            async with in_transaction():  # a savepoint: a lost race must not spoil the caller's transaction
                await OutboxEvent.create(kind=kind, payload=payload, dedupe_key=dedupe_key)
        except IntegrityError:
            return False
    return True
