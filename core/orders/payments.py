"""Payment of prepaid orders: the link a customer pays by, the provider's signed word that the money came, and
what happens to stock held for a payment that never came.

A prepaid order is reserved at once, so the goods are there when the money arrives; but not forever. After
`unpaid_hold_hours` the policy decides: cancel the order, or give the stock back and wait for the payment
(`awaiting_payment`), allocating again when it arrives.

Paying online goes through a `PaymentProvider`: fahuo asks it for a checkout page for the order (a `Payment`
with an unguessable token), the customer pays there, and the provider calls back, signed, to say so. Only a
callback whose signature holds marks the order paid, once however often it comes. The built-in simulated
provider's checkout page is fahuo's own `/pay/{token}`; a real provider (Alipay, WeChat Pay) is another
implementation of the same interface, with its own page and signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from tortoise import fields
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.db import in_callers_transaction, lock_rows, retry_on_conflict
from core.base.errors import Conflict, InvalidInput, InvalidTransition, NotFound, Unauthorized
from core.base.events import emit
from core.base.i18n import phrase
from core.base.settings import Settings
from core.orders.allocation import allocate_order, offer_freed
from core.orders.order import (
    CLOSED,
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentState,
    order_by_number,
    release_order_stock,
    transition,
)

HELD_FOR_PAYMENT = (OrderStatus.ALLOCATED, OrderStatus.BACKORDERED)


async def expire_unpaid(settings: Settings, now: datetime) -> list[str]:
    """Orders whose payment did not come in time; safe to run again (a handled order no longer matches).
    The stock they give back goes to orders waiting for it."""
    cutoff = now - timedelta(hours=settings.unpaid_hold_hours)
    due = await Order.filter(payment_method=PaymentMethod.PREPAID, payment_state=PaymentState.PENDING,
                             status__in=HELD_FOR_PAYMENT, created_at__lt=cutoff).order_by("id")
    handled = []
    why = phrase("history.not_paid", hours=settings.unpaid_hold_hours)
    for order in due:
        async with in_transaction():
            fresh = await Order.get(id=order.id)
            if fresh.status not in HELD_FOR_PAYMENT or fresh.payment_state != PaymentState.PENDING:
                continue  # paid or moved on meanwhile
            freed = await release_order_stock(fresh)
            target = OrderStatus.CANCELLED if settings.unpaid_policy == "cancel" else OrderStatus.AWAITING_PAYMENT
            await transition(fresh, target, "scheduler", why)
            await offer_freed(freed, "scheduler")
        handled.append(order.number)
    return handled




@retry_on_conflict
async def record_payment(number: str, actor: str, settings: Settings) -> Order:
    """The money arrived. An order that had given its stock back is allocated again."""
    async with in_transaction():
        order = await order_by_number(number)
        await _mark_paid(order, actor, settings)
    return order


@in_callers_transaction
async def _mark_paid(order: Order, actor: str, settings: Settings) -> None:
    """The order is paid from now on; runs in the caller's transaction. Paid already is fine (a payment
    callback may come twice); a cancelled or rejected order cannot be paid (the money goes back)."""
    if order.payment_state == PaymentState.PAID:
        return
    if order.status in CLOSED:
        raise InvalidTransition(document=order.number, current=order.status, action="paid (refund it instead)",
                                kind="order")
    if not await Order.filter(id=order.id).exclude(payment_state=PaymentState.PAID).update(
            payment_state=PaymentState.PAID):
        return  # another copy of the same news got here first
    order.payment_state = PaymentState.PAID
    await emit("order.paid", {"order": order.number, "total": str(order.total), "currency": order.currency,
                              "customer_id": order.customer_id, "channel": order.channel})  # type: ignore[attr-defined]
    if order.status == OrderStatus.AWAITING_PAYMENT:
        await transition(order, OrderStatus.APPROVED, actor, phrase("history.payment_received"))
        await allocate_order(order, actor, settings)


@in_callers_transaction
async def refund_on_close(order: Order) -> None:
    """An order closed after it was paid online: its money goes back. Each payment becomes due for refund and
    managers are told, as when money arrives after the close; runs in the caller's transaction."""
    for payment in await Payment.filter(order_id=order.id, status=PaymentStatus.PAID):
        if await Payment.filter(id=payment.id, status=PaymentStatus.PAID).update(status=PaymentStatus.REFUND_DUE):
            await emit("payment.refund_due", {"order": order.number, "amount": str(payment.amount),
                                              "currency": payment.currency, "ref": payment.provider_ref or ""})


# -- paying online ------------------------------------------------------------------------------------------


class PaymentStatus(StrEnum):
    PENDING = "pending"  # the link was given; the provider has not called back
    PAID = "paid"  # the provider said so, signed
    REFUND_DUE = "refund_due"  # paid for an order that was cancelled or rejected meanwhile: the money goes back


class Payment(Model):
    """One attempt to pay an order online: the link the customer was given, and what the provider said."""

    id = fields.IntField(primary_key=True)
    token = fields.CharField(max_length=64, unique=True)  # in the link: unguessable, so the link is the key
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "fahuo.Order", related_name="payments", on_delete=fields.CASCADE)
    provider = fields.CharField(max_length=32)
    amount = fields.DecimalField(max_digits=14, decimal_places=2)
    currency = fields.CharField(max_length=3)
    status = fields.CharEnumField(PaymentStatus, max_length=16, default=PaymentStatus.PENDING)
    provider_ref = fields.CharField(max_length=64, null=True)  # the provider's own number for the payment
    expires_at = fields.DatetimeField()
    paid_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "payment"
        indexes = (("order_id",),)


@dataclass(frozen=True)
class PaymentLink:
    """Where the customer pays, for how much, and until when."""

    order: str
    url: str
    token: str
    amount: Decimal
    currency: str
    expires_at: datetime


@dataclass(frozen=True)
class Notice:
    """A provider's callback as sent: the bytes the signature covers, and the signature."""

    body: bytes
    signature: str


class NoticeIn(BaseModel):
    """What a provider's callback says (the simulated provider's form; a real one is translated to it)."""

    model_config = ConfigDict(extra="ignore")
    token: str = Field(min_length=16, max_length=64)
    ref: str = Field(min_length=1, max_length=64)
    amount: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    currency: str = Field(min_length=3, max_length=3)
    status: str = Field(max_length=16)


class PaymentProvider(Protocol):
    """A payment service fahuo can send customers to. `checkout_url` is where the customer pays a payment;
    `verify` says whether a callback really comes from the provider; `read` turns its body into a NoticeIn."""

    code: str

    def checkout_url(self, payment: Payment, settings: Settings) -> str: ...

    def verify(self, notice: Notice, settings: Settings) -> bool: ...

    def read(self, body: bytes) -> NoticeIn: ...


def sign(secret: str, body: bytes) -> str:
    """HMAC-SHA256 of the body under the shared secret, in hex: how the simulated provider signs a callback."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class SimulatedProvider:
    """A stand-in payment service: its checkout page is fahuo's own `/pay/{token}`, where pressing Pay is paying,
    and it signs its callback with `payment_secret` like a real provider with its shared key."""

    code = "simulated"

    def checkout_url(self, payment: Payment, settings: Settings) -> str:
        return f"{settings.base_url}/pay/{payment.token}"

    def verify(self, notice: Notice, settings: Settings) -> bool:
        return bool(settings.payment_secret) and hmac.compare_digest(sign(settings.payment_secret, notice.body),
                                                                     notice.signature.strip().lower())

    def read(self, body: bytes) -> NoticeIn:
        try:
            return NoticeIn.model_validate_json(body)
        except ValidationError as exc:
            raise InvalidInput(detail=phrase("refuse.bad_callback")) from exc

    def pay(self, payment: Payment, settings: Settings) -> Notice:
        """The customer paid on the checkout page: the callback the provider now sends to fahuo, signed."""
        body = json.dumps({"token": payment.token, "ref": f"SIM-{secrets.token_hex(6).upper()}",
                           "amount": str(payment.amount), "currency": payment.currency, "status": "paid"},
                          separators=(",", ":")).encode()
        return Notice(body, sign(settings.payment_secret, body))


PROVIDERS: dict[str, PaymentProvider] = {SimulatedProvider.code: SimulatedProvider()}


def provider_for(code: str) -> PaymentProvider:
    provider = PROVIDERS.get(code)
    if provider is None:
        raise NotFound(what="payment provider", key=code[:32])
    return provider


class NothingToPay(InvalidTransition):
    """The order is not one to pay online now: cash on delivery or credit, paid already, or closed."""

    code = "nothing_to_pay"


@retry_on_conflict
async def start_payment(number: str, settings: Settings, *, customer_id: int | None = None,
                        now: datetime | None = None) -> PaymentLink:
    """The link a customer pays a prepaid order by. Asking again while a link is still good gives the same link
    (a customer pressing "pay" twice pays once); an expired one is replaced. `customer_id` limits it to that
    customer's own orders (another's reads as not found)."""
    now = now or datetime.now(UTC)
    provider = provider_for(settings.payment_provider)
    async with in_transaction():
        order = await order_by_number(number)
        if customer_id is not None and order.customer_id != customer_id:  # type: ignore[attr-defined]
            raise NotFound(what="order", key=number)
        await lock_rows(Order, "id", [order.id])  # two presses at once make one payment
        if order.payment_method != PaymentMethod.PREPAID or order.payment_state != PaymentState.PENDING \
                or order.status in CLOSED:
            raise NothingToPay(order=order.number, status=order.status, payment=order.payment_state)
        payment = await Payment.filter(order_id=order.id, status=PaymentStatus.PENDING, provider=provider.code,
                                       amount=order.total, expires_at__gt=now).order_by("-id").first()
        if payment is None:
            payment = await Payment.create(
                token=secrets.token_urlsafe(24), order_id=order.id, provider=provider.code, amount=order.total,
                currency=order.currency, expires_at=now + timedelta(minutes=settings.payment_link_minutes))
    return PaymentLink(order.number, provider.checkout_url(payment, settings), payment.token, payment.amount,
                       payment.currency, payment.expires_at)


class CheckoutState(StrEnum):
    """What the checkout page shows."""

    OPEN = "open"  # pay now
    PAID = "paid"
    EXPIRED = "expired"  # ask the chat for a new link
    CLOSED = "closed"  # the order was cancelled or rejected: nothing to pay


@dataclass(frozen=True)
class Checkout:
    payment: Payment
    order: Order
    state: CheckoutState
    lines: list[dict[str, Any]]  # sku, name, name_zh, qty, unit_price


async def checkout(token: str, now: datetime | None = None) -> Checkout:
    """A payment link as its page shows it; NotFound for a token that is no link of ours."""
    now = now or datetime.now(UTC)
    payment = await Payment.get_or_none(token=token[:64]).prefetch_related("order")
    if payment is None:
        raise NotFound(what="payment link")
    order: Order = payment.order
    if payment.status != PaymentStatus.PENDING or order.payment_state == PaymentState.PAID:
        state = CheckoutState.PAID
    elif order.status in CLOSED:
        state = CheckoutState.CLOSED
    elif payment.expires_at <= now:
        state = CheckoutState.EXPIRED
    else:
        state = CheckoutState.OPEN
    lines = await order.lines.all().order_by("id").values(  # type: ignore[attr-defined]
        "qty", "unit_price", sku="product__sku", name="product__name", name_zh="product__name_zh")
    return Checkout(payment, order, state, lines)


async def pay_simulated(token: str, settings: Settings, now: datetime | None = None) -> Notice:
    """The customer pressed Pay on the simulated provider's page: the signed callback it now sends to fahuo.
    Nothing is recorded here: like any provider's payment, it counts only when the callback arrives."""
    page = await checkout(token, now)
    if page.state != CheckoutState.OPEN:
        raise Conflict(detail=phrase("refuse.link_state", order=page.order.number,
                                     state=phrase(f"link.{page.state.value}")))
    provider = provider_for(page.payment.provider)
    if not isinstance(provider, SimulatedProvider):
        raise Conflict(detail=phrase("refuse.link_elsewhere"))
    return provider.pay(page.payment, settings)


@dataclass(frozen=True)
class CallbackResult:
    order: str
    payment: PaymentStatus
    replayed: bool  # the provider had told us before; nothing changed


@retry_on_conflict
async def receive_callback(provider_code: str, notice: Notice, settings: Settings) -> CallbackResult:
    """A provider's callback: accepted only with a valid signature; marks the order paid through the same step
    as any payment (an order waiting for it is allocated again). Safe to repeat: a callback that comes again
    (providers retry until answered) changes nothing. Money for an order closed meanwhile is kept as due for
    refund, and managers are told."""
    provider = provider_for(provider_code)
    if not provider.verify(notice, settings):
        raise Unauthorized(detail=phrase("refuse.callback_signature"))
    said = provider.read(notice.body)
    async with in_transaction():
        payment = await Payment.get_or_none(token=said.token, provider=provider.code).prefetch_related("order")
        if payment is None:
            raise NotFound(what="payment", key=said.ref)
        order: Order = payment.order
        if payment.status == PaymentStatus.PENDING:
            _check_amount(payment, said)
        status = PaymentStatus.REFUND_DUE if order.status in CLOSED else PaymentStatus.PAID
        # guarded on pending: of two copies arriving together, one changes the payment and the other waits, then
        # finds it changed
        if not await Payment.filter(id=payment.id, status=PaymentStatus.PENDING).update(
                status=status, provider_ref=said.ref, paid_at=datetime.now(UTC)):
            await payment.refresh_from_db(fields=["status"])
            return CallbackResult(order.number, payment.status, replayed=True)
        if status == PaymentStatus.PAID:
            await _mark_paid(order, f"payment:{provider.code}", settings)
        else:
            await emit("payment.refund_due", {"order": order.number, "amount": str(payment.amount),
                                              "currency": payment.currency, "ref": said.ref})
    return CallbackResult(order.number, status, replayed=False)


def _check_amount(payment: Payment, said: NoticeIn) -> None:
    """A callback for another sum than the link asked is not this payment's; refused, nothing recorded."""
    if (said.amount, said.currency, said.status) != (payment.amount, payment.currency, "paid"):
        raise Conflict(detail=phrase("refuse.callback_amount", status=said.status, amount=said.amount,
                                     currency=said.currency, asked=payment.amount, asked_currency=payment.currency))
