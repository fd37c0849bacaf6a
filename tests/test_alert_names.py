"""Managers read warehouses by code and name ("HZ 杭州仓"), never by a database id ("仓库 1"): in low-stock,
purchase-order and short-pick alerts, and in a refused transfer."""

from __future__ import annotations

import pytest
from tortoise.transactions import in_transaction

from bot.notifier import message_for, notify_once
from core.base.auth import Role, add_staff
from core.base.errors import OutOfStock
from core.base.events import OutboxEvent, emit
from core.base.settings import Settings
from core.orders.notifications import Recipient
from core.stock.inventory import TransferIn, create_transfer
from core.stock.replenishment import sweep_low_stock
from tests.factories import a_product, a_reorder_rule, a_supplier, a_warehouse, stock
from tests.test_bot import MANAGER, Telegram, telegram  # noqa: F401
from tests.test_logistics import _phones, _place
from tests.test_short_picks import _start

MANAGER_ZH, MANAGER_EN = Recipient(2001, "zh", "manager"), Recipient(2002, "en", "manager")


async def _alert(kind: str) -> tuple[str, str]:
    event = await OutboxEvent.get(kind=kind)
    said = [message_for(event, who) for who in (MANAGER_ZH, MANAGER_EN)]
    assert said[0] is not None and said[1] is not None
    return said[0][0], said[1][0]


async def test_a_low_stock_alert_names_the_warehouse_by_code_and_name(db: Settings):
    await a_warehouse("SH")  # id 1: the id must not be what managers read
    hangzhou = await a_warehouse("HZ", name="杭州仓")
    tea = await a_product("TEA", supplier=await a_supplier())
    await stock(tea, hangzhou, 4)
    await a_reorder_rule(tea, hangzhou, point=10, qty=50)
    await sweep_low_stock(db.tz)
    zh, en = await _alert("stock.low")
    assert zh == "📉 库存低：TEA（HZ 杭州仓）剩 4，补货点 10"
    assert en == "📉 Low stock: TEA in HZ 杭州仓: 4 left, reorder at 10"


async def test_a_purchase_order_draft_names_its_supplier_and_warehouse(db: Settings):
    hangzhou = await a_warehouse("HZ", name="杭州仓")
    tea = await a_product("TEA", supplier=await a_supplier("TEAHOUSE"))
    await a_reorder_rule(tea, hangzhou, point=10, qty=50)
    await sweep_low_stock(db.tz)
    zh, en = await _alert("purchase_order.drafted")
    number = (await OutboxEvent.get(kind="purchase_order.drafted")).payload["purchase_order"]
    assert zh == f"🧾 采购单草稿 {number}：供应商 Supplier TEAHOUSE，收货仓库 HZ 杭州仓"
    assert en == f"🧾 Purchase order draft {number}: from Supplier TEAHOUSE, for HZ 杭州仓"


async def test_a_short_pick_alert_names_the_warehouse_of_the_bin(http, db: Settings):
    wh, tea = await a_warehouse(name="上海一号仓"), await a_product("TEA")
    await stock(tea, wh, 10, "A-01-01")
    phone = await _phones(http)
    pick_list = await _start(phone, await _place(http, {"TEA": 5}), picked=2)
    status, _ = await phone["picker"].scan("short", pick_list=pick_list["number"])
    assert status == 200
    zh, en = await _alert("stock.short_pick")
    assert zh == "📉 短拣：SH 上海一号仓 A-01-01 的 TEA 缺 3 件，请盘点。"
    assert en == "📉 Short pick: TEA at A-01-01 in SH 上海一号仓, 3 missing; please count the bin."


async def test_a_transfer_the_source_cannot_supply_names_the_source_by_code_and_name(db: Settings):
    await a_warehouse("SH")
    await a_warehouse("GZ", name="广州仓")
    tea = await a_product("TEA")
    body = TransferIn(from_warehouse="GZ", to_warehouse="SH", lines=[{"sku": "TEA", "qty": 3}])
    with pytest.raises(OutOfStock) as refused:
        await create_transfer(body, "manager-1", db)
    assert refused.value.message("zh") == f"GZ 广州仓 的 {tea.sku} 只有 0 件可用，需要 3 件。"


async def test_alerts_queued_before_they_carried_the_warehouse_name_it_by_its_id_or_say_it_is_unknown(
        telegram: Telegram):  # noqa: F811
    await a_warehouse("SH")
    hangzhou = await a_warehouse("HZ", name="杭州仓")
    manager = await add_staff("manager-1", Role.MANAGER, "pw-Manager-1")
    await manager.__class__.filter(id=manager.id).update(telegram_id=MANAGER, language="en")
    async with in_transaction():  # as queued by a fahuo that did not yet put the warehouse's label in
        await emit("stock.low", {"sku": "TEA", "warehouse_id": hangzhou.id, "available": 4, "reorder_point": 10,
                                 "on_order": 0})
        await emit("purchase_order.drafted", {"purchase_order": "PO-20261101-00001", "supplier_id": 1,
                                              "supplier": "Teahouse", "warehouse_id": 999})
        await emit("stock.short_pick", {"pick_list": "PL-20261101-00001", "location": "A-01-01", "sku": "TEA",
                                        "missing": 3, "in_bin": 0, "by": "picker-1"})
    assert await notify_once(telegram.bot) == 3
    told = [s.text for s in telegram.api.to(MANAGER)]
    assert told == ["📉 Low stock: TEA in HZ 杭州仓: 4 left, reorder at 10",
                    "🧾 Purchase order draft PO-20261101-00001: from Teahouse, for (warehouse unknown)",
                    "📉 Short pick: TEA at A-01-01 in (warehouse unknown), 3 missing; please count the bin."]
