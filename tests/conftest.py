"""Test harness: a real database per test (SQLite file, or PostgreSQL when FAHUO_TEST_PG is set) and a real
HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import asyncpg
import pytest
from aiohttp import web
from tortoise import Tortoise, connections

from core.base.auth import Role, add_staff
from core.base.db import APP, close_db, open_db
from core.base.settings import Settings
from pwa.app import create_app

PG_URL = os.environ.get("FAHUO_TEST_PG", "")
PASSWORD = "correct-horse"


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


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """Migrations run once per session; each test then starts from a copy (SQLite) or truncation (PG)."""
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


async def _truncate_all() -> None:
    tables = [model._meta.db_table for model in Tortoise.apps[APP].values()]
    await connections.get("default").execute_script(
        f"TRUNCATE TABLE {', '.join(tables)} RESTART IDENTITY CASCADE"
    )


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Settings]:
    await open_db(settings, run_migrations=False)
    if PG_URL:
        await _truncate_all()
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
