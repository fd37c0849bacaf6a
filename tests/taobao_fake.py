"""A local Taobao open platform for tests: a real aiohttp server on 127.0.0.1 serving the TOP router
(`POST /router/rest`, a urlencoded form) for the methods fahuo calls — `taobao.trades.sold.increment.get`
(modification-time windows of a day at most, one status, newest first, page_no / page_size up to 100,
total_results or has_next), `taobao.trade.fullinfo.get`, `taobao.logistics.offline.send` and
`taobao.logistics.online.send` (company codes checked, only a paid trade can be sent, cash on delivery only
online) — answering as TOP does: HTTP 200 with `<method>_response` or `error_response {code, msg, sub_code,
sub_msg}`. It checks the common parameters, the timestamp (10 minutes), the app key (29), the sign (25, with
its own reading of the documented rule: md5, hmac, hmac-sha256) and the session (27), and can be down (HTTP
502), rate-limited (7, accesscontrol.limited-by-app-access-count), in trouble (15, isp.*) or slow (no answer
before fahuo gives up).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from tests.loopback import on_loopback

APP_KEY, APP_SECRET, SESSION = "12345678", "taobao-app-secret-0a1b2c3d4e5f", "6100e2f0test0session0key0abc"
COMPANIES = {"SF", "YTO", "ZTO", "STO", "YUNDA", "EMS", "POSTB", "JD", "HTKY", "ZJS", "DBKD", "TTKDEX", "OTHER"}
BEIJING = ZoneInfo("Asia/Shanghai")
RECEIVER = {"receiver_name", "receiver_mobile", "receiver_phone", "receiver_state", "receiver_city",
            "receiver_district", "receiver_town", "receiver_address", "receiver_zip"}
_tids = itertools.count(3_960_000_000_000_001)


def _now() -> datetime:
    return datetime.now(BEIJING).replace(tzinfo=None, microsecond=0)


def _time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def _expected_sign(form: dict[str, str], secret: str) -> str:
    text = "".join(k + form[k] for k in sorted(form) if k != "sign" and form[k])
    method = form.get("sign_method", "")
    if method == "md5":
        return hashlib.md5((secret + text + secret).encode()).hexdigest().upper()
    algorithm = {"hmac": hashlib.md5, "hmac-sha256": hashlib.sha256}.get(method)
    return hmac.new(secret.encode(), text.encode(), algorithm).hexdigest().upper() if algorithm else ""


def _error(code: int, msg: str, sub_code: str = "", sub_msg: str = "") -> web.Response:
    error: dict[str, Any] = {"code": code, "msg": msg, "request_id": "fake"}
    if sub_code:
        error.update(sub_code=sub_code, sub_msg=sub_msg)
    return web.json_response({"error_response": error})


class FakeTaobao:
    def __init__(self) -> None:
        self.mode = "ok"  # ok | down (502) | limited (code 7) | trouble (15 isp.*) | slow (no answer in time)
        self.receiver_in_increment = False  # TOP leaves the receiver out of the increment for most apps
        self.trades: dict[str, dict[str, Any]] = {}
        self.sent: dict[str, dict[str, str]] = {}  # tid → the offline.send that sent it
        self.calls: list[dict[str, str]] = []  # every signed call that passed the checks
        self.calls_left: int | None = None  # answer this many more, then be down
        self.url = ""

    @property
    def router(self) -> str:
        return f"{self.url}/router/rest"

    # -- the seller's shop ---------------------------------------------------------------------------------

    def new_trade(self, lines: dict[str, int], *, minutes_ago: float = 10, status: str = "WAIT_SELLER_SEND_GOODS",
                  **changes: Any) -> str:
        """A trade paid `minutes_ago`, one sub-order per line, keyed by the seller's SKU code (outer_sku_id)."""
        tid = next(_tids)
        orders = [{"oid": next(_tids), "num_iid": 600_000_000 + i, "outer_iid": f"ITEM-{sku}", "outer_sku_id": sku,
                   "num": qty, "title": f"商品 {sku}", "status": status, "refund_status": "NO_REFUND",
                   "price": "19.90"} for i, (sku, qty) in enumerate(lines.items())]
        trade = {
            "tid": tid, "tid_str": str(tid), "status": status, "type": "fixed", "payment": "39.80",
            "modified": (_now() - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%d %H:%M:%S"),
            "buyer_message": "请发顺丰", "receiver_name": "王芳", "receiver_mobile": "13712345678",
            "receiver_phone": "", "receiver_state": "浙江省", "receiver_city": "杭州市", "receiver_district": "西湖区",
            "receiver_town": "文新街道", "receiver_address": "文三路 90 号 东部软件园 3 号楼", "receiver_zip": "310012",
            "orders": {"order": orders},
        }
        trade.update(changes)
        self.trades[str(tid)] = trade
        return str(tid)

    def change(self, tid: str, **changes: Any) -> None:
        """The buyer or Taobao changed the trade now (a refund, a closing, a note): it is modified again."""
        self.trades[tid].update(changes, modified=_now().strftime("%Y-%m-%d %H:%M:%S"))
        if "status" in changes:
            for order in self.trades[tid]["orders"]["order"]:
                order["status"] = changes["status"]

    # -- the router ----------------------------------------------------------------------------------------

    async def router_rest(self, request: web.Request) -> web.Response:
        if self.calls_left is not None:
            self.mode = "down" if self.calls_left <= 0 else self.mode
            self.calls_left -= 1
        if self.mode == "down":
            return web.Response(status=502, text="<html>502 Bad Gateway</html>")
        if self.mode == "slow":
            await asyncio.sleep(3)
        form = {**request.query, **{k: str(v) for k, v in (await request.post()).items()}}
        for name, code in (("method", 21), ("app_key", 28), ("sign", 24), ("timestamp", 30), ("v", 32)):
            if not form.get(name):
                return _error(code, f"Missing {name}")
        if form["v"] != "2.0":
            return _error(34, "Unsupported Version")
        if form.get("format") != "json":  # TOP's default is XML, which fahuo does not read
            return web.Response(text="<error_response><code>23</code></error_response>", content_type="text/xml")
        if form["app_key"] != APP_KEY:
            return _error(29, "Invalid app Key")
        try:
            skew = abs(_time(form["timestamp"]) - _now())
        except ValueError:
            return _error(31, "Invalid timestamp")
        if skew > timedelta(minutes=10):
            return _error(31, "Invalid timestamp")
        if not hmac.compare_digest(form["sign"], _expected_sign(form, APP_SECRET)):
            return _error(25, "Invalid signature")
        if form.get("session") != SESSION:
            return _error(27, "Invalid session", "invalid-sessionkey", "SessionKey非法")
        if self.mode == "limited":
            return _error(7, "App Call Limited", "accesscontrol.limited-by-app-access-count",
                          "This ban will last for 1 more seconds")
        if self.mode == "trouble":
            return _error(15, "Remote service error", "isp.top-remote-connection-timeout", "远程服务调用超时")
        self.calls.append(form)
        handler = {"taobao.trades.sold.increment.get": self._increment, "taobao.trade.fullinfo.get": self._fullinfo,
                   "taobao.logistics.offline.send": self._send,
                   "taobao.logistics.online.send": self._send}.get(form["method"])
        if handler is None:
            return _error(22, "Invalid method")
        return handler(form)

    def _answer(self, method: str, body: dict[str, Any]) -> web.Response:
        return web.json_response({method.removeprefix("taobao.").replace(".", "_") + "_response": body})

    def _fields(self, trade: dict[str, Any], fields: str, *, receiver: bool) -> dict[str, Any]:
        wanted = set(fields.split(","))
        shown = {k: v for k, v in trade.items() if k in wanted and (receiver or k not in RECEIVER)}
        order_fields = {f.removeprefix("orders.") for f in wanted if f.startswith("orders.")}
        if "orders" in wanted or order_fields:
            shown["orders"] = {"order": [{k: v for k, v in o.items() if "orders" in wanted or k in order_fields}
                                         for o in trade["orders"]["order"]]}
        return shown

    def _increment(self, form: dict[str, str]) -> web.Response:
        try:
            start, end = _time(form["start_modified"]), _time(form["end_modified"])
            page_no, page_size = int(form.get("page_no", 1)), int(form.get("page_size", 40))
        except (KeyError, ValueError):
            return _error(40, "Missing Required Arguments", "isv.missing-parameter", "start_modified / end_modified")
        if not start < end <= start + timedelta(days=1) or not 1 <= page_size <= 100 or page_no < 1:
            return _error(15, "Remote service error", "isv.invalid-parameter",
                          "时间跨度不能大于一天，page_size 1-100")
        status = form.get("status")
        found = sorted((t for t in self.trades.values() if start <= _time(t["modified"]) <= end
                        and (not status or t["status"] == status)), key=lambda t: t["modified"], reverse=True)
        page = found[(page_no - 1) * page_size:page_no * page_size]
        body: dict[str, Any] = {"trades": {"trade": [self._fields(t, form.get("fields", "tid"),
                                                                  receiver=self.receiver_in_increment)
                                                     for t in page]}}
        if form.get("use_has_next") == "true":
            body["has_next"] = page_no * page_size < len(found)
        else:
            body["total_results"] = len(found)
        return self._answer(form["method"], body)

    def _fullinfo(self, form: dict[str, str]) -> web.Response:
        trade = self.trades.get(form.get("tid", ""))
        if trade is None:
            return _error(15, "Remote service error", "isv.trade-not-exist", "交易不存在")
        return self._answer(form["method"], {"trade": self._fields(trade, form.get("fields", "tid"), receiver=True)})

    def _send(self, form: dict[str, str]) -> web.Response:
        """Both sends: offline (自己联系物流) refuses cash-on-delivery trades, online takes them."""
        tid, out_sid, company = form.get("tid", ""), form.get("out_sid", ""), form.get("company_code", "")
        trade = self.trades.get(tid)
        if trade is None:
            return _error(15, "Remote service error", "isv.logistics-offline-service-error:B01", "交易不存在")
        if company not in COMPANIES:
            return _error(15, "Remote service error", "isv.logistics-offline-service-error:B60",
                          "物流公司不存在")
        if not out_sid:
            return _error(40, "Missing Required Arguments", "isv.missing-parameter", "out_sid")
        if trade["type"] == "cod" and form["method"] == "taobao.logistics.offline.send":
            return _error(15, "Remote service error", "isv.logistics-offline-service-error:B27",
                          "货到付款订单不能使用自己联系发货")
        if trade["status"] != "WAIT_SELLER_SEND_GOODS":
            return _error(15, "Remote service error", "isv.logistics-offline-service-error:B04",
                          "订单状态不允许发货")
        self.change(tid, status="WAIT_BUYER_CONFIRM_GOODS")
        self.sent[tid] = {"out_sid": out_sid, "company_code": company, "method": form["method"]}
        return self._answer(form["method"], {"shipping": {"is_success": True}})


@asynccontextmanager
async def running_taobao() -> AsyncIterator[FakeTaobao]:
    fake = FakeTaobao()
    app = web.Application()
    app.router.add_post("/router/rest", fake.router_rest)
    async with on_loopback(app) as fake.url:
        yield fake
