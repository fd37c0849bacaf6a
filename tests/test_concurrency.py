"""Concurrent intake over real HTTP: the last units go to exactly as many orders as there are units."""

import asyncio

from core.auth import add_api_key
from core.orders import Order, OrderLine, OrderStatus
from core.parties import Customer
from core.stock import Reservation, ReservationState, StockLevel
from tests.factories import a_product, a_warehouse, an_order, run_check, stock


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
