"""The outbox: domain events written in the same transaction as the change they describe.

The bot notifier and the scheduler read from here; a crash or an outage loses nothing, because an event is
only ever marked as delivered after its consumer handled it.

Consumers read in (tx, id) order and keep their place as a position in that order. An id alone is no place
to keep: PostgreSQL hands ids out before commit, so a transaction that commits late adds an event below ids
already read. Here an event becomes readable only once no transaction that is still open can add one before
it (`committed_after`).
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.db import dialect, in_callers_transaction, insert, select

Position = tuple[int, int]  # (tx, id) of an event: where a consumer stands in the outbox
START: Position = (0, 0)


class OutboxEvent(Model):
    id = fields.BigIntField(primary_key=True)
    # The writing transaction's id on PostgreSQL (a trigger sets it, whatever the insert says); 0 on SQLite,
    # where writers take turns, so ids already come in commit order.
    tx = fields.BigIntField(default=0)
    kind = fields.CharField(max_length=64, db_index=True)
    payload: dict[str, Any] = fields.JSONField(default=dict)  # type: ignore[assignment]
    # One event per key at most, e.g. one low-stock alert per product, warehouse and day.
    dedupe_key = fields.CharField(max_length=160, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "outbox_event"
        ordering = ("id",)
        indexes = (("tx", "id"),)

    @property
    def position(self) -> Position:
        return self.tx, self.id


@in_callers_transaction
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


# On PostgreSQL: only events of transactions older than any still open in this database. Every transaction
# below that horizon has ended, so nothing can appear before what is read; and the horizon comes from the
# snapshot of the same statement, so every event below it that committed is in view. Transactions of other
# databases on the server never write here: those seen running elsewhere do not hold the horizon back (one
# that cannot be placed counts as ours). A transaction left open in this database holds back what was
# written after it began, until it ends.
_HORIZON = {
    "postgres": ' AND "tx" < (SELECT LEAST(pg_snapshot_xmax(s), (SELECT min(x) FROM pg_snapshot_xip(s) x '
                'WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.backend_xid = xid(x) '
                'AND a.datname <> current_database())))::text::bigint FROM pg_current_snapshot() s)',
    "sqlite": "",
}


async def committed_after(after: Position, limit: int = 100, kind: str | None = None) -> list[OutboxEvent]:
    """Up to `limit` events past `after` in reading order (of one kind, if given) that nothing still open
    can come before: a consumer that moves its position to each event it has handled skips none."""
    only = ' AND "kind" = ?' if kind else ""
    return await select(OutboxEvent, f'SELECT * FROM "outbox_event" WHERE ("tx", "id") > (?, ?){_HORIZON[dialect()]}'
                        f'{only} ORDER BY "tx", "id" LIMIT ?', *after, *([kind] if kind else []), limit)


async def count_after(after: Position) -> int:
    """Committed events past `after`, readable yet or not: what a consumer still has before it."""
    tx, event_id = after
    return await OutboxEvent.filter(Q(tx__gt=tx) | Q(tx=tx, id__gt=event_id)).count()
