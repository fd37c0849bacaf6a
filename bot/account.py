"""Who is writing: greeting, linking a customer by their own phone number, help for what they may do, language."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command, CommandStart
from aiogram.types import KeyboardButton, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.features import Feature
from bot.texts import say
from core.base.auth import Permission, Staff
from core.orders.customers import Customer, link_telegram, set_chat_language

feature = Feature("account")


@feature.message(CommandStart())
async def start(message: Message, lang: str, customer: Customer | None, staff: Staff | None) -> None:
    if staff is not None:  # linked by `run.py user telegram`: no phone to share, their own commands
        await message.answer(say(lang, "staff_welcome", name=staff.display_name or staff.username))
        await message.answer(help_text(lang, staff))
        return
    share = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text=say(lang, "share_phone"), request_contact=True)]],
                                resize_keyboard=True, one_time_keyboard=True)
    await message.answer(say(lang, "welcome"), reply_markup=None if customer else share)
    await message.answer(say(lang, "help"))


@feature.message(F.contact)
async def contact(message: Message, lang: str) -> None:
    shared = message.contact
    if shared is None or message.from_user is None or shared.user_id != message.from_user.id:
        await message.answer(say(lang, "need_phone"))  # only one's own number links an account
        return
    # Telegram gives the number with its country code but without the plus
    phone = shared.phone_number if shared.phone_number.startswith("+") else f"+{shared.phone_number}"
    name = " ".join(filter(None, [shared.first_name, shared.last_name])) or "Telegram"
    found = await link_telegram(phone, message.from_user.id, name[:200], lang)
    await message.answer(say(lang, "linked", name=found.name), reply_markup=ReplyKeyboardRemove())


@feature.message(Command("help"))
async def help_(message: Message, lang: str, staff: Staff | None) -> None:
    await message.answer(help_text(lang, staff))


@feature.message(Command("lang"))
async def switch_language(message: Message, lang: str) -> None:
    """Kept for the chat itself, so it sticks before the chat is linked to anyone (and is brought along when
    they share their phone), and given to whoever is linked to it."""
    new = "en" if lang == "zh" else "zh"
    if message.from_user is not None:
        await set_chat_language(message.from_user.id, new)
    await message.answer(say(new, "lang_set"))


def help_text(lang: str, staff: Staff | None) -> str:
    """The commands this person has: a customer the shop's, staff their own (a manager's /report and /alerts)."""
    if staff is None:
        return say(lang, "help")
    return say(lang, "manager_help" if staff.may(Permission.VIEW_REPORTS) else "staff_help")
