"""What no feature took: text gets the help, a button nobody understands an apology. Its router comes last."""

from __future__ import annotations

from aiogram import F
from aiogram.types import CallbackQuery, Message

from bot.account import help_text
from bot.errors import tell
from bot.features import Feature
from bot.texts import say
from core.base.auth import Staff

feature = Feature("fallback")


@feature.message(F.text)
async def anything_else(message: Message, lang: str, staff: Staff | None) -> None:
    await message.answer(help_text(lang, staff))


@feature.callback_query()
async def unknown_button(query: CallbackQuery, lang: str) -> None:
    """Data no button of this bot carries (damaged, or made up): nothing is done, and the person is told."""
    await tell(query, say(lang, "error"))
