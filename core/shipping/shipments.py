"""Shipments: an order's packages on their way, the carrier chosen for them, and the waybill it issued."""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.db import by_number, in_callers_transaction
from core.base.errors import Conflict, InvalidTransition, NotFound
from core.base.events import emit
from core.base.fields import HOME_COUNTRY
from core.base.i18n import DEFAULT_LANGUAGE, SEPARATOR, named, phrase, render
from core.base.jobs import Job, Later, Policy, enqueue, handles
from core.base.settings import Settings
from core.floor.qr import Kind, encode
from core.orders.order import Order, OrderLine, ServiceLevel
from core.shipping.carrier_api import (
    CarrierError,
    CarrierRefused,
    CarrierUnavailable,
    CustomsLine,
    Party,
    Place,
    QuoteRequest,
    Size,
    Waybill,
    WaybillRequest,
)
from core.shipping.carrier_calls import Issued, failure_words, issue_waybill, live_quotes
from core.shipping.carriers import Carrier, Choice, Parcel, Said, bilingual, choose_carrier, connect, eligible
from core.stock.catalog import Product


class ShipmentStatus(StrEnum):
    PACKED = "packed"  # packed, no carrier booked yet (or its system failed: asked again)
    STUCK = "stuck"  # no carrier is allowed to take it: a manager picks one the rules allow or changes the address
    BOOKED = "booked"  # a carrier issued the waybill
    LOADING = "loading"  # a vehicle was scanned and packages are going on
    DISPATCHED = "dispatched"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


BOOKABLE = (ShipmentStatus.PACKED, ShipmentStatus.STUCK, ShipmentStatus.BOOKED)
log = logging.getLogger(__name__)


class Shipment(Model):
    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "fahuo.Order", related_name="shipments", on_delete=fields.RESTRICT
    )
    warehouse = fields.ForeignKeyField("fahuo.Warehouse", related_name="shipments", on_delete=fields.RESTRICT)
    status = fields.CharEnumField(ShipmentStatus, max_length=16, default=ShipmentStatus.PACKED, db_index=True)
    carrier: fields.ForeignKeyNullableRelation[Carrier] = fields.ForeignKeyField(
        "fahuo.Carrier", related_name="shipments", null=True, on_delete=fields.RESTRICT
    )
    waybill = fields.CharField(max_length=64, null=True, db_index=True)
    # what the carrier's label must show beside the waybill (e.g. SF's destination route label), and its own
    # label where it drew one
    routing: dict[str, str] = fields.JSONField(default=dict)  # type: ignore[assignment]
    carrier_label = fields.BinaryField(null=True)
    carrier_label_format = fields.CharField(max_length=8, null=True)
    choice: dict[str, Any] = fields.JSONField(default=dict)  # type: ignore[assignment]
    price = fields.DecimalField(max_digits=12, decimal_places=2, null=True)
    eta = fields.DateField(null=True)
    # the key of the public tracking page: unguessable, so the page needs no login
    tracking_token = fields.CharField(max_length=43, unique=True)
    vehicle_plate = fields.CharField(max_length=16, null=True)
    dispatched_at = fields.DatetimeField(null=True)
    dispatched_by = fields.CharField(max_length=100, null=True)
    delivered_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "shipment"
        indexes = (("order_id",),)


def new_tracking_token() -> str:
    return secrets.token_urlsafe(24)


async def shipment_by_number(number: str) -> Shipment:
    return await by_number(Shipment, number, "shipment", "order", "carrier", "warehouse")


async def parcel_of(shipment: Shipment, packages: list[Package]) -> Parcel:
    """What the shipment asks of a carrier: where it goes (by code), its goods, its heaviest and longest package."""
    product_ids = await OrderLine.filter(order_id=shipment.order.id).values_list("product_id", flat=True)
    classes = await Product.filter(id__in=product_ids).values_list("goods_class", flat=True)
    heaviest = max((p.weight_g for p in packages), default=0)
    longest = max((max(p.length_mm, p.width_mm, p.height_mm) for p in packages), default=0)
    order = shipment.order
    return Parcel(order.province, frozenset(str(c) for c in classes), heaviest, longest,
                  ServiceLevel(order.service_level), order.requested_date, order.country, order.adcode)


def _waybill_request(shipment: Shipment, packages: list[Package], lines: list[OrderLine],
                     settings: Settings) -> WaybillRequest:
    order, warehouse = shipment.order, shipment.warehouse
    sender = Party(settings.company_name, settings.company_phone,
                   Place(warehouse.province, warehouse.city, "", warehouse.address, country=HOME_COUNTRY),
                   company=warehouse.name)
    recipient = Party(order.recipient, order.phone,
                      Place(order.province, order.city, order.district, order.line1, order.postcode, order.country))
    goods = "、".join(f"{ln.product.name_zh or ln.product.name}×{ln.qty}" for ln in lines)[:120]
    customs = () if order.country == HOME_COUNTRY else tuple(
        CustomsLine(ln.product.sku, ln.product.name, ln.qty, ln.product.hs_code, ln.product.origin_country,
                    ln.product.customs_value if ln.product.customs_value is not None else ln.unit_price,
                    ln.product.weight_g, order.currency) for ln in lines)
    sizes = tuple(Size(p.weight_g, p.length_mm, p.width_mm, p.height_mm) for p in packages)
    return WaybillRequest(shipment.number, sender, recipient, len(packages), sum(p.weight_g for p in packages),
                          goods, str(order.service_level), customs, sizes)


async def book_carrier(number: str, actor: str, settings: Settings, *, carrier_code: str | None = None,
                       now: datetime | None = None, attempt: int = 1) -> Shipment:
    """Choose the carrier (or take the one a manager named, if the rules allow it) and get its waybill.

    Carriers that quote are priced by their live quote, the others by their rate table. The carriers'
    systems are called outside any database transaction, for `carrier_wait_s` at most: a carrier that fails
    hands over to the next one the rules allow (not when a manager named it), and when none is left the
    shipment stays packed, the request is tried again through the outbox and a manager is told. If
    recording the booking fails, the new waybill is cancelled again."""
    shipment = await shipment_by_number(number)
    # carriers' cut-offs and arrival days are the warehouse's clock and calendar
    now = (now or datetime.now(UTC)).astimezone(shipment.warehouse.zone(settings.tz))
    if shipment.status not in BOOKABLE:
        raise InvalidTransition(document=number, current=shipment.status, action="booked with a carrier",
                                kind="shipment")
    packages = await Package.filter(shipment_id=shipment.id).order_by("seq")
    parcel = await parcel_of(shipment, packages)
    carriers = await Carrier.filter(active=True).order_by("code")
    lines = await OrderLine.filter(order_id=shipment.order.id).prefetch_related("product")
    request = _waybill_request(shipment, packages, lines, settings)
    weight = request.weight_g
    quotes = await live_quotes(eligible(carriers, parcel), QuoteRequest(
        request.sender.place, request.recipient.place, weight, request.service_level), settings, now)
    choice = choose_carrier(carriers, parcel, weight, now, quotes)
    if carrier_code is not None:
        _override(choice, carrier_code)
    if choice.chosen is None:
        await _record_no_carrier(shipment, choice)
        return shipment
    issued = await issue_waybill(choice, carriers, request, settings, fall_back=carrier_code is None)
    if issued.carrier is None or issued.waybill is None:
        # asked again later with the same reference, a carrier that made the order silently answers with it
        await _book_later(shipment, choice, issued, carrier_code, attempt, settings, now)
        return await shipment_by_number(number)
    if issued.unsure:  # another carrier took it: one that fell silent may have made the order
        async with in_transaction():
            for unsure in issued.unsure:
                await cancel_waybill_later(unsure, "", number)
    await _record_booking(shipment, choice, issued, settings)
    return await shipment_by_number(number)


async def _record_booking(shipment: Shipment, choice: Choice, issued: Issued, settings: Settings) -> None:
    carrier, waybill = issued.carrier, issued.waybill
    assert carrier is not None and waybill is not None
    order, number = shipment.order, shipment.number
    old = (shipment.carrier, shipment.waybill)
    option = choice.ranked[0]
    try:
        async with in_transaction():
            if not await Shipment.filter(id=shipment.id, status=shipment.status).update(
                    status=ShipmentStatus.BOOKED, carrier_id=carrier.id, waybill=waybill.number,
                    routing=waybill.routing, carrier_label=waybill.label, carrier_label_format=waybill.label_format,
                    choice=choice.as_dict(), price=option["price"], eta=option["arrives"]):
                raise Conflict(detail=phrase("refuse.changed_meanwhile", document=number))
            await _number_packages(shipment, waybill)
            await emit("shipment.booked", {"shipment": number, "order": order.number, "carrier": carrier.code,
                                           "waybill": waybill.number, "why": choice.summary})
            if choice.fallbacks and issued.failure is not None:
                await _tell_failure(shipment, choice.fallbacks[-1]["carrier"], issued.failure,
                                    bilingual("carrier.took_over", carrier=carrier.code))
            if choice.date_missed:
                await emit("shipment.date_missed", {
                    "shipment": number, "order": order.number, "requested": choice.requested,
                    "carrier": carrier.names, "arrives": option["arrives"]}, dedupe_key=f"date_missed:{number}")
    except BaseException:
        adapter, conn = connect(carrier, settings)
        await adapter.cancel_waybill(conn, waybill.number, number)
        raise
    if old[0] is not None and old[1] and old[1] != waybill.number:
        async with in_transaction():
            await cancel_waybill_later(old[0], old[1], number)


@in_callers_transaction
async def _tell_failure(shipment: Shipment, carrier: str, failure: CarrierError, then: Said) -> None:
    """A manager hears that a carrier's system failed, and what fahuo does about it. Runs in the caller's
    transaction."""
    why = failure_words(failure)
    await emit("shipment.carrier_failed", {
        "shipment": shipment.number, "order": shipment.order.number, "carrier": carrier, "why": why["en"],
        "why_zh": why["zh"], "next": then["en"], "next_zh": then["zh"]},
        dedupe_key=f"carrier_failed:{shipment.number}:{carrier}")


async def _book_later(shipment: Shipment, choice: Choice, issued: Issued, carrier_code: str | None, attempt: int,
                      settings: Settings, now: datetime) -> None:
    """No carrier issued a waybill: a job asks again later (waiting longer each time), and a manager is told on
    the first failure and again when fahuo gives up."""
    failure = issued.failure or CarrierUnavailable(choice.chosen or "", "no answer")
    failed = carrier_code or failure.carrier
    async with in_transaction():
        await Shipment.filter(id=shipment.id).update(choice=choice.as_dict())
        if attempt > settings.waybill_retries:
            why = bilingual("carrier.gave_up", carrier=failed, tries=attempt)
            await emit("shipment.no_carrier", {"shipment": shipment.number, "order": shipment.order.number,
                                               "why": why["en"], "why_zh": why["zh"]},
                       dedupe_key=f"no_carrier:{shipment.number}:{attempt}")
            return
        due = now + timedelta(minutes=min(2 ** attempt, 60))
        await enqueue(BOOK, {"shipment": shipment.number, "carrier": carrier_code, "attempt": attempt + 1},
                      key=f"{BOOK}:{shipment.number}:{attempt + 1}", due=due)
        if attempt == 1:
            await _tell_failure(shipment, failed, failure, bilingual("carrier.retrying"))


BOOK = "waybill.book"  # ask the carriers again for a waybill none issued at packing


@handles(BOOK)
async def _book_again(job: Job, settings: Settings) -> bool:
    """One more try at a shipment's waybill (a job `_book_later` enqueued); a shipment booked or cancelled
    meanwhile needs nothing more. True when it is booked now."""
    number = job.payload["shipment"]
    if not await Shipment.exists(number=number, status=ShipmentStatus.PACKED):
        return False
    shipment = await book_carrier(number, "fahuo", settings, carrier_code=job.payload.get("carrier"),
                                  attempt=int(job.payload["attempt"]))
    return shipment.status == ShipmentStatus.BOOKED


def _override(choice: Choice, code: str) -> None:
    """A person's pick of carrier: allowed among those the hard rules let through, never around them."""
    refused = next((r for r in choice.rejected if r["carrier"] == code), None)
    if refused is not None:
        why = named(SEPARATOR["en"].join(refused["reasons"]),
                    SEPARATOR["zh"].join(refused.get("reasons_zh", refused["reasons"])))
        raise Conflict(detail=phrase("refuse.carrier_cannot", carrier=code, reasons=why))
    picked = next((o for o in choice.ranked if o["carrier"] == code), None)
    if picked is None:
        raise NotFound(what="carrier", key=code)
    choice.ranked.remove(picked)
    staff = bilingual("carrier.by_staff")
    choice.ranked.insert(0, {**picked, "why": staff["en"], "why_zh": staff["zh"]})
    choice.chosen = code
    choice.set_basis(staff)


async def _record_no_carrier(shipment: Shipment, choice: Choice) -> None:
    """No carrier is allowed to take the shipment: it is stuck until a manager resolves it (core.shipping.stuck)."""
    async with in_transaction():
        await Shipment.filter(id=shipment.id).update(choice=choice.as_dict(), status=ShipmentStatus.STUCK)
        await emit("shipment.no_carrier", {"shipment": shipment.number, "order": shipment.order.number,
                                           "why": choice.summary, "why_zh": choice.summary_zh},
                   dedupe_key=f"no_carrier:{shipment.number}")
    shipment.choice, shipment.status = choice.as_dict(), ShipmentStatus.STUCK


@in_callers_transaction
async def cancel_open_shipments(order_id: int) -> None:
    """The order was cancelled before it left: its shipments stop, and their waybills are cancelled."""
    for shipment in await Shipment.filter(order_id=order_id, status__in=(*BOOKABLE, ShipmentStatus.LOADING)
                                          ).prefetch_related("carrier"):
        await Shipment.filter(id=shipment.id).update(status=ShipmentStatus.CANCELLED)
        if shipment.carrier and shipment.waybill:
            await cancel_waybill_later(shipment.carrier, shipment.waybill, shipment.number)


CANCEL = "waybill.cancel"  # tell a carrier a waybill is void


@in_callers_transaction
async def cancel_waybill_later(carrier: Carrier, waybill: str, shipment: str) -> None:
    """Ask for the carrier to be told by a job, once the caller's transaction has committed: no carrier's system
    is called while order rows are locked, a rolled-back cancel tells no one, and a carrier that is down is asked
    again later without holding back any other carrier's cancellations."""
    await enqueue(CANCEL, {"carrier": carrier.code, "waybill": waybill, "shipment": shipment},
                  key=f"{CANCEL}:{carrier.code}:{waybill}:{shipment}")


@handles(CANCEL, Policy(tries=12))
async def _tell_cancel(job: Job, settings: Settings) -> bool:
    """Tell the carrier of one waybill to cancel. Carriers accept a cancel of a waybill they have already
    cancelled, so a try that is repeated after a crash does no harm; one the carrier refuses is final."""
    carrier = await Carrier.get_or_none(code=job.payload["carrier"])
    if carrier is None:
        return False
    adapter, conn = connect(carrier, settings)
    try:
        await adapter.cancel_waybill(conn, job.payload["waybill"], job.payload["shipment"])
    except CarrierRefused as refused:  # asking again will not change its answer
        log.warning("carrier %s refused the cancel of %s: %s", carrier.code, job.payload["shipment"],
                    refused.reason)
        return False
    except CarrierError as failed:
        raise Later(f"{carrier.code}: {failed}") from failed
    return True


def tracking_url(shipment: Shipment, settings: Settings) -> str:
    return f"{settings.base_url}/t/{shipment.tracking_token}"


def choice_in(choice: Any, lang: str) -> Any:
    """A stored carrier choice as a reader of `lang` sees it: each text kept in both languages (`basis` beside
    `basis_zh`, `reasons` beside `reasons_zh`, …) says the reader's one under its plain name; the `_zh` texts
    stay for programs."""
    if isinstance(choice, list):
        return [choice_in(item, lang) for item in choice]
    if not isinstance(choice, dict):
        return choice
    said = {key: choice_in(value, lang) for key, value in choice.items()}
    if lang != DEFAULT_LANGUAGE:
        said |= {key: said[f"{key}_{lang}"] for key in choice if f"{key}_{lang}" in choice}
    return said


async def shipment_view(shipment: Shipment, settings: Settings, lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """A shipment as staff see it; the carrier's choice is said in `lang` (see choice_in)."""
    await shipment.fetch_related("order", "carrier", "warehouse")
    packages = await Package.filter(shipment_id=shipment.id).order_by("id")
    carrier_name = render(shipment.carrier.names, lang) if shipment.carrier else None
    return {
        "number": shipment.number,
        "order": shipment.order.number,
        "warehouse": shipment.warehouse.code,
        "status": shipment.status,
        "carrier": shipment.carrier.code if shipment.carrier else None,
        "carrier_name": carrier_name,  # in the reader's words
        # the same name, under the field the floor app reads, and who takes it away: our van, or their courier
        "carrier_said": carrier_name,
        "own_fleet": bool(shipment.carrier and shipment.carrier.own_fleet),
        "waybill": shipment.waybill,
        "routing": shipment.routing,
        "price": None if shipment.price is None else str(shipment.price),
        "eta": shipment.eta.isoformat() if shipment.eta else None,
        "choice": choice_in(shipment.choice, lang),
        "vehicle": shipment.vehicle_plate,
        "dispatched_at": shipment.dispatched_at.isoformat() if shipment.dispatched_at else None,
        "dispatched_by": shipment.dispatched_by,
        "delivered_at": shipment.delivered_at.isoformat() if shipment.delivered_at else None,
        "tracking_url": tracking_url(shipment, settings),
        "packages": [package_view(p) for p in packages],
    }


class Package(Model):
    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)
    shipment: fields.ForeignKeyRelation[Shipment] = fields.ForeignKeyField(
        "fahuo.Shipment", related_name="packages", on_delete=fields.RESTRICT
    )
    seq = fields.IntField()  # 1 of n
    # the carrier's number for this package: the shipment's waybill for the first, a child waybill (子单号)
    # for each further one where the carrier issues them
    waybill = fields.CharField(max_length=64, null=True)
    weight_g = fields.IntField()
    length_mm = fields.IntField()
    width_mm = fields.IntField()
    height_mm = fields.IntField()
    contents: list[dict[str, Any]] = fields.JSONField()  # type: ignore[assignment]  # [{"sku", "qty"}]
    loaded_at = fields.DatetimeField(null=True)
    loaded_by = fields.CharField(max_length=100, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "package"
        indexes = (("shipment_id",),)


async def package_by_number(number: str) -> Package:
    return await by_number(Package, number, "package", "shipment__order")


@in_callers_transaction
async def _number_packages(shipment: Shipment, waybill: Waybill) -> None:
    """Each package's own waybill number: the main one for the first, the carrier's child waybills for the
    others; where it gives none, a package travels on the main number. Call inside a transaction."""
    numbers = (waybill.number, *waybill.children)
    for package in await Package.filter(shipment_id=shipment.id).order_by("seq"):
        own = numbers[package.seq - 1] if package.seq <= len(numbers) else waybill.number
        await Package.filter(id=package.id).update(waybill=own)


def package_view(p: Package) -> dict[str, Any]:
    return {"number": p.number, "seq": p.seq, "waybill": p.waybill, "weight_g": p.weight_g,
            "size_mm": [p.length_mm, p.width_mm, p.height_mm], "contents": p.contents,
            "qr": encode(Kind.PACKAGE, p.number), "loaded": p.loaded_at is not None,
            "loaded_at": p.loaded_at.isoformat() if p.loaded_at else None}
