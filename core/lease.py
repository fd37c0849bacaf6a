"""A lease: with several processes, one holds it and does the work; if it dies, another takes it over.

The holder renews it well inside its length; a lease not renewed in time is free for anyone. Taking it is
one guarded update, so two contenders cannot both win, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.transactions import in_transaction


class Lease(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=32, unique=True)
    holder = fields.CharField(max_length=100)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "lease"


async def hold_lease(name: str, holder: str, now: datetime, seconds: float) -> bool:
    """Take or renew the lease; True while `holder` has it."""
    until = now + timedelta(seconds=seconds)
    taken = Lease.filter(Q(holder=holder) | Q(expires_at__lt=now), name=name)
    if await taken.update(holder=holder, expires_at=until):
        return True
    if not await Lease.exists(name=name):
        try:
            async with in_transaction():
                await Lease.create(name=name, holder=holder, expires_at=until)
            return True
        except IntegrityError:
            pass
    # The row exists, perhaps only since the update above: made by another process, or by this holder's own
    # jobs all starting at once. Asking again tells which, and renews it if it is ours.
    return bool(await taken.update(holder=holder, expires_at=until))


async def give_up_lease(name: str, holder: str) -> None:
    """On a clean stop: let the next process take over at once instead of after the lease runs out."""
    await Lease.filter(name=name, holder=holder).delete()
