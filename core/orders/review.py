"""Order review: a list of rules, each saying pass, hold (a manager decides) or reject, with a reason."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from tortoise.transactions import in_transaction

from core.base.db import in_callers_transaction, retry_on_conflict
from core.base.errors import InvalidInput, InvalidTransition
from core.base.i18n import Phrase, listed, money, named, phrase, text
from core.base.settings import Settings
from core.orders.allocation import allocate_order
from core.orders.customers import Customer
from core.orders.order import Order, OrderLine, OrderStatus, PaymentMethod, PaymentState, order_by_number, transition
from core.orders.payments import refund_on_close
from core.stock.catalog import Product
from core.stock.ledger import FreeStock, free_stock


class Outcome(StrEnum):
    PASS = "pass"
    HOLD = "hold"
    REJECT = "reject"


SEVERITY = {Outcome.PASS: 0, Outcome.HOLD: 1, Outcome.REJECT: 2}


@dataclass(frozen=True)
class RuleResult:
    rule: str
    outcome: Outcome
    reason: str  # in English, for the order's history
    said: Phrase | None = None  # the same as a phrase, so a reader hears it in their own language


@dataclass
class ReviewCase:
    order: Order
    customer: Customer
    lines: list[tuple[OrderLine, Product]]
    settings: Settings
    free: FreeStock  # read once for review and allocation
    first_order: bool = False  # the customer was created with this order, so it can have no twin


Rule = Callable[[ReviewCase], Awaitable[RuleResult]]


def _result(rule: str, outcome: Outcome, key: str, **params: Any) -> RuleResult:
    """A rule's outcome, its reason the catalogue's `review.<key>` filled with `params`."""
    return RuleResult(rule, outcome, text(f"review.{key}", "en", **params), phrase(f"review.{key}", **params))


async def customer_in_good_standing(case: ReviewCase) -> RuleResult:
    if case.customer.blocked:
        return _result("customer", Outcome.REJECT, "blocked")
    return _result("customer", Outcome.PASS, "good_standing")


# What was found when an address was read (core.base.places) that only a person can settle: where it is.
NEEDS_A_PERSON = frozenset({"address_unplaced", "parts_disagree", "street_missing", "postcode_elsewhere"})
PHONE_ELSEWHERE = "phone_elsewhere"
# a house number: "88号", "3009弄", "2号楼", "1201室", "B座", "No. 5", "5-2", a number ending or leading the line
_HOUSE_NUMBER = re.compile(r"[0-9一二三四五六七八九十百零]+\s*(号|弄|栋|幢|座|室|单元|楼|层|#|-)"
                           r"|[A-Za-z]\s*座|No\.?\s*\d|\d\s*$|^\s*\d+\s+\w", re.IGNORECASE)


def holds_for(doubt: str, settings: Settings) -> bool:
    """Whether a doubt found when an address was read holds the order for a person (else it is a note)."""
    return doubt in NEEDS_A_PERSON or (doubt == PHONE_ELSEWHERE and settings.hold_phone_region)


def ends_at_landmark(line: str) -> bool:
    """The street line ends at a place (a building, an estate, a campus: 望京SOHO, 东吴小区, 浙江大学) rather than a
    house number: couriers deliver there, so it is noted, not held."""
    return bool(line.strip()) and not _HOUSE_NUMBER.search(line)


def judge_address(order: Order, settings: Settings) -> RuleResult:
    """The address rule itself: held only where a person must settle where the goods go (no province, district
    or postcode found, parts naming two places, no street at all, a postcode of another province; a phone of
    another province only when `hold_phone_region` says so); what staff should know besides is noted."""
    missing = [name for name in ("province", "postcode") if not getattr(order, name)]
    if missing:
        return _result("address", Outcome.HOLD, "address_lacks",
                       missing=listed([phrase(f"field.{name}") for name in missing]))
    notes: list[Phrase] = []
    for doubt in order.address_doubts:
        if holds_for(doubt["key"], settings):
            return _result("address", Outcome.HOLD, doubt["key"], **doubt["params"])
        if doubt["key"] == PHONE_ELSEWHERE:
            notes.append(phrase("note.phone_elsewhere", **doubt["params"]))
    if ends_at_landmark(order.line1 or ""):
        notes.append(phrase("note.landmark"))
    if notes:
        return _result("address", Outcome.PASS, "address_noted", notes=listed(notes, way="clauses"))
    return _result("address", Outcome.PASS, "address_complete")


async def address_complete(case: ReviewCase) -> RuleResult:
    return judge_address(case.order, case.settings)


async def products_active(case: ReviewCase) -> RuleResult:
    retired = [p.sku for _, p in case.lines if not p.active]
    if retired:
        return _result("products", Outcome.REJECT, "retired", skus=listed(retired))
    return _result("products", Outcome.PASS, "on_sale")


async def quantities_sane(case: ReviewCase) -> RuleResult:
    limit = case.settings.max_line_qty
    big = [f"{p.sku}×{line.qty}" for line, p in case.lines if line.qty > limit]
    if big:
        return _result("quantities", Outcome.HOLD, "large_quantities", limit=limit, lines=listed(big))
    return _result("quantities", Outcome.PASS, "usual_quantities")


async def _open_credit(customer_id: int, excluding: int) -> Decimal:
    totals = await Order.filter(
        customer_id=customer_id, payment_method=PaymentMethod.CREDIT, payment_state=PaymentState.PENDING,
        status__not_in=[OrderStatus.CANCELLED, OrderStatus.REJECTED],
    ).exclude(id=excluding).values_list("total", flat=True)
    return sum(totals, Decimal(0))


def judge_payment(order: Order, customer: Customer, settings: Settings, open_credit: Decimal) -> RuleResult:
    """The payment rule itself; `open_credit` is what the customer's other unpaid credit orders add up to."""
    if order.payment_state == PaymentState.PAID:
        return _result("payment", Outcome.PASS, "paid")
    if order.payment_method == PaymentMethod.COD:
        if not customer.cod_allowed:
            return _result("payment", Outcome.HOLD, "cod_not_allowed")
        if order.total > settings.cod_limit:
            return _result("payment", Outcome.HOLD, "cod_over", limit=settings.cod_limit)
        return _result("payment", Outcome.PASS, "cod")
    if order.payment_method == PaymentMethod.CREDIT:
        if open_credit + order.total > customer.credit_limit:
            return _result("payment", Outcome.HOLD,
                           "over_credit", used=open_credit, total=order.total, limit=customer.credit_limit)
        return _result("payment", Outcome.PASS, "within_credit")
    return _result("payment", Outcome.PASS, "awaiting_prepayment")


async def payment_acceptable(case: ReviewCase) -> RuleResult:
    order = case.order
    on_credit = order.payment_method == PaymentMethod.CREDIT and order.payment_state != PaymentState.PAID
    used = await _open_credit(case.customer.id, order.id) if on_credit else Decimal(0)
    return judge_payment(order, case.customer, case.settings, used)


async def stock_exists(case: ReviewCase) -> RuleResult:
    free = case.free
    short = []
    for line, product in case.lines:
        have = free.total(product.id)
        if have < line.qty:
            short.append(f"{product.sku} −{line.qty - have}")
    if short:
        return _result("stock", Outcome.PASS, "backordered", lines=listed(short))
    return _result("stock", Outcome.PASS, "in_stock")


async def value_within_limit(case: ReviewCase) -> RuleResult:
    if case.order.total > case.settings.hold_order_value:
        return _result("value", Outcome.HOLD, "value_over", total=case.order.total,
                       limit=case.settings.hold_order_value)
    return _result("value", Outcome.PASS, "value_within")


Goods = list[tuple[int, int]]  # (product id, quantity) of each line, sorted: two orders of the same goods compare equal


def goods_of(lines: list[tuple[OrderLine, Product]]) -> Goods:
    return sorted((p.id, line.qty) for line, p in lines)


def judge_duplicate(first_order: bool, mine: Goods, recent: list[tuple[str, Goods]]) -> RuleResult:
    """The duplicate rule itself: `recent` are the customer's other live orders of the window, newest first,
    each as (number, goods); the newest with exactly the same goods makes this one a likely twin."""
    if first_order:
        return _result("duplicate", Outcome.PASS, "first_order")
    for number, theirs in recent:
        if theirs == mine:
            return _result("duplicate", Outcome.HOLD, "duplicate", other=number)
    return _result("duplicate", Outcome.PASS, "no_twin")


async def _recent_goods(case: ReviewCase) -> list[tuple[str, Goods]]:
    since = datetime.now(UTC) - timedelta(hours=case.settings.duplicate_window_hours)
    recent = await Order.filter(
        customer_id=case.customer.id, created_at__gte=since,
        status__not_in=[OrderStatus.CANCELLED, OrderStatus.REJECTED],
    ).exclude(id=case.order.id).order_by("-id").limit(20)
    goods: dict[int, Goods] = {other.id: [] for other in recent}
    for order_id, product_id, qty in await OrderLine.filter(order_id__in=list(goods)).values_list(
            "order_id", "product_id", "qty"):
        goods[order_id].append((product_id, qty))
    return [(other.number, sorted(goods[other.id])) for other in recent]


async def not_a_duplicate(case: ReviewCase) -> RuleResult:
    recent = [] if case.first_order else await _recent_goods(case)
    return judge_duplicate(case.first_order, goods_of(case.lines), recent)


RULES: tuple[Rule, ...] = (
    customer_in_good_standing,
    address_complete,
    products_active,
    quantities_sane,
    payment_acceptable,
    stock_exists,
    value_within_limit,
    not_a_duplicate,
)


@in_callers_transaction
async def review_order(order: Order, customer: Customer, lines: list[tuple[OrderLine, Product]],
                       settings: Settings, free: FreeStock | None = None, first_order: bool = False) -> Outcome:
    """Run every rule, store the results on the order, and return the verdict (the worst outcome)."""
    if free is None:
        free = await free_stock([p.id for _, p in lines])
    case = ReviewCase(order, customer, lines, settings, free, first_order)
    results = [await rule(case) for rule in RULES]
    stored = [{"rule": r.rule, "outcome": r.outcome.value, "reason": r.reason, "said": r.said} for r in results]
    verdict, reasons = verdict_of(results)
    await transition(order, VERDICT_STATUS[verdict], "review", reasons, review=stored)
    return verdict


VERDICT_STATUS = {Outcome.PASS: OrderStatus.APPROVED, Outcome.HOLD: OrderStatus.ON_HOLD,
                  Outcome.REJECT: OrderStatus.REJECTED}


def verdict_of(results: list[RuleResult]) -> tuple[Outcome, Phrase]:
    """The worst outcome of the rules, and the reasons of the rules that gave it (a pass needs none)."""
    verdict = max((r.outcome for r in results), key=SEVERITY.__getitem__)
    if verdict == Outcome.PASS:
        return verdict, phrase("history.review_passed")
    return verdict, listed([r.said or r.reason for r in results if r.outcome == verdict], way="clauses")


async def held_order(number: str, action: str = "decided") -> Order:
    """The order, while it waits for a manager's decision; InvalidTransition once it was decided."""
    order = await order_by_number(number)
    if order.status != OrderStatus.ON_HOLD:
        raise InvalidTransition(document=order.number, current=order.status, action=action, kind="order")
    return order


async def held_details(number: str) -> dict[str, Any] | None:
    """Who ordered a held order, what and for how much, as phrases said in the reader's language: what a manager
    decides from, read when the alert is said (None for an order no longer there)."""
    order = await Order.get_or_none(number=number).prefetch_related("customer")
    if order is None:
        return None
    lines = await OrderLine.filter(order_id=order.id).order_by("id").values_list(
        "qty", "product__sku", "product__name", "product__name_zh")
    return {"customer": order.customer.name, "amount": money(order.total, order.currency),
            "items": listed([phrase("item", qty=qty, sku=sku, name=named(name, name_zh))
                             for qty, sku, name, name_zh in lines])}


@retry_on_conflict
async def decide_held(number: str, approve: bool, actor: str, reason: str, settings: Settings) -> Order:
    """A manager's decision on a held order: approve (then allocate) or reject (with a reason; money paid online
    is then due for refund)."""

    if not approve and not reason.strip():
        raise InvalidInput(detail=phrase("refuse.reject_needs_reason"))
    async with in_transaction():
        order = await held_order(number, "approved" if approve else "rejected")
        if approve:
            await transition(order, OrderStatus.APPROVED, actor, reason or phrase("history.approved_by_manager"))
            await allocate_order(order, actor, settings)
        else:
            await transition(order, OrderStatus.REJECTED, actor, reason)
            await refund_on_close(order)
    return order
