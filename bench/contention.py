"""Orders that fight over the same stock rows, sent at once over HTTP: how many are answered with an error.

Two warehouses, Shanghai holding P0-P3 and Guangzhou P4-P7. Orders come from both cities in turn with one of
every product, in opposite line orders: each reserves at home and the rest by transfer from the other
warehouse, so two orders take the same rows in opposite orders (the case that deadlocked on PostgreSQL).
Prints one line: the error count (the target is 0), the time taken and whether the ledger is consistent.

    python -m bench.contention [--orders 1000] [--clients 64] [--database-url postgres://…/empty_db] [--quick]

Without --database-url it runs on a fresh SQLite file. A PostgreSQL database must be empty (it is migrated
here; nothing is ever deleted).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp
from aiohttp import web
from tortoise.transactions import in_transaction

from bench import parse
from core.base.auth import add_api_key
from core.base.db import close_db, open_db
from core.base.settings import Settings
from core.stock.catalog import Product
from core.stock.ledger import MoveReason, check_ledger, move_stock
from core.stock.warehouses import Location, LocationKind, Warehouse, create_warehouse, virtual_location
from pwa.app import create_app

CITIES = {
    "SH": {"province": "上海", "city": "上海", "district": "浦东新区", "postcode": "200120",
           "lat": 31.22, "lon": 121.54},
    "GZ": {"province": "广东", "city": "广州", "district": "天河区", "postcode": "510000",
           "lat": 23.12, "lon": 113.33},
}
SKUS = [f"P{i}" for i in range(8)]


async def seed(orders: int) -> str:
    """The two warehouses with enough of their own products for every order; returns an API key."""
    if await Warehouse.exists():
        raise SystemExit("the database is not empty: give an empty one")
    homes = {code: await create_warehouse(code, f"{code} warehouse", **place) for code, place in CITIES.items()}
    for i, sku in enumerate(SKUS):
        warehouse = homes["SH" if i < len(SKUS) // 2 else "GZ"]
        product = await Product.create(sku=sku, name=f"Product {sku}", price=10, weight_g=500)
        place = await Location.create(warehouse=warehouse, code=f"A-01-{i:02d}", zone="A", aisle=1, x=i, y=1)
        source = await virtual_location(warehouse.id, LocationKind.SUPPLIER)
        async with in_transaction():  # a move runs in its caller's transaction
            await move_stock(product, source, place, orders, MoveReason.RECEIPT, document="bench")
    return await add_api_key("bench")


def order_body(i: int) -> dict:
    city = "SH" if i % 2 else "GZ"
    phone = f"+86 139{i:08d}"
    return {
        "external_ref": f"contention-{i}",
        "customer": {"name": f"Customer {i}", "phone": phone},
        "address": {"recipient": f"Customer {i}", "phone": phone, "line1": "中山路 1 号", **CITIES[city]},
        "lines": [{"sku": sku, "qty": 1} for sku in (SKUS if city == "SH" else reversed(SKUS))],
        "payment_state": "paid",
    }


async def main(orders: int, clients: int, database_url: str | None) -> None:
    workdir = None
    if database_url is None:
        workdir = tempfile.TemporaryDirectory(prefix="fahuo-contention-")
        database_url = f"sqlite://{Path(workdir.name) / 'fahuo.sqlite3'}?synchronous=NORMAL"
    settings = Settings(database_url=database_url, scheduler_enabled=False, _env_file=None)  # type: ignore[call-arg]
    await open_db(settings)
    runner = web.AppRunner(create_app(settings, manage_db=False), access_log=None)
    try:
        key = await seed(orders)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        queue = [order_body(i) for i in reversed(range(orders))]
        answers: Counter[int] = Counter()

        async def client(session: aiohttp.ClientSession) -> None:
            while queue:
                async with session.post("/api/orders", json=queue.pop(), headers={"X-API-Key": key}) as resp:
                    answers[resp.status] += 1

        started = time.perf_counter()
        base = f"http://127.0.0.1:{runner.addresses[0][1]}"
        async with aiohttp.ClientSession(base_url=base) as session:
            await asyncio.gather(*(client(session) for _ in range(clients)))
        took = time.perf_counter() - started
        problems = await check_ledger()
    finally:
        await runner.cleanup()
        await close_db()
        if workdir is not None:
            workdir.cleanup()
    errors = sum(n for status, n in answers.items() if status != 201)
    where = "SQLite" if settings.is_sqlite else "PostgreSQL"
    print(f"bench/contention: {orders} orders ({len(SKUS)} lines, transfers both ways), {where}, {clients} clients: "
          f"{errors} errors {dict(answers)} in {took:.1f} s ({orders / took:.0f}/s); "
          f"ledger {'consistent' if not problems else f'{len(problems)} problems'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--database-url", default=None)
    args = parse(parser, orders=20, clients=4)
    asyncio.run(main(args.orders, args.clients, args.database_url))
