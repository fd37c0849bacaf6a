"""Orders/s through intake → review → reserve → allocate: the core, over HTTP, and a raw-SQL baseline.

Each path gets a fresh SQLite file (WAL, synchronous=NORMAL) with the same catalogue and stock, and the same
orders: 1-3 lines of 60 products, every order from a new customer. The baseline issues with aiosqlite the
reads and writes a hand-written intake must make for the same result (reference check, product and
customer lookup, number, order, lines, review result, status history, outbox events, guarded reservation).
Prints one line: the figures and the core's ratio to the baseline.

    python -m bench.orders [--orders 1000] [--http-clients 16] [--rounds 3] [--all-cores] [--quick]

The process keeps to one core unless told otherwise (see the note at the bottom).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import aiosqlite
from aiohttp import web
from tortoise.models import Model
from tortoise.transactions import in_transaction

from bench import parse
from core.base.auth import add_api_key
from core.base.db import close_db, open_db
from core.base.events import OutboxEvent
from core.base.settings import Settings
from core.orders.customers import Customer
from core.orders.intake import place_order
from core.orders.order import Order, OrderEvent, OrderIn, OrderLine, OrderStatus
from core.stock.catalog import Product
from core.stock.ledger import MoveReason, Reservation, move_stock
from core.stock.warehouses import Location, LocationKind, create_warehouse, virtual_location
from pwa.app import create_app

PRODUCTS = 60


def make_orders(count: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    orders = []
    for i in range(count):
        skus = rng.sample(range(PRODUCTS), rng.randint(1, 3))
        phone = f"+86 139{i:08d}"
        orders.append({
            "external_ref": f"bench-{i}",
            "customer": {"name": f"Customer {i}", "phone": phone},
            "address": {"recipient": f"Customer {i}", "phone": phone, "province": "上海", "city": "上海",
                        "district": "浦东新区", "line1": "世纪大道 100 号", "postcode": "200120", "lat": 31.2,
                        "lon": 121.5},
            "lines": [{"sku": f"B-{s:03d}", "qty": rng.randint(1, 3)} for s in skus],
            "payment_state": "paid",
        })
    return orders


async def seed(settings: Settings) -> None:
    await open_db(settings)
    warehouse = await create_warehouse("SH", "Shanghai", province="上海", city="上海", lat=31.15, lon=121.12)
    supplier = await virtual_location(warehouse.id, LocationKind.SUPPLIER)
    for i in range(PRODUCTS):
        product = await Product.create(sku=f"B-{i:03d}", name=f"Bench product {i}", price=10, weight_g=500)
        place = await Location.create(warehouse=warehouse, code=f"A-{i // 10:02d}-{i % 10:02d}", x=i // 10 * 3,
                                      y=i % 10 * 1.2)
        async with in_transaction():  # a move runs in its caller's transaction
            await move_stock(product, supplier, place, 1_000_000, MoveReason.RECEIPT, document="bench")
    await close_db()


async def timed(run: Callable[[], Awaitable[None]], count: int) -> float:
    started = time.perf_counter()
    await run()
    return count / (time.perf_counter() - started)


async def core_path(settings: Settings, orders: list[dict]) -> float:
    await open_db(settings, run_migrations=False)
    bodies = [OrderIn.model_validate(o) for o in orders]

    async def run() -> None:
        for body in bodies:
            await place_order(body, "bench", "api:bench", settings)

    try:
        return await timed(run, len(orders))
    finally:
        await allocated_all(orders)
        await close_db()


async def allocated_all(orders: list[dict]) -> None:
    """Every order went the whole way: a held one would make the path look faster than it is."""
    done = await Order.filter(status=OrderStatus.ALLOCATED).count()
    if done != len(orders):
        raise SystemExit(f"bench/orders: {len(orders) - done} of {len(orders)} orders were not allocated")


async def http_path(settings: Settings, orders: list[dict], clients: int) -> float:
    await open_db(settings, run_migrations=False)
    key = await add_api_key("bench")
    runner = web.AppRunner(create_app(settings, manage_db=False), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    queue = list(reversed(orders))

    async def client(session: aiohttp.ClientSession) -> None:
        while queue:
            async with session.post("/api/orders", json=queue.pop(), headers={"X-API-Key": key}) as resp:
                assert resp.status == 201, await resp.text()

    async def run() -> None:
        async with aiohttp.ClientSession(base_url=base) as session:
            await asyncio.gather(*(client(session) for _ in range(clients)))

    try:
        return await timed(run, len(orders))
    finally:
        await runner.cleanup()
        await allocated_all(orders)
        await close_db()


def insert_sql(model: type[Model], *columns: str) -> tuple[str, tuple[Any, ...]]:
    """`INSERT INTO <table> (columns…, every other column the row needs)`, and the values of those others: their
    defaults, read from the model once, so the baseline keeps up as the schema grows instead of naming a fixed
    list of columns. The baseline passes the columns it chose, then the returned values, per row."""
    meta = model._meta
    named = dict(meta.fields_db_projection)
    rest: dict[str, Any] = {}
    for name, column in named.items():
        field = meta.fields_map[name]
        if column in columns or field.pk or field.null:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value: Any = datetime.now(UTC)
        elif field.default is None:
            raise SystemExit(f"bench/orders: the baseline does not know what to write in {meta.db_table}.{column}")
        else:
            value = field.default() if callable(field.default) else field.default
        rest[column] = field.to_db_value(value, model)
    listed = ", ".join(f'"{c}"' for c in (*columns, *rest))
    return (f'INSERT INTO "{meta.db_table}" ({listed}) VALUES ({", ".join("?" * (len(columns) + len(rest)))})',
            tuple(rest.values()))


async def raw_path(path: Path, orders: list[dict]) -> float:
    """The same intake by hand: one aiosqlite connection, SQL written for this one case."""
    db = await aiosqlite.connect(path, isolation_level=None)  # explicit BEGIN/COMMIT below
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        await db.execute(f"PRAGMA {pragma}")
    wh_id = (await db.execute_fetchall("SELECT id FROM warehouse"))[0][0]
    customer_sql, customer_rest = insert_sql(
        Customer, "name", "phone", "province", "city", "district", "line1", "postcode", "lat", "lon", "created_at")
    order_sql, order_rest = insert_sql(
        Order, "number", "channel", "external_ref", "customer_id", "status", "recipient", "phone", "province", "city",
        "district", "line1", "postcode", "lat", "lon", "total", "review", "created_by", "created_at", "updated_at")
    line_sql, line_rest = insert_sql(OrderLine, "order_id", "product_id", "qty", "unit_price")
    event_sql, event_rest = insert_sql(OrderEvent, "order_id", "from_status", "to_status", "actor", "created_at")
    outbox_sql, outbox_rest = insert_sql(OutboxEvent, "kind", "payload", "created_at")
    reservation_sql, reservation_rest = insert_sql(
        Reservation, "level_id", "product_id", "order_line_id", "qty", "state", "created_at")

    async def one(o: dict, n: int) -> None:
        now = datetime.now(UTC).isoformat()
        await db.execute_fetchall("SELECT id FROM sales_order WHERE channel=? AND external_ref=?",
                                  ("raw", o["external_ref"]))
        skus = [ln["sku"] for ln in o["lines"]]
        found = await db.execute_fetchall(
            f"SELECT sku, id, price FROM product WHERE sku IN ({','.join('?' * len(skus))})", skus)
        products = {sku: (pid, price) for sku, pid, price in found}
        await db.execute("BEGIN")
        await db.execute("UPDATE number_sequence SET value = value + 1 WHERE name = 'RAW'")
        await db.execute_fetchall("SELECT value FROM number_sequence WHERE name = 'RAW'")
        await db.execute("COMMIT")
        await db.execute("BEGIN")
        a = o["address"]
        await db.execute_fetchall("SELECT id FROM customer WHERE phone=?", (o["customer"]["phone"],))
        cur = await db.execute(customer_sql, (o["customer"]["name"], a["phone"], a["province"], a["city"],
                                              a["district"], a["line1"], a["postcode"], a["lat"], a["lon"], now,
                                              *customer_rest))
        customer_id = cur.lastrowid
        total = sum(ln["qty"] * float(products[ln["sku"]][1]) for ln in o["lines"])
        cur = await db.execute(order_sql, (f"RAW-{n:06d}", "raw", o["external_ref"], customer_id, "submitted",
                                           a["recipient"], a["phone"], a["province"], a["city"], a["district"],
                                           a["line1"], a["postcode"], a["lat"], a["lon"], total, "[]", "api:bench",
                                           now, now, *order_rest))
        order_id = cur.lastrowid
        line_ids = []
        for ln in o["lines"]:
            product_id, price = products[ln["sku"]]
            cur = await db.execute(line_sql, (order_id, product_id, ln["qty"], price, *line_rest))
            line_ids.append(cur.lastrowid)
        ids = [products[s][0] for s in skus]
        marks = ",".join("?" * len(ids))
        await db.execute_fetchall(  # review: stock on hand, and a recent twin from this customer
            f"SELECT product_id, on_hand - reserved FROM stock_level WHERE product_id IN ({marks})", ids)
        await db.execute_fetchall("SELECT id FROM sales_order WHERE customer_id=? AND id<>? AND created_at>=?",
                                  (customer_id, order_id, now))
        await db.execute("UPDATE sales_order SET review=? WHERE id=?", (json.dumps([{"rule": "all"}]), order_id))
        for frm, to in (("draft", "submitted"), ("submitted", "approved")):
            await db.execute("UPDATE sales_order SET status=? WHERE id=? AND status=?", (to, order_id, frm))
            await db.execute(event_sql, (order_id, frm, to, "bench", now, *event_rest))
        await db.execute(outbox_sql, ("order.approved", json.dumps({"order": order_id}), now, *outbox_rest))
        levels = await db.execute_fetchall(
            f"SELECT id, product_id FROM stock_level WHERE product_id IN ({marks}) AND warehouse_id=? "
            "AND on_hand > reserved", (*ids, wh_id))
        level_of = {pid: lid for lid, pid in levels}
        for ln, line_id in zip(o["lines"], line_ids, strict=True):
            level_id = level_of[products[ln["sku"]][0]]
            cur = await db.execute("UPDATE stock_level SET reserved = reserved + ? WHERE id = ? "
                                   "AND on_hand - reserved >= ?", (ln["qty"], level_id, ln["qty"]))
            assert cur.rowcount == 1
            await db.execute(reservation_sql, (level_id, products[ln["sku"]][0], line_id, ln["qty"], "active", now,
                                               *reservation_rest))
            await db.execute("UPDATE sales_order_line SET qty_reserved=? WHERE id=?", (ln["qty"], line_id))
        await db.execute("UPDATE sales_order SET status='allocated', warehouse_id=? WHERE id=?", (wh_id, order_id))
        await db.execute(event_sql, (order_id, "approved", "allocated", "bench", now, *event_rest))
        await db.execute(outbox_sql, ("order.allocated", json.dumps({"order": order_id}), now, *outbox_rest))
        await db.execute("COMMIT")

    await db.execute("INSERT INTO number_sequence (name, value) VALUES ('RAW', 0)")

    async def run() -> None:
        for n, o in enumerate(orders):
            await one(o, n)

    try:
        return await timed(run, len(orders))
    finally:
        await db.close()


async def main(count: int, clients: int, rounds: int, where: str) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="fahuo-bench-"))
    template = workdir / "template.sqlite3"
    await seed(Settings(database_url=f"sqlite://{template}?synchronous=NORMAL", _env_file=None))  # type: ignore[call-arg]

    def fresh(name: str) -> Path:
        path = workdir / f"{name}.sqlite3"
        shutil.copyfile(template, path)
        return path

    def settings_for(path: Path) -> Settings:
        return Settings(database_url=f"sqlite://{path}?synchronous=NORMAL", _env_file=None)  # type: ignore[call-arg]

    orders = make_orders(count)
    raws, cores, https = [], [], []
    # The paths take turns, so a slow or fast spell of the machine lands on all of them; the ratio is taken
    # within each round and the median round is reported.
    for n in range(rounds):
        raws.append(await raw_path(fresh(f"raw{n}"), orders))
        cores.append(await core_path(settings_for(fresh(f"core{n}")), orders))
        https.append(await http_path(settings_for(fresh(f"http{n}")), orders, clients))
    shutil.rmtree(workdir, ignore_errors=True)
    core_ratio = statistics.median(c / r for c, r in zip(cores, raws, strict=True))
    http_ratio = statistics.median(h / r for h, r in zip(https, raws, strict=True))
    print(f"bench/orders: {count} orders, SQLite WAL, {where}: core {statistics.median(cores):.0f}/s, "
          f"HTTP ({clients} clients) {statistics.median(https):.0f}/s, raw SQL {statistics.median(raws):.0f}/s "
          f"(medians of {rounds} rounds) -> core at {core_ratio:.0%} of raw (target >= 40%), HTTP at {http_ratio:.0%}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--http-clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--all-cores", action="store_true",
                        help="let the threads spread over every core (the figures then vary more from run to run)")
    args = parse(parser, orders=20, rounds=1, http_clients=4)
    cores = f"{os.cpu_count()} cores"
    if not args.all_cores:
        # aiosqlite runs each statement on its own thread; on a virtual machine, waking that thread on another
        # core costs 2-3 times more in some runs than in others, which swamps what is measured here.
        # On one core every path pays the same, low price for each statement.
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        cores = "one core"
    asyncio.run(main(args.orders, args.http_clients, args.rounds, where=cores))
