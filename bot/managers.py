"""Managers in Telegram: decide held orders and confirm purchase orders from their alerts, today's figures with
a chart, which alerts they get. Each handler is flagged with the permission it needs (bot/middlewares.py asks
core.base.auth's one table)."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.callbacks import AlertSwitch, Decision, HeldOrder, PurchaseOrderAction, PurchaseOrderButton
from bot.charts import chart_png
from bot.features import Feature
from bot.keyboards import Row, keyboard
from bot.middlewares import refusal
from bot.texts import say
from core.base.auth import Permission, Staff, may
from core.base.settings import Settings
from core.orders.notifications import Alert, toggle_alert
from core.orders.review import decide_held, held_order
from core.reports import dashboard
from core.stock.replenishment import confirm_po

feature = Feature("managers")
REVIEW = {"permission": Permission.REVIEW_ORDERS}


class Rejecting(StatesGroup):
    reason = State()


@feature.callback_query(HeldOrder.filter(F.decision == Decision.APPROVE), F.message.as_("shown"), flags=REVIEW)
async def approve(query: CallbackQuery, callback_data: HeldOrder, shown: Message, staff: Staff, lang: str,
                  settings: Settings) -> None:
    order = await decide_held(callback_data.number, True, staff.actor, "approved in Telegram", settings)
    await shown.answer(say(lang, "decided", number=order.number, status=order.status))
    await query.answer()


@feature.callback_query(HeldOrder.filter(F.decision == Decision.REJECT), F.message.as_("shown"), flags=REVIEW)
async def reject(query: CallbackQuery, callback_data: HeldOrder, shown: Message, state: FSMContext,
                 lang: str) -> None:
    order = await held_order(callback_data.number, "rejected")  # decided meanwhile: no reason to ask for
    await state.set_state(Rejecting.reason)
    await state.update_data(rejecting=order.number)
    await shown.answer(say(lang, "reject_reason", number=order.number))
    await query.answer()


@feature.message(Rejecting.reason, F.text)
async def reject_reason(message: Message, state: FSMContext, staff: Staff | None, lang: str,
                        settings: Settings) -> None:
    number = (await state.get_data())["rejecting"]
    await state.clear()  # whatever comes of it: the next message is a message again
    if staff is None or not may(staff, Permission.REVIEW_ORDERS):  # the role lost it since the button was pressed
        await message.answer(refusal(staff, lang))
        return
    order = await decide_held(number, False, staff.actor, (message.text or "")[:500], settings)
    await message.answer(say(lang, "decided", number=order.number, status=order.status))


@feature.callback_query(PurchaseOrderButton.filter(F.action == PurchaseOrderAction.CONFIRM), F.message.as_("shown"),
                         flags={"permission": Permission.MANAGE_PURCHASING})
async def confirm_purchase_order(query: CallbackQuery, callback_data: PurchaseOrderButton, shown: Message,
                                 lang: str) -> None:
    po = await confirm_po(callback_data.number)
    await shown.answer(say(lang, "po_confirmed", number=po.number))
    await query.answer()


@feature.message(Command("report"), flags={"permission": Permission.VIEW_REPORTS})
async def report(message: Message, lang: str, settings: Settings) -> None:
    d = await dashboard(settings.tz, 14)
    rate = "–" if d["on_time_rate"] is None else f"{d['on_time_rate']:.0%}"
    caption = say(lang, "report", received=d["received"][-1], shipped=d["shipped"][-1], on_time=rate,
                  held=d["on_hold"], back=d["backordered"])
    await message.answer_photo(BufferedInputFile(chart_png(d["days"], d["received"], d["shipped"]), "report.png"),
                               caption=caption)


def alert_switches(staff: Staff) -> list[Row]:
    return [[(("✓ " if a.value not in staff.muted_alerts else "✗ ") + a.value, AlertSwitch(alert=a))] for a in Alert]


@feature.message(Command("alerts"), flags={"permission": Permission.RECEIVE_ALERTS})
async def alerts(message: Message, staff: Staff, lang: str) -> None:
    await message.answer(say(lang, "alerts"), reply_markup=keyboard(alert_switches(staff)))


@feature.callback_query(AlertSwitch.filter(), F.message.as_("shown"), flags={"permission": Permission.RECEIVE_ALERTS})
async def switch(query: CallbackQuery, callback_data: AlertSwitch, shown: Message, staff: Staff, lang: str) -> None:
    await toggle_alert(staff, callback_data.alert)
    await shown.edit_text(say(lang, "alerts"), reply_markup=keyboard(alert_switches(staff)))
    await query.answer()
