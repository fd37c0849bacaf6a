"""A whole order in Chinese: every text fahuo shows along the way is Chinese, but for codes, SKUs and names.

Every surface hands what its reader sees to one LeakLog: the API (`Accept-Language: zh`: intake, review hold
and approval, a forbidden action, a wrong step, something not found, a wrong scan, picking, packing, dispatch
and tracking), the bot (the customer's and the manager's chats through the fake Bot API), the staff app (its
words, /texts.json, and what its look-up screen shows), the papers (the PDFs' text) and the tracking page."""

from __future__ import annotations

import io
import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pypdf

from bot.notifier import notify_once
from core.base.auth import Role, Staff, add_api_key, add_staff
from core.base.settings import Settings
from core.orders.customers import Customer
from core.shipping.tracking import signature
from tests.conftest import PASSWORD, signed_in
from tests.factories import a_carrier, a_product, a_warehouse, an_order, stock
from tests.test_bot import CUSTOMER, MANAGER, Telegram, telegram  # noqa: F401
from tests.zh_leaks import LeakLog, assert_no_english, english_words

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


class Reader:
    """One person's calls over HTTP in Chinese; every answer's texts go to the log."""

    def __init__(self, http: aiohttp.ClientSession, headers: dict[str, str], log: LeakLog, who: str) -> None:
        self.http, self.headers, self.log, self.who = http, headers | ZH, log, who

    async def call(self, method: str, path: str, body: Any = None, area: str = "") -> tuple[int, Any]:
        async with self.http.request(method, path, json=body, headers=self.headers) as resp:
            answer = await resp.json()
        self.log.see_answer("api", f"{self.who} {method} {path} → {resp.status}", answer, area)
        return resp.status, answer

    async def scan(self, mode: str, code: str, area: str = "", **context: Any) -> tuple[int, Any]:
        body = {"client_scan_id": uuid.uuid4().hex, "mode": mode, "code": code, **context}
        return await self.call("POST", "/api/scans", body, area)


def test_the_checker_lets_codes_and_names_through_and_catches_english_words() -> None:
    assert_no_english("扫描错误：FH:LOC:A-01-05。订单 SO-20261127-00001 的 CER-CUP-6 × 2，运单 SWIFT2611270001。",
                      allowed=["Li Lei"])
    assert_no_english("收件人 Li Lei，https://fahuo.example/t/abc，API 密钥", allowed=["Li Lei"])
    assert english_words("应扫描 location A-01-09") == ["location"]
    assert english_words("您的角色（Picker）无权审核") == ["Picker"]
    assert english_words("SO-1 当前为 rejected，不能approved") == ["rejected", "approved"]


async def _shop(http: aiohttp.ClientSession, log: LeakLog) -> Reader:
    return Reader(http, {"X-API-Key": await add_api_key("shop")}, log, "shop")


async def _staff(http: aiohttp.ClientSession, log: LeakLog, role: Role) -> Reader:
    return Reader(http, await signed_in(http, role), log, role.value)


async def test_a_whole_order_in_chinese_shows_no_english_but_codes_and_names(http, db: Settings,
                                                                            telegram: Telegram):  # noqa: F811
    log = LeakLog(allowed={"Li Lei", "Product TEA", "SWIFT carrier", "shop", "Telegram", "SH warehouse",
                               "English", "Shopify", "WooCommerce", "Webhook", db.company_name,
                               db.company_address})
    wh = await a_warehouse(bins=4)
    tea = await a_product("TEA", price="6000.00")
    await stock(tea, wh, 5, "A-01-02")
    await a_carrier("SWIFT", webhook_secret="s3cret")
    shop, picker, packer = await _shop(http, log), await _staff(http, log, Role.PICKER), await _staff(
        http, log, Role.PACKER)
    dispatcher, manager = await _staff(http, log, Role.DISPATCHER), await _staff(http, log, Role.MANAGER)

    # intake: cash on delivery over the limit and a Beijing postcode for Shanghai, so the review holds it, with
    # its reasons
    body = an_order({"TEA": 1}, payment_method="cod", payment_state="pending", address={"postcode": "100020"},
                    customer={"name": "Li Lei", "phone": "+86 138 0000 1111", "telegram_id": CUSTOMER}
                    ).model_dump(mode="json")
    await _manager_on_telegram(MANAGER)
    status, order = await shop.call("POST", "/api/orders", body)
    assert status == 201 and order["status"] == "on_hold", order
    number = order["number"]
    await Customer.filter(telegram_id=CUSTOMER).update(language="zh")
    await _bot_tells(telegram)
    held = [r for r in order["review"] if r["outcome"] == "hold"]
    assert any("邮编 100020 不在上海市" in r["said"] for r in held) and all(r["said"] for r in held), held
    status, listed = await manager.call("GET", "/api/orders?status=on_hold")
    assert "邮编 100020" in listed[0]["hold_reason"]

    # a picker may not decide it; nothing of that name exists; the manager approves; approving twice is refused
    status, refused = await picker.call("POST", f"/api/orders/{number}/approve", {})
    assert status == 403 and refused["message"] == "您的角色（拣货员）无权审核或拒绝订单。"
    status, refused = await manager.call("GET", "/api/orders/SO-20990101-99999")
    assert status == 404 and refused["message"] == "未找到订单 SO-20990101-99999。"
    status, approved = await manager.call("POST", f"/api/orders/{number}/approve", {"reason": "老客户"})
    assert status == 200 and approved["status"] == "allocated", approved
    status, refused = await manager.call("POST", f"/api/orders/{number}/approve", {})
    assert status == 409 and refused["message"] == f"{number} 当前状态为待拣货，不能审核通过。"

    # picking: a wrong bin is refused with what was expected, then the list is walked
    status, pick_list = await picker.call("POST", "/api/pick-lists", {"orders": [number]}, area="step")
    assert status == 201, pick_list
    status, refused = await picker.scan("pick", "FH:LOC:A-01-04", pick_list=pick_list["number"], area="wrong_scan")
    assert status == 409 and refused["error"] == "wrong_scan" and refused["message"].startswith("扫描错误："), refused
    status, refused = await packer.call("POST", f"/api/orders/{number}/packages", _box(2), area="conflict")
    assert status == 409 and refused["error"] == "conflict", refused
    view = pick_list
    while view["step"] != "done":
        task = view["current"]
        status, view = await picker.scan("pick", f"FH:LOC:{task['location']}", pick_list=pick_list["number"],
                                         area="step")
        status, view = await picker.scan("pick", f"FH:SKU:{task['sku']}", pick_list=pick_list["number"],
                                         qty=task["qty"] - task["picked"], area="step")
        assert status == 200, view

    # packing: the wrong count is refused, naming the difference; the right one books the carrier
    status, refused = await packer.call("POST", f"/api/orders/{number}/packages", _box(2), area="conflict")
    assert status == 409 and refused["error"] == "conflict", refused
    status, shipment = await packer.call("POST", f"/api/orders/{number}/packages", _box(1))
    assert status == 201 and shipment["carrier"] == "SWIFT", shipment

    # loading and dispatch: leaving before loading is refused; a van for a carrier's shipment too
    path = f"/api/shipments/{shipment['number']}/dispatch"
    status, refused = await dispatcher.call("POST", path, area="conflict")
    assert status == 409 and refused["error"] == "conflict", refused
    package = shipment["packages"][0]["number"]
    status, refused = await dispatcher.scan("load", "FH:VEH:沪A12345", shipment=shipment["number"],
                                            area="wrong_scan")
    assert status == 409
    await dispatcher.scan("load", f"FH:PKG:{package}", shipment=shipment["number"], area="step")
    status, shipped = await dispatcher.call("POST", path)
    assert status == 200 and shipped["status"] == "dispatched", shipped

    # tracking: the carrier's events without words of its own are said as words; the order's history too
    raw = json.dumps({"waybill": shipped["waybill"], "events": [
        {"id": "e1", "code": "picked_up", "place": "上海", "at": datetime.now(UTC).isoformat()}]}).encode()
    async with http.post("/api/tracking/SWIFT/webhook", data=raw,
                         headers={"X-Fahuo-Signature": signature("s3cret", raw)}) as resp:
        assert resp.status == 200
    token = shipped["tracking_url"].rsplit("/", 1)[1]
    status, journey = await shop.call("GET", f"/api/track/{token}", area="tracking")
    assert status == 200 and len(journey["events"]) == 1, journey
    status, final = await shop.call("GET", f"/api/orders/{number}")
    assert [step["reason"] for step in final["history"]][-1].startswith(shipment["number"])

    # the bot: what the customer and the manager were told, and the customer's own look at the order
    await _bot_tells(telegram)
    api = telegram.api
    mine = await api.reply(CUSTOMER, after=api.says(CUSTOMER, "/orders", language="zh"), contains="您的订单")
    shown = await api.reply(CUSTOMER, after=api.presses(CUSTOMER, mine, number, language="zh"), contains=number)
    assert "已揽收" in shown.text, shown.text
    for chat in (CUSTOMER, MANAGER):
        for sent in api.to(chat):
            log.see("bot", f"chat {chat}", " ".join([sent.text, *(b["text"] for row in sent.buttons for b in row)]))

    # the staff app: its words, and what its look-up screen shows of the order, the package and a bin
    async with http.get("/texts.json", headers=ZH) as resp:
        words = await resp.json()
    assert words["language"] == "zh"
    for key, said in words["words"]["zh"].items():  # a template's {placeholders} are filled by the screen
        log.see("app", f"/texts.json {key}", re.sub(r"\{\w*\}", " ", said))
    for code in (f"FH:ORD:{number}", f"FH:PKG:{package}", "FH:LOC:A-01-02"):
        status, found = await manager.call("GET", f"/api/lookup?code={code}")
        assert status == 200, found
        log.see("app", f"look-up {code}", " ".join([found["title"], *(str(cell) for row in found["facts"]
                                                                       for cell in row)]))

    # the papers, as printed in Chinese, and the tracking page in the customer's language
    for kind in ("waybill", "delivery-note", "confirmation"):
        async with http.get(f"/api/shipments/{shipment['number']}/documents/{kind}.pdf?lang=zh",
                            headers=dispatcher.headers) as resp:
            assert resp.status == 200, await resp.text()
            pdf = pypdf.PdfReader(io.BytesIO(await resp.read()))
        log.see("paper", kind, " ".join(page.extract_text() for page in pdf.pages))
    async with http.get(f"/t/{token}", headers=ZH) as resp:
        page = await resp.text()
    log.see("tracking page", f"/t/{token}", _visible(page))
    assert "已揽收" in _visible(page)
    log.assert_clean()


async def _manager_on_telegram(chat: int) -> None:
    manager = await add_staff(f"manager-{chat}", Role.MANAGER, PASSWORD)
    await Staff.filter(id=manager.id).update(telegram_id=chat, language="zh")


async def _bot_tells(chats: Telegram) -> None:
    """The notifier sends what the outbox holds so far (the chats are read at the end)."""
    await notify_once(chats.bot)


def _visible(html: str) -> str:
    """A page's text as a reader sees it: without its tags, styles and scripts."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)[^>]*>.*?</\1>", "", html, flags=re.S))


def _box(qty: int) -> dict[str, Any]:
    return {"packages": [{"weight_g": 1200, "length_mm": 300, "width_mm": 200, "height_mm": 150,
                          "contents": [{"sku": "TEA", "qty": qty}]}]}
