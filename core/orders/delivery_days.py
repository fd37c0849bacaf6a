"""The days a customer may ask for delivery: from the earliest day a carrier that serves the address and the goods
can arrive (today only before its cut-off, never a day gone) to a horizon a calendar shows, `HORIZON_DAYS` ahead.

Carriers come after orders in an order's life, so this stage cannot read them itself: the shipping stage hands its
answer (the earliest arrival) when it loads, as core.stock.waiting does for stock; core.base.db loads every stage
when the database opens. Where no carrier serves the address, the earliest day is tomorrow.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.base.errors import InvalidInput
from core.stock.catalog import Product

HORIZON_DAYS = 14  # how far ahead a calendar offers days

# (province, country, goods classes, now) → the earliest day a carrier serving them arrives, None when none does
EarliestArrival = Callable[[str, str, frozenset[str], datetime], Awaitable[date | None]]
_served_by: list[EarliestArrival] = []


def serve_earliest_arrival(by: EarliestArrival) -> None:
    _served_by[:] = [by]


class RequestedDateTooEarly(InvalidInput):
    """A requested delivery date no carrier can make: the message names the earliest that one can."""

    code = "requested_date_too_early"


@dataclass(frozen=True)
class DeliveryWindow:
    earliest: date
    latest: date  # the calendar's last day (a later date is fine when asked for otherwise)

    def days(self) -> list[date]:
        """The calendar: every day from the earliest to the last."""
        return [self.earliest + timedelta(days=n) for n in range((self.latest - self.earliest).days + 1)]

    def check(self, day: date) -> None:
        if day < self.earliest:
            raise RequestedDateTooEarly(day=day.isoformat(), earliest=self.earliest.isoformat())


async def delivery_window(province: str, country: str, skus: list[str], now: datetime) -> DeliveryWindow:
    """The days a delivery of these products to that place may be asked for, as of `now` (the company's clock)."""
    if not _served_by:
        raise RuntimeError("the shipping stage is not loaded: open the database (core.base.db.open_db) first")
    classes = frozenset(str(c) for c in await Product.filter(sku__in=skus).values_list("goods_class", flat=True))
    today = now.date()
    earliest = max(await _served_by[0](province, country, classes, now) or today + timedelta(days=1), today)
    return DeliveryWindow(earliest, max(earliest, today + timedelta(days=HORIZON_DAYS)))
