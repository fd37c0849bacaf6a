"""The review rules as pure decisions over an order, its customer and its lines in memory; no database.
(tests/test_orders.py covers review end to end: the stored results, holds, a manager's decision.)"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from core.base.i18n import render
from core.base.settings import Settings
from core.orders.customers import Customer
from core.orders.order import Order, OrderLine, PaymentMethod, PaymentState
from core.orders.review import (
    Outcome,
    ReviewCase,
    RuleResult,
    address_complete,
    customer_in_good_standing,
    goods_of,
    judge_duplicate,
    judge_payment,
    products_active,
    quantities_sane,
    stock_exists,
    value_within_limit,
    verdict_of,
)
from core.stock.catalog import Product
from core.stock.ledger import FreeStock

SETTINGS = Settings(_env_file=None, max_line_qty=500, hold_order_value=Decimal("50000"),  # type: ignore[call-arg]
                    cod_limit=Decimal("5000"))
TEA, CUP = Product(id=10, sku="TEA", name="Tea"), Product(id=11, sku="CUP", name="Cup")


def _order(**data: Any) -> Order:
    defaults: dict[str, Any] = {"id": 1, "number": "SO-1", "province": "浙江", "postcode": "310000",
                                "total": Decimal("100"), "payment_method": PaymentMethod.PREPAID,
                                "payment_state": PaymentState.PENDING}
    return Order(**{**defaults, **data})


def _case(order: Order | None = None, customer: Customer | None = None, lines: dict[Product, int] | None = None,
          free: dict[Product, int] | None = None) -> ReviewCase:
    pairs = [(OrderLine(id=n, product_id=p.id, qty=q), p) for n, (p, q) in enumerate((lines or {TEA: 2}).items())]
    levels = {(p.id, 1): [(p.id, units)] for p, units in (free or {TEA: 10, CUP: 10}).items()}
    return ReviewCase(order or _order(), customer or Customer(id=1, name="Li Lei"), pairs, SETTINGS, FreeStock(levels))


def _said(result: RuleResult) -> tuple[Outcome, str]:
    return result.outcome, result.reason


async def test_a_blocked_customer_is_rejected():
    assert _said(await customer_in_good_standing(_case(customer=Customer(id=1, name="X", blocked=True)))) == (
        Outcome.REJECT, "the customer account is blocked")
    assert (await customer_in_good_standing(_case())).outcome == Outcome.PASS


async def test_an_address_without_province_or_postcode_is_held_to_confirm_it():
    held = await address_complete(_case(_order(province="", postcode="")))
    assert _said(held) == (Outcome.HOLD, "address lacks province, postcode; confirm it with the customer")
    assert render(held.said, "zh") == "地址缺少省份、邮编，请与客户确认"  # the fields named in the reader's words
    assert (await address_complete(_case())).outcome == Outcome.PASS


async def test_a_product_no_longer_sold_rejects_the_order():
    retired = Product(id=12, sku="OLD", name="Old", active=False)
    result = await products_active(_case(lines={TEA: 1, retired: 1}))
    assert _said(result) == (Outcome.REJECT, "no longer sold: OLD")


async def test_a_line_over_the_usual_quantity_is_held_one_at_the_limit_is_not():
    assert (await quantities_sane(_case(lines={TEA: 500}))).outcome == Outcome.PASS
    result = await quantities_sane(_case(lines={TEA: 501, CUP: 3}))
    assert _said(result) == (Outcome.HOLD, "unusually large quantities (over 500): TEA×501")


async def test_missing_stock_does_not_hold_the_order_but_says_what_will_be_backordered():
    result = await stock_exists(_case(lines={TEA: 12, CUP: 3}, free={TEA: 10, CUP: 10}))
    assert _said(result) == (Outcome.PASS, "will be backordered: TEA −2")
    assert (await stock_exists(_case(lines={TEA: 10}))).reason == "in stock"


async def test_an_order_over_the_value_limit_is_held():
    assert (await value_within_limit(_case(_order(total=Decimal("50000"))))).outcome == Outcome.PASS
    held = await value_within_limit(_case(_order(total=Decimal("50000.01"))))
    assert _said(held) == (Outcome.HOLD, "order value 50000.01 over 50000")


@pytest.mark.parametrize(("order", "customer", "open_credit", "outcome", "reason"), [
    (_order(payment_state=PaymentState.PAID, payment_method=PaymentMethod.COD), Customer(cod_allowed=False),
     0, Outcome.PASS, "paid"),
    (_order(payment_method=PaymentMethod.COD), Customer(cod_allowed=False), 0, Outcome.HOLD,
     "cash on delivery is not allowed for this customer"),
    (_order(payment_method=PaymentMethod.COD, total=Decimal("5000.01")), Customer(), 0, Outcome.HOLD,
     "cash on delivery over 5000"),
    (_order(payment_method=PaymentMethod.COD, total=Decimal("5000")), Customer(), 0, Outcome.PASS,
     "cash on delivery"),
    (_order(payment_method=PaymentMethod.CREDIT, total=Decimal("300")), Customer(credit_limit=Decimal("1000")),
     Decimal("700"), Outcome.PASS, "within credit limit"),
    (_order(payment_method=PaymentMethod.CREDIT, total=Decimal("300")), Customer(credit_limit=Decimal("1000")),
     Decimal("700.01"), Outcome.HOLD, "over credit limit: 700.01 open + 300.00 > 1000.00"),
    (_order(), Customer(), 0, Outcome.PASS, "awaiting prepayment; goods are reserved meanwhile"),
])
def test_payment_passes_when_paid_cod_or_credit_within_limits_or_awaited(order: Order, customer: Customer,
                                                                         open_credit: Decimal, outcome: Outcome,
                                                                         reason: str):
    assert _said(judge_payment(order, customer, SETTINGS, Decimal(open_credit))) == (outcome, reason)


def test_the_same_goods_again_from_the_same_customer_is_held_as_a_likely_twin():
    mine = goods_of([(OrderLine(qty=2), TEA), (OrderLine(qty=1), CUP)])
    recent = [("SO-3", [(10, 2)]), ("SO-2", [(10, 2), (11, 1)]), ("SO-1", [(10, 2), (11, 1)])]
    assert _said(judge_duplicate(False, mine, recent)) == (Outcome.HOLD, "same goods as SO-2 placed shortly before")


def test_other_quantities_or_a_first_order_are_no_twin():
    mine = goods_of([(OrderLine(qty=2), TEA)])
    assert judge_duplicate(False, mine, [("SO-2", [(10, 3)]), ("SO-1", [(10, 2), (11, 1)])]).outcome == Outcome.PASS
    assert _said(judge_duplicate(True, mine, [("SO-2", mine)])) == (Outcome.PASS, "first order of a new customer")
    assert _said(judge_duplicate(False, mine, [])) == (Outcome.PASS, "no recent twin")


def test_the_line_order_does_not_make_two_orders_of_the_same_goods_different():
    assert goods_of([(OrderLine(qty=1), CUP), (OrderLine(qty=2), TEA)]) == [(10, 2), (11, 1)]


def test_the_verdict_is_the_worst_outcome_with_the_reasons_of_the_rules_that_gave_it():
    held = [RuleResult("a", Outcome.PASS, "fine"), RuleResult("b", Outcome.HOLD, "b?"),
            RuleResult("c", Outcome.HOLD, "c?")]
    verdict, reasons = verdict_of(held)
    assert verdict == Outcome.HOLD and render(reasons, "en") == "b?; c?" and render(reasons, "zh") == "b?；c?"
    verdict, reasons = verdict_of([*held, RuleResult("d", Outcome.REJECT, "no")])
    assert verdict == Outcome.REJECT and render(reasons, "en") == "no"
    verdict, reasons = verdict_of(held[:1])
    assert verdict == Outcome.PASS and render(reasons, "zh") == "审核规则全部通过"
