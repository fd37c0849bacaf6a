"""The bot in its readers' words, through the fake Bot API: states as words (待拣货), days and times as
the reader writes them in the warehouse's time zone, the carrier's words only in the reader's language, alerts
named in words, after-sales decided from the alert, the sales report. Each chat is left as a transcript in
test-artifacts/ for a person to read."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from bot.emulator import BotApiEmulator
from bot.notifier import notify_once
from core.base.auth import Role, Staff, add_staff
from core.base.i18n import local_day, local_moment
from core.base.settings import Settings
from core.orders.customers import Customer, e164
from core.orders.intake import find_or_add_customer, place_order
from core.orders.order import Order, OrderStatus, transition
from core.shipping.aftersales import AfterSalesRequest, RequestIn, RequestStatus, open_request
from core.stock.catalog import Product
from tests.artifacts import artifact
from tests.conftest import PASSWORD
from tests.factories import a_product, a_warehouse, an_order, stock
from tests.test_bot import CUSTOMER, MANAGER, Telegram, telegram  # noqa: F401
from tests.test_papers import _tracked


def english_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{2,}", text))


def keep(api: BotApiEmulator, chat: int, name: str) -> None:
    written(f"bot-{name}.txt", api.transcript(chat).encode())


def written(name: str, data: bytes) -> None:
    with open(artifact(name), "wb") as out:
        out.write(data)


async def test_a_chinese_customer_orders_and_reads_every_state_in_words(telegram: Telegram):  # noqa: F811
    wh, tea = await a_warehouse(), await a_product("TEA", price="88.00", name_zh="西湖龙井")
    await stock(tea, wh, 10)
    api = telegram.api
    await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/start", language="zh"), contains="欢迎")
    await api.reply(CUSTOMER, after=api.shares_contact(CUSTOMER, "+86 138 0000 1234", language="zh"), contains="关联")
    page = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/catalog"), contains="商品目录")
    card = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, page, "西湖龙井"), contains="TEA")
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, card, "+1"), contains="已加入")
    cart = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/cart"), contains="合计")
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, cart, "去结算"), contains="收货地址")
    question = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "上海，上海，浦东新区，世纪大道 100 号，200120"),
                               contains="何时")
    for label, next_question in (("明天", "配送速度"), ("特快", "付款方式"), ("货到付款", "请确认")):
        question = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, question, label), contains=next_question)
    tomorrow = datetime.now(telegram.settings.tz).date() + timedelta(days=1)
    assert f"{tomorrow.month}月{tomorrow.day}日" in question.text and tomorrow.isoformat() not in question.text
    placed = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, question, "确认下单"), contains="已收到")
    order = await Order.get(channel="telegram")
    assert placed.text == f"订单 {order.number} 已收到：正在备货。"
    mine = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/orders"), contains="您的订单")
    assert any("待拣货" in b["text"] and order.number in b["text"] for row in mine.buttons for b in row)
    status = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, mine, order.number), contains=order.number)
    assert "待拣货" in status.text and f"要求送达：{tomorrow.month}月{tomorrow.day}日" in status.text
    keep(api, CUSTOMER, "customer-order-zh")
    bot_said = [s.text for s in api.to(CUSTOMER)] + [b["text"] for s in api.to(CUSTOMER) for r in s.buttons for b in r]
    assert english_words(" ".join(bot_said)) <= {"TEA", "SO", "English", "catalog", "cart", "orders", "track",
                                                  "aftersales", "lang", "Li", "Lei"}  # codes, commands, names


async def _shipped_to_our_customer(http: Any, db: Settings, language: str) -> dict[str, Any]:
    """A dispatched order with the simulated carrier's stock phrase, a Chinese carrier's words and an English
    note of a carrier, its customer on Telegram chat CUSTOMER in `language`."""
    sent = await _tracked(http, db)
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=7)
    status, answer = await sent["phone"]["dispatcher"].call(
        "POST", f"/api/shipments/{sent['shipment']}/tracking",
        {"id": "e3", "code": "out_for_delivery", "description": "Courier Wang will call before arriving",
         "place": "浦东新区", "at": at.isoformat()})
    assert status == 201, answer
    order = await Order.get(number=sent["order"])
    await Customer.filter(id=order.customer_id).update(telegram_id=CUSTOMER, language=language)  # type: ignore[attr-defined]
    sent["last_at"] = at
    return sent


async def test_the_journey_is_told_in_the_customers_words_and_local_time_and_foreign_carrier_words_stay_out(
        telegram: Telegram, http, db: Settings):  # noqa: F811
    sent = await _shipped_to_our_customer(http, db, "zh")
    api = telegram.api
    zh = await api.reply(CUSTOMER, after=api.says(CUSTOMER, f"/track {sent['order']}"), contains=sent["order"])
    assert "已发货" in zh.text and "物流进度" in zh.text
    tea = await Product.get(sku="TEA-LJ-250")
    assert f"× TEA-LJ-250 {tea.name_zh}" in zh.text  # the goods named beside their SKU, in the reader's language
    assert all(word in zh.text for word in ("已揽收", "已到达网点", "快件已到达【上海浦东转运中心】", "派送中"))
    assert local_moment(sent["last_at"], db.tz, "zh") in zh.text  # Shanghai time, as a Chinese reader writes it
    assert all(t in zh.text for t in sent["times"])
    codes = {w for code in (sent["order"], "TEA-LJ-250", "CUP-6") for w in english_words(code)}
    assert english_words(zh.text) <= codes, zh.text  # no "Picked up by the courier", no "Courier Wang…"
    assert "English" in (await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/lang"))).text
    en = await api.reply(CUSTOMER, after=api.says(CUSTOMER, f"/track {sent['order']}"), contains=sent["order"])
    assert f"× TEA-LJ-250 {tea.name}" in en.text
    assert "Shipped" in en.text and "Picked up" in en.text and "Courier Wang will call before arriving" in en.text
    assert "快件已到达" not in en.text and "Picked up by the courier" not in en.text  # the kind says it
    assert local_moment(sent["last_at"], db.tz, "en") in en.text and "T" not in en.text.split("\n")[-1][:12]
    keep(api, CUSTOMER, "customer-journey-zh-en")


async def test_a_customer_abroad_reads_the_journey_in_their_own_time_zone(
        telegram: Telegram, http, db: Settings):  # noqa: F811
    sent = await _shipped_to_our_customer(http, db, "en")
    await Customer.filter(telegram_id=CUSTOMER).update(timezone="Europe/Berlin")
    berlin, api = ZoneInfo("Europe/Berlin"), telegram.api
    en = await api.reply(CUSTOMER, after=api.says(CUSTOMER, f"/track {sent['order']}"), contains=sent["order"])
    assert local_moment(sent["last_at"], berlin, "en") in en.text
    assert local_moment(sent["last_at"], db.tz, "en") not in en.text  # not the company's clock
    mine = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/orders"), contains="orders")
    placed = (await Order.get(number=sent["order"])).created_at
    assert any(local_day(placed, "en", berlin) in b["text"] for row in mine.buttons for b in row)
    keep(api, CUSTOMER, "customer-journey-berlin")


async def test_an_order_from_a_country_of_one_time_zone_gives_its_new_customer_that_zone(db: Settings):
    await a_warehouse()
    for phone, country, zone in (("+49 30 1234567", "DE", "Europe/Berlin"), ("+1 212 555 0100", "US", ""),
                                 ("+86 138 0000 7777", "CN", "")):
        order = an_order({"TEA": 1}, phone=phone)
        order = order.model_copy(update={"address": order.address.model_copy(update={"country": country})})
        async with in_transaction():
            await find_or_add_customer(order)
        assert (await Customer.get(phone=e164(phone))).timezone == zone, country  # the US has many: none


async def _manager(chat: int, language: str) -> Staff:
    manager = await add_staff(f"manager-{chat}", Role.MANAGER, PASSWORD)
    await Staff.filter(id=manager.id).update(telegram_id=chat, language=language)
    return manager


async def test_a_manager_switches_alerts_named_in_words(telegram: Telegram):  # noqa: F811
    await _manager(MANAGER, "zh")
    api = telegram.api
    shown = await api.reply(MANAGER, after=api.says(MANAGER, "/alerts"), contains="提醒")
    labels = [b["text"] for row in shown.buttons for b in row]
    assert "✓ 待审订单" in labels and "✓ 库存不足" in labels and "✓ 售后申请" in labels
    assert not english_words(" ".join(labels))  # no held, low_stock
    switched = await api.reply(MANAGER, after=api.presses(MANAGER, shown, "库存不足"), contains="提醒")
    assert "✗ 库存不足" in [b["text"] for row in switched.buttons for b in row]
    keep(api, MANAGER, "manager-alerts-zh")


async def _shipped_order_of_our_customer(tg: Telegram, qty: int = 2) -> Order:
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 5)
    body = an_order({"TEA": qty}, customer={"name": "Li Lei", "phone": "+86 138 0000 1111", "telegram_id": CUSTOMER})
    placed = await place_order(body, "shop", "api:shop", tg.settings)
    async with in_transaction():
        for step in (OrderStatus.PICKING, OrderStatus.PACKED, OrderStatus.SHIPPED):
            await transition(placed.order, step, "test")
    return placed.order


async def _request_from_the_bot(tg: Telegram, order: Order, kind: str, words: str) -> None:
    api = tg.api
    pick = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/aftersales"), contains="请选择")
    kinds = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, pick, order.number), contains="遇到了什么问题")
    lines = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, kinds, kind), contains="涉及哪些商品")
    lines = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, lines, "+"), contains="1/")  # one of them
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, lines, "下一步"), contains="描述")
    photos = await api.reply(CUSTOMER, after=api.says(CUSTOMER, words), contains="照片")
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, photos, "完成"), contains="已提交")


async def test_a_manager_decides_after_sales_from_the_alert_once_with_a_reason_for_a_rejection(
        telegram: Telegram):  # noqa: F811
    await _manager(MANAGER, "zh")
    await _manager(MANAGER + 1, "en")
    order = await _shipped_order_of_our_customer(telegram)
    await Customer.filter(telegram_id=CUSTOMER).update(language="zh")
    api = telegram.api
    await _request_from_the_bot(telegram, order, "破损", "罐子压坏了")
    await notify_once(telegram.bot)
    first = await AfterSalesRequest.get()
    alert = next(s for s in api.to(MANAGER) if first.number in s.text)
    assert "破损" in alert.text and "damage" not in alert.text
    alert_en = next(s for s in api.to(MANAGER + 1) if first.number in s.text)
    assert "(Damaged)" in alert_en.text or "Damaged" in alert_en.text
    asked = await api.reply(MANAGER, after=api.presses(MANAGER, alert, "拒绝"), contains="原因")
    assert first.number in asked.text
    done = await api.reply(MANAGER, after=api.says(MANAGER, "照片显示是运输前的旧损"), contains=first.number)
    assert done.text == f"{first.number}：已拒绝"
    assert (await AfterSalesRequest.get(id=first.id)).status == RequestStatus.REJECTED
    again = await api.reply(MANAGER + 1, after=api.presses(MANAGER + 1, alert_en, "Approve"))  # a moment too late
    assert again.popup and again.text.startswith("Already done")
    await notify_once(telegram.bot)
    assert any("未通过" in s.text and "旧损" in s.text for s in api.to(CUSTOMER))

    await _request_from_the_bot(telegram, order, "退货", "不想要了")
    await notify_once(telegram.bot)
    second = await AfterSalesRequest.get(id__not=first.id)
    alert = next(s for s in api.to(MANAGER) if second.number in s.text)
    how = await api.reply(MANAGER, after=api.presses(MANAGER, alert, "批准"), contains="如何处理")
    assert how.text.startswith(f"{second.number} 如何处理？客户为 1 × TEA Product TEA 实付 10.00 元。商品先寄回：")
    assert [b["text"] for row in how.buttons for b in row] == [
        "−", "TEA 1/1", "+", "💸 退款 10.00 元", "✏️ 退款其他金额", "📦 补发", "↩️ 先寄回，再定"]
    asked = await api.reply(MANAGER, after=api.presses(MANAGER, how, "退款其他金额"), contains="退款多少")
    assert asked.text == f"{second.number} 退款多少？最多 10.00 元。"
    refused = await api.reply(MANAGER, after=api.says(MANAGER, "12"), contains="超过")
    assert refused.text == "退款 12.00 超过了这些商品的实付金额（10.00）。"
    how = await api.reply(MANAGER, after=api.presses(MANAGER, alert, "批准"), contains="如何处理")
    asked = await api.reply(MANAGER, after=api.presses(MANAGER, how, "退款其他金额"), contains="退款多少")
    done = await api.reply(MANAGER, after=api.says(MANAGER, "8.5"), contains=second.number)
    assert done.text.startswith(f"{second.number}：待退回。部分同意；退款 8.50 元（1 × TEA Product TEA）；请将")
    twice = await api.reply(MANAGER, after=api.presses(MANAGER, how, "💸 退款"))
    assert twice.popup and twice.text.startswith("已经处理过了")
    again = await api.reply(MANAGER, after=api.presses(MANAGER, alert, "批准"))
    assert again.popup and again.text.startswith("已经处理过了")
    decided = await AfterSalesRequest.get(id=second.id)
    assert (decided.status, decided.refund_amount) == (RequestStatus.AWAITING_RETURN, Decimal("8.50"))
    await notify_once(telegram.bot)
    told = api.to(CUSTOMER)[-1].text
    assert told.startswith(f"售后 {second.number} 已同意：部分同意；退款 8.50 元") and "寄回" in told
    keep(api, MANAGER, "manager-aftersales-zh")
    keep(api, CUSTOMER, "customer-aftersales-zh")


async def test_a_manager_reads_sales_by_product_and_by_customer_and_switches_the_window(telegram: Telegram):  # noqa: F811
    from bot.callbacks import SalesBy
    from bot.sales import sales_report

    await _manager(MANAGER, "zh")
    wh = await a_warehouse()
    for sku, zh, price in (("TEA-LJ-250", "西湖龙井 250 克", "128.00"), ("CUP-6", "青瓷茶杯", "45.50")):
        await stock(await a_product(sku, price=price, name_zh=zh), wh, 50)
    buyers = (("欧阳娜娜", "+86 138 0000 0001", {"TEA-LJ-250": 3}), ("Li Lei", "+86 138 0000 0002", {"CUP-6": 4}),
              ("欧阳娜娜", "+86 138 0000 0001", {"CUP-6": 1}))
    for name, phone, lines in buyers:
        await place_order(an_order(lines, customer={"name": name, "phone": phone}), "shop", "api:shop",
                          telegram.settings)
    old = await place_order(an_order({"TEA-LJ-250": 1}, customer={"name": "Old", "phone": "+86 138 0000 0003"}),
                            "shop", "api:shop", telegram.settings)
    await Order.filter(id=old.order.id).update(created_at=datetime.now(UTC) - timedelta(days=20))  # 30 days only
    api = telegram.api
    shown = await api.reply(MANAGER, after=api.says(MANAGER, "/report"), contains="按商品销售")
    assert shown.photo and "<pre>" in shown.text and "14 天" in shown.text and "金额单位：元" in shown.text
    assert "CNY" not in shown.text  # 元, as a Chinese reader says it
    table = shown.text.split("<pre>")[1].split("</pre>")[0].splitlines()
    assert table[1].startswith("TEA-LJ-250") and "384.00" in table[1] and table[2].startswith("CUP-6")
    assert "✓ 14 天" in [b["text"] for row in shown.buttons for b in row]
    by_customer = await api.reply(MANAGER, after=api.presses(MANAGER, shown, "按客户"), contains="按客户销售")
    assert by_customer.message_id == shown.message_id and by_customer.photo  # the same message, changed
    table = by_customer.text.split("<pre>")[1].split("</pre>")[0].splitlines()
    assert table[1].startswith("欧阳娜娜") and "429.50" in table[1] and "Old" not in by_customer.text
    month = await api.reply(MANAGER, after=api.presses(MANAGER, by_customer, "30 天"), contains="30 天")
    assert "Old" in month.text and "✓ 按客户" in [b["text"] for row in month.buttons for b in row]
    keep(api, MANAGER, "manager-report-zh")
    for lang in ("zh", "en"):  # the charts themselves, to look at
        for by in SalesBy:
            chart, caption, _ = await sales_report(by, 30, lang, telegram.settings)
            written(f"bot-report-{by.value}-{lang}.png", chart.data)
            written(f"bot-report-{by.value}-{lang}.txt", caption.encode())


async def test_the_catalogue_shows_its_shelves_first_then_a_shelf_page_by_page_with_pictures(
        telegram: Telegram):  # noqa: F811
    from core.demo import picture
    from core.stock.catalog import Category

    wh = await a_warehouse()
    tea, ware = (await Category.create(code="TEA", name="Tea", name_zh="茶叶", position=1),
                 await Category.create(code="WARE", name="Tea ware", name_zh="茶具", position=2))
    await Category.create(code="EMPTY", name="Nothing yet", name_zh="暂无")  # no products: not shown
    for i in range(8):  # two pages of tea
        await stock(await a_product(f"TEA-{i}", name_zh=f"绿茶 {i} 号", category=tea), wh, 5)
    media = telegram.settings.media_dir
    (media / "products").mkdir(parents=True)
    (media / "products" / "CUP.png").write_bytes(picture("Celadon cup", "青瓷茶杯", "CUP", "#1e40af"))
    await stock(await a_product("CUP", name_zh="青瓷茶杯", category=ware, image="products/CUP.png"), wh, 3)
    await a_product("POT", name_zh="紫砂壶", category=ware, image="https://img.example.com/pot.png")
    await a_product("LOOSE", name_zh="散货")  # on no shelf
    await Customer.create(name="Li Lei", phone="+8613800001234", telegram_id=CUSTOMER, language="zh")
    api = telegram.api
    shelves = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/catalog"), contains="请选择分类")
    labels = [b["text"] for row in shelves.buttons for b in row]
    assert labels == ["茶叶 (8)", "茶具 (2)", "其他 (1)"]
    page = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, shelves, "茶叶"), contains="第 1/2 页")
    assert page.message_id == shelves.message_id and "青瓷茶杯" not in str(page.buttons)
    page = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, page, "2 ›"), contains="第 2/2 页")
    assert [b["text"] for b in page.buttons[-1]] == ["‹ 分类", "‹ 1"]
    shelves = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, page, "‹ 分类"), contains="请选择分类")
    ware_page = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, shelves, "茶具"), contains="第 1/1 页")
    card = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, ware_page, "青瓷茶杯"), contains="CUP")
    assert card.photo and "库存：3" in card.text and card.button("+1")  # sent with its picture, as the caption
    assert api.photos[-1] == (media / "products" / "CUP.png").read_bytes()
    card = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, ware_page, "紫砂壶"), contains="POT")
    assert card.photo and api.photos[-1] == b"https://img.example.com/pot.png"  # Telegram fetches an address
    other = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, shelves, "其他"), contains="第 1/1 页")
    card = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, other, "散货"), contains="LOOSE")
    assert not card.photo  # no picture: the card as text
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, card, "+1"), contains="已加入")
    keep(api, CUSTOMER, "customer-catalogue-zh")


async def test_alerts_and_notices_say_days_and_kinds_in_the_readers_words(telegram: Telegram):  # noqa: F811
    from core.base.events import emit

    await _manager(MANAGER, "zh")
    customer = await Customer.create(name="Li Lei", phone="+8613800001234", telegram_id=CUSTOMER, language="zh")
    today = datetime.now(telegram.settings.tz).date()
    wanted, arrives = today + timedelta(days=1), today + timedelta(days=3)
    async with in_transaction():
        await emit("shipment.dispatched", {"shipment": "SH-1", "order": "SO-1", "customer_id": customer.id,
                                           "carrier": "顺捷快递", "waybill": "SW1", "eta": arrives.isoformat(),
                                           "tracking_url": "https://t.example/x"})
        await emit("shipment.date_missed", {"shipment": "SH-1", "order": "SO-1", "requested": wanted.isoformat(),
                                            "carrier": "顺捷快递", "arrives": arrives.isoformat()})
    await notify_once(telegram.bot)
    told, alert = telegram.api.to(CUSTOMER)[-1].text, telegram.api.to(MANAGER)[-1].text
    assert f"预计 {local_day(arrives, 'zh')} 送达" in told and arrives.isoformat() not in told
    assert local_day(wanted, "zh") in alert and local_day(arrives, "zh") in alert and wanted.isoformat() not in alert


async def test_a_manager_approves_fewer_units_in_the_bot_and_the_refund_follows_them(telegram: Telegram):  # noqa: F811
    await _manager(MANAGER, "en")
    order = await _shipped_order_of_our_customer(telegram, qty=3)
    body = RequestIn.model_validate({"order": order.number, "kind": "damage", "text": "two tins dented",
                                     "lines": [{"sku": "TEA", "qty": 3}]})
    request = await open_request(body, "api:shop", telegram.settings)
    await notify_once(telegram.bot)
    api = telegram.api
    alert = next(s for s in api.to(MANAGER) if request.number in s.text)
    how = await api.reply(MANAGER, after=api.presses(MANAGER, alert, "Approve"), contains="How is")
    assert "paid 30.00 CNY for 3 × TEA Product TEA" in how.text
    fewer = await api.reply(MANAGER, after=api.presses(MANAGER, how, "−"), contains="paid 20.00 CNY")
    assert fewer.message_id == how.message_id and "for 2 × TEA Product TEA" in fewer.text
    assert fewer.buttons[0][1]["text"] == "TEA 2/3"
    done = await api.reply(MANAGER, after=api.presses(MANAGER, fewer, "Refund 20.00"), contains=request.number)
    assert done.text == f"{request.number}: Settled — approved in part; we refund 20.00 CNY for 2 × TEA Product TEA."
    decided = await AfterSalesRequest.get(id=request.id)
    assert decided.approved_lines == [{"sku": "TEA", "qty": 2}] and decided.refund_amount == Decimal("20.00")
