"""Finding things in the staff app over real HTTP: the order list (filters, keyset pages), one search box for any
document, phone or name, the look-up of every document number, stock as it really stands, and what waits."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from core.base.auth import Role, Staff
from core.base.settings import Settings
from core.channels.write_backs import ChannelWriteBack, WriteBackState
from core.floor.picking import PickList, PickTask, TaskState
from core.orders.intake import place_order
from core.orders.order import Order, OrderLine
from core.shipping.aftersales import AfterSalesRequest, RequestKind
from core.shipping.printing import JobKind, Printer, PrintJob
from core.shipping.shipments import Package, Shipment, ShipmentStatus, new_tracking_token
from core.shipping.thermal import PrinterLanguage
from core.stock.catalog import Product
from core.stock.ledger import StockLevel
from core.stock.replenishment import PoStatus, PurchaseOrder, PurchaseOrderLine
from core.stock.transfers import TransferOrder, TransferStatus
from core.stock.warehouses import Warehouse
from core.waits import waiting_counts
from tests.conftest import signed_in
from tests.factories import a_product, a_supplier, a_warehouse, an_order, stock
from tests.zh_leaks import assert_no_english

NO_CARRIER = {"chosen": None, "ranked": [], "rejected": [{"carrier": "SWIFT", "reasons": ["no hazardous goods"]}],
              "summary": "no carrier can take it: SWIFT does not carry hazardous goods",
              "summary_zh": "没有承运商可以承运：SWIFT 不承运危险品"}


async def _get(http: aiohttp.ClientSession, path: str, who: dict[str, str], lang: str = "en",
               **params: Any) -> tuple[int, Any]:
    async with http.get(path, params=params, headers=who | {"Accept-Language": lang}) as resp:
        return resp.status, await resp.json()


async def _orders(db: Settings, n: int, **extra: Any) -> list[Order]:
    return [(await place_order(an_order({"TEA": 1}, **extra), "shop", "api:shop", db)).order for _ in range(n)]


async def _shipment(order: Order, wh: Warehouse, number: str, **attrs: Any) -> Shipment:
    return await Shipment.create(number=number, order=order, warehouse=wh, tracking_token=new_tracking_token(), **attrs)


async def test_the_order_list_pages_newest_first_by_a_cursor(http, db):
    wh = await a_warehouse()
    await stock(await a_product("TEA"), wh, 50)
    placed = await _orders(db, 7)
    manager = await signed_in(http, Role.MANAGER)
    seen, cursor, pages = [], None, 0
    while True:
        status, page = await _get(http, "/api/order-list", manager, limit=3, **({"cursor": cursor} if cursor else {}))
        assert status == 200, page
        seen += [o["number"] for o in page["orders"]]
        pages += 1
        cursor = page["next"]
        if cursor is None:
            break
    assert pages == 3 and seen == [o.number for o in reversed(placed)]
    await _orders(db, 1)  # a new order while someone pages does not shift the pages they have not read
    status, page = await _get(http, "/api/order-list", manager, limit=3, cursor=str(placed[4].id))
    assert [o["number"] for o in page["orders"]] == [placed[3].number, placed[2].number, placed[1].number]
    status, refused = await _get(http, "/api/order-list", manager, cursor="abc")
    assert status == 422 and "page: should be a whole number" in refused["message"]


async def test_the_order_list_filters_by_status_warehouse_channel_days_held_and_stuck(http, db):
    sh, gz = await a_warehouse("SH"), await a_warehouse("GZ")
    await stock(await a_product("TEA"), sh, 50)
    await a_product("TV", price="90000.00")
    await stock(await Product.get(sku="TV"), sh, 2)
    shop = await _orders(db, 3)
    held = (await place_order(an_order({"TV": 1}), "shop", "api:shop", db)).order
    phoned = (await place_order(an_order({"TEA": 2}), "phone", "staff:manager", db)).order
    await Order.filter(id=shop[0].id).update(created_at=datetime.now(UTC) - timedelta(days=10))
    await _shipment(shop[1], sh, "SH-STUCK-1", choice=NO_CARRIER, status=ShipmentStatus.STUCK)  # no carrier may take it
    await _shipment(shop[2], sh, "SH-NEW-1")  # packed a moment ago: its carrier is being chosen
    await Order.filter(id=shop[2].id).update(warehouse_id=gz.id)
    manager = await signed_in(http, Role.MANAGER)

    async def numbers(**params: Any) -> list[str]:
        status, page = await _get(http, "/api/order-list", manager, **params)
        assert status == 200, page
        return [o["number"] for o in page["orders"]]

    assert await numbers(held="true") == [held.number]
    assert await numbers(status="on_hold") == [held.number]
    assert await numbers(channel="phone") == [phoned.number]
    assert await numbers(warehouse="GZ") == [shop[2].number]
    assert await numbers(stuck="true") == [shop[1].number]
    today = datetime.now(db.tz).date()
    assert shop[0].number not in await numbers(since=(today - timedelta(days=1)).isoformat())
    assert await numbers(until=(today - timedelta(days=5)).isoformat()) == [shop[0].number]
    status, page = await _get(http, "/api/order-list", manager, "zh", held="true")
    assert page["orders"][0]["status_word"] == "待审核"
    status, refused = await _get(http, "/api/order-list", manager, "zh", since=today.isoformat(),
                                 until=(today - timedelta(days=1)).isoformat())
    assert status == 422 and "开始日期" in refused["message"]
    status, refused = await _get(http, "/api/order-list", manager, warehouse="XX")
    assert status == 404


async def test_the_search_finds_every_kind_of_document_by_its_number_or_waybill(http, db):
    wh, gz = await a_warehouse("SH"), await a_warehouse("GZ")
    await stock(await a_product("TEA"), wh, 50)
    order = (await _orders(db, 1))[0]
    shipment = await _shipment(order, wh, "SH-20261208-00001", status=ShipmentStatus.BOOKED, waybill="SF1234567890")
    await Package.create(number="PKG-20261208-00001", shipment=shipment, seq=1, weight_g=800, length_mm=300,
                         width_mm=200, height_mm=100, contents=[{"sku": "TEA", "qty": 1}])
    await TransferOrder.create(number="TR-20261208-00001", source=wh, target=gz, created_by="staff:x")
    await AfterSalesRequest.create(number="AS-20261208-00001", order=order, kind=RequestKind.RETURN, text="too big",
                                   lines=[{"sku": "TEA", "qty": 1}], created_by="customer")
    await PurchaseOrder.create(number="PO-20261208-00001", supplier=await a_supplier(), warehouse=wh)
    await PickList.create(number="PL-20261208-00001", warehouse=wh, created_by="staff:x")
    manager = await signed_in(http, Role.MANAGER)
    expected = {order.number: ("order", "订单", "待拣货"), shipment.number: ("shipment", "发运单", "已约承运商"),
                "PKG-20261208-00001": ("package", "包裹", "已约承运商"),
                "TR-20261208-00001": ("transfer", "调拨单", "待调出"),
                "AS-20261208-00001": ("aftersales", "售后申请", "待处理"),
                "PO-20261208-00001": ("purchase_order", "采购单", "草稿"),
                "PL-20261208-00001": ("pick_list", "拣货单", "拣货中")}
    for number, (kind, what, status_word) in expected.items():
        status, hits = await _get(http, "/api/search", manager, "zh", q=number.lower())
        assert status == 200, hits
        assert [(h["kind"], h["number"], h["what"], h["status_word"]) for h in hits] == [
            (kind, number, what, status_word)]
    status, hits = await _get(http, "/api/search", manager, q="SF1234567890")
    assert [(h["kind"], h["number"]) for h in hits] == [("shipment", shipment.number)]
    assert order.number in hits[0]["detail"]
    status, hits = await _get(http, "/api/search", manager, q=f"FH:ORD:{order.number}")  # a scanned label
    assert [h["number"] for h in hits] == [order.number]

    picker = await signed_in(http, Role.PICKER)  # a picker finds what a picker may see, and not the rest
    for number in ("PO-20261208-00001", "AS-20261208-00001"):
        status, hits = await _get(http, "/api/search", picker, q=number)
        assert status == 200 and hits == []
    status, hits = await _get(http, "/api/search", picker, q="TR-20261208-00001")
    assert [h["kind"] for h in hits] == ["transfer"]
    status, hits = await _get(http, "/api/search", manager, q="0" * 63)  # longer than any number or waybill
    assert (status, hits) == (200, [])


async def test_the_search_finds_a_customers_orders_by_a_phone_written_any_way_but_not_by_four_digits(http, db):
    wh = await a_warehouse()
    await stock(await a_product("TEA"), wh, 50)
    theirs = await _orders(db, 2, phone="+86 138 1688 1234")
    other = await place_order(an_order({"TEA": 1}, address={"phone": "13816881234"}), "shop", "api:shop", db)
    await _orders(db, 1)  # someone else's
    manager = await signed_in(http, Role.MANAGER)
    wanted = {other.order.number, *(o.number for o in theirs)}
    for written in ("138 1688 1234", "138-1688-1234", "+86 13816881234", "8613816881234", "(138)16881234"):
        status, hits = await _get(http, "/api/search", manager, q=written)
        assert status == 200 and {h["number"] for h in hits} == wanted, written
        assert all(h["kind"] == "order" for h in hits)
    status, hits = await _get(http, "/api/search", manager, q="1234")
    assert status == 200 and hits == []
    status, refused = await _get(http, "/api/search", manager, "zh", q="1")
    assert status == 422 and "至少输入 2 个字符" in refused["message"]


async def test_the_search_finds_orders_by_part_of_a_customers_or_recipients_name(http, db):
    wh = await a_warehouse()
    await stock(await a_product("TEA"), wh, 50)
    body = an_order({"TEA": 1}, address={"recipient": "王小明"})
    body.customer.name = "张伟"
    to_wang = (await place_order(body, "shop", "api:shop", db)).order
    await _orders(db, 2)  # Li Lei's
    manager = await signed_in(http, Role.MANAGER)
    for part in ("小明", "张伟", "王小"):
        status, hits = await _get(http, "/api/search", manager, q=part)
        assert status == 200 and [h["number"] for h in hits] == [to_wang.number], part
    _, hits = await _get(http, "/api/search", manager, q="li lei")
    assert len(hits) == 2


async def test_the_look_up_answers_shipment_transfer_and_aftersales_numbers(http, db):
    wh, gz = await a_warehouse("SH"), await a_warehouse("GZ")
    await stock(await a_product("TEA"), wh, 50)
    order = (await _orders(db, 1))[0]
    await _shipment(order, wh, "SH-20261208-00009", choice=NO_CARRIER, status=ShipmentStatus.STUCK)
    await TransferOrder.create(number="TR-20261208-00009", source=wh, target=gz, created_by="staff:x",
                               status=TransferStatus.SHIPPED)
    await AfterSalesRequest.create(number="AS-20261208-00009", order=order, kind=RequestKind.DAMAGE, text="broken",
                                   lines=[{"sku": "TEA", "qty": 1}], created_by="customer")
    dispatcher = await signed_in(http, Role.DISPATCHER)
    stuck = "受阻：无承运商可承运"
    for code, kind, title, state in (("SH-20261208-00009", "shipment", "发运单 SH-20261208-00009", stuck),
                                     ("tr-20261208-00009", "transfer", "调拨单 TR-20261208-00009", "调拨在途"),
                                     ("AS-20261208-00009", "aftersales", "售后申请 AS-20261208-00009", "待处理")):
        status, found = await _get(http, "/api/lookup", dispatcher, "zh", code=code)
        assert status == 200, found
        assert (found["kind"], found["title"]) == (kind, title)
        assert ["状态", state] in found["facts"]
    status, found = await _get(http, "/api/lookup", dispatcher, "zh", code=order.number)
    assert ["发运单", f"SH-20261208-00009（{stuck}）"] in found["facts"]  # the order says where its goods stand


async def test_the_stock_summary_says_incoming_with_the_days_expected_and_folds_the_bins(http, db):
    sh, gz = await a_warehouse("SH"), await a_warehouse("GZ")
    tea = await a_product("TEA")
    await stock(tea, sh, 5, "A-01-01")
    await stock(tea, sh, 3, "A-01-02")
    await StockLevel.filter(product=tea, location__code="A-01-02", warehouse_id=sh.id).update(
        reserved=2, count_due_since=datetime.now(UTC))
    supplier = await a_supplier()
    confirmed = datetime(2026, 12, 1, 2, tzinfo=UTC)
    po = await PurchaseOrder.create(number="PO-1", supplier=supplier, warehouse=sh, status=PoStatus.PARTIAL,
                                    confirmed_at=confirmed)
    await PurchaseOrderLine.create(purchase_order=po, product=tea, qty=20, qty_received=5)
    await PurchaseOrder.create(number="PO-DONE", supplier=supplier, warehouse=sh, status=PoStatus.RECEIVED)
    tr = await TransferOrder.create(number="TR-1", source=gz, target=sh, created_by="x", status=TransferStatus.SHIPPED,
                                    shipped_at=datetime(2026, 12, 7, 20, tzinfo=UTC))
    await tr.lines.create(product=tea, qty=4)
    manager = await signed_in(http, Role.MANAGER)
    status, rows = await _get(http, "/api/stock/summary", manager, "zh", warehouse="SH")
    assert status == 200, rows
    [row] = rows
    assert (row["on_hand"], row["reserved"], row["available"], row["incoming_qty"]) == (8, 2, 6, 19)
    assert row["incoming"] == [
        {"kind": "purchase_order", "number": "PO-1", "status": "partially_received", "status_word": "部分到货",
         "qty": 15, "expected": "2026-12-04"},  # confirmed on the 1st (Shanghai), the supplier takes 3 days
        {"kind": "transfer", "number": "TR-1", "status": "shipped", "status_word": "调拨在途", "qty": 4,
         "expected": "2026-12-09"}]  # left on the 8th, Shanghai time
    assert row["bins"] == [{"location": "A-01-01", "on_hand": 5, "reserved": 0, "count_due": False},
                           {"location": "A-01-02", "on_hand": 3, "reserved": 2, "count_due": True}]


async def _what_waits(db: Settings) -> None:
    """Two held orders, a shipment stuck without a carrier, a short pick, two bins to count, a label a printer
    did not take and a write-back the shop refused; and some of each that do not wait."""
    wh = await a_warehouse()
    tea = await a_product("TEA")
    await stock(tea, wh, 50)
    await stock(await a_product("TV", price="90000.00"), wh, 5)
    for _ in range(2):
        await place_order(an_order({"TV": 1}), "shop", "api:shop", db)
    order = (await _orders(db, 1))[0]
    await _shipment(order, wh, "SH-STUCK", choice=NO_CARRIER, status=ShipmentStatus.STUCK)
    await _shipment(order, wh, "SH-BOOKING")
    pick_list = await PickList.create(number="PL-1", warehouse=wh, created_by="x")
    line = await OrderLine.get(order=order)
    bin_ = await wh.locations.filter(code="A-01-01").first()
    for state in (TaskState.SHORT, TaskState.DONE):
        await PickTask.create(pick_list=pick_list, seq=1, order=order, order_line=line, product=tea, location=bin_,
                              tote="T1", qty=3, picked=1, state=state)
    await StockLevel.filter(product=tea).update(count_due_since=datetime.now(UTC))
    await stock(tea, wh, 1, "A-01-02")
    await StockLevel.filter(product=tea, location__code="A-01-02").update(count_due_since=datetime.now(UTC))
    printer = await Printer.create(code="P1", warehouse=wh, station="打包台 1", language=PrinterLanguage.ZPL,
                                   connection="tcp", address="192.0.2.1:9100")
    await PrintJob.create(printer=printer, kind=JobKind.SHIPMENT, subject="SH-STUCK", lang="zh",
                          problem="printer.paper_out", requested_by="x")
    await PrintJob.create(printer=printer, kind=JobKind.SHIPMENT, subject="SH-OTHER", lang="zh", requested_by="x")
    for n, state in enumerate((WriteBackState.FAILED, WriteBackState.DONE)):
        await ChannelWriteBack.create(channel="shop", order=order.number, shipment=f"SH-W{n}", state=state,
                                      updated_at=datetime.now(UTC))


async def test_the_home_counts_what_waits_for_each_role(http, db):
    await _what_waits(db)
    manager = await signed_in(http, Role.MANAGER)
    status, waiting = await _get(http, "/api/waiting", manager)
    assert status == 200, waiting
    assert waiting["counts"] == {"held": 2, "no_carrier": 1, "short_picks": 1, "counts_due": 2, "print_failed": 1,
                                 "write_backs": 1, "purchase": 0, "transfers": 0, "aftersales": 0}
    dispatcher = await signed_in(http, Role.DISPATCHER)
    status, waiting = await _get(http, "/api/waiting", dispatcher)
    assert waiting["counts"] == {"no_carrier": 1, "transfers": 0}  # what a dispatcher sees to
    picker = await signed_in(http, Role.PICKER)
    status, waiting = await _get(http, "/api/waiting", picker)
    assert waiting["counts"] == {}


async def test_the_home_counts_in_the_database_and_reads_no_rows(db, caplog):
    await _what_waits(db)
    manager = await Staff.create(username="boss", role=Role.MANAGER)
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        counts = await waiting_counts(manager)
    asked = [r.getMessage() for r in caplog.records if r.name == "tortoise.db_client" and "SELECT" in r.getMessage()]
    assert len(asked) == len(counts) == 9
    assert all(statement.lstrip().startswith("SELECT COUNT(") for statement in asked), asked


async def test_each_count_opens_the_list_of_what_waits(http, db):
    await _what_waits(db)
    manager = await signed_in(http, Role.MANAGER)
    status, stuck = await _get(http, "/api/waiting/no_carrier", manager, "zh")
    assert status == 200, stuck
    assert [(s["number"], s["status"]) for s in stuck] == [("SH-STUCK", "无可用承运商")]
    assert "不承运危险品" in stuck[0]["detail"]
    status, shorts = await _get(http, "/api/waiting/short_picks", manager, "zh")
    assert [s["number"] for s in shorts] == ["PL-1"] and "A-01-01：已拣 1 / 3" in shorts[0]["detail"]
    status, counts = await _get(http, "/api/waiting/counts_due", manager)
    assert [c["number"] for c in counts] == ["SH A-01-01", "SH A-01-02"]
    status, prints = await _get(http, "/api/waiting/print_failed", manager, "zh")
    assert [(p["number"], p["title"]) for p in prints] == [("SH-STUCK", "打印机 P1（打包台 1）")]
    assert "标签" in prints[0]["detail"]
    dispatcher = await signed_in(http, Role.DISPATCHER)
    status, refused = await _get(http, "/api/waiting/counts_due", dispatcher, "zh")
    assert status == 403 and "发运员" in refused["message"]
    status, _ = await _get(http, "/api/waiting/everything", manager)
    assert status == 422


async def test_bad_list_and_search_questions_are_answered_in_words_not_a_500(http, db):
    manager = await signed_in(http, Role.MANAGER)
    for path, params in (("/api/order-list", {"since": "yesterday"}), ("/api/order-list", {"limit": "999"}),
                         ("/api/order-list", {"cursor": "0"}), ("/api/order-list", {"stuck": "maybe"}),
                         ("/api/search", {}), ("/api/search", {"q": "x" * 65})):
        status, refused = await _get(http, path, manager, "zh", **params)
        assert status == 422, (path, params, refused)
        assert_no_english(refused["message"], allowed=["true", "false"])  # the values to send, as sent
