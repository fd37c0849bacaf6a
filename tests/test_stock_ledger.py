"""The stock ledger: moves, levels and reservations agree, and nothing is ever promised twice."""

import asyncio

import pytest
from tortoise.transactions import in_transaction

from core.base.errors import OutOfStock
from core.stock.ledger import (
    MoveReason,
    Reservation,
    StockLevel,
    StockMove,
    check_ledger,
    consume_reservation,
    move_stock,
    release_reservation,
    reserve_in_warehouse,
)
from core.stock.warehouses import LocationKind, virtual_location
from tests.factories import a_product, a_warehouse, bin_of, stock


async def level(product, location) -> StockLevel:
    return await StockLevel.get(product_id=product.id, location_id=location.id)


async def test_a_receipt_is_a_move_and_raises_the_level(db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 12)
    lv = await level(tea, await bin_of(wh))
    assert (lv.on_hand, lv.reserved) == (12, 0)
    assert await StockMove.filter(product=tea, reason=MoveReason.RECEIPT).count() == 1
    assert await check_ledger() == []


async def test_a_move_cannot_take_more_than_is_free(db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 5)
    async with in_transaction():
        await reserve_in_warehouse(tea.id, wh.id, 3)
    loss = await virtual_location(wh.id, LocationKind.LOSS)
    with pytest.raises(OutOfStock) as refused:
        async with in_transaction():
            await move_stock(tea, await bin_of(wh), loss, 3, MoveReason.ADJUSTMENT)
    assert "Only 2 of TEA available at A-01-01; 3 needed" in str(refused.value)
    assert (await level(tea, await bin_of(wh))).on_hand == 5
    assert await check_ledger() == []


async def test_reservation_spreads_over_bins_and_releases_exactly(db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 3, "A-01-01")
    await stock(tea, wh, 4, "A-01-02")
    async with in_transaction():
        assert await reserve_in_warehouse(tea.id, wh.id, 6) == 6
        assert await reserve_in_warehouse(tea.id, wh.id, 5) == 1  # only one unit was left free
    async with in_transaction():
        for reservation in await Reservation.all():
            await release_reservation(reservation)
    assert sum(lv.reserved for lv in await StockLevel.all()) == 0
    assert await check_ledger() == []


async def test_consuming_a_reservation_moves_the_goods_out(db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 4)
    async with in_transaction():
        await reserve_in_warehouse(tea.id, wh.id, 3)
    reservation = await Reservation.get()
    customer = await virtual_location(wh.id, LocationKind.CUSTOMER)
    async with in_transaction():
        await consume_reservation(reservation, customer, MoveReason.SHIPMENT, document="SO-1", actor="test")
    lv = await level(tea, await bin_of(wh))
    assert (lv.on_hand, lv.reserved) == (1, 0)
    assert await check_ledger() == []


async def test_two_hundred_concurrent_reservations_never_oversell_fifty_units(db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 50)

    async def one() -> int:
        async with in_transaction():
            return await reserve_in_warehouse(tea.id, wh.id, 1)

    results = await asyncio.gather(*(one() for _ in range(200)))
    assert sum(results) == 50
    assert (await level(tea, await bin_of(wh))).reserved == 50
    assert await check_ledger() == []


async def test_the_check_finds_a_level_that_disagrees_with_its_moves(db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 10)
    await StockLevel.filter(product=tea).update(on_hand=11)  # someone edited the table by hand
    problems = await check_ledger()
    assert len(problems) == 1 and "on_hand 11 but moves sum to 10" in str(problems[0])
