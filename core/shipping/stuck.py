"""Shipments stuck without a carrier: packed, but no carrier's rules allow them (where it goes, the goods,
weight, size, speed). Managers see them on the dashboard and in the staff app, each with the reasons in words,
and resolve one by naming a carrier the rules allow, or by changing the address (the carrier is then chosen
again)."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from core.base.db import retry_on_conflict
from core.base.errors import InvalidTransition
from core.base.i18n import kept, named, phrase
from core.base.places import written
from core.base.settings import Settings
from core.orders.order import AddressIn, Order, OrderEvent, place_codes
from core.shipping.carriers import Carrier, eligible
from core.shipping.shipments import Package, Shipment, ShipmentStatus, book_carrier, parcel_of, shipment_by_number


async def count_stuck(warehouse: str | None = None) -> int:
    """How many shipments wait for a manager because no carrier is allowed to take them."""
    found = Shipment.filter(status=ShipmentStatus.STUCK)
    return await (found.filter(warehouse__code=warehouse) if warehouse else found).count()


async def stuck_shipments(warehouse: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """The stuck shipments, oldest first: where each goes (in words and by code), why no carrier may take it (a
    phrase, said in the reader's language) and the carriers its rules allow now (after a carrier's data or the
    address changed), a manager's to pick."""
    found = Shipment.filter(status=ShipmentStatus.STUCK)
    if warehouse:
        found = found.filter(warehouse__code=warehouse)
    shipments = await found.order_by("id").limit(limit).prefetch_related("order", "warehouse")
    carriers = await Carrier.filter(active=True).order_by("code")
    listed = []
    for shipment in shipments:
        order = shipment.order
        parcel = await parcel_of(shipment, await Package.filter(shipment_id=shipment.id).order_by("seq"))
        listed.append({
            "shipment": shipment.number, "order": order.number, "warehouse": shipment.warehouse.code,
            "recipient": order.recipient,
            "place": written(order.province, order.city, order.district, order.line1),
            "adcode": order.adcode, **place_codes(order.adcode),
            "why": named(shipment.choice.get("summary", ""), shipment.choice.get("summary_zh")),
            "allowed": [c.code for c in eligible(carriers, parcel)],
            "packed_at": shipment.created_at.isoformat(),
        })
    return listed


@retry_on_conflict
async def readdress_stuck(number: str, address: AddressIn, actor: str, settings: Settings) -> Shipment:
    """A manager corrects where a stuck shipment goes: the order takes the new address (placed again, kept in its
    history with the old one), and the carrier is chosen again for it."""
    async with in_transaction():
        shipment = await shipment_by_number(number)
        if shipment.status != ShipmentStatus.STUCK:
            raise InvalidTransition(document=number, current=shipment.status, action="given a new address",
                                    kind="shipment")
        order = await Order.select_for_update().get(id=shipment.order.id)
        before = written(order.province, order.city, order.district, order.line1)
        fields = {**address.model_dump(include={"recipient", "phone", "province", "city", "district", "line1",
                                                "postcode", "country", "lat", "lon"}),
                  "adcode": address.adcode,
                  "address_doubts": [{"key": d.key, "params": d.params} for d in address.doubts]}
        await Order.filter(id=order.id).update(**fields)
        after = written(address.province, address.city, address.district, address.line1)
        await OrderEvent.create(order_id=order.id, from_status=order.status, to_status=order.status, actor=actor,
                                reason=kept(phrase("history.readdressed", before=before, after=after)))
    return await book_carrier(number, actor, settings)
