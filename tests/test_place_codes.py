"""Places compared by code over real HTTP: a typed address reaches a region-limited carrier, a shipment no carrier
may take is stuck where managers see it and resolve it, the phone's region holds nothing unless asked to, and
the migration turns the names kept before into codes."""

from __future__ import annotations

import importlib
from typing import Any

from tortoise import connections

from core.base.auth import add_api_key
from core.base.settings import Settings
from core.orders.customers import Customer
from core.orders.order import Order, OrderEvent, OrderStatus
from core.shipping.carriers import Carrier
from core.stock.catalog import GoodsClass
from core.stock.warehouses import Warehouse
from tests.factories import a_carrier, a_product, a_warehouse, stock
from tests.test_logistics import Phone, _one_box, _phones, _pick_all

FROZEN_TO_SHANGHAI = "张三 13800138000 上海市徐汇区漕溪北路88号"


async def _place_typed(http, text: str, sku: str = "DUMPLING", qty: int = 2) -> dict[str, Any]:
    """An order as a shop sends one typed by its customer: the address as one text, nothing else."""
    key = {"X-API-Key": await add_api_key("shop")}
    body = {"customer": {"name": "张三", "phone": "+86 13800138000"}, "address": text,
            "lines": [{"sku": sku, "qty": qty}], "payment_state": "paid"}
    async with http.post("/api/orders", json=body, headers=key) as resp:
        assert resp.status == 201, await resp.text()
        return await resp.json()


async def _cold_shop(*chill_regions: str) -> None:
    warehouse = await a_warehouse()
    await stock(await a_product("DUMPLING", goods_class=GoodsClass.COLD), warehouse, 20)
    await a_carrier("CHILL", classes=(GoodsClass.NORMAL, GoodsClass.COLD), regions=list(chill_regions))
    await a_carrier("STD", regions=["*"])  # takes no frozen goods


async def _packed(phone: dict[str, Phone], number: str) -> dict[str, Any]:
    status, pick_list = await phone["picker"].call("POST", "/api/pick-lists", {"orders": [number]})
    assert status == 201, pick_list
    await _pick_all(phone["picker"], pick_list)
    status, shipment = await phone["packer"].call("POST", f"/api/orders/{number}/packages",
                                                  await _one_box(number, {"DUMPLING": 2}))
    assert status == 201, shipment
    return shipment


async def test_a_frozen_order_typed_to_shanghai_ships_with_the_cold_chain_carrier_without_a_hold(http, db):
    await _cold_shop("上海", "江苏", "浙江")
    phone = await _phones(http)
    placed = await _place_typed(http, FROZEN_TO_SHANGHAI)
    assert placed["status"] == "allocated", placed["review"]  # a Beijing phone sending to Shanghai: no hold
    status, order = await phone["manager"].call("GET", f"/api/orders/{placed['number']}")
    assert (order["address"]["province"], order["address"]["province_code"], order["address"]["district_code"]) \
        == ("上海市", "310000", "310104")
    shipment = await _packed(phone, placed["number"])
    assert (shipment["status"], shipment["carrier"]) == ("booked", "CHILL"), shipment["choice"]
    dispatcher = phone["dispatcher"]
    await dispatcher.scan("load", "FH:VEH:沪A12345", shipment=shipment["number"])
    status, loading = await dispatcher.scan("load", f"FH:PKG:{shipment['packages'][0]['number']}",
                                            shipment=shipment["number"])
    assert loading["ready"] is True
    status, shipped = await dispatcher.call("POST", f"/api/shipments/{shipment['number']}/dispatch")
    assert status == 200 and shipped["status"] == "dispatched", shipped
    assert (await Order.get(number=placed["number"])).status == OrderStatus.SHIPPED


async def test_a_shipment_no_carrier_may_take_is_stuck_seen_by_managers_and_resolved_by_an_allowed_carrier(http, db):
    await _cold_shop("北京")
    phone = await _phones(http)
    placed = await _place_typed(http, FROZEN_TO_SHANGHAI)
    shipment = await _packed(phone, placed["number"])
    assert (shipment["status"], shipment["carrier"]) == ("stuck", None)
    manager = phone["manager"]
    status, dashboard = await manager.call("GET", "/api/dashboard")
    assert status == 200 and dashboard["stuck_no_carrier"] == 1
    manager.headers["Accept-Language"] = "zh"
    status, stuck = await manager.call("GET", "/api/stuck-shipments")
    assert status == 200 and [s["shipment"] for s in stuck] == [shipment["number"]]
    assert "CHILL：不配送到上海市" in stuck[0]["why"] and stuck[0]["allowed"] == []
    assert stuck[0]["district_code"] == "310104"
    manager.headers["Accept-Language"] = "en"
    status, stuck = await manager.call("GET", "/api/stuck-shipments")
    assert "CHILL: does not deliver to 上海市" in stuck[0]["why"]
    status, refused = await manager.call("POST", f"/api/shipments/{shipment['number']}/carrier", {"carrier": "CHILL"})
    assert status == 409 and "上海市" in refused["message"]

    await a_carrier("COLD2", classes=(GoodsClass.COLD,), regions=["SH"])  # another cold chain, serving Shanghai
    status, stuck = await manager.call("GET", "/api/stuck-shipments")
    assert stuck[0]["allowed"] == ["COLD2"]
    status, booked = await manager.call("POST", f"/api/shipments/{shipment['number']}/carrier", {"carrier": "COLD2"})
    assert status == 200 and (booked["status"], booked["carrier"]) == ("booked", "COLD2"), booked
    status, dashboard = await manager.call("GET", "/api/dashboard")
    assert dashboard["stuck_no_carrier"] == 0


async def test_a_manager_resolves_a_stuck_shipment_by_changing_its_address(http, db):
    await _cold_shop("北京")
    phone = await _phones(http)
    placed = await _place_typed(http, FROZEN_TO_SHANGHAI)
    shipment = await _packed(phone, placed["number"])
    status, refused = await phone["packer"].call("POST", f"/api/shipments/{shipment['number']}/address",
                                                 {"text": "张三 13800138000 北京市海淀区中关村大街27号"})
    assert status == 403, refused
    status, booked = await phone["manager"].call("POST", f"/api/shipments/{shipment['number']}/address",
                                                 {"text": "张三 13800138000 北京市海淀区中关村大街27号"})
    assert status == 200 and (booked["status"], booked["carrier"]) == ("booked", "CHILL"), booked
    order = await Order.get(number=placed["number"])
    assert (order.adcode, order.district) == ("110108", "海淀区")
    assert await OrderEvent.filter(order_id=order.id, reason__contains="中关村大街27号").exists()
    status, again = await phone["manager"].call("POST", f"/api/shipments/{shipment['number']}/address",
                                                {"text": FROZEN_TO_SHANGHAI})
    assert status == 409, again


async def test_the_phone_region_holds_an_order_only_when_the_setting_says_so(http, db: Settings):
    await _cold_shop("*")
    readme = "张三 13800138000 浙江省杭州市西湖区文三路90号"  # a Beijing number sending to Hangzhou
    assert (await _place_typed(http, readme))["status"] == "allocated"
    db.hold_phone_region = True
    held = await _place_typed(http, readme, qty=3)  # other goods: not held as a likely duplicate
    assert held["status"] == "on_hold"
    assert any(r["rule"] == "address" and r["outcome"] == "hold" for r in held["review"])


async def test_an_address_ending_at_a_landmark_is_delivered_as_written_with_a_note(http, db):
    await _cold_shop("*")
    placed = await _place_typed(http, "李四 13912345678 江苏省苏州市吴中区东吴小区")
    assert placed["status"] == "allocated"
    address_rule = next(r for r in placed["review"] if r["rule"] == "address")
    assert address_rule["outcome"] == "pass" and "not a street number" in address_rule["reason"]


async def test_the_migration_turns_region_names_and_addresses_into_codes(db):
    carrier = await Carrier.create(code="CHILL", name="Cold", regions=["上海", "Zhejiang", "SH", "US", "*"],
                                   goods_classes=["cold"], rates={"first_kg": "10", "per_kg": "2",
                                                                  "zones": {"新疆": "1.8"}})
    customer = await Customer.create(name="Li", phone="+8613800000001", province="广东", city="深圳",
                                     district="南山区")
    warehouse = await Warehouse.create(code="GZ", name="GZ", province="广东", city="广州")
    order = await Order.create(number="SO-1", channel="shop", customer=customer, recipient="Li", phone="+8613800000001",
                               province="上海市", city="上海市", district="徐汇区", line1="漕溪北路88号",
                               created_by="test")
    migration = importlib.import_module("core.migrations.0030_place_codes")
    await migration.convert(connections.get("default"))
    await carrier.refresh_from_db()
    assert carrier.regions == ["310000", "330000", "US", "*"]
    assert carrier.rates["zones"] == {"650000": "1.8"}
    assert (await Customer.get(id=customer.id)).adcode == "440305"
    assert (await Warehouse.get(id=warehouse.id)).adcode == "440100"
    assert (await Order.get(id=order.id)).adcode == "310104"
