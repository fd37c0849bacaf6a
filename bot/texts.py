"""What the bot says: its part of the one catalogue (core/base/texts_bot.py, keys `bot.<key>`)."""

from __future__ import annotations

from typing import Any

from core.base.i18n import MESSAGES, language_of, text
from core.base.texts_bot import TEXTS

__all__ = ["TEXTS", "language_of", "say"]


def say(lang: str, key: str, /, **params: Any) -> str:
    """The bot's text `key` in `lang`; a key the catalogue lacks is said as itself."""
    code = f"bot.{key}"
    return text(code, lang, **params) if code in MESSAGES else key
