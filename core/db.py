"""Database wiring: the tortoise configuration, start-up with migrations, and shutdown."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tortoise import Tortoise, connections
from tortoise.connection import get_connection
from tortoise.migrations.executor import MigrationExecutor

from core.settings import Settings

APP = "fahuo"
MODEL_MODULES = [
    "core.catalog",
    "core.warehouses",
    "core.parties",
    "core.auth",
    "core.stock",
    "core.orders",
    "core.transfers",
    "core.replenishment",
    "core.events",
    "core.numbering",
    "core.picking",
    "core.scanning",
    "core.carriers",
    "core.shipments",
    "core.packing",
    "core.tracking",
    "core.documents",
    "core.fleet",
    "core.aftersales",
    "core.notifications",
    "core.lease",
]
_config_in_use: dict[str, Any] = {}


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": database_url},
        "apps": {APP: {"models": MODEL_MODULES, "migrations": "core.migrations", "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


def _ensure_sqlite_dir(database_url: str) -> None:
    if database_url.startswith("sqlite://") and ":memory:" not in database_url:
        path = Path(database_url.removeprefix("sqlite://").split("?", 1)[0])
        path.parent.mkdir(parents=True, exist_ok=True)


async def migrate(progress: bool = False) -> None:
    """Apply the shipped migrations that this database lacks."""
    executor = MigrationExecutor(get_connection("default"), _config_in_use["apps"])

    def report(event: str, app_label: str, name: str) -> None:
        if progress and event == "apply_done":
            print(f"  applied {app_label}.{name}")

    await executor.migrate(None, progress=report)


async def open_db(settings: Settings, *, run_migrations: bool = True) -> None:
    _ensure_sqlite_dir(settings.database_url)
    _config_in_use.clear()
    _config_in_use.update(tortoise_config(settings.database_url))
    await Tortoise.init(config=_config_in_use)
    if run_migrations:
        await migrate()


async def close_db() -> None:
    await Tortoise.close_connections()


async def fetch(sql: str, *params: Any) -> list[dict[str, Any]]:
    """Rows of a hand-written statement, in the caller's transaction; `?` marks parameters on every backend.

    For the few measured hot paths where building the query through the ORM costs more than running it."""
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        numbered = iter(range(1, sql.count("?") + 1))
        sql = re.sub(r"\?", lambda _: f"${next(numbered)}", sql)
    return await conn.execute_query_dict(sql, list(params))


# for the `tortoise` command line: `tortoise -c core.db.TORTOISE_ORM makemigrations`
TORTOISE_ORM = tortoise_config(Settings().database_url)
