"""Domain errors: a stable code, the parameters of the case, and a message a person can read."""

from __future__ import annotations

from typing import Any, ClassVar

from core.i18n import text


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
    code = "not_found"


class UnknownSku(DomainError):
    code = "unknown_sku"


class UnknownLocation(DomainError):
    code = "unknown_location"


class OutOfStock(DomainError):
    code = "out_of_stock"


class InvalidTransition(DomainError):
    code = "invalid_transition"


class Unauthorized(DomainError):
    code = "unauthorized"


class BadLogin(DomainError):
    code = "bad_login"


class Forbidden(DomainError):
    code = "forbidden"


class Conflict(DomainError):
    code = "conflict"


class WrongScan(DomainError):
    """A scan that does not fit the step at hand; the message names what was expected."""

    code = "wrong_scan"


class ImportFailed(DomainError):
    code = "import_failed"

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        self.errors = errors
        super().__init__(count=len(errors))
