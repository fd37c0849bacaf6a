"""What a customer's checkout asks of the core: the cart against the stock, saved addresses, the chat's language,
and which lines of a shipped order after-sales may still be asked about."""

from __future__ import annotations

import pytest

from core.base.auth import Role, Staff, add_staff
from core.base.errors import NotFound
from core.orders.addresses import MAX_SAVED, SavedAddress, forget_address, save_address, saved_addresses, use_address
from core.orders.cart import LineFate, StockChoice, check_cart
from core.orders.customers import Customer, UnknownLanguage, chat_language, link_telegram, set_chat_language
from core.orders.intake import place_order
from core.orders.order import AddressIn, Order, OrderLine, OrderStatus
from core.shipping.aftersales import (
    AfterSalesDecisionIn,
    NotInOrder,
    OverClaim,
    RequestIn,
    claimable_lines,
    decide_request,
    open_request,
)
from tests.factories import a_product, a_warehouse, an_order, stock

# -- the cart knows the stock --------------------------------------------------------------------------------


async def test_a_cart_of_35_when_28_are_left_says_what_becomes_of_the_7(db):
    sh, gz = await a_warehouse("SH"), await a_warehouse("GZ")
    tea, cup = await a_product("TEA", price="10.00"), await a_product("CUP", price="3.00")
    await stock(tea, sh, 20)
    await stock(tea, gz, 8)  # allocation brings these by transfer: they count
    await stock(cup, sh, 50)
    check = await check_cart({"TEA": 35, "CUP": 2})
    tea_line, cup_line = check.lines
    assert (tea_line.available, tea_line.now, tea_line.short, tea_line.fate) == (28, 28, 7, LineFate.PARTLY)
    assert (cup_line.short, cup_line.fate) == (0, LineFate.IN_STOCK)
    assert check.short and not check.partial_shipment  # the order would wait whole for the 7
    assert check.cart(StockChoice.BACKORDER) == {"TEA": 35, "CUP": 2}
    assert check.cart(StockChoice.AVAILABLE_ONLY) == {"TEA": 28, "CUP": 2}
    assert (check.total(StockChoice.BACKORDER), check.total(StockChoice.AVAILABLE_ONLY)) == (356, 286)


async def test_the_carts_answer_is_what_allocation_then_does(db):
    sh = await a_warehouse("SH")
    tea = await a_product("TEA")
    await stock(tea, sh, 28)
    check = await check_cart({"TEA": 35})
    placed = await place_order(an_order(check.cart(StockChoice.BACKORDER)), "telegram", "tg:1", db)
    line = await OrderLine.get(order_id=placed.order.id)
    assert placed.order.status == OrderStatus.BACKORDERED
    assert (line.qty_reserved, line.qty_backordered) == (check.lines[0].now, check.lines[0].short)

    rest = await check_cart({"TEA": 5})
    assert (rest.lines[0].available, rest.lines[0].fate) == (0, LineFate.NONE_NOW)  # the 28 are reserved now
    assert rest.cart(StockChoice.AVAILABLE_ONLY) == {}


async def test_a_cart_leaves_out_products_no_longer_sold_and_inactive_warehouses(db):
    sh = await a_warehouse("SH")
    closed = await a_warehouse("GZ", active=False)
    tea = await a_product("TEA")
    await a_product("OLD", active=False)
    await stock(tea, sh, 3)
    await stock(tea, closed, 100)
    check = await check_cart({"TEA": 5, "OLD": 1, "NOPE": 2})
    assert [line.fate for line in check.lines] == [LineFate.PARTLY, LineFate.NOT_SOLD, LineFate.NOT_SOLD]
    assert check.lines[0].available == 3 and check.not_sold == ["OLD", "NOPE"]
    assert check.cart(StockChoice.BACKORDER) == {"TEA": 5}


async def test_a_customer_who_takes_partial_shipments_gets_the_rest_later_instead_of_waiting(db):
    await a_warehouse("SH")
    await a_product("TEA")
    customer = await Customer.create(name="Li Lei", phone="+8613800001111", partial_shipment=True)
    assert (await check_cart({"TEA": 1}, customer)).partial_shipment


# -- saved addresses -----------------------------------------------------------------------------------------


def _address(line1: str = "世纪大道 100 号", **extra) -> AddressIn:
    return AddressIn.model_validate({"recipient": "李雷", "phone": "+8613800001111", "province": "上海",
                                     "city": "上海", "district": "浦东新区", "line1": line1, "postcode": "200120",
                                     **extra})


async def test_an_address_used_again_is_saved_once_and_offered_first(db):
    customer = await Customer.create(name="Li Lei", phone="+8613800001111")
    home = await save_address(customer.id, _address())
    office = await save_address(customer.id, _address("陆家嘴环路 1000 号"))
    again = await save_address(customer.id, _address("世纪大道１００号 ", recipient="韩梅梅"))  # full-width digits
    assert again.id == home.id and await SavedAddress.filter(customer_id=customer.id).count() == 2
    offered = await saved_addresses(customer.id)
    assert [a.id for a in offered] == [home.id, office.id] and offered[0].recipient == "韩梅梅"
    assert offered[0].label() == "上海 浦东新区 世纪大道１００号"

    await a_product("TEA")
    reused = await use_address(customer.id, office.id)
    placed = await place_order(an_order({"TEA": 1}, address=reused.model_dump()), "telegram", "tg:1", db)
    assert (await Order.get(id=placed.order.id)).line1 == "陆家嘴环路 1000 号"


async def test_saved_addresses_are_the_customers_own_and_the_oldest_make_room(db):
    mine = await Customer.create(name="Li Lei", phone="+8613800001111")
    theirs = await Customer.create(name="Han Meimei", phone="+8613800002222")
    first = await save_address(mine.id, _address("1 号"))
    for n in range(2, MAX_SAVED + 2):
        await save_address(mine.id, _address(f"{n} 号"))
    kept = await saved_addresses(mine.id)
    assert len(kept) == MAX_SAVED and first.id not in [a.id for a in kept]
    with pytest.raises(NotFound):
        await use_address(theirs.id, kept[0].id)
    assert not await forget_address(theirs.id, kept[0].id)
    assert await forget_address(mine.id, kept[0].id)
    assert len(await saved_addresses(mine.id)) == MAX_SAVED - 1


# -- a chat's language ---------------------------------------------------------------------------------------


async def test_lang_sticks_for_a_chat_linked_to_nobody_and_comes_along_when_it_links(db):
    assert await chat_language(5005) is None
    await set_chat_language(5005, "en")
    await set_chat_language(5005, "zh")  # switched back: one row, the last choice
    assert await chat_language(5005) == "zh"
    customer = await link_telegram("+86 138 0000 1111", 5005, "Li Lei", await chat_language(5005) or "en")
    assert customer.language == "zh"
    await set_chat_language(5005, "en")
    assert (await Customer.get(id=customer.id)).language == "en"


async def test_lang_of_a_staff_chat_is_the_staff_members_language(db):
    staff = await add_staff("manager-1", Role.MANAGER, "correct-horse")
    await Staff.filter(id=staff.id).update(telegram_id=6006)
    await set_chat_language(6006, "en")
    assert (await Staff.get(id=staff.id)).language == "en"
    with pytest.raises(UnknownLanguage) as refused:
        await set_chat_language(6006, "fr")
    assert "未知的语言 fr" in refused.value.message("zh")


# -- after-sales by line -------------------------------------------------------------------------------------


async def _shipped(db, lines: dict[str, int]) -> Order:
    wh = await a_warehouse()
    for sku in lines:
        await stock(await a_product(sku, name_zh=f"{sku} 中文"), wh, 10)
    placed = await place_order(an_order(lines), "telegram", "tg:1", db)
    await Order.filter(id=placed.order.id).update(status=OrderStatus.SHIPPED)  # picking and dispatch are elsewhere
    return await Order.get(id=placed.order.id)


def _request(order: Order, lines: dict[str, int], kind: str = "return") -> RequestIn:
    return RequestIn.model_validate({"order": order.number, "kind": kind, "text": "not what I wanted",
                                     "lines": [{"sku": s, "qty": q} for s, q in lines.items()]})


async def test_after_sales_takes_the_lines_and_quantities_the_customer_chose(db):
    order = await _shipped(db, {"TEA": 3, "CUP": 2})
    mine = order.customer_id
    lines = await claimable_lines(order.number, customer_id=mine)
    assert [(line.sku, line.name_zh, line.shipped, line.claimable) for line in lines] == [
        ("TEA", "TEA 中文", 3, 3), ("CUP", "CUP 中文", 2, 2)]
    first = await open_request(_request(order, {"TEA": 2}), "tg:1", db, customer_id=mine)
    assert first.lines == [{"sku": "TEA", "qty": 2}]
    assert [line.claimable for line in await claimable_lines(order.number)] == [1, 2]
    with pytest.raises(OverClaim) as refused:
        await open_request(_request(order, {"TEA": 2}, "damage"), "tg:1", db, customer_id=mine)
    assert "还可申请售后 1 件" in refused.value.message("zh")
    with pytest.raises(NotInOrder):
        await open_request(_request(order, {"MUG": 1}), "tg:1", db, customer_id=mine)

    await decide_request(first.number, AfterSalesDecisionIn(approve=False, note="outside the return period"), "m", db)
    assert [line.claimable for line in await claimable_lines(order.number)] == [3, 2]  # declined: claims nothing
    await open_request(_request(order, {"TEA": 3, "CUP": 1}, "damage"), "tg:1", db, customer_id=mine)
    assert [line.claimable for line in await claimable_lines(order.number)] == [0, 1]


async def test_after_sales_lines_are_only_for_the_customers_own_shipped_orders(db):
    order = await _shipped(db, {"TEA": 1})
    with pytest.raises(NotFound):
        await claimable_lines(order.number, customer_id=order.customer_id + 1)
    await Order.filter(id=order.id).update(status=OrderStatus.ALLOCATED)
    with pytest.raises(Exception, match="after-sales"):
        await claimable_lines(order.number)
    with pytest.raises(ValueError, match="appears twice"):
        RequestIn.model_validate({"order": order.number, "kind": "return", "text": "two lines",
                                  "lines": [{"sku": "TEA", "qty": 1}, {"sku": "TEA", "qty": 1}]})
