"""Database wiring: the tortoise configuration, start-up with migrations, and shutdown; and the plain
statements (fetch, execute, insert, add, select) that the measured hot paths use instead of the ORM's query
building, in the caller's transaction and with `?` parameters on SQLite and PostgreSQL alike."""

from __future__ import annotations

import functools
import re
from collections.abc import Collection
from pathlib import Path
from typing import Any, TypeVar

from tortoise import Tortoise, connections, timezone
from tortoise.connection import get_connection
from tortoise.fields import Field
from tortoise.migrations.executor import MigrationExecutor
from tortoise.models import Model

from core.settings import Settings

APP = "fahuo"
M = TypeVar("M", bound=Model)
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


def _client_and_sql(sql: str) -> tuple[Any, str]:
    """The connection of the caller's transaction, and `sql` with its `?` marks in that backend's style."""
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        numbered = iter(range(1, sql.count("?") + 1))
        sql = re.sub(r"\?", lambda _: f"${next(numbered)}", sql)
    return conn, sql


def fits(model: type[Model], field: str, value: str) -> bool:
    """Whether `value` fits the model's text column: a longer one cannot be stored, nor be found there (asking
    would fail in tortoise's own length check)."""
    max_length = getattr(model._meta.fields_map[field], "max_length", None)
    return max_length is None or len(value) <= max_length


def marks(values: Collection[Any]) -> str:
    """`?,?,?`: the parameter marks of an `IN (…)` list of these values."""
    return ",".join("?" * len(values))


async def fetch(sql: str, *params: Any) -> list[dict[str, Any]]:
    """Rows of a hand-written statement, in the caller's transaction; `?` marks parameters on every backend.

    For the few measured hot paths where building the query through the ORM costs more than running it."""
    conn, sql = _client_and_sql(sql)
    return await conn.execute_query_dict(sql, list(params))


async def select(model: type[M], sql: str, *params: Any) -> list[M]:
    """Instances of `model` from a hand-written `SELECT *` of its table, built as the ORM's own queries build them."""
    conn, sql = _client_and_sql(sql)
    return await conn.executor_class(model=model, db=conn).execute_select(sql, list(params))


async def execute(sql: str, *params: Any) -> int:
    """Run a hand-written UPDATE or DELETE in the caller's transaction; returns how many rows it changed."""
    conn, sql = _client_and_sql(sql)
    changed, _ = await conn.execute_query(sql, list(params))
    return int(changed)


@functools.cache
def _insert_plan(model: type[Model], given: frozenset[str]) -> tuple[str, tuple[tuple[str, Field], ...]]:
    meta = model._meta
    columns = tuple(
        (name, meta.fields_map[name]) for name in meta.fields_db_projection
        if not (name == meta.pk_attr and meta.pk.generated)
    )
    unknown = given - {name for name, _ in columns}
    if unknown:
        raise TypeError(f"{model.__name__} has no column {', '.join(sorted(unknown))}")
    names = ",".join(f'"{meta.fields_db_projection[name]}"' for name, _ in columns)
    marks = ",".join("?" * len(columns))
    return f'INSERT INTO "{meta.db_table}" ({names}) VALUES ({marks})', columns


def _insert_params(model: type[Model], values: dict[str, Any]) -> tuple[str, list[Any]]:
    sql, columns = _insert_plan(model, frozenset(values))
    params = []
    for name, field in columns:
        if name in values:
            value = values[name]
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = timezone.now()
        elif callable(field.default):
            value = field.default()
        else:
            value = field.default
        params.append(field.to_db_value(value, model))  # validates, as a save would
    return sql, params


async def insert(model: type[Model], **values: Any) -> int:
    """Add one row the way `model.create(**values)` would (defaults, validation, enum and JSON conversion) and
    return its id, without building an instance or a query: for rows that hot paths write and never read back."""
    sql, params = _insert_params(model, values)
    rows = await fetch(f'{sql} RETURNING "{model._meta.db_pk_column}"', *params)
    return int(rows[0][model._meta.db_pk_column])


async def add(model: type[M], **values: Any) -> M:
    """`model.create(**values)` for hot paths: the same row and an equal instance, built from the row the database
    returns (as a read builds it) instead of through the model's constructor and query builder."""
    sql, params = _insert_params(model, values)
    rows = await fetch(f"{sql} RETURNING *", *params)
    return model._init_from_db(**rows[0])  # tortoise's own row-to-instance step (its version is pinned)


async def add_if_new(model: type[M], unique: str, **values: Any) -> M | None:
    """`add`, unless a row with the same value in the unique column `unique` exists: then nothing is written and
    None is returned. No error is raised, so a race that is expected needs no savepoint around it."""
    sql, params = _insert_params(model, values)
    column = model._meta.fields_db_projection[unique]
    rows = await fetch(f'{sql} ON CONFLICT ("{column}") DO NOTHING RETURNING *', *params)
    return model._init_from_db(**rows[0]) if rows else None


# for the `tortoise` command line: `tortoise -c core.db.TORTOISE_ORM makemigrations`
TORTOISE_ORM = tortoise_config(Settings().database_url)
