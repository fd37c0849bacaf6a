"""What every handler gets: who is writing (customer or staff record), their language; who may do what; and flood
control."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.flags import get_flag
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.texts import language_of, say
from core.base.auth import Permission, Staff, may
from core.base.i18n import LANGUAGES
from core.orders.customers import Customer, chat_language, people_of_telegram

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class People(BaseMiddleware):
    """Looks the sender up: a customer and/or a staff member linked to this Telegram id, and their language.

    Asked afresh for every update, never remembered: a link made elsewhere (`run.py user telegram`, a shop's
    order, the PWA) or a staff member switched off counts from the next message on."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user = data.get("event_from_user")
        if user is not None:
            data["customer"], data["staff"] = await people_of_telegram(int(user.id))
            data["lang"] = await language(data["staff"] or data["customer"], int(user.id), user.language_code)
        return await handler(event, data)


async def language(linked: Customer | Staff | None, telegram_id: int, telegram_language: str | None) -> str:
    """The linked person's own language; for a chat linked to nobody, what it chose with /lang; else what its
    Telegram is set to."""
    if linked is not None and linked.language in LANGUAGES:
        return linked.language
    if linked is None and (chosen := await chat_language(telegram_id)) in LANGUAGES:
        return str(chosen)
    return language_of(telegram_language)


STAFF_ONLY = "staff"  # the flag of a handler for any linked staff member, whatever their role


class Permissions(BaseMiddleware):
    """A handler flagged `permission=<Permission>` runs only for staff whose role holds it, in the one table of
    core.base.auth; one flagged `permission=STAFF_ONLY` for any linked staff member. Anyone else is told why
    nothing was done: this chat is nobody of the staff, or their role lacks the permission."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        needed: Permission | str | None = get_flag(data, "permission")
        staff = data.get("staff")
        if needed is None or (staff is not None and (needed == STAFF_ONLY or may(staff, needed))):
            return await handler(event, data)
        if isinstance(event, CallbackQuery):
            await event.answer(refusal(staff, data.get("lang", "en")), show_alert=True)
        elif isinstance(event, Message):
            await event.answer(refusal(staff, data.get("lang", "en")))
        return None


def refusal(staff: Staff | None, lang: str) -> str:
    """Why nothing was done: this chat is nobody of the staff, or their role lacks the permission."""
    return say(lang, "not_staff" if staff is None else "not_allowed")


class Throttle(BaseMiddleware):
    """At most `burst` updates per `window` seconds from one person; the rest are dropped, with one notice."""

    def __init__(self, burst: int = 20, window: float = 5.0) -> None:
        self.burst, self.window = burst, window
        self.seen: dict[int, deque[float]] = defaultdict(deque)
        self.warned: set[int] = set()
        self.swept = time.monotonic()

    def _forget_the_quiet(self, now: float) -> None:
        """Who sent nothing for a whole window is forgotten (at most once a window), so the map holds only the
        people writing now, not everyone who ever wrote."""
        if now - self.swept < self.window:
            return
        self.swept = now
        for quiet in [who for who, times in self.seen.items() if not times or now - times[-1] > self.window]:
            del self.seen[quiet]
            self.warned.discard(quiet)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        now = time.monotonic()
        self._forget_the_quiet(now)
        recent = self.seen[user.id]
        while recent and now - recent[0] > self.window:
            recent.popleft()
        if len(recent) >= self.burst:
            if user.id not in self.warned:
                self.warned.add(user.id)
                lang = language_of(user.language_code)
                inner = getattr(event, "event", event)  # the outer middleware sees the Update around it
                if isinstance(inner, Message | CallbackQuery):
                    await inner.answer(say(lang, "slow_down"))
            return None
        self.warned.discard(user.id)
        recent.append(now)
        return await handler(event, data)
