"""What connectors share: one JSON call to a platform's API, its failures sorted as connectors need them (what
is worth trying again, `ChannelUnavailable`: no answer, 429, 5xx; what is not, `ChannelRefused`: any other
4xx); the webhook signature most platforms use; plain values read from a platform's JSON."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from decimal import Decimal, InvalidOperation
from typing import Any

import aiohttp

from core.channels.channel_api import ChannelRefused, ChannelUnavailable, Link


async def call_json(link: Link, method: str, url: str, *, body: Any = None, headers: dict[str, str] | None = None,
                    form: dict[str, str] | None = None) -> Any:
    """The answer's JSON; `body` goes as JSON, `form` as a urlencoded form (an open platform's signed
    parameters). The reason of a failure names the status and the platform's words, never a credential (those
    travel in headers or the form, which no reason repeats)."""
    timeout = aiohttp.ClientTimeout(total=link.account.timeout_s)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as http, \
                http.request(method, url, json=body, data=form, headers=headers) as resp:
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


def hmac_base64(secret: str, body: bytes) -> str:
    """The base64 HMAC-SHA256 of a webhook's raw body under its secret (Shopify's and WooCommerce's)."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def signed_by(secret: str, body: bytes, given: str) -> bool:
    """Whether `given` is the body's signature under `secret`; never with no secret configured."""
    return bool(secret) and hmac.compare_digest(hmac_base64(secret, body).encode(), given.strip().encode())


def plain(value: object) -> str:
    """A value of a platform's JSON as text, trimmed; none (null, absent) as ""."""
    return str(value).strip() if value not in (None, "") else ""


def joined(*parts: object) -> str:
    """Parts that are there, with a space between: names, the lines of an address."""
    return " ".join(p for p in (plain(x) for x in parts) if p)


def count(value: object) -> int:
    """A quantity; anything that is not a whole number is 0, which intake refuses by name."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def amount(value: object) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None
