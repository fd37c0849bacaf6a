"""Order intake: any channel's order becomes one system-numbered order, reviewed and allocated.

Intake is idempotent per (channel, external_ref): the same order sent twice is one order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.base.db import add, add_if_new, in_callers_transaction, insert, retry_on_conflict
from core.base.errors import CustomsMissing, InvalidInput
from core.base.fields import HOME_COUNTRY
from core.base.i18n import MESSAGES, Phrase, kept, phrase
from core.base.numbering import next_number
from core.base.settings import Settings
from core.orders.allocation import allocate_order
from core.orders.customers import Customer, country_zone, customer_by_phone
from core.orders.delivery_days import delivery_window
from core.orders.order import (
    MAX_ORDER_TOTAL,
    AddressIn,
    CustomerIn,
    LineIn,
    Order,
    OrderEvent,
    OrderIn,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    ServiceLevel,
    line_total,
    order_by_external_ref,
)
from core.orders.review import Outcome, review_order
from core.stock.catalog import Product, products_by_sku
from core.stock.ledger import free_stock


@dataclass(frozen=True)
class Placed:
    order: Order
    created: bool  # False when the channel had sent this order before


async def _existing(channel: str, external_ref: str | None) -> Order | None:
    if external_ref is None:
        return None
    return await order_by_external_ref(channel, external_ref)


@in_callers_transaction
async def find_or_add_customer(data: OrderIn) -> tuple[Customer, bool]:
    """The customer with this phone number, and whether they were created just now."""
    if (found := await customer_by_phone(data.customer.phone)) is not None:
        return found, False
    address = data.address
    customer = await add_if_new(
        Customer, "phone",  # two first orders of one new customer may race here
        name=data.customer.name, phone=data.customer.phone, email=data.customer.email,
        telegram_id=data.customer.telegram_id, province=address.province, city=address.city,
        district=address.district, line1=address.line1, postcode=address.postcode, lat=address.lat, lon=address.lon,
        adcode=address.adcode, timezone=country_zone(address.country) if address.country != HOME_COUNTRY else "",
    )
    if customer is None:
        return await Customer.get(phone=data.customer.phone), False
    return customer, True


@retry_on_conflict
async def place_order(data: OrderIn, channel: str, actor: str, settings: Settings) -> Placed:
    """Take an order in, review it and, when it passes, reserve its stock: all in one transaction."""
    if (found := await _existing(channel, data.external_ref)) is not None:
        return Placed(found, created=False)
    if data.requested_date is not None:  # a day no carrier can make is refused, naming the earliest one can
        window = await delivery_window(data.address.province, data.address.country,
                                       [line.sku for line in data.lines], datetime.now(settings.tz))
        window.check(data.requested_date)
    products = await products_by_sku([line.sku for line in data.lines])
    number = await next_number("SO", settings.tz)
    try:
        async with in_transaction():
            order = await _record(data, channel, actor, number, products, settings)
    except IntegrityError:
        # the same external_ref arrived twice at once and the other copy committed first
        if (found := await _existing(channel, data.external_ref)) is not None:
            return Placed(found, created=False)
        raise
    return Placed(order, created=True)


def _declarable(data: OrderIn, products: dict[str, Product]) -> None:
    """An order abroad goes through customs: each of its products must have what the commercial invoice
    declares (HS code, country of origin, value), else the order is refused before anything is written."""
    if data.address.country == HOME_COUNTRY:
        return
    lacking = [line.sku for line in data.lines if not products[line.sku].declares_customs]
    if lacking:
        raise CustomsMissing(country=data.address.country, skus=", ".join(lacking))


async def _record(data: OrderIn, channel: str, actor: str, number: str, products: dict[str, Product],
                  settings: Settings) -> Order:
    _declarable(data, products)
    priced = [(line.qty, products[line.sku].price) for line in data.lines]
    if line_total(priced) > MAX_ORDER_TOTAL:
        raise InvalidInput(detail=phrase("refuse.order_too_big", limit=f"{MAX_ORDER_TOTAL:,}"))
    customer, is_new = await find_or_add_customer(data)
    address = data.address
    order = await add(
        Order,
        number=number, channel=channel, external_ref=data.external_ref, customer_id=customer.id,
        status=OrderStatus.SUBMITTED, recipient=address.recipient, phone=address.phone,
        province=address.province, city=address.city, district=address.district, line1=address.line1,
        postcode=address.postcode, country=address.country, lat=address.lat, lon=address.lon, adcode=address.adcode,
        address_doubts=[{"key": d.key, "params": d.params} for d in address.doubts], service_level=data.service_level,
        payment_method=data.payment_method, payment_state=data.payment_state, total=line_total(priced),
        currency=settings.currency, requested_date=data.requested_date, note=data.note, created_by=actor,
        partial_shipment=customer.partial_shipment if data.partial_shipment is None else data.partial_shipment,
        window_start=data.delivery_window.start if data.delivery_window else None,
        window_end=data.delivery_window.end if data.delivery_window else None,
    )
    lines = []
    for line in data.lines:
        product = products[line.sku]
        row = await add(OrderLine, order_id=order.id, product_id=product.id, qty=line.qty, unit_price=product.price)
        lines.append((row, product))
    await insert(OrderEvent, order_id=order.id, from_status=OrderStatus.DRAFT.value,
                 to_status=OrderStatus.SUBMITTED.value, actor=actor,
                 reason=kept(phrase("history.received", channel=channel_words(channel))))
    free = await free_stock([p.id for _, p in lines])
    if await review_order(order, customer, lines, settings, free, first_order=is_new) == Outcome.PASS:
        await allocate_order(order, "allocation", settings, lines, free)
    return order


PHONE_CHANNEL = "phone"


class PhoneOrderIn(BaseModel):
    """An order staff take on the phone: the caller, where it goes, what, and how it is paid. Paid or not is
    not theirs to say: a phone order starts unpaid (cash on delivery, credit, or awaiting prepayment)."""

    model_config = ConfigDict(extra="forbid")
    customer: CustomerIn
    address: AddressIn
    lines: list[LineIn] = Field(min_length=1, max_length=50)
    payment_method: PaymentMethod = PaymentMethod.COD
    service_level: ServiceLevel = ServiceLevel.STANDARD
    requested_date: date | None = None
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""


async def take_phone_order(data: PhoneOrderIn, actor: str, settings: Settings) -> Placed:
    """Place an order taken on the phone, reviewed like any other. An address the customer has on record keeps
    its coordinates, so the order can be routed without asking again."""
    address = data.address
    found = await Customer.get_or_none(phone=data.customer.phone)
    if found and ((address.lat is None or address.at_centre) and found.lat is not None and (
            found.city, found.line1) == (address.city, address.line1)):
        address = address.model_copy(update={"lat": found.lat, "lon": found.lon})
    order = OrderIn(customer=data.customer, address=address, lines=data.lines, payment_method=data.payment_method,
                    service_level=data.service_level, requested_date=data.requested_date, note=data.note)
    return await place_order(order, PHONE_CHANNEL, actor, settings)


def channel_words(channel: str) -> str | Phrase:
    """A sales channel as people call it: fahuo's own (Telegram, phone orders) in words, a shop by its name."""
    return phrase(f"channel.{channel}") if f"channel.{channel}" in MESSAGES else channel
