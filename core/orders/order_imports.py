"""CSV import of orders as shops export them: one row per order line, the address in parts or as one text.

Every row is checked first, as the API checks an order (the address read and placed, the phone, the SKUs); a
file with any bad line is refused whole, line by line. Then each order is placed as the API places one, in a
transaction of its own, under the channel `csv` and the shop's order number: importing the same file again, or
the rest of one cut short, places nothing twice.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from core.base.errors import ImportFailed, Problem
from core.base.fields import MAX_ADDRESS_TEXT, MAX_QTY, ExternalRef, Name, Note, Sku
from core.base.settings import Settings
from core.orders.delivery_days import delivery_window
from core.orders.intake import place_order
from core.orders.order import OrderIn, PaymentMethod, PaymentState
from core.stock.catalog import Product
from core.stock.imports import Progress, no_progress, read_rows, value_problems

CHANNEL = "csv"


def _up_to(length: int) -> Any:
    return StringConstraints(strip_whitespace=True, max_length=length)


class OrderRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    order: ExternalRef  # the shop's order number: rows with the same one are lines of one order
    name: Name
    phone: Annotated[str, _up_to(40)]
    address: Annotated[str, _up_to(MAX_ADDRESS_TEXT)] = ""  # the whole address, as people write it
    province: Annotated[str, _up_to(64)] = ""  # or in parts
    city: Annotated[str, _up_to(64)] = ""
    district: Annotated[str, _up_to(64)] = ""
    line1: Annotated[str, _up_to(300)] = ""
    postcode: Annotated[str, _up_to(16)] = ""
    sku: Sku
    qty: int = Field(gt=0, le=MAX_QTY)
    payment_method: PaymentMethod = PaymentMethod.PREPAID
    payment_state: PaymentState = PaymentState.PENDING
    note: Note = ""
    requested_date: date | None = None  # the day the customer asked for, ISO (2026-12-24)


def order_of(rows: list[OrderRow]) -> dict[str, Any]:
    """An order's body from its rows: who, where, how it is paid and the note from the first row."""
    first = rows[0]
    who = {"recipient": first.name, "phone": first.phone}
    where = {**who, "text": first.address} if first.address else {
        **who, **first.model_dump(include={"province", "city", "district", "line1", "postcode"})}
    return {"external_ref": first.order, "customer": {"name": first.name, "phone": first.phone}, "address": where,
            "lines": [{"sku": row.sku, "qty": row.qty} for row in rows], "payment_method": first.payment_method,
            "payment_state": first.payment_state, "note": first.note, "requested_date": first.requested_date}


async def import_orders(path: Path, actor: str, settings: Settings, progress: Progress = no_progress) -> int:
    """Place the file's orders; how many were new (the rest had been imported before)."""
    rows, bad = read_rows(path, OrderRow)
    orders: dict[str, list[tuple[int, OrderRow]]] = {}
    for line, row in rows:
        orders.setdefault(row.order, []).append((line, row))
    known = set(await Product.filter(sku__in={row.sku for _, row in rows}).values_list("sku", flat=True))
    bad += [(line, "csv_unknown_sku", {"sku": row.sku}) for line, row in rows if row.sku not in known]
    bodies: list[OrderIn] = []
    for lines in orders.values():
        try:
            bodies.append(OrderIn.model_validate(order_of([row for _, row in lines])))
        except ValidationError as exc:
            bad += _problems_of(lines, exc)
    bad += await _dates_too_early(bodies, orders, settings)
    if bad:
        raise ImportFailed(bad)
    created = 0
    for body in progress(bodies, len(bodies)):
        created += (await place_order(body, CHANNEL, actor, settings)).created
    return created


async def _dates_too_early(bodies: list[OrderIn], orders: dict[str, list[tuple[int, OrderRow]]],
                           settings: Settings) -> list[Problem]:
    """Each order asking for a day no carrier can make, on its first line, with the earliest possible."""
    problems: list[Problem] = []
    now = datetime.now(settings.tz)
    for body in bodies:
        if body.requested_date is None or body.external_ref is None:
            continue
        window = await delivery_window(body.address.province, body.address.country,
                                       [line.sku for line in body.lines], now)
        if body.requested_date < window.earliest:
            problems.append((orders[body.external_ref][0][0], "csv_date_too_early",
                             {"day": body.requested_date.isoformat(), "earliest": window.earliest.isoformat(),
                              "column": "requested_date"}))
    return problems


def _problems_of(lines: list[tuple[int, OrderRow]], exc: ValidationError) -> list[Problem]:
    """An order's problems on the line and under the column they come from: a line's own (lines.2.qty) there,
    the rest on the first; a value the order uses twice (the phone: the customer's and the recipient's) once."""
    problems: list[Problem] = []
    for line, code, params in value_problems(lines[0][0], exc):
        where = str(params.get("column", "")).split(".")
        if where[0] == "lines" and len(where) > 1 and where[1].isdigit() and int(where[1]) < len(lines):
            line = lines[int(where[1])][0]
        problem = (line, code, {**params, "column": _column(where, lines[0][1])})
        if problem not in problems:
            problems.append(problem)
    return problems


_COLUMNS = {("external_ref",): "order", ("customer", "name"): "name", ("customer", "phone"): "phone",
            ("address", "recipient"): "name", ("address", "phone"): "phone", ("address", "text"): "address"}


def _column(where: list[str], row: OrderRow) -> str:
    """The file's column an order's field was read from (`order_of` in reverse)."""
    if tuple(where) in _COLUMNS:
        return _COLUMNS[tuple(where)]
    if where[0] == "lines":
        return where[-1]
    if where[0] == "address" and len(where) > 1:  # an address in parts, or the whole text (given or left empty)
        in_parts = not row.address and any((row.province, row.city, row.district, row.line1))
        return where[1] if in_parts else "address"
    return ".".join(where)
