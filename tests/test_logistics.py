"""From shelf to truck over real HTTP: picking by scans, packing, carrier choice, dispatch, tracking, papers."""

from __future__ import annotations

import io
import json
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pypdf
import pytest
import zxingcpp
from PIL import Image

from core.base.auth import Role, add_api_key
from core.base.jobs import run_due
from core.base.settings import Settings
from core.orders.order import Order, OrderStatus
from core.shipping.carrier_api import Connection
from core.shipping.carriers import ADAPTERS, SimulatedCarrier
from core.shipping.shipments import CANCEL, cancel_waybill_later
from core.shipping.tracking import poll_tracking, signature
from core.stock.catalog import GoodsClass
from core.stock.ledger import Reservation, ReservationState, StockLevel, StockMove, check_ledger
from tests.conftest import signed_in
from tests.factories import a_carrier, a_product, a_warehouse, an_order, commits_out_of_order, run_check, stock


class Phone:
    """A staff member's phone running the PWA: signed in, every scan with its own client id."""

    def __init__(self, http: aiohttp.ClientSession, headers: dict[str, str]) -> None:
        self.http, self.headers = http, headers

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        async with self.http.request(method, path, json=body, headers=self.headers) as resp:
            kind = resp.headers.get("Content-Type", "")
            return resp.status, await (resp.json() if "json" in kind else resp.read())

    async def scan(self, mode: str, code: str = "", scan_id: str | None = None, **context: Any) -> tuple[int, Any]:
        body = {"client_scan_id": scan_id or uuid.uuid4().hex, "mode": mode, "code": code, **context}
        return await self.call("POST", "/api/scans", body)


async def _phones(http: aiohttp.ClientSession) -> dict[str, Phone]:
    return {role.value: Phone(http, await signed_in(http, role)) for role in
            (Role.PICKER, Role.PACKER, Role.DISPATCHER, Role.MANAGER)}


async def _place(http: aiohttp.ClientSession, lines: dict[str, int], **extra: Any) -> str:
    key = {"X-API-Key": await add_api_key("shop")}
    body = an_order(lines, **extra).model_dump(mode="json")
    async with http.post("/api/orders", json=body, headers=key) as resp:
        assert resp.status == 201, await resp.text()
        return (await resp.json())["number"]


async def _pick_all(picker: Phone, pick_list: dict[str, Any]) -> dict[str, Any]:
    """Walk the list as a picker would: the bin, then the product with the count asked."""
    view = pick_list
    while view["step"] != "done":
        task = view["current"]
        status, view = await picker.scan("pick", f"FH:LOC:{task['location']}", pick_list=pick_list["number"])
        assert status == 200, view
        status, view = await picker.scan("pick", f"FH:SKU:{task['sku']}", pick_list=pick_list["number"],
                                         qty=task["qty"] - task["picked"])
        assert status == 200, view
    return view


async def _one_box(order: str, contents: dict[str, int]) -> dict[str, Any]:
    return {"packages": [{"weight_g": 1200, "length_mm": 300, "width_mm": 200, "height_mm": 150,
                          "contents": [{"sku": s, "qty": q} for s, q in contents.items()]}]}


def _qr_text(png: bytes) -> list[str]:
    return _qr_text_image(Image.open(io.BytesIO(png)))


def _pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "".join(page.extract_text() for page in reader.pages)


@pytest.mark.slow
async def test_an_order_goes_from_shelf_to_customer_by_scans(http, db: Settings):
    wh = await a_warehouse(bins=6)
    tea, cup = await a_product("TEA"), await a_product("CUP", goods_class=GoodsClass.FRAGILE, barcode="6901234567892")
    await stock(tea, wh, 10, "A-01-05")
    await stock(cup, wh, 4, "A-01-02")
    await a_carrier("SWIFT", classes=(GoodsClass.NORMAL, GoodsClass.FRAGILE), webhook_secret="s3cret")
    await a_carrier("CHEAP", classes=(GoodsClass.NORMAL,), rates={"first_kg": "5", "per_kg": "1"})
    phone = await _phones(http)
    number = await _place(http, {"TEA": 3, "CUP": 2})

    status, pick_list = await phone["picker"].call("POST", "/api/pick-lists", {"orders": [number]})
    assert status == 201, pick_list
    assert [t["location"] for t in pick_list["tasks"]] == ["A-01-02", "A-01-05"]  # nearest the dock first
    assert pick_list["step"] == "location"
    # a wrong bin is refused, naming the right one; nothing moves
    status, refusal = await phone["picker"].scan("pick", "FH:LOC:A-01-05", pick_list=pick_list["number"])
    assert status == 409 and refusal["error"] == "wrong_scan"
    assert "A-01-02" in refusal["message"]
    status, view = await phone["picker"].scan("pick", "FH:LOC:A-01-02", pick_list=pick_list["number"])
    assert view["step"] == "product"
    # the product's own EAN works as well as our label; replaying that scan does not count it twice
    status, view = await phone["picker"].scan("pick", "6901234567892", scan_id="scan-ean-0001",
                                              pick_list=pick_list["number"])
    assert status == 200 and view["current"]["picked"] == 1
    status, again = await phone["picker"].scan("pick", "6901234567892", scan_id="scan-ean-0001",
                                               pick_list=pick_list["number"])
    assert again["replayed"] is True and again["current"]["picked"] == 1
    status, refusal = await phone["picker"].scan("pick", "FH:SKU:CUP", pick_list=pick_list["number"], qty=5)
    assert status == 409 and "1 to 1" in refusal["message"]
    done = await _pick_all(phone["picker"], view)
    assert done["status"] == "done"

    status, shipment = await phone["packer"].call("POST", f"/api/orders/{number}/packages",
                                                  await _one_box(number, {"TEA": 3, "CUP": 2}))
    assert status == 201, shipment
    assert shipment["status"] == "booked" and shipment["carrier"] == "SWIFT"
    assert any(r["carrier"] == "CHEAP" and "fragile" in r["reasons"][0] for r in shipment["choice"]["rejected"])
    package = shipment["packages"][0]["number"]
    status, png = await phone["packer"].call("GET", f"/api/packages/{package}/label.png")
    assert status == 200 and sorted(_qr_text(png)) == sorted([f"FH:PKG:{package}", shipment["waybill"]])
    status, note = await phone["dispatcher"].call(
        "GET", f"/api/shipments/{shipment['number']}/documents/delivery-note.pdf")
    assert status == 200 and shipment["number"] in _pdf_text(note) and "发货单" in _pdf_text(note)

    dispatcher = phone["dispatcher"]
    status, refusal = await dispatcher.scan("load", "FH:VEH:沪A12345", shipment=shipment["number"])
    assert status == 409 and "hand it to their courier" in refusal["message"]  # a carrier's, not our van's
    status, loading = await dispatcher.scan("load", f"FH:PKG:{package}", shipment=shipment["number"])
    assert loading["status"] == "loading" and loading["ready"] is True and loading["waiting"] == []
    status, shipped = await dispatcher.call("POST", f"/api/shipments/{shipment['number']}/dispatch")
    assert status == 200, shipped
    assert shipped["status"] == "dispatched" and shipped["vehicle"] is None
    order = await Order.get(number=number)
    assert order.status == OrderStatus.SHIPPED
    assert await Reservation.filter(state=ReservationState.ACTIVE).count() == 0
    assert sum(lv.on_hand for lv in await StockLevel.all()) == 9  # 14 - 5 left for the customer
    status, confirmation = await dispatcher.call(
        "GET", f"/api/shipments/{shipment['number']}/documents/confirmation.pdf")
    text = _pdf_text(confirmation)
    assert shipped["confirmation"] in text and shipped["carrier_name"] in text

    # the carrier pushes its events; a wrong signature is refused, a repeat is stored once
    push = {"waybill": shipped["waybill"], "events": [
        {"id": "e1", "code": "picked_up", "description": "Picked up", "place": "上海",
         "at": datetime.now(UTC).isoformat()},
        {"id": "e2", "code": "delivered", "description": "Signed for by Li Lei", "place": "上海",
         "at": (datetime.now(UTC) + timedelta(hours=20)).isoformat()}]}
    raw = json.dumps(push).encode()
    async with http.post("/api/tracking/SWIFT/webhook", data=raw, headers={"X-Fahuo-Signature": "00"}) as resp:
        assert resp.status == 401
    for expected in (2, 0):
        async with http.post("/api/tracking/SWIFT/webhook", data=raw,
                             headers={"X-Fahuo-Signature": signature("s3cret", raw)}) as resp:
            assert resp.status == 200 and (await resp.json())["new_events"] == expected
    assert (await Order.get(number=number)).status == OrderStatus.DELIVERED
    token = shipped["tracking_url"].rsplit("/", 1)[1]
    async with http.get(f"/t/{token}?lang=en") as resp:  # the carrier's English words reach an English reader
        page = await resp.text()
        assert resp.status == 200 and "Signed for by Li Lei" in page and "Li Lei" not in page.split("Signed")[0]
    async with http.get("/t/" + "x" * 32) as resp:
        assert resp.status == 404
    check = run_check(db.database_url)
    assert check.returncode == 0, check.stdout + check.stderr


async def _picked_and_packed(http, phone: dict[str, Phone], lines: dict[str, int]) -> tuple[str, dict[str, Any]]:
    number = await _place(http, lines)
    _, pick_list = await phone["picker"].call("POST", "/api/pick-lists", {"orders": [number]})
    await _pick_all(phone["picker"], pick_list)
    status, shipment = await phone["packer"].call("POST", f"/api/orders/{number}/packages", {"packages": [
        {"weight_g": 800, "length_mm": 200, "width_mm": 200, "height_mm": 100,
         "contents": [{"sku": next(iter(lines)), "qty": 1}]},
        {"weight_g": 800, "length_mm": 200, "width_mm": 200, "height_mm": 100,
         "contents": [{"sku": next(iter(lines)), "qty": sum(lines.values()) - 1}]}]})
    assert status == 201, shipment
    return number, shipment


@pytest.mark.slow
async def test_a_shipment_cannot_leave_with_a_package_missing_or_a_stranger_on_board(http, db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 10)
    await a_carrier()
    phone = await _phones(http)
    _, first = await _picked_and_packed(http, phone, {"TEA": 2})
    _, other = await _picked_and_packed(http, phone, {"TEA": 2})
    dispatcher = phone["dispatcher"]
    await dispatcher.scan("load", "FH:VEH:沪B99999", shipment=first["number"])
    status, refusal = await dispatcher.scan("load", f"FH:PKG:{other['packages'][0]['number']}",
                                            shipment=first["number"])
    assert status == 409 and first["packages"][0]["number"] in refusal["message"]
    await dispatcher.scan("load", f"FH:PKG:{first['packages'][0]['number']}", shipment=first["number"])
    status, refused = await dispatcher.call("POST", f"/api/shipments/{first['number']}/dispatch")
    assert status == 409 and first["packages"][1]["number"] in refused["message"]
    assert (await StockLevel.get(product=tea)).on_hand == 10  # nothing left the building
    status, _ = await phone["picker"].call("POST", f"/api/shipments/{first['number']}/dispatch")
    assert status == 403


async def test_a_short_pick_takes_the_rest_from_another_bin_and_backorders_what_nobody_has(http, db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 4, "A-01-01")
    await stock(tea, wh, 2, "A-01-04")
    phone = await _phones(http)
    number = await _place(http, {"TEA": 4})
    _, pick_list = await phone["picker"].call("POST", "/api/pick-lists", {"orders": [number]})
    assert [(t["location"], t["qty"]) for t in pick_list["tasks"]] == [("A-01-01", 4)]
    await phone["picker"].scan("pick", "FH:LOC:A-01-01", pick_list=pick_list["number"])
    await phone["picker"].scan("pick", "FH:SKU:TEA", pick_list=pick_list["number"], qty=1)
    # the bin held only the one unit: 3 are written off, 2 come from A-01-04, 1 must be bought
    status, view = await phone["picker"].scan("short", pick_list=pick_list["number"])
    assert status == 200, view
    assert [(t["location"], t["qty"], t["state"]) for t in view["tasks"]] == [
        ("A-01-01", 4, "short"), ("A-01-04", 2, "pending")]
    assert (await Order.get(number=number)).status == OrderStatus.BACKORDERED
    loss = await StockMove.get(reason="short_pick")
    assert loss.qty == 3
    assert any("waits for 1 × TEA" in n for n in view["notices"])
    done = await _pick_all(phone["picker"], view)
    assert done["status"] == "done"
    assert not await check_ledger()


async def test_a_hazardous_item_goes_only_with_a_carrier_that_accepts_it(http, db):
    wh = await a_warehouse()
    battery = await a_product("BATTERY", goods_class=GoodsClass.HAZARDOUS)
    await stock(battery, wh, 5)
    await a_carrier("SWIFT", level="express")
    phone = await _phones(http)
    _, shipment = await _picked_and_packed(http, phone, {"BATTERY": 2})
    assert shipment["status"] == "stuck" and shipment["carrier"] is None
    assert "does not carry hazardous goods" in shipment["choice"]["summary"]
    status, refused = await phone["manager"].call("POST", f"/api/shipments/{shipment['number']}/carrier",
                                                  {"carrier": "SWIFT"})
    assert status == 409 and "hazardous" in refused["message"]
    await a_carrier("HAZMAT", classes=(GoodsClass.NORMAL, GoodsClass.HAZARDOUS))
    status, booked = await phone["manager"].call("POST", f"/api/shipments/{shipment['number']}/carrier", {})
    assert status == 200 and booked["carrier"] == "HAZMAT" and booked["waybill"]


async def test_an_order_cancelled_mid_pick_is_skipped_and_its_goods_go_back(http, db):
    wh, tea, cup = await a_warehouse(), await a_product("TEA"), await a_product("CUP")
    await stock(tea, wh, 5, "A-01-01")
    await stock(cup, wh, 5, "A-01-03")
    phone = await _phones(http)
    number = await _place(http, {"TEA": 2, "CUP": 2})
    _, pick_list = await phone["picker"].call("POST", "/api/pick-lists", {"orders": [number]})
    first = pick_list["current"]
    await phone["picker"].scan("pick", f"FH:LOC:{first['location']}", pick_list=pick_list["number"])
    await phone["picker"].scan("pick", f"FH:SKU:{first['sku']}", pick_list=pick_list["number"], qty=1)
    status, _ = await phone["manager"].call("POST", f"/api/orders/{number}/cancel", {"reason": "customer called"})
    assert status == 200
    status, view = await phone["picker"].scan("pick", f"FH:SKU:{first['sku']}", pick_list=pick_list["number"])
    assert status == 200 and view["status"] == "done"
    assert view["notices"] == [f"{number} was cancelled: put 1 × {first['sku']} from tote T1 back to "
                               f"{first['location']}"]
    assert await Reservation.filter(state=ReservationState.ACTIVE).count() == 0
    status, refused = await phone["packer"].call("POST", f"/api/orders/{number}/packages",
                                                 await _one_box(number, {"TEA": 2, "CUP": 2}))
    assert status == 409 and "cancelled" in refused["message"].lower()


@pytest.mark.slow
async def test_a_cancelled_booking_is_told_to_the_carrier_after_commit_and_again_while_it_is_down(http, db,
                                                                                               monkeypatch):
    simulated = SimulatedCarrier()  # its own, as waybill numbers repeat from one test's database to the next
    monkeypatch.setitem(ADAPTERS, "simulated", simulated)
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 10)
    await a_carrier()
    phone = await _phones(http)
    number, shipment = await _picked_and_packed(http, phone, {"TEA": 2})
    waybill = shipment["waybill"]
    assert waybill
    status, _ = await phone["manager"].call("POST", f"/api/orders/{number}/cancel", {"reason": "customer called"})
    assert status == 200
    assert waybill not in simulated.cancelled  # not from inside the order's transaction

    async def carrier_down(conn, waybill, reference):
        raise ConnectionError("carrier API unreachable")

    with monkeypatch.context() as patch:
        patch.setattr(simulated, "cancel_waybill", carrier_down)
        assert (await run_due(db, datetime.now(UTC), [CANCEL])).worked == 0
    assert waybill not in simulated.cancelled
    later = datetime.now(UTC) + timedelta(minutes=2)  # the job waits a minute after a failed try
    assert (await run_due(db, later, [CANCEL])).worked == 1  # the next try gets through
    assert waybill in simulated.cancelled
    assert (await run_due(db, later + timedelta(hours=1), [CANCEL])).worked == 0  # and only once


async def test_every_committed_waybill_cancel_reaches_the_carrier_once_whatever_order_the_writers_commit_in(
        db, monkeypatch):
    told: Counter[str] = Counter()

    class Counting(SimulatedCarrier):
        async def cancel_waybill(self, conn: Connection, waybill: str, reference: str) -> None:
            told[waybill] += 1

    monkeypatch.setitem(ADAPTERS, "simulated", Counting())
    carrier = await a_carrier()

    async def write(n: int) -> None:
        await cancel_waybill_later(carrier, f"WB{n}", f"SH{n}")

    await commits_out_of_order(write, lambda: run_due(db, datetime.now(UTC), [CANCEL]), each=10)
    while (await run_due(db, datetime.now(UTC), [CANCEL])).worked:
        pass
    assert told == Counter(f"WB{n}" for n in range(80))


async def test_packages_must_hold_exactly_the_order(http, db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 5)
    await a_carrier()
    phone = await _phones(http)
    number = await _place(http, {"TEA": 2})
    status, refused = await phone["packer"].call("POST", f"/api/orders/{number}/packages",
                                                 await _one_box(number, {"TEA": 2}))
    assert status == 409  # not picked yet
    _, pick_list = await phone["picker"].call("POST", "/api/pick-lists", {"orders": [number]})
    await _pick_all(phone["picker"], pick_list)
    status, refused = await phone["packer"].call("POST", f"/api/orders/{number}/packages",
                                                 await _one_box(number, {"TEA": 3}))
    assert status == 409 and "TEA: packed 3, the order has 2" in refused["message"]
    status, refused = await phone["packer"].call("POST", f"/api/orders/{number}/packages", {"packages": []})
    assert status == 422
    assert (await Order.get(number=number)).status == OrderStatus.PICKING


@pytest.mark.slow
async def test_the_simulated_carrier_reports_the_journey_as_time_passes(http, db: Settings):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 5)
    await a_carrier(transit_days=2)
    phone = await _phones(http)
    number, shipment = await _picked_and_packed(http, phone, {"TEA": 2})
    await phone["dispatcher"].scan("load", "FH:VEH:粤A00001", shipment=shipment["number"])
    for package in shipment["packages"]:
        await phone["dispatcher"].scan("load", f"FH:PKG:{package['number']}", shipment=shipment["number"])
    status, _ = await phone["dispatcher"].call("POST", f"/api/shipments/{shipment['number']}/dispatch")
    assert status == 200
    soon = datetime.now(UTC) + timedelta(hours=12)
    assert await poll_tracking(db, now=soon) == 2  # picked up, left the sorting centre
    assert (await Order.get(number=number)).status == OrderStatus.SHIPPED
    assert await poll_tracking(db, now=soon + timedelta(days=2)) == 3
    assert (await Order.get(number=number)).status == OrderStatus.DELIVERED
    status, timeline = await phone["dispatcher"].call("GET", "/api/track/" + shipment["tracking_url"].split("/")[-1])
    assert [e["code"] for e in timeline["events"]][-1] == "delivered"


async def test_label_sheets_decode_back_to_their_payloads(http, db):
    wh = await a_warehouse(bins=3)
    await a_product("TEA")
    phone = await _phones(http)
    status, pdf = await phone["picker"].call("GET", "/api/labels/locations.pdf?warehouse=SH")
    assert status == 200
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    images = [Image.open(io.BytesIO(img.data)) for img in reader.pages[0].images]
    found = sorted(t for image in images for t in _qr_text_image(image))
    assert found == ["FH:LOC:A-01-01", "FH:LOC:A-01-02", "FH:LOC:A-01-03", "FH:LOC:RCV"]
    status, html = await phone["picker"].call("GET", "/api/labels/products.html")
    assert status == 200 and b"FH:SKU:TEA" in html
    assert wh.code == "SH"


def _qr_text_image(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L"))]


async def test_packing_and_dispatch_pressed_again_give_the_first_answer_and_do_nothing_twice(http, db):
    import asyncio

    from core.shipping.documents import Document, DocumentKind
    from core.shipping.shipments import Package, Shipment

    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 10)
    await a_carrier()
    phone = await _phones(http)
    number = await _place(http, {"TEA": 2})
    _, pick_list = await phone["picker"].call("POST", "/api/pick-lists", {"orders": [number]})
    await _pick_all(phone["picker"], pick_list)
    packing = await _one_box(number, {"TEA": 2})
    status, shipment = await phone["packer"].call("POST", f"/api/orders/{number}/packages", packing)
    assert status == 201
    status, again = await phone["packer"].call("POST", f"/api/orders/{number}/packages", packing)
    assert status == 200 and again == {**shipment, "replayed": True}
    packing["packages"][0]["weight_g"] = 999  # not the packing that was done: refused, naming the state
    status, refusal = await phone["packer"].call("POST", f"/api/orders/{number}/packages", packing)
    assert status == 409 and refusal["error"] == "invalid_transition"
    assert (await Shipment.all().count(), await Package.all().count()) == (1, 1)

    dispatcher = phone["dispatcher"]
    await dispatcher.scan("load", "FH:VEH:沪A12345", shipment=shipment["number"])
    await dispatcher.scan("load", f"FH:PKG:{shipment['packages'][0]['number']}", shipment=shipment["number"])
    key = {**dispatcher.headers, "Idempotency-Key": "dispatch-0001"}
    path = f"/api/shipments/{shipment['number']}/dispatch"

    async def confirm() -> tuple[int, dict]:
        async with http.post(path, headers=key) as resp:
            return resp.status, await resp.json()

    answers = sorted(await asyncio.gather(confirm(), confirm()), key=lambda a: "replayed" in a[1])
    (status, done), (again_status, again) = answers
    assert (status, again_status) == (200, 200) and again == {**done, "replayed": True}
    assert done["status"] == "dispatched" and await Document.filter(kind=DocumentKind.CONFIRMATION).count() == 1
    assert await StockLevel.get(product=tea).values_list("on_hand", flat=True) == 8
