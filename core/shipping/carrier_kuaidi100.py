"""kuaidi100 (快递100, api.kuaidi100.com): one account that follows parcels of most Chinese carriers and issues
their electronic waybills (电子面单). A fahuo carrier (YTO, ZTO, …) with adapter `kuaidi100` is reached through
it by kuaidi100's lowercase company code (yuantong, zhongtong, …).

Four of its services, each a form POST signed with an upper-case MD5:
- tracking subscription, `poll`: schema=json, param={company, number, from, to, key, parameters{callbackurl,
  salt, resultv2, phone}}; unsigned, the key is inside. It answers {result, returnCode, message}: 200
  submitted, 501 already followed; 600/601 bad or expired key, 700/701/702 bad data, refused or unknown
  company; 500 its own error.
- its push to the callback URL: form fields `param` (JSON: status polling/shutdown/abort, message, lastResult
  {state, ischeck, com, nu, data[{context, time, ftime, areaName, status, statusCode}]} newest first, the whole
  history every time) and `sign` = MD5(param + salt); answered {"result":true,"returnCode":"200",
  "message":"成功"}, else it pushes again later.
- real-time query, `poll/query.do`: customer, param={com, num, phone, resultv2}, sign = MD5(param + key +
  customer); the same lastResult shape, or {result: false, returnCode}: 400 company unknown or data
  incomplete, 500 nothing found yet, 501/502 its error or busy (rate limited), 503 bad sign, 601 key expired.
- electronic waybill V2, `label/order`: method (order, price), key, t (ms), param, sign = MD5(param + t + key +
  secret); answered {code: 200, message, data{kuaidinum, childNum, kdComOrderNum, bulkpen, destCode, …}}.
  Cancel is the older `eorderapi.do` method=cancel with the same signing, answered {result, returnCode}.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from core.base.places import written
from core.shipping.carrier_api import (
    CarrierAdapter,
    CarrierRefused,
    CarrierUnavailable,
    Connection,
    Party,
    Place,
    Pushed,
    PushReply,
    Quote,
    QuoteRequest,
    Subscription,
    TrackingUpdate,
    Waybill,
    WaybillRequest,
    post_form,
)

POLL_HOST, API_HOST = "https://poll.kuaidi100.com", "https://api.kuaidi100.com"
SUBSCRIBE, QUERY, LABEL, CANCEL = "/poll", "/poll/query.do", "/label/order", "/eorderapi.do"
BEIJING = ZoneInfo("Asia/Shanghai")  # kuaidi100's times carry no zone

# kuaidi100's company codes by fahuo's usual carrier codes; a carrier's account option `company` overrides
COMPANIES = {
    "SF": "shunfeng", "YTO": "yuantong", "ZTO": "zhongtong", "YD": "yunda", "YUNDA": "yunda", "STO": "shentong",
    "JT": "jtexpress", "JTEXPRESS": "jtexpress", "EMS": "ems", "JD": "jd", "DBKD": "debangkuaidi",
    "DEPPON": "debangwuliu", "BEST": "huitongkuaidi", "YZPY": "youzhengguonei", "ZJS": "zhaijisong",
    "DHL": "dhl", "UPS": "ups", "FEDEX": "fedex",
}
# the carrier each company code is (the other way round), for pushes and the company kuaidi100 corrected to
CARRIERS = {com: code for code, com in reversed(COMPANIES.items())}

# kuaidi100's states (lastResult.state, and each event's `statusCode` with resultv2) → fahuo's tracking codes.
# Main states: 0 在途, 1 揽收, 2 疑难, 3 签收, 4 退签, 5 派件, 6 退回, 7 转投, 8 清关, 10 待清关, 11 清关中,
# 12 已清关, 13 清关异常, 14 拒签. Sub-states (resultv2) refine them: 101 已下单 / 102 待揽收 / 103 已揽收,
# 1001 到达派件城市 / 1002 干线 / 1003 转递, 501 投柜或驿站, 301 本人签收 / 302 派件异常后签收 / 303 代签 /
# 304 投柜或站签收, 401 已销单, 201–211 the kinds of trouble. A sub-state not listed falls back to its main state
# (its first digit), and an unknown state counts as in transit.
STATES = {
    "0": "in_transit", "1": "picked_up", "2": "exception", "3": "delivered", "4": "exception",
    "5": "out_for_delivery", "6": "exception", "7": "in_transit", "8": "in_transit", "10": "in_transit",
    "11": "in_transit", "12": "in_transit", "13": "exception", "14": "exception",
    "101": None, "102": None, "103": "picked_up", "1001": "arrived", "1002": "in_transit", "1003": "in_transit",
    "501": "out_for_delivery", "301": "delivered", "302": "delivered", "303": "delivered", "304": "delivered",
    "401": "exception",
}
# the label fields kuaidi100 passes on from the carrier (not every carrier gives each): 大头笔 (bulkpen),
# origin and destination codes and sorting centres, bag code, road area, the carrier's QR and SF's own fields
ROUTING = ("bulkpen", "orgCode", "orgName", "destCode", "destName", "orgSortingCode", "orgSortingName",
           "destSortingCode", "destSortingName", "pkgCode", "pkgName", "road", "qrCode", "expressName",
           "kdComOrderNum", "destRouteLabel", "codingMapping", "codingMappingOut", "twoDimensionCode", "proName",
           "abFlag", "xbFlag", "printIcon")
TRY_LATER = {"500", "501", "502"}  # query: its error, its error, busy (the rate limit); subscribe: 500 only
ACCEPTED = json.dumps({"result": True, "returnCode": "200", "message": "成功"}, ensure_ascii=False)


def md5_upper(text: str) -> str:
    """kuaidi100 signs everything the same way: the MD5 of the concatenation, hex, upper case."""
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()


def _compact(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def company_of(conn: Connection) -> str:
    """kuaidi100's company code for a fahuo carrier: its account's option `company`, else the usual one."""
    account = conn.needs_account()
    company = str(account.options.get("company") or COMPANIES.get(conn.code.upper(), ""))
    if not company:
        raise CarrierRefused(conn.code, "no kuaidi100 company code for this carrier (account option `company`)")
    return company


def tracking_code(state: str) -> str | None:
    """fahuo's code for a kuaidi100 state or sub-state; None for one that is no event of the parcel's (an
    order placed, waiting for the courier)."""
    if state in STATES:
        return STATES[state]
    if len(state) == 4 and state.startswith("10"):  # 100x are the kinds of 在途
        return "in_transit"
    return STATES.get(state[:1], "in_transit")


def _when(value: str) -> datetime:
    return datetime.strptime(value.strip()[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)


def track_updates(result: dict[str, Any]) -> list[TrackingUpdate]:
    """A lastResult (pushed or queried) as fahuo's events, oldest first. Each event's own sub-state says what
    it was where kuaidi100 gives one (resultv2); else the newest takes the waybill's state and the ones
    before it count as in transit. An event's id is made of its time and words, the same however it came."""
    rows = [r for r in result.get("data") or [] if isinstance(r, dict) and (r.get("ftime") or r.get("time"))]
    updates = []
    for i, row in enumerate(rows):  # newest first
        state = str(row.get("statusCode") or (result.get("state") if i == 0 else "0") or "0")
        code = tracking_code(state)
        if code is None:
            continue
        at, context = str(row.get("ftime") or row.get("time")), str(row.get("context") or "")
        digest = hashlib.sha1(f"{at}|{context}".encode()).hexdigest()[:16]
        updates.append(TrackingUpdate(f"kd100-{at[:19]}-{digest}", code, context or str(row.get("status") or ""),
                                      str(row.get("areaName") or ""), _when(at)))
    return sorted(updates, key=lambda u: u.occurred_at)


def _mobile(phone: str) -> str:
    return phone.removeprefix("+86").replace(" ", "").replace("-", "")


def _kg(weight_g: int) -> float:
    return round(max(weight_g, 1) / 1000, 3)


def print_address(place: Place) -> str:
    """The address as one line, a city named like its province (上海, 上海市) said once."""
    return written(place.province, place.city, place.district, place.street, between="")


def _man(party: Party) -> dict[str, str]:
    man = {"name": party.name[:50], "mobile": _mobile(party.phone)[:20], "printAddr": print_address(party.place)[:200]}
    if party.company:
        man["company"] = party.company[:100]
    return man


class Kuaidi100(CarrierAdapter):
    """The adapter: stateless. The account: `key` (授权key), `secret`, `customer` (the query's company id),
    `push_secret` (the salt pushes are signed with), `push_token`; for waybills `account` and
    `account_key` (the carrier's e-waybill account and password, partnerId / partnerKey) and options `net`,
    `exp_type`, `print_type`, `temp_id`; `base_url` for a local fake or a proxy."""

    @staticmethod
    def _url(conn: Connection, path: str) -> str:
        account = conn.needs_account()
        if account.base_url:
            return account.base_url.rstrip("/") + path
        return (API_HOST if path == LABEL else POLL_HOST) + path

    async def _post(self, conn: Connection, path: str, form: dict[str, str], what: str) -> dict[str, Any]:
        answer = await post_form(conn, self._url(conn, path), form, f"kuaidi100 {what}")
        if not isinstance(answer, dict):
            raise CarrierUnavailable(conn.code, f"kuaidi100 {what}: not kuaidi100's answer")
        return answer

    async def _label_call(self, conn: Connection, path: str, method: str, param: dict[str, Any]) -> dict[str, Any]:
        """One signed call of the e-waybill services: MD5(param + t + key + secret)."""
        account = conn.needs_account()
        key, body, stamp = account.key.get_secret_value(), _compact(param), str(int(time.time() * 1000))
        form = {"method": method, "key": key, "t": stamp, "param": body,
                "sign": md5_upper(body + stamp + key + account.secret.get_secret_value())}
        return await self._post(conn, path, form, method)

    # -- waybills ----------------------------------------------------------------------------------------

    async def create_waybill(self, conn: Connection, request: WaybillRequest) -> Waybill:
        account = conn.needs_account()
        param: dict[str, Any] = {
            "kuaidicom": company_of(conn), "recMan": _man(request.recipient), "sendMan": _man(request.sender),
            "cargo": (request.goods or "货物")[:50], "count": request.packages,
            "weight": _kg(request.weight_g), "payType": "SHIPPER",
            "expType": str(account.options.get("exp_type", "标准快递")), "orderId": request.shipment,
            "printType": str(account.options.get("print_type", "NON")), "needChild": int(request.packages > 1),
        }
        for name, value in (("partnerId", account.account.get_secret_value()),
                            ("partnerKey", account.account_key.get_secret_value()),
                            ("net", account.options.get("net")), ("tempId", account.options.get("temp_id"))):
            if value:
                param[name] = str(value)
        answer = await self._label_call(conn, LABEL, "order", param)
        data = self._label_result(conn, "order", answer)
        number = str(data.get("kuaidinum") or "")
        if not number:
            raise CarrierUnavailable(conn.code, "kuaidi100 order: no waybill number in the answer")
        routing = {k: str(data[k]) for k in ROUTING if data.get(k) not in (None, "")}
        if data.get("childNum"):  # one waybill per further package, in order
            routing["childWaybills"] = str(data["childNum"])
        children = tuple(n for n in str(data.get("childNum") or "").split(",") if n)
        return Waybill(number, routing, children=children)

    @staticmethod
    def _label_result(conn: Connection, method: str, answer: dict[str, Any]) -> dict[str, Any]:
        code = str(answer.get("code", ""))
        if code != "200":
            problem = CarrierUnavailable if code.startswith("5") or code == "429" else CarrierRefused
            raise problem(conn.code, f"kuaidi100 {method}: {code} {answer.get('message') or ''}".strip())
        data = answer.get("data")
        if isinstance(data, list):
            data = data[0] if data else {}
        return data if isinstance(data, dict) else {}

    async def cancel_waybill(self, conn: Connection, waybill: str, reference: str) -> None:
        if not waybill:  # kuaidi100 cancels by waybill number only; one never issued needs no cancel
            raise CarrierRefused(conn.code, f"kuaidi100 cancel: no waybill number for {reference}")
        account = conn.needs_account()
        param = {"kuaidicom": company_of(conn), "kuaidinum": waybill, "reason": "发货取消"}
        for name, value in (("partnerId", account.account.get_secret_value()),
                            ("partnerKey", account.account_key.get_secret_value()),
                            ("net", account.options.get("net"))):
            if value:
                param[name] = str(value)
        answer = await self._label_call(conn, CANCEL, "cancel", param)
        self._plain_result(conn, "cancel", answer, ok={"200"}, later={"500", "502"})

    @staticmethod
    def _plain_result(conn: Connection, what: str, answer: dict[str, Any], ok: set[str], later: set[str]) -> str:
        code = str(answer.get("returnCode", "200" if answer.get("result") in (True, "true") else ""))
        if code in ok:
            return code
        problem = CarrierUnavailable if code in later or not code else CarrierRefused  # no code: not its answer
        raise problem(conn.code, f"kuaidi100 {what}: {code} {answer.get('message') or ''}".strip())

    async def quote(self, conn: Connection, request: QuoteRequest) -> Quote | None:
        """kuaidi100's price query, where the account has it (option `quote`): the price of the account's
        product (`exp_type`), else its cheapest."""
        account = conn.needs_account()
        if not account.options.get("quote"):
            return None
        origin, dest = request.origin, request.destination
        answer = await self._label_call(conn, LABEL, "price", {
            "kuaidicom": company_of(conn), "sendAddr": print_address(replace(origin, street="")),
            "recAddr": print_address(replace(dest, street="")), "weight": _kg(request.weight_g)})
        combos = [c for c in self._label_result(conn, "price", answer).get("combos") or [] if isinstance(c, dict)]
        wanted = account.options.get("exp_type")
        priced = []
        for combo in combos:
            try:
                priced.append((Decimal(str(combo["price"])), str(combo.get("expType") or "")))
            except (KeyError, InvalidOperation):
                continue
        if not priced:
            return None
        price, service = next((p for p in priced if p[1] == wanted), min(priced))
        return Quote(price, None, service)

    # -- tracking ----------------------------------------------------------------------------------------

    async def subscribe(self, conn: Connection, subscription: Subscription) -> bool:
        account = conn.needs_account()
        parameters = {"callbackurl": subscription.push_url, "salt": self._salt(conn), "resultv2": "4"}
        if subscription.phone:
            parameters["phone"] = _mobile(subscription.phone)
        param = {"company": subscription.company or company_of(conn), "number": subscription.waybill,
                 "from": subscription.origin, "to": subscription.destination, "key": account.key.get_secret_value(),
                 "parameters": parameters}
        answer = await self._post(conn, SUBSCRIBE, {"schema": "json", "param": _compact(param)}, "subscribe")
        self._plain_result(conn, "subscribe", answer, ok={"200", "501"}, later={"500"})  # 501: followed already
        return True

    async def fetch_tracking(self, conn: Connection, waybill: str, dispatched_at: datetime, origin: str,
                             destination: str, now: datetime) -> list[TrackingUpdate]:
        """The real-time query (each one costs; pushes bring the same events unasked)."""
        account = conn.needs_account()
        customer = account.customer.get_secret_value()
        param = _compact({"com": company_of(conn), "num": waybill, "resultv2": "4", "from": origin,
                          "to": destination})
        form = {"customer": customer, "param": param,
                "sign": md5_upper(param + account.key.get_secret_value() + customer)}
        answer = await self._post(conn, QUERY, form, "query")
        if answer.get("result") is False or "data" not in answer:
            code = str(answer.get("returnCode", ""))
            if code == "500":  # 查询无结果: nothing known of the waybill yet
                return []
            self._plain_result(conn, "query", answer, ok=set(), later=TRY_LATER - {"500"})
        return track_updates(answer)

    @staticmethod
    def _salt(conn: Connection) -> str:
        """The salt pushes are signed with. Without one kuaidi100 signs nothing, and fahuo would take a push
        on the URL's token alone: no subscription, no push, without a salt."""
        salt = conn.needs_account().push_secret.get_secret_value()
        if not salt:
            raise CarrierRefused(conn.code, "no salt to sign pushes with (the account's push_secret)")
        return salt

    def read_push(self, conn: Connection, body: bytes, content_type: str) -> list[Pushed]:
        """A push, taken only with the sign the salt makes. One for another company than this carrier's (a
        corrected one, or one fahuo subscribed as after a correction) names it, for the caller to check; a
        push with status shutdown or abort ends the subscription, abort before the parcel's end (no news for
        days, a wrong company: kuaidi100 then names the right one, comNew)."""
        form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        param, sign = (form.get("param") or [""])[0], (form.get("sign") or [""])[0]
        salt = self._salt(conn)
        if not hmac.compare_digest(md5_upper(param + salt), sign.strip().upper()):
            raise CarrierRefused(conn.code, "the push's sign does not match")
        try:
            pushed = json.loads(param)
            result = pushed["lastResult"]
        except (ValueError, KeyError, TypeError):
            raise CarrierRefused(conn.code, "not a kuaidi100 push") from None
        if not isinstance(result, dict) or not result.get("nu"):
            raise CarrierRefused(conn.code, "not a kuaidi100 push")
        company, status = company_of(conn), str(pushed.get("status") or "")
        pushed_as, corrected = str(result.get("com") or company), str(pushed.get("comNew") or "")
        return [Pushed(str(result["nu"]), track_updates(result), ended=status in ("shutdown", "abort"),
                       renew=status == "abort", company="" if pushed_as == company else pushed_as,
                       corrected="" if corrected == company else corrected)]

    def push_reply(self, accepted: bool, message: str) -> PushReply:
        if accepted:
            return PushReply(200, ACCEPTED)
        body = {"result": False, "returnCode": "500", "message": message}
        return PushReply(400, json.dumps(body, ensure_ascii=False))
