"""Names a reader sees in their own language: a warehouse's and a carrier's (one name per language, as products
have), and the person behind a login on papers and screens."""

from __future__ import annotations

import importlib
from types import SimpleNamespace
from typing import Any

from tortoise import connections

from core.base.auth import Staff
from core.base.settings import Settings
from core.shipping.carriers import Carrier
from core.shipping.documents import Document, DocumentKind
from core.stock.replenishment import sweep_low_stock
from core.stock.warehouses import Warehouse
from tests.factories import a_carrier, a_product, a_reorder_rule, a_supplier, a_warehouse, stock
from tests.test_logistics import _one_box, _phones, _pick_all, _place
from tests.test_papers import pdf_text, squashed

MIGRATION = importlib.import_module("core.migrations.0031_names_per_language")
split_name = MIGRATION.split_name


def test_a_stored_name_holding_both_languages_is_split_into_each() -> None:
    assert split_name("Shanghai Qingpu DC 上海青浦仓") == ("Shanghai Qingpu DC", "上海青浦仓")
    assert split_name("Standard Post 标准快递") == ("Standard Post", "标准快递")
    assert split_name("顺捷快递") == ("顺捷快递", "顺捷快递")
    assert split_name("Swift Express") == ("Swift Express", "")
    assert split_name("顺丰 SF Express") == ("顺丰 SF Express", "")  # mixed some other way: left for a person


async def test_the_migration_splits_the_names_a_database_already_holds(db: Settings):
    await a_warehouse("SH", name="Shanghai Qingpu DC 上海青浦仓")
    await a_warehouse("GZ", name="广州白云仓")
    await a_carrier("STD", name="Standard Post 标准快递")
    await MIGRATION.forward(None, SimpleNamespace(client=connections.get("default")))
    assert await Warehouse.all().order_by("code").values_list("code", "name", "name_zh") == [
        ("GZ", "广州白云仓", "广州白云仓"), ("SH", "Shanghai Qingpu DC", "上海青浦仓")]
    assert await Carrier.all().values_list("name", "name_zh") == [("Standard Post", "标准快递")]


async def _dispatched_by_a_person(http: Any) -> dict[str, Any]:
    """An order picked, packed and dispatched from 上海青浦仓 with 标准快递, by 郑浩 (login dispatcher-1)."""
    wh = await a_warehouse(bins=2, name="Shanghai Qingpu DC", name_zh="上海青浦仓")
    tea = await a_product("TEA", name_zh="龙井茶")
    await stock(tea, wh, 10)
    await a_carrier("STD", name="Standard Post", name_zh="标准快递")
    phone = await _phones(http)
    await Staff.filter(username__in=["dispatcher-1", "picker-1"]).update(display_name="郑浩")  # one person, two logins
    number = await _place(http, {"TEA": 2})
    status, pick_list = await phone["picker"].call("POST", "/api/pick-lists", {"orders": [number]})
    assert status == 201, pick_list
    await _pick_all(phone["picker"], pick_list)
    status, shipment = await phone["packer"].call("POST", f"/api/orders/{number}/packages",
                                                  await _one_box(number, {"TEA": 2}))
    assert status == 201, shipment
    dispatcher = phone["dispatcher"]
    await dispatcher.scan("load", "FH:VEH:沪A12345", shipment=shipment["number"])
    await dispatcher.scan("load", f"FH:PKG:{shipment['packages'][0]['number']}", shipment=shipment["number"])
    status, shipped = await dispatcher.call("POST", f"/api/shipments/{shipment['number']}/dispatch")
    assert status == 200, shipped
    return {"shipment": shipment["number"], "pick_list": pick_list["number"], "phone": phone}


async def test_the_shipment_confirmation_names_warehouse_carrier_and_dispatcher_in_the_readers_words(
        http, db: Settings):
    sent = await _dispatched_by_a_person(http)
    dispatcher = sent["phone"]["dispatcher"]

    async def paper(lang: str) -> str:
        status, pdf = await dispatcher.call(
            "GET", f"/api/shipments/{sent['shipment']}/documents/confirmation.pdf?lang={lang}")
        assert status == 200
        return squashed(pdf_text(pdf))

    zh = await paper("zh")
    for said in ("上海青浦仓", "标准快递", "郑浩"):
        assert said in zh, said
    for english in ("Shanghai", "Standard", "dispatcher-1"):
        assert english not in zh, english
    en = await paper("en")
    assert "ShanghaiQingpuDC" in en and "StandardPost" in en and "上海青浦仓" not in en
    confirmation = await Document.get(kind=DocumentKind.CONFIRMATION)
    assert confirmation.content["dispatch"]["by"] == "郑浩"  # the person, sealed as dispatched


async def test_the_api_answers_a_chinese_reader_with_chinese_names_and_takes_both(http, db: Settings):
    sent = await _dispatched_by_a_person(http)
    manager = sent["phone"]["manager"]
    async with http.get(f"/api/shipments/{sent['shipment']}", headers={**manager.headers, "Accept-Language": "zh"}
                        ) as resp:
        assert (await resp.json())["carrier_name"] == "标准快递"
    status, carriers = await manager.call("GET", "/api/carriers")
    assert status == 200
    assert [(c["name"], c["name_zh"]) for c in carriers if c["code"] == "STD"] == [("Standard Post", "标准快递")]
    status, warehouses = await manager.call("GET", "/api/warehouses")
    assert status == 200 and (warehouses[0]["name"], warehouses[0]["name_zh"]) == ("Shanghai Qingpu DC", "上海青浦仓")
    async with http.get(f"/api/lookup?code=FH:PL:{sent['pick_list']}",
                        headers={**manager.headers, "Accept-Language": "zh"}) as resp:
        facts = dict((await resp.json())["facts"])
    assert facts["拣货员"] == "郑浩"  # the person who picked, not their login beside the word
    status, done = await manager.call("GET", "/api/pick-lists?status=done")
    assert status == 200 and [(p["picker"], p["picker_name"]) for p in done] == [("picker-1", "郑浩")]


async def test_a_label_sheet_is_titled_in_the_readers_language(http, db: Settings):
    await a_warehouse(bins=1)
    phone = await _phones(http)
    status, html = await phone["picker"].call("GET", "/api/labels/locations.html?warehouse=SH&lang=zh")
    assert status == 200 and "<title>库位标签 SH</title>" in html.decode()
    status, html = await phone["picker"].call("GET", "/api/labels/products.html?lang=en")
    assert status == 200 and "<title>Product labels</title>" in html.decode()


async def test_a_purchase_orders_reason_is_said_in_the_readers_language(http, db: Settings):
    wh, tea = await a_warehouse(), await a_product("TEA", supplier=await a_supplier())
    await stock(tea, wh, 4)
    await a_reorder_rule(tea, wh, point=10, qty=50)
    await sweep_low_stock(db.tz)
    phone = await _phones(http)
    for lang, why in (("zh", "低于补货点"), ("en", "below reorder point")):
        async with http.get("/api/purchase-orders", headers={**phone["manager"].headers, "Accept-Language": lang}
                            ) as resp:
            assert resp.status == 200
            assert [line["why"] for po in await resp.json() for line in po["lines"]] == [why]
