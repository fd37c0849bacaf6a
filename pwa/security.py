"""Who is calling: a signed-in staff member (bearer token) or a sales channel (API key)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from aiohttp import web

from core.base.auth import Permission, Staff, api_key_for, permission_words, staff_for_token
from core.base.errors import Forbidden, Unauthorized
from core.base.i18n import phrase


class Access(StrEnum):
    PUBLIC = "public"
    STAFF = "staff"
    KEY_OR_STAFF = "key_or_staff"


# what a sales channel's key may do; staff rights come from their role
CHANNEL_PERMISSIONS = frozenset({Permission.PLACE_ORDER, Permission.VIEW_ORDERS, Permission.CANCEL_ORDERS,
                                 Permission.VIEW_STOCK, Permission.OPEN_AFTERSALES, Permission.MANAGE_WEBHOOKS})


@dataclass(frozen=True)
class Principal:
    actor: str
    staff: Staff | None = None
    channel: str | None = None  # set for API-key callers: they see only their channel's orders
    key_id: int | None = None  # the API key's id: what it subscribed to webhooks is its own

    def require(self, permission: Permission | None) -> None:
        if permission is None:
            return
        if self.staff is not None:
            self.staff.require(permission)
        elif permission not in CHANNEL_PERMISSIONS:
            raise Forbidden(role=phrase("sales_channel", channel=self.channel), action=permission_words(permission))

    def may_see_channel(self, channel: str) -> bool:
        return self.channel is None or self.channel == channel


ANONYMOUS = Principal(actor="anonymous")


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def identify(request: web.Request, access: Access) -> Principal:
    if access == Access.PUBLIC:
        return ANONYMOUS
    token = bearer_token(request)
    if token:
        staff = await staff_for_token(token)
        return Principal(actor=staff.actor, staff=staff)
    key = request.headers.get("X-API-Key", "").strip()
    if access == Access.KEY_OR_STAFF and key:
        key_id, channel = await api_key_for(key)
        return Principal(actor=f"api:{channel}", channel=channel, key_id=key_id)
    raise Unauthorized(detail=phrase("refuse.needs_key_or_token" if access == Access.KEY_OR_STAFF
                                     else "refuse.needs_token"))
