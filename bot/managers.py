"""Managers in Telegram: decide held orders and after-sales requests and confirm purchase orders from their
alerts, today's figures and the sales by product or customer with a chart, which alerts they get. Each handler
is flagged with the permission it needs (bot/middlewares.py asks core.base.auth's one table)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from aiogram import F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, InputMediaPhoto, Message

from bot.callbacks import (
    AfterSalesDecision,
    AfterSalesSettle,
    AlertSwitch,
    Decision,
    HeldOrder,
    PurchaseOrderAction,
    PurchaseOrderButton,
    SalesBy,
    SalesReport,
    SettleUnits,
)
from bot.features import Feature
from bot.keyboards import Row, keyboard
from bot.middlewares import refusal
from bot.sales import sales_report
from bot.texts import say
from core.base.auth import Permission, Staff, may
from core.base.i18n import render, status_word
from core.base.settings import Settings
from core.orders.notifications import Alert, toggle_alert
from core.orders.review import decide_held, held_order
from core.reports import SALES_DAYS
from core.shipping.aftersales import (
    AfterSalesDecisionIn,
    AfterSalesRequest,
    claim_to_settle,
    decide_request,
    request_outcome,
    undecided_request,
)
from core.shipping.remedies import Remedy
from core.stock.replenishment import confirm_po

feature = Feature("managers")
REVIEW = {"permission": Permission.REVIEW_ORDERS}
AFTERSALES = {"permission": Permission.HANDLE_AFTERSALES}
ORDER, REQUEST = "order", "aftersales"  # what a reason being asked for rejects


class Rejecting(StatesGroup):
    reason = State()


class Refunding(StatesGroup):
    amount = State()


@feature.callback_query(HeldOrder.filter(F.decision == Decision.APPROVE), F.message.as_("shown"), flags=REVIEW)
async def approve(query: CallbackQuery, callback_data: HeldOrder, shown: Message, staff: Staff, lang: str,
                  settings: Settings) -> None:
    order = await decide_held(callback_data.number, True, staff.actor, "", settings)  # the history says it in words
    await shown.answer(say(lang, "decided", number=order.number, status=status_word("order", order.status, lang)))
    await query.answer()


@feature.callback_query(HeldOrder.filter(F.decision == Decision.REJECT), F.message.as_("shown"), flags=REVIEW)
async def reject(query: CallbackQuery, callback_data: HeldOrder, shown: Message, state: FSMContext,
                 lang: str) -> None:
    order = await held_order(callback_data.number, "rejected")  # decided meanwhile: no reason to ask for
    await ask_reason(shown, state, lang, ORDER, order.number)
    await query.answer()


@feature.callback_query(AfterSalesDecision.filter(F.decision == Decision.APPROVE), F.message.as_("shown"),
                        flags=AFTERSALES)
async def approve_request(query: CallbackQuery, callback_data: AfterSalesDecision, shown: Message,
                          state: FSMContext, lang: str) -> None:
    """Approving asks how: the refund of what was paid, another amount, the goods sent again, or (for goods that
    come back) only taking them back for now; and for how many units of each line (all, until − says fewer)."""
    await state.update_data(settling=callback_data.number, units={})
    text, markup = await settle_question(callback_data.number, {}, lang)  # decided meanwhile: already done
    await shown.answer(text, reply_markup=markup)
    await query.answer()


async def settle_question(number: str, units: dict[str, int], lang: str) -> tuple[str, InlineKeyboardMarkup]:
    claim = await claim_to_settle(number, units)
    paid = render(claim.paid, lang)
    rows: list[Row] = [[("−", SettleUnits(number=number, line=i, qty=max(qty - 1, 0))),
                        (f"{sku} {qty}/{asked}", SettleUnits(number=number, line=i, qty=0 if qty == asked else asked)),
                        ("+", SettleUnits(number=number, line=i, qty=min(qty + 1, asked)))]
                       for i, (sku, qty, asked) in enumerate(claim.lines)]
    rows += [[(say(lang, "as_refund_all", paid=paid), AfterSalesSettle(number=number, remedy=Remedy.REFUND))],
             [(say(lang, "as_refund_other"), AfterSalesSettle(number=number, remedy=Remedy.REFUND, typed=True))],
             [(say(lang, "as_replace"), AfterSalesSettle(number=number, remedy=Remedy.REPLACE))]]
    if claim.comes_back:
        rows.append([(say(lang, "as_back_only"), AfterSalesSettle(number=number, remedy=Remedy.NONE))])
    back = say(lang, "as_settle_back", address=claim.address) if claim.comes_back else ""
    return say(lang, "as_settle", number=number, paid=paid, items=render(claim.items, lang) or "—",
               back=back), keyboard(rows)


@feature.callback_query(SettleUnits.filter(), F.message.as_("shown"), flags=AFTERSALES)
async def settle_units(query: CallbackQuery, callback_data: SettleUnits, shown: Message, state: FSMContext,
                       lang: str) -> None:
    """Fewer (or all) units of a line: the question is redrawn in place with what they cost."""
    data = await state.get_data()
    units: dict[str, int] = data.get("units", {}) if data.get("settling") == callback_data.number else {}
    claim = await claim_to_settle(callback_data.number, units)
    await query.answer()
    if not 0 <= callback_data.line < len(claim.lines):
        return
    units[claim.lines[callback_data.line][0]] = callback_data.qty
    await state.update_data(settling=callback_data.number, units=units)
    text, markup = await settle_question(callback_data.number, units, lang)
    await shown.edit_text(text, reply_markup=markup)


async def approved_lines(state: FSMContext, number: str) -> list[dict[str, int | str]] | None:
    """The units the manager chose for the request (None: all that were asked about)."""
    data = await state.get_data()
    if data.get("settling") != number or not data.get("units"):
        return None
    claim = await claim_to_settle(number, data["units"])
    return [{"sku": sku, "qty": qty} for sku, qty, _ in claim.lines if qty]


@feature.callback_query(AfterSalesSettle.filter(~F.typed), F.message.as_("shown"), flags=AFTERSALES)
async def settle_request(query: CallbackQuery, callback_data: AfterSalesSettle, shown: Message, staff: Staff,
                         state: FSMContext, lang: str, settings: Settings) -> None:
    body = AfterSalesDecisionIn.model_validate({"approve": True, "remedy": callback_data.remedy,
                                                "lines": await approved_lines(state, callback_data.number)})
    request = await decide_request(callback_data.number, body, staff.actor, settings)  # twice: already done
    await shown.answer(await decided_words(request, lang))
    await query.answer()


async def decided_words(request: AfterSalesRequest, lang: str) -> str:
    return say(lang, "as_decided", number=request.number, status=status_word("aftersales", request.status, lang),
               outcome=render(await request_outcome(request), lang) or "").rstrip()


@feature.callback_query(AfterSalesSettle.filter(F.typed), F.message.as_("shown"), flags=AFTERSALES)
async def ask_amount(query: CallbackQuery, callback_data: AfterSalesSettle, shown: Message, state: FSMContext,
                     lang: str) -> None:
    data = await state.get_data()
    mine = data.get("settling") == callback_data.number
    claim = await claim_to_settle(callback_data.number, data.get("units") if mine else None)
    await state.set_state(Refunding.amount)
    await state.update_data(refunding=claim.number)
    await shown.answer(say(lang, "as_ask_amount", number=claim.number, paid=render(claim.paid, lang)))
    await query.answer()


@feature.message(Refunding.amount, F.text)
async def refund_amount(message: Message, state: FSMContext, staff: Staff | None, lang: str,
                        settings: Settings) -> None:
    """The amount typed; a refusal (more than was paid) is said and the manager may press again."""
    number = (await state.get_data())["refunding"]
    await state.set_state(None)
    if staff is None or not may(staff, Permission.HANDLE_AFTERSALES):
        await message.answer(refusal(staff, lang))
        return
    try:
        amount = Decimal((message.text or "").strip().replace(",", ".").lstrip("¥￥"))
    except InvalidOperation:
        await message.answer(say(lang, "as_bad_amount"))
        return
    body = AfterSalesDecisionIn.model_validate({"approve": True, "remedy": Remedy.REFUND, "amount": amount,
                                                "lines": await approved_lines(state, number)})
    await message.answer(await decided_words(await decide_request(number, body, staff.actor, settings), lang))


@feature.callback_query(AfterSalesDecision.filter(F.decision == Decision.REJECT), F.message.as_("shown"),
                        flags=AFTERSALES)
async def reject_request(query: CallbackQuery, callback_data: AfterSalesDecision, shown: Message, state: FSMContext,
                         lang: str) -> None:
    request = await undecided_request(callback_data.number, "rejected")  # decided meanwhile: ask nothing
    await ask_reason(shown, state, lang, REQUEST, request.number)
    await query.answer()


async def ask_reason(shown: Message, state: FSMContext, lang: str, kind: str, number: str) -> None:
    """The next message of this manager is why `number` is rejected."""
    await state.set_state(Rejecting.reason)
    await state.update_data(rejecting=number, rejecting_kind=kind)
    await shown.answer(say(lang, "reject_reason", number=number))


@feature.message(Rejecting.reason, F.text)
async def reject_reason(message: Message, state: FSMContext, staff: Staff | None, lang: str,
                        settings: Settings) -> None:
    data = await state.get_data()
    number, kind = data["rejecting"], data.get("rejecting_kind", ORDER)
    await state.set_state(None)  # whatever comes of it: the next message is a message again
    needed = Permission.REVIEW_ORDERS if kind == ORDER else Permission.HANDLE_AFTERSALES
    if staff is None or not may(staff, needed):  # the role lost it since the button was pressed
        await message.answer(refusal(staff, lang))
        return
    reason = (message.text or "")[:500]
    if kind == ORDER:
        order = await decide_held(number, False, staff.actor, reason, settings)
        status = status_word("order", order.status, lang)
    else:
        request = await decide_request(number, AfterSalesDecisionIn(approve=False, note=reason), staff.actor,
                                       settings)
        status = status_word("aftersales", request.status, lang)
    await message.answer(say(lang, "decided", number=number, status=status))


@feature.callback_query(PurchaseOrderButton.filter(F.action == PurchaseOrderAction.CONFIRM), F.message.as_("shown"),
                         flags={"permission": Permission.MANAGE_PURCHASING})
async def confirm_purchase_order(query: CallbackQuery, callback_data: PurchaseOrderButton, shown: Message,
                                 lang: str) -> None:
    po = await confirm_po(callback_data.number)
    await shown.answer(say(lang, "po_confirmed", number=po.number))
    await query.answer()


@feature.message(Command("report"), flags={"permission": Permission.VIEW_REPORTS})
async def report(message: Message, lang: str, settings: Settings) -> None:
    """Today's figures and the best sellers of the last two weeks; the buttons switch the window and the view."""
    chart, caption, buttons = await sales_report(SalesBy.PRODUCT, SALES_DAYS[0], lang, settings)
    await message.answer_photo(chart, caption=caption, parse_mode="HTML", reply_markup=buttons)


@feature.callback_query(SalesReport.filter(), F.message.as_("shown"), flags={"permission": Permission.VIEW_REPORTS})
async def switch_report(query: CallbackQuery, callback_data: SalesReport, shown: Message, lang: str,
                        settings: Settings) -> None:
    chart, caption, buttons = await sales_report(callback_data.by, callback_data.days, lang, settings)
    await shown.edit_media(InputMediaPhoto(media=chart, caption=caption, parse_mode="HTML"), reply_markup=buttons)
    await query.answer()


def alert_switches(staff: Staff, lang: str) -> list[Row]:
    """One button per alert, named in words, marked on (✓) or off (✗)."""
    return [[(("✗ " if a.value in staff.muted_alerts else "✓ ") + status_word("alert", a.value, lang),
              AlertSwitch(alert=a))] for a in Alert]


@feature.message(Command("alerts"), flags={"permission": Permission.RECEIVE_ALERTS})
async def alerts(message: Message, staff: Staff, lang: str) -> None:
    await message.answer(say(lang, "alerts"), reply_markup=keyboard(alert_switches(staff, lang)))


@feature.callback_query(AlertSwitch.filter(), F.message.as_("shown"), flags={"permission": Permission.RECEIVE_ALERTS})
async def switch(query: CallbackQuery, callback_data: AlertSwitch, shown: Message, staff: Staff, lang: str) -> None:
    await toggle_alert(staff, callback_data.alert)
    await shown.edit_text(say(lang, "alerts"), reply_markup=keyboard(alert_switches(staff, lang)))
    await query.answer()
