"""Texts people read, in English and Chinese: one catalogue for the API, the bot, the staff app, the papers and
the tracking page, one way to tell a person's language, one way to say a status.

The catalogue is split by area into core/base/texts_*.py; each entry is one key with an "en" and a "zh" text.
The bot's and the staff app's keys are short names of their own (`welcome`, `signIn`); in the catalogue they
carry their area's prefix (`bot.welcome`, `app.signIn`), so areas cannot take each other's keys. The other
areas write their keys whole (`not_found`, `status.order.approved`, `paper.order`, `tracking.title`).

A Python catalogue rather than gettext files: the API, the bot and the staff app share the keys, the staff app
receives its part as JSON (`app_words`), and a test renders every entry in both languages."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from string import Formatter
from typing import Any
from zoneinfo import ZoneInfo

from core.base import texts_bot, texts_common, texts_floor, texts_papers, texts_status

LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"  # for a person who names no language fahuo speaks
AREAS: list[tuple[str, dict[str, dict[str, str]]]] = [
    ("", texts_common.TEXTS), ("", texts_status.TEXTS), ("", texts_papers.TEXTS),
    ("bot.", texts_bot.TEXTS), ("app.", texts_floor.TEXTS),
]


def _merged() -> dict[str, dict[str, str]]:
    catalogue: dict[str, dict[str, str]] = {}
    for prefix, entries in AREAS:
        for key, entry in entries.items():
            if prefix + key in catalogue:
                raise ValueError(f"catalogue key {prefix + key} is defined twice")
            catalogue[prefix + key] = entry
    return catalogue


MESSAGES = _merged()
SEPARATOR = {"en": ", ", "zh": "、"}  # between items of a list inside a sentence


def language_of(preference: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The language to answer in, from what the person's software says: an Accept-Language header
    ("en-US,zh;q=0.9"), a Telegram language_code ("zh-hans"), a locale ("zh_CN.UTF-8"). The most preferred
    language fahuo speaks wins; nothing usable (missing, empty, "*", "fr") gives `default`."""
    choices: list[tuple[float, int, str]] = []
    for position, item in enumerate((preference or "").split(",")):
        tag, _, params = item.strip().partition(";")
        weight = re.search(r"q\s*=\s*([0-9.]+)", params)
        try:
            q = float(weight.group(1)) if weight else 1.0
        except ValueError:
            q = 0.0
        primary = re.split(r"[-_.@]", tag.strip().lower())[0]
        if primary in LANGUAGES and q > 0:
            choices.append((-q, position, primary))
    return min(choices)[2] if choices else default


class _Blank(dict):  # a parameter the caller did not give prints as nothing rather than failing the message
    def __missing__(self, key: str) -> str:
        return ""


def text(code: str, lang: str = DEFAULT_LANGUAGE, /, **params: Any) -> str:
    """The message for `code` in `lang` (English when the language is unknown; for a code the catalogue lacks,
    the caller's own `detail`, else the code)."""
    entry = MESSAGES.get(code)
    if entry is None:
        return str(params.get("detail", code))
    template = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    try:
        return template.format_map(_Blank(params))
    except (ValueError, IndexError):  # a number format given no number
        return template


def words_in(lang: str) -> Callable[..., str]:
    """`text` bound to one language, for a paper or a page said wholly in it: say("paper.order")."""
    def say(code: str, /, **params: Any) -> str:
        return text(code, lang, **params)
    return say


def status_word(kind: str, value: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A state as a word ("已审核", "Shipped"), never the enum value: `kind` names the document (order,
    shipment, pick_list, pick_task, transfer, purchase_order, aftersales, tracking, …; see texts_status.py)."""
    return text(f"status.{kind}.{value}", lang, detail=value)


MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # not the locale's


def local_day(day: date | str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A day as a person reads it ("12月24日", "24 Dec"); an ISO string is read first. The year is said only
    when it is not this one."""
    day = date.fromisoformat(day[:10]) if isinstance(day, str) else day
    year = day.year != date.today().year
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日" if year else f"{day.month}月{day.day}日"
    return f"{day.day} {MONTHS_EN[day.month - 1]}" + (f" {day.year}" if year else "")


def local_moment(at: datetime | str, tz: ZoneInfo, lang: str = DEFAULT_LANGUAGE) -> str:
    """A moment in the warehouse's time zone, said per language ("12月24日 14:05", "24 Dec 14:05"); stored
    moments are UTC (an ISO string with its offset, or an aware datetime)."""
    moment = (datetime.fromisoformat(at) if isinstance(at, str) else at).astimezone(tz)
    return f"{local_day(moment.date(), lang)} {moment:%H:%M}"


def written_in(words: str) -> str:
    """The language free text (a carrier's event, a note) is written in, as far as its script tells: any
    Chinese character makes it Chinese, else it is taken for English."""
    return "zh" if re.search(r"[\u3400-\u9fff]", words) else "en"


def placeholders(template: str) -> set[str]:
    """The parameter names a template uses ("{sku}" → "sku")."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in Formatter().parse(template) if name}


def app_words() -> dict[str, dict[str, str]]:
    """What the staff app reads, per language: its own words under their short keys, and every status word."""
    return {lang: {key.removeprefix("app."): entry[lang] for key, entry in MESSAGES.items()
                   if key.startswith(("app.", "status."))}
            for lang in LANGUAGES}
