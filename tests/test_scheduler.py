"""Scheduled jobs on a real database with a clock the test sets: their effect, running twice, running late,
and only one of several schedulers running them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from core.base.events import OutboxEvent
from core.base.i18n import render
from core.base.lease import DbLease, Lease, hold_lease
from core.base.settings import Settings
from core.orders.intake import place_order
from core.orders.order import Order, OrderStatus
from core.orders.payments import expire_unpaid, record_payment
from core.reports import alert_late_orders, reconcile_ledger, send_daily_reports
from core.stock.ledger import Reservation, ReservationState, StockLevel
from core.stock.replenishment import PurchaseOrder, PurchaseOrderLine, sweep_low_stock
from run import configure_logging
from scheduler import runner
from scheduler.runner import JOBS, LEASE, LEASE_SECONDS, Scheduler
from tests.factories import a_product, a_reorder_rule, a_supplier, a_warehouse, an_order, stock

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def _lease(holder: str) -> DbLease:
    """The scheduler's lease as `holder` claims it (tests/test_lease.py covers Redis too)."""
    return DbLease(LEASE, LEASE_SECONDS, holder)


async def test_low_stock_drafts_one_purchase_and_alerts_once_a_day(db: Settings):
    wh, tea = await a_warehouse(), await a_product("TEA", supplier=await a_supplier())
    await stock(tea, wh, 4)
    await a_reorder_rule(tea, wh, point=10, qty=50)
    for _ in range(2):
        await sweep_low_stock(db.tz)
    assert await OutboxEvent.filter(kind="stock.low").count() == 1
    assert await PurchaseOrder.all().count() == 1
    assert [line.qty for line in await PurchaseOrderLine.all()] == [50]


async def _unpaid_order(db: Settings) -> Order:
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 5)
    placed = await place_order(an_order({"TEA": 2}, payment_state="pending"), "shop", "api:shop", db)
    assert placed.order.status == OrderStatus.ALLOCATED
    return placed.order


async def test_unpaid_orders_give_their_stock_back_after_the_hold_time(db: Settings):
    order = await _unpaid_order(db)
    assert await expire_unpaid(db, datetime.now(UTC) + timedelta(hours=23)) == []
    later = datetime.now(UTC) + timedelta(hours=25)
    assert await expire_unpaid(db, later) == [order.number]
    assert await expire_unpaid(db, later) == []  # twice: nothing more happens
    assert (await Order.get(id=order.id)).status == OrderStatus.CANCELLED
    assert not await Reservation.filter(state=ReservationState.ACTIVE).exists()
    assert (await StockLevel.get(product__sku="TEA")).reserved == 0
    assert await OutboxEvent.filter(kind="order.cancelled").count() == 1  # the customer is told


async def test_the_release_policy_waits_for_the_payment_and_allocates_again(db: Settings):
    settings = db.model_copy(update={"unpaid_policy": "release"})
    order = await _unpaid_order(settings)
    await expire_unpaid(settings, datetime.now(UTC) + timedelta(hours=25))
    assert (await Order.get(id=order.id)).status == OrderStatus.AWAITING_PAYMENT
    assert (await StockLevel.get(product__sku="TEA")).reserved == 0
    await record_payment(order.number, "api:shop", settings)
    await record_payment(order.number, "api:shop", settings)  # the payment callback came twice
    assert (await Order.get(id=order.id)).status == OrderStatus.ALLOCATED
    assert (await StockLevel.get(product__sku="TEA")).reserved == 2


async def test_late_orders_are_listed_to_managers_once_a_day(db: Settings):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 5)
    yesterday = (datetime.now(db.tz) - timedelta(days=1)).date().isoformat()
    late = await place_order(an_order({"TEA": 1}), "shop", "api:shop", db)
    await Order.filter(id=late.order.id).update(requested_date=yesterday)  # asked for a day that has gone by
    await place_order(an_order({"TEA": 1}), "shop", "api:shop", db)  # fresh: not late
    now = datetime.now(UTC)
    assert await alert_late_orders(db, now) == [late.order.number]
    assert await alert_late_orders(db, now) == [late.order.number]
    alerts = await OutboxEvent.filter(kind="shipment.late")
    assert len(alerts) == 1 and late.order.number in render(alerts[0].payload["orders"], "zh")
    assert render(alerts[0].payload["why"], "zh").startswith("已过要求日期")


async def _first_order_at(db: Settings, moment: datetime) -> None:
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 5)
    placed = await place_order(an_order({"TEA": 1}), "shop", "api:shop", db)
    await Order.filter(id=placed.order.id).update(created_at=moment)


async def test_a_fresh_install_reports_only_the_days_since_its_first_order(db: Settings):
    monday_10 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    assert await send_daily_reports(db, monday_10) == []  # nothing happened yet: nothing to report
    await _first_order_at(db, datetime(2026, 11, 21, 1, 0, tzinfo=UTC))  # Saturday 09:00 in Shanghai
    assert await send_daily_reports(db, monday_10) == ["2026-11-21", "2026-11-22"]
    assert await OutboxEvent.filter(kind="report.daily").count() == 2


async def test_the_daily_report_catches_up_after_downtime_and_is_sent_once(db: Settings):
    monday_10 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    await _first_order_at(db, datetime(2026, 11, 1, 2, 0, tzinfo=UTC))
    assert len(await send_daily_reports(db, monday_10)) == 7  # in use for weeks: the last week, yesterday too
    assert await send_daily_reports(db, monday_10) == []
    # down from Monday until Thursday 07:00 local (before the report hour): Mon and Tue are due
    thursday_7 = datetime(2026, 11, 25, 23, 0, tzinfo=UTC)
    assert await send_daily_reports(db, thursday_7) == ["2026-11-23", "2026-11-24"]
    thursday_9 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
    assert await send_daily_reports(db, thursday_9) == ["2026-11-25"]
    days = await OutboxEvent.filter(kind="report.daily").values_list("payload", flat=True)
    assert len(days) == len({d["day"] for d in days})  # one report per day


async def test_ledger_drift_is_an_alert(db: Settings):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 5)
    assert await reconcile_ledger(db, NOW) == 0
    await StockLevel.filter(product=tea).update(on_hand=7)  # someone edited the table by hand
    assert await reconcile_ledger(db, NOW) == 1
    assert await reconcile_ledger(db, NOW) == 1
    assert await OutboxEvent.filter(kind="ledger.drift").count() == 1
    first = (await OutboxEvent.get(kind="ledger.drift")).payload["first"]  # said in each manager's language
    assert "moves sum to 5" in render(first, "en") and "移动记录合计 5" in render(first, "zh")


async def test_of_two_schedulers_one_runs_the_jobs_and_the_other_takes_over_when_it_dies(db: Settings):
    clock = {"now": NOW}
    first = Scheduler(db, _lease("first"), clock=lambda: clock["now"])
    second = Scheduler(db, _lease("second"), clock=lambda: clock["now"])
    assert await first.run("late_orders") is True
    assert await second.run("late_orders") is False
    clock["now"] += timedelta(seconds=30)
    assert await first.run("reconcile") is True  # renewed
    clock["now"] += timedelta(seconds=45)
    assert await second.run("reconcile") is False  # still within the renewed lease
    clock["now"] += timedelta(seconds=30)  # first has died: its lease ran out
    assert await second.run("reconcile") is True
    assert await first.run("reconcile") is False
    await second.stop()  # a clean stop hands over at once
    assert await first.run("reconcile") is True


async def test_every_job_is_scheduled_once_and_missed_runs_coalesce(db: Settings):
    scheduler = Scheduler(db, _lease("x"))
    scheduler.start()
    try:
        jobs = {job.id: job for job in scheduler.aps.get_jobs()}
        assert set(jobs) == {*JOBS, "lease"}
        assert all(job.coalesce and job.misfire_grace_time >= 3600 and job.max_instances == 1
                   for job in jobs.values())
    finally:
        await scheduler.stop()


async def test_one_holder_asking_for_a_new_lease_many_times_at_once_holds_it_every_time(db: Settings):
    assert await asyncio.gather(*(hold_lease("race", "me", NOW, 60) for _ in range(6))) == [True] * 6
    assert await hold_lease("race", "someone-else", NOW, 60) is False


async def test_on_the_first_start_every_due_job_runs(db: Settings, monkeypatch):
    ran: list[str] = []

    def job(name: str) -> Callable[[Settings, datetime], Awaitable[None]]:
        async def run(settings: Settings, now: datetime) -> None:
            ran.append(name)
        return run

    monkeypatch.setattr(runner, "JOBS", {name: (job(name), when) for name, (_, when) in JOBS.items()})
    assert not await Lease.exists()  # a fresh database: nobody held the lease yet
    scheduler = Scheduler(db, _lease("first"))
    scheduler.start()
    try:
        due = {name for name, (_, when) in JOBS.items() if "cron" not in when}
        for _ in range(100):
            if set(ran) >= due:
                break
            await asyncio.sleep(0.05)
        assert sorted(ran) == sorted(due)
        assert scheduler.aps.get_job("reconcile").next_run_time is not None  # the nightly one waits for 03:30
    finally:
        await scheduler.stop()


async def test_a_stop_lets_the_running_job_finish_instead_of_cutting_it_off(db: Settings, monkeypatch):
    finished: list[str] = []
    started = asyncio.Event()

    async def slow_job(settings: Settings, now: datetime) -> None:
        started.set()
        await asyncio.sleep(0.3)
        finished.append("slow")

    monkeypatch.setitem(JOBS, "slow", (slow_job, {"minutes": 60}))
    scheduler = Scheduler(db, _lease("stopping"))
    assert await scheduler.lease.hold(datetime.now(UTC))  # held before the first turns race for it
    scheduler.start()
    await asyncio.wait_for(started.wait(), 10)
    await scheduler.stop()
    assert finished == ["slow"] and not scheduler.aps.running


async def test_the_log_says_what_the_jobs_did_and_leaves_out_apschedulers_chatter(db: Settings, monkeypatch, caplog):
    async def idle(settings: Settings, now: datetime) -> int:
        return 0

    async def busy(settings: Settings, now: datetime) -> int:
        return 3

    async def broken(settings: Settings, now: datetime) -> None:
        raise RuntimeError("carrier down")

    monkeypatch.setattr(runner, "JOBS", {"idle": (idle, {"seconds": 5}), "busy": (busy, {"seconds": 5}),
                                         "broken": (broken, {"seconds": 5})})
    caplog.set_level(logging.INFO)  # as run.py's processes log
    configure_logging()
    scheduler = Scheduler(db, _lease("logging"))
    scheduler.start()
    try:
        for _ in range(100):
            if any("broken" in r.getMessage() for r in caplog.records) and any(
                    "busy" in r.getMessage() for r in caplog.records):
                break
            await asyncio.sleep(0.05)
    finally:
        await scheduler.stop()
    shown = caplog.records
    assert not [r.getMessage() for r in shown if r.name.startswith("apscheduler") and r.levelno < logging.WARNING]
    ours = [(r.levelname, r.getMessage()) for r in shown if r.name == "scheduler.runner"]
    assert ("INFO", "job busy done: 3") in ours
    assert any(level == "ERROR" and "broken" in message for level, message in ours)
    assert not any("idle" in message for _, message in ours)
