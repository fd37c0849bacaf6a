"""Texts people read, in English and Chinese: one catalogue for the API, the bot, the staff app, the papers and
the tracking page, one way to tell a person's language, one way to say a status.

The catalogue is split by area into core/base/texts_*.py; each entry is one key with an "en" and a "zh" text.
The bot's and the staff app's keys are short names of their own (`welcome`, `signIn`); in the catalogue they
carry their area's prefix (`bot.welcome`, `app.signIn`), so areas cannot take each other's keys. The other
areas write their keys whole (`not_found`, `status.order.approved`, `paper.order`, `tracking.title`).

A Python catalogue rather than gettext files: the API, the bot and the staff app share the keys, the staff app
receives its part as JSON (`app_words`), and a test renders every entry in both languages.

Phrases: words decided in the core but said later. The core does not know who will read a refusal or a prompt
(a scan refused offline is replayed hours later, perhaps by a colleague whose phone speaks the other language),
so it leaves them as `phrase(key, **params)`: plain JSON `{"phrase": key, "params": {...}}`, storable in a
request log or an order's review results. A front end says them at the last moment, for the reader at hand:
`render(value, lang)` turns every phrase inside a value (lists and dicts too) into text, and `text()` does the
same for its own parameters, so a phrase may sit inside a message or inside another phrase
(`text("wrong_scan", lang, expected=phrase("expect.location", code="A-01"), got="B-02")`). A name the data
holds in both languages (a product's) travels as `named(en, zh)` and is said the same way. Any other parameter
is printed as it is: codes, SKUs, numbers and plain names are the same in every language. A refusal keeps its
own code (and its English text beside the phrases); a phrase adds the reader's words, never replaces a code.
A phrase kept in a text column (an order's history reason) is stored by `kept` and read back by `unkept`;
older rows of plain text are shown as they were written. `listed` says a list the reader's way ("a、b")."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime
from string import Formatter
from typing import Any
from zoneinfo import ZoneInfo

from core.base import texts_bot, texts_common, texts_floor, texts_papers, texts_reasons, texts_status

LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"  # for a person who names no language fahuo speaks
AREAS: list[tuple[str, dict[str, dict[str, str]]]] = [
    ("", texts_common.TEXTS), ("", texts_status.TEXTS), ("", texts_papers.TEXTS), ("", texts_reasons.TEXTS),
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
CLAUSE_SEPARATOR = {"en": "; ", "zh": "；"}  # between clauses
BETWEEN = {"items": SEPARATOR, "clauses": CLAUSE_SEPARATOR, "lines": {"en": "\n", "zh": "\n"}}  # listed()


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


Phrase = dict[str, Any]  # {"phrase": key, "params": {...}}: words said later, in the reader's language


def phrase(key: str, /, **params: Any) -> Phrase:
    """Words for `key` to be said later in the reader's language (see the module's note); the parameters are
    kept as JSON (a Decimal or a date as its text), phrases among them as they are."""
    return {"phrase": key, "params": {name: value if isinstance(value, (str, int, float, dict, list)) or value is None
                                      else str(value) for name, value in params.items()}}


def named(en: str, zh: str | None = None) -> Phrase:
    """A name the data gives in both languages (a product's name and its Chinese name), said like a phrase:
    the reader's, else the English one. A message keeps one parameter for it (`{name}`) in every language."""
    return {"names": {"en": en, "zh": zh or en}}


def is_named(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"names"} and isinstance(value["names"], dict)


def is_phrase(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("phrase"), str) and isinstance(value.get("params"), dict)


def render(value: Any, lang: str) -> Any:
    """`value` with every phrase inside it (in lists and dicts too) said in `lang`; the rest as it is."""
    if is_phrase(value):
        return text(value["phrase"], lang, **value["params"])
    if is_named(value):
        return value["names"].get(lang) or value["names"][DEFAULT_LANGUAGE]
    if isinstance(value, list):
        return [render(item, lang) for item in value]
    if isinstance(value, dict):
        return {name: render(item, lang) for name, item in value.items()}
    return value


def kept(words: str | Phrase, limit: int = 500) -> str:
    """Words to store in a text column (an order's history): a phrase as its JSON, said later for each reader
    by `unkept`; plain text as it is. A phrase too long for the column is kept as its English text."""
    if not is_phrase(words):
        return str(words)[:limit]
    stored = json.dumps(words, ensure_ascii=False, separators=(",", ":"))
    return stored if len(stored) <= limit else text(words["phrase"], DEFAULT_LANGUAGE, **words["params"])[:limit]


def unkept(stored: str) -> str | Phrase:
    """What `kept` stored: the phrase back, or the plain text of an older row as it was written."""
    if stored.startswith('{"phrase":'):
        try:
            value = json.loads(stored)
        except ValueError:
            return stored
        if is_phrase(value):
            return value
    return stored


def listed(items: list[Any], way: str = "items") -> Phrase:
    """Several words or phrases said as one list in the reader's language: "items" ("a, b" / "a、b"),
    "clauses" ("a; b" / "a；b") or "lines" (one a line)."""
    return phrase("list", items=items, way=way)


def money(amount: Any, currency: str) -> Phrase:
    """An amount of money as its reader writes it (88.00 元, 88.00 CNY): one way for every message."""
    return phrase(f"money.{currency}" if f"money.{currency}" in MESSAGES else "money", amount=str(amount),
                  currency=currency)


class _Blank(dict):  # a parameter the caller did not give prints as nothing rather than failing the message
    def __missing__(self, key: str) -> str:
        return ""


def text(code: str, lang: str = DEFAULT_LANGUAGE, /, **params: Any) -> str:
    """The message for `code` in `lang` (English when the language is unknown; for a code the catalogue lacks,
    the caller's own `detail`, else the code). Parameters that are phrases are said in `lang` too."""
    params = {name: render(value, lang) for name, value in params.items()}
    if code == "list":
        between = BETWEEN.get(str(params.get("way")), SEPARATOR).get(lang, SEPARATOR[DEFAULT_LANGUAGE])
        items = params.get("items")
        return between.join(str(item) for item in (items if isinstance(items, list) else [items]))
    entry = MESSAGES.get(code)
    if entry is None:
        return str(params.get("detail", code))
    template = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    try:
        return template.format_map(_Blank(params))
    except (ValueError, IndexError):  # a number format given no number
        return template


def currency_word(code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """How a reader names a currency after an amount: 元 for CNY in Chinese; its ISO code where the catalogue
    has no word for it (`currency.<code>`)."""
    entry = MESSAGES.get(f"currency.{code}")
    return (entry.get(lang) or entry[DEFAULT_LANGUAGE]) if entry else code


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
WEEKDAYS = {"en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
            "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日")}


def zone_named(name: str | None, fallback: ZoneInfo) -> ZoneInfo:
    """The time zone a warehouse or a customer keeps by its IANA name ("Asia/Urumqi"); `fallback` (the
    company's, from the settings) where they keep none, or one this machine no longer knows."""
    try:
        return ZoneInfo(name) if name else fallback
    except (KeyError, ValueError):
        return fallback


def local_day(day: date | datetime | str, lang: str = DEFAULT_LANGUAGE, tz: ZoneInfo | None = None,
              weekday: bool = False, year: bool = False) -> str:
    """A day as a person reads it ("12月24日", "24 Dec"; with `weekday` "12月24日（周四）", "Thu 24 Dec"); an
    ISO string is read first. A moment (an aware datetime, or an ISO string with a time) is the day it is in
    `tz`. The year is said when it is not this one, or always with `year` (a record kept for years)."""
    if isinstance(day, str):
        day = datetime.fromisoformat(day) if len(day) > 10 else date.fromisoformat(day)
    if isinstance(day, datetime):
        day = (day.astimezone(tz) if tz is not None else day).date()
    year = year or day.year != date.today().year
    name = WEEKDAYS.get(lang, WEEKDAYS[DEFAULT_LANGUAGE])[day.weekday()]
    if lang == "zh":
        said = f"{day.year}年{day.month}月{day.day}日" if year else f"{day.month}月{day.day}日"
        return f"{said}（{name}）" if weekday else said
    said = f"{day.day} {MONTHS_EN[day.month - 1]}" + (f" {day.year}" if year else "")
    return f"{name} {said}" if weekday else said


def local_moment(at: datetime | str, tz: ZoneInfo, lang: str = DEFAULT_LANGUAGE, weekday: bool = False,
                 year: bool = False) -> str:
    """A moment in the reader's time zone (the warehouse's for staff and papers, the customer's in the bot and
    on the tracking page), said per language ("12月24日 14:05", "24 Dec 14:05"); stored moments are UTC (an ISO
    string with its offset, or an aware datetime)."""
    moment = (datetime.fromisoformat(at) if isinstance(at, str) else at).astimezone(tz)
    return f"{local_day(moment.date(), lang, weekday=weekday, year=year)} {moment:%H:%M}"


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
