"""Domain errors: a stable code, the parameters of the case, and a message a person can read."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import ValidationError

from core.base.i18n import MESSAGES, Phrase, listed, phrase, render, text


class DomainError(Exception):
    code: ClassVar[str] = "conflict"

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(self.message())

    def message(self, lang: str = "en") -> str:
        return text(self.code, lang, **self.params)


class InvalidInput(DomainError):
    code = "validation_error"


class NotFound(DomainError):
    """`what` names the kind of thing ("order", "package"): said in the reader's language when the
    catalogue has it as `thing.<what>`. A thing whose key is a secret (a tracking or payment link's token) is
    not named back: without `key` it is "this link was not found", with no blank where a key would be."""

    code = "not_found"

    def __init__(self, *, what: Any, key: Any = None) -> None:
        if isinstance(what, str) and f"thing.{what}" in MESSAGES:
            what = phrase(f"thing.{what}")
        super().__init__(what=what, **({} if key is None else {"key": key}))

    def message(self, lang: str = "en") -> str:
        return text(self.code if "key" in self.params else "not_found.unnamed", lang, **self.params)


class UnknownSku(DomainError):
    code = "unknown_sku"


class UnknownLocation(DomainError):
    code = "unknown_location"


class OutOfStock(DomainError):
    code = "out_of_stock"


class CustomsMissing(DomainError):
    """An order abroad with products that cannot be declared at customs (no HS code, origin or value)."""

    code = "customs_missing"


class InvalidTransition(DomainError):
    """`kind` names the document's kind for its state to be said as a word (status.<kind>.<current>); an
    `action` the catalogue has as `action.<action>` is said in the reader's language too."""

    code = "invalid_transition"

    def __init__(self, *, kind: str | None = None, **params: Any) -> None:
        current, action = params.get("current"), params.get("action")
        self.state = current  # the document's state as a value, for programs: the message says it as a word
        if kind and f"status.{kind}.{current}" in MESSAGES:
            params["current"] = phrase(f"status.{kind}.{current}")
        if isinstance(action, str) and f"action.{action}" in MESSAGES:
            params["action"] = phrase(f"action.{action}")
        super().__init__(**params)


class Unauthorized(DomainError):
    code = "unauthorized"


class BadSignature(DomainError):
    """A webhook whose signature is not the channel's: refused, nothing stored."""

    code = "bad_signature"


class BadLogin(DomainError):
    code = "bad_login"


class Forbidden(DomainError):
    """`role` and `action` are phrases (status.role.<role>, permission.<name>), said in the reader's language."""

    code = "forbidden"


class Conflict(DomainError):
    code = "conflict"


class WrongScan(DomainError):
    """A scan that does not fit the step at hand; the message names what was expected."""

    code = "wrong_scan"


Problem = tuple[int, str, dict[str, Any]]  # a line of an imported file, a catalogue code, its parameters


class ImportFailed(DomainError):
    """A file refused whole; `problems` holds one entry per bad line (or more, when a line has several)."""

    code = "import_failed"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: p[0])
        super().__init__(count=len({line for line, _, _ in self.problems}))

    def lines(self, lang: str = "en") -> list[str]:
        return [text("csv_line", lang, line=line, problem=text(code, lang, **params))
                for line, code, params in self.problems]


def set_to(kind: str, to: str) -> Phrase:
    """The action of a step to state `to` of a document of `kind`, for InvalidTransition: "set to Shipped"."""
    return phrase("action.set_to", status=phrase(f"status.{kind}.{to}"))


def validation_problems(exc: ValidationError, lang: str) -> list[dict[str, str]]:
    """Each problem of a request a model refused: `field` its path (for programs), `name` the field in words
    and `problem` what is wrong, both in `lang`. fahuo's own checks raise errors whose type is a catalogue
    code; pydantic's own types are said by the catalogue's `invalid.<type>`."""
    return [{"field": ".".join(str(p) for p in err["loc"]) or "body", "name": _field_words(err["loc"], lang),
             "problem": _problem(err["type"], err.get("ctx", {}), lang)}
            for err in exc.errors(include_url=False, include_input=False)]


def _field_words(loc: tuple[int | str, ...], lang: str) -> str:
    words = [text("invalid.item", lang, n=part + 1) if isinstance(part, int)
             else text(f"field.{part}", lang) if f"field.{part}" in MESSAGES else str(part) for part in loc]
    return " › ".join(words) or text("field.body", lang)


def _problem(kind: str, ctx: dict[str, Any], lang: str) -> str:
    return str(render(problem_words(kind, ctx), lang))


def problem_words(kind: str, ctx: dict[str, Any]) -> Phrase:
    """What is wrong with a value a model refused (pydantic's error `kind` and its `ctx`), said later in the
    reader's language: fahuo's own checks name a catalogue code, pydantic's types the catalogue's `invalid.<type>`."""
    if kind in MESSAGES:
        return phrase(kind, **ctx)
    if kind in ("enum", "literal_error"):  # the values the field takes, as codes: "'a', 'b' or 'c'"
        ctx = {"expected": listed(re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))}
    return phrase(f"invalid.{kind}" if f"invalid.{kind}" in MESSAGES else "invalid.other", **ctx)
