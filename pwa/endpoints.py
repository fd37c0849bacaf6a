"""Declared endpoints: one declaration gives the route, its auth, body validation and its OpenAPI entry."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, TypeAdapter, create_model

from core.base.auth import Permission, Staff
from core.base.errors import InvalidInput
from core.base.fields import CarrierCode, Number, WarehouseCode
from core.base.i18n import language_of, phrase, render
from core.floor.scanning import REQUEST, apply_once
from pwa.security import Access, identify

M = TypeVar("M", bound=BaseModel)
Handler = Callable[..., Awaitable[web.StreamResponse]]


class BadJson(InvalidInput):
    code = "bad_json"


# Path parameters are typed by name unless a route says otherwise: a value the database cannot hold is refused
# with 422 before any handler runs, and the OpenAPI document shows the same bounds.
PATH_TYPES: dict[str, Any] = {"number": Number, "carrier": CarrierCode, "warehouse": WarehouseCode}


@dataclass
class Endpoint:
    method: str
    path: str
    summary: str
    tag: str
    access: Access
    permission: Permission | None
    body: type[BaseModel] | None
    params: type[BaseModel] | None
    query: type[BaseModel] | None
    returns: Any
    media: str | tuple[str, ...]
    responses: dict[int, str]
    once: bool


@dataclass
class Api:
    routes: web.RouteTableDef = field(default_factory=web.RouteTableDef)
    endpoints: list[Endpoint] = field(default_factory=list)

    def route(self, method: str, path: str, *, summary: str, tag: str, access: Access = Access.STAFF,
              permission: Permission | None = None, body: type[BaseModel] | None = None,
              query: type[BaseModel] | None = None, params: dict[str, Any] | None = None,
              returns: Any = None, media: str | tuple[str, ...] = "application/json",
              responses: dict[int, str] | None = None, once: bool = False) -> Callable[[Handler], Handler]:
        """Declare an endpoint. The handler gets the path parameters by name, and `body` and `query` (validated
        models) when declared. `returns` is the type of a JSON answer; other answers name their `media` type.
        `once`: a staff member's call sent with an Idempotency-Key is done once; a retry gets that answer."""
        if returns is None and media == "application/json":
            raise TypeError(f"{method} {path}: say what it returns")

        def register(fn: Handler) -> Handler:
            path_model = _path_model(fn.__name__, path, params or {})

            async def handler(request: web.Request) -> web.StreamResponse:
                principal = await identify(request, access)
                principal.require(permission)
                args: dict[str, Any] = dict(path_model.model_validate(dict(request.match_info))) \
                    if path_model else {}
                if query is not None:
                    # an empty parameter (`?warehouse=`) is one not given, as forms send it
                    args["query"] = query.model_validate({k: v for k, v in request.query.items() if v != ""})
                if body is not None:
                    args["body"] = await read_body(request, body)
                key = request.headers.get(IDEMPOTENCY_KEY) if once else None
                if key is None or principal.staff is None:
                    return await fn(request, principal, **args)
                return await answered_once(request, principal.staff, key, lambda: fn(request, principal, **args))

            self.routes.route(method, path)(handler)
            self.endpoints.append(Endpoint(method, path, summary, tag, access, permission, body, path_model, query,
                                           returns, media, responses or {200: "OK"}, once))
            return fn

        return register


def _path_model(name: str, path: str, types: dict[str, Any]) -> type[BaseModel] | None:
    names = re.findall(r"{(\w+)}", path)
    if not names:
        return None
    fields: dict[str, Any] = {n: (types.get(n) or PATH_TYPES[n], ...) for n in names}
    return create_model(f"{name}_path", **fields)


async def read_body(request: web.Request, model: type[M]) -> M:
    raw = await request.read()
    if b"\\u0000" in raw or b"\x00" in raw:  # PostgreSQL text cannot hold NUL; refuse it for every backend
        raise InvalidInput(detail=phrase("refuse.nul"))
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # RecursionError: nested thousands deep
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
        raise InvalidInput(detail=phrase("refuse.idempotency_key", header=IDEMPOTENCY_KEY))
    digest = hashlib.sha256(f"{request.method} {request.path_qs}\n".encode() + await request.read()).hexdigest()

    async def step() -> dict[str, Any]:
        response = await call()
        assert isinstance(response, web.Response) and response.body is not None  # a JSON answer
        return {"status": response.status, "body": json.loads(bytes(response.body))}  # type: ignore[arg-type]

    answer = await apply_once(key, staff, REQUEST, f"{digest[:16]} {request.method} {request.path_qs}", step)
    if answer.get("replayed"):
        return reply({**answer["body"], "replayed": True})
    return reply(answer["body"], status=answer["status"])


def language(request: web.Request) -> str:
    """The caller's language, by Accept-Language (the catalogue's one detector)."""
    return language_of(request.headers.get("Accept-Language"))


def said(request: web.Request, data: Any) -> Any:
    """An answer with the words the core left as phrases (prompts, notices) in the caller's language."""
    return render(data, language(request))


def reply(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda obj: json.dumps(obj, ensure_ascii=False, default=str))


# -- OpenAPI --------------------------------------------------------------------------------------------

REF = "#/components/schemas/{model}"
ERRORS = {400: "malformed JSON", 401: "not signed in", 403: "not allowed for this role", 404: "not found",
          409: "conflicts with the current state", 422: "invalid input"}
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


def _register(name: str, schema: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Add a named schema; two different models of one name would make the document describe the wrong one."""
    if name in schemas and schemas[name] != schema:
        raise ValueError(f"two different schemas are named {name}: give the models distinct names")
    schemas[name] = schema


def _schema_of(kind: Any, schemas: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema of a model or type; named models go to the components and are referred to."""
    schema = TypeAdapter(kind).json_schema(ref_template=REF)
    for name, sub in schema.pop("$defs", {}).items():
        _register(name, sub, schemas)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        _register(kind.__name__, schema, schemas)
        return {"$ref": REF.format(model=kind.__name__)}
    return schema


def _parameters(model: type[BaseModel] | None, where: str, schemas: dict[str, Any]) -> list[dict[str, Any]]:
    if model is None:
        return []
    schema = model.model_json_schema(ref_template=REF)
    for name, sub in schema.pop("$defs", {}).items():
        _register(name, sub, schemas)
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema["properties"].items():
        param = {"name": name, "in": where, "required": where == "path" or name in required}
        if "description" in prop:
            param["description"] = prop.pop("description")
        params.append({**param, "schema": {k: v for k, v in prop.items() if k != "title"}})
    return params


def _operation(ep: Endpoint, schemas: dict[str, Any]) -> dict[str, Any]:
    slug = re.sub(r"[^a-z0-9]+", "_", ep.path.lower()).strip("_")
    op: dict[str, Any] = {"summary": ep.summary, "tags": [ep.tag], "operationId": f"{ep.method.lower()}_{slug}"}
    params = _parameters(ep.params, "path", schemas) + _parameters(ep.query, "query", schemas)
    if ep.once:
        params.append({"name": IDEMPOTENCY_KEY, "in": "header", "required": False, "schema": {
            "type": "string", "pattern": f"^{KEY_FORM.pattern}$"}, "description": "a new random key per action; a "
            "retry with the same key is answered with the first answer (replayed: true) and changes nothing"})
    if params:
        op["parameters"] = params
    if ep.body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": _schema_of(ep.body,
                                                                                                     schemas)}}}
    if ep.access == Access.STAFF:
        op["security"] = [{"bearer": []}]
    elif ep.access == Access.KEY_OR_STAFF:
        op["security"] = [{"apiKey": []}, {"bearer": []}]
    if ep.permission is not None:
        op["description"] = f"Needs the right to {ep.permission.value}."
    answer = _schema_of(ep.returns, schemas) if ep.returns is not None else {"type": "string", "format": "binary"}
    media = (ep.media,) if isinstance(ep.media, str) else ep.media
    content = {m: {"schema": answer} for m in media}
    answers = {**({200: "a retry with the same Idempotency-Key: the first answer (replayed: true)"} if ep.once
                   else {}), **ep.responses}
    responses: dict[str, Any] = {str(code): {"description": text, "content": content}
                                 for code, text in answers.items() if code < 400}
    error_ref = {"content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}}}
    errors = {**ERRORS, **{code: text for code, text in ep.responses.items() if code >= 400}}
    responses.update({str(code): {"description": text, **error_ref} for code, text in errors.items()})
    op["responses"] = responses
    return op
