"""International carriers (UPS first) through karrio's Python SDK: live rates, a shipment with its label and
the commercial invoice, tracking by query, and void.

karrio speaks each carrier's own API and gives one set of models for all (Address, Parcel, Customs, rates,
shipment details, tracking events); this adapter maps fahuo's requests to those models and karrio's answers
back. Which karrio carrier an account uses is its option `carrier` (`ups` unless said), and the generic account
fields fill that carrier's settings (`CREDENTIALS`). The account's `sandbox` is karrio's test mode; a
`base_url` replaces the carrier's address altogether (a local fake, a proxy).

karrio's calls block (urllib): each runs in a worker thread and the packer stops waiting after the account's
`timeout_s` (the thread ends when the carrier answers or closes). karrio takes a second or two to load: it is
loaded as fahuo starts (`warm_up`), not while a packer waits. karrio logs through loguru, request bodies and
all: fahuo silences it, so no credential or address reaches a log.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from typing import Any

from core.base.settings import CarrierAccount
from core.shipping.carrier_api import (
    CarrierAdapter,
    CarrierRefused,
    CarrierUnavailable,
    Connection,
    Party,
    Place,
    Quote,
    QuoteRequest,
    Size,
    TrackingUpdate,
    Waybill,
    WaybillRequest,
)

log = logging.getLogger(__name__)

# the generic account fields as each karrio carrier's settings name them
CREDENTIALS: dict[str, Callable[[CarrierAccount], dict[str, str]]] = {
    "ups": lambda a: {"client_id": a.key.get_secret_value(), "client_secret": a.secret.get_secret_value(),
                      "account_number": a.account.get_secret_value()},
}
# fahuo's service levels as karrio's service names, per carrier; an account's options `service_<level>` override
SERVICES = {"ups": {"economy": "ups_worldwide_economy_ddu", "standard": "ups_worldwide_saver",
                    "express": "ups_worldwide_express"}}
# karrio's normalised tracking statuses → fahuo's tracking codes; `pending` (a label made, nothing moving yet)
# says nothing about the parcel and is left out, a status not listed counts as in transit
STATUSES = {"picked_up": "picked_up", "in_transit": "in_transit", "out_for_delivery": "out_for_delivery",
            "ready_for_pickup": "arrived", "delivered": "delivered", "on_hold": "exception",
            "delivery_failed": "exception", "delivery_delayed": "exception", "return_to_sender": "exception",
            "cancelled": "exception"}
SILENT = {"pending"}
# what a carrier answers for "not now" rather than "no": quota exceeded (HTTP 429), its own fault, karrio unable
# to read the answer at all (an error page instead of JSON)
TRY_LATER_CODES = {"429", "500", "502", "503", "504", "SHIPPING_SDK_INTERNAL_ERROR"}
TRY_LATER_WORDS = ("quota", "too many", "unavailable", "try again")


@functools.cache
def _karrio() -> SimpleNamespace:
    """karrio, imported on first use: it takes a second or two to load, which a shipper without an
    international carrier should not wait for at every start. Its loguru logging (request bodies included) is
    switched off before its first line runs."""
    from loguru import logger

    logger.disable("karrio")
    import karrio.core.errors as errors
    import karrio.lib as lib
    import karrio.sdk as sdk

    return SimpleNamespace(sdk=sdk, errors=errors, lib=lib, operations={
        "rate": sdk.Rating.fetch, "shipment": sdk.Shipment.create, "void": sdk.Shipment.cancel,
        "track": sdk.Tracking.fetch})


def _carrier(conn: Connection) -> str:
    carrier = str(conn.needs_account().options.get("carrier", "ups"))
    if carrier not in CREDENTIALS:
        raise CarrierRefused(conn.code, f"karrio carrier {carrier!r} is not one fahuo maps ({', '.join(CREDENTIALS)})")
    return carrier


def _settings(conn: Connection, carrier: str) -> Any:
    """The karrio carrier's settings for this connection's account."""
    account = conn.needs_account()
    settings_type = _karrio().sdk.gateway.providers[carrier].Settings
    if account.base_url:  # karrio derives the address from test mode: a subclass points it elsewhere
        base = account.base_url.rstrip("/")
        settings_type = type(f"{settings_type.__name__}At", (settings_type,), {"server_url": property(lambda _: base)})
    config = {"label_type": str(account.options.get("label", "ZPL")).upper()}
    return settings_type(**CREDENTIALS[carrier](account), carrier_id=conn.code.lower(), test_mode=account.sandbox,
                         account_country_code=str(account.options.get("country", "CN")), config=config)


def _address(party: Party | None, place: Place) -> dict[str, Any]:
    named = {"person_name": party.name[:35], "company_name": (party.company or party.name)[:35],
             "phone_number": party.phone.replace(" ", "")} if party else {}
    return {**named, "address_line1": place.street[:35] or place.district or place.city,
            "address_line2": place.district or None, "city": place.city, "state_code": place.province or None,
            "postal_code": place.postcode or None, "country_code": place.country}


def _parcels(request: WaybillRequest | QuoteRequest, description: str = "") -> list[dict[str, Any]]:
    """The packages as packed, where fahuo knows them; else the weight in one parcel."""
    sizes = getattr(request, "sizes", ()) or (Size(request.weight_g, 0, 0, 0),)
    return [{"weight": round(max(size.weight_g, 100) / 1000, 3), "weight_unit": "KG", "dimension_unit": "CM",
             "length": size.length_mm / 10 or None, "width": size.width_mm / 10 or None,
             "height": size.height_mm / 10 or None, "description": description[:35] or None} for size in sizes]


def _customs(code: str, request: WaybillRequest) -> dict[str, Any]:
    """The commercial invoice: one commodity per product, with the customs facts its product record holds."""
    lacking = [line.sku for line in request.customs if not (line.hs_code and line.origin_country)]
    if not request.customs or lacking:
        raise CarrierRefused(code, f"no customs data for a parcel abroad ({', '.join(lacking) or 'no lines'})")
    currency = request.customs[0].currency
    return {
        "commodities": [{
            "sku": line.sku, "title": line.description[:35], "description": line.description[:35],
            "quantity": line.qty, "hs_code": line.hs_code, "origin_country": line.origin_country,
            "value_amount": float(line.unit_value), "value_currency": line.currency,
            "weight": round(max(line.unit_weight_g, 1) / 1000, 3), "weight_unit": "KG",
        } for line in request.customs],
        "content_type": "merchandise", "incoterm": "DAP", "commercial_invoice": True, "invoice": request.shipment,
        "invoice_date": date.today().isoformat(), "certify": True, "signer": request.sender.name,
        "duty": {"paid_by": "recipient", "currency": currency}}


def _service(carrier: str, account: CarrierAccount, level: str) -> str:
    return str(account.options.get(f"service_{level}") or SERVICES[carrier].get(level) or SERVICES[carrier]["standard"])


def _problem(code: str, messages: list[Any], what: str) -> CarrierRefused | CarrierUnavailable:
    """karrio's messages as fahuo's failure: the carrier's codes and words, never the request."""
    errors = [m for m in messages if getattr(m, "level", None) in (None, "error")] or messages
    said = "; ".join(f"{m.code} {m.message}".strip() for m in errors)[:300]
    later = any(str(m.code) in TRY_LATER_CODES or any(w in str(m.message).lower() for w in TRY_LATER_WORDS)
                for m in errors)
    return (CarrierUnavailable if later else CarrierRefused)(code, f"{what}: {said or 'no answer'}")


class KarrioCarrier(CarrierAdapter):
    """The adapter; karrio's connection caches (its carriers' OAuth tokens, keyed by credentials) live as long
    as it does, one per carrier system (sandbox, production, another address), so a token is asked for once,
    not once per call, and only of the system that issued it."""

    def __init__(self) -> None:
        self._caches: dict[tuple[str, bool, str], Any] = {}

    def warm_up(self) -> None:
        """Load karrio and the carriers fahuo maps, so the first packer to book abroad does not wait for it."""
        for carrier in CREDENTIALS:
            _ = _karrio().sdk.gateway.providers[carrier]

    async def _run(self, conn: Connection, operation: str, payload: dict[str, Any]) -> tuple[Any, list[Any]]:
        """One karrio operation (`rate`, `shipment`, `void`, `track`) in a worker thread, given up after the
        account's timeout: what karrio parsed, and its messages."""
        carrier, account = _carrier(conn), conn.needs_account()

        def blocking() -> tuple[Any, list[Any]]:
            kit = _karrio()
            cache = self._caches.setdefault((carrier, account.sandbox, account.base_url), kit.lib.Cache())
            try:
                gateway = kit.sdk.gateway[carrier].create(_settings(conn, carrier), cache=cache)
                return kit.operations[operation](payload).from_(gateway).parse()
            except kit.errors.ParsedMessagesError as error:  # no token: credentials refused, or not now
                return None, list(error.messages)
            except kit.errors.ShippingSDKError as error:  # karrio could not even ask (settings it refuses)
                raise CarrierRefused(conn.code, f"{operation}: {error.code}") from None

        try:
            return await asyncio.wait_for(asyncio.to_thread(blocking), account.timeout_s)
        except (TimeoutError, OSError) as error:
            raise CarrierUnavailable(conn.code, f"{operation}: {type(error).__name__}") from None

    async def create_waybill(self, conn: Connection, request: WaybillRequest) -> Waybill:
        carrier, account = _carrier(conn), conn.needs_account()
        customs = _customs(conn.code, request) if request.abroad else None
        shipment = {
            "service": _service(carrier, account, request.service_level),
            "shipper": _address(request.sender, request.sender.place),
            "recipient": _address(request.recipient, request.recipient.place),
            "parcels": _parcels(request, ", ".join(line.description for line in request.customs) or request.goods),
            "customs": customs,
            "options": {"currency": request.customs[0].currency, "declared_value": float(sum(
                line.unit_value * line.qty for line in request.customs))} if customs else {},
            "reference": request.shipment, "order_id": request.shipment,
            "label_type": str(account.options.get("label", "ZPL")).upper()}
        details, messages = await self._run(conn, "shipment", shipment)
        if details is None or not details.tracking_number:
            raise _problem(conn.code, messages, "shipment")
        label = details.docs.label if details.docs else None
        return Waybill(details.tracking_number, self._routing(details),
                       label=base64.b64decode(label) if label else None,
                       label_format=(details.label_type or "").lower() or None)

    @staticmethod
    def _routing(details: Any) -> dict[str, str]:
        """The identifier karrio voids by, where the carrier's differs from its tracking number."""
        if details.shipment_identifier and details.shipment_identifier != details.tracking_number:
            return {"shipmentIdentifier": str(details.shipment_identifier)}
        return {}

    async def cancel_waybill(self, conn: Connection, waybill: str, reference: str) -> None:
        if not waybill:
            return  # nothing was issued under this reference that fahuo knows of
        confirmation, messages = await self._run(conn, "void", {"shipment_identifier": waybill})
        if confirmation is None or not confirmation.success:
            raise _problem(conn.code, messages, "void")

    async def fetch_tracking(self, conn: Connection, waybill: str, dispatched_at: datetime, origin: str,
                             destination: str, now: datetime) -> list[TrackingUpdate]:
        found, messages = await self._run(conn, "track", {"tracking_numbers": [waybill]})
        details = [d for d in found or [] if d.tracking_number == waybill]
        if not details:
            if any(getattr(m, "level", None) in (None, "error") for m in messages):
                raise _problem(conn.code, messages, "track")
            return []  # not in the carrier's system (yet): nothing to tell
        return [u for u in (self._update(conn.code, e) for e in details[0].events) if u is not None]

    @staticmethod
    def _update(code: str, event: Any) -> TrackingUpdate | None:
        status = str(event.status or "")
        if status in SILENT:
            return None
        at = _moment(event)
        if at is None:
            return None
        kind = STATUSES.get(status, "in_transit")
        return TrackingUpdate(f"{code}-{event.code or kind}-{at:%Y%m%d%H%M%S}"[:64], kind,
                              str(event.description or kind)[:300], str(event.location or "")[:200], at)

    async def quote(self, conn: Connection, request: QuoteRequest) -> Quote | None:
        """The carrier's live rate for the service the level asks for, in CNY; a rate in another currency is no
        quote (the rate table counts)."""
        account = conn.needs_account()
        carrier = _carrier(conn)
        if not account.options.get("quote", True) or request.destination.country == request.origin.country:
            return None
        service = _service(carrier, account, request.service_level)
        rates, messages = await self._run(conn, "rate", {
            "shipper": _address(None, request.origin), "recipient": _address(None, request.destination),
            "parcels": _parcels(request), "services": [service]})
        offers = [r for r in rates or [] if r.service == service] or list(rates or [])
        if not offers:
            if messages:
                raise _problem(conn.code, messages, "rate")
            return None
        offer = min(offers, key=lambda r: r.total_charge or 0)
        if (offer.currency or "").upper() != "CNY":
            log.warning("carrier %s quoted in %s, not CNY: its rate table counts", conn.code, offer.currency)
            return None
        try:
            price = Decimal(str(offer.total_charge))
        except InvalidOperation:
            return None
        arrives = date.today() + timedelta(days=offer.transit_days) if offer.transit_days else None
        return Quote(price, arrives, str(offer.service))


def _moment(event: Any) -> datetime | None:
    """When a tracking event happened; carriers give local times without a zone, which fahuo reads as UTC."""
    for value in (event.timestamp, f"{event.date}T{event.time or '00:00'}" if event.date else None):
        if not value:
            continue
        try:
            at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            continue
        return at if at.tzinfo else at.replace(tzinfo=UTC)
    return None
