"""CSV import of products and stock counts: every row checked first; nothing is written unless all are good.

A file is refused whole, with one problem per bad line, when it is not UTF-8 (or UTF-16 with its byte-order
mark, as spreadsheet programs save "Unicode text"), when a row has more or fewer fields than the header (an
unquoted `1,200` is two fields, never the number 1), when a key repeats inside the file, or when a value does
not fit. Problems are catalogue codes with parameters, so the caller says them in the reader's language.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from tortoise.transactions import in_transaction

from core.base.errors import DomainError, ImportFailed, Problem, problem_words
from core.base.fields import Country, HsCode, LocationCode, Sku, WarehouseCode
from core.stock.catalog import GoodsClass, Product, Supplier
from core.stock.ledger import MoveReason, StockLevel, move_stock
from core.stock.waiting import waiting_orders
from core.stock.warehouses import Location, LocationKind, Warehouse, virtual_location

Optional = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
T = TypeVar("T", bound=BaseModel)
Progress = Callable[[Iterable[Any], int], Iterable[Any]]


class ProductRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: Sku
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    name_zh: Optional = ""
    barcode: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(\d{8}|\d{12,14})?$")] = ""
    goods_class: GoodsClass = GoodsClass.NORMAL
    weight_g: int = Field(default=0, ge=0, le=2_000_000)
    length_mm: int = Field(default=0, ge=0, le=100_000)
    width_mm: int = Field(default=0, ge=0, le=100_000)
    height_mm: int = Field(default=0, ge=0, le=100_000)
    price: Decimal = Field(default=Decimal(0), ge=0, le=Decimal("9999999999"), decimal_places=2)
    supplier: Optional = ""
    active: bool = True
    # customs facts, needed before the product can go abroad
    hs_code: HsCode = ""
    origin_country: Country = ""
    customs_value: Decimal | None = Field(default=None, ge=0, le=Decimal("9999999999"), decimal_places=2)


class StockRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: Sku
    warehouse: WarehouseCode
    location: LocationCode
    qty: int = Field(ge=0, le=10_000_000)


def no_progress(rows: Iterable[Any], total: int) -> Iterable[Any]:
    return rows


# pydantic's error types that people meet in a spreadsheet, as catalogue codes (the rest: `{column}: {detail}`)
_VALUE_PROBLEMS = {
    "missing": "csv_value_missing", "int_parsing": "csv_not_whole", "int_from_float": "csv_not_whole",
    "decimal_parsing": "csv_not_number", "greater_than_equal": "csv_too_small", "less_than_equal": "csv_too_large",
    "decimal_max_places": "csv_too_many_decimals", "enum": "csv_not_one_of", "bool_parsing": "csv_not_yes_no",
    "string_too_long": "csv_too_long", "string_pattern_mismatch": "csv_wrong_form",
}


def value_problems(line: int, exc: ValidationError) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        column = ".".join(map(str, error["loc"]))
        code = _VALUE_PROBLEMS.get(error["type"], "csv_bad_value")
        words = problem_words(error["type"], error.get("ctx") or {})  # its values too: "a、b" in Chinese
        problems.append((line, code, {"column": column, **words["params"], "detail": words}))
    return problems


def decode(raw: bytes) -> str:
    """The file's text: UTF-8 (with or without a BOM) or UTF-16 with its BOM; anything else is refused."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFailed([(raw.count(b"\n\x00", 0, exc.start) + 1, "csv_not_utf8", {})]) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:  # GBK/GB18030 from a Chinese Excel, most often
        raise ImportFailed([(raw.count(b"\n", 0, exc.start) + 1, "csv_not_utf8", {})]) from exc
    if "\x00" in text:  # UTF-16 without its BOM, or a binary file
        raise ImportFailed([(text.count("\n", 0, text.index("\x00")) + 1, "csv_not_utf8", {})])
    return text


def _header_problems(names: list[str], model: type[BaseModel]) -> list[Problem]:
    fields = model.model_fields
    unknown = [n for n in names if n not in fields]
    twice = sorted({n for n in names if names.count(n) > 1})
    missing = [f for f, info in fields.items() if info.is_required() and f not in names]
    return [(1, code, {"columns": ", ".join(cols)}) for code, cols in (
        ("csv_unknown_columns", unknown), ("csv_repeated_columns", twice), ("csv_missing_columns", missing)) if cols]


def read_rows(path: Path, model: type[T]) -> tuple[list[tuple[int, T]], list[Problem]]:
    """Parsed rows with their line numbers, and the problems of the lines that did not parse."""
    reader = csv.reader(io.StringIO(decode(path.read_bytes()), newline=""))
    header = next(reader, None)
    if not header:
        return [], [(1, "csv_missing_columns", {"columns": ", ".join(
            f for f, info in model.model_fields.items() if info.is_required())})]
    names = [name.strip().lower() for name in header]
    bad = _header_problems(names, model)
    if bad:
        return [], bad
    good: list[tuple[int, T]] = []
    for fields in reader:
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue  # a blank line between rows
        if len(fields) != len(names):
            bad.append((line, "csv_field_count", {"got": len(fields), "want": len(names)}))
            continue
        given = {name: value for name, value in zip(names, fields, strict=True) if value.strip()}
        try:
            good.append((line, model.model_validate(given)))
        except ValidationError as exc:
            bad.extend(value_problems(line, exc))
    return good, bad


def _repeats(rows: Iterable[tuple[int, Any]], key: Callable[[Any], dict[str, str]], code: str,
             bad: list[Problem]) -> None:
    """A key seen on an earlier line of the file is a problem on every later line that repeats it."""
    first: dict[tuple[str, ...], int] = {}
    for line, row in rows:
        params = key(row)
        seen = first.setdefault(tuple(params.values()), line)
        if seen != line:
            bad.append((line, code, {**params, "first": seen}))


async def _barcode_problems(rows: list[tuple[int, ProductRow]]) -> list[Problem]:
    """Barcodes repeated in the file, or held by a product the file does not give another one."""
    bad: list[Problem] = []
    owners: dict[str, tuple[int, str]] = {}
    for line, row in rows:
        if not row.barcode:
            continue
        if row.barcode in owners and owners[row.barcode][1] != row.sku:
            first, sku = owners[row.barcode]
            bad.append((line, "csv_barcode_repeated", {"barcode": row.barcode, "first": first, "sku": sku}))
        else:
            owners.setdefault(row.barcode, (line, row.sku))
    in_file = {row.sku for _, row in rows}
    held = {p.barcode: p.sku for p in await Product.filter(barcode__in=list(owners)).only("sku", "barcode")}
    for barcode, (line, sku) in owners.items():
        holder = held.get(barcode)
        if holder is not None and holder != sku and holder not in in_file:
            bad.append((line, "csv_barcode_taken", {"barcode": barcode, "sku": holder}))
    return bad


async def import_products(path: Path, progress: Progress = no_progress) -> int:
    rows, bad = read_rows(path, ProductRow)
    suppliers = {s.code: s for s in await Supplier.all()}
    for line, row in rows:
        if row.supplier and row.supplier not in suppliers:
            bad.append((line, "csv_unknown_supplier", {"code": row.supplier}))
    _repeats(rows, lambda r: {"sku": r.sku}, "csv_sku_repeated", bad)
    bad += await _barcode_problems(rows)
    if bad:
        raise ImportFailed(bad)
    async with in_transaction():
        # barcodes may move between products of the file (a swap): free them all first, the unique index
        # would refuse the first half of the swap
        await Product.filter(sku__in=[r.sku for _, r in rows], barcode__isnull=False).update(barcode=None)
        for _, row in progress(rows, len(rows)):
            values = row.model_dump(exclude={"sku", "supplier", "barcode"})
            values["barcode"] = row.barcode or None
            values["supplier_id"] = suppliers[row.supplier].id if row.supplier else None
            await Product.update_or_create(defaults=values, sku=row.sku)
    return len(rows)


async def _stock_places(rows: list[tuple[int, StockRow]], bad: list[Problem],
                        ) -> list[tuple[int, StockRow, Product, Location]]:
    """Each row with its product and bin; unknown ones, and counts below what orders hold, are problems."""
    products = {p.sku: p for p in await Product.filter(sku__in={r.sku for _, r in rows})}
    warehouses = {w.code: w for w in await Warehouse.all()}
    places = {(loc.warehouse_id, loc.code): loc for loc in await Location.filter(kind=LocationKind.BIN)}  # type: ignore[attr-defined]
    levels = {(lv.product_id, lv.location_id): lv for lv in await StockLevel.filter(  # type: ignore[attr-defined]
        product_id__in=[p.id for p in products.values()], reserved__gt=0)}
    found = []
    for line, row in rows:
        product, warehouse = products.get(row.sku), warehouses.get(row.warehouse)
        place = places.get((warehouse.id, row.location)) if warehouse else None
        if product is None:
            bad.append((line, "csv_unknown_sku", {"sku": row.sku}))
        if warehouse is None:
            bad.append((line, "csv_unknown_warehouse", {"code": row.warehouse}))
        elif place is None:
            bad.append((line, "csv_unknown_bin", {"bin": row.location, "warehouse": row.warehouse}))
        if product is None or place is None:
            continue
        level = levels.get((product.id, place.id))
        if level is not None and row.qty < level.reserved:
            bad.append((line, "csv_below_reserved", {"sku": row.sku, "bin": row.location, "qty": row.qty,
                                                     "reserved": level.reserved}))
        found.append((line, row, product, place))
    return found


async def import_stock(path: Path, actor: str, progress: Progress = no_progress) -> int:
    """Set bins to the counted quantities; the differences are booked as import moves, and what a count adds
    goes to the orders waiting for it, as any arrival does."""
    rows, bad = read_rows(path, StockRow)
    _repeats(rows, lambda r: {"sku": r.sku, "warehouse": r.warehouse, "bin": r.location}, "csv_bin_repeated", bad)
    found = await _stock_places(rows, bad)
    if bad:
        raise ImportFailed(bad)
    added: dict[int, set[int]] = {}  # warehouse → products whose count went up
    async with in_transaction():
        for line, row, product, place in progress(found, len(found)):
            level = await StockLevel.get_or_none(product_id=product.id, location_id=place.id)
            delta = row.qty - (level.on_hand if level else 0)
            if delta == 0:
                continue
            outside = await virtual_location(place.warehouse_id, LocationKind.LOSS)  # type: ignore[attr-defined]
            source, target = (outside, place) if delta > 0 else (place, outside)
            try:
                await move_stock(product, source, target, abs(delta), MoveReason.IMPORT,
                                 document=f"import {path.name}", actor=actor)
            except DomainError as exc:  # orders reserved more meanwhile
                raise ImportFailed([(line, exc.code, exc.params)]) from exc
            if delta > 0:
                added.setdefault(place.warehouse_id, set()).add(product.id)  # type: ignore[attr-defined]
        for warehouse_id, product_ids in sorted(added.items()):
            await waiting_orders().fill(warehouse_id, product_ids, actor)
    return len(rows)
