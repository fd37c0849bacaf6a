"""Stock that arrives or becomes free goes to the orders waiting for it.

Orders come after stock in an order's life (core.orders builds on core.stock), so the stock stage cannot call
allocation itself. The orders stage hands it its answer when it loads (`core.orders` loads its allocation,
which calls `serve_waiting_orders`); core.base.db loads every stage when the database opens. Asking before that is
a loud error, never a silent "nobody waits".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class WaitingOrders:
    # stock of these products landed or became free in a warehouse: reserve it for its backorders, oldest first
    fill: Callable[[int, set[int], str], Awaitable[list[str]]]
    # goods of a transfer landed: reserve them for the order lines (id, qty) they were sent for
    take_transferred: Callable[[list[tuple[int, int]], int, str], Awaitable[list[str]]]


_served_by: list[WaitingOrders] = []


def serve_waiting_orders(by: WaitingOrders) -> None:
    _served_by[:] = [by]


def waiting_orders() -> WaitingOrders:
    """Who fills waiting orders from stock; returns the numbers of orders that became fully allocated."""
    if not _served_by:
        raise RuntimeError("the orders stage is not loaded: open the database (core.base.db.open_db) first")
    return _served_by[0]
