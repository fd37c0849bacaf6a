"""Sales by product and by customer over the last 14 or 30 days: units, revenue and orders, from real orders on
a real database; what is not a sale (cancelled, held) stays out, and a split order counts once."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from core.base.errors import InvalidInput
from core.base.settings import Settings
from core.orders.intake import place_order
from core.orders.order import Order, OrderStatus
from core.reports import SalesRow, sales_by_customer, sales_by_product, sales_by_region, tally_sales
from core.shipping.cancellation import cancel_order
from tests.factories import a_product, a_supplier, a_warehouse, an_order, stock

ANNA, BO, CHEN = "+8613800000001", "+8613800000002", "+8613800000003"


async def _place(db: Settings, lines: dict[str, int], phone: str, name: str, **extra) -> Order:
    body = an_order(lines, phone=phone, **extra)
    body = body.model_copy(update={"customer": body.customer.model_copy(update={"name": name})})
    return (await place_order(body, "shop", "api:shop", db)).order


async def _days_ago(order: Order, days: int) -> None:
    await Order.filter(id=order.id).update(created_at=datetime.now(UTC) - timedelta(days=days))


async def _a_month_of_orders(db: Settings) -> None:
    wh = await a_warehouse()
    tea = await a_product("TEA", price="10.00", supplier=await a_supplier())
    cup = await a_product("CUP", price="25.00")
    await stock(tea, wh, 13)
    await stock(cup, wh, 5)
    await _place(db, {"TEA": 2, "CUP": 1}, ANNA, "Anna")  # 45.00
    await _days_ago(await _place(db, {"TEA": 1}, ANNA, "Anna"), 20)  # 10.00, only in the 30 days
    await _place(db, {"CUP": 4}, BO, "Bo")  # 100.00
    cancelled = await _place(db, {"TEA": 5}, BO, "Bo")
    await cancel_order(cancelled.number, "manager-1", "changed their mind")
    held = await _place(db, {"TEA": 600}, BO, "Bo")
    assert held.status == OrderStatus.ON_HOLD  # may still be rejected: no sale yet
    split = await _place(db, {"TEA": 15}, CHEN, "Chen", partial_shipment=True)  # 10 here, 5 follow as -2
    assert await Order.filter(number=f"{split.number}-2").exists()


async def test_sales_by_product_count_units_revenue_and_orders_of_the_last_14_days(db: Settings):
    await _a_month_of_orders(db)
    sales = await sales_by_product(db.tz, 14)
    assert sales.rows == [SalesRow("TEA", "Product TEA", 17, Decimal("170.00"), 2),
                          SalesRow("CUP", "Product CUP", 5, Decimal("125.00"), 2)]
    assert (sales.entries, sales.qty, sales.revenue, sales.orders) == (2, 22, Decimal("295.00"), 3)
    assert (sales.last - sales.first).days == 13 and sales.last == datetime.now(db.tz).date()


async def test_over_30_days_the_older_orders_count_too(db: Settings):
    await _a_month_of_orders(db)
    tea = (await sales_by_product(db.tz, 30)).rows[0]
    assert (tea.ref, tea.qty, tea.revenue, tea.orders) == ("TEA", 18, Decimal("180.00"), 3)


async def test_sales_by_customer_rank_who_bought_most(db: Settings):
    await _a_month_of_orders(db)
    fortnight = await sales_by_customer(db.tz, 14)
    assert fortnight.rows == [SalesRow(CHEN, "Chen", 15, Decimal("150.00"), 1),
                              SalesRow(BO, "Bo", 4, Decimal("100.00"), 1),
                              SalesRow(ANNA, "Anna", 3, Decimal("45.00"), 1)]
    month = await sales_by_customer(db.tz, 30)
    assert month.rows[2] == SalesRow(ANNA, "Anna", 4, Decimal("55.00"), 2)
    assert month.revenue == Decimal("305.00")


async def test_sales_by_region_count_a_province_once_however_its_addresses_named_it(db: Settings):
    await _a_month_of_orders(db)
    await _place(db, {"CUP": 1}, "+8613800000004", "Dai", address={"province": "Shanghai", "city": "上海市"})
    await _place(db, {"TEA": 1}, "+8613800000005", "Er", address={"province": "广东", "city": "广州",
                                                                   "district": "天河区", "postcode": "510000"})
    sales = await sales_by_region(db.tz, 14)
    assert sales.rows == [SalesRow("310000", "上海市", 23, Decimal("320.00"), 4),
                          SalesRow("440000", "广东省", 1, Decimal("10.00"), 1)]


async def test_the_best_few_are_listed_and_the_totals_still_cover_everyone(db: Settings):
    await _a_month_of_orders(db)
    top = await sales_by_customer(db.tz, 14, limit=1)
    assert [row.name for row in top.rows] == ["Chen"]
    assert (top.entries, top.qty, top.revenue) == (3, 22, Decimal("295.00"))


async def test_the_window_starts_at_local_midnight_of_its_first_day(db: Settings):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 5)
    order = await _place(db, {"TEA": 1}, ANNA, "Anna")
    first_day = datetime.now(db.tz).date() - timedelta(days=13)
    midnight = datetime.combine(first_day, time.min, db.tz).astimezone(UTC)  # stored in UTC, as fahuo writes it
    await Order.filter(id=order.id).update(created_at=midnight)
    assert (await sales_by_product(db.tz, 14)).qty == 1
    await Order.filter(id=order.id).update(created_at=midnight - timedelta(seconds=1))
    assert (await sales_by_product(db.tz, 14)).qty == 0
    assert (await sales_by_product(db.tz, 14)).rows == []


async def test_a_window_outside_one_day_to_a_year_is_refused(db: Settings):
    for days in (0, 367):
        with pytest.raises(InvalidInput):
            await sales_by_product(db.tz, days)


def test_a_split_order_counts_once_and_ties_in_revenue_go_to_more_units():
    lines = [("SO-20261123-00001", "TEA", 2, Decimal("10")), ("SO-20261123-00001-2", "TEA", 3, Decimal("10")),
             ("SO-20261123-00002", "CUP", 1, Decimal("50")), ("SO-20261123-00003", "JAR", 5, Decimal("10"))]
    tallies = tally_sales(lines)
    assert list(tallies) == ["JAR", "TEA", "CUP"]  # 50.00 each: 5, 5 and 1 units; equal units go by name
    assert (tallies["TEA"].qty, tallies["TEA"].revenue, tallies["TEA"].orders) == (5, Decimal("50"), 1)
