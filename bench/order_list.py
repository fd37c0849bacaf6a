"""The staff's order list and search at a million orders: how long a page takes under each filter, the first
page and one deep in the list, and the search by number, phone and name.

The orders are written by SQL in bulk (a series of numbers turned into rows: 100,000 customers, three
warehouses, three channels, a status mix like a working shop's, a year of days), then each question is asked
through the core services the API calls, five times; the median is printed, one line per question.

    python -m bench.order_list [--orders 1000000] [--database-url postgres://…]   (default: a temporary SQLite file)
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

from tortoise import connections

from bench import parse
from core.base.auth import Role, Staff
from core.base.db import close_db, open_db
from core.base.settings import Settings
from core.finding import find_anything
from core.order_list import OrderFilter, order_page
from core.stock.warehouses import active_warehouses, create_warehouse

# (status, share in a thousand): most orders are long done, a few wait
STATUSES = [("delivered", 900), ("shipped", 60), ("allocated", 20), ("cancelled", 15), ("on_hold", 1), ("packed", 4)]


def _status_case(n: str) -> str:
    cases, upto = [], 0
    for status, share in STATUSES:
        upto += share
        cases.append(f"WHEN {n} % 1000 < {upto} THEN '{status}'")
    return "CASE " + " ".join(cases) + " END"


def _fill_sql(orders: int, pg: bool) -> list[str]:
    """Customers, then orders, each a function of its number n: warehouse n % 3, channel n % 3, a customer
    n % 100,000, created one year back to now in order of n."""
    customers = min(100_000, orders)
    series = ("SELECT generate_series(1, {n}) AS n" if pg else
              "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {n}) SELECT n FROM s")
    text = "lpad(CAST(n AS TEXT), 8, '0')" if pg else "substr('00000000' || n, -8, 8)"
    phone = f"'+86138' || {text}"
    moment = ("now() - interval '1 second' * ((CAST({orders} - n AS BIGINT) * 31536000) / {orders})" if pg else
              "datetime('now', '-' || (({orders} - n) * 31536000 / {orders}) || ' seconds')").format(orders=orders)
    true = "true" if pg else "1"
    return [
        f'INSERT INTO "customer" ("id", "name", "phone", "email", "language", "province", "city", "district", "line1", '
        f'"postcode", "credit_limit", "cod_allowed", "partial_shipment", "blocked", "created_at", "timezone", '
        f'"adcode") '
        f"SELECT n, 'Customer ' || n, {phone}, '', 'zh', '上海', '上海', '', '', '', 0, {true}, {true}, "
        f"{'false' if pg else '0'}, {moment}, '', '310000' FROM ({series.format(n=customers)}) AS s",
        f'INSERT INTO "sales_order" ("id", "number", "channel", "customer_id", "status", "recipient", "phone", '
        f'"province", "city", "district", "line1", "postcode", "service_level", "payment_method", "payment_state", '
        f'"total", "currency", "warehouse_id", "partial_shipment", "note", "review", "created_by", "created_at", '
        f'"updated_at", "country", "adcode", "address_doubts") '
        f"SELECT n, 'SO-B-' || {text}, CASE n % 3 WHEN 0 THEN 'shop' WHEN 1 THEN 'taobao' ELSE 'phone' END, "
        f"1 + n % {customers}, {_status_case('n')}, 'Recipient ' || n, {phone}, '上海', '上海', '', 'x', '', "
        f"'standard', 'prepaid', 'paid', 100, 'CNY', 1 + n % 3, {'false' if pg else '0'}, '', '[]', 'bench', "
        f"{moment}, {moment}, 'CN', '310000', '[]' FROM ({series.format(n=orders)}) AS s",
    ] + (["SELECT setval(pg_get_serial_sequence('sales_order', 'id'), max(id)) FROM sales_order",
          "SELECT setval(pg_get_serial_sequence('customer', 'id'), max(id)) FROM customer", "ANALYZE"]
         if pg else ["ANALYZE"])


async def _median(ask: Callable[[], Awaitable[Any]], times: int = 5) -> float:
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        await ask()
        spent.append(time.perf_counter() - start)
    return statistics.median(spent) * 1000


async def run(url: str, orders: int) -> None:
    settings = Settings(database_url=url, _env_file=None)  # type: ignore[call-arg]
    pg = url.startswith("postgres")
    await open_db(settings)
    try:
        conn = connections.get("default")
        if not await active_warehouses():
            for code in ("SH", "GZ", "BJ"):
                await create_warehouse(code, code)
        start = time.perf_counter()
        _, rows = await conn.execute_query('SELECT count(*) AS n FROM "sales_order"')
        if rows[0]["n"] < orders:  # a database filled by an earlier run is asked again as it is
            for statement in _fill_sql(orders, pg):
                await conn.execute_script(statement)
        filled = time.perf_counter() - start
        manager = Staff(username="bench", role=Role.MANAGER, active=True)
        deep = str(orders // 100)  # a page 99% of the way down the list
        last_week = OrderFilter(since=date.today() - timedelta(days=7))
        questions: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
            ("first page, no filter", lambda: order_page(OrderFilter(), settings.tz)),
            ("page 99% down, no filter", lambda: order_page(OrderFilter(), settings.tz, int(deep))),
            ("held (0.1% of orders)", lambda: order_page(OrderFilter(held=True), settings.tz)),
            ("held, page 99% down", lambda: order_page(OrderFilter(held=True), settings.tz, int(deep))),
            ("warehouse GZ", lambda: order_page(OrderFilter(warehouse="GZ"), settings.tz)),
            ("channel taobao, page 99% down", lambda: order_page(OrderFilter(channel="taobao"), settings.tz,
                                                                 int(deep))),
            ("placed in the last 7 days", lambda: order_page(last_week, settings.tz)),
            ("stuck without a carrier", lambda: order_page(OrderFilter(stuck=True), settings.tz)),
            ("search: an order number", lambda: find_anything(f"SO-B-{orders // 2:08d}", manager)),
            ("search: a phone, written with spaces", lambda: find_anything("138 0004 2424", manager)),
            ("search: a name (many match)", lambda: find_anything("Recipient 99", manager)),
            ("search: a name (none match)", lambda: find_anything("王小明", manager)),
        ]
        said = [f"{name} {await _median(ask):.1f} ms" for name, ask in questions]
        print(f"order_list: {orders:,} orders ({'PostgreSQL' if pg else 'SQLite'}, filled in {filled:.0f} s), "
              f"median of each: " + "; ".join(said))
    finally:
        await close_db()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="")
    args = parse(parser, orders=2_000)
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(args.database_url or f"sqlite://{folder}/bench.sqlite3", args.orders))


if __name__ == "__main__":
    main()
