"""Test harness: a real database per test (SQLite file, or PostgreSQL when FAHUO_TEST_PG is set) and a real
HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import asyncpg
import pytest
from aiogram import Bot
from aiohttp import web
from argon2 import PasswordHasher
from tortoise import Tortoise, connections

from core.base import passwords
from core.base.auth import Role, add_staff
from core.base.db import APP, close_db, open_db
from core.base.settings import Settings
from pwa.app import create_app

PG_URL = os.environ.get("FAHUO_TEST_PG", "")
PASSWORD = "correct-horse"
SHIPPED_HASHER = passwords.HASHER


def pytest_report_header() -> str:
    return f"fahuo database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite files'}"


async def _fresh_pg_schema(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


async def _migrate(url: str) -> None:
    await open_db(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    await close_db()


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """argon2id at the lowest cost it allows: as shipped, a hash or a check takes about a tenth of a second, and
    the tests sign staff in hundreds of times. Tests about signing in itself ask for `shipped_password_hashes`."""
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    passwords.decoy_hash.cache_clear()
    yield
    passwords.decoy_hash.cache_clear()


@pytest.fixture
def shipped_password_hashes(quick_password_hashes: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hashes (and the decoy checked for unknown names) at the cost fahuo ships with."""
    monkeypatch.setattr(passwords, "HASHER", SHIPPED_HASHER)
    passwords.decoy_hash.cache_clear()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """Migrations run once per session; each test then starts from a copy (SQLite) or emptied tables (PG)."""
    if PG_URL:
        asyncio.run(_fresh_pg_schema(PG_URL))
        asyncio.run(_migrate(PG_URL))
        return None
    template = tmp_path_factory.mktemp("template") / "fahuo.sqlite3"
    asyncio.run(_migrate(f"sqlite://{template}"))
    return template


@pytest.fixture
def settings(migrated_template: Path | None, tmp_path: Path) -> Settings:
    if PG_URL:
        url = PG_URL
    else:
        assert migrated_template is not None
        path = tmp_path / "fahuo.sqlite3"
        shutil.copyfile(migrated_template, path)
        url = f"sqlite://{path}?synchronous=NORMAL"
    return Settings(database_url=url, media_dir=tmp_path / "media", _env_file=None)  # type: ignore[call-arg]


_pg_cleanup: dict[str, list[str]] = {}  # how a PostgreSQL test database is emptied; found once per session


async def _pg_cleanup_plan() -> dict[str, list[str]]:
    """fahuo's tables, each after every table that refers to it (so deleting in this order never breaks a
    foreign key), and the sequences that number their rows."""
    if not _pg_cleanup:
        conn = connections.get("default")
        tables = [model._meta.db_table for model in Tortoise.apps[APP].values()]
        _, refs = await conn.execute_query(
            "SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent FROM pg_constraint"
            " WHERE contype = 'f' AND connamespace = current_schema()::regnamespace AND conrelid <> confrelid")
        children = {t: {r["child"] for r in refs if r["parent"] == t} for t in tables}
        ordered: list[str] = []
        while len(ordered) < len(tables):
            ready = [t for t in tables if t not in ordered and children[t] <= set(ordered)]
            assert ready, f"foreign keys go round in a circle among {set(tables) - set(ordered)}"
            ordered += ready
        _, seqs = await conn.execute_query(
            "SELECT pg_get_serial_sequence(c.table_name, c.column_name) AS seq FROM information_schema.columns c"
            " WHERE c.table_schema = current_schema() AND pg_get_serial_sequence(c.table_name, c.column_name)"
            f" IS NOT NULL AND c.table_name IN ({', '.join(repr(t) for t in tables)})")
        _pg_cleanup.update(tables=ordered, sequences=[r["seq"] for r in seqs])
    return _pg_cleanup


async def _empty_pg_tables() -> None:
    """Back to the freshly migrated state: the tables that hold rows are emptied and the used sequences start
    again. Only those, and with DELETE: a TRUNCATE takes every referring table along and cost a second a test."""
    conn = connections.get("default")
    plan = await _pg_cleanup_plan()
    probe = " UNION ALL ".join(f"SELECT '{t}' AS name WHERE EXISTS (SELECT 1 FROM {t})" for t in plan["tables"])
    used = {row["name"] for row in (await conn.execute_query(probe))[1]}
    if used:
        await conn.execute_script("; ".join(f"DELETE FROM {t}" for t in plan["tables"] if t in used))
    # a sequence moves on even when its rows are rolled back, so each one used starts again
    await conn.execute_query(
        "SELECT setval(s, q.seqstart, false) FROM unnest($1::regclass[]) s JOIN pg_sequence q ON q.seqrelid = s"
        " WHERE pg_sequence_last_value(s) IS NOT NULL", [plan["sequences"]])


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Settings]:
    await open_db(settings, run_migrations=False)
    if PG_URL:
        await _empty_pg_tables()
    yield settings
    await close_db()


@pytest.fixture
async def server(db: Settings) -> AsyncIterator[str]:
    runner = web.AppRunner(create_app(db, manage_db=False), shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


@pytest.fixture
async def http(server: str) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=server) as session:
        yield session


async def signed_in(http: aiohttp.ClientSession, role: Role, username: str | None = None) -> dict[str, str]:
    """A staff member of `role`, signed in over HTTP; returns the Authorization header to use."""
    username = username or f"{role.value}-1"
    await add_staff(username, role, PASSWORD)
    async with http.post("/api/auth/login", json={"username": username, "password": PASSWORD}) as resp:
        assert resp.status == 200, await resp.text()
        token = (await resp.json())["token"]
    return {"Authorization": f"Bearer {token}"}


async def close_bot(bot: Bot) -> None:
    """Close a test bot's HTTP session at once. aiogram's `session.close()` then waits a quarter of a second
    for TLS connections to wind down; the fake Bot API on 127.0.0.1 speaks plain HTTP, so there are none."""
    http = bot.session._session  # aiogram keeps its aiohttp session here and offers no other way to it
    if http is not None:
        await http.close()
