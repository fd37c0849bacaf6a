"""Staff, their roles and sessions, and API keys for sales channels.

Passwords are argon2id hashes (core.base.passwords) and sign-in attempts are throttled (core.base.throttle); session
tokens and API keys are stored as SHA-256 digests, so a copy of the database does not let anyone sign in.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from core.base.db import fetch, select
from core.base.errors import BadLogin, Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from core.base.i18n import Phrase, phrase
from core.base.passwords import decoy_hash, hash_password, needs_upgrade, off_loop, verify_password
from core.base.throttle import count_attempt, take_back_attempt


class Role(StrEnum):
    PICKER = "picker"
    PACKER = "packer"
    DISPATCHER = "dispatcher"
    MANAGER = "manager"
    ADMIN = "admin"


class Permission(StrEnum):
    PLACE_ORDER = "place orders"
    VIEW_ORDERS = "view orders"
    REVIEW_ORDERS = "approve or reject orders"
    CANCEL_ORDERS = "cancel orders"
    VIEW_STOCK = "view stock"
    RECEIVE_STOCK = "receive stock"
    ADJUST_STOCK = "adjust stock"
    TRANSFER_STOCK = "move stock between warehouses"
    MANAGE_PURCHASING = "manage purchase orders"
    PICK = "pick orders"
    PACK = "pack orders"
    DISPATCH = "load and dispatch shipments"
    PLAN_DELIVERIES = "manage carriers, vehicles and delivery plans"
    HANDLE_AFTERSALES = "handle after-sales requests"
    OPEN_AFTERSALES = "open after-sales requests"
    VIEW_REPORTS = "view reports"
    RECEIVE_ALERTS = "receive manager alerts"
    MANAGE_PRINTERS = "set up label printers"
    MANAGE_WEBHOOKS = "manage webhook subscriptions"
    MANAGE_WAREHOUSES = "set up warehouses"
    MANAGE_CHANNELS = "look after shop channels"
    MANAGE_JOBS = "look after work waiting to be done"


_ALL_STAFF = frozenset(Role)
_FLOOR_LEADS = frozenset({Role.MANAGER, Role.ADMIN})
ROLE_PERMISSIONS: dict[Permission, frozenset[Role]] = {
    Permission.PLACE_ORDER: _FLOOR_LEADS,
    Permission.VIEW_ORDERS: _ALL_STAFF,
    Permission.REVIEW_ORDERS: _FLOOR_LEADS,
    Permission.CANCEL_ORDERS: _FLOOR_LEADS,
    Permission.VIEW_STOCK: _ALL_STAFF,
    Permission.RECEIVE_STOCK: frozenset({Role.PACKER, Role.DISPATCHER, Role.MANAGER, Role.ADMIN}),
    Permission.ADJUST_STOCK: _FLOOR_LEADS,
    Permission.TRANSFER_STOCK: frozenset({Role.DISPATCHER, Role.MANAGER, Role.ADMIN}),
    Permission.MANAGE_PURCHASING: _FLOOR_LEADS,
    Permission.PICK: frozenset({Role.PICKER, Role.PACKER, Role.MANAGER, Role.ADMIN}),
    Permission.PACK: frozenset({Role.PACKER, Role.MANAGER, Role.ADMIN}),
    Permission.DISPATCH: frozenset({Role.DISPATCHER, Role.MANAGER, Role.ADMIN}),
    Permission.PLAN_DELIVERIES: frozenset({Role.DISPATCHER, Role.MANAGER, Role.ADMIN}),
    Permission.HANDLE_AFTERSALES: _FLOOR_LEADS,
    Permission.OPEN_AFTERSALES: _FLOOR_LEADS,
    Permission.VIEW_REPORTS: _FLOOR_LEADS,
    Permission.RECEIVE_ALERTS: _FLOOR_LEADS,
    Permission.MANAGE_PRINTERS: _FLOOR_LEADS,
    Permission.MANAGE_WEBHOOKS: _FLOOR_LEADS,
    Permission.MANAGE_WAREHOUSES: _FLOOR_LEADS,
    Permission.MANAGE_CHANNELS: _FLOOR_LEADS,
    Permission.MANAGE_JOBS: _FLOOR_LEADS,
}


def permission_words(permission: Permission) -> Phrase:
    """What a permission lets one do, to be said in the reader's language ("审核或拒绝订单"); the enum's own
    value stays the English for programs and logs."""
    return phrase(f"permission.{permission.name.lower()}")


def roles_with(permission: Permission) -> frozenset[Role]:
    """The roles that hold a permission: the one table the API, the bot and the core all ask."""
    return ROLE_PERMISSIONS[permission]


def may(staff: Staff | None, permission: Permission) -> bool:
    """Whether this person (perhaps nobody known) holds the permission."""
    return staff is not None and staff.may(permission)


class Staff(Model):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    display_name = fields.CharField(max_length=200, default="")
    role = fields.CharEnumField(Role, max_length=16)
    password_hash = fields.CharField(max_length=200, default="")
    telegram_id = fields.BigIntField(null=True, unique=True)
    language = fields.CharField(max_length=8, default="zh")
    active = fields.BooleanField(default=True)
    muted_alerts: list[str] = fields.JSONField(default=list)  # type: ignore[assignment]  # alert kinds switched off
    # where this person works: their alerts about one warehouse (a transfer it must send, its low stock) come
    # only from there; none means the whole company. An id, not a relation: warehouses belong to a later stage.
    warehouse_id = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "staff"

    def may(self, permission: Permission) -> bool:
        return self.active and self.role in roles_with(permission)

    def require(self, permission: Permission) -> None:
        if not self.may(permission):
            raise Forbidden(role=phrase(f"status.role.{self.role.value}"), action=permission_words(permission))

    @property
    def actor(self) -> str:
        return f"staff:{self.username}"


class StaffSession(Model):
    id = fields.IntField(primary_key=True)
    staff: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "fahuo.Staff", related_name="sessions", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    device = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    revoked = fields.BooleanField(default=False)

    class Meta:
        table = "staff_session"


class LoginLink(Model):
    """A one-time sign-in link, sent by the bot to a linked staff member's Telegram: short-lived, used once."""

    id = fields.IntField(primary_key=True)
    staff: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "fahuo.Staff", related_name="login_links", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "login_link"


class ApiKey(Model):
    id = fields.IntField(primary_key=True)
    channel = fields.CharField(max_length=32)
    key_hash = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=16)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "api_key"


# -- tokens ---------------------------------------------------------------------------------------------

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- services -------------------------------------------------------------------------------------------

MIN_PASSWORD = 8


async def add_staff(username: str, role: Role, password: str, display_name: str = "") -> Staff:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(detail=phrase("refuse.short_password", least=MIN_PASSWORD))
    if await Staff.exists(username=username):
        raise Conflict(detail=phrase("refuse.staff_exists", username=username))
    return await Staff.create(
        username=username, role=role, password_hash=await off_loop(hash_password, password), display_name=display_name
    )


async def people_of(usernames: Collection[str]) -> dict[str, str]:
    """Who each login is, as papers and screens name them: their display name, else the login itself (a login
    no longer on the staff, or an actor that is no one's login, is shown as it was recorded)."""
    named = dict(await Staff.filter(username__in=list(usernames)).exclude(display_name="")
                 .values_list("username", "display_name")) if usernames else {}
    return {username: str(named.get(username) or username) for username in usernames}


async def person_of(username: str | None) -> str | None:
    """`people_of` for one login (None or empty as it is)."""
    return (await people_of([username]))[username] if username else username


async def link_staff_telegram(username: str, telegram_id: int) -> bool:
    """Link a staff member to their Telegram account (alerts, `/login`); False when no one has that name."""
    return bool(await Staff.filter(username=username).update(telegram_id=telegram_id))


async def set_staff_warehouse(username: str, warehouse_id: int | None) -> bool:
    """Tie a staff member to one warehouse (their alerts about a warehouse come only from it), or to the whole
    company with None; False when no one has that name."""
    return bool(await Staff.filter(username=username).update(warehouse_id=warehouse_id))


@dataclass(frozen=True)
class SessionGrant:
    token: str
    staff: Staff
    expires_at: datetime


async def login(username: str, password: str, hours: int, device: str = "", address: str = "") -> SessionGrant:
    """A session for the right password. Attempts are counted per account and per client `address` first
    (TooManySignIns past the limit, even with the right password); the hash is checked off the event loop."""
    await count_attempt(username, address)
    staff = await Staff.get_or_none(username=username, active=True)
    # unknown names are checked against a decoy hash, so the time taken does not tell who exists
    stored = staff.password_hash if staff else await off_loop(decoy_hash)
    if not await off_loop(verify_password, password, stored) or staff is None:
        raise BadLogin()
    await take_back_attempt(username, address)
    if needs_upgrade(stored):  # an scrypt hash of old, or argon2 with weaker parameters than today's
        fresh = await off_loop(hash_password, password)
        await Staff.filter(id=staff.id, password_hash=stored).update(password_hash=fresh)
    return await _session_for(staff, hours, device)


LINK_MINUTES = 15


async def issue_login_link(username: str) -> str:
    """A token for `/#/link/<token>`: it signs the staff member in once, within LINK_MINUTES."""
    staff = await Staff.get_or_none(username=username, active=True)
    if staff is None:
        raise NotFound(what="staff member", key=username)
    token = secrets.token_urlsafe(32)
    await LoginLink.create(staff=staff, token_hash=_digest(token),
                           expires_at=datetime.now(UTC) + timedelta(minutes=LINK_MINUTES))
    return token


async def redeem_login_link(token: str, hours: int, device: str = "") -> SessionGrant:
    now = datetime.now(UTC)
    link = await LoginLink.filter(token_hash=_digest(token)).select_related("staff").first()
    # used once: the guarded update lets only one of two simultaneous clicks through
    if link is None or link.expires_at <= now or not link.staff.active or not await LoginLink.filter(
            id=link.id, used_at__isnull=True).update(used_at=now):
        raise Unauthorized(detail=phrase("refuse.link_used"))
    return await _session_for(link.staff, hours, device)


async def _session_for(staff: Staff, hours: int, device: str) -> SessionGrant:
    token = secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(hours=hours)
    await StaffSession.create(staff=staff, token_hash=_digest(token), device=device[:200], expires_at=expires)
    return SessionGrant(token=token, staff=staff, expires_at=expires)


async def staff_for_token(token: str) -> Staff:
    session = await StaffSession.filter(token_hash=_digest(token), revoked=False).select_related("staff").first()
    if session is None or session.expires_at <= datetime.now(UTC) or not session.staff.active:
        raise Unauthorized(detail=phrase("refuse.session_expired"))
    return session.staff


async def logout(token: str) -> None:
    await StaffSession.filter(token_hash=_digest(token)).update(revoked=True)


async def add_api_key(channel: str) -> str:
    """A new key for `channel`; only its digest is kept, so the caller must show it now."""
    key = f"fh_{secrets.token_urlsafe(24)}"
    await ApiKey.create(channel=channel, key_hash=_digest(key), prefix=key[:8])
    return key


async def api_key_for(key: str) -> tuple[int, str]:
    """The key's id and its channel. Every API call asks this: one plain indexed look-up."""
    rows = await fetch('SELECT "id", "channel" FROM "api_key" WHERE "key_hash"=? AND "active"', _digest(key))
    if not rows:
        raise Unauthorized(detail=phrase("refuse.api_key"))
    return int(rows[0]["id"]), str(rows[0]["channel"])


async def staff_of_telegram(telegram_id: int) -> Staff | None:
    """The active staff member linked to this Telegram account. Every bot update asks this, so it is one plain
    statement: building the query through the ORM costs more than running it (bench/bot.py)."""
    found = await select(Staff, 'SELECT * FROM "staff" WHERE "telegram_id" = ? AND "active"', telegram_id)
    return found[0] if found else None
