"""Stock that becomes free or arrives goes to the orders waiting for it, oldest first, whatever freed it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.base.settings import Settings
from core.orders.intake import place_order
from core.orders.order import Order, OrderStatus
from core.orders.payments import expire_unpaid
from core.shipping.cancellation import cancel_order
from core.stock.imports import import_stock
from core.stock.inventory import (
    AdjustmentIn,
    ReceiptIn,
    TransferIn,
    adjust_stock,
    create_transfer,
    dispatch_transfer,
    receive_stock,
    receive_transfer,
)
from core.stock.ledger import check_ledger
from tests.factories import TO_GUANGZHOU, a_product, a_warehouse, an_order, stock
from tests.test_aftersales import PNG, _a_shipped_order


async def _place(settings: Settings, qty: int, **extra) -> Order:
    return (await place_order(an_order({"TEA": qty}, **extra), "shop", "api:shop", settings)).order


async def _waiting(settings: Settings, qty: int = 2, **extra) -> Order:
    order = await _place(settings, qty, **extra)
    assert order.status == OrderStatus.BACKORDERED
    return order


async def _cancel(settings: Settings) -> list[Order]:
    await stock(await a_product("TEA"), await a_warehouse(), 2)
    holder = await _place(settings, 2)
    waiting = [await _waiting(settings), await _waiting(settings)]
    await cancel_order(holder.number, "api:shop", "changed my mind")
    return waiting


def _release(policy: str) -> Callable[[Settings], Awaitable[list[Order]]]:
    async def release(settings: Settings) -> list[Order]:
        settings = settings.model_copy(update={"unpaid_policy": policy})
        await stock(await a_product("TEA"), await a_warehouse(), 2)
        unpaid = await _place(settings, 2, payment_state="pending")
        waiting = [await _waiting(settings), await _waiting(settings)]
        assert await expire_unpaid(settings, datetime.now(UTC) + timedelta(hours=25)) == [unpaid.number]
        return waiting
    return release


def _adjust(change: dict) -> Callable[[Settings], Awaitable[list[Order]]]:
    async def adjust(settings: Settings) -> list[Order]:
        await a_product("TEA"), await a_warehouse()
        waiting = [await _waiting(settings), await _waiting(settings)]
        await adjust_stock(AdjustmentIn.model_validate(
            {"warehouse": "SH", "location": "A-01-02", "sku": "TEA", "reason": "found on the floor", **change}),
            "staff:test", settings)
        return waiting
    return adjust


async def _receipt(settings: Settings) -> list[Order]:
    await a_product("TEA"), await a_warehouse()
    waiting = [await _waiting(settings), await _waiting(settings)]
    await receive_stock(ReceiptIn.model_validate({"warehouse": "SH", "lines": [{"sku": "TEA", "qty": 2}]}),
                        "staff:test", settings)
    return waiting


async def _stock_file(settings: Settings, tmp_path: Path) -> list[Order]:
    await a_product("TEA"), await a_warehouse()
    waiting = [await _waiting(settings), await _waiting(settings)]
    counted = tmp_path / "count.csv"
    counted.write_text("sku,warehouse,location,qty\nTEA,SH,A-01-02,2\n", encoding="utf-8")
    await import_stock(counted, "staff:test")
    return waiting


async def _transfer_received(settings: Settings) -> list[Order]:
    tea, gz = await a_product("TEA"), await a_warehouse("GZ")
    await a_warehouse("SH")
    await stock(tea, gz, 2)
    transfer = await create_transfer(TransferIn.model_validate(
        {"from_warehouse": "GZ", "to_warehouse": "SH", "lines": [{"sku": "TEA", "qty": 2}]}), "staff:test", settings)
    waiting = [await _waiting(settings), await _waiting(settings)]
    await dispatch_transfer(transfer.number, "staff:test")
    await receive_transfer(transfer.number, "A-01-01", "staff:test", settings)
    return waiting


async def _cancel_with_transfer(settings: Settings) -> list[Order]:
    """An order cancelled while its transfer had not left: the source's stock goes to who waits there."""
    tea, gz, sh = await a_product("TEA"), await a_warehouse("GZ"), await a_warehouse("SH")
    await stock(tea, gz, 2)
    await stock(tea, sh, 2)
    holder = await _place(settings, 4)  # Shanghai's, with Guangzhou's two coming by transfer
    assert holder.status == OrderStatus.BACKORDERED
    near = TO_GUANGZHOU
    waiting = [await _waiting(settings, address=near), await _waiting(settings, address=near)]
    await cancel_order(holder.number, "api:shop", "changed my mind")
    return waiting


EVENTS = {
    "cancel": _cancel, "cancel with a transfer": _cancel_with_transfer, "release unpaid": _release("release"),
    "cancel unpaid": _release("cancel"), "adjustment up": _adjust({"delta": 2}), "count": _adjust({"counted": 2}),
    "receipt": _receipt, "transfer received": _transfer_received, "stock file": _stock_file,
}


@pytest.mark.parametrize("event", EVENTS)
async def test_freed_or_added_stock_goes_to_the_oldest_waiting_order(db, event, tmp_path):
    make = EVENTS[event]
    older, newer = await (make(db, tmp_path) if make is _stock_file else make(db))
    assert (await Order.get(id=older.id)).status == OrderStatus.ALLOCATED
    assert (await Order.get(id=newer.id)).status == OrderStatus.BACKORDERED
    assert not await check_ledger()


async def test_a_returned_item_goes_to_the_order_waiting_for_it(http, db):
    phone, number, key = await _a_shipped_order(http)  # 5 TEA, 3 of them shipped
    waiting = await _waiting(db, 3)
    body = {"order": number, "kind": "return", "text": "Wrong flavour, please take it back",
            "lines": [{"sku": "TEA", "qty": 1}], "photos": [{"mime": "image/png", "data": PNG}]}
    async with http.post("/api/after-sales", json=body, headers=key) as resp:
        request = await resp.json()
    await phone["manager"].call("POST", f"/api/after-sales/{request['number']}/decision", {"approve": True})
    status, _ = await phone["packer"].call("POST", f"/api/after-sales/{request['number']}/return", {})
    assert status == 200
    assert (await Order.get(id=waiting.id)).status == OrderStatus.ALLOCATED
    assert not await check_ledger()
