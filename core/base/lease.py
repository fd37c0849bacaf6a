"""A lease: with several processes, one holds it and does the work; if it dies, another takes it over.

The scheduler and the notifier each need one runner among many processes. Both ask `lease_for` for a claim
on a named lease, and the settings decide where it lives: a database row by default, a Redis key with an
expiry when Redis is configured. The holder renews it well inside its length; a lease not renewed in time is
free for anyone. Taking it is one guarded step in either place, so two contenders cannot both win.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.settings import Settings

if TYPE_CHECKING:
    from redis.asyncio import Redis


# The database lease's row: who holds the lease `name`, until when. (A comment, not a docstring: tortoise
# would take a docstring for the table's description and want a migration for it.)
class Lease(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=32, unique=True)
    holder = fields.CharField(max_length=100)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "lease"


class LeaseClaim(Protocol):
    """One holder's claim on a named lease, wherever the lease lives."""

    name: str
    holder: str
    seconds: float

    async def hold(self, now: datetime | None = None) -> bool:
        """Take or renew the lease; True while this holder has it. `now` is the caller's clock (a test's, a
        scheduler's); Redis keeps time itself and does not need it."""
        ...

    async def release(self) -> None:
        """On a clean stop: let the next process take over at once instead of after the lease runs out."""
        ...


def new_holder() -> str:
    """A name no other process (or other lease object in this one) has: host, process, a random tail."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class DbLease:
    """The lease as a row of the `lease` table: works wherever the database does, nothing more to run."""

    def __init__(self, name: str, seconds: float, holder: str | None = None) -> None:
        self.name, self.seconds, self.holder = name, seconds, holder or new_holder()

    async def hold(self, now: datetime | None = None) -> bool:
        return await hold_lease(self.name, self.holder, now or datetime.now(UTC), self.seconds)

    async def release(self) -> None:
        await give_up_lease(self.name, self.holder)


# Take the key if it is free, renew it if it is ours; never touch another holder's.
_TAKE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
"""
_DROP = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class RedisLease:
    """The lease as a Redis key that expires by itself, for setups that run Redis anyway (no database
    writes every few seconds). Each step is one Lua script, so checking and changing the key is atomic."""

    def __init__(self, url: str, name: str, seconds: float, holder: str | None = None,
                 prefix: str = "fahuo:lease:") -> None:
        # Loaded only here: Redis is optional, and importing its client costs every process that does not use it.
        from redis.asyncio import Redis

        self.redis: Redis = Redis.from_url(url)
        self.name, self.seconds, self.holder = name, seconds, holder or new_holder()
        self.key = prefix + name

    async def hold(self, now: datetime | None = None) -> bool:
        return bool(await self.redis.eval(_TAKE, 1, self.key, self.holder, max(1, round(self.seconds * 1000))))

    async def release(self) -> None:
        """Gives the key up and closes the connection; holding again later opens a new one."""
        try:
            await self.redis.eval(_DROP, 1, self.key, self.holder)
        finally:
            await self.redis.aclose()


def lease_for(settings: Settings, name: str, seconds: float, holder: str | None = None) -> LeaseClaim:
    """The lease `name` where the settings keep leases: Redis when configured, else the database."""
    if settings.redis_url:
        return RedisLease(settings.redis_url, name, seconds, holder)
    return DbLease(name, seconds, holder)


async def hold_lease(name: str, holder: str, now: datetime, seconds: float) -> bool:
    """Take or renew the database lease; True while `holder` has it."""
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
    """Drop the database lease if `holder` has it."""
    await Lease.filter(name=name, holder=holder).delete()
