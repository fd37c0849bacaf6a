"""Orders: what a customer asked for, where it stands, and every step it took to get there."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError
from tortoise import fields, timezone
from tortoise.models import Model

from core.base.clock import ClockField
from core.base.db import by_number, change, fetch, fits, from_db, in_callers_transaction, insert, select
from core.base.errors import InvalidTransition, set_to
from core.base.events import emit
from core.base.fields import HOME_COUNTRY, MAX_ADDRESS_TEXT, AddressText, ClockTime, Country, ExternalRef, Qty, Sku
from core.base.i18n import DEFAULT_LANGUAGE, Phrase, kept, listed, named, phrase, render, unkept
from core.base.phones import display_phone
from core.base.places import Doubt, doubts_about, place_of, read_address, written
from core.base.regions import codes_of, in_words
from core.orders.customers import Phone, e164
from core.stock.ledger import Reservation, ReservationState, StockLevel, lock_levels, release_reservation
from core.stock.transfers import cancel_transfers_for_order


class OrderStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ON_HOLD = "on_hold"
    REJECTED = "rejected"
    APPROVED = "approved"
    ALLOCATED = "allocated"
    BACKORDERED = "backordered"
    AWAITING_PAYMENT = "awaiting_payment"  # prepaid, not paid in time: stock given back until it is
    PICKING = "picking"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


S = OrderStatus
# The one place that says which step may follow which.
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.CANCELLED}),
    S.SUBMITTED: frozenset({S.APPROVED, S.ON_HOLD, S.REJECTED, S.CANCELLED}),
    S.ON_HOLD: frozenset({S.APPROVED, S.REJECTED, S.CANCELLED}),
    S.APPROVED: frozenset({S.ALLOCATED, S.BACKORDERED, S.CANCELLED}),
    S.ALLOCATED: frozenset({S.PICKING, S.BACKORDERED, S.AWAITING_PAYMENT, S.CANCELLED}),
    S.BACKORDERED: frozenset({S.ALLOCATED, S.AWAITING_PAYMENT, S.CANCELLED}),
    S.AWAITING_PAYMENT: frozenset({S.APPROVED, S.CANCELLED}),
    S.PICKING: frozenset({S.PACKED, S.ALLOCATED, S.BACKORDERED, S.CANCELLED}),
    S.PACKED: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset(),
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
}
CLOSED = (S.CANCELLED, S.REJECTED)  # nothing to pay for any more


class PaymentMethod(StrEnum):
    PREPAID = "prepaid"
    COD = "cod"
    CREDIT = "credit"


class PaymentState(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    REFUNDED = "refunded"


class ServiceLevel(StrEnum):
    ECONOMY = "economy"
    STANDARD = "standard"
    EXPRESS = "express"


def place_codes(adcode: str) -> dict[str, str]:
    """A place's administrative codes at each level, as the API answers them beside its words."""
    codes = codes_of(adcode)
    return {"province_code": codes.province, "city_code": codes.city, "district_code": codes.district}


class Order(Model):
    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)
    channel = fields.CharField(max_length=32)
    external_ref = fields.CharField(max_length=64, null=True)
    customer = fields.ForeignKeyField("fahuo.Customer", related_name="orders", on_delete=fields.RESTRICT)
    status = fields.CharEnumField(OrderStatus, max_length=16, default=OrderStatus.SUBMITTED, db_index=True)
    # the delivery address as given with this order; the customer's record may change later
    recipient = fields.CharField(max_length=100)
    phone = fields.CharField(max_length=32)
    province = fields.CharField(max_length=64, default="")
    city = fields.CharField(max_length=64)
    district = fields.CharField(max_length=64, default="")
    line1 = fields.CharField(max_length=300)
    postcode = fields.CharField(max_length=16, default="")
    country = fields.CharField(max_length=2, default=HOME_COUNTRY)  # ISO 3166-1 alpha-2
    lat = fields.FloatField(null=True)
    lon = fields.FloatField(null=True)
    adcode = fields.CharField(max_length=12, default="")  # the district's administrative code, "" when not placed
    # what a person should check about the address as it was read: [{"key": …, "params": {…}}]
    address_doubts: list[dict[str, Any]] = fields.JSONField(default=list)  # type: ignore[assignment]
    service_level = fields.CharEnumField(ServiceLevel, max_length=16, default=ServiceLevel.STANDARD)
    payment_method = fields.CharEnumField(PaymentMethod, max_length=16, default=PaymentMethod.PREPAID)
    payment_state = fields.CharEnumField(PaymentState, max_length=16, default=PaymentState.PENDING)
    total = fields.DecimalField(max_digits=14, decimal_places=2, default=0)
    currency = fields.CharField(max_length=3, default="CNY")
    warehouse = fields.ForeignKeyField("fahuo.Warehouse", related_name="orders", null=True, on_delete=fields.RESTRICT)
    requested_date = fields.DateField(null=True)
    # when the customer can take a delivery by our own vans; none means any time in the drivers' shift
    window_start = ClockField(null=True)
    window_end = ClockField(null=True)
    partial_shipment = fields.BooleanField(default=False)
    note = fields.CharField(max_length=500, default="")
    review: list[dict[str, str]] = fields.JSONField(default=list)  # type: ignore[assignment]
    created_by = fields.CharField(max_length=100)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "sales_order"
        unique_together = (("channel", "external_ref"),)
        # the staff's order list pages newest first by id under each filter (a keyset, never OFFSET), and its
        # search finds a recipient's phone (core.order_list, core.finding)
        indexes = (("customer_id", "created_at"), ("status", "id"), ("warehouse_id", "id"), ("channel", "id"),
                   ("phone",))

    def __str__(self) -> str:
        return self.number


class OrderLine(Model):
    id = fields.IntField(primary_key=True)
    order = fields.ForeignKeyField("fahuo.Order", related_name="lines", on_delete=fields.CASCADE)
    product = fields.ForeignKeyField("fahuo.Product", related_name="order_lines", on_delete=fields.RESTRICT)
    qty = fields.IntField()
    unit_price = fields.DecimalField(max_digits=12, decimal_places=2)
    qty_reserved = fields.IntField(default=0)
    qty_transfer = fields.IntField(default=0)  # reserved in another warehouse, coming by transfer
    qty_backordered = fields.IntField(default=0)  # nobody has it yet: waiting for a purchase

    class Meta:
        table = "sales_order_line"
        indexes = (("order_id",),)


class OrderEvent(Model):
    id = fields.IntField(primary_key=True)
    order = fields.ForeignKeyField("fahuo.Order", related_name="history", on_delete=fields.CASCADE)
    from_status = fields.CharField(max_length=16, null=True)
    to_status = fields.CharField(max_length=16)
    actor = fields.CharField(max_length=100)
    reason = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "sales_order_event"
        indexes = (("order_id",),)
        ordering = ("id",)


# -- commands -------------------------------------------------------------------------------------------

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class CustomerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Text
    phone: Phone
    email: Annotated[str, StringConstraints(max_length=200)] = ""
    telegram_id: int | None = Field(default=None, ge=1, le=2**53)


SURE = 0.8  # below this a reading is a guess (a same-named district nothing else told apart): ask


class AddressIn(BaseModel):
    """Where an order goes: in parts, or as one `text` as people write it (the parts it names are read from it;
    parts given beside it win). Either way the address is placed: its administrative code, and coordinates
    (the given ones, else the district's centre), and the doubts a person should check."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=lambda schema: schema.update(
        required=[], anyOf=[{"required": ["text"]}, {"required": ["recipient", "phone", "line1"]}]))
    recipient: Text
    phone: Phone
    province: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = ""
    city: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = ""
    district: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = ""
    line1: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)]
    postcode: Annotated[str, StringConstraints(strip_whitespace=True, max_length=16)] = ""
    country: Country = HOME_COUNTRY
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    text: AddressText | None = Field(default=None, exclude=True, description=(
        "the whole address as people write it, e.g. 张三 13800138000 北京市朝阳区建国路88号; "
        "recipient, phone and the parts are read from it unless given; an order may also send its address as "
        "this text alone, a string, and it then goes to the customer unless the text names someone else"))
    _adcode: str = PrivateAttr("")
    _doubts: list[Doubt] = PrivateAttr(default_factory=list)
    _centre: bool = PrivateAttr(False)  # the coordinates are the district's centre, not given
    _confidence: float = PrivateAttr(0.0)  # how sure the place is, 0–1 (core.base.places)
    _guess: str = PrivateAttr("")  # why it is not sure ("district_renamed" …), ReadAddress.guess

    @model_validator(mode="before")
    @classmethod
    def _read_text(cls, data: Any) -> Any:
        if isinstance(data, str):
            data = {"text": data}
        if not isinstance(data, dict) or not isinstance(data.get("text"), str) or not data["text"].strip() \
                or len(data["text"]) > MAX_ADDRESS_TEXT:
            return data  # nothing to read, or the field's own check says what is wrong
        read = read_address(data["text"])
        found = {"recipient": read.name, "phone": read.phone, "province": read.province, "city": read.city,
                 "district": read.district, "line1": read.line if len(read.line) >= 3 else data["text"].strip()[:300],
                 "postcode": read.postcode, "lat": read.lat, "lon": read.lon}
        return {**{k: v for k, v in found.items() if v not in ("", None)},
                **{k: v for k, v in data.items() if v not in ("", None)}}

    @model_validator(mode="after")
    def _place(self) -> AddressIn:
        if not (self.city or self.district or self.text):
            raise PydanticCustomError("invalid.address_place", "give the city (or the whole address as text)")
        if self.country != HOME_COUNTRY:  # the divisions known are the home country's: abroad, the carrier places it
            return self
        if self.text is not None:  # the customer's words: where the phone they wrote is from may tell too
            read = read_address(self.text)
            read = replace(read, postcode=self.postcode, phone=self.phone if read.phone else "")
            doubts = doubts_about(read, street=True)
        else:  # a channel's parts: the phone may be anyone's, the buyer's not the recipient's
            self.province, self.city, self.district = (in_words(self.province), in_words(self.city, self.province),
                                                       in_words(self.district, self.city))
            placed = place_of(self.province, self.city, self.district, "" if self.district else self.line1)
            if not self.postcode and placed.placed:  # the district's, as for an address read from text
                self.postcode = placed.postcode
            read = replace(placed, postcode=self.postcode)
            doubts = doubts_about(read, phone_region_said="")
        self._adcode, self._doubts, self._confidence, self._guess = read.adcode, doubts, read.confidence, read.guess
        if self.lat is None or self.lon is None:
            self.lat, self.lon, self._centre = read.lat, read.lon, read.lat is not None
        return self

    @property
    def sure(self) -> bool:
        """Placed without a doubt: a person need not look at it again."""
        return not self._doubts and self._confidence >= SURE

    @property
    def guess(self) -> str:
        """Why the district is not sure, when it is not: a catalogue key under "doubt." and "review."."""
        return self._guess or "district_guessed"

    @property
    def at_centre(self) -> bool:
        """The coordinates are the district's centre: any given for the very place are better."""
        return self._centre

    @property
    def adcode(self) -> str:
        return self._adcode

    @property
    def doubts(self) -> list[Doubt]:
        """What a person should check about this address (no district found, a postcode or a phone of another
        province): the review holds the order for them."""
        return self._doubts




class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: Sku
    qty: Qty


class WindowIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: ClockTime
    end: ClockTime

    @model_validator(mode="after")
    def _start_before_end(self) -> WindowIn:
        if self.start >= self.end:
            raise PydanticCustomError("invalid.window_order", "a delivery window must start before it ends")
        return self


class OrderIn(BaseModel):
    """An order as a sales channel sends it."""

    model_config = ConfigDict(extra="forbid")
    external_ref: ExternalRef | None = None
    customer: CustomerIn
    address: AddressIn
    lines: list[LineIn] = Field(min_length=1, max_length=200)
    payment_method: PaymentMethod = PaymentMethod.PREPAID
    payment_state: PaymentState = PaymentState.PENDING
    service_level: ServiceLevel = ServiceLevel.STANDARD
    requested_date: date | None = None
    partial_shipment: bool | None = None
    delivery_window: WindowIn | None = None
    note: Annotated[str, StringConstraints(max_length=500)] = ""

    @model_validator(mode="before")
    @classmethod
    def _to_the_customer(cls, data: Any) -> Any:
        """An address sent as text alone goes to the customer, unless the text names another recipient."""
        if not isinstance(data, dict) or not isinstance(customer := data.get("customer"), dict):
            return data
        address = {"text": data["address"]} if isinstance(data.get("address"), str) else data.get("address")
        if not isinstance(address, dict) or not isinstance(address.get("text"), str) \
                or len(address["text"]) > MAX_ADDRESS_TEXT:
            return data
        read = read_address(address["text"])
        given = {k: v for k, v in address.items() if v not in ("", None)}
        return {**data, "address": {"recipient": read.name or customer.get("name"),
                                    "phone": read.phone or customer.get("phone"), **given}}

    @field_validator("lines")
    @classmethod
    def _each_sku_once(cls, lines: list[LineIn]) -> list[LineIn]:
        seen: set[str] = set()
        for line in lines:
            if line.sku in seen:
                raise PydanticCustomError("invalid.sku_twice", "SKU {sku} appears twice; send one line per product",
                                         {"sku": line.sku})
            seen.add(line.sku)
        return lines


# -- status changes -------------------------------------------------------------------------------------


@in_callers_transaction
async def transition(order: Order, to: OrderStatus, actor: str, reason: str | Phrase = "", *, announce: bool = True,
                     **also: Any) -> None:
    """Move an order one step, if the step is allowed from where it stands; records history and an event.

    `reason` is a phrase (said to each reader in their language) or a person's own words (a manager's).
    `also` are fields decided by the same step (the review result, the warehouse), written in the same update.
    `announce=False` leaves the event to the caller, who tells of several orders' steps in one."""
    current = OrderStatus(order.status)
    if to not in TRANSITIONS[current]:
        raise InvalidTransition(document=order.number, current=current.value, action=set_to("order", to),
                                kind="order")
    # guarded on the status we read: a concurrent change makes this fail instead of being overwritten.
    # Plain statements (as are the history row and the event): every order passes here several times.
    if not await change(Order, {"id": order.id, "status": current}, status=to, updated_at=timezone.now(), **also):
        fresh = await Order.get(id=order.id)
        raise InvalidTransition(document=order.number, current=fresh.status, action=set_to("order", to),
                                kind="order")
    order.status = to
    for name, value in also.items():
        setattr(order, name, value)
    await insert(OrderEvent, order_id=order.id, from_status=current.value, to_status=to.value, actor=actor,
                 reason=kept(reason))
    if not announce:
        return
    await emit(
        f"order.{to.value}",
        {"order": order.number, "from": current.value, "status": to.value, "reason": render(reason, DEFAULT_LANGUAGE),
         "reason_zh": render(reason, "zh"),  # the reason in both languages, for each reader's (bot.notifier)
         "customer_id": order.customer_id, "channel": order.channel},  # type: ignore[attr-defined]
    )


async def order_by_number(number: str) -> Order:
    return await by_number(Order, number, "order")


async def order_by_external_ref(channel: str, external_ref: str) -> Order | None:
    """The order a channel sent under its own id, if any: every intake asks (a plain statement)."""
    found = await select(Order, 'SELECT * FROM "sales_order" WHERE "channel"=? AND "external_ref"=?',
                         channel, external_ref)
    return found[0] if found else None


@in_callers_transaction
async def release_order_stock(order: Order) -> set[tuple[int, int]]:
    """Give back every unit the order holds, here and in transfers that have not left yet. Returns the
    (product, warehouse) pairs given back, for the caller to offer to waiting orders once its step is done."""
    line_ids = await OrderLine.filter(order_id=order.id).values_list("id", flat=True)
    await lock_levels(await OrderLine.filter(order_id=order.id).values_list("product_id", flat=True))
    reservations = await Reservation.filter(order_line_id__in=line_ids, state=ReservationState.ACTIVE)
    for reservation in reservations:
        await release_reservation(reservation)
    freed = set(await StockLevel.filter(id__in={r.level_id for r in reservations}).values_list(  # type: ignore[attr-defined]
        "product_id", "warehouse_id"))
    freed |= await cancel_transfers_for_order(order.id)
    await OrderLine.filter(order_id=order.id).update(qty_reserved=0, qty_transfer=0, qty_backordered=0)
    return freed  # type: ignore[return-value]


class Plan(StrEnum):
    """What a just-placed order will do, as its customer should first hear it."""

    READY = "ready"  # every unit reserved in the warehouse that ships it: being made ready
    TRANSFER = "transfer"  # some units come from another warehouse first; nothing is missing
    BACKORDER = "backorder"  # some units nobody has yet: they wait for a purchase
    HELD = "held"  # a person looks at it first
    OTHER = "other"  # rejected, awaiting payment, …: said by its status


async def order_plan(order: Order) -> Plan:
    """The plan allocation made for the order, read from its lines: "backordered" is the status of an order that
    waits for a transfer too, which is not what a customer who ordered only what is in stock should read."""
    if order.status == OrderStatus.ON_HOLD:
        return Plan.HELD
    if order.status not in (OrderStatus.ALLOCATED, OrderStatus.BACKORDERED):
        return Plan.OTHER
    lines = await OrderLine.filter(order_id=order.id).values_list("qty_transfer", "qty_backordered")
    if any(backordered for _, backordered in lines):
        return Plan.BACKORDER
    return Plan.TRANSFER if any(transfer for transfer, _ in lines) else Plan.READY


def root_number(number: str) -> str:
    """The order a follow-on continues: SO-20261123-00042-2 → SO-20261123-00042 (an order is its own root)."""
    return "-".join(number.split("-")[:3])


def follow_on_note(order: Order) -> str:
    """What a follow-on order (the rest of a partial shipment) says of the order it continues: a phrase, kept in
    its note and said to each reader in their language."""
    return kept(phrase("order.rest_of", order=order.number))


async def order_view(order: Order) -> dict[str, Any]:
    """Everything a person asks about an order: status, lines, reservations, review and history.

    Four plain statements: every placed order is answered with this, and customers and staff poll it."""
    lines = await fetch(
        'SELECT p."sku", p."name", p."name_zh", p."barcode", l."qty", l."unit_price", l."qty_reserved", '
        'l."qty_transfer", l."qty_backordered" FROM "sales_order_line" l JOIN "product" p ON p."id" = l."product_id" '
        'WHERE l."order_id" = ? ORDER BY l."id"', order.id)
    reservations = await fetch(
        'SELECT p."sku", loc."code", r."qty" FROM "reservation" r '
        'JOIN "sales_order_line" l ON l."id" = r."order_line_id" JOIN "product" p ON p."id" = l."product_id" '
        'JOIN "stock_level" s ON s."id" = r."level_id" JOIN "location" loc ON loc."id" = s."location_id" '
        'WHERE l."order_id" = ? AND r."state" = ? ORDER BY r."id"', order.id, ReservationState.ACTIVE.value)
    history = await select(OrderEvent, 'SELECT * FROM "sales_order_event" WHERE "order_id" = ? ORDER BY "id"',
                           order.id)
    names = await fetch('SELECT c."name", (SELECT w."code" FROM "warehouse" w WHERE w."id" = ?) AS "warehouse" '
                        'FROM "customer" c WHERE c."id" = ?', order.warehouse_id, order.customer_id)  # type: ignore[attr-defined]
    return {
        "number": order.number,
        "status": order.status,
        "channel": order.channel,
        "external_ref": order.external_ref,
        "customer": {"id": order.customer_id, "name": names[0]["name"]},  # type: ignore[attr-defined]
        "address": {
            "recipient": order.recipient, "phone": order.phone, "phone_display": display_phone(order.phone),
            "province": order.province, "city": order.city,
            "district": order.district, "line1": order.line1, "postcode": order.postcode, "country": order.country,
            "adcode": order.adcode, **place_codes(order.adcode),
            "written": written(order.province, order.city, order.district, order.line1),  # on one line
        },
        "warehouse": names[0]["warehouse"],
        "payment_method": order.payment_method,
        "payment_state": order.payment_state,
        "service_level": order.service_level,
        "requested_date": order.requested_date.isoformat() if order.requested_date else None,
        "total": str(order.total),
        "currency": order.currency,
        "lines": [
            {"sku": ln["sku"], "name": ln["name"], "name_zh": ln["name_zh"] or ln["name"], "barcode": ln["barcode"],
             "qty": ln["qty"],
             "unit_price": str(from_db(OrderLine, "unit_price", ln["unit_price"])),
             "reserved": ln["qty_reserved"], "in_transfer": ln["qty_transfer"], "backordered": ln["qty_backordered"]}
            for ln in lines
        ],
        "reservations": [{"sku": r["sku"], "location": r["code"], "qty": r["qty"]} for r in reservations],
        "review": order.review,
        "note": unkept(order.note),  # the customer's, or "rest of SO-…" (a phrase) on a follow-on order
        "history": [
            {"from": h.from_status, "to": h.to_status, "by": h.actor, "reason": unkept(h.reason),
             "at": h.created_at.isoformat()}
            for h in history
        ],
        "created_at": order.created_at.isoformat(),
    }


async def list_orders(status: OrderStatus | None = None, phone: str | None = None, limit: int = 100,
                      lang: str = DEFAULT_LANGUAGE) -> list[dict[str, Any]]:
    """Orders newest first, in a status or of the customer with a phone (in any spelling; a phone that is no
    number is BadPhone), each as a line of a list: who, how much, and why it is held if it is (in `lang`)."""
    orders = Order.all().order_by("-id")
    if status:
        orders = orders.filter(status=status)
    if phone:
        orders = orders.filter(customer__phone=e164(phone))
    return [{"number": o.number, "status": o.status, "customer": o.customer.name, "total": str(o.total),
             "channel": o.channel, "created_at": o.created_at.isoformat(),
             "hold_reason": _why(o, lang)} for o in await orders.limit(limit).prefetch_related("customer")]


def _why(order: Order, lang: str) -> str:
    """Why review did not pass the order, in the reader's language (older orders kept their reasons in English
    only)."""
    return render(listed([r.get("said") or r["reason"] for r in order.review if r["outcome"] != "pass"], way="clauses"),
                  lang)


MAX_ORDER_TOTAL = Decimal("999999999999.99")  # what the order's total column (14 digits, 2 decimals) holds


def line_total(lines: list[tuple[int, Decimal]]) -> Decimal:
    return sum((qty * price for qty, price in lines), Decimal(0))


# -- what a customer may see of their own orders ------------------------------------------------------------


@dataclass(frozen=True)
class CustomerOrder:
    """One of a customer's orders as they see it: where it stands, what is in it (SKU, quantity)."""

    id: int
    number: str
    status: OrderStatus
    requested_date: date | None
    lines: list[tuple[str, int]]
    names: dict[str, Phrase] = field(default_factory=dict)  # each SKU's product name, said in the reader's language
    payment_method: PaymentMethod = PaymentMethod.PREPAID
    payment_state: PaymentState = PaymentState.PAID

    @property
    def may_cancel(self) -> bool:
        return OrderStatus.CANCELLED in TRANSITIONS[self.status]

    @property
    def awaits_payment(self) -> bool:
        """One to pay online now (prepaid, not paid, not closed): its view offers "pay online"."""
        return (self.payment_method == PaymentMethod.PREPAID and self.payment_state == PaymentState.PENDING
                and self.status not in CLOSED)


async def customer_order(number: str, customer_id: int) -> CustomerOrder | None:
    """The customer's own order with this number; anyone else's does not exist for them (None).

    The busiest question a bot gets, so one plain statement (bench/bot.py)."""
    if not fits(Order, "number", number):
        return None
    rows = await fetch(
        'SELECT o."id", o."status", o."requested_date", o."payment_method", o."payment_state", p."sku", p."name", '
        'p."name_zh", l."qty" FROM "sales_order" o '
        'JOIN "sales_order_line" l ON l."order_id" = o."id" JOIN "product" p ON p."id" = l."product_id" '
        'WHERE o."number" = ? AND o."customer_id" = ? ORDER BY l."id"', number, customer_id)
    if not rows:
        return None
    wanted = from_db(Order, "requested_date", rows[0]["requested_date"])
    first = rows[0]
    return CustomerOrder(first["id"], number, OrderStatus(first["status"]), wanted,
                         [(r["sku"], r["qty"]) for r in rows], {r["sku"]: named(r["name"], r["name_zh"]) for r in rows},
                         PaymentMethod(first["payment_method"]), PaymentState(first["payment_state"]))


async def orders_of_customer(customer_id: int, statuses: tuple[OrderStatus, ...] = (), limit: int = 10
                             ) -> list[Order]:
    """The customer's latest orders (in these statuses, when given), newest first."""
    query = Order.filter(customer_id=customer_id)
    if statuses:
        query = query.filter(status__in=statuses)
    return await query.order_by("-id").limit(limit)
