"""Inline keyboards, as rows of (label, what the button does): for the dialogs and for the notifier's alerts."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

Row = list[tuple[str, CallbackData]]


def keyboard(rows: list[Row]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[button(label, data) for label, data in row] for row in rows])


def button(label: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=label, callback_data=data.pack())


def link(label: str, url: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=label, url=url)
