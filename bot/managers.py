"""Managers and staff in Telegram: act on alerts, daily figures with a chart, alert switches, PWA sign-in links."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.charts import chart_png
from bot.customers import keyboard
from bot.texts import say
from core.base.auth import Permission, Staff, issue_login_link, may
from core.base.errors import DomainError
from core.base.settings import Settings
from core.orders.notifications import Alert, toggle_alert
from core.orders.review import decide_held
from core.reports import dashboard
from core.stock.replenishment import confirm_po


class Rejecting(StatesGroup):
    reason = State()


def refusal(staff: Staff | None, lang: str) -> str:
    """Why nothing was done: this chat is nobody of the staff, or their role lacks the permission."""
    return say(lang, "not_staff" if staff is None else "not_allowed")


def manager_router() -> Router:
    router = Router(name="managers")

    @router.callback_query(F.data.startswith("held:"))
    async def held(query: CallbackQuery, state: FSMContext, staff: Staff | None, lang: str,
                   settings: Settings) -> None:
        if not may(staff, Permission.REVIEW_ORDERS):
            await query.answer(refusal(staff, lang), show_alert=True)
            return
        _, action, number = query.data.split(":", 2)  # type: ignore[union-attr]
        if action == "reject":
            await state.set_state(Rejecting.reason)
            await state.update_data(rejecting=number)
            await query.message.answer(say(lang, "reject_reason", number=number))  # type: ignore[union-attr]
        else:
            await _decide(query.message, number, True, "approved in Telegram", staff, lang, settings)  # type: ignore[arg-type]
        await query.answer()

    @router.message(Rejecting.reason, F.text)
    async def reject_reason(message: Message, state: FSMContext, staff: Staff | None, lang: str,
                            settings: Settings) -> None:
        number = (await state.get_data())["rejecting"]
        await state.clear()
        if may(staff, Permission.REVIEW_ORDERS):
            await _decide(message, number, False, (message.text or "")[:500], staff, lang, settings)  # type: ignore[arg-type]

    @router.callback_query(F.data.startswith("po:confirm:"))
    async def po_confirm(query: CallbackQuery, staff: Staff | None, lang: str) -> None:
        if not may(staff, Permission.MANAGE_PURCHASING):
            await query.answer(refusal(staff, lang), show_alert=True)
            return
        number = query.data.split(":", 2)[2]  # type: ignore[union-attr]
        try:
            await confirm_po(number)
            await query.message.answer(say(lang, "po_confirmed", number=number))  # type: ignore[union-attr]
        except DomainError as exc:
            await query.message.answer(exc.message(lang))  # type: ignore[union-attr]
        await query.answer()

    @router.message(Command("report"))
    async def report(message: Message, staff: Staff | None, lang: str, settings: Settings) -> None:
        if not may(staff, Permission.VIEW_REPORTS):
            await message.answer(refusal(staff, lang))
            return
        d = await dashboard(settings.tz, 14)
        rate = "–" if d["on_time_rate"] is None else f"{d['on_time_rate']:.0%}"
        caption = say(lang, "report", received=d["received"][-1], shipped=d["shipped"][-1], on_time=rate,
                      held=d["on_hold"], back=d["backordered"])
        await message.answer_photo(BufferedInputFile(chart_png(d["days"], d["received"], d["shipped"]), "report.png"),
                                   caption=caption)

    def alert_keys(staff: Staff, lang: str) -> list[list[tuple[str, str]]]:
        return [[(("✓ " if a.value not in staff.muted_alerts else "✗ ") + a.value, f"alert:{a.value}")]
                for a in Alert]

    @router.message(Command("alerts"))
    async def alerts(message: Message, staff: Staff | None, lang: str) -> None:
        if not may(staff, Permission.RECEIVE_ALERTS):
            await message.answer(refusal(staff, lang))
            return
        await message.answer(say(lang, "alerts"), reply_markup=keyboard(alert_keys(staff, lang)))  # type: ignore[arg-type]

    @router.callback_query(F.data.startswith("alert:"))
    async def switch(query: CallbackQuery, staff: Staff | None, lang: str) -> None:
        if not may(staff, Permission.RECEIVE_ALERTS):
            await query.answer(refusal(staff, lang), show_alert=True)
            return
        await toggle_alert(staff, Alert(query.data.split(":", 1)[1]))  # type: ignore[arg-type, union-attr]
        await query.message.edit_text(say(lang, "alerts"), reply_markup=keyboard(alert_keys(staff, lang)))  # type: ignore[arg-type, union-attr]
        await query.answer()

    @router.message(Command("login"))
    async def login_link(message: Message, staff: Staff | None, lang: str, settings: Settings) -> None:
        if staff is None:
            await message.answer(refusal(staff, lang))
            return
        token = await issue_login_link(staff.username)
        await message.answer(say(lang, "login_link", url=f"{settings.base_url}/#/link/{token}"))

    return router


async def _decide(message: Message, number: str, approve: bool, reason: str, staff: Staff, lang: str,
                  settings: Settings) -> None:
    try:
        order = await decide_held(number, approve, staff.actor, reason, settings)
        await message.answer(say(lang, "decided", number=number, status=order.status))
    except DomainError as exc:
        await message.answer(exc.message(lang))
