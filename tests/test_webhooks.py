"""Outbound webhooks: a subscriber (a real HTTP server on 127.0.0.1 that checks every signature) hears of fahuo's
events, signed, through a receiver that is down, slow or gone, and through a restart of fahuo itself."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from tortoise.transactions import in_transaction

from bot.notifier import message_for
from core.base.auth import ApiKey, Role, add_api_key, api_key_for
from core.base.events import OutboxEvent, emit
from core.base.jobs import Job
from core.base.settings import Settings
from core.orders.notifications import Recipient
from core.stock.catalog import Product
from core.stock.replenishment import sweep_low_stock
from core.stock.warehouses import Warehouse
from core.webhooks import (
    DELIVER,
    FAN_OUT_BATCH,
    PUBLIC_EVENTS,
    DeliveryState,
    PrivateAddress,
    PrivateWebhookUrl,
    PublicOnly,
    WebhookDelivery,
    WebhookIn,
    WebhookSubscription,
    add_subscription,
    matches,
    pause,
    ping,
    send_webhooks,
)
from tests.cli import ROOT, RUN_PY, environment, serving
from tests.conftest import signed_in
from tests.factories import a_product, a_reorder_rule, a_warehouse, an_order, commits_out_of_order, stock
from tests.printers import free_port
from tests.webhook_receiver import Receiver


@pytest.fixture
def settings(settings):
    """The receivers here listen on 127.0.0.1, which fahuo calls only when its operator allows it."""
    return settings.model_copy(update={"webhook_allow_private": True})


@pytest.fixture
async def shop(db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 50)
    return {"X-API-Key": await add_api_key("shop")}


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    await found.start()
    yield found
    await found.stop()


async def subscribed(http, headers, receiver: Receiver, events: list[str] | None = None) -> dict:
    async with http.post("/api/webhooks", json={"url": receiver.url, "events": events or ["*"]},
                         headers=headers) as resp:
        assert resp.status == 201, await resp.text()
        made = await resp.json()
    receiver.secret = made["secret"]
    return made


async def placed(http, headers) -> str:
    async with http.post("/api/orders", json=an_order({"TEA": 1}).model_dump(mode="json"), headers=headers) as resp:
        assert resp.status == 201, await resp.text()
        return (await resp.json())["number"]


async def test_an_order_placed_reaches_the_subscriber_as_signed_events(db, http, shop, receiver):
    made = await subscribed(http, shop, receiver, ["order.*"])
    assert made["secret"].startswith("whsec_") and made["channel"] == "shop" and made["events"] == ["order.*"]
    number = await placed(http, shop)
    assert receiver.events == []  # the order's transaction only wrote its events: sending comes after
    assert await send_webhooks(db, datetime.now(UTC)) == 2
    assert [e["kind"] for e in receiver.events] == ["order.approved", "order.allocated"]
    assert receiver.forged == 0
    for event, headers in zip(receiver.events, receiver.headers, strict=True):
        assert event["data"]["order"] == number and event["data"]["channel"] == "shop"
        assert "customer_id" not in event["data"]  # what stays inside fahuo
        assert headers["X-Fahuo-Event-Id"] == event["id"] and event["id"].startswith("evt_")
        assert abs(int(headers["X-Fahuo-Timestamp"]) - time.time()) < 60
    assert await send_webhooks(db, datetime.now(UTC)) == 0  # nothing is sent twice
    async with http.get(f"/api/webhooks/{made['id']}/deliveries", headers=shop) as resp:
        log = await resp.json()
    assert [(d["kind"], d["state"], d["attempts"], d["response_code"]) for d in log] == [
        ("order.allocated", "delivered", 1, 200), ("order.approved", "delivered", 1, 200)]


async def test_a_channel_hears_only_of_its_own_orders_and_a_manager_of_every_one(db, http, shop):
    mine, theirs, everyone = Receiver(), Receiver(), Receiver()
    for r in (mine, theirs, everyone):
        await r.start()
    try:
        other = {"X-API-Key": await add_api_key("marketplace")}
        manager = await signed_in(http, Role.MANAGER)
        await subscribed(http, shop, mine, ["order.approved"])
        await subscribed(http, other, theirs, ["order.*"])
        all_of_them = await subscribed(http, manager, everyone, ["order.approved", "stock.low"])
        assert all_of_them["channel"] is None
        await placed(http, shop)
        await placed(http, other)
        await send_webhooks(db, datetime.now(UTC))
        assert [e["data"]["channel"] for e in mine.events] == ["shop"]
        assert {e["data"]["channel"] for e in theirs.events} == {"marketplace"} and len(theirs.events) == 2
        assert sorted(e["data"]["channel"] for e in everyone.events) == ["marketplace", "shop"]
        async with http.get("/api/webhooks", headers=other) as resp:
            assert [s["url"] for s in await resp.json()] == [theirs.url]
        async with http.get("/api/webhooks", headers=manager) as resp:
            assert len(await resp.json()) == 3
    finally:
        for r in (mine, theirs, everyone):
            await r.stop()


async def test_a_revoked_key_hears_no_more(db, http, shop, receiver):
    await subscribed(http, shop, receiver, ["order.*"])
    await ApiKey.all().update(active=False)
    await placed(http, {"X-API-Key": await add_api_key("shop")})
    await send_webhooks(db, datetime.now(UTC))
    assert receiver.events == [] and await WebhookDelivery.all().count() == 0


async def test_events_committed_out_of_order_each_reach_the_subscriber_once(db, http, receiver):
    manager = await signed_in(http, Role.MANAGER)
    await subscribed(http, manager, receiver, ["stock.low"])

    async def write(n: int) -> None:
        await emit("stock.low", {"sku": f"S{n}", "warehouse": "SH", "available": 0, "reorder_point": 1,
                                 "on_order": 0})

    await commits_out_of_order(write, lambda: send_webhooks(db, datetime.now(UTC)), each=10)
    for _ in range(3):  # the job's next turns: a round serves a receiver a bounded number of deliveries
        await send_webhooks(db, datetime.now(UTC))
    assert sorted(e["data"]["sku"] for e in receiver.events) == sorted(f"S{n}" for n in range(80))


async def test_low_stock_reaches_every_channel_without_internal_ids(db, http, shop, receiver):
    await subscribed(http, shop, receiver, ["stock.low"])
    await a_reorder_rule(await Product.get(sku="TEA"), await Warehouse.get(code="SH"), point=100, qty=10)
    await sweep_low_stock(db.tz)
    await send_webhooks(db, datetime.now(UTC))
    assert [e["data"] for e in receiver.events] == [
        {"sku": "TEA", "warehouse": {"en": "SH SH warehouse", "zh": "SH SH warehouse"}, "available": 50,
         "reorder_point": 100, "on_order": 0}]


async def test_a_long_run_of_internal_events_does_not_keep_subscribers_waiting(db, http, shop, receiver):
    await subscribed(http, shop, receiver, ["order.approved"])
    async with in_transaction():
        for n in range(FAN_OUT_BATCH + 5):
            await emit("pick_list.created", {"pick_list": f"PL-{n}"})
    await placed(http, shop)
    await send_webhooks(db, datetime.now(UTC))
    assert [e["kind"] for e in receiver.events] == ["order.approved"]


async def test_the_secret_is_shown_once_and_a_key_cannot_touch_another_keys_subscription(db, http, shop, receiver):
    made = await subscribed(http, shop, receiver)
    other = {"X-API-Key": await add_api_key("marketplace")}
    async with http.get("/api/webhooks", headers=shop) as resp:
        listed = await resp.json()
    assert [s["id"] for s in listed] == [made["id"]] and "secret" not in listed[0]
    assert made["secret"] not in str(listed)
    for method, path in (("DELETE", ""), ("POST", "/ping"), ("GET", "/deliveries"), ("PATCH", "")):
        async with http.request(method, f"/api/webhooks/{made['id']}{path}", headers=other,
                                json={"active": False} if method == "PATCH" else None) as resp:
            assert resp.status == 404, (method, path)
    async with http.patch(f"/api/webhooks/{made['id']}", json={"active": False}, headers=shop) as resp:
        assert resp.status == 200 and (await resp.json())["active"] is False
    await placed(http, shop)
    await send_webhooks(db, datetime.now(UTC))
    assert receiver.events == []  # paused: nothing is sent
    async with http.delete(f"/api/webhooks/{made['id']}", headers=shop) as resp:
        assert resp.status == 200
    assert await WebhookSubscription.all().count() == 0


@pytest.mark.parametrize(("body", "problem"), [
    ({"url": "ftp://example.com/x", "events": ["*"]}, "http 或 https"),
    ({"url": "example.com/hook", "events": ["*"]}, "http 或 https"),
    ({"url": "javascript:alert(1)", "events": ["*"]}, "http 或 https"),
    ({"url": "https://user:pw@example.com/", "events": ["*"]}, "用户名或密码"),
    ({"url": "https://example.com/" + "x" * 600, "events": ["*"]}, "url"),
    ({"url": "http://exa mple.com/", "events": ["*"]}, "http 或 https"),
    ({"url": "http://[::1/", "events": ["*"]}, "http 或 https"),
    ({"url": "https://example.com:99999/", "events": ["*"]}, "http 或 https"),
    ({"url": "https://example.com/", "events": ["order.exploded"]}, "未知事件 order.exploded"),
    ({"url": "https://example.com/", "events": ["customer.*"]}, "未知事件 customer.*"),
    ({"url": "https://example.com/", "events": []}, "事件：至少需要 1 项"),
])
async def test_a_bad_subscription_is_refused_in_the_callers_language(db, http, shop, body, problem):
    async with http.post("/api/webhooks", json=body, headers={**shop, "Accept-Language": "zh-CN"}) as resp:
        assert resp.status == 422
        answer = await resp.json()
    assert answer["error"] == "validation_error" and problem in answer["message"], answer
    assert await WebhookSubscription.all().count() == 0


async def test_a_receiver_that_is_down_gets_the_event_later_with_the_same_id(db, http, shop, receiver):
    made = await subscribed(http, shop, receiver, ["order.allocated"])
    receiver.status = 503
    await placed(http, shop)
    now = datetime.now(UTC)
    assert await send_webhooks(db, now) == 0
    delivery = await WebhookDelivery.get()
    assert (delivery.state, delivery.attempts, delivery.response_code) == (DeliveryState.PENDING, 1, 503)
    async with http.get(f"/api/webhooks/{made['id']}/deliveries", headers={**shop, "Accept-Language": "en"}) as resp:
        shown = (await resp.json())[0]
    assert shown["last_error"] == "The receiver refused the delivery (HTTP 503)." and shown["next_try_at"]
    receiver.status = 200
    assert await send_webhooks(db, now + timedelta(seconds=1)) == 0  # not due yet: it waits its pause
    due = (await WebhookDelivery.get()).next_try_at
    assert due - now >= timedelta(seconds=db.webhook_retry_s)  # the first pause
    assert await send_webhooks(db, due) == 1
    assert receiver.ids() == [delivery.event_id]
    done = await WebhookDelivery.get()
    assert (done.state, done.attempts, done.response_code, done.error) == (DeliveryState.DELIVERED, 2, 200, None)


async def test_after_the_last_try_a_delivery_fails_and_a_manager_hears_of_it_once(db, http, shop, receiver):
    settings = db.model_copy(update={"webhook_attempts": 2, "webhook_retry_s": 1.0})
    made = await subscribed(http, shop, receiver, ["order.*"])
    receiver.status = 500
    await placed(http, shop)
    now = datetime.now(UTC)
    await send_webhooks(settings, now)
    for step in range(1, 4):  # a receiver that fails ends its round: one delivery per round is tried
        await send_webhooks(settings, now + timedelta(seconds=10 * step))
    states = await WebhookDelivery.all().values_list("state", "attempts")
    assert sorted(states) == [(DeliveryState.FAILED, 2)] * 2
    alerts = await OutboxEvent.filter(kind="webhook.failed")
    assert len(alerts) == 1 and alerts[0].payload["subscription"] == made["id"]
    zh, en = (message_for(alerts[0], Recipient(2001, lang, "manager")) for lang in ("zh", "en"))
    assert zh is not None and "尝试 2 次后放弃。接收方拒绝了推送（HTTP 500）。之后" in zh[0]
    assert en is not None and "given up after 2 tries. The receiver refused the delivery (HTTP 500). Later" in en[0]
    assert (await WebhookSubscription.get()).failing_since is not None
    async with http.get("/healthz") as resp:
        assert (await resp.json())["webhooks"] == {"waiting": 0, "failing": 1}
    receiver.status = 200
    await placed(http, shop)
    await send_webhooks(settings, now + timedelta(seconds=60))
    assert (await WebhookSubscription.get()).failing_since is None  # taken again: the next outage is told again
    async with http.get(f"/api/webhooks/{made['id']}/deliveries", params={"state": "failed"},
                        headers={**shop, "Accept-Language": "zh"}) as resp:
        failed = await resp.json()
    assert len(failed) == 2 and failed[0]["state_word"] == "推送失败" and failed[0]["next_try_at"] is None


async def test_a_slow_receiver_holds_up_no_one_else(db, http, shop, receiver):
    settings = db.model_copy(update={"webhook_timeout_s": 0.5})
    slow = Receiver()
    await slow.start()
    try:
        await subscribed(http, shop, slow, ["order.*"])
        await subscribed(http, shop, receiver, ["order.*"])
        slow.delay = 5
        await placed(http, shop)
        started = time.monotonic()
        assert await send_webhooks(settings, datetime.now(UTC)) == 2
        assert time.monotonic() - started < 3  # one timeout for the slow one, not one per event
        assert len(receiver.events) == 2 and slow.events == []
        waiting = await WebhookDelivery.filter(subscription__url=slow.url, attempts=1).values_list("error", flat=True)
        assert waiting == ["webhook.timeout"]
    finally:
        await slow.stop()


async def test_a_ping_is_signed_and_says_how_the_receiver_answered(db, http, shop, receiver):
    made = await subscribed(http, shop, receiver)
    async with http.post(f"/api/webhooks/{made['id']}/ping", headers=shop) as resp:
        sent = await resp.json()
    assert (sent["kind"], sent["state"], sent["response_code"]) == ("ping", "delivered", 200)
    assert receiver.events[0]["id"] == sent["event_id"] and receiver.events[0]["data"] == {"subscription": made["id"]}
    await receiver.stop()
    async with http.post(f"/api/webhooks/{made['id']}/ping", headers={**shop, "Accept-Language": "zh"}) as resp:
        failed = await resp.json()
    assert failed["state"] == "failed" and failed["last_error"].startswith("无法连接接收方")
    assert await OutboxEvent.filter(kind="webhook.failed").count() == 0  # a test is no outage
    assert await send_webhooks(db, datetime.now(UTC) + timedelta(hours=2)) == 0  # and it is not tried again


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/x", "http://localhost/x", "http://10.1.2.3/",
                                 "http://[::1]/", "http://169.254.169.254/latest/meta-data", "http://[::ffff:192.168.1.1]/"])
async def test_a_receiver_inside_the_network_is_refused_unless_the_operator_allows_it(db, url):
    closed = db.model_copy(update={"webhook_allow_private": False})
    with pytest.raises(PrivateWebhookUrl) as refused:
        await add_subscription(WebhookIn(url=url, events=["*"]), None, None, "staff:boss", closed)
    assert "FAHUO_WEBHOOK_ALLOW_PRIVATE" in refused.value.message("zh")
    await add_subscription(WebhookIn(url=url, events=["*"]), None, None, "staff:boss", db)  # allowed here


async def test_a_name_that_resolves_inside_the_network_is_not_called(db, receiver):
    closed = db.model_copy(update={"webhook_allow_private": False})
    subscription, _ = await add_subscription(
        WebhookIn(url="http://public.example/hook", events=["*"]), None, None, "staff:boss", closed)
    await WebhookSubscription.filter(id=subscription.id).update(url=receiver.url.replace("127.0.0.1", "localhost."))
    with pytest.raises(PrivateAddress):
        await PublicOnly().resolve("localhost", 80)
    sent = await ping(await WebhookSubscription.get(id=subscription.id), closed)
    assert (sent.state, sent.error) == (DeliveryState.FAILED, "webhook.private") and receiver.events == []


def test_the_pause_between_tries_doubles_up_to_an_hour():
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert [pause(n, settings).total_seconds() for n in (1, 2, 3, 8, 9, 12)] == [30, 60, 120, 3600, 3600, 3600]


def test_patterns_name_an_event_a_family_or_all():
    assert matches("*", "stock.low") and matches("order.*", "order.shipped") and matches("stock.low", "stock.low")
    assert not matches("order.*", "orders.x") and not matches("order.shipped", "order.shipped_late")


async def test_every_public_event_names_fields_its_emitter_writes():
    for kind, shown in PUBLIC_EVENTS.items():
        assert shown and "customer_id" not in shown and "warehouse_id" not in shown, kind


@pytest.mark.slow
async def test_a_subscriber_receives_signed_events_through_a_restart_of_fahuo_with_nothing_lost(db, http, shop):
    """Done when of issue 15 §3: events written while the receiver is down and while fahuo is stopped all
    arrive, signed, each under one id, once fahuo is started again."""
    receiver = Receiver()  # not started yet: the subscriber is down
    key_id, channel = await api_key_for(shop["X-API-Key"])
    _, secret = await add_subscription(WebhookIn(url=receiver.url, events=["order.*", "stock.low"]), key_id,
                                       channel, "api:shop", db)
    receiver.secret = secret.get_secret_value()
    env = {"FAHUO_DATABASE_URL": db.database_url, "FAHUO_WEBHOOK_RETRY_S": "1", "FAHUO_TELEGRAM_TOKEN": "",
           "FAHUO_WEBHOOK_ALLOW_PRIVATE": "true",
           "FAHUO_MEDIA_DIR": str(db.media_dir)}
    first = await placed(http, shop)
    async with serving(port=free_port(), **env):  # fahuo runs; the receiver is down: tried, kept
        await _until(lambda: WebhookDelivery.filter(attempts__gte=1).exists(), "a first try")
    second = await placed(http, shop)  # while fahuo is stopped
    wanted = {f"evt_{e.id}" for e in await OutboxEvent.filter(kind__startswith="order.")}
    assert len(wanted) == 4
    await receiver.start()
    try:
        async with serving(port=free_port(), **env):
            await _until(lambda: _arrived(receiver, wanted), "every event")
    finally:
        await receiver.stop()
    assert receiver.forged == 0
    assert set(receiver.ids()) == wanted and len(receiver.ids()) == len(wanted)  # each once
    assert {e["data"]["order"] for e in receiver.events} == {first, second}
    assert await WebhookDelivery.filter(state=DeliveryState.DELIVERED).count() == len(wanted)


@pytest.mark.slow
async def test_an_event_whose_sender_died_mid_delivery_is_sent_again_under_the_same_id(db, http, shop, receiver):
    """fahuo killed while the receiver holds the request it already took: after a restart the event comes
    again (at least once), under the id the receiver deduplicates by."""
    key_id, channel = await api_key_for(shop["X-API-Key"])
    _, secret = await add_subscription(WebhookIn(url=receiver.url, events=["order.approved"]), key_id, channel,
                                       "api:shop", db)
    receiver.secret, receiver.hold = secret.get_secret_value(), 30
    await placed(http, shop)
    wanted = {f"evt_{(await OutboxEvent.get(kind='order.approved')).id}"}
    env = environment(FAHUO_DATABASE_URL=db.database_url, FAHUO_WEBHOOK_ALLOW_PRIVATE="true",
                      FAHUO_WEBHOOK_TIMEOUT_S="2", FAHUO_TELEGRAM_TOKEN="", FAHUO_MEDIA_DIR=str(db.media_dir))
    first = await asyncio.create_subprocess_exec(sys.executable, RUN_PY, "scheduler", cwd=ROOT, env=env,
                                                 stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        await _until(lambda: _arrived(receiver, wanted), "the receiver to take the event")
    finally:
        first.kill()  # mid-delivery: no answer was read, nothing written
        await first.wait()
    taken = await WebhookDelivery.get()
    assert (taken.state, taken.attempts) == (DeliveryState.PENDING, 0)
    assert (await Job.get(kind=DELIVER)).claimed_until is not None  # claimed by the process that died
    receiver.hold = 0
    again = await asyncio.create_subprocess_exec(sys.executable, RUN_PY, "scheduler", cwd=ROOT, env=env,
                                                 stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        # the dead process's scheduler lease lapses first (a minute), then its claim on the delivery
        await _until(lambda: WebhookDelivery.filter(state=DeliveryState.DELIVERED).exists(), "the second try", 150)
    finally:
        again.send_signal(signal.SIGINT)
        await again.wait()
    assert receiver.ids() == [*wanted] * 2 and receiver.forged == 0  # the same id: one event


async def _arrived(receiver: Receiver, wanted: set[str]) -> bool:
    return wanted <= set(receiver.ids())


async def _until(check, what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.25)
    raise AssertionError(f"waited {seconds} s for {what}")
