"""Dispatch: load a shipment's packages onto a vehicle by scans, then confirm it left.

Loading starts with the vehicle's label (FH:VEH:<plate>); each package label must belong to the shipment.
Confirming checks every package is on board, then in one transaction moves the goods from their bins to
the customer, ends the reservations, marks the order shipped, issues the numbered delivery note (unless it
was printed before) and shipment confirmation, and records the `shipment.dispatched` event the customer's
notification is sent from.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from core.base.auth import Staff
from core.base.db import in_callers_transaction, retry_on_conflict
from core.base.errors import Conflict, InvalidTransition, WrongScan
from core.base.events import emit
from core.base.i18n import DEFAULT_LANGUAGE, Phrase, listed, phrase
from core.base.settings import Settings
from core.floor.qr import Kind, Payload
from core.orders.order import OrderLine, OrderStatus, transition
from core.shipping.documents import DocumentKind, issue
from core.shipping.fleet import Vehicle, loading_order, out_of_order, planned_vehicle
from core.shipping.shipments import Package, Shipment, ShipmentStatus, shipment_by_number, shipment_view, tracking_url
from core.shipping.tracking import follow_later
from core.stock.ledger import MoveReason, Reservation, ReservationState, consume_reservation
from core.stock.warehouses import LocationKind, virtual_location

LOADABLE = (ShipmentStatus.BOOKED, ShipmentStatus.LOADING)


def _loadable(shipment: Shipment) -> None:
    if shipment.status in (ShipmentStatus.PACKED, ShipmentStatus.STUCK):
        raise InvalidTransition(document=shipment.number, current=phrase("state.packed_no_carrier"), action="loaded")
    if shipment.status not in LOADABLE:
        raise InvalidTransition(document=shipment.number, current=shipment.status, action="loaded", kind="shipment")


async def _vehicle_for(shipment: Shipment, plate: str) -> None:
    """Own-fleet shipments go on one of the warehouse's vans, the planned one if there is a plan. An outside
    carrier's shipment goes on no vehicle of ours, nor on a plate nobody knows: it is handed to their courier."""
    if not shipment.carrier.own_fleet:
        raise WrongScan(got=phrase("got.vehicle", plate=plate),
                        expected=phrase("expect.courier", shipment=shipment.number,
                                        carrier=shipment.carrier.names))
    vehicle = await Vehicle.get_or_none(plate=plate, active=True, warehouse_id=shipment.warehouse_id)
    if vehicle is None:
        plates = await Vehicle.filter(warehouse_id=shipment.warehouse_id, active=True).order_by(
            "plate").values_list("plate", flat=True)
        raise WrongScan(got=phrase("got.unknown_vehicle", plate=plate),
                        expected=phrase("expect.own_van", plates=listed(list(plates))) if plates
                        else phrase("expect.no_vans"))
    planned = await planned_vehicle(shipment.id)
    if planned is not None and planned.plate != plate:
        raise WrongScan(got=phrase("got.vehicle", plate=plate),
                        expected=phrase("expect.vehicle_planned", plate=planned.plate))


@in_callers_transaction
async def load_scan(number: str, payload: Payload, staff: Staff) -> dict[str, Any]:
    shipment = await shipment_by_number(number)
    _loadable(shipment)
    packages = await Package.filter(shipment_id=shipment.id).order_by("seq")
    waiting = [p.number for p in packages if p.loaded_at is None]
    if payload.kind == Kind.VEHICLE:
        if shipment.vehicle_plate and shipment.vehicle_plate != payload.value and len(waiting) < len(packages):
            raise WrongScan(got=phrase("got.vehicle", plate=payload.value),
                            expected=phrase("expect.vehicle_loading", plate=shipment.vehicle_plate))
        await _vehicle_for(shipment, payload.value)
        await Shipment.filter(id=shipment.id).update(status=ShipmentStatus.LOADING, vehicle_plate=payload.value)
        shipment.status, shipment.vehicle_plate = ShipmentStatus.LOADING, payload.value
        return await _progress(shipment, packages, phrase("load.onto", plate=payload.value))
    if shipment.carrier.own_fleet and not shipment.vehicle_plate:
        raise WrongScan(got=str(payload), expected=phrase("expect.vehicle_first"))
    if payload.kind != Kind.PACKAGE:
        raise WrongScan(got=str(payload), expected=_a_package_of(number, waiting))
    package = next((p for p in packages if p.number == payload.value), None)
    if package is None:
        raise WrongScan(got=phrase("got.foreign_package", package=payload.value, shipment=number),
                        expected=_a_package_of(number, waiting))
    if package.loaded_at is not None:
        return await _progress(shipment, packages, phrase("load.already", package=package.number))
    package.loaded_at = datetime.now(UTC)
    await Package.filter(id=package.id, loaded_at__isnull=True).update(loaded_at=package.loaded_at,
                                                                       loaded_by=staff.username)
    if shipment.status != ShipmentStatus.LOADING:
        await Shipment.filter(id=shipment.id).update(status=ShipmentStatus.LOADING)
        shipment.status = ShipmentStatus.LOADING
    if not shipment.carrier.own_fleet:
        said = phrase("load.handed", package=package.number, carrier=shipment.carrier.names)
        return await _progress(shipment, packages, said)
    return await _progress(shipment, packages, phrase("load.loaded", package=package.number),
                           await out_of_order(shipment))


def _a_package_of(number: str, waiting: list[str]) -> Phrase:
    if not waiting:
        return phrase("expect.all_loaded")
    return phrase("expect.package", shipment=number, waiting=", ".join(waiting))


def _ready(shipment: Shipment, waiting: list[str]) -> bool:
    return not waiting and (bool(shipment.vehicle_plate) or not shipment.carrier.own_fleet)


async def _progress(shipment: Shipment, packages: list[Package], message: Phrase,
                    flag: Phrase | None = None) -> dict[str, Any]:
    """Where loading stands; `flag` says what was done out of the planned loading order (done, not refused)."""
    waiting = [p.number for p in packages if p.loaded_at is None]
    order = await loading_order(shipment) if shipment.vehicle_plate else []
    return {"shipment": shipment.number, "status": shipment.status, "vehicle": shipment.vehicle_plate,
            "own_fleet": shipment.carrier.own_fleet, "carrier": shipment.carrier.names,
            "loaded": len(packages) - len(waiting), "packages": len(packages), "waiting": waiting,
            "message": message, "out_of_order": flag, "loading_order": order, "ready": _ready(shipment, waiting)}


@retry_on_conflict
async def confirm_dispatch(number: str, staff: Staff, settings: Settings,
                           lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """The loaded shipment leaves: stock out, order shipped, both papers sealed; answered in `lang`."""
    async with in_transaction():
        shipment = await shipment_by_number(number)
        _loadable(shipment)
        if shipment.carrier.own_fleet and not shipment.vehicle_plate:
            raise Conflict(detail=phrase("refuse.no_vehicle_yet", shipment=number))
        missing = await Package.filter(shipment_id=shipment.id, loaded_at__isnull=True).order_by("seq").values_list(
            "number", flat=True)
        if missing:
            raise Conflict(detail=phrase("refuse.not_loaded", shipment=number, packages=listed(list(missing))))
        order = shipment.order
        if order.status != OrderStatus.PACKED:
            raise InvalidTransition(document=order.number, current=order.status, action="shipped", kind="order")
        customer = await virtual_location(shipment.warehouse.id, LocationKind.CUSTOMER)
        line_ids = await OrderLine.filter(order_id=order.id).values_list("id", flat=True)
        for reservation in await Reservation.filter(order_line_id__in=line_ids, state=ReservationState.ACTIVE):
            await consume_reservation(reservation, customer, MoveReason.SHIPMENT, document=number,
                                      actor=staff.actor)
        now = datetime.now(UTC)
        if not await Shipment.filter(id=shipment.id, status__in=LOADABLE).update(
                status=ShipmentStatus.DISPATCHED, dispatched_at=now, dispatched_by=staff.username):
            raise Conflict(detail=phrase("refuse.changed_meanwhile", document=number))
        shipment.status, shipment.dispatched_at, shipment.dispatched_by = ShipmentStatus.DISPATCHED, now, \
            staff.username
        await transition(order, OrderStatus.SHIPPED, staff.actor,
                         phrase("history.shipped", shipment=number, plate=shipment.vehicle_plate,
                                waybill=shipment.waybill) if shipment.vehicle_plate else
                         phrase("history.handed", shipment=number, carrier=shipment.carrier.names,
                                waybill=shipment.waybill))
        # both papers are sealed as the goods leave, whether or not anyone printed the note before
        note = await issue(DocumentKind.DELIVERY_NOTE, shipment, staff.actor, settings)
        confirmation = await issue(DocumentKind.CONFIRMATION, shipment, staff.actor, settings)
        await emit("shipment.dispatched", {
            "shipment": number, "order": order.number, "customer_id": order.customer_id,  # type: ignore[attr-defined]
            "carrier": shipment.carrier.names if shipment.carrier else None, "waybill": shipment.waybill,
            "eta": shipment.eta.isoformat() if shipment.eta else None, "vehicle": shipment.vehicle_plate,
            "tracking_url": tracking_url(shipment, settings), "confirmation": confirmation.number,
            "delivery_note": note.number,
        })
        await follow_later(shipment)
    return {**await shipment_view(shipment, settings, lang), "confirmation": confirmation.number,
            "delivery_note": note.number}
