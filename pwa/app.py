"""The aiohttp application: the JSON API, its error handling, and the static PWA."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from aiohttp import web
from pydantic import ValidationError

from core.base.db import close_db, open_db, ping
from core.base.errors import DomainError, validation_problems
from core.base.i18n import CLAUSE_SEPARATOR, app_words, text
from core.base.settings import Settings
from core.base.throttle import TooManySignIns
from core.orders.notifications import notifier_health
from core.webhooks import webhook_health
from pwa import (
    addresses_api,
    aftersales_api,
    auth_api,
    channels_api,
    jobs_api,
    lists_api,
    logistics_api,
    orders_api,
    payments_api,
    phone_orders_api,
    printing_api,
    route_plans_api,
    stock_api,
    stuck_api,
    tracking_api,
    transfers_api,
    webhooks_api,
)
from pwa.endpoints import language, openapi_document, reply
from pwa.state import SETTINGS

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
APIS = [auth_api.api, orders_api.api, lists_api.api, stock_api.api, logistics_api.api, printing_api.api,
        tracking_api.api, aftersales_api.api, payments_api.api, transfers_api.api, phone_orders_api.api,
        route_plans_api.api, channels_api.api, webhooks_api.api, addresses_api.api, jobs_api.api, stuck_api.api]

STATUS_OF = {
    "validation_error": 422, "bad_json": 400, "not_found": 404, "unknown_sku": 422, "unknown_location": 422,
    "customs_missing": 422,
    "out_of_stock": 409, "invalid_transition": 409, "unauthorized": 401, "bad_login": 401, "forbidden": 403,
    "conflict": 409, "import_failed": 422, "wrong_scan": 409, "bad_phone": 422,
    "id_taken": 409, "id_reused": 422,
    "too_many_sign_ins": 429, "aftersales_over_claim": 422, "aftersales_not_in_order": 422,
    "aftersales_over_approval": 422, "aftersales_refund_too_big": 422, "aftersales_amount_without_refund": 422,
    "aftersales_nothing_approved": 422, "requested_date_too_early": 422,
    "unknown_language": 422, "not_on_plan": 404, "bad_signature": 401,
    "webhook.private_url": 422,
}


def _error(code: str, message: str, status: int, **extra: object) -> web.Response:
    return reply({"error": code, "message": message, **extra}, status=status)


@web.middleware
async def errors_as_json(request: web.Request, handler: web.Handler) -> web.StreamResponse:
    """Every failure leaves as {error, message}: domain errors and bad input as 4xx, never a bare 500."""
    lang = language(request)
    try:
        return await handler(request)
    except DomainError as exc:
        response = _error(exc.code, exc.message(lang), STATUS_OF.get(exc.code, 409))
        if isinstance(exc, TooManySignIns):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except ValidationError as exc:
        details = validation_problems(exc, lang)
        summary = CLAUSE_SEPARATOR[lang].join(text("invalid.field", lang, field=d["name"], problem=d["problem"])
                                              for d in details[:5])
        return _error("validation_error", text("validation_error", lang, detail=summary), 422, details=details)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return _http_error(exc, request, lang)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _error("internal", text("internal", lang), 500)


def _http_error(exc: web.HTTPException, request: web.Request, lang: str) -> web.Response:
    """aiohttp's own refusals (no such route, wrong method, too large) as {error, message}, keeping the headers
    that belong to them: a 405 must still say which methods are allowed (Allow)."""
    if isinstance(exc, web.HTTPMethodNotAllowed):
        allowed = ", ".join(sorted(exc.allowed_methods))
        code, message = "method_not_allowed", text("method_not_allowed", lang, method=exc.method,
                                                   path=request.path, allowed=allowed)
    elif isinstance(exc, web.HTTPNotFound):
        code, message = "not_found", text("no_route", lang, path=request.path)
    elif isinstance(exc, web.HTTPRequestEntityTooLarge):
        code, message = "too_large", text("too_large", lang)
    else:
        code, message = exc.reason.lower().replace(" ", "_"), text("http_error", lang, status=exc.status)
    response = _error(code, message, exc.status)
    for name, value in exc.headers.items():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


async def healthz(request: web.Request) -> web.Response:
    await ping()
    # a backlog that only grows means Telegram messages are stuck (they are kept, and retried)
    return reply({"status": "ok", "notifications": await notifier_health("telegram"),
                  "webhooks": await webhook_health()})


async def openapi(request: web.Request) -> web.Response:
    return reply(request.app[OPENAPI])


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


async def service_worker(request: web.Request) -> web.FileResponse:
    # served from the root so that it may control the whole app; never cached, so updates arrive
    return web.FileResponse(STATIC / "sw.js", headers={"Cache-Control": "no-cache",
                                                       "Content-Type": "text/javascript"})


async def texts(request: web.Request) -> web.Response:
    """The staff app's words in every language, and the language this browser asks for (the one detector,
    on the browser's own Accept-Language). Outside /api/ so that the service worker keeps it for offline use."""
    response = reply({"language": language(request), "words": app_words()})
    response.headers.update({"Cache-Control": "no-cache", "Vary": "Accept-Language"})
    return response


async def manifest(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "manifest.webmanifest", headers={"Content-Type": "application/manifest+json"})


OPENAPI = web.AppKey("openapi", dict)


def _version() -> str:
    try:
        return version("fahuo")
    except PackageNotFoundError:
        return "0.0.0"


@functools.cache
def _openapi() -> dict:
    """The OpenAPI document, built once per process: it follows from the endpoints alone, and building it (a
    JSON schema for every model) takes a noticeable part of a second."""
    return openapi_document(APIS, _version())


def create_app(settings: Settings, *, manage_db: bool = True) -> web.Application:
    """The web app. With `manage_db` it opens (and migrates) the database itself and closes it at the end."""
    app = web.Application(middlewares=[errors_as_json], client_max_size=2 * 1024 * 1024)
    app[SETTINGS] = settings
    app[OPENAPI] = _openapi()
    if manage_db:
        async def database(_: web.Application) -> AsyncIterator[None]:
            await open_db(settings)
            yield
            await close_db()

        app.cleanup_ctx.append(database)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/api/openapi.json", openapi)
    for api in APIS:
        app.router.add_routes(api.routes)
    app.router.add_get("/", index)
    app.router.add_get("/sw.js", service_worker)
    app.router.add_get("/manifest.webmanifest", manifest)
    app.router.add_get("/texts.json", texts)
    app.router.add_static("/static/", STATIC)
    app.router.add_get("/media/{path:.+}", media)
    return app


async def media(request: web.Request) -> web.FileResponse:
    """Pictures kept as files under the media folder (products'), never anything outside it."""
    root = request.app[SETTINGS].media_dir.resolve()
    path = (root / request.match_info["path"]).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})
