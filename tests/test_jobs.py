"""The job queue: each due job runs by itself, a failing one waits without holding back others, a claim that
ran out (its runner died) lets the job run again with its effect once, and a person can retry a given-up job."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from tortoise.transactions import in_transaction

from core.base.auth import Role
from core.base.jobs import KINDS, GiveUp, Job, JobState, Later, Policy, claim, enqueue, handles, retry_now, run_due
from core.base.settings import Settings
from core.shipping.carrier_api import Connection
from core.shipping.carriers import ADAPTERS, SimulatedCarrier
from core.shipping.shipments import CANCEL, cancel_waybill_later
from tests.conftest import signed_in
from tests.factories import a_carrier

TRIED: list[str] = []
DOWN: set[str] = set()  # names whose jobs fail for now, as an outside system that is down


@handles("test.note", Policy(tries=3, first_wait=60.0))
async def _note(job: Job, settings: Settings) -> bool:
    TRIED.append(job.payload["name"])
    if job.payload.get("fail") == "later" or job.payload["name"] in DOWN:
        raise Later("not now")
    if job.payload.get("fail") == "refused":
        raise GiveUp("never")
    return True


@pytest.fixture(autouse=True)
def _tried():
    TRIED.clear()
    DOWN.clear()
    yield
    TRIED.clear()


async def _add(name: str, *, due: datetime | None = None, lane: str | None = None, fail: str = "") -> None:
    async with in_transaction():
        await enqueue("test.note", {"name": name, "fail": fail}, due=due or datetime.now(UTC) - timedelta(seconds=1),
                      lane=lane)


async def test_a_due_job_runs_while_one_enqueued_earlier_waits_for_its_time(db: Settings):
    now = datetime.now(UTC)
    await _add("A", due=now + timedelta(minutes=32))
    await _add("B")
    assert (await run_due(db, now, ["test.note"])).done == 1
    assert TRIED == ["B"]
    assert (await run_due(db, now + timedelta(minutes=33), ["test.note"])).done == 1
    assert TRIED == ["B", "A"]


async def test_a_carrier_that_is_down_holds_back_no_other_carriers_cancellations(db: Settings, monkeypatch):
    told: Counter[str] = Counter()

    class Down(SimulatedCarrier):
        async def cancel_waybill(self, conn: Connection, waybill: str, reference: str) -> None:
            raise ConnectionError("its system is down")

    class Up(SimulatedCarrier):
        async def cancel_waybill(self, conn: Connection, waybill: str, reference: str) -> None:
            told[waybill] += 1

    monkeypatch.setitem(ADAPTERS, "down", Down())
    monkeypatch.setitem(ADAPTERS, "up", Up())
    down, up = await a_carrier("DOWN", adapter="down"), await a_carrier("UP", adapter="up")
    async with in_transaction():
        for n in range(3):
            await cancel_waybill_later(down, f"D{n}", f"SH-D{n}")  # the first ones in the queue
        await cancel_waybill_later(up, "U1", "SH-U1")
    ran = await run_due(db, datetime.now(UTC), [CANCEL])
    assert ran.tried == 4 and told == Counter({"U1": 1})
    waiting = await Job.filter(kind=CANCEL, state=JobState.WAITING).order_by("id")
    assert [j.payload["waybill"] for j in waiting] == ["D0", "D1", "D2"]
    assert all(j.attempts == 1 and "down" in j.last_error for j in waiting)


async def test_jobs_of_one_lane_run_in_the_order_they_were_enqueued_even_after_a_failure(db: Settings):
    now = datetime.now(UTC)
    DOWN.add("first")
    await _add("first", lane="chat:1")
    await _add("second", lane="chat:1")
    await _add("other", lane="chat:2")
    await run_due(db, now, ["test.note"])
    assert TRIED == ["first", "other"]  # "second" waits behind "first" in its lane; other lanes go on
    DOWN.clear()
    await run_due(db, now + timedelta(minutes=2), ["test.note"])
    assert TRIED == ["first", "other", "first", "second"]


async def test_a_refused_job_is_given_up_at_once_and_a_failing_one_after_its_tries_then_a_person_retries_it(
        db: Settings):
    now = datetime.now(UTC)
    await _add("refused", fail="refused")
    await _add("flaky", fail="later")
    for minutes in (0, 2, 5, 10):
        await run_due(db, now + timedelta(minutes=minutes), ["test.note"])
    assert TRIED == ["refused", "flaky", "flaky", "flaky"]  # three tries, then given up
    failed = await Job.filter(state=JobState.FAILED).order_by("id")
    assert [(j.payload["name"], j.attempts, j.last_error) for j in failed] == [("refused", 1, "never"),
                                                                               ("flaky", 3, "not now")]
    await retry_now(failed[1].id, now + timedelta(minutes=10))
    await run_due(db, now + timedelta(minutes=10), ["test.note"])
    assert TRIED[-1] == "flaky"


async def test_a_job_whose_runner_died_after_claiming_it_runs_again_once_the_claim_runs_out(db: Settings):
    now = datetime.now(UTC)
    await _add("lost")
    taken = await claim(["test.note"], now, holder="died")  # the runner's process ends here (kill -9)
    assert taken is not None
    assert (await run_due(db, now + timedelta(seconds=10), ["test.note"])).tried == 0  # still claimed
    late = now + timedelta(seconds=KINDS["test.note"].policy.claim + 1)
    assert (await run_due(db, late, ["test.note"])).done == 1
    assert TRIED == ["lost"]
    assert (await Job.get(id=taken.id)).state == JobState.DONE


async def test_a_runner_whose_claim_ran_out_does_not_overwrite_the_outcome_of_the_one_that_took_over(db: Settings):
    now = datetime.now(UTC)
    await _add("slow")
    first = await claim(["test.note"], now, holder="slow-runner")
    late = now + timedelta(seconds=KINDS["test.note"].policy.claim + 1)
    assert (await run_due(db, late, ["test.note"])).done == 1  # another runner took it over and finished
    from core.base.jobs import run_one

    assert first is not None
    await run_one(first, db, late)  # the slow one comes back: its record of the try is not taken
    job = await Job.get(id=first.id)
    assert job.state == JobState.DONE and job.attempts == 2


async def test_a_second_enqueue_with_the_same_key_adds_nothing(db: Settings):
    async with in_transaction():
        assert await enqueue("test.note", {"name": "once"}, key="once")
        assert not await enqueue("test.note", {"name": "once"}, key="once")
    assert await Job.filter(key="once").count() == 1


async def test_a_manager_sees_a_failed_job_in_words_and_retries_it_and_a_picker_may_not(db: Settings, http):
    await _add("printer-1", fail="refused")
    await run_due(db, datetime.now(UTC), ["test.note"])
    manager = await signed_in(http, Role.MANAGER)
    async with http.get("/api/jobs", headers={**manager, "Accept-Language": "zh"}) as resp:
        assert resp.status == 200
        jobs = await resp.json()
    assert [(j["state"], j["state_word"], j["tries"], j["error"]) for j in jobs] == [
        ("failed", "失败，需人工处理", 1, "never")]
    async with http.post(f"/api/jobs/{jobs[0]['id']}/retry", headers=manager) as resp:
        assert resp.status == 200
        again = await resp.json()
    assert again["state"] == "waiting" and again["tries"] == 0
    async with http.post("/api/jobs/999999/retry", headers={**manager, "Accept-Language": "zh"}) as resp:
        assert resp.status == 404 and "后台任务" in (await resp.json())["message"]
    picker = await signed_in(http, Role.PICKER)
    async with http.get("/api/jobs", headers=picker) as resp:
        assert resp.status == 403


async def test_done_jobs_are_pruned_after_a_week_and_waiting_or_failed_ones_are_kept(db: Settings):
    from scheduler.runner import JOBS

    await _add("done")
    await _add("failed", fail="refused")
    now = datetime.now(UTC)
    await run_due(db, now, ["test.note"])
    await _add("waiting", due=now + timedelta(days=30))
    prune_jobs, _ = JOBS["prune_jobs"]
    assert await prune_jobs(db, now + timedelta(days=6)) == 0
    assert await prune_jobs(db, now + timedelta(days=8)) == 1
    assert sorted(j.payload["name"] for j in await Job.all()) == ["failed", "waiting"]


def test_a_round_that_found_nothing_due_says_nothing_in_the_log() -> None:
    from core.base.jobs import Ran

    assert not Ran() and Ran(tried=2, done=1, worked=1)
    assert str(Ran(tried=2, done=1, worked=1)) == "2 tried, 1 done, 1 with effect"


async def test_what_the_old_outbox_consumers_still_owed_becomes_jobs_on_upgrade(db: Settings):
    """Before the queue, bookings, cancellations, subscriptions and write-backs waited as outbox events past a
    consumer's cursor: the upgrade turns each into its job, so nothing asked for before it is lost."""
    import importlib
    from types import SimpleNamespace

    from tortoise import connections

    from core.base.events import OutboxEvent
    from core.channels.write_backs import ChannelWriteBack, WriteBackState
    from core.orders.notifications import ConsumerCursor

    done = await OutboxEvent.create(kind="waybill.cancel", payload={"carrier": "SF", "waybill": "W0", "shipment": "S0"})
    done = await OutboxEvent.get(id=done.id)  # its transaction's id, as PostgreSQL's trigger set it
    await ConsumerCursor.create(consumer="waybill_cancel", last_tx=done.tx, last_event_id=done.id)  # told already
    await OutboxEvent.create(kind="waybill.cancel", payload={"carrier": "SF", "waybill": "W1", "shipment": "S1"})
    await OutboxEvent.create(kind="waybill.request", payload={"shipment": "S2", "carrier": None, "attempt": 2,
                                                              "due": "2026-12-08T04:00:00+00:00"})
    await OutboxEvent.create(kind="shipment.dispatched", payload={"shipment": "S3", "order": "SO-3"})
    await ChannelWriteBack.create(channel="woo", order="SO-4", shipment="S4", state=WriteBackState.WAITING,
                                  updated_at=datetime.now(UTC))
    migration = importlib.import_module("core.migrations.0037_jobs")
    for _ in range(2):  # run twice: nothing doubled
        await migration.queue_what_the_outbox_owed(None, SimpleNamespace(client=connections.get("default")))
    jobs = await Job.all().order_by("id")
    assert [(j.kind, j.key, j.lane) for j in jobs] == [
        ("waybill.book", "waybill.book:S2:2", None), ("waybill.cancel", "waybill.cancel:SF:W1:S1", None),
        ("tracking.subscribe", "tracking.subscribe:S3:0", None),
        ("channel.write_back", "channel.write_back:S4", "channel.write_back:woo")]
    assert jobs[0].payload == {"shipment": "S2", "carrier": None, "attempt": 2}
