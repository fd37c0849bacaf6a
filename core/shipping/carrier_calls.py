"""Calling carriers' systems while a packer waits: live quotes for the choice, then the waybill, falling back to
the next carrier the rules allow when one fails, all within `carrier_wait_s`.

Nothing here touches the database: the booking (core.shipping.shipments.book_carrier) decides what to store,
and the outbox carries what must be tried again later.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.base.i18n import LANGUAGES, text
from core.base.settings import Settings
from core.shipping.carrier_api import (
    CarrierError,
    CarrierRefused,
    CarrierUnavailable,
    Quote,
    QuoteRequest,
    Waybill,
    WaybillRequest,
)
from core.shipping.carriers import QUOTES, Carrier, Choice, Said, connect

log = logging.getLogger(__name__)


def failure_words(error: CarrierError) -> Said:
    """Why a carrier failed, in every language: the carrier's own detail where it refused."""
    if isinstance(error, CarrierRefused):
        return {lang: text("carrier.refused", lang, detail=error.reason) for lang in LANGUAGES}
    return {lang: text("carrier.unavailable", lang) for lang in LANGUAGES}


async def _one_quote(carrier: Carrier, request: QuoteRequest, settings: Settings, now: datetime,
                     limit: float) -> Quote | None:
    key = QUOTES.key(carrier.code, request.destination.province, request.destination.city, request.weight_g,
                     request.destination.country)
    if (kept := QUOTES.get(key, now)) is not None:
        return kept
    adapter, conn = connect(carrier, settings)
    try:
        quote = await asyncio.wait_for(adapter.quote(conn, request), limit)
    except (CarrierError, TimeoutError) as error:
        log.warning("no live quote from %s: %s", carrier.code, getattr(error, "reason", "timeout"))
        return None
    if quote is not None and settings.quote_cache_minutes:
        QUOTES.put(key, quote, now + timedelta(minutes=settings.quote_cache_minutes))
    return quote


async def live_quotes(carriers: list[Carrier], request: QuoteRequest, settings: Settings,
                      now: datetime) -> dict[str, Quote]:
    """The live quotes of the carriers that give them, asked all at once and kept briefly; a carrier that
    is slow or fails is priced by its rate table instead. Takes at most a third of the booking's time."""
    limit = settings.carrier_wait_s / 3
    found = await asyncio.gather(*(_one_quote(c, request, settings, now, limit) for c in carriers))
    return {c.code: q for c, q in zip(carriers, found, strict=True) if q is not None}


@dataclass
class Issued:
    """The outcome of asking for a waybill: the carrier and its waybill, or the last failure."""

    carrier: Carrier | None = None
    waybill: Waybill | None = None
    failure: CarrierError | None = None
    # carriers that failed without a clear answer: they may have made the order anyway, and it is cancelled
    unsure: tuple[Carrier, ...] = ()


async def issue_waybill(choice: Choice, carriers: list[Carrier], request: WaybillRequest, settings: Settings,
                        *, fall_back: bool) -> Issued:
    """Ask the chosen carrier for a waybill; when its system fails and `fall_back` allows, the next ranked
    carrier, and so on, the choice saying so each time. Every call ends by `carrier_wait_s` in all."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.carrier_wait_s
    outcome = Issued()
    while choice.chosen is not None:
        carrier = next(c for c in carriers if c.code == choice.chosen)
        adapter, conn = connect(carrier, settings)
        try:
            left = deadline - loop.time()
            if left <= 0:
                raise CarrierUnavailable(carrier.code, "no time left for this booking")
            waybill = await asyncio.wait_for(adapter.create_waybill(conn, request), left)
            return Issued(carrier, waybill, outcome.failure, outcome.unsure)
        except (CarrierError, TimeoutError) as error:
            failure = error if isinstance(error, CarrierError) else CarrierUnavailable(carrier.code, "timed out")
            log.warning("carrier %s did not issue a waybill for %s: %s", carrier.code, request.shipment,
                        failure.reason)
            outcome.failure = failure
            if isinstance(failure, CarrierUnavailable):
                outcome.unsure += (carrier,)
            if not fall_back or not choice.fall_back(carrier.code, failure_words(failure)):
                return outcome
    return outcome
