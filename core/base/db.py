"""Database wiring: the tortoise configuration, start-up with migrations, and shutdown; transactions that
several processes share safely (SQLite writers queue, a transaction lost to a deadlock runs again); and the
plain statements (fetch, execute, insert, add, select) that the measured hot paths use instead of the ORM's
query building, in the caller's transaction and with `?` parameters on SQLite and PostgreSQL alike.

This is the one module that touches tortoise's internals; tests/test_db.py breaks when an upgrade moves them."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import logging
import random
import re
import sqlite3
from collections.abc import Awaitable, Callable, Collection
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from tortoise import Tortoise, connections, timezone
from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionContext, SqliteTransactionWrapper
from tortoise.connection import get_connection, get_connections
from tortoise.exceptions import OperationalError
from tortoise.fields import Field
from tortoise.migrations.executor import MigrationExecutor
from tortoise.models import Model

from core.base.errors import DomainError, NotFound
from core.base.settings import DEFAULT_DB_PATH, Settings

APP = "fahuo"
M = TypeVar("M", bound=Model)
P = ParamSpec("P")
R = TypeVar("R")
log = logging.getLogger(__name__)
MODEL_MODULES = [  # by stage, as an order lives: base → stock → orders → floor → shipping
    "core.base.auth",
    "core.base.throttle",
    "core.base.events",
    "core.base.numbering",
    "core.base.lease",
    "core.base.jobs",
    "core.stock.catalog",
    "core.stock.warehouses",
    "core.stock.ledger",
    "core.stock.transfers",
    "core.stock.replenishment",
    "core.orders.customers",
    "core.orders.order",
    "core.orders.addresses",
    "core.orders.payments",
    "core.orders.notifications",
    "core.floor.picking",
    "core.floor.scanning",
    "core.shipping.carriers",
    "core.shipping.shipments",
    "core.shipping.tracking",
    "core.shipping.documents",
    "core.shipping.fleet",
    "core.shipping.aftersales",
    "core.shipping.printing",
    "core.channels.pulling",
    "core.channels.write_backs",
    "core.webhooks",
]
_config_in_use: dict[str, Any] = {}


# Statements that must not join the caller's transaction (see `fetch_apart`) run on a small pool of their own
# (PostgreSQL): borrowing from the main pool could wait forever once every connection there is held by a
# transaction that waits for such a statement. Not a tortoise connection: with two, every `in_transaction()`
# would have to name its connection.
_apart: list[BaseDBAsyncClient] = []
# How long an SQLite writer waits for another process's transaction to end before it gives up (ms); a URL
# may say otherwise (`?busy_timeout=…`: URL parameters become pragmas).
SQLITE_BUSY_TIMEOUT_MS = 30_000


def tortoise_config(database_url: str) -> dict[str, Any]:
    default: str | dict[str, Any] = database_url
    if database_url.startswith("sqlite"):
        default = expand_db_url(database_url)
        default["engine"] = __name__  # tortoise builds the client from this module's `client_class`
        default["credentials"].setdefault("busy_timeout", SQLITE_BUSY_TIMEOUT_MS)
    return {
        "connections": {"default": default},
        "apps": {APP: {"models": MODEL_MODULES, "migrations": "core.migrations", "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


class DatabaseUnavailable(DomainError):
    """The configured database cannot be opened; the message names it (without its password) and says why."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code  # type: ignore[misc]  # one of the database_* messages
        super().__init__(**params)


def shown_url(database_url: str) -> str:
    """The database URL for people to read: no password, no options."""
    url = database_url.split("?", 1)[0]
    password = urlsplit(url).password
    return url.replace(f":{password}@", ":***@", 1) if password else url


def _sqlite_folder(database_url: str) -> None:
    """The default database's folder is made on first start; any other SQLite file must be in a folder that
    exists, so a typo in the path is refused instead of starting an empty database somewhere else."""
    if not database_url.startswith("sqlite://") or ":memory:" in database_url:
        return
    path = Path(database_url.removeprefix("sqlite://").split("?", 1)[0])
    if path.parent == DEFAULT_DB_PATH.parent:
        path.parent.mkdir(exist_ok=True)
    if not path.parent.is_dir():
        raise DatabaseUnavailable("database_no_folder", url=shown_url(database_url), folder=str(path.parent))
    if path.is_dir():  # refused here: aiosqlite's failed connect leaves a thread that outlives the event loop
        raise DatabaseUnavailable("database_is_folder", url=shown_url(database_url), path=str(path))


async def migrate(progress: bool = False) -> None:
    """Apply the shipped migrations that this database lacks."""
    executor = MigrationExecutor(get_connection("default"), _config_in_use["apps"])

    def report(event: str, app_label: str, name: str) -> None:
        if progress and event == "apply_done":
            print(f"  applied {app_label}.{name}")

    await executor.migrate(None, progress=report)


async def open_db(settings: Settings, *, run_migrations: bool = True) -> None:
    """Connect (DatabaseUnavailable when that fails) and apply the migrations this database lacks."""
    _sqlite_folder(settings.database_url)
    _config_in_use.clear()
    _config_in_use.update(tortoise_config(settings.database_url))
    try:
        await Tortoise.init(config=_config_in_use)
        await ping()
    except Exception as exc:  # these two steps only resolve the URL and connect: whatever fails, it is the database
        await Tortoise.close_connections()
        reason = (exc.strerror if isinstance(exc, OSError) else None) or str(exc) or type(exc).__name__
        raise DatabaseUnavailable("database_unavailable", url=shown_url(settings.database_url),
                                  reason=reason) from exc
    if not settings.is_sqlite:
        db = expand_db_url(settings.database_url)
        engine = importlib.import_module(db["engine"])
        _apart.append(engine.client_class(**db["credentials"], minsize=1, maxsize=2, connection_name="apart"))
    if run_migrations:
        await migrate()


async def ping() -> None:
    """One round trip to the database: raises when it cannot answer (the health check)."""
    await connections.get("default").execute_query("SELECT 1")


async def close_db() -> None:
    while _apart:
        await _apart.pop().close()
    await Tortoise.close_connections()


# -- transactions that several processes share ------------------------------------------------------------


class _ImmediateTransaction(SqliteTransactionContext):
    """An SQLite transaction that takes the file's write lock when it begins (`BEGIN IMMEDIATE`), waiting up to
    the busy timeout while another process writes. A plain (deferred) BEGIN reads first and fails at once with
    "database is locked" when it then wants to write after another process wrote: SQLite cannot make a reader
    that saw an older state wait its turn. Every transaction here is a writer, so all of them begin this way."""

    async def __aenter__(self) -> TransactionalDBClient:
        await self._trxlock.acquire()
        try:
            await self.ensure_connection()
            await self.connection._connection.execute("BEGIN IMMEDIATE")
        except BaseException as exc:
            # When cancelled, BEGIN may still be running on aiosqlite's thread; a rollback queued behind it ends
            # whatever it began (and does nothing when nothing began).
            with contextlib.suppress(Exception):
                await self.connection._connection.rollback()
            self._trxlock.release()
            if isinstance(exc, sqlite3.OperationalError):
                raise OperationalError(exc) from exc
            raise
        self.token = get_connections().set(self.connection_name, self.connection)
        return self.connection


class WaitingSqliteClient(SqliteClient):
    """tortoise's SQLite client, with transactions that queue for the write lock (`_ImmediateTransaction`)."""

    def _in_transaction(self) -> _ImmediateTransaction:
        return _ImmediateTransaction(SqliteTransactionWrapper(self), self._lock)


# tortoise's migration executor picks its schema editor by the name of the client's module ("sqlite" in it)
WaitingSqliteClient.__module__ = SqliteClient.__module__
client_class = WaitingSqliteClient  # what tortoise looks for in an engine module (see `tortoise_config`)

RETRY_ATTEMPTS = 5
_RETRY_SQLSTATES = {"40P01", "40001"}  # PostgreSQL: deadlock detected, serialization failure


def _lost_to_another_writer(exc: BaseException) -> bool:
    """Whether the database aborted the transaction only because of concurrent work: run again, it succeeds."""
    seen: BaseException | None = exc
    while seen is not None:
        if getattr(seen, "sqlstate", None) in _RETRY_SQLSTATES:
            return True
        if isinstance(seen, sqlite3.OperationalError) and (seen.sqlite_errorcode or 0) & 0xFF == sqlite3.SQLITE_BUSY:
            return True
        cause = seen.__cause__ or seen.__context__
        seen = cause if cause is not None else next((a for a in seen.args if isinstance(a, BaseException)), None)
    return False


def _in_a_transaction() -> bool:
    return isinstance(connections.get("default"), TransactionalDBClient)


class OutsideTransaction(RuntimeError):
    """A helper that runs in its caller's transaction was called outside any: a bug in the caller."""


def in_callers_transaction(helper: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Marks a helper whose writes belong to a step its caller takes: it runs in the caller's transaction and
    refuses to run outside one (OutsideTransaction), so nothing can call it bare and commit its writes one by one
    (a status without its outbox event, a move without its level). Public services open their own transaction
    around every helper they call; tests/test_transactions.py walks the core and checks that they do."""

    @functools.wraps(helper)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if not _in_a_transaction():
            raise OutsideTransaction(f"{helper.__module__}.{helper.__qualname__} runs in the caller's transaction: "
                                     "call it inside one, or call the service that opens one")
        return await helper(*args, **kwargs)

    run.runs_in_callers_transaction = True  # type: ignore[attr-defined]
    return run


def runs_in_callers_transaction(function: object) -> bool:
    return bool(getattr(function, "runs_in_callers_transaction", False))


def retry_on_conflict(service: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """For a service whose writes are one transaction it opens itself (before it only reads or takes numbers):
    when the database aborts that transaction for a deadlock or a serialization failure (PostgreSQL), or its
    file stayed locked past the busy timeout (SQLite), the whole service runs again, up to RETRY_ATTEMPTS times,
    after a short random pause so that the two sides of a deadlock do not meet again. Nothing was written by the
    aborted attempt; a number it took stays unused (a gap, as after any failed intake).

    Called inside a caller's transaction it runs once: a deadlock aborts the whole transaction, and the caller,
    which owns it, is the one to run again."""

    @functools.wraps(service)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if not _in_a_transaction():
            for attempt in range(1, RETRY_ATTEMPTS):
                try:
                    return await service(*args, **kwargs)
                except Exception as exc:
                    if not _lost_to_another_writer(exc):
                        raise
                    log.info("%s lost to a concurrent transaction (%s); attempt %d", service.__qualname__,
                             type(exc).__name__, attempt + 1)
                await asyncio.sleep(random.uniform(0, 0.01 * 2 ** attempt))
        return await service(*args, **kwargs)

    return run


# -- plain statements -----------------------------------------------------------------------------------------


def dialect() -> str:
    """"sqlite" or "postgres": for the few statements that must differ."""
    return str(connections.get("default").capabilities.dialect)


def _client_and_sql(sql: str, conn: BaseDBAsyncClient | None = None) -> tuple[Any, str]:
    """The connection of the caller's transaction (unless given), and `sql` with its `?` marks in that
    backend's style."""
    conn = conn or connections.get("default")
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


async def fetch_apart(sql: str, *params: Any) -> list[dict[str, Any]]:
    """`fetch`, committed at once on its own, not in the caller's transaction: for a hot row that every
    transaction touches (a day's number counter), which would otherwise stay locked until the caller commits
    and make all others queue behind it, or deadlock with them. On SQLite, where there is one writer at a time
    anyway, it runs on the caller's connection (within its transaction, if any)."""
    conn, sql = _client_and_sql(sql, _apart[0] if _apart else None)
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


@in_callers_transaction
async def lock_rows(model: type[Model], field: str, values: Collection[Any]) -> None:
    """Lock, until the caller's transaction ends, the rows of `model` whose `field` is one of `values`, one by
    one in id order. Transactions that lock what they will change this way, before changing any of it, take
    rows in one order and cannot deadlock over them (PostgreSQL). An SQLite transaction holds the whole file
    from its start (`_ImmediateTransaction`): nothing to do there."""
    if not values or dialect() == "sqlite":
        return
    await fetch(_lock_sql(model, field, len(values)), *values)


@functools.cache
def _lock_sql(model: type[Model], field: str, count: int) -> str:
    meta = model._meta
    return (f'SELECT "{meta.db_pk_column}" FROM "{meta.db_table}" WHERE "{meta.fields_db_projection[field]}" '
            f'IN ({",".join("?" * count)}) ORDER BY "{meta.db_pk_column}" FOR UPDATE')


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


@functools.cache
def _update_sql(model: type[Model], changed: tuple[str, ...], where: tuple[str, ...]) -> str:
    meta = model._meta
    sets = ", ".join(f'"{meta.fields_db_projection[name]}"=?' for name in changed)
    guard = " AND ".join(f'"{meta.fields_db_projection[name]}"=?' for name in where)
    return f'UPDATE "{meta.db_table}" SET {sets} WHERE {guard}'


async def change(model: type[Model], where: dict[str, Any], **values: Any) -> int:
    """`model.filter(**where).update(**values)` for hot paths, where `where` asks for equal values only: one
    plain UPDATE, the values converted as the ORM converts them (enums, JSON, times). Returns how many rows
    changed, so that `where` can guard a step (0 when another transaction moved the row first)."""
    fields_map = model._meta.fields_map
    params = [fields_map[name].to_db_value(value, model) for name, value in (*values.items(), *where.items())]
    return await execute(_update_sql(model, tuple(values), tuple(where)), *params)


def from_db(model: type[Model], field: str, value: Any) -> Any:
    """A value of `model`'s `field` as a hand-written statement returned it, as the ORM would read it."""
    return model._meta.fields_map[field].to_python_value(value)


def is_stored(instance: Model) -> bool:
    """Whether `instance` is a row already (read or saved), not one still to be written."""
    return bool(instance._saved_in_db)


def __getattr__(name: str) -> Any:
    """`TORTOISE_ORM` for the `tortoise` command line (`tortoise -c core.base.db.TORTOISE_ORM makemigrations`), built
    from the settings only when that tool asks for it, so that importing the core reads no settings."""
    if name == "TORTOISE_ORM":
        return tortoise_config(Settings().database_url)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


async def by_number(model: type[M], number: str, what: str, *related: str) -> M:
    """The document of `model` with this number, with `related` rows loaded; NotFound naming `what` when there
    is none. Every "…_by_number" of the core is this one look-up."""
    query = model.get_or_none(number=number)
    row = await (query.prefetch_related(*related) if related else query)
    if row is None:
        raise NotFound(what=what, key=number)
    return row
