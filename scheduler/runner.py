"""Scheduled jobs: each a thin call of a core service, safe to run twice or late, run by one process only.

Every process may start a scheduler; before a job runs, its scheduler must hold the lease (a database row,
or a Redis key when Redis is configured). The holder renews it every LEASE_RENEW seconds; if it dies, the
lease runs out after LEASE_SECONDS and the next process's scheduler takes over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from core.base.jobs import Ran, prune, run_due
from core.base.lease import LeaseClaim, lease_for
from core.base.settings import Settings
from core.channels.connectors import write_back_shipments
from core.channels.pulling import pull_orders
from core.orders.payments import expire_unpaid
from core.reports import alert_late_orders, reconcile_ledger, send_daily_reports
from core.shipping.printing import PRINT
from core.shipping.shipments import BOOK, CANCEL
from core.shipping.tracking import SUBSCRIBE, poll_tracking
from core.stock.replenishment import sweep_low_stock
from core.webhooks import send_webhooks

log = logging.getLogger(__name__)
LEASE = "scheduler"
LEASE_SECONDS = 60.0
LEASE_RENEW = 20.0


Job = Callable[[Settings, datetime], Awaitable[Any]]
KEEP_DONE_JOBS = timedelta(days=7)
CORE_KINDS = (BOOK, CANCEL, SUBSCRIBE, PRINT)  # the job queue's kinds whose handlers need only the settings


async def _low_stock(settings: Settings, now: datetime) -> None:
    await sweep_low_stock(settings.tz)


async def _jobs(settings: Settings, now: datetime) -> Ran:
    return await run_due(settings, kinds=CORE_KINDS)


async def _prune_jobs(settings: Settings, now: datetime) -> int:
    return await prune(now - KEEP_DONE_JOBS)


async def _tracking(settings: Settings, now: datetime) -> int:
    return await poll_tracking(settings, now)


# name → (job, when). The daily report runs often and decides itself whether a day is due, so a report
# missed while the system was down goes out as soon as it is up again.
JOBS: dict[str, tuple[Job, dict[str, Any]]] = {
    "low_stock": (_low_stock, {"minutes": 15}),
    "expire_unpaid": (expire_unpaid, {"minutes": 10}),
    "late_orders": (alert_late_orders, {"minutes": 30}),
    "tracking": (_tracking, {"minutes": 10}),
    "jobs": (_jobs, {"seconds": 5}),  # carriers' bookings, cancellations, subscriptions and labels, as they come due
    "channel_write_back": (write_back_shipments, {"minutes": 1}),
    "channel_pull": (pull_orders, {"minutes": 2}),
    "webhooks": (send_webhooks, {"seconds": 5}),  # subscribers hear of events within seconds
    "daily_report": (send_daily_reports, {"minutes": 10}),
    "reconcile": (reconcile_ledger, {"cron": {"hour": 3, "minute": 30}}),
    "prune_jobs": (_prune_jobs, {"cron": {"hour": 4, "minute": 10}}),  # done jobs: the outbox keeps what happened
}


class Scheduler:
    def __init__(self, settings: Settings, lease: LeaseClaim | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.lease = lease or lease_for(settings, LEASE, LEASE_SECONDS)
        self.settings, self.clock = settings, clock
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
                if result:  # something was done (a count, a list, a summary); a turn that found nothing is quiet
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
                self.aps.add_job(self.run, IntervalTrigger(**when), args=[name], id=name,
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
