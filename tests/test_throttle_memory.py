"""The bot's flood guard remembers only the people writing now (the flood itself is tested through the emulator
in test_bot.py)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from bot.middlewares import Throttle


async def test_the_flood_guard_forgets_people_who_went_quiet() -> None:
    guard = Throttle(burst=2, window=0.05)

    async def handled(event: Any, data: dict[str, Any]) -> str:
        return "ok"

    for person in range(1_000):
        await guard(handled, SimpleNamespace(), {"event_from_user": SimpleNamespace(id=person, language_code="en")})
    assert len(guard.seen) == 1_000
    await asyncio.sleep(0.06)
    answer = await guard(handled, SimpleNamespace(), {"event_from_user": SimpleNamespace(id=5, language_code="en")})
    assert answer == "ok" and set(guard.seen) == {5}
