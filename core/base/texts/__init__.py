"""The one message catalogue, split by area. Each entry is one key with an "en" and a "zh" text.

The bot's and the staff app's keys are short names of their own (`welcome`, `signIn`); in the catalogue they
carry their area's prefix (`bot.welcome`, `app.signIn`), so areas cannot take each other's keys. The other
areas write their keys whole (`not_found`, `status.order.approved`, `paper.order`, `tracking.title`)."""

from __future__ import annotations

from core.base.texts import bot, common, floor, papers, status

AREAS: list[tuple[str, dict[str, dict[str, str]]]] = [
    ("", common.TEXTS), ("", status.TEXTS), ("", papers.TEXTS), ("bot.", bot.TEXTS), ("app.", floor.TEXTS),
]


def _merged() -> dict[str, dict[str, str]]:
    catalogue: dict[str, dict[str, str]] = {}
    for prefix, entries in AREAS:
        for key, entry in entries.items():
            if prefix + key in catalogue:
                raise ValueError(f"catalogue key {prefix + key} is defined twice")
            catalogue[prefix + key] = entry
    return catalogue


CATALOGUE = _merged()
