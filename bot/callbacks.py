"""What every inline button of the bot carries, as typed data: a handler filters on its class and gets the
fields parsed and checked (`Class.filter()`), never by splitting strings.

The buttons of documents (orders, purchase orders, alerts) keep the wire form they had before they were typed
(`held:approve:SO-…`, `po:confirm:PO-…`, `trk:SO-…`), so alerts already sent go on working. The buttons of a
dialog (checkout, after-sales) name the dialog they belong to: a button of a dialog that ended, or of an
earlier one, finds nothing to act on and says so (bot/errors.py).
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from core.base.errors import InvalidTransition
from core.orders.cart import StockChoice
from core.orders.notifications import Alert
from core.orders.order import OrderStatus, PaymentMethod, ServiceLevel
from core.shipping.aftersales import RequestKind
from core.shipping.remedies import Remedy

# -- catalogue and cart --------------------------------------------------------------------------------------


ALL = "*"  # a catalogue page's shelf when the shop uses no categories: everything on sale


class Shelves(CallbackData, prefix="shelves"):
    """Back to the list of shelves."""


class CataloguePage(CallbackData, prefix="cat"):
    shelf: str  # a category's code, "-" for the products on no shelf, ALL for everything
    page: int


# A product's button names it by its id: a SKU may hold ':' (the data's separator) and fill all of Telegram's 64
# bytes. The prefixes are new, so a button sent when they carried SKUs finds nothing rather than another product.


class ProductCard(CallbackData, prefix="pc"):
    product: int


class AddToCart(CallbackData, prefix="pa"):
    product: int
    qty: int


class CartAction(StrEnum):
    CHECKOUT = "checkout"
    CLEAR = "clear"


class CartButton(CallbackData, prefix="cart"):
    action: CartAction


class LineEdit(StrEnum):
    LESS = "less"
    MORE = "more"
    TYPE = "type"  # the quantity is typed next
    REMOVE = "remove"


class CartLine(CallbackData, prefix="cl"):
    """A button on one line of the cart's message: the cart it belongs to (stale once checked out or emptied),
    the line by its place, and what it does."""

    cart: str
    line: int
    edit: LineEdit


# -- the steps of a dialog: each names its dialog ----------------------------------------------------------


class ShortStock(CallbackData, prefix="stk"):
    """What to do with the lines there is not enough of: order all (the rest backordered) or only what is there."""

    dialog: str
    choice: StockChoice


class SavedAddressPick(CallbackData, prefix="adr"):
    dialog: str
    address: int  # the saved address's id; only the customer's own is found


class NewAddress(CallbackData, prefix="adn"):
    dialog: str


class AddressCheck(CallbackData, prefix="adc"):
    dialog: str
    right: bool  # the address as read is right, or they type it again


class DeliveryDay(CallbackData, prefix="day"):
    dialog: str
    day: str = ""  # ISO; empty: any day


class ServiceChoice(CallbackData, prefix="svc"):
    dialog: str
    level: ServiceLevel


class PaymentChoice(CallbackData, prefix="pay"):
    dialog: str
    method: PaymentMethod


class CheckoutEnd(CallbackData, prefix="co"):
    dialog: str
    confirm: bool  # or drop the checkout, keeping the cart


class AfterSalesKind(CallbackData, prefix="ask"):
    dialog: str
    kind: RequestKind


class ClaimLine(CallbackData, prefix="asl"):
    """Set how many of a line of the order the request is about. The button carries the quantity it sets, not a
    step, so a press that arrives twice sets the same number twice."""

    dialog: str
    line: int  # its place among the order's claimable lines, as shown (a SKU may be too long for the data)
    qty: int


class ClaimLinesDone(CallbackData, prefix="asc"):
    dialog: str


class AfterSalesDone(CallbackData, prefix="asd"):
    dialog: str


# -- documents ------------------------------------------------------------------------------------------------


class DocumentStep:
    """A button that moves a document one step. When the document is already past that step (pressed twice,
    or by two managers), the core refuses with InvalidTransition and the person is told it is already done;
    `finished` says whether the status the document is in means that, or that the step can no longer be made."""

    def finished(self, refusal: InvalidTransition) -> bool:
        return True


class TrackOrder(CallbackData, prefix="trk"):
    number: str


class PayOrder(CallbackData, prefix="payo"):
    """Ask for the order's payment link again (from the order's view): the same link while it is good."""

    number: str


class CancelOrder(DocumentStep, CallbackData, prefix="cxl"):
    number: str

    def finished(self, refusal: InvalidTransition) -> bool:
        return refusal.state == OrderStatus.CANCELLED  # a shipped order is not "done"


class AfterSalesOrder(CallbackData, prefix="aso"):
    number: str


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class HeldOrder(DocumentStep, CallbackData, prefix="held"):
    decision: Decision
    number: str


class AfterSalesDecision(DocumentStep, CallbackData, prefix="asdec"):
    decision: Decision
    number: str


class AfterSalesSettle(DocumentStep, CallbackData, prefix="asset"):
    """How an approved request is settled: a refund of what was paid, another amount (typed next), a
    replacement, or the goods back first."""

    number: str
    remedy: Remedy
    typed: bool = False


class SettleUnits(DocumentStep, CallbackData, prefix="asu"):
    """Approve fewer units of one line of a request (− / + / all or none), before saying how it is settled."""

    number: str
    line: int
    qty: int


class PurchaseOrderAction(StrEnum):
    CONFIRM = "confirm"


class PurchaseOrderButton(DocumentStep, CallbackData, prefix="po"):
    action: PurchaseOrderAction
    number: str


class AlertSwitch(CallbackData, prefix="alert"):
    alert: Alert


class SalesBy(StrEnum):
    PRODUCT = "product"
    CUSTOMER = "customer"


class SalesReport(CallbackData, prefix="rep"):
    by: SalesBy
    days: int
