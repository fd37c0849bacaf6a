"""Small builders for test data, in the domain's words."""

from __future__ import annotations

import asyncio
import random
import subprocess
from collections.abc import Awaitable, Callable
from decimal import Decimal
from itertools import count
from typing import Any

from tortoise.transactions import in_transaction

from core.orders.order import OrderIn
from core.shipping.carriers import Carrier, CarrierIn, save_carrier
from core.stock.catalog import GoodsClass, Product, Supplier
from core.stock.ledger import MoveReason, move_stock
from core.stock.replenishment import ReorderRule
from core.stock.warehouses import Location, LocationKind, Warehouse, create_warehouse, virtual_location
from tests.cli import run_py

_seq = count(1)

SHANGHAI = {"province": "上海", "city": "上海", "lat": 31.23, "lon": 121.47}
GUANGZHOU = {"province": "广东", "city": "广州", "lat": 23.13, "lon": 113.26}
# an order's address there: a district of that city (an address whose parts name two cities is held)
TO_GUANGZHOU = {**GUANGZHOU, "district": "天河区", "line1": "天河路 385 号", "postcode": "510000"}


async def a_warehouse(code: str = "SH", bins: int = 4, name: str | None = None, **place: Any) -> Warehouse:
    attrs = {**(SHANGHAI if code == "SH" else GUANGZHOU if code == "GZ" else {}), **place}
    warehouse = await create_warehouse(code, name or f"{code} warehouse", **attrs)
    for i in range(1, bins + 1):
        await Location.create(warehouse=warehouse, code=f"A-01-{i:02d}", zone="A", aisle=1, x=i * 1.5, y=2)
    return warehouse


async def a_product(sku: str | None = None, price: str = "10.00", supplier: Supplier | None = None,
                    **attrs: Any) -> Product:
    sku = sku or f"SKU-{next(_seq):04d}"
    attrs.setdefault("goods_class", GoodsClass.NORMAL)
    return await Product.create(sku=sku, name=f"Product {sku}", price=Decimal(price), supplier=supplier,
                                weight_g=500, **attrs)


async def a_supplier(code: str = "SUP1") -> Supplier:
    return await Supplier.create(code=code, name=f"Supplier {code}")


async def bin_of(warehouse: Warehouse, code: str = "A-01-01") -> Location:
    return await Location.get(warehouse=warehouse, code=code)


async def stock(product: Product, warehouse: Warehouse, qty: int, bin_code: str = "A-01-01") -> None:
    source = await virtual_location(warehouse.id, LocationKind.SUPPLIER)
    async with in_transaction():
        await move_stock(product, source, await bin_of(warehouse, bin_code), qty, MoveReason.RECEIPT, document="test")


async def a_reorder_rule(product: Product, warehouse: Warehouse, point: int, qty: int) -> ReorderRule:
    return await ReorderRule.create(product=product, warehouse=warehouse, reorder_point=point, reorder_qty=qty)


async def a_carrier(code: str = "SWIFT", *, classes: tuple[GoodsClass, ...] = (GoodsClass.NORMAL,),
                    level: str = "standard", **attrs: Any) -> Carrier:
    body = {"code": code, "name": f"{code} carrier", "regions": ["*"], "goods_classes": list(classes),
            "max_weight_g": 30_000, "transit_days": 2, "service_level": level,
            "rates": {"first_kg": "10", "per_kg": "2"}, **attrs}
    return await save_carrier(CarrierIn.model_validate(body))


def run_check(database_url: str) -> subprocess.CompletedProcess[str]:
    """`run.py check` against the test's database, as an operator would run it."""
    return run_py("check", FAHUO_DATABASE_URL=database_url)


def an_order(lines: dict[str, int], *, phone: str | None = None, external_ref: str | None = None,
             **extra: Any) -> OrderIn:
    """An order body as a channel would send it; a fresh customer unless `phone` is given."""
    phone = phone or f"+86 138{next(_seq):08d}"
    address = {"recipient": "Li Lei", "phone": phone, "province": "上海", "city": "上海",
               "district": "浦东新区", "line1": "世纪大道 100 号", "postcode": "200120", "lat": 31.22, "lon": 121.54}
    address.update(extra.pop("address", {}))
    body = {
        "external_ref": external_ref,
        "customer": {"name": "Li Lei", "phone": phone},
        "address": address,
        "lines": [{"sku": sku, "qty": qty} for sku, qty in lines.items()],
        "payment_state": "paid",
        **extra,
    }
    return OrderIn.model_validate(body)


async def commits_out_of_order(write: Callable[[int], Awaitable[Any]], consume: Callable[[], Awaitable[Any]],
                               writers: int = 8, each: int = 20) -> None:
    """`writers` at once, each committing `each` transactions that call `write(n)` (n = 0, 1, … over all), in
    an order unlike the order of their ids: the very first transaction stays open while the others commit, and
    every one lingers a moment before its commit. `consume` runs over and over meanwhile, as a consumer
    polling the outbox would, and once more after the last commit."""
    numbers = count()
    done = asyncio.Event()

    async def writer(first: bool) -> None:
        for i in range(each):
            async with in_transaction():
                await write(next(numbers))
                await asyncio.sleep(0.3 if first and i == 0 else random.uniform(0, 0.004))

    async def consumer() -> None:
        while not done.is_set():
            await consume()
            await asyncio.sleep(0.005)

    polling = asyncio.create_task(consumer())
    try:
        await asyncio.gather(*(writer(n == 0) for n in range(writers)))
    finally:
        done.set()
        await polling
