"""Paying online over HTTP: the payment provider's signed callback, and the simulated provider's checkout page.

The page at /pay/{token} is the simulated provider's own site, served by fahuo so that "pay online" leads
somewhere without any account: pressing Pay is paying, and the provider then sends its signed callback to
/api/payments/simulated/callback over HTTP, exactly as a real one would from outside. Only that callback
marks the order paid.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import aiohttp
from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import StringConstraints, TypeAdapter, ValidationError

from core.base.errors import Conflict, NotFound
from core.base.i18n import LANGUAGES, text
from core.orders.customers import customer_zone
from core.orders.payments import (
    Checkout,
    CheckoutState,
    Notice,
    NoticeIn,
    SimulatedProvider,
    checkout,
    pay_simulated,
    receive_callback,
)
from pwa.endpoints import Api, reply
from pwa.responses import PaymentCallbackOut
from pwa.security import Access, Principal
from pwa.state import SETTINGS

api = Api()
SIGNATURE = "X-Fahuo-Signature"
ProviderCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,32}$")]
PaymentToken = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_\-]{16,64}$")]  # secrets.token_urlsafe
_TOKEN: TypeAdapter[str] = TypeAdapter(PaymentToken)
_pages = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                     autoescape=select_autoescape(["html"]))


@api.route("POST", "/api/payments/{provider}/callback",
           summary="A payment provider says an order was paid; X-Fahuo-Signature is the HMAC-SHA256 (hex) of the body",
           tag="orders", access=Access.PUBLIC, params={"provider": ProviderCode}, body=NoticeIn,
           returns=PaymentCallbackOut,
           responses={200: "recorded (a repeat changes nothing: replayed)", 401: "the signature does not match",
                      404: "no such payment", 409: "the sum or currency is not the one asked"})
async def post_callback(request: web.Request, who: Principal, provider: str, body: NoticeIn) -> web.Response:
    notice = Notice(await request.read(), request.headers.get(SIGNATURE, ""))  # the signature covers the bytes
    result = await receive_callback(provider, notice, request.app[SETTINGS])
    return reply({"order": result.order, "payment": result.payment.value, "replayed": result.replayed})


def _language(request: web.Request) -> str:
    asked = request.query.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return "zh" if request.headers.get("Accept-Language", "").lower().startswith("zh") else "en"


def _page(request: web.Request, state: str, status: int = 200, **view: Any) -> web.Response:
    lang = _language(request)

    def say(key: str, **params: Any) -> str:
        return text(f"pay.{key}", lang, **params)

    company = request.app[SETTINGS].company_name  # the payee, as on its papers
    html = _pages.get_template("pay.html").render(lang=lang, state=state, say=say, company=company, **view)
    return web.Response(text=html, status=status, content_type="text/html",
                        headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex",
                                 "Referrer-Policy": "no-referrer"})  # the token is the key: keep it out of logs


def _money(amount: Any, currency: str, lang: str) -> str:
    if currency == "CNY":
        return f"¥{amount}"
    return f"{amount} {currency}"


async def _checkout_or_none(request: web.Request) -> Checkout | None:
    try:
        return await checkout(_TOKEN.validate_python(request.match_info["token"]))
    except (ValidationError, NotFound):
        return None


async def pay_page(request: web.Request) -> web.Response:
    """The checkout page behind the link the customer was sent: the order, the sum, and Pay."""
    found = await _checkout_or_none(request)
    if found is None:
        return _page(request, "unknown", status=404)
    settings = request.app[SETTINGS]
    lang = _language(request)
    return _page(request, found.state.value, status=410 if found.state == CheckoutState.EXPIRED else 200,
                 order=found.order.number, total=_money(found.payment.amount, found.payment.currency, lang),
                 lines=[{**line, "name": line["name_zh"] or line["name"] if lang == "zh" else line["name"]}
                        for line in found.lines],
                 until=found.payment.expires_at.astimezone(
                     await customer_zone(found.order.customer_id, settings.tz)).strftime("%H:%M"),
                 token=found.payment.token)


async def pay(request: web.Request) -> web.StreamResponse:
    """Pressing Pay: the simulated provider takes the money and tells fahuo by its signed callback, over HTTP,
    then the customer sees the page again (paid, or why not)."""
    found = await _checkout_or_none(request)
    if found is None:
        return _page(request, "unknown", status=404)
    back = f"/pay/{found.payment.token}?lang={_language(request)}"
    try:
        notice = await pay_simulated(found.payment.token, request.app[SETTINGS])
    except Conflict:
        raise web.HTTPSeeOther(back) from None  # paid, expired or closed meanwhile: the page says which
    if not await _deliver(request, notice):
        return _page(request, "failed", status=502, order=found.order.number, token=found.payment.token)
    raise web.HTTPSeeOther(back)


async def _deliver(request: web.Request, notice: Notice) -> bool:
    """The provider's callback, sent to this very server by the address the customer's request came in on
    (never by a Host header the sender chose)."""
    host, port = request.transport.get_extra_info("sockname")[:2] if request.transport else ("127.0.0.1", 0)
    where = f"[{host}]" if ":" in host else host
    url = f"http://{where}:{port}/api/payments/{SimulatedProvider.code}/callback"
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session, session.post(
                url, data=notice.body, headers={SIGNATURE: notice.signature, "Content-Type": "application/json"}
        ) as answer:
            return answer.status == 200
    except aiohttp.ClientError:
        return False


api.routes.get("/pay/{token}")(pay_page)
api.routes.post("/pay/{token}")(pay)
