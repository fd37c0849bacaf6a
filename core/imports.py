"""CSV import of products and stock counts: every row checked first; nothing is written unless all are good."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from tortoise.transactions import in_transaction

from core.catalog import GoodsClass, Product, Supplier
from core.errors import DomainError, ImportFailed
from core.fields import LocationCode, Sku, WarehouseCode
from core.stock import MoveReason, StockLevel, move_stock
from core.warehouses import Location, LocationKind, Warehouse, virtual_location

Optional = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
T = TypeVar("T", bound=BaseModel)
Progress = Callable[[Iterable[Any], int], Iterable[Any]]


class ProductRow(BaseModel):
    model_config = ConfigDict(extra="ignore")
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


class StockRow(BaseModel):
    model_config = ConfigDict(extra="ignore")
    sku: Sku
    warehouse: WarehouseCode
    location: LocationCode
    qty: int = Field(ge=0, le=10_000_000)


def _no_progress(rows: Iterable[Any], total: int) -> Iterable[Any]:
    return rows


def read_rows(path: Path, model: type[T]) -> tuple[list[tuple[int, T]], list[tuple[int, str]]]:
    """Parsed rows with their line numbers, and the problems of the rows that did not parse."""
    good: list[tuple[int, T]] = []
    bad: list[tuple[int, str]] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [f for f, info in model.model_fields.items() if info.is_required()
                   and f not in (reader.fieldnames or [])]
        if missing:
            return [], [(1, f"header lacks column(s): {', '.join(missing)}")]
        for row in reader:
            line = reader.line_num
            cleaned = {k: v for k, v in row.items() if k is not None and v not in (None, "")}
            try:
                good.append((line, model.model_validate(cleaned)))
            except ValidationError as exc:
                problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
                bad.append((line, problems))
    return good, bad


async def import_products(path: Path, progress: Progress = _no_progress) -> int:
    rows, bad = read_rows(path, ProductRow)
    suppliers = {s.code: s for s in await Supplier.all()}
    seen: dict[str, int] = {}
    for line, row in rows:
        if row.supplier and row.supplier not in suppliers:
            bad.append((line, f"unknown supplier {row.supplier}"))
        if row.sku in seen:
            bad.append((line, f"SKU {row.sku} already on line {seen[row.sku]}"))
        seen[row.sku] = line
    if bad:
        raise ImportFailed(sorted(bad))
    async with in_transaction():
        for _, row in progress(rows, len(rows)):
            values = row.model_dump(exclude={"sku", "supplier", "barcode"})
            values["barcode"] = row.barcode or None
            values["supplier_id"] = suppliers[row.supplier].id if row.supplier else None
            await Product.update_or_create(defaults=values, sku=row.sku)
    return len(rows)


async def import_stock(path: Path, actor: str, progress: Progress = _no_progress) -> int:
    """Set bins to the counted quantities; the differences are booked as import moves."""
    rows, bad = read_rows(path, StockRow)
    products = {p.sku: p for p in await Product.filter(sku__in={r.sku for _, r in rows})}
    warehouses = {w.code: w for w in await Warehouse.all()}
    places = {(loc.warehouse_id, loc.code): loc for loc in await Location.filter(kind=LocationKind.BIN)}  # type: ignore[attr-defined]
    for line, row in rows:
        if row.sku not in products:
            bad.append((line, f"unknown SKU {row.sku}"))
        if row.warehouse not in warehouses:
            bad.append((line, f"unknown warehouse {row.warehouse}"))
        elif (warehouses[row.warehouse].id, row.location) not in places:
            bad.append((line, f"no bin {row.location} in {row.warehouse}"))
    if bad:
        raise ImportFailed(sorted(bad))
    async with in_transaction():
        for line, row in progress(rows, len(rows)):
            warehouse = warehouses[row.warehouse]
            place = places[(warehouse.id, row.location)]
            product = products[row.sku]
            level = await StockLevel.get_or_none(product_id=product.id, location_id=place.id)
            delta = row.qty - (level.on_hand if level else 0)
            if delta == 0:
                continue
            outside = await virtual_location(warehouse.id, LocationKind.LOSS)
            source, target = (outside, place) if delta > 0 else (place, outside)
            try:
                await move_stock(product, source, target, abs(delta), MoveReason.IMPORT,
                                 document=f"import {path.name}", actor=actor)
            except DomainError as exc:  # e.g. a count below what orders already hold
                raise ImportFailed([(line, exc.message())]) from exc
    return len(rows)
