"""Phones are one key however they are written: E.164 (+8613800001111) in the API, the bot and staff look-ups."""

import importlib

from tortoise import connections

from core.base.auth import Role
from core.orders.customers import Customer
from core.orders.intake import place_order
from core.orders.order import Order
from tests.conftest import signed_in
from tests.factories import a_product, a_warehouse, an_order, stock
from tests.test_api import shop  # noqa: F401 - the fixture: a warehouse with TEA and a shop's key
from tests.test_bot import CUSTOMER, Telegram, telegram  # noqa: F401 - the fixture


async def test_one_phone_written_three_ways_is_one_customer_stored_in_e164(http, shop):  # noqa: F811
    for ref, phone in (("w-1", "+86 138 0000 1111"), ("w-2", "13800001111"), ("w-3", "0086 138-0000-1111")):
        body = an_order({"TEA": 1}, phone=phone, external_ref=ref).model_dump(mode="json")
        async with http.post("/api/orders", json=body, headers=shop) as resp:
            assert resp.status == 201, await resp.text()
    assert await Customer.all().values_list("phone", flat=True) == ["+8613800001111"]
    assert set(await Order.all().values_list("phone", flat=True)) == {"+8613800001111"}


async def test_an_invalid_phone_is_a_422_naming_the_field_in_english_and_chinese(http, shop):  # noqa: F811
    body = an_order({"TEA": 1}).model_dump(mode="json")
    body["customer"]["phone"] = "12345"
    for lang, words, field in (("en", "not a valid phone number", "customer › phone"),
                               ("zh", "不是有效的电话号码", "客户 › 电话")):
        async with http.post("/api/orders", json=body, headers={**shop, "Accept-Language": lang}) as resp:
            assert resp.status == 422
            error = await resp.json()
        assert error["error"] == "validation_error" and words in error["message"]
        assert field in error["message"] and error["details"][0]["field"] == "customer.phone"
    assert await Customer.all().count() == 0


async def test_sharing_a_phone_in_the_bot_links_the_orders_a_shop_placed(telegram: Telegram, http):  # noqa: F811
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 5)
    placed = await place_order(an_order({"TEA": 1}, phone="+86 138 0000 1111"), "shop", "api:shop",
                               telegram.settings)
    api = telegram.api
    # Telegram sends the number in international form without the plus
    await api.reply(CUSTOMER, after=api.shares_contact(CUSTOMER, "8613800001111"), contains="linked")
    assert await Customer.all().count() == 1
    mine = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/orders"))
    assert mine.button(placed.order.number)


async def test_the_bot_says_so_when_a_shared_phone_is_not_valid(telegram: Telegram):  # noqa: F811
    api = telegram.api
    answer = await api.reply(CUSTOMER, after=api.shares_contact(CUSTOMER, "123"))
    assert "123 is not a valid phone number" in answer.text
    assert await Customer.all().count() == 0


async def test_staff_find_a_customers_orders_by_any_spelling_of_the_phone(http, shop):  # noqa: F811
    numbers = []
    for phone in ("+86 138 0000 1111", "+86 139 0000 2222"):
        body = an_order({"TEA": 1}, phone=phone).model_dump(mode="json")
        async with http.post("/api/orders", json=body, headers=shop) as resp:
            numbers.append((await resp.json())["number"])
    staff = await signed_in(http, Role.PICKER)
    async with http.get("/api/orders", params={"phone": "138-0000-1111"}, headers=staff) as resp:
        found = await resp.json()
    assert [o["number"] for o in found] == numbers[:1]
    async with http.get("/api/orders", params={"phone": "call me"}, headers=staff) as resp:
        assert resp.status == 422 and (await resp.json())["error"] == "bad_phone"


async def test_stored_phones_become_e164_and_customers_sharing_one_merge_into_the_oldest(db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 5)
    oldest = await Customer.create(name="Wang Fang", phone="+86 13800000001", credit_limit=500)
    bot_twin = await Customer.create(name="Fang", phone="+8613800000001", telegram_id=1001, blocked=True)
    other = await Customer.create(name="Li Wei", phone="+86 13800000002")
    odd = await Customer.create(name="Typo", phone="+86 1")  # not a number: kept as it was
    for customer in (oldest, bot_twin, bot_twin):
        await Order.create(number=f"SO-{await Order.all().count()}", channel="shop", customer=customer,
                           recipient=customer.name, phone=customer.phone, city="上海", line1="世纪大道 100 号",
                           created_by="test")
    migration = importlib.import_module("core.migrations.0009_e164_phones")
    merged = await migration.normalise_phones(connections.get("default"))
    assert merged == [(oldest.id, [bot_twin.id])]
    kept = await Customer.get(id=oldest.id)
    assert (kept.name, kept.phone, kept.telegram_id, kept.blocked, kept.credit_limit) == (
        "Wang Fang", "+8613800000001", 1001, True, 500)
    assert not await Customer.exists(id=bot_twin.id)
    assert (await Customer.get(id=other.id)).phone == "+8613800000002"
    assert (await Customer.get(id=odd.id)).phone == "+86 1"
    assert set(await Order.all().values_list("customer_id", flat=True)) == {oldest.id}
    assert set(await Order.all().values_list("phone", flat=True)) == {"+8613800000001"}
