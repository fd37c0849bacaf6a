"""A local kuaidi100 (快递100) for tests: a real aiohttp server on 127.0.0.1 answering its documented form posts:

- `/poll` (subscription: schema=json, param with the key inside) → {result, returnCode, message}: 200, 501 for a
  waybill already followed, 600 for a wrong key, 700 for missing data or a company it does not know;
- `/poll/query.do` (customer, param, sign = MD5(param + key + customer)) → the waybill's lastResult, or 503 for a
  bad sign, 400 for an unknown company, 500 when it knows nothing of the waybill, 502 when busy (rate limited);
- `/label/order` (method order / price, key, t, param, sign = MD5(param + t + key + secret)) → {code, message,
  data}: a waybill number (kuaidinum, childNum) with the label fields (bulkpen, codes of the sorting centres);
- `/eorderapi.do` (method cancel, the same signing) → {result, returnCode, message}.

It pushes as kuaidi100 does: a form with `param` (status, lastResult with the whole history, newest first) and
`sign` = MD5(param + salt) upper case, to the callback URL given at subscription. Modes: ok, busy (rate limited,
its server error), silent (answers nothing: the caller times out).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp import web

from core.shipping.carrier_kuaidi100 import md5_upper
from tests.loopback import on_loopback

KEY, CUSTOMER, SECRET = "kd100-key-Hq2w9Tz", "C0FFEE0123456789ABCDEF0123456789", "kd100-secret-8d7f6e5c4b3a"
SALT, PARTNER_ID, PARTNER_KEY = "kd100-salt-4Rt7Yp", "YTO-MONTHLY-021", "yto-password-9z8y"
KNOWN = {"shunfeng", "yuantong", "zhongtong", "yunda", "shentong", "jtexpress", "ems", "jd"}


def _plain(ok: bool, code: str, message: str) -> web.Response:
    return web.json_response({"result": ok, "returnCode": code, "message": message})


class FakeKuaidi100:
    def __init__(self) -> None:
        self.mode = "ok"  # ok | busy | silent
        self.subscriptions: dict[str, dict[str, Any]] = {}  # waybill → the subscription's param
        self.orders: dict[str, dict[str, Any]] = {}  # orderId → the order param and its answer
        self.cancelled: set[str] = set()
        self.tracks: dict[str, list[dict[str, str]]] = {}  # waybill → events, newest first, as kuaidi100 keeps
        self.states: dict[str, str] = {}
        self.combos: list[dict[str, Any]] = [{"price": 7.5, "expType": "标准快递"}]
        self.calls: Counter[str] = Counter()
        self.url = ""
        self._serial = 8800012345670

    async def _gate(self, name: str) -> web.Response | None:
        self.calls[name] += 1
        if self.mode == "silent":
            await asyncio.sleep(30)
        return None

    # -- tracking ------------------------------------------------------------------------------------

    async def poll(self, request: web.Request) -> web.Response:
        await self._gate("subscribe")
        form = await request.post()
        if self.mode == "busy":
            return _plain(False, "500", "服务器错误")
        try:
            param = json.loads(str(form["param"]))
        except (KeyError, ValueError):
            return _plain(False, "700", "订阅方的订阅数据存在错误")
        if form.get("schema") != "json" or param.get("key") != KEY:
            return _plain(False, "600", "您不是合法的订阅者（即授权Key出错）")
        callback = (param.get("parameters") or {}).get("callbackurl")
        if param.get("company") not in KNOWN or not param.get("number") or not callback:
            return _plain(False, "700", "订阅方的订阅数据存在错误（如不支持的快递公司、单号为空、单号超长等）")
        if param["number"] in self.subscriptions:
            return _plain(False, "501", "重复订阅")
        self.subscriptions[param["number"]] = param
        return _plain(True, "200", "提交成功")

    def _last_result(self, number: str, company: str) -> dict[str, Any]:
        state = self.states.get(number, "0")
        return {"message": "ok", "state": state, "status": "200", "condition": "F00",
                "ischeck": "1" if state == "3" else "0", "com": company, "nu": number,
                "data": self.tracks.get(number, [])}

    async def query(self, request: web.Request) -> web.Response:
        await self._gate("query")
        form = await request.post()
        param, customer = str(form.get("param", "")), str(form.get("customer", ""))
        if self.mode == "busy":
            return _plain(False, "502", "服务器繁忙")
        if customer != CUSTOMER or form.get("sign") != md5_upper(param + KEY + CUSTOMER):
            return _plain(False, "503", "验证签名失败")
        query = json.loads(param)
        if query.get("com") not in KNOWN:
            return _plain(False, "400", "找不到对应公司")
        if query.get("num") not in self.tracks:
            return _plain(False, "500", "查询无结果，请隔段时间再查")
        return web.json_response(self._last_result(query["num"], query["com"]))

    # -- electronic waybills -------------------------------------------------------------------------

    def _signed(self, form: Any) -> dict[str, Any] | None:
        param, stamp = str(form.get("param", "")), str(form.get("t", ""))
        if form.get("key") != KEY or form.get("sign") != md5_upper(param + stamp + KEY + SECRET):
            return None
        return json.loads(param)

    async def label(self, request: web.Request) -> web.Response:
        form = await request.post()
        method = str(form.get("method", ""))
        await self._gate(method)
        if self.mode == "busy":
            return web.json_response({"code": 503, "message": "请求过于频繁，请稍后再试", "data": None})
        param = self._signed(form)
        if param is None:
            return web.json_response({"code": 30003, "message": "签名错误", "data": None})
        if param.get("kuaidicom") not in KNOWN:
            return web.json_response({"code": 30002, "message": "不支持的快递公司", "data": None})
        if method == "price":
            return web.json_response({"code": 200, "message": "success",
                                      "data": {"kuaidicom": param["kuaidicom"], "combos": self.combos}})
        if method != "order":
            return web.json_response({"code": 30001, "message": "method错误", "data": None})
        if not param.get("recMan", {}).get("printAddr") or not param.get("sendMan", {}).get("mobile"):
            return web.json_response({"code": 30002, "message": "收件人地址不能为空", "data": None})
        known = self.orders.get(param.get("orderId", ""))
        if known is None:
            numbers = [self._next() for _ in range(int(param.get("count", 1)))]
            data = {"kuaidinum": numbers[0], "childNum": ",".join(numbers[1:]), "taskId": "A5B4C3D2E1",
                    "kdComOrderNum": f"YT{numbers[0][-8:]}", "bulkpen": "571-088 A12", "orgCode": "021",
                    "orgName": "上海浦东", "destCode": "571", "destName": "杭州转运中心", "destSortingCode": "571A",
                    "pkgCode": "571088", "pkgName": "杭州集包", "label": ""}
            known = self.orders[param.get("orderId", numbers[0])] = {"param": param, "data": data}
        return web.json_response({"code": 200, "message": "success", "time": 312, "data": known["data"]})

    async def eorder(self, request: web.Request) -> web.Response:
        form = await request.post()
        await self._gate("cancel")
        if self.mode == "busy":
            return _plain(False, "502", "服务器繁忙")
        param = self._signed(form)
        if param is None:
            return _plain(False, "503", "验证签名失败")
        if not any(o["data"]["kuaidinum"] == param.get("kuaidinum") for o in self.orders.values()):
            return _plain(False, "400", "面单号不存在")
        self.cancelled.add(param["kuaidinum"])
        return _plain(True, "200", "提交成功")

    def _next(self) -> str:
        self._serial += 1
        return f"YT{self._serial}"

    # -- what kuaidi100 does by itself ---------------------------------------------------------------

    def happen(self, number: str, at: str, context: str, area: str, state: str, sub: str = "") -> None:
        """The carrier records an event; kuaidi100 learns it (and the waybill's state)."""
        row = {"time": at, "ftime": at, "context": context, "areaName": area, "status": context[:4],
               "statusCode": sub or state}
        self.tracks.setdefault(number, []).insert(0, row)
        self.states[number] = state

    def push_body(self, number: str, *, status: str = "polling", salt: str | None = None) -> dict[str, str]:
        subscription = self.subscriptions[number]
        param = json.dumps({"status": status, "billstatus": "", "message": "", "autoCheck": "0", "comOld": "",
                            "comNew": "", "lastResult": self._last_result(number, subscription["company"])},
                           ensure_ascii=False)
        salt = subscription["parameters"].get("salt", "") if salt is None else salt
        return {"param": param, "sign": md5_upper(param + salt)}

    async def push(self, number: str, body: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
        """A push to the callback URL of the waybill's subscription, reading the answer."""
        url = self.subscriptions[number]["parameters"]["callbackurl"]
        async with aiohttp.ClientSession() as http, http.post(url, data=body or self.push_body(number)) as resp:
            return resp.status, await resp.json(content_type=None)


@asynccontextmanager
async def running_kuaidi100() -> AsyncIterator[FakeKuaidi100]:
    fake = FakeKuaidi100()
    app = web.Application()
    app.router.add_post("/poll", fake.poll)
    app.router.add_post("/poll/query.do", fake.query)
    app.router.add_post("/label/order", fake.label)
    app.router.add_post("/eorderapi.do", fake.eorder)
    async with on_loopback(app) as url:
        fake.url = f"{url}"
        yield fake
