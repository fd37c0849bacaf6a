"""Declared endpoints: one declaration gives the route, its auth, body validation and its OpenAPI entry."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel

from core.auth import Permission, Staff
from core.errors import InvalidInput
from core.scanning import REQUEST, apply_once
from pwa.security import Access, identify

M = TypeVar("M", bound=BaseModel)
Handler = Callable[..., Awaitable[web.StreamResponse]]


class BadJson(InvalidInput):
    code = "bad_json"


@dataclass
class Endpoint:
    method: str
    path: str
    summary: str
    tag: str
    access: Access
    permission: Permission | None
    body: type[BaseModel] | None
    query: dict[str, str]
    responses: dict[int, str]
    once: bool


@dataclass
class Api:
    routes: web.RouteTableDef = field(default_factory=web.RouteTableDef)
    endpoints: list[Endpoint] = field(default_factory=list)

    def route(self, method: str, path: str, *, summary: str, tag: str, access: Access = Access.STAFF,
              permission: Permission | None = None, body: type[BaseModel] | None = None,
              query: dict[str, str] | None = None, responses: dict[int, str] | None = None,
              once: bool = False) -> Callable[[Handler], Handler]:
        """`once`: a staff member's call sent with an Idempotency-Key is done once; a retry gets that answer."""
        def register(fn: Handler) -> Handler:
            async def handler(request: web.Request) -> web.StreamResponse:
                principal = await identify(request, access)
                principal.require(permission)
                args = () if body is None else (await read_body(request, body),)
                key = request.headers.get(IDEMPOTENCY_KEY) if once else None
                if key is None or principal.staff is None:
                    return await fn(request, principal, *args)
                return await answered_once(request, principal.staff, key, lambda: fn(request, principal, *args))

            self.routes.route(method, path)(handler)
            self.endpoints.append(Endpoint(method, path, summary, tag, access, permission, body, query or {},
                                           responses or {200: "OK"}, once))
            return fn

        return register


async def read_body(request: web.Request, model: type[M]) -> M:
    raw = await request.read()
    if b"\\u0000" in raw or b"\x00" in raw:  # PostgreSQL text cannot hold NUL; refuse it for every backend
        raise InvalidInput(detail="text may not contain NUL characters")
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadJson() from exc
    return model.model_validate(data)  # a ValidationError becomes a 422 in the error middleware


IDEMPOTENCY_KEY = "Idempotency-Key"
KEY_FORM = re.compile(r"[A-Za-z0-9_.:\-]{8,64}")


async def answered_once(request: web.Request, staff: Staff, key: str,
                        call: Callable[[], Awaitable[web.StreamResponse]]) -> web.Response:
    """Do the call once for this key: a retry of the same request (a second press, a lost answer) gets the
    first answer with `replayed: true`; the same key on a different request is refused."""
    key = key.strip()
    if not KEY_FORM.fullmatch(key):
        raise InvalidInput(detail=f"{IDEMPOTENCY_KEY} must be 8 to 64 letters, digits or _.:-")
    digest = hashlib.sha256(f"{request.method} {request.path_qs}\n".encode() + await request.read()).hexdigest()

    async def step() -> dict[str, Any]:
        response = await call()
        assert isinstance(response, web.Response) and response.body is not None  # a JSON answer
        return {"status": response.status, "body": json.loads(bytes(response.body))}  # type: ignore[arg-type]

    answer = await apply_once(key, staff, REQUEST, f"{digest[:16]} {request.method} {request.path_qs}", step)
    if answer.get("replayed"):
        return reply({**answer["body"], "replayed": True})
    return reply(answer["body"], status=answer["status"])


def query_choice(request: web.Request, name: str, choices: type[StrEnum]) -> str | None:
    """A query parameter that must be one of an enum's values, or None when absent."""
    value = request.query.get(name)
    if value is not None and value not in choices.__members__.values():
        raise InvalidInput(detail=f"unknown {name} {value!r}; one of {', '.join(choices)}")
    return value


def reply(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda obj: json.dumps(obj, ensure_ascii=False, default=str))


# -- OpenAPI --------------------------------------------------------------------------------------------

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                   "details": {"type": "array", "items": {"type": "object"}}},
}


def openapi_document(apis: list[Api], version: str) -> dict[str, Any]:
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, dict[str, Any]] = {}
    for api in apis:
        for ep in api.endpoints:
            paths.setdefault(ep.path, {})[ep.method.lower()] = _operation(ep, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "fahuo", "version": version,
                 "description": "Order-to-dispatch: orders, stock, transfers and purchasing."},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "staff session from /api/auth/login"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "sales channel key"},
            },
        },
    }


def _operation(ep: Endpoint, schemas: dict[str, Any]) -> dict[str, Any]:
    slug = re.sub(r"[^a-z0-9]+", "_", ep.path.lower()).strip("_")
    op: dict[str, Any] = {"summary": ep.summary, "tags": [ep.tag], "operationId": f"{ep.method.lower()}_{slug}"}
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
              for name in re.findall(r"{(\w+)}", ep.path)]
    params += [{"name": name, "in": "query", "required": False, "description": desc, "schema": {"type": "string"}}
               for name, desc in ep.query.items()]
    if ep.once:
        params.append({"name": IDEMPOTENCY_KEY, "in": "header", "required": False, "schema": {
            "type": "string", "pattern": KEY_FORM.pattern}, "description": "a new random key per action; a "
            "retry with the same key is answered with the first answer (replayed: true) and changes nothing"})
    if params:
        op["parameters"] = params
    if ep.body is not None:
        schema = ep.body.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[ep.body.__name__] = schema
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{ep.body.__name__}"}}}}
    if ep.access == Access.STAFF:
        op["security"] = [{"bearer": []}]
    elif ep.access == Access.KEY_OR_STAFF:
        op["security"] = [{"apiKey": []}, {"bearer": []}]
    if ep.permission is not None:
        op["description"] = f"Needs the right to {ep.permission.value}."
    error_ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    responses: dict[str, Any] = {str(code): {"description": text} for code, text in ep.responses.items()}
    for code, text in ((400, "malformed JSON"), (401, "not signed in"), (403, "not allowed for this role"),
                       (404, "not found"), (409, "conflicts with the current state"), (422, "invalid input")):
        responses.setdefault(str(code), {"description": text, **error_ref})
    op["responses"] = responses
    return op
