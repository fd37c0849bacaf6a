"""A manager in the bot: a held order's alert says who ordered what and for how much, in the manager's language;
/start shows a manager their own commands and a customer theirs."""

from __future__ import annotations

from bot.notifier import described, message_for
from core.base.auth import Role, Staff, add_staff
from core.base.events import OutboxEvent
from core.base.settings import Settings
from core.orders.intake import place_order
from core.orders.notifications import Recipient
from core.orders.order import OrderStatus
from tests.factories import a_product, a_warehouse, an_order, stock
from tests.test_bot import CUSTOMER, MANAGER, Telegram, telegram
from tests.test_login import PASSWORD

__all__ = ["telegram"]


async def test_a_held_order_alert_names_the_customer_the_items_and_the_amount_in_the_managers_language(db: Settings):
    wh = await a_warehouse()
    tea, cup = await a_product("TEA", price="300.00", name_zh="龙井茶"), await a_product("CUP", price="5.50")
    await stock(tea, wh, 10)
    await stock(cup, wh, 10)
    body = an_order({"TEA": 2, "CUP": 3}, customer={"name": "张三", "phone": "+86 138 0000 2222"})
    placed = await place_order(body, "shop", "api:shop", db.model_copy(update={"hold_order_value": 100}))
    assert placed.order.status == OrderStatus.ON_HOLD
    event = await OutboxEvent.get(kind="order.on_hold")
    await described(event)
    zh = message_for(event, Recipient(MANAGER, "zh", "manager"))
    en = message_for(event, Recipient(MANAGER + 1, "en", "manager"))
    assert zh is not None and en is not None
    number = placed.order.number
    assert zh[0].startswith(f"⚠ 待审：{number}，张三，616.50 元")
    assert "2 × TEA 龙井茶、3 × CUP Product CUP" in zh[0]
    assert en[0].startswith(f"⚠ Held: {number}, 张三, 616.50 CNY")
    assert "2 × TEA Product TEA, 3 × CUP Product CUP" in en[0]
    assert zh[1] is not None  # still decided from the alert


async def test_start_shows_a_manager_their_commands_and_a_customer_theirs(telegram: Telegram):
    manager = await add_staff("manager", Role.MANAGER, PASSWORD)
    await Staff.filter(id=manager.id).update(telegram_id=MANAGER, language="zh")
    api = telegram.api
    told = await api.reply(MANAGER, after=api.says(MANAGER, "/start"), contains="经理命令")
    assert all(command in told.text for command in ("/report", "/alerts", "/login"))
    assert not any(command in told.text for command in ("/catalog", "/cart", "/aftersales"))
    other = await api.reply(MANAGER, after=api.says(MANAGER, "hello"))
    assert "/report" in other.text and "/catalog" not in other.text
    customer = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/start"), contains="/catalog")
    assert "/report" not in customer.text
