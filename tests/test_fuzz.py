"""The API against its own OpenAPI document: schemathesis generates requests from the document (valid ones and
ones just past every bound) and sends them to the real server.

Every answer must be a documented status with a documented body, never a server error; a 405 says what is
allowed. The database holds one document of each kind (orders in several states, a shipment, a transfer, a
purchase draft, an after-sales request), and the generator draws numbers and codes from them half of the time,
so requests reach the services and not only the 404s. Run as a sales channel (API key) and as a manager."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest
from tortoise import connections

from core.base.auth import Role
from core.shipping.carriers import Carrier
from core.stock.catalog import Product
from core.stock.inventory import TransferIn, create_transfer
from core.stock.warehouses import Location, Warehouse
from tests.conftest import signed_in
from tests.factories import a_product, a_supplier, a_warehouse, stock
from tests.test_aftersales import _a_shipped_order
from tests.test_logistics import _picked_and_packed, _place

pytestmark = pytest.mark.slow

CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "unsupported_method", "allow_header_conformance")
EXAMPLES_PER_OPERATION = 4  # with the coverage phase's boundary cases a run stays near a minute on 2 cores
SEED = 20261126  # the same cases every run, so a red run can be replayed
# schemathesis's CLI, with the module it imports lazily imported first: imported late, in the middle of a deeply
# recursive generation, Python 3.11 fails it with "AST constructor recursion depth mismatch"
LAUNCH = "import schemathesis.transport.asgi, schemathesis.cli; schemathesis.cli.schemathesis()"
NUMBERED = ("route_plan", "sales_order", "shipment", "package", "pick_list", "transfer_order", "purchase_order",
            "aftersales_request")


async def _documents(http, db) -> str:
    """One of each kind of document, in the states a request can act on; returns the channel's API key."""
    phone, shipped, key = await _a_shipped_order(http)
    await stock(await Product.get(sku="TEA"), await Warehouse.get(code="SH"), 10, "A-01-02")
    await _picked_and_packed(http, phone, {"TEA": 2})  # packed, not loaded
    await _place(http, {"TEA": 1})  # allocated, not picked
    await a_product("MUG", supplier=await a_supplier())
    await _place(http, {"MUG": 2})  # backordered: a purchase draft
    guangzhou = await a_warehouse("GZ")
    await stock(await Product.get(sku="TEA"), guangzhou, 10)
    await create_transfer(TransferIn.model_validate({"from_warehouse": "GZ", "to_warehouse": "SH",
                                                     "lines": [{"sku": "TEA", "qty": 2}]}), "fuzz", db)
    body = {"order": shipped, "kind": "return", "text": "wrong flavour", "lines": [{"sku": "TEA", "qty": 1}]}
    async with http.post("/api/after-sales", json=body, headers=key) as resp:
        assert resp.status == 201, await resp.text()
    return key["X-API-Key"]


async def _dictionaries() -> dict[str, list[str]]:
    numbers: list[str] = []
    for table in NUMBERED:
        rows = await connections.get("default").execute_query_dict(f'SELECT "number" FROM "{table}"')
        numbers += [r["number"] for r in rows]
    return {
        "numbers": numbers,
        "warehouses": await Warehouse.all().values_list("code", flat=True),
        "skus": await Product.all().values_list("sku", flat=True),
        "locations": list(set(await Location.all().values_list("code", flat=True))),
        "carriers": await Carrier.all().values_list("code", flat=True),
    }


BINDINGS = {  # where the generator may use a real value instead of an invented one
    "path.number": "numbers", "body.order": "numbers", "body.orders[*]": "numbers", "body.pick_list": "numbers",
    "body.shipment": "numbers", "path.carrier": "carriers", "body.carrier": "carriers",
    "body.warehouse": "warehouses", "body.from_warehouse": "warehouses", "body.to_warehouse": "warehouses",
    "query.warehouse": "warehouses", "body.sku": "skus", "body.lines[*].sku": "skus", "query.sku": "skus",
    "body.packages[*].contents[*].sku": "skus", "body.location": "locations", "body.lines[*].location": "locations",
}


def _config(path: Path, dictionaries: dict[str, list[str]]) -> Path:
    lines = []
    for name, values in dictionaries.items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(sorted(values), ensure_ascii=False)}", ""]
    # a few methods no operation has are enough to see every 405 say what is allowed
    lines += ["[phases.coverage]", 'unexpected-methods = ["delete", "patch", "trace"]', "", "[parameters]"]
    lines += [f'"{key}" = {{ dictionary = "{name}", probability = 0.5 }}' for key, name in BINDINGS.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _key_operations(document: dict) -> list[str]:
    return [op["operationId"] for item in document["paths"].values() for op in item.values()
            if {"apiKey": []} in op.get("security", [])]


async def _fuzz(server: str, header: str, config: Path, only: list[str]) -> tuple[int, str]:
    args = [sys.executable, "-c", LAUNCH, "--config-file", str(config), "run",
            f"{server}/api/openapi.json", "--checks", ",".join(CHECKS), "--phases", "coverage,fuzzing",
            "--max-examples", str(EXAMPLES_PER_OPERATION), "--seed", str(SEED), "--workers", "2",
            "--request-timeout", "30", "--suppress-health-check", "all", "--warnings", "off",
            # signing out would end the session the rest of the run uses
            "--exclude-path", "/api/auth/logout", "-H", header]
    for operation_id in only:
        args += ["--include-operation-id", operation_id]
    proc = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env={**os.environ, "NO_COLOR": "1"},
        cwd=config.parent)  # its cache of crashes stays out of the work tree
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=240)
    return proc.returncode or 0, out.decode(errors="replace")


async def test_generated_requests_get_documented_answers_and_never_a_server_error(server, http, db, tmp_path):
    api_key = await _documents(http, db)
    manager = await signed_in(http, Role.MANAGER, "fuzz-manager")
    config = _config(tmp_path / "schemathesis.toml", await _dictionaries())
    async with http.get("/api/openapi.json") as resp:
        document = await resp.json()
    # a channel's key opens only some operations; the manager's session all of them
    for header, only in ((f"X-API-Key: {api_key}", _key_operations(document)),
                         (f"Authorization: {manager['Authorization']}", [])):
        code, report = await _fuzz(server, header, config, only)
        assert code == 0, f"as {header.split(':')[0]}:\n{report[-15000:]}"
