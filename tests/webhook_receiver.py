"""A system that subscribed to fahuo's webhooks: a real HTTP server on 127.0.0.1 that checks each request as
fahuo's README tells a receiver to (signature over `<timestamp>.<body>`, timestamp not too old) and keeps the
events it accepted. It can be told to refuse (`status`), to be slow (`delay`), or be stopped and started again
on the same port."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from typing import Any

from aiohttp import web

from tests.printers import free_port

TOLERANCE_S = 300  # older requests are refused as replays


class Receiver:
    def __init__(self, secret: str = "") -> None:
        self.secret = secret
        self.port = free_port()
        self.events: list[dict[str, Any]] = []  # accepted, in arrival order
        self.headers: list[dict[str, str]] = []
        self.forged = 0  # requests whose signature or timestamp did not hold
        self.status = 200
        self.delay = 0.0
        self.hold = 0.0  # keeps the request open this long after taking the event, before it answers
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/fahuo"

    def ids(self) -> list[str]:
        return [e["id"] for e in self.events]

    def genuine(self, timestamp: str, body: bytes, signature: str) -> bool:
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE_S:
            return False
        mac = hmac.new(self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(f"sha256={mac}", signature)

    async def _take(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not self.genuine(request.headers.get("X-Fahuo-Timestamp", ""), body,
                            request.headers.get("X-Fahuo-Signature", "")):
            self.forged += 1
            return web.Response(status=401)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.status != 200:
            return web.Response(status=self.status)
        event = json.loads(body)
        assert event["id"] == request.headers["X-Fahuo-Event-Id"]
        assert event["kind"] == request.headers["X-Fahuo-Event"]
        self.events.append(event)
        self.headers.append(dict(request.headers))
        if self.hold:
            await asyncio.sleep(self.hold)
        return web.json_response({"ok": True})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hooks/fahuo", self._take)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
