"""What waits for a person: how many of each thing needs someone (the manager's home), and the things of one
kind as a list to work through.

Every count is a COUNT in the database; each kind is shown only to the roles the permission table lets do that
work (core.base.auth)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from tortoise.queryset import QuerySet

from core.base.auth import Permission, Staff
from core.base.errors import NotFound
from core.base.i18n import Phrase, named, phrase
from core.channels.write_backs import ChannelWriteBack, WriteBackState
from core.floor.picking import PickListStatus, PickTask, TaskState
from core.orders.order import Order, OrderStatus
from core.shipping.aftersales import AfterSalesRequest, RequestStatus
from core.shipping.printing import JobState, PrintJob, job_view
from core.shipping.shipments import Shipment, ShipmentStatus
from core.stock.ledger import StockLevel
from core.stock.replenishment import PoStatus, PurchaseOrder
from core.stock.transfers import TransferOrder, TransferStatus

LIST_LIMIT = 200  # a list to work through, not an archive: the oldest first, this many at most


def stuck_shipments() -> QuerySet[Shipment]:
    """Shipments stuck without a carrier: packed, and no carrier's rules allow them (core.shipping.stuck says
    why, and resolves them). The one place the home, its list and the order list ask."""
    return Shipment.filter(status=ShipmentStatus.STUCK)


def _held() -> QuerySet[Any]:
    return Order.filter(status=OrderStatus.ON_HOLD)


def _short_picks() -> QuerySet[Any]:
    """Short picks on carts still out: the picker found less in the bin than the ledger said."""
    return PickTask.filter(state=TaskState.SHORT, pick_list__status=PickListStatus.OPEN)


def _counts_due() -> QuerySet[Any]:
    return StockLevel.filter(count_due_since__isnull=False)


def _failed_prints() -> QuerySet[Any]:
    """Labels a printer did not take (out of labels, unreachable, …): they wait until someone sees to it."""
    return PrintJob.filter(state=JobState.QUEUED, problem__isnull=False)


@dataclass(frozen=True)
class Wait:
    """One kind of thing that waits: who may see to it, and the rows that are it."""

    permission: Permission
    rows: Callable[[], QuerySet[Any]]


WAITS: dict[str, Wait] = {
    "held": Wait(Permission.REVIEW_ORDERS, _held),
    "no_carrier": Wait(Permission.PLAN_DELIVERIES, stuck_shipments),
    "short_picks": Wait(Permission.ADJUST_STOCK, _short_picks),
    "counts_due": Wait(Permission.ADJUST_STOCK, _counts_due),
    "print_failed": Wait(Permission.MANAGE_PRINTERS, _failed_prints),
    "write_backs": Wait(Permission.MANAGE_CHANNELS,
                        lambda: ChannelWriteBack.filter(state=WriteBackState.FAILED)),
    # work that waits on the screens of its own task: a count on that task's tile
    "purchase": Wait(Permission.MANAGE_PURCHASING, lambda: PurchaseOrder.filter(status=PoStatus.DRAFT)),
    "transfers": Wait(Permission.TRANSFER_STOCK, lambda: TransferOrder.filter(status=TransferStatus.DRAFT)),
    "aftersales": Wait(Permission.HANDLE_AFTERSALES, lambda: AfterSalesRequest.filter(status=RequestStatus.OPEN)),
}


async def waiting_counts(staff: Staff) -> dict[str, int]:
    """How many of each kind wait, for the kinds this person may see to; each one COUNT in the database."""
    return {kind: await wait.rows().count() for kind, wait in WAITS.items() if staff.may(wait.permission)}


# -- the lists a count opens ------------------------------------------------------------------------------


def _product(product: Any) -> Phrase:
    return named(f"{product.sku} {product.name}", f"{product.sku} {product.name_zh or product.name}")


def _item(number: str, title: Phrase | str, detail: Phrase | str, status: Phrase | str) -> dict[str, Any]:
    return {"number": number, "title": title, "detail": detail, "status": status}


async def _short_pick_items(lang: str) -> list[dict[str, Any]]:
    tasks = await _short_picks().select_related("pick_list", "product", "location__warehouse", "order") \
        .order_by("id").limit(LIST_LIMIT)
    return [_item(t.pick_list.number, _product(t.product),
                  phrase("waits.short_detail", warehouse=t.location.warehouse.code, location=t.location.code,
                         picked=t.picked, qty=t.qty, order=t.order.number),
                  phrase("status.pick_task.short")) for t in tasks]


async def _count_items(lang: str) -> list[dict[str, Any]]:
    levels = await _counts_due().select_related("product", "location__warehouse").order_by("count_due_since") \
        .limit(LIST_LIMIT)
    return [_item(f"{lv.location.warehouse.code} {lv.location.code}",
                  _product(lv.product),
                  phrase("waits.count_detail", on_hand=lv.on_hand, reserved=lv.reserved),
                  phrase("waits.count_due")) for lv in levels]


async def _print_items(lang: str) -> list[dict[str, Any]]:
    jobs = await _failed_prints().select_related("printer").order_by("id").limit(LIST_LIMIT)
    return [_item(job.subject or job.printer.code, phrase("waits.print_title", printer=job.printer.code,
                                                          station=job.printer.station),
                  job_view(job, lang)["message"] or "", phrase("status.print_job.queued")) for job in jobs]


async def _stuck_items(lang: str) -> list[dict[str, Any]]:
    shipments = await stuck_shipments().select_related("order", "warehouse").order_by("id").limit(LIST_LIMIT)
    return [_item(s.number, phrase("waits.stuck_title", order=s.order.number, warehouse=s.warehouse.code),
                  named(s.choice.get("summary", ""), s.choice.get("summary_zh") or s.choice.get("summary", "")),
                  phrase("waits.no_carrier")) for s in shipments]


# the kinds listed here; held orders and write-backs have screens of their own
WaitList = Literal["short_picks", "counts_due", "print_failed", "no_carrier"]
ITEMS: dict[str, Callable[[str], Awaitable[list[dict[str, Any]]]]] = {
    "short_picks": _short_pick_items, "counts_due": _count_items, "print_failed": _print_items,
    "no_carrier": _stuck_items,
}


async def waiting_items(kind: str, staff: Staff, lang: str) -> list[dict[str, Any]]:
    """The things of one kind that wait, oldest first, each with its number, what it is and why it waits
    (words as phrases). Kinds with screens of their own (held orders, write-backs) are listed there."""
    if kind not in ITEMS:
        raise NotFound(what="list", key=kind[:32])
    staff.require(WAITS[kind].permission)
    return await ITEMS[kind](lang)
