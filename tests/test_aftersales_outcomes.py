"""An approved after-sales request does something, and the customer reads what: money back (due for a manager to
pay), the goods sent again as an order that reserves stock, the goods asked back to the warehouse's address;
for all the units asked about or part of them. Wrong amounts and units are refused; a second approval too."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.notifier import message_for
from core.base.auth import Role
from core.base.errors import InvalidTransition
from core.base.events import OutboxEvent
from core.base.settings import Settings
from core.orders.intake import place_order
from core.orders.notifications import Recipient
from core.orders.order import Order, OrderLine, OrderStatus
from core.shipping.aftersales import (
    AfterSalesDecisionIn,
    AfterSalesRequest,
    RequestIn,
    RequestStatus,
    claimable_lines,
    decide_request,
    open_request,
    request_view,
)
from core.shipping.remedies import NothingApproved, OverApproval, RefundTooBig, Remedy, settle
from core.stock.ledger import check_ledger
from tests.factories import a_product, a_warehouse, an_order, stock

CUSTOMER_ZH, CUSTOMER_EN = Recipient(1001, "zh", "customer"), Recipient(1002, "en", "customer")


async def _claim(db: Settings, kind: str, lines: dict[str, int]) -> AfterSalesRequest:
    wh = await a_warehouse(address="张江路 100 号")
    await stock(await a_product("TEA", price="84.00", name_zh="龙井茶"), wh, 10)
    await stock(await a_product("CUP", price="6.50", name_zh="杯子"), wh, 10)
    placed = await place_order(an_order({"TEA": 2, "CUP": 4}), "shop", "api:shop", db)
    await Order.filter(id=placed.order.id).update(status=OrderStatus.SHIPPED)  # picking and dispatch are elsewhere
    body = RequestIn.model_validate({"order": placed.order.number, "kind": kind, "text": "not what I wanted",
                                     "lines": [{"sku": s, "qty": q} for s, q in lines.items()]})
    return await open_request(body, "api:shop", db)


async def _told(kind: str) -> tuple[str, str]:
    event = await OutboxEvent.filter(kind=kind).order_by("-id").first()
    assert event is not None
    said = [message_for(event, who) for who in (CUSTOMER_ZH, CUSTOMER_EN)]
    assert said[0] is not None and said[1] is not None
    return said[0][0], said[1][0]


async def test_an_approved_damage_claim_is_refunded_what_was_paid_and_the_customer_reads_how_much(db):
    request = await _claim(db, "damage", {"TEA": 1, "CUP": 2})
    decided = await decide_request(request.number, AfterSalesDecisionIn(approve=True), "manager", db)
    assert decided.status == RequestStatus.RESOLVED
    assert (decided.remedy, decided.refund_amount, decided.refund_state) == ("refund", Decimal("97.00"), "due")
    zh, en = await _told("aftersales.resolved")
    assert zh == f"售后 {request.number} 已处理：退款 97.00 元（1 × TEA 龙井茶、2 × CUP 杯子）。"
    assert en == f"Request {request.number} is settled: we refund 97.00 CNY for 1 × TEA Product TEA, 2 × CUP " \
                 "Product CUP."
    due = await OutboxEvent.get(kind="aftersales.refund_due")
    manager = message_for(due, Recipient(2001, "zh", "manager"))
    assert manager is not None
    assert manager[0] == f"💸 售后 {request.number}（{due.payload['order']}）已批准退款 97.00 元，请退款。"


async def test_a_manager_approves_part_of_a_return_and_the_customer_is_told_where_to_send_it(db):
    request = await _claim(db, "return", {"TEA": 2, "CUP": 4})
    part = AfterSalesDecisionIn(approve=True, lines=[{"sku": "TEA", "qty": 1}], amount=Decimal("80.00"))
    decided = await decide_request(request.number, part, "manager", db)
    assert decided.status == RequestStatus.AWAITING_RETURN and decided.send_back
    assert decided.approved_lines == [{"sku": "TEA", "qty": 1}] and decided.refund_amount == Decimal("80.00")
    zh, en = await _told("aftersales.awaiting_return")
    assert zh == (f"售后 {request.number} 已同意：部分同意；退款 80.00 元（1 × TEA 龙井茶）；请将 1 × TEA 龙井茶 寄回："
                  f"上海 张江路 100 号 SH warehouse，快递公司不限，请在包裹上注明 {request.number}。")
    assert "please send 1 × TEA Product TEA back to 上海 张江路 100 号 SH warehouse, by any carrier" in en
    # what was not approved may be asked about again
    assert [(line.sku, line.claimable) for line in await claimable_lines(decided.order.number)] == [
        ("TEA", 1), ("CUP", 4)]


async def test_a_missing_item_is_sent_again_as_an_order_that_reserves_stock_linked_to_the_request(db):
    request = await _claim(db, "missing_item", {"CUP": 3})
    decided = await decide_request(request.number, AfterSalesDecisionIn(approve=True), "manager", db)
    assert decided.status == RequestStatus.RESOLVED and decided.remedy == Remedy.REPLACE
    again = await Order.get(number=decided.replacement)
    assert (again.status, again.total, again.external_ref) == (OrderStatus.ALLOCATED, Decimal(0), request.number)
    assert (again.customer_id, again.line1) == (decided.order.customer_id, decided.order.line1)
    assert await OrderLine.filter(order_id=again.id).values_list("product__sku", "qty", "qty_reserved") == [
        ("CUP", 3, 3)]
    zh, _ = await _told("aftersales.resolved")
    assert zh == f"售后 {request.number} 已处理：补发 3 × CUP 杯子，订单 {again.number}。"
    view = await request_view(decided)
    assert view["replacement"] == again.number and view["refund"] is None
    assert not await check_ledger()


async def test_an_approval_is_refused_for_more_than_asked_or_paid_and_a_second_approval_changes_nothing(db):
    request = await _claim(db, "damage", {"TEA": 1})
    for wrong, refused in (
        ({"lines": [{"sku": "TEA", "qty": 2}]}, OverApproval),  # more than asked about (and shipped)
        ({"lines": [{"sku": "CUP", "qty": 1}]}, OverApproval),  # not asked about
        ({"amount": Decimal("84.01")}, RefundTooBig),
        ({"remedy": "none", "send_back": False}, NothingApproved),
    ):
        with pytest.raises(refused) as said:
            await decide_request(request.number, AfterSalesDecisionIn(approve=True, **wrong), "manager", db)
        assert said.value.message("zh") and said.value.message("zh") != said.value.message("en")
    assert (await AfterSalesRequest.get(id=request.id)).status == RequestStatus.OPEN
    await decide_request(request.number, AfterSalesDecisionIn(approve=True, amount=Decimal("50")), "manager", db)
    with pytest.raises(InvalidTransition):
        await decide_request(request.number, AfterSalesDecisionIn(approve=True), "manager", db)
    assert await OutboxEvent.filter(kind="aftersales.refund_due").count() == 1


def test_a_settlement_keeps_within_what_was_asked_and_paid():
    asked = [{"sku": "TEA", "qty": 2}]
    prices = {"TEA": Decimal("84.00")}
    whole = settle(asked, prices, Remedy.REFUND, False, None, None)
    assert (whole.amount, whole.partly) == (Decimal("168.00"), False)
    part = settle(asked, prices, Remedy.REFUND, True, [("TEA", 1)], None)
    assert (part.amount, part.partly, part.send_back) == (Decimal("84.00"), True, True)
    assert settle(asked, prices, Remedy.REPLACE, False, None, None).amount is None
    with pytest.raises(RefundTooBig):
        settle(asked, prices, Remedy.REFUND, False, [("TEA", 1)], Decimal("84.01"))


async def test_an_approval_over_http_for_more_money_than_was_paid_is_a_422_in_the_readers_language(http, db):
    from tests.conftest import signed_in

    request = await _claim(db, "damage", {"TEA": 1})
    manager = await signed_in(http, Role.MANAGER)
    body = {"approve": True, "remedy": "refund", "amount": "90.00"}
    async with http.post(f"/api/after-sales/{request.number}/decision", json=body,
                         headers={**manager, "Accept-Language": "zh"}) as resp:
        assert resp.status == 422
        assert await resp.json() == {"error": "aftersales_refund_too_big",
                                     "message": "退款 90.00 超过了这些商品的实付金额（84.00）。"}
    body["amount"] = "84.00"
    async with http.post(f"/api/after-sales/{request.number}/decision", json=body, headers=manager) as resp:
        assert resp.status == 200
        answer = await resp.json()
    assert answer["refund"] == "84.00" and answer["outcome"] == "we refund 84.00 CNY for 1 × TEA Product TEA"
    async with http.post(f"/api/after-sales/{request.number}/decision", json=body, headers=manager) as resp:
        assert resp.status == 409  # approved already: nothing happens twice
    assert await OutboxEvent.filter(kind="aftersales.refund_due").count() == 1
