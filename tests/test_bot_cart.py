"""A customer's cart in the bot and the first word on an order: the cart is one message edited in place, its
lines changed or removed one by one, and the order's first message says what the order will really do."""

from __future__ import annotations

from typing import Any

from bot.notifier import notify_once
from core.orders.order import Order, OrderStatus
from tests.factories import a_product, a_warehouse, stock
from tests.test_bot_shop import CUSTOMER, ZH_STEPS, Shop, a_customer, fill_cart, shop, to_summary, transcript

__all__ = ["shop"]


async def test_an_in_stock_only_order_that_comes_from_another_warehouse_is_first_said_to_come_by_transfer(
        shop: Shop):
    sh, gz = await a_warehouse("SH"), await a_warehouse("GZ")
    tea, cup = await a_product("TEA", name_zh="龙井茶"), await a_product("CUP", name_zh="杯子")
    await stock(tea, sh, 3)
    await stock(cup, gz, 5)  # the other warehouse has the cups: they come by transfer
    await a_customer(lang="zh")
    api = shop.api
    await fill_cart(api, CUSTOMER, "龙井茶", ["+5"], "已加入")  # 5 of 3
    await fill_cart(api, CUSTOMER, "杯子", ["+1"], "已加入")
    cart = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/cart"), contains="合计")
    short = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, cart, "去结算"), contains="只剩")
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, short, "只买现货"), contains="收货地址")
    days = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "上海，上海，浦东新区，世纪大道 100 号，200120"),
                           contains="何时")
    summary = await to_summary(api, CUSTOMER, days, ZH_STEPS)
    placed = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, summary, "确认下单"), contains="已收到")
    order = await Order.get(channel="telegram")
    assert order.status == OrderStatus.BACKORDERED  # the cups come from the other warehouse first
    assert "缺货" not in placed.text and "待补" not in placed.text
    assert placed.text == f"订单 {order.number} 已收到：部分商品正从其他仓库调来，到齐后发出。"
    await notify_once(shop.telegram.bot)
    later = [s.text for s in api.to(CUSTOMER)][-2:]
    assert not any("缺货" in text for text in later), later
    transcript(api, CUSTOMER, "in-stock-only-zh", "只买现货：部分商品从其他仓库调来（中文）")


async def test_the_cart_is_one_message_edited_in_place_its_quantities_changed_typed_and_its_lines_removed(
        shop: Shop):
    wh = await a_warehouse()
    await stock(await a_product("TEA", price="10.00", name_zh="龙井茶"), wh, 50)
    await stock(await a_product("CUP", price="3.00", name_zh="杯子"), wh, 50)
    await a_customer(lang="zh")
    api = shop.api
    page = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/catalog"))
    card = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, page, "龙井茶"), contains="TEA")
    for label, said in (("+1", "已加入 1 × TEA，购物车中共 1 件。发送 /cart 去结算。"),
                        ("+5", "已加入 5 × TEA，购物车中共 6 件。发送 /cart 去结算。")):
        mark = api.presses(CUSTOMER, card, label)
        edited = await api.reply(CUSTOMER, after=mark, contains="已加入")
        await api.handled(mark)
        assert edited.message_id == card.message_id and edited.text.endswith(said)  # the card, edited in place
        assert [s for s in api.sent[mark:] if s.message_id != card.message_id or s.popup] == []  # nothing else
    await fill_cart(api, CUSTOMER, "杯子", ["+1"], "已加入")

    cart = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/cart"), contains="合计")
    assert cart.text == "购物车：\n6 × TEA 龙井茶\n1 × CUP 杯子\n合计 63.00 元"
    assert [[b["text"] for b in row] for row in cart.buttons] == [
        ["−", "6 × TEA ✏️", "+", "🗑"], ["−", "1 × CUP ✏️", "+", "🗑"], ["去结算", "清空"]]

    async def tap(row: int, column: int, contains: str) -> Any:
        mark = api.taps(CUSTOMER, cart, cart.buttons[row][column])
        now = await api.reply(CUSTOMER, after=mark, contains=contains)
        await api.handled(mark)
        assert now.message_id == cart.message_id and not any(s.popup for s in api.sent[mark:])
        return now

    cart = await tap(0, 0, "5 × TEA")  # −1
    cart = await tap(1, 2, "2 × CUP")  # +1
    cart = await tap(1, 3, "合计 50.00")  # the cups taken out
    assert "CUP" not in cart.text and len(cart.buttons) == 2
    asked = await api.reply(CUSTOMER, after=api.taps(CUSTOMER, cart, cart.buttons[0][1]), contains="要几件")
    assert asked.text == "TEA 龙井茶 要几件？请发送数字（0 表示移除）。"
    refused = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "几件"), contains="整数")
    assert refused.text == "请发送 0 至 500 的整数。"
    cart = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "3"), contains="3 × TEA")
    assert cart.text == "购物车：\n3 × TEA 龙井茶\n合计 30.00 元"

    ask = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, cart, "去结算"), contains="收货地址")
    days = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "上海，上海，浦东新区，世纪大道 100 号，200120"),
                           contains="何时")
    summary = await to_summary(api, CUSTOMER, days, ZH_STEPS)
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, summary, "确认下单"), contains="已收到")
    assert ask.text
    stale = await api.reply(CUSTOMER, after=api.taps(CUSTOMER, cart, cart.buttons[0][2]))  # the old cart's +
    assert stale.popup and stale.text == "这个购物车已经结算或清空了。发送 /cart 查看当前购物车。"
    assert (await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/cart"))).text.startswith("购物车是空的")
    transcript(api, CUSTOMER, "cart-in-place-zh", "购物车：原地修改数量、输入数量、删除一行（中文）")
