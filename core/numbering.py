"""Document numbers made by the system: PREFIX-YYYYMMDD-NNNNN, unique under concurrency."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.models import Model
from tortoise.transactions import in_transaction


class NumberSequence(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=32, unique=True)  # e.g. "SO-20261125"
    value = fields.IntField(default=0)

    class Meta:
        table = "number_sequence"


async def next_number(prefix: str, tz: ZoneInfo, now: datetime | None = None) -> str:
    """The next number of the day for `prefix`, counted in the company's time zone.

    Taken in a transaction of its own, kept as short as possible: the counter row is a hot spot that
    every order touches, so it must not stay locked for the length of an order's transaction. A failed
    intake may therefore leave a gap in the day's numbers, which auditors accept; a repeated number never.
    """
    day = (now or datetime.now(tz)).astimezone(tz).strftime("%Y%m%d")
    name = f"{prefix}-{day}"
    for _ in range(3):
        async with in_transaction():
            if await NumberSequence.filter(name=name).update(value=F("value") + 1):
                seq = await NumberSequence.get(name=name)
                return f"{name}-{seq.value:05d}"
        try:
            async with in_transaction():
                await NumberSequence.create(name=name, value=1)
                return f"{name}-00001"
        except IntegrityError:
            continue  # another process created the day's counter first; bump it instead
    raise RuntimeError(f"could not take a number for {name}")
