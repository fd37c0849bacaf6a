"""Staff sign-in for the PWA and the API."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, ConfigDict, StringConstraints

from core.base.auth import SessionGrant, login, logout, redeem_login_link
from pwa.endpoints import Api, reply
from pwa.responses import SessionOut, SignedOut, Staffer
from pwa.security import Access, Principal, bearer_token
from pwa.state import SETTINGS

api = Api()


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


def _staff_json(who: Principal) -> dict[str, str]:
    assert who.staff is not None
    return {"username": who.staff.username, "role": who.staff.role.value, "display_name": who.staff.display_name}


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: Annotated[str, StringConstraints(strip_whitespace=True, min_length=20, max_length=64)]


def _granted(grant: SessionGrant) -> web.Response:
    staff = Principal(actor=grant.staff.actor, staff=grant.staff)
    return reply({"token": grant.token, "expires_at": grant.expires_at.isoformat(), "staff": _staff_json(staff)})


@api.route("POST", "/api/auth/login", summary="Sign in; returns a bearer token", tag="auth",
           access=Access.PUBLIC, body=LoginIn, returns=SessionOut)
async def post_login(request: web.Request, who: Principal, body: LoginIn) -> web.Response:
    return _granted(await login(body.username, body.password, request.app[SETTINGS].session_hours,
                                device=request.headers.get("User-Agent", ""), address=request.remote or ""))


@api.route("POST", "/api/auth/link", summary="Sign in with a one-time link the bot sent", tag="auth",
           access=Access.PUBLIC, body=LinkIn, returns=SessionOut)
async def post_link(request: web.Request, who: Principal, body: LinkIn) -> web.Response:
    return _granted(await redeem_login_link(body.token, request.app[SETTINGS].session_hours,
                                            device=request.headers.get("User-Agent", "")))


@api.route("POST", "/api/auth/logout", summary="End this session", tag="auth", returns=SignedOut)
async def post_logout(request: web.Request, who: Principal) -> web.Response:
    await logout(bearer_token(request) or "")
    return reply({"signed_out": True})


@api.route("GET", "/api/auth/me", summary="Who this session belongs to", tag="auth", returns=Staffer)
async def get_me(request: web.Request, who: Principal) -> web.Response:
    return reply(_staff_json(who))
