"""One JSON call to a platform's API, its failures sorted as connectors need them: what is worth trying again
(`ChannelUnavailable`: no answer, 429, 5xx) and what is not (`ChannelRefused`: any other 4xx)."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from core.channels.channel_api import ChannelRefused, ChannelUnavailable, Link


async def call_json(link: Link, method: str, url: str, *, body: Any = None, headers: dict[str, str] | None = None
                    ) -> Any:
    """The answer's JSON. The reason of a failure names the status and the platform's words, never a
    credential (those travel in headers, which no reason repeats)."""
    timeout = aiohttp.ClientTimeout(total=link.account.timeout_s)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as http, \
                http.request(method, url, json=body, headers=headers) as resp:
            raw = await resp.read()
            status = resp.status
    except (aiohttp.ClientError, TimeoutError) as error:
        raise ChannelUnavailable(link.name, f"no answer ({type(error).__name__})") from None
    said = raw[:300].decode("utf-8", "replace")
    if status == 429 or status >= 500:
        raise ChannelUnavailable(link.name, f"HTTP {status}: {said}")
    if status >= 400:
        raise ChannelRefused(link.name, f"HTTP {status}: {said}")
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        raise ChannelUnavailable(link.name, f"HTTP {status} with a body that is not JSON") from None
