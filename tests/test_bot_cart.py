"""A customer's cart in the bot and the first word on an order: the cart is one message edited in place, its
lines changed or removed one by one, and the order's first message says what the order will really do."""

from __future__ import annotations

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
