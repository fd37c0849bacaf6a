"""Signing in under misuse: guesses are throttled per account and per address, hashing never stalls the server."""

import asyncio
import hashlib

import aiohttp
import pytest

from core.base.auth import Role, Staff, add_staff
from core.base.throttle import ACCOUNT_LIMIT, ADDRESS_LIMIT, WINDOW_SECONDS, LoginThrottle
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("shipped_password_hashes")  # how long a check takes is part of it


async def sign_in(http: aiohttp.ClientSession, username: str, password: str, lang: str = "en",
                  ) -> tuple[int, dict, aiohttp.typedefs.LooseHeaders]:
    async with http.post("/api/auth/login", json={"username": username, "password": password},
                         headers={"Accept-Language": lang}) as resp:
        return resp.status, await resp.json(), resp.headers


async def test_after_five_wrong_passwords_even_the_right_one_is_refused_with_retry_after(http):
    await add_staff("sun", Role.PICKER, PASSWORD)
    await add_staff("wu", Role.PACKER, PASSWORD)
    for _ in range(ACCOUNT_LIMIT):
        assert (await sign_in(http, "sun", "wrong-guess"))[0] == 401
    status, body, headers = await sign_in(http, "sun", PASSWORD)
    assert status == 429 and body["error"] == "too_many_sign_ins"
    assert 0 < int(headers["Retry-After"]) <= WINDOW_SECONDS
    assert "Too many failed sign-ins" in body["message"]
    status, body, _ = await sign_in(http, "sun", PASSWORD, lang="zh")
    assert status == 429 and "登录失败次数过多" in body["message"]
    assert (await sign_in(http, "wu", PASSWORD))[0] == 200  # another account from the same address


async def test_a_right_password_within_the_limit_clears_the_count(http):
    await add_staff("sun", Role.PICKER, PASSWORD)
    for _ in range(3):
        for _ in range(ACCOUNT_LIMIT - 1):
            assert (await sign_in(http, "sun", "wrong-guess"))[0] == 401
        assert (await sign_in(http, "sun", PASSWORD))[0] == 200


async def test_the_lock_lapses_when_its_window_is_over(http):
    await add_staff("sun", Role.PICKER, PASSWORD)
    for _ in range(ACCOUNT_LIMIT + 1):
        await sign_in(http, "sun", "wrong-guess")
    assert (await sign_in(http, "sun", PASSWORD))[0] == 429
    for row in await LoginThrottle.all():  # fifteen minutes pass
        await LoginThrottle.filter(id=row.id).update(window_started=row.window_started - WINDOW_SECONDS)
    assert (await sign_in(http, "sun", PASSWORD))[0] == 200


async def test_guessing_many_accounts_from_one_address_is_throttled_by_address(http):
    await add_staff("sun", Role.PICKER, PASSWORD)
    for i in range(ADDRESS_LIMIT):
        assert (await sign_in(http, f"guess-{i}", "wrong-guess"))[0] == 401
    assert (await sign_in(http, "sun", PASSWORD))[0] == 429


async def test_an_old_scrypt_hash_still_signs_in_and_is_upgraded_to_argon2id(http):
    salt = bytes(range(16))
    digest = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2**14, r=8, p=1)
    await Staff.create(username="old", role=Role.PICKER, password_hash=f"scrypt${salt.hex()}${digest.hex()}")
    assert (await sign_in(http, "old", PASSWORD))[0] == 200
    upgraded = (await Staff.get(username="old")).password_hash
    assert upgraded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert (await sign_in(http, "old", PASSWORD))[0] == 200
    assert (await sign_in(http, "old", "wrong-guess"))[0] == 401


async def test_healthz_is_served_while_a_burst_of_bad_logins_is_being_checked(http):
    await add_staff("sun", Role.PICKER, PASSWORD)
    burst = [asyncio.create_task(sign_in(http, f"guess-{i}", "wrong-guess")) for i in range(ADDRESS_LIMIT - 4)]
    await asyncio.sleep(0.05)  # the burst reaches the server first
    async with http.get("/healthz") as resp:
        assert resp.status == 200
    still_checking = sum(not task.done() for task in burst)
    statuses = [status for status, _, _ in await asyncio.gather(*burst)]
    assert statuses == [401] * len(burst)
    assert still_checking >= len(burst) // 2, f"only {still_checking} of {len(burst)} logins were in flight"
