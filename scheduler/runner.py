"""Scheduled jobs: each a thin call of a core service, safe to run twice or late, run by one process only.

Every process may start a scheduler; before a job runs, its scheduler must hold the lease (a database row,
or a Redis key when Redis is configured). The holder renews it every LEASE_RENEW seconds; if it dies, the
lease runs out after LEASE_SECONDS and the next process's scheduler takes over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from core.lease import give_up_lease, hold_lease
from core.payments import expire_unpaid
from core.replenishment import sweep_low_stock
from core.reports import alert_late_orders, reconcile_ledger, send_daily_reports
from core.settings import Settings
from core.shipments import send_waybill_cancellations
from core.tracking import poll_tracking

log = logging.getLogger(__name__)
LEASE = "scheduler"
LEASE_SECONDS = 60.0
LEASE_RENEW = 20.0


class Lease(Protocol):
    holder: str

    async def hold(self, now: datetime) -> bool: ...

    async def release(self) -> None: ...


def new_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class DbLease:
    def __init__(self, holder: str | None = None) -> None:
        self.holder = holder or new_holder()

    async def hold(self, now: datetime) -> bool:
        return await hold_lease(LEASE, self.holder, now, LEASE_SECONDS)

    async def release(self) -> None:
        await give_up_lease(LEASE, self.holder)


# Take the key if it is free, renew it if it is ours; never touch another holder's.
_TAKE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
"""
_DROP = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class RedisLease:
    """The same lease as a Redis key with an expiry, for setups that run Redis anyway."""

    def __init__(self, url: str, holder: str | None = None, key: str = "fahuo:lease:scheduler") -> None:
        from redis.asyncio import Redis

        self.redis = Redis.from_url(url)
        self.holder = holder or new_holder()
        self.key = key

    async def hold(self, now: datetime) -> bool:
        return bool(await self.redis.eval(_TAKE, 1, self.key, self.holder, int(LEASE_SECONDS * 1000)))

    async def release(self) -> None:
        await self.redis.eval(_DROP, 1, self.key, self.holder)
        await self.redis.aclose()


Job = Callable[[Settings, datetime], Awaitable[Any]]


async def _low_stock(settings: Settings, now: datetime) -> None:
    await sweep_low_stock(settings.tz)


async def _tracking(settings: Settings, now: datetime) -> int:
    return await poll_tracking(settings, now)


# name → (job, when). The daily report runs often and decides itself whether a day is due, so a report
# missed while the system was down goes out as soon as it is up again.
JOBS: dict[str, tuple[Job, dict[str, Any]]] = {
    "low_stock": (_low_stock, {"minutes": 15}),
    "expire_unpaid": (expire_unpaid, {"minutes": 10}),
    "late_orders": (alert_late_orders, {"minutes": 30}),
    "tracking": (_tracking, {"minutes": 10}),
    "waybill_cancel": (send_waybill_cancellations, {"minutes": 1}),
    "daily_report": (send_daily_reports, {"minutes": 10}),
    "reconcile": (reconcile_ledger, {"cron": {"hour": 3, "minute": 30}}),
}


def lease_for(settings: Settings) -> Lease:
    return RedisLease(settings.redis_url) if settings.redis_url else DbLease()


class Scheduler:
    def __init__(self, settings: Settings, lease: Lease | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.settings, self.lease, self.clock = settings, lease or lease_for(settings), clock
        self.aps = AsyncIOScheduler(timezone=settings.tz, job_defaults={
            "coalesce": True,  # after downtime a job runs once, not once per missed turn
            "misfire_grace_time": 6 * 3600, "max_instances": 1})
        self._running: set[asyncio.Task[Any]] = set()  # jobs a stop waits for, not cuts off mid-transaction

    async def run(self, name: str) -> bool:
        """Run one job now if this process holds the lease; False when another process does."""
        with self._tracked():
            now = self.clock()
            if not await self.lease.hold(now):
                return False
            job, _ = JOBS[name]
            try:
                result = await job(self.settings, now)
                log.info("job %s done: %s", name, result)
            except Exception:
                log.exception("job %s failed; it runs again at its next turn", name)
            return True

    @contextlib.contextmanager
    def _tracked(self) -> Iterator[None]:
        task = asyncio.current_task()
        assert task is not None
        self._running.add(task)
        try:
            yield
        finally:
            self._running.discard(task)

    def start(self) -> None:
        for name, (_, when) in JOBS.items():
            if "cron" in when:  # at its hour (a next_run_time of None would add it paused, never to run)
                self.aps.add_job(self.run, CronTrigger(timezone=self.settings.tz, **when["cron"]), args=[name],
                                 id=name)
            else:  # at once, then every so often: what was due while nothing ran is done on start
                self.aps.add_job(self.run, IntervalTrigger(minutes=when["minutes"]), args=[name], id=name,
                                 next_run_time=datetime.now(UTC))
        self.aps.add_job(self._renew, IntervalTrigger(seconds=LEASE_RENEW), id="lease", next_run_time=datetime.now(UTC))
        self.aps.start()
        log.info("scheduler started as %s", self.lease.holder)

    async def _renew(self) -> None:
        with self._tracked():
            await self.lease.hold(self.clock())

    async def stop(self) -> None:
        """No new turns; the jobs running now finish (APScheduler's shutdown would cancel them), then the lease
        is handed over."""
        if self.aps.running:
            self.aps.pause()
            await asyncio.sleep(0)  # a job handed to the loop but not yet begun takes its first step and is counted
            await asyncio.gather(*self._running, return_exceptions=True)
            self.aps.shutdown(wait=False)
        await self.lease.release()
