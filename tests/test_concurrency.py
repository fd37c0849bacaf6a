"""Concurrent intake over real HTTP: the last units go to exactly as many orders as there are units."""

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from aiohttp.test_utils import unused_port

from core.base.auth import add_api_key
from core.orders.customers import Customer
from core.orders.order import Order, OrderIn, OrderLine, OrderStatus
from core.stock.ledger import Reservation, ReservationState, StockLevel, check_ledger
from core.stock.transfers import TransferOrder
from tests.cli import ROOT
from tests.factories import a_product, a_warehouse, an_order, run_check, stock


@pytest.mark.slow
async def test_two_hundred_concurrent_orders_for_fifty_units_reserve_exactly_fifty(http, db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 50)
    key = {"X-API-Key": await add_api_key("shop")}
    bodies = [an_order({"TEA": 1}, external_ref=f"c-{i}").model_dump(mode="json") for i in range(200)]

    async def post(body: dict) -> int:
        async with http.post("/api/orders", json=body, headers=key) as resp:
            return resp.status

    statuses = await asyncio.gather(*(post(b) for b in bodies))
    assert statuses == [201] * 200
    assert await Order.filter(status=OrderStatus.ALLOCATED).count() == 50
    assert await Order.filter(status=OrderStatus.BACKORDERED).count() == 150
    assert await Reservation.filter(state=ReservationState.ACTIVE).count() == 50
    assert sum(await OrderLine.all().values_list("qty_reserved", flat=True)) == 50
    level = await StockLevel.get(product=tea)
    assert (level.on_hand, level.reserved) == (50, 50)
    numbers = await Order.all().values_list("number", flat=True)
    assert len(set(numbers)) == 200
    check = run_check(db.database_url)
    assert check.returncode == 0, check.stdout + check.stderr


async def test_the_same_order_sent_ten_times_at_once_is_one_order(http, db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 50)
    key = {"X-API-Key": await add_api_key("shop")}
    body = an_order({"TEA": 2}, external_ref="dup-1").model_dump(mode="json")

    async def post() -> tuple[int, str]:
        async with http.post("/api/orders", json=body, headers=key) as resp:
            return resp.status, (await resp.json())["number"]

    results = await asyncio.gather(*(post() for _ in range(10)))
    assert sorted(s for s, _ in results).count(201) == 1
    assert len({n for _, n in results}) == 1
    assert await Order.all().count() == 1
    assert (await StockLevel.get(product=tea)).reserved == 2


async def test_a_new_customers_first_orders_at_once_make_one_customer(http, db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 50)
    key = {"X-API-Key": await add_api_key("shop")}
    bodies = [an_order({"TEA": 1}, phone="+86 13700000001", external_ref=f"first-{i}").model_dump(mode="json")
              for i in range(10)]

    async def post(body: dict) -> int:
        async with http.post("/api/orders", json=body, headers=key) as resp:
            return resp.status

    assert await asyncio.gather(*(post(b) for b in bodies)) == [201] * 10
    assert await Customer.filter(phone="+8613700000001").count() == 1
    assert await Order.filter(customer__phone="+8613700000001").count() == 10



GUANGZHOU = {"province": "广东", "city": "广州", "district": "天河区", "postcode": "510000",
             "lat": 23.12, "lon": 113.33}


async def _two_warehouses_each_holding_half(units: int) -> list[str]:
    """Shanghai holds P0 and P1, Guangzhou P2 and P3; returns the SKUs."""
    sh, gz = await a_warehouse("SH"), await a_warehouse("GZ")
    products = [await a_product(f"P{i}") for i in range(4)]
    for product in products:
        await stock(product, sh if product.sku in ("P0", "P1") else gz, units)
    return [p.sku for p in products]


def _orders_pulling_both_ways(skus: list[str], count: int) -> list[dict]:
    """Orders from Shanghai and from Guangzhou in turn, one of each SKU: each reserves at home first and then
    by transfer from the other warehouse, so the two kinds take the same stock rows in opposite orders; their
    lines also come in opposite orders."""
    return [
        an_order(dict.fromkeys(skus, 1), external_ref=f"sh-{i}") if i % 2 else
        an_order(dict.fromkeys(reversed(skus), 1), external_ref=f"gz-{i}", address=GUANGZHOU)
        for i in range(count)
    ]


async def _post_all(base: str | aiohttp.ClientSession, bodies: list[OrderIn], key: str) -> list[int]:
    async def post(session: aiohttp.ClientSession, body: OrderIn) -> int:
        async with session.post("/api/orders", json=body.model_dump(mode="json"), headers={"X-API-Key": key}) as resp:
            return resp.status

    if isinstance(base, aiohttp.ClientSession):
        return await asyncio.gather(*(post(base, b) for b in bodies))
    async with aiohttp.ClientSession(base_url=base) as session:
        return await asyncio.gather(*(post(session, b) for b in bodies))


async def _each_order_waits_for_one_transfer(count: int) -> None:
    assert await Order.filter(status=OrderStatus.BACKORDERED).count() == count
    assert len(set(await TransferOrder.all().values_list("number", flat=True))) == count
    assert sorted(await StockLevel.all().values_list("reserved", flat=True)) == [count] * 4
    assert await check_ledger() == []


@pytest.mark.slow  # 240 orders over HTTP, each pulling stock across warehouses
async def test_concurrent_orders_that_pull_stock_across_warehouses_both_ways_all_succeed(http, db):
    skus = await _two_warehouses_each_holding_half(1000)
    key = await add_api_key("shop")
    statuses = await _post_all(http, _orders_pulling_both_ways(skus, 240), key)
    assert [s for s in statuses if s != 201] == []
    await _each_order_waits_for_one_transfer(240)


@asynccontextmanager
async def _serving(database_url: str, processes: int) -> AsyncIterator[list[str]]:
    """`run.py serve` in `processes` processes on one database, scheduler on, as an operator starts them;
    yields their base URLs once all answer."""
    ports = [unused_port() for _ in range(processes)]
    started = [
        await asyncio.create_subprocess_exec(
            sys.executable, "run.py", "serve", cwd=ROOT, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, env={**os.environ, "FAHUO_DATABASE_URL": database_url,
                                                   "FAHUO_HTTP_PORT": str(port), "FAHUO_SCHEDULER_ENABLED": "true"})
        for port in ports
    ]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        async with aiohttp.ClientSession() as client:
            for base in bases:
                for _ in range(480):
                    with contextlib.suppress(aiohttp.ClientError):
                        async with client.get(f"{base}/healthz") as resp:
                            if resp.status == 200:
                                break
                    await asyncio.sleep(0.25)
        yield bases
    finally:
        for process in started:
            process.send_signal(signal.SIGINT)
        for process in started:
            output = (await asyncio.wait_for(process.communicate(), 60))[0].decode()
            assert process.returncode == 0 and "Traceback" not in output, output


@pytest.mark.slow
async def test_two_web_processes_and_the_scheduler_on_one_database_lose_no_order(db):
    skus = await _two_warehouses_each_holding_half(1000)
    key = await add_api_key("shop")
    bodies = _orders_pulling_both_ways(skus, 120)
    async with _serving(db.database_url, 2) as (first, second):
        statuses = await asyncio.gather(_post_all(first, bodies[::2], key), _post_all(second, bodies[1::2], key),
                                        _read_while_they_write(5))
    assert [s for s in statuses[0] + statuses[1] if s != 201] == []
    await _each_order_waits_for_one_transfer(120)


async def _read_while_they_write(seconds: float) -> list[int]:
    """A third process's reader (this one), asking about stock the whole time."""
    loop = asyncio.get_running_loop()
    until, seen = loop.time() + seconds, []
    while loop.time() < until:
        seen.append(sum(await StockLevel.all().values_list("reserved", flat=True)))
        await asyncio.sleep(0.05)
    return seen
