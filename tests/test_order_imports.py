"""Orders from a shop's CSV export through `run.py import orders`: addresses as one text or in parts, placed
and reviewed like any order, each once however often the file is imported; a bad file refused whole."""

from pathlib import Path

import pytest

from core.orders.order import Order, OrderLine, OrderStatus
from tests.factories import a_product, a_warehouse, stock
from tests.test_cli import fahuo
from tests.test_imports import a_file
from tests.zh_leaks import english_words

pytestmark = pytest.mark.slow  # each test starts run.py
HEAD = "order,name,phone,address,province,city,district,line1,postcode,sku,qty,payment_state\n"


async def test_orders_with_pasted_addresses_are_placed_once_each(db, tmp_path: Path):
    wh = await a_warehouse()
    for sku in ("TEA", "CUP"):
        await stock(await a_product(sku), wh, 20)
    rows = a_file(tmp_path, "orders.csv", HEAD + "".join([
        'T-1,王芳,13904310000,"吉林省长春市朝阳区人民大街5988号",,,,,,TEA,2,paid\n',
        "T-1,王芳,13904310000,,,,,,,CUP,1,paid\n",  # the same order's second line
        "T-2,Li Lei,+86 138 0000 1111,,上海,上海,浦东新区,世纪大道 100 号,200120,TEA,1,paid\n",
        'T-3,张三,13800138000,"广州市体育西路1号",,,,,,CUP,1,paid\n',  # no district: held
    ]))
    done = fahuo(db, "import", "orders", rows)
    assert done.returncode == 0, done.stderr
    assert "Placed 3 new orders" in done.stdout
    first = await Order.get(channel="csv", external_ref="T-1")
    assert (first.province, first.city, first.district, first.line1) == ("吉林省", "长春市", "朝阳区", "人民大街5988号")
    assert first.adcode == "220104" and first.lat is not None and first.status == OrderStatus.ALLOCATED
    assert await OrderLine.filter(order_id=first.id).count() == 2
    parts = await Order.get(channel="csv", external_ref="T-2")
    assert (parts.district, parts.adcode, parts.lat) == ("浦东新区", "310115", 31.221517)
    held = await Order.get(channel="csv", external_ref="T-3")
    assert held.status == OrderStatus.ON_HOLD and held.review[1]["outcome"] == "hold"

    again = fahuo(db, "import", "orders", rows)
    assert again.returncode == 0 and "Placed 0 new orders" in again.stdout
    assert await Order.all().count() == 3


async def test_a_file_with_a_bad_line_places_nothing_and_names_each_line(db, tmp_path: Path):
    await stock(await a_product("TEA"), await a_warehouse(), 5)
    rows = a_file(tmp_path, "orders.csv", HEAD + "".join([
        'T-1,王芳,13904310000,"吉林省长春市朝阳区人民大街5988号",,,,,,TEA,2,paid\n',
        "T-2,Li Lei,12345,,上海,上海,浦东新区,世纪大道 100 号,200120,TEA,1,paid\n",
        "T-3,Li Lei,13800001111,,上海,上海,浦东新区,世纪大道 100 号,200120,NOPE,1,paid\n",
    ]))
    done = fahuo(db, "import", "orders", rows)
    assert done.returncode == 1
    assert "line 3:" in done.stderr and "phone" in done.stderr
    assert "line 4: unknown SKU NOPE" in done.stderr and "Traceback" not in done.stderr
    assert await Order.all().count() == 0


async def test_a_bad_file_is_reported_in_chinese_by_the_files_own_columns(db, tmp_path: Path):
    await stock(await a_product("TEA"), await a_warehouse(), 5)
    rows = a_file(tmp_path, "orders.csv", "order,name,phone,address,sku,qty,payment_method\n" + "".join([
        "T-1,李四,123,朝阳区建国路88号,TEA,1,cod\n",  # one bad phone, said once, under its own column
        "T-2,王五,13800138000,北京市朝阳区建国路88号,TEA,1,cash\n",  # not one of the methods
        "T-3,赵六,13800138000,,TEA,1,cod\n",  # no address at all
    ]))
    done = fahuo(db, "import", "orders", rows, env={"LANG": "zh_CN.UTF-8"})
    assert done.returncode == 1, done.stderr
    said = done.stderr.rstrip().splitlines()
    assert said[0] == "  第 2 行：phone 列：不是有效的电话号码", said
    assert said[1] == "  第 3 行：payment_method 列：须为 prepaid、cod、credit 之一", said
    assert said[2].startswith("  第 4 行：address 列："), said
    assert len(said) == 4 and not english_words(done.stderr, ["phone", "address", "prepaid", "cod", "credit"]), said
    assert await Order.all().count() == 0


async def test_a_file_that_is_not_there_is_said_in_the_operators_language(db, tmp_path: Path):
    missing = tmp_path / "订单.csv"
    done = fahuo(db, "import", "orders", str(missing), env={"LANG": "zh_CN.UTF-8"})
    assert (done.returncode, done.stderr.strip()) == (1, f"找不到文件：{missing}，未导入任何数据。")
