"""A local SF Express open platform (丰桥) for tests: a real aiohttp server on 127.0.0.1 that speaks the documented
form envelope (partnerID, requestID, serviceCode, timestamp, msgDigest, msgData), checks the digest under the
account's check word, and answers EXP_RECE_CREATE_ORDER, EXP_RECE_UPDATE_ORDER (dealType 2),
EXP_RECE_SEARCH_ROUTES and EXP_RECE_QUERY_DELIVERTM with apiResultCode / apiResultData (a JSON string). Its
failures are SF's: A1006 for a bad digest, A1005 when rate limited, a business error (success false) for an
unknown order, and a server that does not answer at all. It can also push routes, as RoutePushService does.
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

from core.shipping.carrier_sf import msg_digest
from tests.loopback import on_loopback

PARTNER, CHECK_WORD, MONTHLY_CARD = "FHTESTPARTNER01", "sf-check-word-0123456789abcdef", "7551234567"


class FakeSf:
    def __init__(self) -> None:
        self.mode = "ok"  # ok | rate_limited | silent (answers nothing: the caller times out)
        self.orders: dict[str, dict[str, Any]] = {}  # orderId → the order and its waybills
        self.cancelled: set[str] = set()
        self.routes: dict[str, list[dict[str, str]]] = {}  # waybill → routes, as SF records them
        self.fee: float | None = 8.0
        self.calls: Counter[str] = Counter()
        self.url = ""
        self._serial = 7444400043266

    # -- the platform --------------------------------------------------------------------------------

    async def service(self, request: web.Request) -> web.Response:
        form = await request.post()
        service = str(form.get("serviceCode", ""))
        self.calls[service] += 1
        if self.mode == "silent":
            await asyncio.sleep(30)
        if any(not form.get(k) for k in ("partnerID", "requestID", "serviceCode", "timestamp", "msgDigest",
                                         "msgData")):
            return self._envelope("A1001", "必传参数不可为空")
        if self.mode == "rate_limited":
            return self._envelope("A1005", "流量受控")
        msg, stamp = str(form["msgData"]), str(form["timestamp"])
        if form["partnerID"] != PARTNER or form["msgDigest"] != msg_digest(msg, stamp, CHECK_WORD):
            return self._envelope("A1006", "数字签名无效")
        handler = {"EXP_RECE_CREATE_ORDER": self._create, "EXP_RECE_UPDATE_ORDER": self._update,
                   "EXP_RECE_SEARCH_ROUTES": self._routes, "EXP_RECE_QUERY_DELIVERTM": self._delivery_time
                   }.get(service)
        if handler is None:
            return self._envelope("A1004", "无对应服务权限")
        return self._envelope("A1000", "", handler(json.loads(msg)))

    @staticmethod
    def _envelope(code: str, message: str, result: dict[str, Any] | None = None) -> web.Response:
        body = {"apiErrorMsg": message, "apiResponseID": "0001727E2494543FEA449BF48D24123F", "apiResultCode": code,
                "apiResultData": json.dumps(result, ensure_ascii=False) if result is not None else None}
        return web.json_response(body)

    @staticmethod
    def _ok(data: dict[str, Any]) -> dict[str, Any]:
        return {"success": True, "errorCode": "S0000", "errorMsg": None, "msgData": data}

    @staticmethod
    def _refused(code: str, message: str) -> dict[str, Any]:
        return {"success": False, "errorCode": code, "errorMsg": message, "msgData": None}

    def _next_waybill(self) -> str:
        self._serial += 1
        return f"SF{self._serial}"

    def _create(self, order: dict[str, Any]) -> dict[str, Any]:
        if len(order.get("contactInfoList") or []) != 2 or not order.get("cargoDetails"):
            return self._refused("1010", "寄件地址不能为空")
        known = self.orders.get(order["orderId"])
        if known is None:  # SF: the same orderId again answers with the first waybills
            numbers = [self._next_waybill() for _ in range(int(order.get("parcelQty", 1)))]
            known = self.orders[order["orderId"]] = {"order": order, "waybills": numbers}
        main, *children = known["waybills"]
        route = {"waybillNo": main, "sourceTransferCode": "021WF", "sourceCityCode": "021", "sourceDeptCode": "021",
                 "destCityCode": "571", "destDeptCode": "571WE", "destTransferCode": "571VA",
                 "destRouteLabel": "571WE-088A", "proName": "顺丰标快", "cargoTypeCode": "C201",
                 "limitTypeCode": "T4", "expressTypeCode": "B1", "codingMapping": "S12", "codingMappingOut": "",
                 "xbFlag": "0", "printFlag": "000000000", "proCode": "T4", "printIcon": "00000000", "abFlag": "",
                 "twoDimensionCode": f"MMM={{'k1':'571VA','k2':'571WE','k3':'088A','k4':'T4','k5':'{main}'}}"}
        return self._ok({"orderId": order["orderId"], "originCode": "021", "destCode": "571", "filterResult": 2,
                         "remark": "", "waybillNoInfoList": [{"waybillType": 1, "waybillNo": main}] +
                         [{"waybillType": 2, "waybillNo": c} for c in children],
                         "routeLabelInfo": [{"code": "1000", "routeLabelData": route, "message": f"{main}:"}]})

    def _update(self, data: dict[str, Any]) -> dict[str, Any]:
        if data.get("orderId") not in self.orders:
            return self._refused("8247", "运单号不合法")
        if str(data.get("dealType")) == "2":
            self.cancelled.add(data["orderId"])
        return self._ok({"orderId": data["orderId"], "resStatus": 2})

    def _routes(self, query: dict[str, Any]) -> dict[str, Any]:
        return self._ok({"routeResps": [{"mailNo": n, "routes": self.routes.get(n, [])}
                                        for n in query.get("trackingNumber") or []]})

    def _delivery_time(self, query: dict[str, Any]) -> dict[str, Any]:
        if not query.get("srcAddress") or not query.get("destAddress"):
            return self._refused("S0002", "必填参数destAddress为空")
        return self._ok({"deliverTmDto": [{"businessType": query.get("businessType"), "businessTypeDesc": "顺丰标快",
                                           "deliverTime": "2026-11-20 18:00:00,2026-11-20 18:00:00",
                                           "fee": self.fee, "searchPrice": "1", "closeTime": None}]})

    # -- what SF does by itself ----------------------------------------------------------------------

    def route(self, waybill: str, op: str, at: str, remark: str, place: str) -> dict[str, str]:
        """SF records a route of a parcel (as the query answers it and the push sends it)."""
        order = next(o for o, known in self.orders.items() if waybill in known["waybills"])
        route = {"mailno": waybill, "acceptAddress": place, "reasonName": "", "orderid": order,
                 "acceptTime": at, "remark": remark, "opCode": op, "id": str(len(self.routes.get(waybill, [])) + 1),
                 "reasonCode": ""}
        self.routes.setdefault(waybill, []).append(route)
        return route

    async def push(self, url: str, routes: list[dict[str, str]]) -> tuple[int, dict[str, Any]]:
        """RoutePushService, "json" method: the routes to the customer's address, reading its answer."""
        async with aiohttp.ClientSession() as http, \
                http.post(url, json={"Body": {"WaybillRoute": routes}}) as resp:
            return resp.status, await resp.json(content_type=None)


@asynccontextmanager
async def running_sf() -> AsyncIterator[FakeSf]:
    fake = FakeSf()
    app = web.Application()
    app.router.add_post("/std/service", fake.service)
    async with on_loopback(app) as url:
        fake.url = f"{url}/std/service"
        yield fake
