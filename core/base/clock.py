"""Times of day (cut-offs, shifts, delivery windows) stored as "HH:MM" text, read back as `datetime.time`.

A plain text column reads the same on SQLite and PostgreSQL, sorts correctly, and is what people type."""

from __future__ import annotations

from datetime import time
from typing import Any

from tortoise import fields


class ClockField(fields.CharField):
    field_type = time  # type: ignore[assignment]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("max_length", None)
        super().__init__(max_length=5, **kwargs)
        self.validators = []

    def to_db_value(self, value: Any, instance: Any) -> str | None:
        if isinstance(value, time):
            return value.strftime("%H:%M")
        return value

    def to_python_value(self, value: Any) -> time | None:
        if value is None or isinstance(value, time):
            return value
        return time.fromisoformat(value)


def minutes(t: time) -> int:
    return t.hour * 60 + t.minute
