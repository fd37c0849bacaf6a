"""What every handler gets: who is writing (customer or staff record), their language; and flood control."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.texts import language_of, say
from core.base.auth import Staff
from core.orders.customers import Customer

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


async def _lookup(telegram_id: int) -> tuple[Customer | None, Staff | None]:
    # Every update asks this; plain statements cost a fraction of the ORM's query building (bench/bot.py).
    # The id is an integer from Telegram, formatted as one.
    customers = await Customer.raw(f"SELECT * FROM customer WHERE telegram_id = {telegram_id:d}")
    staff = await Staff.raw(f"SELECT * FROM staff WHERE telegram_id = {telegram_id:d} AND active")
    return (customers[0] if customers else None), (staff[0] if staff else None)  # type: ignore[index]


class People(BaseMiddleware):
    """Looks the sender up: a customer and/or a staff member linked to this Telegram id, and their language.

    Asked afresh for every update, never remembered: a link made elsewhere (`run.py user telegram`, a shop's
    order, the PWA) or a staff member switched off counts from the next message on."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user = data.get("event_from_user")
        if user is not None:
            data["customer"], data["staff"] = await _lookup(int(user.id))
            chosen = data["staff"] or data["customer"]
            data["lang"] = chosen.language if chosen is not None and chosen.language in ("en", "zh") else \
                language_of(user.language_code)
        return await handler(event, data)


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
