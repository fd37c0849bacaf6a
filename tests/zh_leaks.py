"""Finds English a Chinese reader would see: the check behind the zh whole-order tests.

A text passes when every Latin word in it is a code (upper case or with digits or joined by - _ : . /:
`CER-CUP-6`, `SO-20261127-00001`, `FH:LOC:A-01-02`, `API`), a number, a URL, a bot command (`/orders`), or a
name the test allows (a customer, a product, a carrier). Any other word (`location`, `Picker`, `approved`) is a leak.

Each surface (the API today; the bot, the staff app, the papers and the tracking page as they join) hands
what its reader sees to one `LeakLog` with where it was seen; the test asserts once at the end, so one run
lists every leak of the whole order, not only the first."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

URL = re.compile(r"https?://\S+|\b[\w.+-]+@[\w-]+\.[\w.]+|(?<![\w/])/[a-z_]+\b")  # and the bot's /commands
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_:./'’][A-Za-z0-9]+)*")


def _is_code(token: str) -> bool:
    return token.isupper() or any(ch.isdigit() for ch in token) or bool(re.search(r"[-_:./]", token))


def english_words(text: str, allowed: Iterable[str] = ()) -> list[str]:
    """The Latin words of `text` that are neither codes, numbers, URLs nor among the `allowed` names."""
    names = sorted((a for a in allowed if a), key=len, reverse=True)
    plain = URL.sub(" ", text)
    for name in names:  # whole names first: "Wang Fang", "Ceramic cup 6 pack"
        plain = re.sub(re.escape(name), " ", plain, flags=re.IGNORECASE)
    return [token for token in WORD.findall(plain) if not _is_code(token)]


def assert_no_english(text: str, allowed: Iterable[str] = ()) -> None:
    leaks = english_words(text, allowed)
    assert not leaks, f"English in a Chinese text: {leaks} in {text!r}"


def texts_in(value: Any, keys: tuple[str, ...] = ("message", "prompt", "reason", "hold_reason", "description",
                                                   "notices", "problem", "basis", "summary", "said")) -> list[str]:
    """The texts a person reads in an API answer: the values of `keys` at any depth (lists of them too). A
    review result carries its English `reason` for programs beside `said`, the reader's words: `said` is read."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reason" and value.get("said"):
                continue
            if key in keys and isinstance(item, str):
                found.append(item)
            elif key in keys and isinstance(item, list) and all(isinstance(i, str) for i in item):
                found.extend(item)
            else:
                found.extend(texts_in(item, keys))
    elif isinstance(value, list):
        for item in value:
            found.extend(texts_in(item, keys))
    return found


@dataclass
class LeakLog:
    """What Chinese readers saw across surfaces, and the English in it.

    An area is the caller's for the whole answer, else the one of `kinds` whose pattern the text matches (an
    order's answer carries its review, its history and its carrier's choice at once).
    `pending` names areas whose words are known to be English still and are being put into the catalogue
    elsewhere: their leaks are listed but do not fail; once such an area is clean the log fails, so that it is
    taken off the list."""

    allowed: set[str] = field(default_factory=set)
    pending: dict[str, str] = field(default_factory=dict)  # area → why it may still leak
    kinds: dict[str, str] = field(default_factory=dict)  # area → a pattern telling its texts, for a call of many
    seen: list[tuple[str, str, str]] = field(default_factory=list)  # (surface, where, text)
    leaks: list[tuple[str, str, str, list[str]]] = field(default_factory=list)

    def see(self, surface: str, where: str, text: str, area: str = "") -> None:
        self.seen.append((surface, where, text))
        if words := english_words(text, self.allowed):
            area = area or next((name for name, pattern in self.kinds.items() if re.search(pattern, text)), "")
            self.leaks.append((area, f"{surface} {where}", text, words))

    def see_answer(self, surface: str, where: str, answer: Any, area: str = "") -> None:
        for text in texts_in(answer):
            self.see(surface, where, text, area)

    def assert_clean(self) -> None:
        failing = [leak for leak in self.leaks if leak[0] not in self.pending]
        cleaned = [area for area in self.pending if not any(leak[0] == area for leak in self.leaks)]
        report = "\n".join(f"  {where}: {words} in {text!r}" for _, where, text, words in failing)
        assert not failing, f"English shown to a Chinese reader:\n{report}"
        assert not cleaned, f"no English left in {cleaned}: take them off `pending`"
        assert self.seen, "nothing was seen"
