"""Pick scans per second through the core and over HTTP, and latency at a steady 200 scans/s.

Eight pickers each work their own pick list (one task of many units, so every scan is a real pick step:
guarded count update, scan record, progress answer). The baseline, measured in the same run with the same
client, is a bare aiohttp handler that parses the JSON body and answers JSON. Each server runs in a process
of its own, as in production. Latency is measured from the
moment a scan was due, so a queue building up counts against us. Prints one line.

    python -m bench.scans [--core 1000] [--http 2000] [--rate 200] [--seconds 10] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
from aiohttp import web
from aiohttp.test_utils import unused_port
from tortoise.transactions import in_transaction

from bench import parse
from core.base.auth import Role, Staff, add_staff, login
from core.base.db import close_db, open_db
from core.base.settings import Settings
from core.floor.picking import create_pick_list
from core.floor.scanning import ScanIn
from core.orders.intake import place_order
from core.orders.order import OrderIn
from core.scans import apply_scan
from core.stock.catalog import Product
from core.stock.ledger import MoveReason, move_stock
from core.stock.warehouses import Location, LocationKind, create_warehouse, virtual_location
from pwa.app import create_app

PICKERS = 8
UNITS = 100_000
PASSWORD = "bench-password"


async def seed(settings: Settings) -> list[str]:
    """Eight allocated orders of one product, one pick list each, every bin already confirmed."""
    warehouse = await create_warehouse("SH", "Shanghai", province="上海", city="上海", lat=31.15, lon=121.12)
    product = await Product.create(sku="SCAN-1", name="Scanned goods", price=1, weight_g=100)
    supplier = await virtual_location(warehouse.id, LocationKind.SUPPLIER)
    lists = []
    for i in range(PICKERS):
        place = await Location.create(warehouse=warehouse, code=f"A-01-{i:02d}", aisle=1, x=i * 1.2, y=3)
        async with in_transaction():  # a move runs in its caller's transaction
            await move_stock(product, supplier, place, UNITS, MoveReason.RECEIPT, document="bench")
        phone = f"+86 137{i:08d}"
        body = OrderIn.model_validate({
            "customer": {"name": f"Bench {i}", "phone": phone}, "payment_state": "paid",
            "address": {"recipient": "Bench", "phone": phone, "province": "上海", "city": "上海",
                        "district": "浦东新区", "line1": "1 Bench Rd", "postcode": "200000"},
            "lines": [{"sku": "SCAN-1", "qty": UNITS}]})
        placed = await place_order(body, "bench", "bench", settings)
        pick_list = await create_pick_list([placed.order.number], "bench", settings)
        lists.append(pick_list.number)
    for i in range(PICKERS):
        await add_staff(f"picker{i}", Role.PICKER, PASSWORD)
    return lists


def scan_body(n: int, pick_list: str, code: str = "FH:SKU:SCAN-1") -> dict:
    return {"client_scan_id": f"bench-{n:09d}", "mode": "pick", "code": code, "pick_list": pick_list}


async def core_rate(settings: Settings, lists: list[str], staff: list[Staff], count: int) -> float:
    started = time.perf_counter()
    for n in range(count):
        i = n % PICKERS
        await apply_scan(ScanIn.model_validate(scan_body(n, lists[i])), staff[i], settings)
    return count / (time.perf_counter() - started)


async def closed_loop(base: str, bodies: Callable[[int], tuple[dict, dict]], count: int) -> float:
    """Scans/s with each picker sending its next scan as soon as the last was answered."""
    sent = iter(range(count))

    async def picker(session: aiohttp.ClientSession) -> None:
        for n in sent:
            body, headers = bodies(n)
            async with session.post("/api/scans", json=body, headers=headers) as resp:
                assert resp.status == 200, await resp.text()

    async with aiohttp.ClientSession(base_url=base) as session:
        started = time.perf_counter()
        await asyncio.gather(*(picker(session) for _ in range(PICKERS)))
        return count / (time.perf_counter() - started)


async def open_loop(base: str, bodies: Callable[[int], tuple[dict, dict]], rate: int, seconds: float
                    ) -> list[float]:
    """Latencies (ms) when scans arrive at a steady rate, counted from when each was due."""
    latencies: list[float] = []
    async with aiohttp.ClientSession(base_url=base) as session:
        start = time.perf_counter() + 0.05

        async def one(n: int) -> None:
            due = start + n / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            body, headers = bodies(n)
            async with session.post("/api/scans", json=body, headers=headers) as resp:
                assert resp.status == 200, await resp.text()
                await resp.read()
            latencies.append((time.perf_counter() - due) * 1000)

        await asyncio.gather(*(one(n) for n in range(int(rate * seconds))))
    return latencies




def _serve_forever(settings: Settings | None, port: int) -> None:
    """The server side runs in its own process, as in production, so the client does not share its loop."""
    if settings is None:
        app = web.Application()
        app.router.add_post("/api/scans", bare_handler)
        app.router.add_get("/healthz", lambda _: web.json_response({"status": "ok"}))
    else:
        app = create_app(settings)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


@contextlib.asynccontextmanager
async def server(settings: Settings | None) -> AsyncIterator[str]:
    port = unused_port()
    process = multiprocessing.get_context("spawn").Process(target=_serve_forever, args=(settings, port), daemon=True)
    process.start()
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(200):
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"{base}/healthz") as resp:
                        if resp.status == 200:
                            break
                await asyncio.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.join(5)


async def bare_handler(request: web.Request) -> web.Response:
    body = await request.json()
    return web.json_response({"ok": True, "code": body["code"], "pick_list": body["pick_list"]})


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite://{Path(tmp) / 'scan.sqlite3'}?synchronous=NORMAL",
                            hold_order_value=10**9, max_line_qty=UNITS, _env_file=None)  # type: ignore[call-arg]
        await open_db(settings)
        try:
            lists = await seed(settings)
            grants = [await login(f"picker{i}", PASSWORD, 1) for i in range(PICKERS)]
            for i, number in enumerate(lists):  # stand at the bin
                code = f"FH:LOC:A-01-{i:02d}"
                await apply_scan(ScanIn.model_validate(scan_body(10**8 + i, number, code)), grants[i].staff, settings)
            core = await core_rate(settings, lists, [g.staff for g in grants], args.core)
        finally:
            await close_db()
        headers = [{"Authorization": f"Bearer {g.token}"} for g in grants]
        offset = args.core

        def real(n: int) -> tuple[dict, dict]:
            return scan_body(offset + n, lists[n % PICKERS]), headers[n % PICKERS]

        async with server(settings) as base:
            http = await closed_loop(base, real, args.http)
            offset += args.http
            ours = await open_loop(base, real, args.rate, args.seconds)
        async with server(None) as bare_base:
            bare = await closed_loop(bare_base, real, args.http)
            theirs = await open_loop(bare_base, real, args.rate, args.seconds)
    print(f"scans: core {core:.0f}/s; HTTP {http:.0f}/s vs bare aiohttp {bare:.0f}/s ({http / bare:.2f}×); "
          f"at {args.rate}/s over HTTP p50 {p(ours, 50):.1f} ms, p99 {p(ours, 99):.1f} ms "
          f"(bare p50 {p(theirs, 50):.1f}, p99 {p(theirs, 99):.1f}; target p99 < 25 ms)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--core", type=int, default=1000, help="scans through the core")
    parser.add_argument("--http", type=int, default=2000, help="scans over HTTP, as fast as they are answered")
    parser.add_argument("--rate", type=int, default=200, help="scans/s for the latency run")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the latency run")
    asyncio.run(main(parse(parser, core=20, http=40, rate=50, seconds=0.5)))
