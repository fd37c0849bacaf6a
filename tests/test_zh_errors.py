"""Every refusal of the API in Chinese: each operation of the OpenAPI document is called with
`Accept-Language: zh` for something that does not exist, with an empty body and with a body of the wrong
shape, signed in and not; every error's message and every problem it lists must be Chinese, but for codes and
the values a field takes."""

from __future__ import annotations

import re
from typing import Any

from core.base.auth import Role
from tests.conftest import signed_in
from tests.factories import a_warehouse
from tests.zh_leaks import LeakLog

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
MISSING = {"number": "SO-20990101-99999", "code": "NOPE", "carrier": "NOPE", "kind": "waybill", "fmt": "pdf",
           "index": "1", "token": "x" * 32, "provider": "simulated", "plate": "沪Z99999", "username": "nobody"}
BODIES: list[Any] = [{}, {"not_a_field": 1}, []]  # a field name the caller sent is said back as sent


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: MISSING.get(m.group(1), "NOPE"), path)


async def test_every_refusal_of_the_api_speaks_chinese(http, db):
    async with http.get("/api/openapi.json") as resp:
        paths = (await resp.json())["paths"]
    manager = await signed_in(http, Role.MANAGER) | ZH
    log = LeakLog(allowed={"JSON", "Telegram", "Bearer"})
    refusals = 0
    for path, item in paths.items():
        for method in [m.upper() for m in item if m in ("get", "post", "put", "patch", "delete")]:
            tries = [(headers, body) for headers in (manager, ZH)
                     for body in (BODIES if method in ("POST", "PUT", "PATCH") else [None])]
            for headers, body in tries:
                async with http.request(method, _url(path), json=body, headers=headers) as resp:
                    if resp.status < 400 or resp.content_type != "application/json":
                        continue
                    answer = await resp.json()
                assert resp.status < 500, (method, path, answer)
                refusals += 1
                where = f"{method} {path} {body!r} → {resp.status}"
                log.see("api", where, answer["message"])
                for detail in answer.get("details", []):
                    log.see("api", where, f"{detail.get('name', '')} {detail.get('problem', '')}")
    assert refusals > 100
    log.assert_clean()


async def test_a_new_cart_with_nothing_ready_is_said_as_it_is_not_as_a_bad_request(http, db):
    await a_warehouse("BJ")
    picker = await signed_in(http, Role.PICKER) | ZH
    async with http.post("/api/pick-lists", json={"warehouse": "BJ"}, headers=picker) as resp:
        answer = await resp.json()
    assert (resp.status, answer["message"]) == (409, "仓库 BJ 没有可拣货的订单")
