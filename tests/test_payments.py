"""Paying online: the link, the simulated provider's page, its signed callback and the order paid — over HTTP."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import aiohttp
import pytest
from aiohttp import web

from core.base.events import OutboxEvent
from core.base.settings import Settings
from core.orders.intake import place_order
from core.orders.order import Order, OrderStatus, PaymentState, customer_order
from core.orders.payments import (
    NothingToPay,
    Payment,
    PaymentStatus,
    expire_unpaid,
    record_payment,
    sign,
    start_payment,
)
from core.orders.review import decide_held
from core.shipping.cancellation import cancel_order
from pwa.app import create_app
from tests.factories import a_product, a_warehouse, an_order, stock

CALLBACK = "/api/payments/simulated/callback"


@dataclass
class Shop:
    url: str
    settings: Settings
    http: aiohttp.ClientSession


@pytest.fixture
async def shop(db: Settings) -> AsyncIterator[Shop]:
    """fahuo's web app on a port known beforehand, so the links it hands out point at it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = db.model_copy(update={"public_url": url})
    runner = web.AppRunner(create_app(settings, manage_db=False), shutdown_timeout=0.5)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    async with aiohttp.ClientSession() as http:
        yield Shop(url, settings, http)
    await runner.cleanup()


async def _prepaid_order(settings: Settings, qty: int = 2, **extra) -> Order:
    wh, tea = await a_warehouse(), await a_product("TEA", price="44.00", name_zh="龙井茶")
    await stock(tea, wh, 10)
    body = an_order({"TEA": qty}, payment_method="prepaid", payment_state="pending", **extra)
    placed = await place_order(body, "telegram", "tg:1", settings)
    return placed.order


async def _page(shop: Shop, url: str, lang: str = "en") -> tuple[int, str]:
    async with shop.http.get(url, headers={"Accept-Language": lang}) as resp:
        return resp.status, await resp.text()


async def _callback(shop: Shop, body: dict, secret: str | None = None) -> tuple[int, dict]:
    raw = json.dumps(body).encode()
    headers = {"X-Fahuo-Signature": sign(secret or shop.settings.payment_secret, raw),
               "Content-Type": "application/json"}
    async with shop.http.post(shop.url + CALLBACK, data=raw, headers=headers) as resp:
        return resp.status, await resp.json()


async def test_a_customer_follows_the_link_pays_and_the_order_is_paid_by_the_providers_callback(shop: Shop):
    order = await _prepaid_order(shop.settings)
    assert order.status == OrderStatus.ALLOCATED  # reserved while the money is on its way
    link = await start_payment(order.number, shop.settings, customer_id=order.customer_id)
    assert link.url.startswith(f"{shop.url}/pay/") and str(link.amount) == "88.00"
    assert (await start_payment(order.number, shop.settings)).url == link.url  # asked twice: one link

    status, page = await _page(shop, link.url, "zh")
    assert status == 200 and "¥88.00" in page and "龙井茶" in page and order.number in page
    async with shop.http.post(link.url) as resp:  # the Pay button
        assert resp.status == 200 and resp.url.path == f"/pay/{link.token}"  # back on the page after paying
        assert "is paid" in await resp.text()

    fresh = await Order.get(id=order.id)
    assert fresh.payment_state == PaymentState.PAID and fresh.status == OrderStatus.ALLOCATED
    payment = await Payment.get(token=link.token)
    assert payment.status == PaymentStatus.PAID and payment.provider_ref.startswith("SIM-")
    assert await OutboxEvent.filter(kind="order.paid").count() == 1  # the customer is told once
    with pytest.raises(NothingToPay):
        await start_payment(order.number, shop.settings)  # nothing left to pay


async def test_a_callback_with_a_bad_signature_is_refused_and_changes_nothing(shop: Shop):
    order = await _prepaid_order(shop.settings)
    link = await start_payment(order.number, shop.settings)
    body = {"token": link.token, "ref": "SIM-FORGED", "amount": "88.00", "currency": "CNY", "status": "paid"}
    status, answer = await _callback(shop, body, secret="guessed")
    assert status == 401 and answer["error"] == "unauthorized"
    raw = json.dumps(body).encode()
    async with shop.http.post(shop.url + CALLBACK, data=raw, headers={"Content-Type": "application/json"}) as resp:
        assert resp.status == 401  # no signature at all
    assert (await Order.get(id=order.id)).payment_state == PaymentState.PENDING
    assert (await Payment.get(token=link.token)).status == PaymentStatus.PENDING


async def test_a_callback_that_comes_twice_pays_once(shop: Shop):
    order = await _prepaid_order(shop.settings)
    link = await start_payment(order.number, shop.settings)
    body = {"token": link.token, "ref": "SIM-1", "amount": "88.00", "currency": "CNY", "status": "paid"}
    first = await _callback(shop, body)
    again = await _callback(shop, body)
    assert first == (200, {"order": order.number, "payment": "paid", "replayed": False})
    assert again == (200, {"order": order.number, "payment": "paid", "replayed": True})
    assert await OutboxEvent.filter(kind="order.paid").count() == 1


async def test_two_copies_of_a_callback_arriving_together_pay_once(shop: Shop):
    order = await _prepaid_order(shop.settings)
    link = await start_payment(order.number, shop.settings)
    body = {"token": link.token, "ref": "SIM-9", "amount": "88.00", "currency": "CNY", "status": "paid"}
    answers = await asyncio.gather(*(_callback(shop, body) for _ in range(4)))
    assert sorted(a["replayed"] for _, a in answers) == [False, True, True, True]
    assert await OutboxEvent.filter(kind="order.paid").count() == 1


async def test_a_callback_for_another_sum_is_refused(shop: Shop):
    order = await _prepaid_order(shop.settings)
    link = await start_payment(order.number, shop.settings)
    status, _ = await _callback(shop, {"token": link.token, "ref": "SIM-2", "amount": "0.01", "currency": "CNY",
                                       "status": "paid"})
    assert status == 409
    assert (await Order.get(id=order.id)).payment_state == PaymentState.PENDING


async def test_an_unknown_or_expired_link_is_a_friendly_page_in_the_customers_language(shop: Shop):
    status, page = await _page(shop, f"{shop.url}/pay/not-a-token-of-ours-at-all", "zh")
    assert status == 404 and "支付链接无效" in page and "{order}" not in page
    status, page = await _page(shop, f"{shop.url}/pay/x")  # not even shaped like one
    assert status == 404 and "not a valid payment link" in page

    order = await _prepaid_order(shop.settings)
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    link = await start_payment(order.number, shop.settings, now=long_ago)
    status, page = await _page(shop, link.url, "zh")
    assert status == 410 and "链接已过期" in page and order.number in page
    async with shop.http.post(link.url) as resp:  # Pay pressed on a page left open too long
        assert "expired" in await resp.text()
    assert (await Order.get(id=order.id)).payment_state == PaymentState.PENDING
    fresh = await start_payment(order.number, shop.settings)
    assert fresh.token != link.token  # a new link replaces the old one


async def test_an_order_that_gave_its_stock_back_is_allocated_again_when_paid_by_link(shop: Shop):
    settings = shop.settings.model_copy(update={"unpaid_policy": "release"})
    order = await _prepaid_order(settings)
    await expire_unpaid(settings, datetime.now(UTC) + timedelta(hours=25))
    assert (await Order.get(id=order.id)).status == OrderStatus.AWAITING_PAYMENT
    link = await start_payment(order.number, settings)
    async with shop.http.post(link.url) as resp:
        assert resp.status == 200
    assert (await Order.get(id=order.id)).status == OrderStatus.ALLOCATED


async def test_money_for_an_order_cancelled_meanwhile_is_kept_as_due_for_refund(shop: Shop):
    order = await _prepaid_order(shop.settings)
    link = await start_payment(order.number, shop.settings)
    await cancel_order(order.number, "tg:1", "changed my mind")
    status, page = await _page(shop, link.url)
    assert "nothing to pay" in page
    status, answer = await _callback(shop, {"token": link.token, "ref": "SIM-3", "amount": "88.00",
                                            "currency": "CNY", "status": "paid"})
    assert (status, answer["payment"]) == (200, "refund_due")
    assert await OutboxEvent.filter(kind="payment.refund_due").count() == 1
    assert (await Order.get(id=order.id)).status == OrderStatus.CANCELLED


async def test_an_order_paid_online_then_cancelled_leaves_its_money_due_for_refund(shop: Shop):
    order = await _prepaid_order(shop.settings)
    link = await start_payment(order.number, shop.settings)
    status, _ = await _callback(shop, {"token": link.token, "ref": "SIM-4", "amount": "88.00", "currency": "CNY",
                                       "status": "paid"})
    assert status == 200 and (await Order.get(id=order.id)).payment_state == PaymentState.PAID
    await cancel_order(order.number, "tg:1", "changed my mind")
    assert (await Payment.get(token=link.token)).status == PaymentStatus.REFUND_DUE
    due = await OutboxEvent.get(kind="payment.refund_due")  # managers are told to give the money back
    assert (due.payload["order"], due.payload["amount"], due.payload["ref"]) == (order.number, "88.00", "SIM-4")


async def test_a_held_order_paid_online_then_rejected_leaves_its_money_due_for_refund(shop: Shop):
    settings = shop.settings.model_copy(update={"hold_order_value": Decimal("50")})
    order = await _prepaid_order(settings)
    assert order.status == OrderStatus.ON_HOLD
    link = await start_payment(order.number, settings)
    status, _ = await _callback(shop, {"token": link.token, "ref": "SIM-5", "amount": "88.00", "currency": "CNY",
                                       "status": "paid"})
    assert status == 200
    await decide_held(order.number, False, "staff:boss", "we cannot ship there", settings)
    assert (await Payment.get(token=link.token)).status == PaymentStatus.REFUND_DUE
    assert (await OutboxEvent.get(kind="payment.refund_due")).payload["ref"] == "SIM-5"


async def test_cash_on_delivery_and_someone_elses_order_have_no_payment_link(shop: Shop):
    order = await _prepaid_order(shop.settings)
    with pytest.raises(Exception, match="not found"):
        await start_payment(order.number, shop.settings, customer_id=order.customer_id + 1)
    wh = await a_warehouse("GZ")
    cod = await place_order(an_order({"TEA": 1}, payment_method="cod"), "telegram", "tg:1", shop.settings)
    assert wh and cod.order.status == OrderStatus.ALLOCATED
    with pytest.raises(NothingToPay) as refused:
        await start_payment(cod.order.number, shop.settings)
    assert "无需在线支付" in refused.value.message("zh")


async def test_the_callback_is_in_the_api_document(shop: Shop):
    async with shop.http.get(shop.url + "/api/openapi.json") as resp:
        paths = (await resp.json())["paths"]
    assert "/api/payments/{provider}/callback" in paths
    assert re.search(r"HMAC", json.dumps(paths["/api/payments/{provider}/callback"]))


async def test_a_customers_own_order_says_whether_it_waits_to_be_paid_online(db: Settings):
    order = await _prepaid_order(db)
    assert (await customer_order(order.number, order.customer_id)).awaits_payment
    await record_payment(order.number, "test", db)
    assert not (await customer_order(order.number, order.customer_id)).awaits_payment
    cod = (await place_order(an_order({"TEA": 1}, payment_method="cod", payment_state="pending"), "t", "t", db)).order
    assert not (await customer_order(cod.number, cod.customer_id)).awaits_payment
    unpaid = (await place_order(an_order({"TEA": 1}, payment_method="prepaid", payment_state="pending"), "t", "t",
                                db)).order
    await cancel_order(unpaid.number, "test", "changed my mind")
    assert not (await customer_order(unpaid.number, unpaid.customer_id)).awaits_payment
