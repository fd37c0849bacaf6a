"""Failures, answered in one place: handlers say only what goes right.

- A refusal of the core (a DomainError) or input a core model refuses (a ValidationError) is said to the person
  in their language, in the chat.
- A button whose step is over (pressed twice, an old message, a decision another manager made) answers
  "already done" instead of acting again: a document's button learns it from the core's InvalidTransition, a
  dialog's button from not belonging to the dialog under way (bot/dialogs.py).
- Anything else is logged, and the person gets an apology instead of silence.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import CancelHandler, SkipHandler
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, ErrorEvent, Message, TelegramObject
from pydantic import ValidationError

from bot.callbacks import DocumentStep
from bot.texts import language_of, say
from core.base.errors import DomainError, InvalidTransition, validation_problems
from core.base.i18n import MESSAGES, text

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class AnswerRefusals(BaseMiddleware):
    """Registered after People, so the person's language is known: a refusal, or the apology for a failure of
    the handler, is said in it."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        lang = data.get("lang", "en")
        try:
            return await handler(event, data)
        except InvalidTransition as exc:
            step = data.get("callback_data")
            if isinstance(event, CallbackQuery) and isinstance(step, DocumentStep) and step.finished(exc):
                await already_done(event, lang)
            else:
                await tell(event, exc.message(lang))
        except DomainError as exc:
            await tell(event, exc.message(lang))
        except ValidationError as exc:
            await tell(event, refused_input(exc, lang))
        except (SkipHandler, CancelHandler):
            raise  # aiogram's own signals, not failures
        except Exception:
            log.exception("bot handler failed")
            await tell(event, say(lang, "error"))
        return None


async def already_done(query: CallbackQuery, lang: str) -> None:
    """The answer to a button of a step that is over."""
    await query.answer(say(lang, "already_done"), show_alert=True)


def refused_input(exc: ValidationError, lang: str) -> str:
    """The first thing wrong with what the person gave, in their language: fahuo's own checks say it whole,
    pydantic's name the field."""
    first = validation_problems(exc, lang)[0]
    if exc.errors()[0]["type"] in MESSAGES:
        return first["problem"]
    return text("invalid.field", lang, field=first["name"], problem=first["problem"])


async def tell(event: TelegramObject, message: str) -> None:
    """Say it in the chat the update came from; a button press is answered too, so its spinner stops."""
    if isinstance(event, Message):
        await event.answer(message)
    elif isinstance(event, CallbackQuery):
        if event.message is not None:
            await event.message.answer(message)
        with contextlib.suppress(TelegramBadRequest):  # the handler may have answered it before it failed
            await event.answer()


async def apologise(event: ErrorEvent) -> bool:
    """A failure before any handler (a middleware, the database when looking the person up): logged, and the
    person gets an apology in their Telegram's language instead of silence."""
    log.exception("bot handler failed", exc_info=event.exception)
    update = event.update
    found = update.message or update.callback_query
    if found is not None:
        user = found.from_user
        try:
            await tell(found, say(language_of(user.language_code if user else None), "error"))
        except Exception:
            log.exception("could not even apologise")
    return True
