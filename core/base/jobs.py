"""Work for later: one durable queue of jobs, claimed row by row.

Anything that waits, retries or talks to an outside system (a carrier, Telegram, a shop) is a job: a row
written in the caller's transaction (`enqueue`), so it exists exactly when the change that asked for it
committed. A runner claims one due row at a time for a while (`Policy.claim`) and runs the handler of its
kind; done, it is marked done; failed, it is due again later, waiting longer each time, until its policy gives
up and the kind's `gave_up` hook tells someone. A job never waits behind another that is not due: each is
claimed by itself, oldest due first (`FOR UPDATE SKIP LOCKED` on PostgreSQL; on SQLite, where one writer
works at a time, the claiming UPDATE is atomic on its own). Jobs of one lane (one chat, one receiver) run
one after another in the order they were enqueued.

A process that dies holding a claim leaves the job to run again once the claim runs out: handlers must be
safe to run twice (a carrier takes a second cancel of a waybill; a booking first checks the shipment still
waits for one).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.db import add_if_new, dialect, fetch, in_callers_transaction, insert, marks
from core.base.errors import NotFound
from core.base.i18n import status_word

log = logging.getLogger(__name__)


class JobState(StrEnum):
    WAITING = "waiting"  # due at `due_at`, or claimed and running
    DONE = "done"
    FAILED = "failed"  # given up: waits for a person's "retry now"


class Job(Model):
    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=48)
    # At most one job per key (one cancellation per waybill, one message per event and chat).
    key = fields.CharField(max_length=160, null=True, unique=True)
    # Jobs of one lane run in the order enqueued, one at a time (a chat's messages, a receiver's deliveries).
    lane = fields.CharField(max_length=64, null=True)
    payload: dict[str, Any] = fields.JSONField(default=dict)  # type: ignore[assignment]
    state = fields.CharEnumField(JobState, max_length=12, default=JobState.WAITING)
    attempts = fields.IntField(default=0)
    due_at = fields.DatetimeField()
    claimed_until = fields.DatetimeField(null=True)
    claimed_by = fields.CharField(max_length=100, default="")
    last_error = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "job"
        indexes = (("state", "due_at"), ("lane", "state", "id"))


class Later(Exception):
    """The outside system is unavailable: try again (after `after` seconds, if it said when)."""

    def __init__(self, why: str, after: float | None = None) -> None:
        super().__init__(why)
        self.after = after


class GiveUp(Exception):
    """The outside system refused: asking again will not change its answer."""


NOT_DONE = object()  # what `run_one` answers for a try that failed
Handler = Callable[[Job, Any], Awaitable[Any]]
GaveUp = Callable[[Job, str], Awaitable[None]]


@dataclass(frozen=True)
class Policy:
    """How a kind of job is retried. The wait after the n-th failed try is `first_wait · 2^(n-1)`, at most
    `longest_wait`; after `tries` tries it gives up. `claim` must outlast one try (its outside calls' timeouts)."""

    tries: int = 8
    first_wait: float = 60.0
    longest_wait: float = 3600.0
    claim: float = 120.0
    gave_up: GaveUp | None = None  # runs in the transaction that marks the job failed: tell someone

    def wait(self, attempts: int) -> float:
        return min(self.first_wait * 2 ** max(attempts - 1, 0), self.longest_wait)


@dataclass(frozen=True)
class Kind:
    handler: Handler
    policy: Policy


KINDS: dict[str, Kind] = {}


def handles(kind: str, policy: Policy | None = None) -> Callable[[Handler], Handler]:
    """Register the decorated coroutine as the handler of `kind` (once per process, at import)."""

    def register(handler: Handler) -> Handler:
        KINDS[kind] = Kind(handler, policy or Policy())
        return handler

    return register


@in_callers_transaction
async def enqueue(kind: str, payload: dict[str, Any], *, key: str | None = None, lane: str | None = None,
                  due: datetime | None = None) -> bool:
    """Add a job in the caller's transaction; False when a job with the same key exists already."""
    values: dict[str, Any] = {"kind": kind, "payload": payload, "key": key, "lane": lane,
                              "due_at": (due or datetime.now(UTC)).astimezone(UTC)}
    if key is None:
        await insert(Job, **values)
        return True
    return await add_if_new(Job, "key", **values) is not None  # the unique key settles a race, no savepoint


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


_CLAIM = (
    'UPDATE "job" SET "claimed_until" = ?, "claimed_by" = ?, "attempts" = "attempts" + 1 WHERE "id" = ('
    'SELECT j."id" FROM "job" j WHERE j."state" = \'waiting\' AND j."due_at" <= ? AND j."kind" IN ({kinds}) '
    'AND (j."claimed_until" IS NULL OR j."claimed_until" < ?) '
    'AND (j."lane" IS NULL OR NOT EXISTS (SELECT 1 FROM "job" e WHERE e."lane" = j."lane" '
    'AND e."state" = \'waiting\' AND e."id" < j."id")) '
    'ORDER BY j."due_at", j."id" LIMIT 1{lock}) RETURNING *')


async def claim(kinds: Iterable[str], now: datetime, holder: str | None = None) -> Job | None:
    """Take the oldest due job of these kinds that no one holds, for its kind's claim time; None if none is due."""
    kinds = sorted(kinds)
    if not kinds:
        return None
    now = now.astimezone(UTC)  # stored times are UTC: SQLite compares them as text
    longest = max(KINDS[k].policy.claim if k in KINDS else Policy().claim for k in kinds)
    lock = " FOR UPDATE SKIP LOCKED" if dialect() == "postgres" else ""
    sql = _CLAIM.format(kinds=marks(kinds), lock=lock)
    until = now + timedelta(seconds=longest)
    rows = await fetch(sql, until, holder or _holder(), now, *kinds, now)
    return Job._init_from_db(**rows[0]) if rows else None  # tortoise's own row-to-instance step, as db.add


_CLAIM_KEY = ('UPDATE "job" SET "claimed_until" = ?, "claimed_by" = ?, "attempts" = "attempts" + 1 WHERE "key" = ? '
              'AND "state" = \'waiting\' AND ("claimed_until" IS NULL OR "claimed_until" < ?) RETURNING *')


async def run_now(key: str, context: Any, now: datetime | None = None) -> Any:
    """Run the waiting job with this key at once, due or not (a person waits for it: labels asked for at the
    packing table), unless another runner holds it. What the handler answered, or NOT_DONE."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    rows = await fetch(_CLAIM_KEY, now + timedelta(seconds=Policy().claim), _holder(), key, now)
    if not rows:
        return NOT_DONE
    return await run_one(Job._init_from_db(**rows[0]), context, now)


async def _finish(job: Job, state: JobState, now: datetime, error: str = "", due: datetime | None = None) -> bool:
    """Record a try's end, if the claim is still this runner's (a claim that ran out may be someone else's now)."""
    sets: dict[str, Any] = {"state": state, "claimed_until": None, "last_error": error[:500]}
    if state != JobState.WAITING:
        sets["finished_at"] = now
    if due is not None:
        sets["due_at"] = due.astimezone(UTC)
    return bool(await Job.filter(id=job.id, claimed_by=job.claimed_by, attempts=job.attempts).update(**sets))


async def run_one(job: Job, context: Any, now: datetime) -> Any:
    """Run a claimed job's handler and record how it went; what the handler answered when it is done (a
    booking made, a message sent), else NOT_DONE."""
    kind = KINDS[job.kind]
    try:
        answer = await kind.handler(job, context)
    except GiveUp as refused:
        await _fail(job, kind.policy, now, str(refused) or type(refused).__name__)
        return NOT_DONE
    except Exception as exc:
        after = exc.after if isinstance(exc, Later) else None
        why = str(exc) or type(exc).__name__
        if not isinstance(exc, Later):
            log.warning("job %s (%s) failed: %s", job.id, job.kind, why, exc_info=True)
        if job.attempts >= kind.policy.tries:
            await _fail(job, kind.policy, now, why)
        else:
            wait = after if after is not None else kind.policy.wait(job.attempts)
            await _finish(job, JobState.WAITING, now, why, due=now + timedelta(seconds=wait))
        return NOT_DONE
    await _finish(job, JobState.DONE, now)
    return answer


async def _fail(job: Job, policy: Policy, now: datetime, why: str) -> None:
    async with in_transaction():
        if await _finish(job, JobState.FAILED, now, why) and policy.gave_up is not None:
            await policy.gave_up(job, why)
    log.warning("job %s (%s) given up after %d tries: %s", job.id, job.kind, job.attempts, why)


@dataclass(frozen=True)
class Ran:
    """What a round of the runner did: jobs tried, done, and done with an effect (the handler answered truly)."""

    tried: int = 0
    done: int = 0
    worked: int = 0

    def __bool__(self) -> bool:  # a round that found nothing due is nothing to log
        return self.tried > 0

    def __str__(self) -> str:
        return f"{self.tried} tried, {self.done} done, {self.worked} with effect"


async def run_due(context: Any, now: datetime | None = None, kinds: Iterable[str] | None = None,
                  limit: int = 200, clock: Callable[[], datetime] | None = None, concurrency: int = 1) -> Ran:
    """Claim and run due jobs one by one (of `kinds`, else of every kind this process handles) until none is due
    or `limit` were tried; `concurrency` runners side by side (for jobs that wait on slow receivers). `now`
    fixes the time (a test's, a scheduler's); else `clock` (the wall clock) is read before each claim."""
    wanted = [k for k in (kinds if kinds is not None else KINDS) if k in KINDS]
    counts = [0, 0, 0]  # tried, done, worked

    async def runner() -> None:
        while counts[0] < limit:
            at = now or (clock or _utcnow)()
            job = await claim(wanted, at)
            if job is None:
                return
            counts[0] += 1
            answer = await run_one(job, context, at)
            counts[1] += answer is not NOT_DONE
            counts[2] += answer is not NOT_DONE and bool(answer)

    await asyncio.gather(*(runner() for _ in range(max(1, concurrency))))
    return Ran(*counts)


def _utcnow() -> datetime:
    return datetime.now(UTC)


async def run_forever(context: Any, stop: asyncio.Event, kinds: Iterable[str] | None = None,
                      interval: float = 1.0, wake: asyncio.Event | None = None) -> None:
    """A runner: due jobs as they come, checking every `interval` (or when `wake` is set), until `stop`."""
    wanted = list(kinds) if kinds is not None else None
    while not stop.is_set():
        try:
            ran = await run_due(context, kinds=wanted)
        except Exception:
            log.exception("job runner round failed")
            ran = Ran()
        if ran.tried:
            continue
        waits = [asyncio.ensure_future(e.wait()) for e in (stop, wake) if e is not None]
        _, pending = await asyncio.wait(waits, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if wake is not None:
            wake.clear()


async def retry_now(job_id: int, now: datetime | None = None) -> Job:
    """A person's "retry now": a failed or waiting job is due at once, its tries counted afresh (NotFound for a
    job done or unknown)."""
    if not await Job.filter(id=job_id, state__in=(JobState.FAILED, JobState.WAITING)).update(
            state=JobState.WAITING, due_at=(now or datetime.now(UTC)).astimezone(UTC), attempts=0,
            claimed_until=None, finished_at=None):
        raise NotFound(what="job", key=str(job_id))
    return await Job.get(id=job_id)


async def retry_key(key: str, now: datetime | None = None) -> Job:
    """`retry_now` for the job with this key."""
    found = await Job.get_or_none(key=key)
    if found is None:
        raise NotFound(what="job", key=key)
    return await retry_now(found.id, now)


async def pending(kinds: Iterable[str] | None = None, limit: int = 100) -> list[Job]:
    """Jobs waiting or given up, the given-up first, oldest first: what the jobs screen lists."""
    query = Job.filter(state__in=(JobState.WAITING, JobState.FAILED))
    if kinds is not None:
        query = query.filter(kind__in=list(kinds))
    return await query.order_by("state", "due_at", "id")  # "failed" sorts before "waiting".limit(limit)


async def prune(before: datetime) -> int:
    """Forget jobs done before `before`: the outbox keeps what happened; done jobs need no keeping."""
    return await Job.filter(state=JobState.DONE, finished_at__lt=before).delete()


def job_view(job: Job, lang: str) -> dict[str, Any]:
    """A job as the jobs screen shows it: what it does and its state in words, its tries and when it runs next."""
    subject = next((str(job.payload[k]) for k in ("shipment", "waybill", "printer", "event_id") if k in job.payload),
                   "")
    return {"id": job.id, "kind": job.kind, "what": status_word("job_kind", job.kind, lang), "subject": subject,
            "state": job.state.value, "state_word": status_word("job", job.state.value, lang),
            "tries": job.attempts, "next_try_at": job.due_at.isoformat() if job.state == JobState.WAITING else None,
            "error": job.last_error or None, "created_at": job.created_at.isoformat()}
