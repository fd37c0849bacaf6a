"""Which warehouse ships an order, where missing units are asked for, and what a waiting order does when goods
come: pure decisions over warehouses, lines and free stock in memory; no database."""

from __future__ import annotations

from core.orders.allocation import FAR_AWAY_KM, after_arrival, choose_warehouse, nearest_first, to_purchase
from core.orders.order import Order, OrderLine
from core.stock.catalog import Product
from core.stock.ledger import FreeStock
from core.stock.warehouses import Warehouse

HANGZHOU = Warehouse(id=1, code="HZ", name="杭州仓", province="浙江", lat=30.27, lon=120.16)
SHANGHAI = Warehouse(id=2, code="SH", name="上海仓", province="上海", lat=31.23, lon=121.47)
GUANGZHOU = Warehouse(id=3, code="GZ", name="广州仓", province="广东", lat=23.13, lon=113.26)
NOWHERE = Warehouse(id=4, code="XX", name="无坐标仓", province="四川")  # no coordinates
TEA, CUP = Product(id=10, sku="TEA", name="Tea"), Product(id=11, sku="CUP", name="Cup")


def _order(province: str = "浙江", lat: float | None = 30.3, lon: float | None = 120.2) -> Order:
    """An order to Hangzhou unless told otherwise."""
    return Order(id=1, number="SO-1", province=province, lat=lat, lon=lon)


def _lines(**qty: int) -> list[tuple[OrderLine, Product]]:
    products = {"TEA": TEA, "CUP": CUP}
    return [(OrderLine(id=n, product_id=products[sku].id, qty=q), products[sku]) for n, (sku, q) in
            enumerate(qty.items(), 1)]


def _free(*stock: tuple[Warehouse, Product, int]) -> FreeStock:
    levels: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for n, (wh, product, units) in enumerate(stock):
        levels.setdefault((product.id, wh.id), []).append((n, units))
    return FreeStock(levels)


def test_the_nearest_warehouse_that_has_everything_ships():
    free = _free((HANGZHOU, TEA, 5), (SHANGHAI, TEA, 5))
    assert choose_warehouse(_order(), _lines(TEA=3), free, [SHANGHAI, HANGZHOU]) is HANGZHOU


def test_a_far_warehouse_that_has_everything_beats_a_near_one_that_has_part():
    free = _free((HANGZHOU, TEA, 2), (GUANGZHOU, TEA, 9))
    assert choose_warehouse(_order(), _lines(TEA=3), free, [HANGZHOU, GUANGZHOU]) is GUANGZHOU


def test_the_whole_order_counts_not_each_line_on_its_own():
    free = _free((HANGZHOU, TEA, 5), (SHANGHAI, TEA, 5), (SHANGHAI, CUP, 2))
    assert choose_warehouse(_order(), _lines(TEA=3, CUP=2), free, [HANGZHOU, SHANGHAI]) is SHANGHAI


def test_when_none_has_everything_the_one_covering_most_units_ships():
    free = _free((HANGZHOU, TEA, 1), (GUANGZHOU, TEA, 2), (GUANGZHOU, CUP, 1), (SHANGHAI, CUP, 2))
    assert choose_warehouse(_order(), _lines(TEA=3, CUP=3), free, [HANGZHOU, SHANGHAI, GUANGZHOU]) is GUANGZHOU


def test_units_beyond_what_a_line_asks_for_do_not_count():
    free = _free((HANGZHOU, TEA, 100), (SHANGHAI, TEA, 2), (SHANGHAI, CUP, 2))
    assert choose_warehouse(_order(), _lines(TEA=3, CUP=3), free, [HANGZHOU, SHANGHAI]) is SHANGHAI  # 4 > 3


def test_among_equal_cover_the_nearest_ships_even_when_none_has_anything():
    assert choose_warehouse(_order(), _lines(TEA=3), _free(), [GUANGZHOU, SHANGHAI, HANGZHOU]) is HANGZHOU


def test_without_coordinates_a_warehouse_in_the_same_province_counts_as_near():
    free = _free((NOWHERE, TEA, 5), (GUANGZHOU, TEA, 5))
    to_sichuan = _order(province="四川", lat=None, lon=None)
    assert choose_warehouse(to_sichuan, _lines(TEA=1), free, [GUANGZHOU, NOWHERE]) is NOWHERE
    to_tibet = _order(province="西藏", lat=None, lon=None)  # far from both: the first of equals
    assert choose_warehouse(to_tibet, _lines(TEA=1), free, [GUANGZHOU, NOWHERE]) is GUANGZHOU


def test_no_active_warehouse_means_no_choice():
    assert choose_warehouse(_order(), _lines(TEA=1), _free(), []) is None


def test_missing_units_are_asked_of_the_nearest_warehouses_first_and_those_without_coordinates_last():
    assert nearest_first([NOWHERE, GUANGZHOU, SHANGHAI], HANGZHOU) == [SHANGHAI, GUANGZHOU, NOWHERE]
    assert HANGZHOU.distance_km(GUANGZHOU.lat, GUANGZHOU.lon) < FAR_AWAY_KM


def test_a_backorder_buys_what_all_backorders_lack_beyond_what_is_coming_never_more_than_its_own():
    assert to_purchase(qty=5, backordered=0, coming=0) == 5
    assert to_purchase(qty=5, backordered=0, coming=3) == 2
    assert to_purchase(qty=5, backordered=4, coming=6) == 3  # 9 wanted, 6 coming
    assert to_purchase(qty=5, backordered=10, coming=2) == 5  # the earlier ones asked for theirs
    assert to_purchase(qty=5, backordered=0, coming=8) == 0


def _reserved(*pairs: tuple[int, int]) -> list[OrderLine]:
    return [OrderLine(qty=qty, qty_reserved=reserved) for qty, reserved in pairs]


def test_a_waiting_order_with_every_line_reserved_is_ready_to_pick():
    assert after_arrival(_reserved((3, 3), (2, 2)), partial_shipment=False) == "allocate"


def test_a_waiting_order_partly_reserved_splits_only_when_it_takes_partial_shipments():
    assert after_arrival(_reserved((3, 3), (2, 0)), partial_shipment=True) == "split"
    assert after_arrival(_reserved((3, 3), (2, 0)), partial_shipment=False) == "wait"
    assert after_arrival(_reserved((3, 0), (2, 0)), partial_shipment=True) == "wait"  # nothing to ship yet
