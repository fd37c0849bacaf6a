"""Password hashes: argon2id, computed on threads of their own so that a flood of sign-ins cannot stall the server.

Each argon2 hash carries its parameters (`$argon2id$v=19$m=19456,t=2,p=1$salt$digest`), so they can be raised
later: a hash made with weaker ones, or an scrypt hash of the first fahuo versions, still verifies and is
replaced at the next successful sign-in.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

R = TypeVar("R")

# OWASP's first argon2id choice: 19 MiB, 2 passes, 1 lane -- about 90 ms here, less than the scrypt it replaces.
# argon2-cffi's default (64 MiB, 3 passes, 4 lanes) took 450 ms of a 2-core server's CPU for every sign-in.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
LEGACY_SCRYPT = {"n": 2**14, "r": 8, "p": 1}  # what the "scrypt$salt$digest" hashes were made with
# Two threads: hashing uses at most two cores' worth of CPU and 38 MiB, however many sign-ins arrive; the event
# loop and the default executor (files, DNS) stay free for everything else.
_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="password-hash")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def _verify_scrypt(password: str, stored: str) -> bool:
    try:
        _, salt_hex, digest_hex = stored.split("$")
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    digest = hashlib.scrypt(password.encode(), salt=salt, **LEGACY_SCRYPT)
    return hmac.compare_digest(digest.hex(), digest_hex)


def verify_password(password: str, stored: str) -> bool:
    if stored.startswith("scrypt$"):
        return _verify_scrypt(password, stored)
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_upgrade(stored: str) -> bool:
    return stored.startswith("scrypt$") or HASHER.check_needs_rehash(stored)


@functools.cache
def decoy_hash() -> str:
    """A hash to check unknown names against, so that the answer takes as long as for a real account."""
    return HASHER.hash("no account has this password")


async def off_loop(fn: Callable[..., R], *args: str) -> R:
    """Run a hashing function on the hashing threads; the event loop goes on serving meanwhile."""
    return await asyncio.get_running_loop().run_in_executor(_THREADS, fn, *args)
