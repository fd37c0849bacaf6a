"""Managers and staff in Telegram: act on alerts, daily figures with a chart, alert switches, PWA sign-in links."""

from __future__ import annotations

import io

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from PIL import Image, ImageDraw, ImageFont

from bot.customers import keyboard
from bot.texts import say
from core.auth import Role, Staff, issue_login_link
from core.errors import DomainError
from core.notifications import Alert, toggle_alert
from core.replenishment import confirm_po, po_by_number
from core.reports import dashboard
from core.review import decide_held
from core.settings import Settings

MANAGERS = (Role.MANAGER, Role.ADMIN)


class Rejecting(StatesGroup):
    reason = State()


def is_manager(staff: Staff | None) -> bool:
    return staff is not None and staff.role in MANAGERS


def chart_png(days: list[str], received: list[int], shipped: list[int]) -> bytes:
    """Orders in (blue) and out (green) per day, as a small bar chart."""
    width, height, pad = 720, 360, 40
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    top = max(1, *received, *shipped)
    step = (width - 2 * pad) / max(1, len(days))
    font = ImageFont.load_default(size=14)
    for i, day in enumerate(days):
        x = pad + i * step
        for offset, value, colour in ((0.1, received[i], "#60a5fa"), (0.5, shipped[i], "#15803d")):
            h = (height - 2 * pad) * value / top
            draw.rectangle((x + step * offset, height - pad - h, x + step * (offset + 0.38), height - pad), fill=colour)
        if i % 2 == 0:
            draw.text((x, height - pad + 6), day[5:], fill="#374151", font=font)
    draw.line((pad, height - pad, width - pad, height - pad), fill="#9ca3af")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def manager_router() -> Router:
    router = Router(name="managers")

    @router.callback_query(F.data.startswith("held:"))
    async def held(query: CallbackQuery, state: FSMContext, staff: Staff | None, lang: str,
                   settings: Settings) -> None:
        if not is_manager(staff):
            await query.answer(say(lang, "not_staff"), show_alert=True)
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
        if is_manager(staff):
            await _decide(message, number, False, (message.text or "")[:500], staff, lang, settings)  # type: ignore[arg-type]

    @router.callback_query(F.data.startswith("po:confirm:"))
    async def po_confirm(query: CallbackQuery, staff: Staff | None, lang: str) -> None:
        if not is_manager(staff):
            await query.answer(say(lang, "not_staff"), show_alert=True)
            return
        number = query.data.split(":", 2)[2]  # type: ignore[union-attr]
        try:
            await confirm_po(await po_by_number(number))
            await query.message.answer(say(lang, "po_confirmed", number=number))  # type: ignore[union-attr]
        except DomainError as exc:
            await query.message.answer(exc.message(lang))  # type: ignore[union-attr]
        await query.answer()

    @router.message(Command("report"))
    async def report(message: Message, staff: Staff | None, lang: str, settings: Settings) -> None:
        if not is_manager(staff):
            await message.answer(say(lang, "not_staff"))
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
        if not is_manager(staff):
            await message.answer(say(lang, "not_staff"))
            return
        await message.answer(say(lang, "alerts"), reply_markup=keyboard(alert_keys(staff, lang)))  # type: ignore[arg-type]

    @router.callback_query(F.data.startswith("alert:"))
    async def switch(query: CallbackQuery, staff: Staff | None, lang: str) -> None:
        if not is_manager(staff):
            await query.answer(say(lang, "not_staff"), show_alert=True)
            return
        await toggle_alert(staff, Alert(query.data.split(":", 1)[1]))  # type: ignore[arg-type, union-attr]
        await query.message.edit_text(say(lang, "alerts"), reply_markup=keyboard(alert_keys(staff, lang)))  # type: ignore[arg-type, union-attr]
        await query.answer()

    @router.message(Command("login"))
    async def login_link(message: Message, staff: Staff | None, lang: str, settings: Settings) -> None:
        if staff is None:
            await message.answer(say(lang, "not_staff"))
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
