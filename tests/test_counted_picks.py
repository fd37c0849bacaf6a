"""A count taken at once: one scan for six units, applied once however often the phone sends it."""

from __future__ import annotations

from core.floor.picking import PickTask
from tests.factories import a_product, a_warehouse, stock
from tests.test_logistics import _phones, _place


async def test_a_counted_pick_is_applied_once_and_more_than_expected_is_refused_saying_how_many(http, db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 20, "A-01-02")
    number = await _place(http, {"TEA": 6})
    picker = (await _phones(http))["picker"]
    _, pick_list = await picker.call("POST", "/api/pick-lists", {"orders": [number]})
    await picker.scan("pick", "FH:LOC:A-01-02", pick_list=pick_list["number"])
    status, refused = await picker.scan("pick", "FH:SKU:TEA", pick_list=pick_list["number"], qty=7)
    assert status == 409 and "1 to 6 × TEA" in refused["message"], refused
    for replayed in (False, True):  # the same scan sent twice: one pick of six
        status, answer = await picker.scan("pick", "FH:SKU:TEA", scan_id="count-of-six", pick_list=pick_list["number"],
                                           qty=6)
        assert status == 200 and answer.get("replayed", False) is replayed and answer["step"] == "done", answer
    assert [t.picked for t in await PickTask.all()] == [6]
