"""A customer shopping in the bot, in English and Chinese, through the fake Bot API and the real web app over HTTP:
a cart that knows the stock, saved addresses, paying online, after-sales by line, /lang before linking, and old
buttons that say "already done". Each dialog is written out as a transcript to read (test-artifacts/bot-*.txt).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiogram.fsm.storage.memory import MemoryStorage
from aiohttp import web
from tortoise.transactions import in_transaction

from bot.app import build_dispatcher, make_bot
from bot.emulator import BotApiEmulator, Sent
from bot.middlewares import Throttle
from bot.notifier import notify_once
from core.base.settings import Settings
from core.orders.addresses import SavedAddress, save_address
from core.orders.customers import Customer
from core.orders.intake import place_order
from core.orders.order import AddressIn, Order, OrderLine, OrderStatus, PaymentState, transition
from core.orders.payments import Payment
from core.shipping.aftersales import AfterSalesRequest, RequestIn, open_request
from core.stock.catalog import Product
from pwa.app import create_app
from tests.artifacts import artifact
from tests.conftest import close_bot
from tests.factories import a_product, a_warehouse, an_order, stock
from tests.test_bot import TOKEN, Telegram

CUSTOMER, OTHER, STRANGER = 1001, 1002, 3001
PHONE = "+8613800001234"


@dataclass
class Shop:
    telegram: Telegram
    url: str  # the web app: payment pages and the provider's callback
    http: aiohttp.ClientSession

    @property
    def api(self) -> BotApiEmulator:
        return self.telegram.api


@pytest.fixture
async def shop(db: Settings) -> AsyncIterator[Shop]:
    """The bot polling the emulator, and fahuo's web app on a port known beforehand, so the payment links the
    bot hands out lead to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    api = BotApiEmulator(token=TOKEN)
    chat = web.AppRunner(api.app(), shutdown_timeout=0.1)
    await chat.setup()
    await web.TCPSite(chat, "127.0.0.1", 0).start()
    settings = db.model_copy(update={"public_url": url, "telegram_token": TOKEN,
                                     "telegram_api_base": f"http://127.0.0.1:{chat.addresses[0][1]}"})
    app = web.AppRunner(create_app(settings, manage_db=False), shutdown_timeout=0.5)
    await app.setup()
    await web.SockSite(app, sock).start()
    bot = make_bot(settings)
    dispatcher = build_dispatcher(settings, MemoryStorage())
    for middleware in dispatcher.update.outer_middleware:
        if isinstance(middleware, Throttle):
            middleware.burst = 1000  # a test taps faster than a person; flood control is tested in test_bot
    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False,
                                                           polling_timeout=1, handle_as_tasks=False))
    async with aiohttp.ClientSession() as http:
        yield Shop(Telegram(api, bot, settings, dispatcher["notify_now"]), url, http)
    await dispatcher.stop_polling()
    await asyncio.wait_for(polling, 5)
    await close_bot(bot)
    await app.cleanup()
    await chat.cleanup()


def transcript(api: BotApiEmulator, chat: int, name: str, title: str) -> None:
    """The chat as its person saw it: their messages, the bot's (with its buttons), edits and pop-ups."""
    said = [title, "=" * len(title), ""]
    for entry in api.feed:
        if entry["chat"] != chat:
            continue
        if entry["mine"]:
            said.append(f"👤 {entry['text'] or '[photo]'}")
            continue
        who = {"popup": "🤖 (pop-up)", "edit": "🤖 (edited)"}.get(entry["kind"], "🤖")
        first, *rest = (entry["text"] or "[photo]").split("\n")
        said.append(f"{who} {first}")
        said.extend(f"   {line}" for line in rest)
        for row in entry["buttons"]:
            said.append("   " + " ".join(_button(b) for b in row))
        said.append("")
    with open(artifact(f"bot-{name}.txt"), "w", encoding="utf-8") as out:
        out.write("\n".join(said) + "\n")


def _button(button: dict[str, Any]) -> str:
    return f"[{button['text']} → {button['url']}]" if "url" in button else f"[{button['text']}]"


async def a_customer(chat: int = CUSTOMER, lang: str = "en", phone: str = PHONE, **extra: Any) -> Customer:
    return await Customer.create(name="Li Lei", phone=phone, telegram_id=chat, language=lang, **extra)


async def fill_cart(api: BotApiEmulator, chat: int, sku: str, presses: list[str], added: str) -> None:
    page = await api.reply(chat, after=api.says(chat, "/catalog"))
    card = await api.reply(chat, after=api.presses(chat, page, sku), contains=sku)
    for label in presses:
        mark = api.presses(chat, card, label)
        await api.reply(chat, after=mark, contains=added)
        await api.handled(mark)  # the card edited in place


async def to_summary(api: BotApiEmulator, chat: int, question: Sent, labels: list[tuple[str, str]]) -> Sent:
    for label, next_question in labels:
        question = await api.reply(chat, after=api.presses(chat, question, label), contains=next_question)
    return question


EN_STEPS = [("Tomorrow", "How fast"), ("Standard", "How will you pay"), ("Cash on delivery", "Please confirm")]
ZH_STEPS = [("明天", "配送速度"), ("标准", "付款方式"), ("货到付款", "请确认")]


# -- the cart knows the stock --------------------------------------------------------------------------------


async def test_a_cart_of_more_than_is_left_says_how_many_and_what_becomes_of_the_rest_and_lets_the_customer_choose(
        shop: Shop):
    wh = await a_warehouse()
    tea, cup = await a_product("TEA", price="10.00", name_zh="龙井茶"), await a_product("CUP", price="3.00")
    await stock(tea, wh, 3)
    await stock(cup, wh, 50)
    await a_customer(lang="en")
    api = shop.api
    await fill_cart(api, CUSTOMER, "TEA", ["+5"], "Added")  # 5 of 3
    await fill_cart(api, CUSTOMER, "CUP", ["+1"], "Added")
    cart = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/cart"), contains="Total")
    short = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, cart, "Check out"), contains="only 3 left")
    assert "TEA Product TEA: you want 5, only 3 left (2 short)." in short.text
    assert "the whole order waits until the rest arrives" in short.text  # this customer takes no partial shipments
    assert "CUP" not in short.text  # enough of that
    assert [b["text"] for row in short.buttons for b in row] == [
        "Order all · 53.00 CNY", "Only what is in stock · 33.00 CNY", "Cancel"]
    ask = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, short, "Only what is in stock"), contains="address")
    again = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, short, "Order all"))  # changed their mind: too late
    assert again.popup and again.text.startswith("Already done")
    days = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "上海, 上海, 浦东新区, 世纪大道 100 号, 200120"),
                           contains="When")
    assert ask.text.startswith("Delivery address") and "To: 上海 浦东新区 世纪大道 100 号" in days.text
    summary = await to_summary(api, CUSTOMER, days, EN_STEPS)
    assert "3 × TEA Product TEA" in summary.text and "Total 33.00 CNY" in summary.text
    assert "waits" not in summary.text  # nothing is short any more
    placed = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, summary, "Confirm order"), contains="received")
    order = await Order.get(channel="telegram")
    assert f"Order {order.number} received: we are getting it ready." == placed.text  # what it will do, in words
    assert dict(await OrderLine.filter(order_id=order.id).values_list("product__sku", "qty")) == {"TEA": 3, "CUP": 1}
    transcript(api, CUSTOMER, "cart-short-en", "A cart of 5 when 3 are left: only what is in stock (en)")


async def test_a_customer_who_takes_partial_shipments_orders_it_all_and_reads_that_the_rest_follows_in_chinese(
        shop: Shop):
    wh = await a_warehouse()
    tea = await a_product("TEA", price="10.00", name_zh="龙井茶")
    await a_product("CUP", price="3.00")
    await stock(tea, wh, 3)  # and no cups at all
    await a_customer(lang="zh", partial_shipment=True)
    api = shop.api
    await fill_cart(api, CUSTOMER, "龙井茶", ["+5"], "已加入")
    await fill_cart(api, CUSTOMER, "CUP", ["+1"], "已加入")
    cart = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/cart"), contains="合计")
    short = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, cart, "去结算"), contains="只剩")
    assert short.text.splitlines() == [
        "TEA 龙井茶：您要 5 件，只剩 3 件（缺 2 件）。",
        "CUP Product CUP：您要 1 件，目前无货。",
        "如全部下单：现有商品先发，其余商品到货后作为单独的订单发出。"]
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, short, "全部下单 · 53.00 元"), contains="收货地址")
    days = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "上海，上海，浦东新区，世纪大道 100 号，200120"),
                           contains="何时")
    summary = await to_summary(api, CUSTOMER, days, ZH_STEPS)
    assert "5 × TEA 龙井茶" in summary.text and "合计 53.00 元" in summary.text
    assert summary.text.endswith("暂时缺货、到货后作为单独订单发出：TEA ×2，CUP ×1。")  # said again
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, summary, "确认下单"), contains="已收到")
    first = await Order.filter(channel="telegram").order_by("id").first()
    assert first is not None
    assert first.status == OrderStatus.ALLOCATED and await Order.filter(number=f"{first.number}-2").exists()
    assert await notify_once(shop.telegram.bot) >= 2
    told = api.to(CUSTOMER)[-1].text
    assert f"{first.number}-2" in told and "到货后" in told
    transcript(api, CUSTOMER, "cart-short-zh", "部分有货：全部下单，其余商品作为后续订单发出（中文）")


async def test_products_no_longer_sold_are_named_and_taken_out_of_the_cart(shop: Shop):
    wh = await a_warehouse()
    tea, cup = await a_product("TEA"), await a_product("CUP")
    await stock(tea, wh, 10)
    await stock(cup, wh, 10)
    await a_customer(lang="zh")
    api = shop.api
    await fill_cart(api, CUSTOMER, "TEA", ["+1"], "已加入")
    await fill_cart(api, CUSTOMER, "CUP", ["+1"], "已加入")
    await Product.filter(sku="CUP").update(active=False)
    cart = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/cart"), contains="合计")
    mark = api.presses(CUSTOMER, cart, "去结算")
    gone = await api.reply(CUSTOMER, after=mark, contains="已下架")
    assert gone.text == "以下商品已下架，已从购物车移除：CUP"
    await api.reply(CUSTOMER, after=mark, contains="收货地址")  # the rest goes on to checkout
    cart = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/cart"), contains="合计")
    assert "1 × TEA" in cart.text
    assert "CUP" not in cart.text

    await Product.filter(sku="TEA").update(active=False)  # nothing left on sale
    mark = api.presses(CUSTOMER, cart, "去结算")
    await api.reply(CUSTOMER, after=mark, contains="TEA")
    assert "购物车是空的" in (await api.reply(CUSTOMER, after=mark, contains="购物车是空的")).text
    transcript(api, CUSTOMER, "cart-not-sold-zh", "下架商品从购物车移除（中文）")


# -- saved addresses -----------------------------------------------------------------------------------------


async def test_the_address_of_an_order_is_offered_at_the_next_checkout_in_english_and_chinese(shop: Shop):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 50)
    await a_customer(lang="en")
    api = shop.api
    for _ in range(2):
        await fill_cart(api, CUSTOMER, "TEA", ["+1"], "Added")
        cart = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/cart"), contains="Total")
        ask = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, cart, "Check out"), contains="address")
        if not ask.buttons:  # the first time: typed
            days = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "上海，上海，浦东新区，世纪大道 100 号，200120"),
                                   contains="When")
        else:  # the second: tapped
            assert ask.text.startswith("Where should it go?")
            assert [b["text"] for row in ask.buttons for b in row] == ["上海 浦东新区 世纪大道 100 号",
                                                                      "➕ A new address"]
            days = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, ask, "世纪大道"), contains="When")
            assert "To: 上海 浦东新区 世纪大道 100 号" in days.text
        summary = await to_summary(api, CUSTOMER, days, EN_STEPS)
        await api.reply(CUSTOMER, after=api.presses(CUSTOMER, summary, "Confirm order"), contains="received")
    first, second = await Order.filter(channel="telegram").order_by("id")
    assert (second.line1, second.postcode, second.recipient) == (first.line1, "200120", "Li Lei")
    assert await SavedAddress.all().count() == 1  # the same door once
    old = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, ask, "世纪大道"))  # the ended checkout's button
    assert old.popup and old.text.startswith("Already done")
    transcript(api, CUSTOMER, "saved-address-en", "The address typed once is offered next time (en)")

    # in Chinese, a new address instead of the saved one
    await Customer.filter(telegram_id=CUSTOMER).update(language="zh")
    await fill_cart(api, CUSTOMER, "TEA", ["+1"], "已加入")
    cart = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/cart"), contains="合计")
    ask = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, cart, "去结算"), contains="送到哪里")
    assert ask.text == "送到哪里？请点选您用过的地址，或像写快递单一样发送新地址"
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, ask, "新地址"), contains="请输入收货地址")
    days = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "广东，广州，天河区，天河路 385 号，510630"),
                           contains="何时")
    assert days.text.startswith("收货地址：广东 广州 天河区 天河路 385 号")
    summary = await to_summary(api, CUSTOMER, days, ZH_STEPS)
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, summary, "确认下单"), contains="已收到")
    await fill_cart(api, CUSTOMER, "TEA", ["+1"], "已加入")
    ask = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, cart, "去结算"), contains="送到哪里")
    assert [b["text"] for row in ask.buttons for b in row][:2] == ["广东 广州 天河区 天河路 385 号",
                                                                    "上海 浦东新区 世纪大道 100 号"]
    transcript(api, CUSTOMER, "saved-address-zh", "上次的地址在下次结算时可点选；也可输入新地址（中文）")


async def test_another_customers_saved_address_cannot_be_used_and_is_answered_in_words(shop: Shop):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 50)
    me = await a_customer(lang="en")
    other = await a_customer(OTHER, phone="+8613900002222")
    theirs = await save_address(other.id, AddressIn(recipient="Han Meimei", phone="+8613900002222", province="北京",
                                                    city="北京", line1="长安街 1 号"))
    await save_address(me.id, AddressIn(recipient="Li Lei", phone=PHONE, province="上海", city="上海",
                                        line1="世纪大道 100 号"))
    api = shop.api
    await fill_cart(api, CUSTOMER, "TEA", ["+1"], "Added")
    cart = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/cart"), contains="Total")
    ask = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, cart, "Check out"), contains="Where")
    forged = Sent(ask.message_id, CUSTOMER, ask.text, [[{"text": "x", "callback_data": ask.button("世纪大道")[
        "callback_data"].rsplit(":", 1)[0] + f":{theirs.id}"}]])
    refused = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, forged, "x"))
    assert refused.text == "That address is not among your saved ones any more; please tap another or send a new one."
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, ask, "世纪大道"), contains="When")  # goes on


# -- paying online -------------------------------------------------------------------------------------------


async def _pay_on_the_page(shop: Shop, button: dict[str, Any], lang: str) -> str:
    """What the customer does in their browser: open the link, press Pay; the page they land on."""
    url = button["url"]
    assert url.startswith(f"{shop.url}/pay/") and url.endswith(f"?lang={lang}")
    async with shop.http.get(url) as page:
        assert page.status == 200
    async with shop.http.post(url.split("?")[0] + f"?lang={lang}") as paid:  # the form posts to the page itself
        assert paid.status == 200
        return await paid.text()


@pytest.mark.parametrize(("lang", "pay", "steps", "confirm", "paid_word"), [
    ("en", "Pay online", EN_STEPS[:2], "Confirm order", "We received your payment of 88.00 CNY for order"),
    ("zh", "在线支付", ZH_STEPS[:2], "确认下单", "的付款 88.00 元，谢谢"),
])
async def test_an_order_paid_online_leads_to_the_payment_page_and_the_customer_is_told_it_was_paid(
        shop: Shop, lang: str, pay: str, steps: list[tuple[str, str]], confirm: str, paid_word: str):
    wh, tea = await a_warehouse(), await a_product("TEA", price="44.00", name_zh="龙井茶")
    await stock(tea, wh, 10)
    await a_customer(lang=lang)
    api = shop.api
    await fill_cart(api, CUSTOMER, "Product TEA" if lang == "en" else "龙井茶", ["+1", "+1"],
                    "Added" if lang == "en" else "已加入")
    cart = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/cart"))
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, cart, "Check out" if lang == "en" else "去结算"))
    days = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "上海，上海，浦东新区，世纪大道 100 号，200120"),
                           contains="When" if lang == "en" else "何时")
    question = await to_summary(api, CUSTOMER, days, steps)
    summary = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, question, pay))
    link = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, summary, confirm),
                           contains="88.00 CNY online" if lang == "en" else "在线支付 88.00 元")
    order = await Order.get(channel="telegram")
    order_number = order.number
    if lang == "en":
        assert link.text.startswith(f"Order {order_number}: please pay 88.00 CNY online by ")
        assert link.buttons[0][0]["text"] == "💳 Pay 88.00 CNY"
    else:
        assert link.text.startswith(f"订单 {order_number}：请在 ") and "在线支付 88.00 元" in link.text
        assert link.buttons[0][0]["text"] == "💳 支付 88.00 元"

    # the order's view offers the same link again
    view = await api.reply(CUSTOMER, after=api.says(CUSTOMER, f"/track {order_number}"), contains=order_number)
    again = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, view, "💳"), contains="88.00")
    assert again.buttons[0][0]["url"] == link.buttons[0][0]["url"]  # one payment, not two
    assert await Payment.filter(order_id=order.id).count() == 1

    page = await _pay_on_the_page(shop, link.buttons[0][0], lang)
    assert order_number in page
    assert (await Order.get(id=order.id)).payment_state == PaymentState.PAID  # by the provider's signed callback
    await notify_once(shop.telegram.bot)
    assert any(order_number in s.text and paid_word in s.text for s in api.to(CUSTOMER))

    # an old "pay" button, once paid: said in words, no new link
    late = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, view, "💳"))
    assert late.text == (f"Order {order_number} is paid already. Thank you!" if lang == "en"
                         else f"订单 {order_number} 已付款，谢谢！")
    assert not late.buttons and await Payment.filter(order_id=order.id).count() == 1
    view = await api.reply(CUSTOMER, after=api.says(CUSTOMER, f"/track {order_number}"), contains=order_number)
    assert not any("💳" in b["text"] for row in view.buttons for b in row)  # nothing to pay any more
    transcript(api, CUSTOMER, f"pay-online-{lang}", f"Pay online: the link, the page, told it was paid ({lang})")


async def test_a_cash_order_or_someone_elses_has_no_payment_link_and_is_told_so(shop: Shop):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 10)
    await a_customer(lang="zh")
    cod = await _shop_order(shop, payment_method="cod", payment_state="pending")
    theirs = await _shop_order(shop, customer={"name": "Han", "phone": "+8613900002222"})
    api = shop.api
    view = await api.reply(CUSTOMER, after=api.says(CUSTOMER, f"/track {cod}"), contains=cod)
    assert not any("💳" in b["text"] for row in view.buttons for b in row)
    for number, said in ((cod, f"订单 {cod} 目前无需在线支付。"), (theirs, f"没有找到您的订单 {theirs}。")):
        forged = Sent(view.message_id, CUSTOMER, view.text, [[{"text": "pay", "callback_data": f"payo:{number}"}]])
        assert (await api.reply(CUSTOMER, after=api.presses(CUSTOMER, forged, "pay"))).text == said
    assert await Payment.all().count() == 0


async def _shop_order(shop: Shop, **extra: Any) -> str:
    extra.setdefault("customer", {"name": "Li Lei", "phone": PHONE})
    placed = await place_order(an_order({"TEA": 1}, **extra), "shop", "api:shop", shop.telegram.settings)
    return placed.order.number


# -- after-sales by line -------------------------------------------------------------------------------------


async def _shipped(shop: Shop, lines: dict[str, int]) -> str:
    wh = await a_warehouse()
    for sku in lines:
        await stock(await a_product(sku, name_zh={"TEA": "龙井茶", "CUP": "茶杯"}.get(sku, "")), wh, 20)
    placed = await place_order(an_order(lines, customer={"name": "Li Lei", "phone": PHONE}), "shop", "api:shop",
                               shop.telegram.settings)
    async with in_transaction():
        for step in (OrderStatus.PICKING, OrderStatus.PACKED, OrderStatus.SHIPPED):  # its journey, in short
            await transition(placed.order, step, "test")
    return placed.order.number


async def test_after_sales_asks_which_lines_and_how_many_and_opens_the_request_for_those_alone_in_chinese(
        shop: Shop):
    await a_customer(lang="zh")
    number = await _shipped(shop, {"TEA": 3, "CUP": 2})
    api = shop.api
    pick = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/aftersales"), contains="请选择")
    kinds = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, pick, number), contains="遇到了什么问题")
    lines = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, kinds, "退货"), contains="涉及哪些商品")
    assert lines.text.splitlines()[1:] == ["TEA 龙井茶：0/3 件", "CUP 茶杯：0/2 件"]
    nothing = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, lines, "下一步"))
    assert nothing.popup and nothing.text == "请先至少选择一件商品。"
    lines = await api.reply(CUSTOMER, after=api.taps(CUSTOMER, lines, lines.buttons[0][2]), contains="1/3")  # TEA +
    lines = await api.reply(CUSTOMER, after=api.taps(CUSTOMER, lines, lines.buttons[0][2]), contains="2/3")
    lines = await api.reply(CUSTOMER, after=api.taps(CUSTOMER, lines, lines.buttons[1][1]), contains="CUP 茶杯：2/2")
    lines = await api.reply(CUSTOMER, after=api.taps(CUSTOMER, lines, lines.buttons[0][0]), contains="1/3")  # TEA −
    text = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, lines, "下一步"), contains="请简单描述")
    assert text.text.startswith("涉及商品：1 × TEA，2 × CUP")
    old = await api.reply(CUSTOMER, after=api.taps(CUSTOMER, lines, lines.buttons[0][2]))  # the picker is done with
    assert old.popup and old.text.startswith("已经处理过了")
    photos = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "杯子不想要了，茶叶多买了一盒"), contains="照片")
    await api.reply(CUSTOMER, after=api.sends_photo(CUSTOMER, b"\xff\xd8\xff cups"), contains="第 1 张")
    opened = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, photos, "完成"), contains="已提交")
    request = await AfterSalesRequest.get()
    assert request.number in opened.text
    assert request.lines == [{"sku": "TEA", "qty": 1}, {"sku": "CUP", "qty": 2}] and request.kind == "return"

    # the next request offers only what is left; the cups are all claimed
    kinds = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, pick, number), contains="遇到了什么问题")
    lines = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, kinds, "破损"), contains="涉及哪些商品")
    assert lines.text.splitlines()[1:] == ["TEA 龙井茶：0/2 件"]
    transcript(api, CUSTOMER, "aftersales-lines-zh", "售后：按商品选择数量（中文）")


async def test_goods_claimed_meanwhile_are_said_in_words_and_the_customer_chooses_again_keeping_words_and_photos(
        shop: Shop):
    me = await a_customer(lang="en")
    number = await _shipped(shop, {"TEA": 2})
    api = shop.api
    pick = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/aftersales"), contains="Which order")
    kinds = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, pick, number), contains="What happened")
    lines = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, kinds, "Damaged"), contains="0 of 2")
    lines = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, lines, "TEA 0/2"), contains="2 of 2")  # all
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, lines, "Next"), contains="describe")
    photos = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "Both tins arrived dented"), contains="photos")
    await api.reply(CUSTOMER, after=api.sends_photo(CUSTOMER, b"\xff\xd8\xff dented"), contains="Photo 1")
    # meanwhile one tin is asked about elsewhere (the shop's form)
    await open_request(RequestIn.model_validate({"order": number, "kind": "return", "text": "one back",
                                                 "lines": [{"sku": "TEA", "qty": 1}]}), "api:shop",
                       shop.telegram.settings, customer_id=me.id)
    mark = api.presses(CUSTOMER, photos, "Done")
    refused = await api.reply(CUSTOMER, after=mark, contains="too many")
    assert refused.text.startswith("TEA: 2 shipped, 1 of them not yet in a request; 2 is too many.")
    again = await api.reply(CUSTOMER, after=mark, contains="0 of 1")
    again = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, again, "+"), contains="1 of 1")
    photos = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, again, "Next"), contains="photos")
    assert photos.text.startswith("About: 1 × TEA")  # their words are kept: not asked again
    opened = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, photos, "Done"), contains="opened")
    request = await AfterSalesRequest.filter(created_by__startswith="tg:").get()
    assert request.number in opened.text and request.lines == [{"sku": "TEA", "qty": 1}]
    assert request.text == "Both tins arrived dented" and await request.photos.all().count() == 1
    none_left = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, pick, number), contains="already")
    assert none_left.text == f"Everything of order {number} is already in an after-sales request."
    transcript(api, CUSTOMER, "aftersales-again-en", "After-sales: goods claimed meanwhile, chosen again (en)")


# -- /lang before the chat is linked -------------------------------------------------------------------------


async def test_lang_sticks_for_a_chat_linked_to_nobody_and_comes_along_when_they_share_their_phone(shop: Shop):
    api = shop.api
    assert (await api.reply(STRANGER, after=api.says(STRANGER, "/lang"))).text == "语言：中文"  # Telegram says en
    assert (await api.reply(STRANGER, after=api.says(STRANGER, "/help"))).text.startswith("命令：")
    assert "欢迎" in (await api.reply(STRANGER, after=api.says(STRANGER, "/start"))).text
    linked = await api.reply(STRANGER, after=api.shares_contact(STRANGER, "+86 138 0000 5555"), contains="谢谢")
    assert linked.text.startswith("谢谢您")
    assert (await Customer.get(telegram_id=STRANGER)).language == "zh"
    assert (await api.reply(STRANGER, after=api.says(STRANGER, "/lang"))).text == "Language: English"
    assert (await Customer.get(telegram_id=STRANGER)).language == "en"
    assert (await api.reply(STRANGER, after=api.says(STRANGER, "/help", language="zh"))).text.startswith("Commands")
    transcript(api, STRANGER, "lang-before-linking", "/lang before sharing a phone: it sticks")


async def test_a_product_whose_sku_is_long_or_has_a_colon_is_shown_carded_and_put_in_the_cart(shop: Shop):
    wh = await a_warehouse()
    long_sku = "CN:TEA-" + "L" * 57  # 64 bytes, as long as a SKU may be
    await stock(await a_product(long_sku, price="12.00"), wh, 5)
    await stock(await a_product("A:B", price="2.00"), wh, 5)
    await a_customer(lang="en")
    api = shop.api
    page = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/catalog"), contains="Catalogue")
    for sku in (long_sku, "A:B"):
        card = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, page, f"Product {sku}"), contains=sku)
        mark = api.presses(CUSTOMER, card, "+1")
        await api.reply(CUSTOMER, after=mark, contains="Added")
        await api.handled(mark)
    cart = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/cart"), contains="Total")
    assert long_sku in cart.text and "A:B" in cart.text and "14.00" in cart.text


# -- addresses pasted as people write them -------------------------------------------------------------------


WORDS = {"en": ("Added", "Total", "Check out", "address", EN_STEPS, "Confirm order", "received"),
         "zh": ("已加入", "合计", "去结算", "收货地址", ZH_STEPS, "确认下单", "已收到")}


async def at_checkout(api: BotApiEmulator, lang: str) -> Sent:
    """One TEA in the cart and Check out pressed: the question where it goes (a shop of TEA, a customer)."""
    if not await Product.exists(sku="TEA"):
        await stock(await a_product("TEA", name_zh="龙井茶"), await a_warehouse(), 10)
        await a_customer(lang=lang)
    added, total, check_out, asked, *_ = WORDS[lang]
    await fill_cart(api, CUSTOMER, "龙井茶" if lang == "zh" else "TEA", ["+1"], added)
    cart = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/cart"), contains=total)
    return await api.reply(CUSTOMER, after=api.presses(CUSTOMER, cart, check_out), contains=asked)


async def confirmed(api: BotApiEmulator, days: Sent, lang: str) -> tuple[Sent, Order]:
    """From the delivery day to the order placed: the summary the customer confirmed, and the order."""
    *_, steps, confirm, received = WORDS[lang]
    summary = await to_summary(api, CUSTOMER, days, steps)
    pressed = api.presses(CUSTOMER, summary, confirm)
    await api.reply(CUSTOMER, after=pressed, contains=received)
    await api.handled(pressed)  # the address saved after the customer was told
    order = await Order.filter(channel="telegram").order_by("-id").first()
    assert order is not None
    return summary, order


async def test_a_pasted_chinese_address_becomes_a_confirmed_order_that_can_be_planned(shop: Shop):
    api = shop.api
    await at_checkout(api, "zh")
    paste = "收货人：王芳\n手机号码：13904310000\n所在地区：吉林省长春市朝阳区\n详细地址：人民大街5988号"
    days = await api.reply(CUSTOMER, after=api.says(CUSTOMER, paste), contains="何时")
    assert days.text.startswith("收货地址：吉林省 长春市 朝阳区 人民大街5988号")
    summary, order = await confirmed(api, days, "zh")
    assert "吉林省 长春市 朝阳区 人民大街5988号（王芳，139 0431 0000）" in summary.text  # whom it goes to, too
    assert "（王芳，139 0431 0000）" in days.text
    assert (order.status, order.recipient, order.phone) == (OrderStatus.ALLOCATED, "王芳", "+8613904310000")
    assert (order.province, order.city, order.district, order.line1) == ("吉林省", "长春市", "朝阳区", "人民大街5988号")
    assert order.adcode == "220104" and order.postcode == "130012"
    assert order.lat is not None and order.lon is not None and 43 < order.lat < 44  # the district's centre
    saved = await SavedAddress.get(customer__telegram_id=CUSTOMER)
    assert saved.label() == "吉林省 长春市 朝阳区 人民大街5988号"  # offered next time, as read
    transcript(api, CUSTOMER, "address-pasted-zh", "粘贴整段收货信息，读出后下单（中文）")


async def test_an_address_in_doubt_is_shown_back_and_once_confirmed_the_order_waits_for_a_person(shop: Shop):
    api = shop.api
    await at_checkout(api, "en")
    doubtful = "上海市徐汇区漕溪北路201号 王芳 13904310000"  # a phone given out in Jilin, an address in Shanghai
    check = await api.reply(CUSTOMER, after=api.says(CUSTOMER, doubtful), contains="check")
    assert check.text.splitlines() == [
        "Please check the address:", "王芳 139 0431 0000", "上海市 徐汇区 漕溪北路201号 200030",
        "⚠️ Phone 139 0431 0000 is from 吉林省长春市, not 上海市.", "Shall we deliver there?"]
    again = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, check, "No, I will type it again"),
                            contains="Delivery address")
    assert again.text.startswith("Delivery address: send it as you would write it")
    # an old city merged away since: today's likeliest district, shown back with why
    renamed = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "山东省莱芜市莱城大道1号"), contains="check")
    assert "济南市 莱芜区 莱城大道1号" in renamed.text and "merged or split" in renamed.text
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, renamed, "No, I will type it again"),
                    contains="Delivery address")
    # a same-named district and nothing to tell which: asked, and confirmed
    guess = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "朝阳区建国路88号"), contains="check")
    assert "北京市 朝阳区 建国路88号 100020" in guess.text and "More than one district" in guess.text
    days = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, guess, "Yes, deliver there"), contains="When")
    assert "To: 北京市 朝阳区 建国路88号" in days.text
    _, order = await confirmed(api, days, "en")
    assert order.status == OrderStatus.ALLOCATED and order.adcode == "110105" and order.lat is not None

    # the doubtful one, confirmed this time: placed, its address not held (a phone of elsewhere is everyday) but
    # noted (the order itself waits: the same goods as the one just before, a likely duplicate)
    ask = await at_checkout(api, "en")
    await api.reply(CUSTOMER, after=api.presses(CUSTOMER, ask, "A new address"), contains="Delivery address")
    check = await api.reply(CUSTOMER, after=api.says(CUSTOMER, doubtful), contains="check")
    days = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, check, "Yes, deliver there"), contains="When")
    _, noted = await confirmed(api, days, "en")
    assert [r["rule"] for r in noted.review if r["outcome"] == "hold"] == ["duplicate"] and noted.lat is not None
    assert [r["reason"] for r in noted.review if r["rule"] == "address"] == [
        "address complete; to note: phone 139 0431 0000 is from 吉林省长春市, the address in 上海市"]
    transcript(api, CUSTOMER, "address-doubt-en", "An address in doubt is shown back to be checked (en)")


async def test_a_customer_whose_address_is_held_is_told_politely_without_the_words_meant_for_staff(shop: Shop):
    api = shop.api
    await at_checkout(api, "zh")
    pasted = "张三 13800138000 广东省广州市天河区体育西路191号 100020"  # a Beijing postcode for Guangzhou
    check = await api.reply(CUSTOMER, after=api.says(CUSTOMER, pasted), contains="核对")
    days = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, check, "是，送到这里"), contains="何时")
    _, held = await confirmed(api, days, "zh")
    assert held.status == OrderStatus.ON_HOLD
    await notify_once(shop.telegram.bot)
    told = [s.text for s in api.to(CUSTOMER) if held.number in s.text and "核对" in s.text]
    assert told == [f"订单 {held.number} 需要我们稍作核对后再处理，我们会尽快联系您。"]  # not "请与客户确认"
    transcript(api, CUSTOMER, "address-held-zh", "地址存疑的订单：客户收到的待审通知（中文）")


async def test_an_address_without_a_street_is_shown_back_and_held_when_confirmed(shop: Shop):
    api = shop.api
    await at_checkout(api, "zh")
    check = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "北京市朝阳区"), contains="核对")
    assert "⚠️ 地址中没有街道门牌。" in check.text.splitlines()
    days = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, check, "是，送到这里"), contains="何时")
    _, held = await confirmed(api, days, "zh")
    assert held.status == OrderStatus.ON_HOLD and held.address_doubts == [{"key": "street_missing", "params": {}}]


async def test_something_that_is_no_address_is_asked_again(shop: Shop):
    api = shop.api
    await at_checkout(api, "zh")
    bad = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "嗯"), contains="地址")
    assert bad.text == "没能读出地址，请发送省、市、区和街道门牌"
