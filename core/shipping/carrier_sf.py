"""SF Express (顺丰) through its open platform (丰桥, open.sf-express.com): waybills with the routing fields its
label needs, cancel, route query and route push, and its time-and-price query as a live quote.

Every call is one form POST to the platform's single address (partnerID, requestID, serviceCode, timestamp,
msgDigest, msgData), msgData being the JSON of the service. The digest is SF's "数字签名":
Base64(MD5(URLEncoder.encode(msgData + timestamp + checkWord, "UTF-8"))), Java's URL encoding. The answer is
an envelope (apiResultCode, apiErrorMsg, apiResultData); A1000 means the platform accepted the call, and
apiResultData (a JSON string) then says whether the service did: success, errorCode, errorMsg, msgData.

Routes are pushed (RoutePushService, "json" method) as {"Body": {"WaybillRoute": [...]}} and answered
{"return_code": "0000", "return_msg": ...}; SF signs no push, so fahuo gives SF a push address with a secret
token in it, and accepts a route only for a waybill SF issued to fahuo for the shipment it names.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

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
    TrackingUpdate,
    Waybill,
    WaybillRequest,
    post_form,
)

SANDBOX = "https://sfapi-sbox.sf-express.com/std/service"
PRODUCTION = "https://bspgw.sf-express.com/std/service"
CREATE, UPDATE, ROUTES, DELIVERY_TIME = ("EXP_RECE_CREATE_ORDER", "EXP_RECE_UPDATE_ORDER",
                                         "EXP_RECE_SEARCH_ROUTES", "EXP_RECE_QUERY_DELIVERTM")
BEIJING = ZoneInfo("Asia/Shanghai")  # SF's times carry no zone
# platform codes that mean "not now" rather than "no": rate limited, SF's own service down, SF's system error
TRY_LATER = {"A1005", "A1009", "A1099"}
# the fields of routeLabelData a label shows: destination route label (e.g. 755WE-571A3), coding mappings,
# time-limit product code, SF's two-dimension code, transfer codes, AB / XB flags
ROUTING = ("destRouteLabel", "codingMapping", "codingMappingOut", "proCode", "proName", "twoDimensionCode",
           "sourceTransferCode", "destTransferCode", "destTeamCode", "abFlag", "xbFlag", "printIcon")
# SF route operation codes → fahuo's tracking codes. SF's own words (remark) are kept as the description; a
# code not listed here counts as in transit. 8000 closes SF's order and says nothing about the parcel.
OP_CODES = {"50": "picked_up", "30": "in_transit", "31": "in_transit", "130": "arrived", "44": "out_for_delivery",
            "204": "out_for_delivery", "80": "delivered", "33": "exception", "70": "exception",
            "99": "exception", "648": "exception"}
SILENT = {"8000"}


def msg_digest(msg_data: str, timestamp: str, check_word: str) -> str:
    """SF's digest. Java's URLEncoder keeps letters, digits and . - * _, writes a space as +, and encodes ~;
    Python's quote_plus would keep ~, so it is written out as Java does."""
    encoded = quote_plus(msg_data + timestamp + check_word, safe="*").replace("~", "%7E")
    return base64.b64encode(hashlib.md5(encoded.encode("utf-8")).digest()).decode("ascii")


def _mobile(phone: str) -> str:
    """SF takes a mainland number without +86."""
    return phone.removeprefix("+86").replace(" ", "")


def _contact(kind: int, party: Party) -> dict[str, Any]:
    place = party.place
    contact = {"contactType": kind, "contact": party.name[:100], "mobile": _mobile(party.phone)[:20],
               "country": "CN", "province": place.province[:30], "city": place.city[:100],
               "county": place.district[:30], "address": place.street[:200]}
    if party.company:
        contact["company"] = party.company[:100]
    if place.postcode:
        contact["postCode"] = place.postcode[:25]
    return contact


def _address(place: Place) -> dict[str, str]:
    return {"province": place.province, "city": place.city, "district": place.district, "address": place.street}


def _kg(weight_g: int) -> float:
    return round(max(weight_g, 1) / 1000, 3)


def _when(value: str) -> datetime:
    return datetime.strptime(value.strip()[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)


def route_update(route: dict[str, Any]) -> TrackingUpdate | None:
    """One SF route as a tracking event. Its id is made from the operation and its time, the same whether the
    route came by push (which numbers it) or by query (which does not), so it is stored once."""
    op, at = str(route.get("opCode", "")), str(route.get("acceptTime", ""))
    if op in SILENT or not at:
        return None
    remark = str(route.get("remark") or route.get("firstStatusName") or op)
    return TrackingUpdate(f"sf-{op}-{at}"[:64], OP_CODES.get(op, "in_transit"), remark,
                          str(route.get("acceptAddress") or ""), _when(at))


class SfExpress(CarrierAdapter):
    """The adapter: stateless; the account (partner id = customer code, check word, monthly card, sandbox or
    production, options `express_type` and `quote`) comes with each call's connection."""

    async def _call(self, conn: Connection, service: str, data: dict[str, Any]) -> dict[str, Any]:
        """One signed call; the service's msgData, or CarrierUnavailable / CarrierRefused."""
        account = conn.needs_account()
        url = account.base_url or (SANDBOX if account.sandbox else PRODUCTION)
        msg = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        stamp = str(int(time.time() * 1000))
        form = {"partnerID": account.key.get_secret_value(), "requestID": uuid.uuid4().hex, "serviceCode": service,
                "timestamp": stamp, "msgDigest": msg_digest(msg, stamp, account.secret.get_secret_value()),
                "msgData": msg}
        return self._result(conn, service, await post_form(conn, url, form, service))

    @staticmethod
    def _result(conn: Connection, service: str, envelope: Any) -> dict[str, Any]:
        if not isinstance(envelope, dict):
            raise CarrierUnavailable(conn.code, f"{service}: not SF's answer")
        code = str(envelope.get("apiResultCode", ""))
        if code != "A1000":
            problem = CarrierUnavailable if code in TRY_LATER else CarrierRefused
            raise problem(conn.code, f"{service}: {code} {envelope.get('apiErrorMsg') or ''}".strip())
        result = envelope.get("apiResultData")
        if isinstance(result, str):
            try:
                result = json.loads(result)
            except ValueError:
                raise CarrierUnavailable(conn.code, f"{service}: unreadable apiResultData") from None
        if not isinstance(result, dict):
            raise CarrierUnavailable(conn.code, f"{service}: no apiResultData")
        if str(result.get("success")).lower() != "true":
            raise CarrierRefused(conn.code, f"{service}: {result.get('errorCode')} {result.get('errorMsg') or ''}"
                                 .strip())
        data = result.get("msgData")
        return data if isinstance(data, dict) else {}

    async def create_waybill(self, conn: Connection, request: WaybillRequest) -> Waybill:
        account = conn.needs_account()
        order: dict[str, Any] = {
            "language": "zh-CN", "orderId": request.shipment,
            "cargoDetails": [{"name": (request.goods or "货物")[:128]}],
            "contactInfoList": [_contact(1, request.sender), _contact(2, request.recipient)],
            "payMethod": 1, "expressTypeId": int(account.options.get("express_type", 1)),
            "parcelQty": request.packages, "totalWeight": _kg(request.weight_g), "isReturnRoutelabel": 1,
        }
        if card := account.account.get_secret_value():
            order["monthlyCard"] = card
        answer = await self._call(conn, CREATE, order)
        if answer.get("filterResult") == 3:  # SF cannot collect or deliver there
            raise CarrierRefused(conn.code, f"{CREATE}: cannot deliver ({answer.get('remark') or 'filterResult 3'})")
        numbers = answer.get("waybillNoInfoList") or []
        main = next((w["waybillNo"] for w in numbers if w.get("waybillType") == 1), None) or \
            next((w.get("waybillNo") for w in numbers), None)
        if not main:
            raise CarrierUnavailable(conn.code, f"{CREATE}: no waybill number in the answer")
        children = tuple(str(w["waybillNo"]) for w in numbers if w.get("waybillType") == 2 and w.get("waybillNo"))
        return Waybill(str(main), self._routing(answer, numbers, str(main)), children=children)

    @staticmethod
    def _routing(answer: dict[str, Any], numbers: list[dict[str, Any]], main: str) -> dict[str, str]:
        """The main waybill's route label fields; a further package's own two-dimension code, where SF gives
        a route label for its waybill too, as `twoDimensionCode:<its waybill>`."""
        labels = [i.get("routeLabelData") or {} for i in answer.get("routeLabelInfo") or []
                  if isinstance(i, dict) and str(i.get("code", "1000")) == "1000"]
        data = next((d for d in labels if d.get("waybillNo") == main), labels[0] if labels else {})
        routing = {k: str(data[k]) for k in ROUTING if data.get(k) not in (None, "")}
        for other in labels:
            if other.get("waybillNo") not in (None, "", main) and other.get("twoDimensionCode"):
                routing[f"twoDimensionCode:{other['waybillNo']}"] = str(other["twoDimensionCode"])
        for key in ("originCode", "destCode"):
            if answer.get(key):
                routing[key] = str(answer[key])
        children = [str(w["waybillNo"]) for w in numbers if w.get("waybillType") == 2 and w.get("waybillNo")]
        if children:  # one waybill per further package, in order
            routing["childWaybills"] = ",".join(children)
        return routing

    async def cancel_waybill(self, conn: Connection, waybill: str, reference: str) -> None:
        await self._call(conn, UPDATE, {"orderId": reference, "dealType": 2})

    async def fetch_tracking(self, conn: Connection, waybill: str, dispatched_at: datetime, origin: str,
                             destination: str, now: datetime) -> list[TrackingUpdate]:
        answer = await self._call(conn, ROUTES, {"language": "0", "trackingType": "1",
                                                  "trackingNumber": [waybill], "methodType": "1"})
        routes = [r for resp in answer.get("routeResps") or [] if resp.get("mailNo") == waybill
                  for r in resp.get("routes") or []]
        return [u for u in map(route_update, routes) if u is not None]

    async def quote(self, conn: Connection, request: QuoteRequest) -> Quote | None:
        """SF's time-and-price query, where the account has it (option `quote`); its fee and promised day."""
        account = conn.needs_account()
        if not account.options.get("quote"):
            return None
        query: dict[str, Any] = {"businessType": str(account.options.get("express_type", 1)),
                                 "weight": _kg(request.weight_g), "searchPrice": "1",
                                 "srcAddress": _address(request.origin), "destAddress": _address(request.destination)}
        if card := account.account.get_secret_value():
            query["monthlyCard"] = card
        offers = (await self._call(conn, DELIVERY_TIME, query)).get("deliverTmDto") or []
        offer = offers[0] if offers else {}
        try:
            price = Decimal(str(offer["fee"]))
        except (KeyError, InvalidOperation):
            return None  # SF gave no price for it
        return Quote(price, self._promised(offer.get("deliverTime")), str(offer.get("businessTypeDesc") or ""))

    @staticmethod
    def _promised(value: Any) -> date | None:
        try:
            return _when(str(value).split(",")[0]).date()
        except ValueError:
            return None

    def read_push(self, conn: Connection, body: bytes, content_type: str) -> list[Pushed]:
        try:
            routes = json.loads(body.decode("utf-8"))["Body"]["WaybillRoute"]
        except (ValueError, KeyError, TypeError):
            raise CarrierRefused(conn.code, "not an SF route push") from None
        if not isinstance(routes, list) or not all(isinstance(r, dict) for r in routes):
            raise CarrierRefused(conn.code, "not an SF route push")
        grouped: dict[tuple[str, str], list[TrackingUpdate]] = defaultdict(list)
        for route in routes:
            key = (str(route.get("mailno") or ""), str(route.get("orderid") or ""))
            update = route_update(route)
            if update is not None:
                grouped[key].append(update)
            else:
                grouped.setdefault(key, [])
        return [Pushed(waybill, updates, reference) for (waybill, reference), updates in grouped.items() if waybill]

    def push_reply(self, accepted: bool, message: str) -> PushReply:
        body = {"return_code": "0000" if accepted else "1000", "return_msg": "成功" if accepted else message}
        return PushReply(200 if accepted else 400, json.dumps(body, ensure_ascii=False))
