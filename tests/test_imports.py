"""CSV imports through `run.py import`, as an operator runs them: a bad file is refused whole, line by line."""

from pathlib import Path

import pytest

from core.catalog import Product
from core.stock import StockLevel
from tests.factories import a_product, a_warehouse, stock
from tests.test_cli import fahuo

pytestmark = pytest.mark.slow  # each test starts run.py
STOCK_HEAD = "sku,warehouse,location,qty\n"
PRODUCT_HEAD = "sku,name,barcode,price\n"


def a_file(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


async def on_hand(product: Product) -> list[int]:
    return sorted(await StockLevel.filter(product=product).values_list("on_hand", flat=True))


async def test_an_unquoted_thousands_separator_is_refused_not_read_as_one(db, tmp_path):
    await a_warehouse("SH")
    tea = await a_product("TEA")
    await stock(tea, await a_warehouse("GZ"), 7)
    counts = a_file(tmp_path, "stock.csv", STOCK_HEAD + "TEA,SH,A-01-01,1,200\nTEA,SH,A-01-02,5\n")
    done = fahuo(db, "import", "stock", counts)
    assert done.returncode == 1
    assert "line 2: 5 fields where the header has 4" in done.stderr
    assert "nothing was imported" in done.stderr and "Traceback" not in done.stderr
    assert await on_hand(tea) == [7]


async def test_a_row_with_fields_missing_is_refused_instead_of_taking_defaults(db, tmp_path):
    rows = a_file(tmp_path, "products.csv", PRODUCT_HEAD + "TEA,Green tea,,12.50\nCUP,Cup\n")
    done = fahuo(db, "import", "products", rows)
    assert done.returncode == 1 and "line 3: 2 fields where the header has 4" in done.stderr
    assert await Product.all().count() == 0


async def test_several_rows_for_one_bin_are_refused_naming_each_repeat(db, tmp_path):
    await a_warehouse("SH")
    tea = await a_product("TEA")
    counts = a_file(tmp_path, "stock.csv", STOCK_HEAD + "TEA,SH,A-01-01,10\nTEA,SH,A-01-01,4\n TEA ,SH,A-01-01,9\n")
    done = fahuo(db, "import", "stock", counts)
    assert done.returncode == 1
    assert "line 3: TEA in SH A-01-01 is already counted on line 2" in done.stderr
    assert "line 4: TEA in SH A-01-01 is already counted on line 2" in done.stderr
    assert await on_hand(tea) == []


async def test_a_barcode_used_twice_is_a_line_numbered_error_not_a_traceback(db, tmp_path):
    await a_product("OLD", barcode="6900000000017")
    in_file = a_file(tmp_path, "twice.csv", PRODUCT_HEAD + "A,Apple,6900000000024,1\nB,Pear,6900000000024,1\n")
    done = fahuo(db, "import", "products", in_file)
    assert done.returncode == 1 and "line 3: barcode 6900000000024 is already on line 2 (A)" in done.stderr
    taken = a_file(tmp_path, "taken.csv", PRODUCT_HEAD + "C,Cherry,6900000000017,1\n")
    done = fahuo(db, "import", "products", taken)
    assert done.returncode == 1 and "line 2: barcode 6900000000017 belongs to product OLD" in done.stderr
    assert "Traceback" not in done.stderr and await Product.all().count() == 1


async def test_products_may_swap_barcodes_in_one_file(db, tmp_path):
    await a_product("A", barcode="6900000000017")
    await a_product("B", barcode="6900000000024")
    swap = a_file(tmp_path, "swap.csv", PRODUCT_HEAD + "A,Apple,6900000000024,1\nB,Pear,6900000000017,1\n")
    done = fahuo(db, "import", "products", swap)
    assert done.returncode == 0, done.stderr
    assert dict(await Product.all().values_list("sku", "barcode")) == {"A": "6900000000024", "B": "6900000000017"}


async def test_a_gbk_file_is_refused_and_a_utf16_file_is_read(db, tmp_path):
    body = PRODUCT_HEAD + "TEA,Green tea 绿茶,,12.50\n"
    done = fahuo(db, "import", "products", a_file(tmp_path, "gbk.csv", body, "gbk"))
    assert done.returncode == 1 and "line 2: the file is not UTF-8" in done.stderr
    assert await Product.all().count() == 0
    done = fahuo(db, "import", "products", a_file(tmp_path, "utf16.csv", body, "utf-16"))
    assert done.returncode == 0, done.stderr
    assert (await Product.get(sku="TEA")).name == "Green tea 绿茶"


async def test_an_unknown_or_repeated_column_is_refused(db, tmp_path):
    typo = a_file(tmp_path, "typo.csv", "sku,name,prce\nTEA,Tea,12\n")
    done = fahuo(db, "import", "products", typo)
    assert done.returncode == 1 and "line 1: unknown column(s): prce" in done.stderr
    twice = a_file(tmp_path, "twice.csv", "sku,name,name\nTEA,Tea,Tea\n")
    done = fahuo(db, "import", "products", twice)
    assert done.returncode == 1 and "line 1: column(s) named twice: name" in done.stderr
    assert await Product.all().count() == 0


async def test_import_problems_are_told_in_chinese_under_a_chinese_locale(db, tmp_path):
    await a_warehouse("SH")
    await a_product("TEA")
    counts = a_file(tmp_path, "stock.csv", STOCK_HEAD + "TEA,SH,A-01-01,1,200\nTEA,SH,A-01-01,x\n")
    done = fahuo(db, "import", "stock", counts, env={"LANG": "zh_CN.UTF-8"})
    assert done.returncode == 1
    assert "第 2 行：有 5 个字段，表头有 4 列" in done.stderr
    assert "第 3 行：qty 列：不是整数" in done.stderr
    assert "有 2 行有误，未导入任何数据。" in done.stderr
