"""A short pick settles the bin's truth over real HTTP: the picker's word becomes the ledger, the bin is
flagged for a count, and nobody is sent back to a bin just reported short."""

from __future__ import annotations

import pytest

from core.orders.order import Order, OrderLine, OrderStatus
from core.stock.ledger import Reservation, ReservationState, StockLevel, StockMove, check_ledger
from tests.factories import TO_GUANGZHOU, a_product, a_warehouse, bin_of, stock
from tests.test_logistics import _phones, _pick_all, _place


async def _level(product, warehouse, code: str) -> StockLevel:
    return await StockLevel.get(product=product, location=await bin_of(warehouse, code))


async def _start(phone, number: str, picked: int) -> dict:
    """A pick list for one order; the picker stands at its first bin and takes `picked` units."""
    _, pick_list = await phone["picker"].call("POST", "/api/pick-lists", {"orders": [number]})
    task = pick_list["current"]
    await phone["picker"].scan("pick", f"FH:LOC:{task['location']}", pick_list=pick_list["number"])
    if picked:
        await phone["picker"].scan("pick", f"FH:SKU:{task['sku']}", pick_list=pick_list["number"], qty=picked)
    return pick_list


async def test_a_short_pick_empties_the_bin_on_the_ledger_and_never_sends_the_picker_back_to_it(http, db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 40, "A-01-01")
    await stock(tea, wh, 10, "A-01-03")
    phone = await _phones(http)
    number = await _place(http, {"TEA": 5})
    pick_list = await _start(phone, number, picked=2)
    assert pick_list["current"]["location"] == "A-01-01"

    status, view = await phone["picker"].scan("short", pick_list=pick_list["number"])
    assert status == 200, view
    # no count given: the bin is taken as empty of TEA; only the two in the tote are still on its ledger
    assert [(t["location"], t["qty"], t["state"]) for t in view["tasks"]] == [
        ("A-01-01", 5, "short"), ("A-01-03", 3, "pending")]
    emptied = await _level(tea, wh, "A-01-01")
    assert (emptied.on_hand, emptied.reserved) == (2, 2)
    assert [m.qty for m in await StockMove.filter(reason="short_pick")] == [38]
    assert not any(t["location"] == "A-01-01" and t["state"] == "pending" for t in view["tasks"])
    done = await _pick_all(phone["picker"], view)
    assert done["status"] == "done"
    assert [m.qty for m in await StockMove.filter(reason="short_pick")] == [38]  # written off once, not again
    assert (await Order.get(number=number)).status == OrderStatus.PICKING
    assert not await check_ledger()


async def test_a_short_pick_takes_the_pickers_count_and_moves_other_orders_that_no_longer_fit(http, db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 10, "A-01-01")
    await stock(tea, wh, 4, "A-01-03")
    phone = await _phones(http)
    first = await _place(http, {"TEA": 5})
    second = await _place(http, {"TEA": 3})  # also reserved in A-01-01, not on any list yet
    pick_list = await _start(phone, first, picked=2)

    # the picker sees one unit left on the shelf: it goes to the second order; the rest is found elsewhere
    status, view = await phone["picker"].scan("short", pick_list=pick_list["number"], in_bin=1)
    assert status == 200, view
    assert [(t["location"], t["qty"], t["state"]) for t in view["tasks"]] == [
        ("A-01-01", 5, "short"), ("A-01-03", 3, "pending")]
    bin1 = await _level(tea, wh, "A-01-01")
    assert (bin1.on_hand, bin1.reserved) == (3, 3)  # two in the first order's tote, one on the shelf
    assert [m.qty for m in await StockMove.filter(reason="short_pick")] == [7]
    # the second order keeps the unit on the shelf and the last unit of A-01-03; one is backordered
    held = {r.level_id: r.qty for r in await Reservation.filter(
        state=ReservationState.ACTIVE, order_line__order__number=second)}
    assert held == {bin1.id: 1, (await _level(tea, wh, "A-01-03")).id: 1}
    line = await OrderLine.get(order__number=second)
    assert (line.qty_reserved, line.qty_backordered) == (2, 1)
    assert (await Order.get(number=second)).status == OrderStatus.BACKORDERED
    assert not await check_ledger()


async def test_a_count_that_claims_enough_is_refused_as_not_short(http, db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 10, "A-01-01")
    phone = await _phones(http)
    number = await _place(http, {"TEA": 5})
    pick_list = await _start(phone, number, picked=2)
    status, refusal = await phone["picker"].scan("short", pick_list=pick_list["number"], in_bin=3)
    assert status == 409 and "take 3 × TEA" in refusal["message"]
    status, refusal = await phone["picker"].scan("short", pick_list=pick_list["number"], in_bin=-1)
    assert status == 422
    assert not await StockMove.filter(reason="short_pick").exists()


async def test_the_bin_of_a_short_pick_is_flagged_for_a_count_until_counted(http, db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 40, "A-01-01")
    phone = await _phones(http)
    number = await _place(http, {"TEA": 5})
    pick_list = await _start(phone, number, picked=0)
    await phone["picker"].scan("short", pick_list=pick_list["number"])
    assert (await Order.get(number=number)).status == OrderStatus.BACKORDERED

    manager = phone["manager"]
    _, rows = await manager.call("GET", "/api/stock?warehouse=SH")
    flagged = [r for r in rows if r["location"] == "A-01-01"]
    assert flagged and flagged[0]["on_hand"] == 0 and flagged[0]["count_due"]
    _, found = await manager.call("GET", "/api/lookup?code=FH:LOC:A-01-01")
    assert ["count due", "TEA"] in found["facts"]
    _, summary = await manager.call("GET", "/api/stock/summary?warehouse=SH")
    assert [(r["sku"], r["count_due"]) for r in summary] == [("TEA", ["A-01-01"])]

    # the count finds 30: the bin is corrected, the flag cleared, and the waiting order gets its goods
    status, _ = await manager.call("POST", "/api/stock/adjustments", {
        "warehouse": "SH", "location": "A-01-01", "sku": "TEA", "counted": 30, "reason": "count after short pick"})
    assert status == 201
    _, rows = await manager.call("GET", "/api/stock?warehouse=SH")
    assert [(r["location"], r["on_hand"], r["count_due"]) for r in rows] == [("A-01-01", 30, None)]
    _, found = await manager.call("GET", "/api/lookup?code=FH:LOC:A-01-01")
    assert not any(k == "count due" for k, _ in found["facts"])
    _, summary = await manager.call("GET", "/api/stock/summary?warehouse=SH")
    assert [(r["sku"], r["count_due"]) for r in summary] == [("TEA", [])]
    assert (await Order.get(number=number)).status == OrderStatus.ALLOCATED
    assert not await check_ledger()


async def test_other_orders_on_the_list_at_a_short_bin_are_sent_to_other_bins_not_back_to_it(http, db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 12, "A-01-01")
    await stock(tea, wh, 6, "A-01-03")
    phone = await _phones(http)
    first, second = await _place(http, {"TEA": 5}), await _place(http, {"TEA": 3})
    _, pick_list = await phone["picker"].call("POST", "/api/pick-lists", {"orders": [first, second]})
    assert [(t["order"], t["location"]) for t in pick_list["tasks"]] == [(first, "A-01-01"), (second, "A-01-01")]
    await phone["picker"].scan("pick", "FH:LOC:A-01-01", pick_list=pick_list["number"])
    await phone["picker"].scan("pick", "FH:SKU:TEA", pick_list=pick_list["number"], qty=2)
    status, view = await phone["picker"].scan("short", pick_list=pick_list["number"])
    assert status == 200, view
    assert [(t["order"], t["location"], t["state"]) for t in view["tasks"]] == [
        (first, "A-01-01", "short"), (second, "A-01-01", "short"),
        (first, "A-01-03", "pending"), (second, "A-01-03", "pending")]
    done = await _pick_all(phone["picker"], view)
    assert done["status"] == "done"
    assert {o.number: o.status for o in await Order.all()} == {first: "picking", second: "picking"}
    assert (await _level(tea, wh, "A-01-01")).on_hand == 2
    assert not await check_ledger()


@pytest.mark.parametrize("elsewhere, carried", [(4, 1), (3, 0)])
async def test_a_transfer_reserved_in_a_short_bin_carries_only_what_other_bins_have(http, db, elsewhere, carried):
    await a_warehouse("SH")
    gz, tea = await a_warehouse("GZ"), await a_product("TEA")
    await stock(tea, gz, 8, "A-01-01")
    await stock(tea, gz, elsewhere, "A-01-02")
    phone = await _phones(http)
    manager = phone["manager"]
    status, transfer = await manager.call("POST", "/api/transfers", {
        "from_warehouse": "GZ", "to_warehouse": "SH", "lines": [{"sku": "TEA", "qty": 3}]})
    assert status == 201, transfer
    number = await _place(http, {"TEA": 5}, address=TO_GUANGZHOU)
    pick_list = await _start(phone, number, picked=2)
    assert pick_list["current"]["location"] == "A-01-01"
    # the bin held only the two taken: the order's three come from A-01-02 first, the transfer gets the rest
    status, view = await phone["picker"].scan("short", pick_list=pick_list["number"])
    assert status == 200, view
    assert [(t["location"], t["qty"], t["state"]) for t in view["tasks"]] == [
        ("A-01-01", 5, "short"), ("A-01-02", 3, "pending")]
    _, transfer = await manager.call("GET", f"/api/transfers/{transfer['number']}")
    assert transfer["lines"][0]["qty"] == carried
    for step in ("ship", "receive"):
        status, answer = await manager.call("POST", f"/api/transfers/{transfer['number']}/{step}", {})
        assert status == 200, answer
    _, rows = await manager.call("GET", "/api/stock?warehouse=SH")
    assert sum(r["on_hand"] for r in rows) == carried
    assert not await check_ledger()
