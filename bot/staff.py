"""Staff in Telegram: a one-time sign-in link to the warehouse app."""

from __future__ import annotations

from aiogram.filters import Command
from aiogram.types import Message

from bot.features import Feature
from bot.middlewares import STAFF_ONLY
from bot.texts import say
from core.base.auth import Staff, issue_login_link
from core.base.settings import Settings

feature = Feature("staff")


@feature.message(Command("login"), flags={"permission": STAFF_ONLY})
async def login_link(message: Message, staff: Staff, lang: str, settings: Settings) -> None:
    token = await issue_login_link(staff.username)
    await message.answer(say(lang, "login_link", url=f"{settings.base_url}/#/link/{token}"))
