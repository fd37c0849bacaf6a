"""A local UPS for tests: a real aiohttp server on 127.0.0.1 speaking the documented UPS REST APIs that karrio's
UPS connector calls, written from UPS's published OpenAPI documents (OAuthClientCredentials, Rating, Shipping,
Tracking):

- POST /security/v1/oauth/token: HTTP Basic client id and secret, `grant_type=client_credentials`; answers
  token_type, issued_at (milliseconds), access_token, expires_in (seconds), status.
- POST /api/rating/v{version}/Shop: RateRequest → RateResponse.RatedShipment[] (Service.Code, charges,
  TimeInTransit).
- POST /api/shipments/v{version}/ship: ShipmentRequest → ShipmentResponse.ShipmentResults (identification number,
  PackageResults[] with TrackingNumber and ShippingLabel.GraphicImage, base64 of ZPL or GIF).
- DELETE /api/shipments/v{version}/void/cancel/{id}: VoidShipmentResponse with ResponseStatus.Code "1".
- GET /api/track/v1/details/{inquiryNumber}: trackResponse.shipment[].package[].activity[], latest first; a
  number UPS does not know answers a warning, as UPS does.

Errors are UPS's envelope {"response": {"errors": [{"code", "message"}]}}: 401 for bad client credentials or
token, 429 "Quota Limit Exceeded", 400 for a void of a shipment never made; and a server that does not answer.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from tests.loopback import on_loopback

CLIENT_ID, CLIENT_SECRET, ACCOUNT = "fh-ups-client-7Qe2", "fh-ups-secret-Lw93xPz0Rk", "A1B2C3"


def _errors(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"response": {"errors": [{"code": code, "message": message}]}}, status=status)


def zpl_label(tracking: str) -> bytes:
    """A thermal label in ZPL as a carrier draws it: the tracking number, in words and as a Code 128 barcode."""
    return (f"^XA^CI28^FO40,40^A0N,40,40^FDUPS {tracking}^FS^FO40,100^BY3^BCN,120,Y,N,N^FD{tracking}^FS^XZ"
            .encode("ascii"))


class FakeUps:
    def __init__(self) -> None:
        self.mode = "ok"  # ok | rate_limited | silent (answers nothing: the caller times out)
        self.tokens: set[str] = set()
        self.shipments: dict[str, dict[str, Any]] = {}  # shipment identification number → the request
        self.voided: set[str] = set()
        self.activity: dict[str, list[dict[str, Any]]] = {}  # tracking number → activities, latest first
        self.charge, self.currency = "312.50", "CNY"
        self.calls: Counter[str] = Counter()
        self.url = ""
        self._serial = 10000

    @web.middleware
    async def gate(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """What every API does first: count the call, be silent or over quota when told, and (but for the
        token itself) take only a token it issued."""
        what = request.path.split("/")[-1 if request.path.startswith("/security") else 2]
        self.calls[what] += 1
        if self.mode == "silent":
            await asyncio.sleep(30)
        if self.mode == "rate_limited":
            return _errors(429, "429", "Quota Limit Exceeded")
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if request.path.startswith("/api/") and not (scheme.lower() == "bearer" and token in self.tokens):
            return _errors(401, "250002", "Invalid Authentication Information.")
        return await handler(request)

    # -- the APIs ------------------------------------------------------------------------------------

    async def token(self, request: web.Request) -> web.Response:
        scheme, _, pair = request.headers.get("Authorization", "").partition(" ")
        given = base64.b64decode(pair).decode() if scheme.lower() == "basic" else ""
        form = await request.post()
        if form.get("grant_type") != "client_credentials":
            return _errors(400, "10400", "Invalid/Missing grant_type")
        if given != f"{CLIENT_ID}:{CLIENT_SECRET}":
            return _errors(401, "10401", "ClientId is Invalid")
        token = f"tok-{len(self.tokens) + 1}-{int(time.time())}"
        self.tokens.add(token)
        return web.json_response({"token_type": "Bearer", "issued_at": str(int(time.time() * 1000)),
                                  "client_id": CLIENT_ID, "access_token": token, "expires_in": "14399",
                                  "status": "approved"})

    async def rate(self, request: web.Request) -> web.Response:
        body = await request.json()
        shipment = body["RateRequest"]["Shipment"]
        money = {"CurrencyCode": self.currency, "MonetaryValue": self.charge}
        rated = [{"Service": {"Code": code, "Description": ""},
                  "BillingWeight": {"UnitOfMeasurement": {"Code": "KGS"}, "Weight": shipment["Package"][0]
                                    ["PackageWeight"]["Weight"]},
                  "TransportationCharges": money, "BaseServiceCharge": money,
                  "ServiceOptionsCharges": {"CurrencyCode": self.currency, "MonetaryValue": "0.00"},
                  "TotalCharges": money, "ItemizedCharges": [],
                  "TimeInTransit": {"ServiceSummary": {"EstimatedArrival": {"BusinessDaysInTransit": days}}}}
                 for code, days in (("65", "3"), ("07", "2"))]
        return web.json_response({"RateResponse": {"Response": {"ResponseStatus": {"Code": "1",
                                                                                     "Description": "Success"}},
                                                   "RatedShipment": rated}})

    async def ship(self, request: web.Request) -> web.Response:
        body = await request.json()
        shipment = body["ShipmentRequest"]["Shipment"]
        if shipment.get("Shipper", {}).get("ShipperNumber") != ACCOUNT:
            return _errors(400, "120100", "Missing or invalid shipper number")
        self._serial += 1
        number = f"1Z{ACCOUNT}04{self._serial:08d}"
        self.shipments[number] = body
        packages = shipment["Package"] if isinstance(shipment["Package"], list) else [shipment["Package"]]
        results = [{"TrackingNumber": number if i == 0 else f"{number[:-2]}{i:02d}",
                    "ShippingLabel": {"ImageFormat": {"Code": "ZPL"},
                                      "GraphicImage": base64.b64encode(zpl_label(number)).decode()}}
                   for i in range(len(packages))]
        return web.json_response({"ShipmentResponse": {
            "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
            "ShipmentResults": {"ShipmentIdentificationNumber": number, "PackageResults": results,
                                "ShipmentCharges": {"TotalCharges": {"CurrencyCode": self.currency,
                                                                     "MonetaryValue": self.charge}}}}})

    async def void(self, request: web.Request) -> web.Response:
        number = request.match_info["number"]
        if number not in self.shipments:
            return _errors(400, "190102", "No shipment found within the allowed void period")
        self.voided.add(number)
        return web.json_response({"VoidShipmentResponse": {
            "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
            "SummaryResult": {"Status": {"Code": "1", "Description": "Voided"}}}})

    async def track(self, request: web.Request) -> web.Response:
        number = request.match_info["number"]
        activity = self.activity.get(number)
        if not activity:
            return web.json_response({"trackResponse": {"shipment": [{
                "inquiryNumber": number, "package": None,
                "warnings": [{"code": "TW0001", "message": "Tracking Information Not Found"}]}]}})
        return web.json_response({"trackResponse": {"shipment": [{"inquiryNumber": number, "package": [{
            "trackingNumber": number, "deliveryDate": [], "activity": activity}]}]}})

    # -- what UPS does by itself ---------------------------------------------------------------------

    def happen(self, number: str, when: str, kind: str, code: str, description: str, city: str,
               country: str) -> None:
        """UPS scans the parcel: `when` is YYYYMMDDHHMMSS, `kind` the activity status type (P pickup, I in
        transit, O out for delivery, D delivered, X exception), `code` its status code."""
        self.activity.setdefault(number, []).insert(0, {
            "date": when[:8], "time": when[8:], "location": {"address": {"city": city, "countryCode": country,
                                                                         "country": country}},
            "status": {"type": kind, "code": code, "description": description, "statusCode": "003"}})

    def sent(self, number: str) -> dict[str, Any]:
        """The shipment as fahuo sent it, for tests to read."""
        return json.loads(json.dumps(self.shipments[number]["ShipmentRequest"]["Shipment"]))


@asynccontextmanager
async def running_ups() -> AsyncIterator[FakeUps]:
    fake = FakeUps()
    app = web.Application(middlewares=[fake.gate])
    app.router.add_post("/security/v1/oauth/token", fake.token)
    app.router.add_post("/api/rating/{version}/Shop", fake.rate)
    app.router.add_post("/api/shipments/{version}/ship", fake.ship)
    app.router.add_delete("/api/shipments/{version}/void/cancel/{number}", fake.void)
    app.router.add_get("/api/track/v1/details/{number}", fake.track)
    async with on_loopback(app) as url:
        fake.url = f"{url}"
        yield fake
