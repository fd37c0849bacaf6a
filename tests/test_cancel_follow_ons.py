"""Cancelling an order takes its open follow-ons (the rest of a partial shipment) with it, and the customer
hears of both in one message."""

from __future__ import annotations

from bot.notifier import notify_once
from core.events import OutboxEvent
from core.intake import place_order
from core.orders import Order, OrderStatus, cancel_order
from core.parties import Customer
from core.stock import Reservation, ReservationState, check_ledger
from core.transfers import TransferOrder
from tests.factories import a_product, a_supplier, a_warehouse, an_order, stock
from tests.test_bot import CUSTOMER, Telegram

pytest_plugins = ("tests.test_bot",)  # its `telegram` fixture: the real bot against the Bot API emulator


async def _split_order(settings) -> tuple[Order, Order]:
    """TEA×7 and JAR×1 for a customer in Telegram who takes partial shipments: five teas ship from Shanghai,
    the rest (two teas to buy, the jar by transfer from Guangzhou) follows as `-2`."""
    sh, gz, supplier = await a_warehouse("SH"), await a_warehouse("GZ"), await a_supplier()
    tea, jar = await a_product("TEA", supplier=supplier), await a_product("JAR")
    await stock(tea, sh, 5)
    await stock(jar, gz, 1)
    body = an_order({"TEA": 7, "JAR": 1}, partial_shipment=True,
                    customer={"name": "Li Lei", "phone": "+86 138 0000 1111", "telegram_id": CUSTOMER})
    order = (await place_order(body, "shop", "api:shop", settings)).order
    rest = await Order.get(number=f"{order.number}-2")
    assert (order.status, rest.status) == (OrderStatus.ALLOCATED, OrderStatus.BACKORDERED)
    return order, rest


async def test_cancelling_an_order_cancels_its_follow_on_and_tells_the_customer_once(telegram: Telegram):
    order, rest = await _split_order(telegram.settings)
    await Customer.filter(telegram_id=CUSTOMER).update(language="en")
    assert await notify_once(telegram.bot) == 2  # confirmed, and what follows
    before = await OutboxEvent.all().count()

    await cancel_order(order.number, "api:shop", "changed my mind")
    assert (await Order.get(id=rest.id)).status == OrderStatus.CANCELLED
    assert not await Reservation.filter(state=ReservationState.ACTIVE).exists()
    assert (await TransferOrder.get(order_id=rest.id)).status == "cancelled"
    told = await OutboxEvent.filter(id__gt=before, kind__startswith="order.")
    assert [(e.kind, e.payload["order"], e.payload["follow_ons"]) for e in told] == [
        ("order.cancelled_with_rest", order.number, rest.number)]
    assert await notify_once(telegram.bot) == 1
    message = telegram.api.to(CUSTOMER)[-1].text
    assert order.number in message and rest.number in message
    assert await notify_once(telegram.bot) == 0
    assert not await check_ledger()


async def test_a_follow_on_that_shipped_stays_shipped_and_a_lone_order_is_told_as_before(telegram: Telegram):
    order, rest = await _split_order(telegram.settings)
    await Order.filter(id=rest.id).update(status=OrderStatus.SHIPPED)  # its goods came first and left
    before = await OutboxEvent.all().count()
    await cancel_order(order.number, "api:shop", "changed my mind")
    assert (await Order.get(id=rest.id)).status == OrderStatus.SHIPPED
    assert [e.kind for e in await OutboxEvent.filter(id__gt=before, kind__startswith="order.")] == [
        "order.cancelled"]


async def test_cancelling_a_follow_on_leaves_the_order_it_continues(telegram: Telegram):
    order, rest = await _split_order(telegram.settings)
    await cancel_order(rest.number, "api:shop", "the rest is not needed")
    assert (await Order.get(id=order.id)).status == OrderStatus.ALLOCATED
    assert (await Order.get(id=rest.id)).status == OrderStatus.CANCELLED
    assert (await TransferOrder.get(order_id=rest.id)).status == "cancelled"
