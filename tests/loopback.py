"""Serving a fake outside service (a carrier's or a shop platform's API) as a real aiohttp server on
127.0.0.1, on a free port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from aiohttp import web


@asynccontextmanager
async def on_loopback(app: web.Application) -> AsyncIterator[str]:
    """Serve `app` while the block runs; yields its base URL (http://127.0.0.1:<port>)."""
    runner = web.AppRunner(app, shutdown_timeout=0.1)  # a parked request does not hold up the teardown
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def post(url: str, body: bytes | str, headers: dict[str, str]) -> tuple[int, Any]:
    """One webhook delivery, as a shop platform makes it: the status and the JSON answer."""
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as resp:
        return resp.status, await resp.json(content_type=None)
