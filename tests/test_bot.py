"""The bot against a fake Telegram Bot API server over real HTTP (aiogram pointed at it), real core, real database."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from aiogram import Bot
from aiogram.fsm.storage.memory import MemoryStorage
from aiohttp import web
from tortoise.transactions import in_transaction

from bot.app import build_dispatcher, make_bot
from bot.emulator import BotApiEmulator
from bot.notifier import Round, notifier_lease, notify_as, notify_once, run_notifier
from core.base.auth import ROLE_PERMISSIONS, Permission, Role, Staff, add_staff
from core.base.events import OutboxEvent, emit
from core.base.i18n import local_day, render, unkept
from core.base.lease import Lease, RedisLease
from core.base.settings import Settings
from core.orders.customers import Customer
from core.orders.intake import place_order
from core.orders.notifications import Delivery, notifier_health
from core.orders.order import Order, OrderEvent, OrderStatus
from core.stock.replenishment import PoStatus, PurchaseOrder
from tests.cli import run_py
from tests.conftest import PASSWORD, close_bot, signed_in
from tests.factories import a_product, a_supplier, a_warehouse, an_order, commits_out_of_order, stock

TOKEN = "4242:test-token"
CUSTOMER, MANAGER, STRANGER = 1001, 2001, 3001
REDIS = os.environ.get("FAHUO_TEST_REDIS", "redis://127.0.0.1:6379/15")


@dataclass
class Telegram:
    api: BotApiEmulator
    bot: Bot
    settings: Settings
    notify_now: asyncio.Event  # what handlers set to wake the notifier

    async def says(self, chat: int, text: str) -> str:
        return (await self.api.reply(chat, after=self.api.says(chat, text))).text


@pytest.fixture
async def telegram(db: Settings) -> AsyncIterator[Telegram]:
    api = BotApiEmulator(token=TOKEN)
    runner = web.AppRunner(api.app(), shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    settings = db.model_copy(update={"telegram_token": TOKEN,
                                     "telegram_api_base": f"http://127.0.0.1:{runner.addresses[0][1]}"})
    bot = make_bot(settings)
    dispatcher = build_dispatcher(settings, MemoryStorage())
    # one update at a time, so that `api.handled(mark)` means done with it: "nothing happened" can be seen
    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False,
                                                           polling_timeout=1, handle_as_tasks=False))
    yield Telegram(api, bot, settings, dispatcher["notify_now"])
    await dispatcher.stop_polling()
    await asyncio.wait_for(polling, 5)
    await close_bot(bot)
    await runner.cleanup()


async def _order_in_telegram(telegram: Telegram, qty: int):
    """An order of TEA placed by a shop for a customer whose Telegram chat is CUSTOMER."""
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 5)
    body = an_order({"TEA": qty}, customer={"name": "Li Lei", "phone": "+86 138 0000 1111", "telegram_id": CUSTOMER})
    return await place_order(body, "shop", "api:shop", telegram.settings)


async def test_a_customer_orders_through_the_whole_dialog(telegram: Telegram):
    wh, tea = await a_warehouse(), await a_product("TEA", price="88.00")
    await stock(tea, wh, 10)
    api = telegram.api
    assert "Welcome" in await telegram.says(CUSTOMER, "/start")
    await api.reply(CUSTOMER, contains="Commands")
    await api.reply(CUSTOMER, after=api.shares_contact(CUSTOMER, "+86 138 0000 1234"), contains="linked")
    page = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/catalog"), contains="Catalogue")
    card = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, page, "Product TEA"), contains="TEA")
    assert "in stock: 10" in card.text
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, card, "+1"), contains="Added")
    cart = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/cart"), contains="Total 88.00")
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, cart, "Check out"), contains="address")
    asked_again = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "somewhere"))  # a bad address
    assert asked_again.text.startswith("I could not make an address of that")
    address = "上海, 上海, 浦东新区, 世纪大道 100 号, 200120"
    question = await api.reply(CUSTOMER, after=api.says(CUSTOMER, address), contains="When")
    for label, next_question in (("Tomorrow", "How fast"), ("Express", "How will you pay"),
                                 ("Cash on delivery", "Please confirm")):
        question = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, question, label), contains=next_question)
    assert "Express" in question.text and "世纪大道" in question.text
    placed = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, question, "Confirm order"), contains="received")
    again = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, question, "Confirm order"))  # pressed twice
    assert again.popup and again.text.startswith("Already done")  # said, not done: still one order
    order = await Order.get(channel="telegram").prefetch_related("customer")
    assert order.number in placed.text and order.customer.telegram_id == CUSTOMER
    assert (order.service_level, order.payment_method, order.city) == ("express", "cod", "上海")
    assert await Order.all().count() == 1

    assert await notify_once(telegram.bot) == 1  # "confirmed, getting it ready"
    assert any(order.number in s.text and "confirmed" in s.text for s in api.to(CUSTOMER))
    status = await telegram.says(CUSTOMER, f"/track {order.number}")
    assert order.number in status and "Allocated" in status and "allocated" not in status


async def test_a_customer_sees_the_delivery_date_they_asked_for_in_the_order_view(telegram: Telegram):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 5)
    day = datetime.now(telegram.settings.tz).date() + timedelta(days=27)
    body = an_order({"TEA": 1}, requested_date=day.isoformat(),
                    customer={"name": "Li Lei", "phone": "+86 138 0000 1111", "telegram_id": CUSTOMER})
    placed = await place_order(body, "shop", "api:shop", telegram.settings)
    said = f"{day.month}月{day.day}日" if day.year == date.today().year else f"{day.year}年{day.month}月{day.day}日"
    assert f"要求送达：{said}" in await telegram.says(CUSTOMER, f"/track {placed.order.number}")
    assert "English" in await telegram.says(CUSTOMER, "/lang")
    assert f"Wanted by: {local_day(day, 'en')}" in await telegram.says(CUSTOMER, f"/track {placed.order.number}")
    assert day.isoformat() not in await telegram.says(CUSTOMER, f"/track {placed.order.number}")


async def test_a_customer_cannot_track_someone_elses_order(telegram: Telegram):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 5)
    placed = await place_order(an_order({"TEA": 1}), "shop", "api:shop", telegram.settings)
    await Customer.create(name="Other", phone="+86 139 1111 2222", telegram_id=STRANGER, language="en")
    answer = await telegram.says(STRANGER, f"/track {placed.order.number}")
    assert f"No order {placed.order.number} was found for you" in answer
    assert "Send /track and the order number" in await telegram.says(STRANGER, "/track")


async def test_a_customer_who_takes_partial_shipments_is_told_what_follows_and_as_which_order(telegram: Telegram):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await a_product("CUP")  # none in stock
    await stock(tea, wh, 5)
    body = an_order({"TEA": 7, "CUP": 1}, partial_shipment=True,
                    customer={"name": "Li Lei", "phone": "+86 138 0000 1111", "telegram_id": CUSTOMER})
    placed = await place_order(body, "shop", "api:shop", telegram.settings)
    assert placed.order.status == OrderStatus.ALLOCATED
    assert await notify_once(telegram.bot) == 2  # confirmed, and what follows
    told = telegram.api.to(CUSTOMER)[-1].text
    assert f"{placed.order.number}-2" in told and "TEA×2, CUP×1" in told
    status = await telegram.says(CUSTOMER, f"/track {placed.order.number}-2")
    assert "缺货待补" in status and "backordered" not in status


async def test_notifications_arrive_once_after_telegram_was_down(telegram: Telegram):
    placed = await _order_in_telegram(telegram, 1)
    telegram.api.outage = True
    assert await notify_once(telegram.bot) == 0
    assert await notify_once(telegram.bot) == 0
    assert await Delivery.all().count() == 0
    health = await notifier_health("telegram")  # marked, and /healthz reports it
    assert health is not None and health["failing_since"] is not None and health["waiting"] > 0
    telegram.api.outage = False
    assert await notify_once(telegram.bot) == 0  # the failed message waits a little before its next try
    later = datetime.now(UTC) + timedelta(seconds=5)
    assert await notify_once(telegram.bot, now=later) == 1
    assert (await notifier_health("telegram") or {})["failing_since"] is None
    assert await notify_once(telegram.bot, now=later + timedelta(minutes=10)) == 0
    told = [s for s in telegram.api.to(CUSTOMER) if placed.order.number in s.text]
    assert len(told) == 1


async def test_every_committed_event_reaches_each_person_once_whatever_order_the_writers_commit_in_and_healthz_agrees(
        telegram: Telegram, http):
    customers = [await Customer.create(name=f"C{i}", phone=f"+86 137 0000 000{i}", telegram_id=5000 + i,
                                       language="en") for i in range(4)]
    for i, chat in enumerate((MANAGER, MANAGER + 1)):
        manager = await add_staff(f"manager-{i}", Role.MANAGER, PASSWORD)
        await Staff.filter(id=manager.id).update(telegram_id=chat, language="en")
    expected: dict[int, Counter[str]] = defaultdict(Counter)

    async def write(n: int) -> None:
        if n % 5 == 4:  # an alert for both managers
            await emit("stock.low", {"sku": f"S{n}", "warehouse_id": 1, "warehouse": "SH 上海仓", "available": 1,
                                     "reorder_point": 5})
            for chat in (MANAGER, MANAGER + 1):
                expected[chat][f"📉 Low stock: S{n} in SH 上海仓: 1 left, reorder at 5"] += 1
        else:
            customer = customers[n % 4]
            await emit("order.approved", {"order": f"SO-{n}", "customer_id": customer.id})
            expected[customer.telegram_id][f"Order SO-{n} is confirmed; we are getting it ready."] += 1  # type: ignore[index]

    async def two_bot_processes() -> None:
        await asyncio.gather(notify_as(telegram.bot, notifier_lease(telegram.settings, "bot-1")),
                             notify_as(telegram.bot, notifier_lease(telegram.settings, "bot-2")))

    await commits_out_of_order(write, two_bot_processes, each=12)
    async with asyncio.timeout(10):
        while True:  # until /healthz says nothing is waiting
            async with http.get("/healthz") as resp:
                if (await resp.json())["notifications"]["waiting"] == 0:
                    break
            await notify_once(telegram.bot)
    told = {chat: Counter(s.text for s in telegram.api.to(chat)) for chat in expected}
    assert told == expected  # every event, each person once: so "nothing waiting" was true
    assert await Delivery.all().count() == sum(sum(c.values()) for c in expected.values())


async def test_two_notifiers_with_a_slow_telegram_send_every_message_exactly_once(telegram: Telegram):
    """Telegram answering slowly made a notifier's round outlast its lease, so a second process took over and
    both sent the same events. Now each message is claimed before it is sent: a round may last as long as it
    likes."""
    customers = [await Customer.create(name=f"C{i}", phone=f"+86 137 0000 100{i}", telegram_id=6000 + i,
                                       language="en") for i in range(5)]
    async with in_transaction():
        for n in range(40):
            await emit("order.approved", {"order": f"SO-{n}", "customer_id": customers[n % 5].id})
    telegram.api.slowness = 0.05
    stop = asyncio.Event()
    runners = [asyncio.create_task(run_notifier(telegram.bot, stop, notifier_lease(telegram.settings, name),
                                                interval=0.05)) for name in ("web-1", "web-2")]
    try:
        await telegram.api.wait_sent(40, within=30)
        await asyncio.sleep(0.3)  # anything doubled would arrive now
    finally:
        stop.set()
        await asyncio.gather(*runners)
    told = Counter(s.text for s in telegram.api.sent)
    assert len(told) == 40 and set(told.values()) == {1}
    for i in range(5):  # and each customer heard of their orders in the order they happened
        assert [s.text.split()[1] for s in telegram.api.to(6000 + i)] == [f"SO-{n}" for n in range(i, 40, 5)]


async def test_events_no_one_is_told_of_do_not_hold_back_the_next_message(telegram: Telegram):
    shop_customer = await Customer.create(name="Walk-in", phone="+86 139 0000 0000")  # not in Telegram
    async with in_transaction():
        for n in range(1000):  # ten rounds of events that tell no one
            await emit("order.approved", {"order": f"SO-{n}", "customer_id": shop_customer.id})
    placed = await _order_in_telegram(telegram, 1)
    stop = asyncio.Event()
    notifier = asyncio.create_task(run_notifier(telegram.bot, stop, notifier_lease(telegram.settings), interval=0.05))
    try:  # a round that told no one is no outage to back off from
        await telegram.api.reply(CUSTOMER, contains=placed.order.number, within=8)
    finally:
        stop.set()
        await notifier


async def test_a_manager_approves_a_held_order_from_the_alert(telegram: Telegram):
    wh, tea = await a_warehouse(), await a_product("TEA", price="60000.00")
    await stock(tea, wh, 5)
    manager = await add_staff("manager-1", Role.MANAGER, PASSWORD)
    await manager.__class__.filter(id=manager.id).update(telegram_id=MANAGER, language="en")
    placed = await place_order(an_order({"TEA": 1}), "shop", "api:shop", telegram.settings)
    assert placed.order.status == OrderStatus.ON_HOLD
    await notify_once(telegram.bot)
    api = telegram.api
    alert = next(s for s in api.to(MANAGER) if "Held" in s.text)
    assert placed.order.number in alert.text
    # a customer pressing a manager's button (a forwarded alert) gets nothing done, and is told so
    await Customer.create(name="Other", phone="+86 139 1111 2222", telegram_id=STRANGER, language="en")
    for button in ("Approve", "Reject"):
        mark = api.presses(STRANGER, alert, button)
        await api.handled(mark)
        assert [s.text for s in api.sent[mark:]] == ["This chat is not linked to a staff account."]
    assert "Commands" in await telegram.says(STRANGER, "no reason at all")  # no rejection was under way
    assert (await Order.get(id=placed.order.id)).status == OrderStatus.ON_HOLD
    done = await api.reply(MANAGER, after=api.presses(MANAGER, alert, "Approve"), contains=placed.order.number)
    assert "Allocated" in done.text and "allocated" not in done.text
    assert (await Order.get(id=placed.order.id)).status == OrderStatus.ALLOCATED
    approved = await OrderEvent.get(order_id=placed.order.id, to_status=OrderStatus.APPROVED)
    assert render(unkept(approved.reason), "zh") == "经理审核通过"  # the history in each reader's language


async def test_a_permission_taken_from_a_role_in_the_one_table_is_refused_by_the_bot_and_the_api(
        telegram: Telegram, http, monkeypatch):
    wh, tea = await a_warehouse(), await a_product("TEA", price="60000.00")
    await stock(tea, wh, 5)
    manager = await add_staff("manager-1", Role.MANAGER, PASSWORD)
    await Staff.filter(id=manager.id).update(telegram_id=MANAGER, language="en")
    placed = await place_order(an_order({"TEA": 1}), "shop", "api:shop", telegram.settings)
    await notify_once(telegram.bot)
    api = telegram.api
    alert = next(s for s in api.to(MANAGER) if "Held" in s.text)
    # managers lose the right to decide held orders and to see reports, in core's table and nowhere else
    monkeypatch.setitem(ROLE_PERMISSIONS, Permission.REVIEW_ORDERS, frozenset({Role.ADMIN}))
    monkeypatch.setitem(ROLE_PERMISSIONS, Permission.VIEW_REPORTS, frozenset({Role.ADMIN}))
    mark = api.presses(MANAGER, alert, "Approve")
    await api.handled(mark)
    assert [s.text for s in api.sent[mark:]] == ["Your role may not do this."]
    assert (await Order.get(id=placed.order.id)).status == OrderStatus.ON_HOLD
    assert (await api.reply(MANAGER, after=api.says(MANAGER, "/report"))).text == "Your role may not do this."
    assert "Staff commands" in (await api.reply(MANAGER, after=api.says(MANAGER, "/help"))).text
    headers = await signed_in(http, Role.MANAGER, "manager-2")
    async with http.post(f"/api/orders/{placed.order.number}/approve", json={}, headers=headers) as resp:
        assert resp.status == 403, await resp.text()
    async with http.get("/api/dashboard", headers=headers) as resp:
        assert resp.status == 403
    assert (await Order.get(id=placed.order.id)).status == OrderStatus.ON_HOLD


async def test_a_manager_confirms_a_drafted_purchase_order_from_its_alert_once(telegram: Telegram):
    wh = await a_warehouse()
    await a_product("TEA", supplier=await a_supplier())
    manager = await add_staff("manager-1", Role.MANAGER, PASSWORD)
    await Staff.filter(id=manager.id).update(telegram_id=MANAGER, language="en")
    placed = await place_order(an_order({"TEA": 3}), "shop", "api:shop", telegram.settings)  # none in stock
    assert placed.order.status == OrderStatus.BACKORDERED
    po = await PurchaseOrder.get(warehouse_id=wh.id)
    await notify_once(telegram.bot)
    api = telegram.api
    alert = next(s for s in api.to(MANAGER) if po.number in s.text)
    done = await api.reply(MANAGER, after=api.presses(MANAGER, alert, "Confirm the purchase order"),
                           contains=po.number)
    assert "confirmed" in done.text
    assert (await PurchaseOrder.get(id=po.id)).status == PoStatus.CONFIRMED
    assert await OutboxEvent.filter(kind="purchase_order.confirmed").count() == 1
    again = await api.reply(MANAGER, after=api.presses(MANAGER, alert, "Confirm the purchase order"))
    assert again.text.startswith("Already done") and again.popup  # pressed twice: said, not done twice
    assert await OutboxEvent.filter(kind="purchase_order.confirmed").count() == 1


@pytest.mark.slow  # starts run.py
async def test_a_manager_linked_from_the_command_line_gets_staff_help_at_once_in_either_language(
        telegram: Telegram):
    await add_staff("manager", Role.MANAGER, PASSWORD)  # Chinese by default, as staff are
    api = telegram.api
    assert "/report" not in (await api.reply(MANAGER, after=api.says(MANAGER, "/start"), contains="/catalog")).text
    linked = await asyncio.to_thread(run_py, "user", "telegram", "manager", str(MANAGER),
                                     FAHUO_DATABASE_URL=telegram.settings.database_url)
    assert linked.returncode == 0, linked.stderr
    zh = await api.reply(MANAGER, after=api.says(MANAGER, "/start"), contains="经理命令")
    assert all(command in zh.text for command in ("/report", "/alerts", "/login"))
    assert "English" in (await api.reply(MANAGER, after=api.says(MANAGER, "/lang"))).text
    en = await api.reply(MANAGER, after=api.says(MANAGER, "/help"), contains="Manager commands")
    assert all(command in en.text for command in ("/report", "/alerts", "/login"))
    picker = await add_staff("picker", Role.PICKER, PASSWORD)
    await Staff.filter(id=picker.id).update(telegram_id=STRANGER, language="en")
    told = await api.reply(STRANGER, after=api.says(STRANGER, "/start"), contains="Staff commands")
    assert "/login" in told.text and "/report" not in told.text
    await Staff.filter(id=picker.id).update(active=False)  # switched off in the PWA: at once
    assert "Staff" not in (await api.reply(STRANGER, after=api.says(STRANGER, "/help"))).text


async def test_the_login_link_opens_the_app_once(telegram: Telegram, http):
    picker = await add_staff("picker-1", Role.PICKER, PASSWORD)
    await picker.__class__.filter(id=picker.id).update(telegram_id=MANAGER)
    answer = await telegram.says(MANAGER, "/login")
    token = answer.rsplit("/#/link/", 1)[1].strip()
    async with http.post("/api/auth/link", json={"token": token}) as resp:
        assert resp.status == 200
        assert (await resp.json())["staff"]["username"] == "picker-1"
    async with http.post("/api/auth/link", json={"token": token}) as resp:
        assert resp.status == 401
    assert "not linked" in await telegram.says(STRANGER, "/login")


async def test_a_flood_is_throttled_and_unknown_text_gets_help(telegram: Telegram):
    assert "/catalog" in await telegram.says(CUSTOMER, "hello?")
    for i in range(40):
        last = telegram.api.says(CUSTOMER, f"spam {i}")
    await telegram.api.reply(CUSTOMER, contains="Too many messages")
    await telegram.api.handled(last)
    assert sum("Too many" in s.text for s in telegram.api.to(CUSTOMER)) == 1
    assert len(telegram.api.to(CUSTOMER)) < 25


async def test_managers_get_the_daily_report_with_a_chart_and_report_on_demand(telegram: Telegram):
    from bot.emulator import Sent
    from core.reports import send_daily_reports

    manager = await add_staff("manager-1", Role.MANAGER, PASSWORD)
    await manager.__class__.filter(id=manager.id).update(telegram_id=MANAGER, language="en")
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 5)
    placed = await place_order(an_order({"TEA": 1}), "shop", "api:shop", telegram.settings)  # in use for days
    await Order.filter(id=placed.order.id).update(created_at=datetime.now(UTC) - timedelta(days=3))
    assert await send_daily_reports(telegram.settings, datetime.now(UTC))
    await notify_once(telegram.bot)
    reports = [s for s in telegram.api.to(MANAGER) if s.photo]
    assert reports and "orders in" in reports[-1].text
    answer = await telegram.api.reply(MANAGER, after=telegram.api.says(MANAGER, "/report"), contains="Today")
    assert answer.photo
    # a broken button press is answered with an apology, and the bot goes on
    broken = Sent(1, CUSTOMER, "x", [[{"text": "bad", "callback_data": "cat:x"}]])
    assert "Sorry" in (await telegram.api.reply(CUSTOMER, after=telegram.api.presses(CUSTOMER, broken, "bad"))).text
    assert "Commands" in await telegram.says(CUSTOMER, "/help")


async def test_a_customer_asks_for_after_sales_help_with_a_photo(telegram: Telegram):
    from core.orders.order import transition
    from core.shipping.aftersales import AfterSalesPhoto, AfterSalesRequest

    placed = await _order_in_telegram(telegram, 2)
    await Customer.filter(telegram_id=CUSTOMER).update(language="en")
    for step in (OrderStatus.PICKING, OrderStatus.PACKED, OrderStatus.SHIPPED):  # its journey, in short
        async with in_transaction():
            await transition(placed.order, step, "test")
    api = telegram.api
    pick = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/aftersales"), contains="Which order")
    kinds = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, pick, placed.order.number), contains="What happened")
    lines = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, kinds, "Damaged"), contains="0 of 2")
    lines = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, lines, "+"), contains="1 of 2")  # one of two
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, lines, "Next"), contains="describe")
    photos = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "The lid of the tin was crushed"), contains="photos")
    await api.reply(CUSTOMER, after=api.sends_photo(CUSTOMER, b"\xff\xd8\xff crushed tin"), contains="Photo 1")
    opened = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, photos, "Done"), contains="opened")
    request = await AfterSalesRequest.get()
    assert request.number in opened.text and request.kind == "damage" and request.lines == [{"sku": "TEA", "qty": 1}]
    assert (await AfterSalesPhoto.get()).data == b"\xff\xd8\xff crushed tin"


async def test_the_web_chat_of_the_emulator_talks_to_the_bot(telegram: Telegram):
    import aiohttp

    async with aiohttp.ClientSession(base_url=telegram.settings.telegram_api_base) as web_chat:
        async with web_chat.get("/chat") as resp:
            assert resp.status == 200 and "emulator" in await resp.text()
        async with web_chat.post("/chat/send", json={"chat": 5005, "text": "/start"}) as resp:
            assert resp.status == 200
        await telegram.api.reply(5005, contains="Welcome")
        async with web_chat.get("/chat/messages?chat=5005") as resp:
            assert any("Welcome" in m["text"] for m in await resp.json())


async def test_webhook_mode_takes_updates_only_with_the_secret(db: Settings):
    import aiohttp

    from bot.app import WEBHOOK_PATH, mount_webhook

    api = BotApiEmulator(token=TOKEN)
    emulator = web.AppRunner(api.app(), shutdown_timeout=0.1)
    await emulator.setup()
    await web.TCPSite(emulator, "127.0.0.1", 0).start()
    settings = db.model_copy(update={
        "telegram_token": TOKEN, "telegram_api_base": f"http://127.0.0.1:{emulator.addresses[0][1]}",
        "telegram_webhook_url": "https://fahuo.example", "telegram_webhook_secret": "s" * 24})
    app = web.Application()
    mount_webhook(app, settings)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 77, "type": "private"},
                                          "from": {"id": 77, "is_bot": False, "first_name": "A"}, "text": "/help"}}
    try:
        assert "setWebhook" in api.calls
        async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{runner.addresses[0][1]}") as client:
            async with client.post(WEBHOOK_PATH, json=update,
                                   headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) as resp:
                assert resp.status == 401
            async with client.post(WEBHOOK_PATH, json=update,
                                   headers={"X-Telegram-Bot-Api-Secret-Token": "s" * 24}) as resp:
                assert resp.status == 200
        assert "Commands" in (await api.reply(77)).text
    finally:
        await runner.cleanup()
        await emulator.cleanup()


async def test_dialog_state_lives_in_redis_when_configured(db: Settings):
    from aiogram.fsm.storage.base import StorageKey
    from aiogram.fsm.storage.redis import RedisStorage

    from bot.app import storage_for
    from bot.checkout import Checkout

    storage = storage_for(db.model_copy(update={"redis_url": "redis://127.0.0.1:6379/14"}))
    assert isinstance(storage, RedisStorage)
    try:
        await storage.redis.ping()
    except Exception:
        pytest.skip("Redis is not running")
    key = StorageKey(bot_id=4242, chat_id=CUSTOMER, user_id=CUSTOMER)
    try:
        await storage.set_state(key, Checkout.address)
        await storage.set_data(key, {"cart": {"TEA": 2}})
        again = storage_for(db.model_copy(update={"redis_url": "redis://127.0.0.1:6379/14"}))  # a restart
        assert await again.get_state(key) == Checkout.address.state
        assert await again.get_data(key) == {"cart": {"TEA": 2}}
        await again.close()
    finally:
        await storage.set_state(key, None)
        await storage.set_data(key, {})
        await storage.close()


async def test_a_customer_follows_and_cancels_an_order_from_the_links_and_buttons_and_is_told_once(telegram: Telegram):
    placed = await _order_in_telegram(telegram, 1)
    await Customer.filter(telegram_id=CUSTOMER).update(language="en")
    number = placed.order.number
    api = telegram.api
    assert number in await telegram.says(CUSTOMER, f"/start track_{number}")  # the link in a shop's e-mail
    mine = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/orders"), contains="Your orders")
    status = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, mine, number), contains=number)
    await notify_once(telegram.bot)  # "confirmed": nothing else is waiting
    stop = asyncio.Event()
    notifier = asyncio.create_task(run_notifier(telegram.bot, stop, notifier_lease(telegram.settings), interval=60,
                                                wake=telegram.notify_now))
    try:  # the notifier is woken by the cancel: the customer hears at once, not a round later, and once
        await api.reply(CUSTOMER, after=api.presses(CUSTOMER, status, "Cancel this order"), contains="cancelled")
        assert (await Order.get(number=number)).status == OrderStatus.CANCELLED
        await api.handled(api.says(CUSTOMER, "/help"))
    finally:
        stop.set()
        await notifier
    assert [s.text for s in api.to(CUSTOMER) if "cancelled" in s.text] == [f"Order {number} is cancelled."]
    assert "No orders" in await telegram.says(STRANGER, "/orders")


async def test_of_two_notifiers_only_the_lease_holder_reads_the_outbox_and_a_message_is_sent_once(telegram: Telegram):
    await _order_in_telegram(telegram, 1)
    first = await notify_as(telegram.bot, notifier_lease(telegram.settings, "web-1"))
    second = await notify_as(telegram.bot, notifier_lease(telegram.settings, "web-2"))
    assert first.sent == 1 and first.read > 0 and second == Round()
    assert len(telegram.api.to(CUSTOMER)) == 1


async def test_with_redis_configured_the_notifiers_share_a_lease_in_redis(telegram: Telegram):
    """The notifier asks the settings where its lease lives, as the scheduler does: with Redis, a notifier
    holding the key there keeps every other one quiet, whatever the database says."""
    with_redis = telegram.settings.model_copy(update={"redis_url": REDIS})
    first, second = notifier_lease(with_redis, "web-1"), notifier_lease(with_redis, "web-2")
    assert isinstance(first, RedisLease)
    prefix = f"fahuo:test:{uuid.uuid4().hex}:"  # apart from other runs sharing this Redis
    first.key, second.key = prefix + first.name, prefix + second.name
    try:
        await first.redis.ping()
    except Exception:
        pytest.skip("Redis is not running")
    try:
        await _order_in_telegram(telegram, 1)
        sent, quiet = await notify_as(telegram.bot, first), await notify_as(telegram.bot, second)
        assert sent.sent == 1 and quiet == Round()
        assert not await Lease.exists(name="notifier")  # the database lease was never asked
    finally:
        await first.release()
        await second.release()


async def _held_order_told_to_two_managers(telegram: Telegram):
    """A held order, and its alert as the English manager (MANAGER) and the Chinese one (MANAGER + 1) got it."""
    wh, tea = await a_warehouse(), await a_product("TEA", price="60000.00")
    await stock(tea, wh, 5)
    for i, (chat, language) in enumerate(((MANAGER, "en"), (MANAGER + 1, "zh"))):
        manager = await add_staff(f"manager-{i}", Role.MANAGER, PASSWORD)
        await Staff.filter(id=manager.id).update(telegram_id=chat, language=language)
    placed = await place_order(an_order({"TEA": 1}), "shop", "api:shop", telegram.settings)
    await notify_once(telegram.bot)
    alerts = [next(s for s in telegram.api.to(chat) if placed.order.number in s.text)
              for chat in (MANAGER, MANAGER + 1)]
    return placed.order, alerts


async def test_a_decision_button_pressed_again_or_by_a_second_manager_says_already_done_and_does_nothing(
        telegram: Telegram):
    order, (alert, alert_zh) = await _held_order_told_to_two_managers(telegram)
    api = telegram.api
    await api.reply(MANAGER, after=api.presses(MANAGER, alert, "Approve"), contains="Allocated")
    again = await api.reply(MANAGER, after=api.presses(MANAGER, alert, "Approve"))
    assert again.popup and again.text.startswith("Already done")
    mark = api.presses(MANAGER + 1, alert_zh, "拒绝")  # the other manager, a moment too late: no reason asked
    await api.handled(mark)
    assert [(s.text, s.popup) for s in api.sent[mark:]] == [
        ("已经处理过了：此按钮的步骤已经完成，未再次执行。", True)]
    said = await telegram.says(MANAGER + 1, "这不是原因")  # no rejection was under way: their help
    assert "经理命令" in said and "拒绝" not in said
    assert (await Order.get(id=order.id)).status == OrderStatus.ALLOCATED
    assert await OutboxEvent.filter(kind="order.approved").count() == 1


async def test_the_buttons_of_a_checkout_step_passed_or_of_an_earlier_checkout_act_no_more(telegram: Telegram):
    wh, tea = await a_warehouse(), await a_product("TEA", price="88.00")
    await stock(tea, wh, 10)
    await Customer.create(name="Li Lei", phone="+8613800001234", telegram_id=CUSTOMER, language="zh")
    api = telegram.api
    page = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/catalog"), contains="商品目录")
    card = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, page, "TEA"), contains="TEA")
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, card, "+5"), contains="已加入")
    cart = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/cart"), contains="合计 440.00")
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, cart, "去结算"), contains="收货地址")
    days = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "上海，上海，浦东新区，世纪大道 100 号"), contains="何时")
    speeds = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, days, "明天"), contains="配送速度")
    passed = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, days, "不限"))  # a step already passed
    assert passed.popup and passed.text.startswith("已经处理过了")
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, cart, "去结算"), contains="收货地址")  # starts again
    earlier = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, speeds, "特快"))  # of the checkout left
    assert earlier.popup and earlier.text.startswith("已经处理过了")
    days = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "上海，上海，浦东新区，世纪大道 1 号"), contains="何时")
    question = days
    for label, next_question in (("不限", "配送速度"), ("经济", "付款方式"), ("在线支付", "请确认")):
        question = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, question, label), contains=next_question)
    assert "世纪大道 1 号" in question.text and "5 × TEA" in question.text
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, question, "确认下单"), contains="已收到")
    order = await Order.get(channel="telegram")
    assert (order.line1, order.service_level, order.requested_date) == ("世纪大道 1 号", "economy", None)


async def test_a_refusal_of_the_core_is_said_in_the_persons_language_and_a_crash_gets_an_apology(
        telegram: Telegram, monkeypatch):
    import bot.orders

    api = telegram.api
    refused = await api.reply(STRANGER, after=api.shares_contact(STRANGER, "+86 123", language="zh"))
    assert refused.text == "+86 123 不是有效的电话号码。"  # BadPhone, answered by the one middleware
    assert await Customer.all().count() == 0
    placed = await _order_in_telegram(telegram, 1)
    from core.orders.order import transition

    status = await api.reply(CUSTOMER, after=api.says(CUSTOMER, f"/track {placed.order.number}"))
    async with in_transaction():
        for step in (OrderStatus.PICKING, OrderStatus.PACKED, OrderStatus.SHIPPED):
            await transition(placed.order, step, "test")
    late = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, status, "取消此订单"))  # shipped meanwhile
    assert not late.popup and late.text.startswith(f"{placed.order.number} 当前状态为")  # not "already done"

    async def broken(*_: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(bot.orders, "journey_for_customer", broken)
    assert "抱歉" in (await api.reply(CUSTOMER, after=api.says(CUSTOMER, f"/track {placed.order.number}"))).text
    monkeypatch.undo()
    assert placed.order.number in await telegram.says(CUSTOMER, f"/track {placed.order.number}")


async def test_a_cancel_button_pressed_twice_cancels_once_and_says_already_done(telegram: Telegram):
    placed = await _order_in_telegram(telegram, 1)
    await Customer.filter(telegram_id=CUSTOMER).update(language="en")
    api = telegram.api
    status = await api.reply(CUSTOMER, after=api.says(CUSTOMER, f"/track {placed.order.number}"))
    await api.handled(api.presses(CUSTOMER, status, "Cancel this order"))
    again = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, status, "Cancel this order"))
    assert again.popup and again.text.startswith("Already done")
    assert await OutboxEvent.filter(kind="order.cancelled").count() == 1
