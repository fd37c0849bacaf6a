"""Document numbers made by the system: PREFIX-YYYYMMDD-NNNNN, unique under concurrency."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tortoise import fields
from tortoise.models import Model

from core.db import fetch_apart


class NumberSequence(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=32, unique=True)  # e.g. "SO-20261125"
    value = fields.IntField(default=0)

    class Meta:
        table = "number_sequence"


async def next_number(prefix: str, tz: ZoneInfo, now: datetime | None = None) -> str:
    """The next number of the day for `prefix`, counted in the company's time zone.

    One atomic upsert that commits on its own (`fetch_apart`), even when called inside a transaction: the
    counter row is a hot spot that every order touches, so it must not stay locked for the length of an
    order's transaction (on PostgreSQL that queued every order behind one and, with stock rows locked in
    between, deadlocked them). A failed transaction therefore leaves a gap in the day's numbers, which
    auditors accept; a repeated number never.
    """
    day = (now or datetime.now(tz)).astimezone(tz).strftime("%Y%m%d")
    name = f"{prefix}-{day}"
    rows = await fetch_apart(
        'INSERT INTO "number_sequence" ("name", "value") VALUES (?, 1) '
        'ON CONFLICT ("name") DO UPDATE SET "value" = "number_sequence"."value" + 1 RETURNING "value"', name)
    return f"{name}-{rows[0]['value']:05d}"
