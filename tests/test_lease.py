"""The lease both the scheduler and the notifier run under, in each place it can live: the database (SQLite or
PostgreSQL, whichever the suite runs on) and a real Redis. The same tests hold for both."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio

from bot.notifier import notifier_lease
from core.base.lease import DbLease, LeaseClaim, RedisLease, lease_for
from core.base.settings import Settings
from scheduler.runner import Scheduler

REDIS_URL = os.environ.get("FAHUO_TEST_REDIS", "redis://127.0.0.1:6379/15")
NewLease = Callable[..., LeaseClaim]


async def _redis_running() -> bool:
    client = redis.asyncio.Redis.from_url(REDIS_URL)
    try:
        return bool(await client.ping())
    except Exception:
        return False
    finally:
        await client.aclose()


@pytest.fixture(params=["database", "redis"])
async def new_lease(request: pytest.FixtureRequest, db: Settings) -> AsyncIterator[NewLease]:
    """Makes claims on one lease, all living in the place under test; closes them all at the end."""
    made: list[LeaseClaim] = []
    if request.param == "redis" and not await _redis_running():
        pytest.skip("Redis is not running")
    prefix = f"fahuo:test:{os.getpid()}:{uuid.uuid4().hex[:8]}:"  # apart from other runs sharing this Redis

    def make(holder: str, seconds: float = 60.0) -> LeaseClaim:
        lease: LeaseClaim = (RedisLease(REDIS_URL, "jobs", seconds, holder, prefix=prefix)
                             if request.param == "redis" else DbLease("jobs", seconds, holder))
        made.append(lease)
        return lease

    yield make
    for lease in made:
        await lease.release()


async def test_of_two_holders_only_one_has_the_lease_and_keeps_it(new_lease: NewLease):
    first, second = new_lease("first"), new_lease("second")
    assert await first.hold() is True
    assert await second.hold() is False
    assert await first.hold() is True  # asking again renews, never locks out the holder itself
    assert await second.hold() is False


async def test_of_many_holders_asking_at_the_same_moment_exactly_one_wins(new_lease: NewLease):
    claims = [new_lease(f"process-{n}") for n in range(8)]
    won = await asyncio.gather(*(claim.hold() for claim in claims))
    assert won.count(True) == 1


async def test_a_lease_not_renewed_runs_out_and_another_takes_it_over(new_lease: NewLease):
    first, second = new_lease("first", seconds=0.3), new_lease("second", seconds=0.3)
    assert await first.hold() is True
    await asyncio.sleep(0.45)  # first has died: it did not renew in time
    assert await second.hold() is True
    assert await first.hold() is False  # back from the dead, it finds the lease taken


async def test_renewing_keeps_the_lease_past_its_first_length(new_lease: NewLease):
    first, second = new_lease("first", seconds=0.6), new_lease("second", seconds=0.6)
    assert await first.hold() is True
    for _ in range(3):  # 0.9 s in all, well past the first 0.6 s, renewed each 0.3 s
        await asyncio.sleep(0.3)
        assert await first.hold() is True
        assert await second.hold() is False


async def test_a_release_hands_over_at_once_and_never_drops_another_holders_lease(new_lease: NewLease):
    first, second = new_lease("first"), new_lease("second")
    assert await first.hold() is True
    await second.release()  # not the holder: nothing changes
    assert await second.hold() is False
    await first.release()
    assert await second.hold() is True
    assert await first.hold() is False


async def test_a_released_lease_can_be_held_again_by_the_same_object(new_lease: NewLease):
    """A stopped scheduler started again in the same process uses its lease object again."""
    lease = new_lease("again")
    assert await lease.hold() is True
    await lease.release()
    assert await lease.hold() is True


async def test_the_database_lease_runs_on_the_callers_clock(db: Settings):
    """A scheduler with a test's clock: expiry follows that clock, not the wall's."""
    now = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    first, second = DbLease("clocked", 60, "first"), DbLease("clocked", 60, "second")
    assert await first.hold(now) is True
    assert await second.hold(now + timedelta(seconds=59)) is False
    assert await second.hold(now + timedelta(seconds=61)) is True


async def test_the_settings_decide_where_the_scheduler_and_the_notifier_keep_their_lease(db: Settings):
    with_redis = db.model_copy(update={"redis_url": REDIS_URL})
    assert isinstance(lease_for(db, "x", 10), DbLease)
    assert isinstance(Scheduler(db).lease, DbLease) and isinstance(notifier_lease(db), DbLease)
    scheduler, notifier = Scheduler(with_redis).lease, notifier_lease(with_redis)
    try:
        assert isinstance(scheduler, RedisLease) and scheduler.name == "scheduler"
        assert isinstance(notifier, RedisLease) and notifier.name == "notifier"
        assert scheduler.key != notifier.key  # two leases, not one: the scheduler and the notifier run apart
    finally:
        for lease in (scheduler, notifier):
            await lease.redis.aclose()  # never held: nothing to give up
