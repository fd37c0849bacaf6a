"""Document numbers made by the system: PREFIX-YYYYMMDD-NNNNN, unique under concurrency."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.db import fetch


class NumberSequence(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=32, unique=True)  # e.g. "SO-20261125"
    value = fields.IntField(default=0)

    class Meta:
        table = "number_sequence"


async def next_number(prefix: str, tz: ZoneInfo, now: datetime | None = None) -> str:
    """The next number of the day for `prefix`, counted in the company's time zone.

    One atomic `UPDATE … RETURNING`, taken before an order's own transaction where possible: the counter
    row is a hot spot that every order touches, so it must not stay locked for the length of an order's
    transaction. A failed intake may therefore leave a gap in the day's numbers, which auditors accept; a
    repeated number never.
    """
    day = (now or datetime.now(tz)).astimezone(tz).strftime("%Y%m%d")
    name = f"{prefix}-{day}"
    for _ in range(3):
        rows = await fetch("UPDATE number_sequence SET value = value + 1 WHERE name = ? RETURNING value", name)
        if rows:
            return f"{name}-{rows[0]['value']:05d}"
        try:
            async with in_transaction():  # savepoint when inside a caller's transaction
                await NumberSequence.create(name=name, value=0)
        except IntegrityError:
            pass  # another process created the day's counter first
    raise RuntimeError(f"could not take a number for {name}")
