"""Customers: who orders, where they live, and how they may pay.

A customer is found by phone, so a phone is stored and matched in one form only, E.164 (`+8613800001111`):
the shop's `+86 138 0000 1111`, Telegram's `8613800001111` and a clerk's `138-0000-1111` are one person.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import phonenumbers
from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError
from tortoise import fields
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.auth import Staff, staff_of_telegram
from core.base.db import select
from core.base.errors import InvalidInput
from core.base.i18n import LANGUAGES, zone_named
from core.base.phones import display_phone
from core.base.places import written

REGION = "CN"  # a number written without its country code is a Chinese one


class Customer(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    phone = fields.CharField(max_length=32, null=True, unique=True)
    email = fields.CharField(max_length=200, default="")
    telegram_id = fields.BigIntField(null=True, unique=True)
    language = fields.CharField(max_length=8, default="zh")
    province = fields.CharField(max_length=64, default="")
    city = fields.CharField(max_length=64, default="")
    district = fields.CharField(max_length=64, default="")
    line1 = fields.CharField(max_length=300, default="")
    postcode = fields.CharField(max_length=16, default="")
    adcode = fields.CharField(max_length=12, default="")  # the place, as deep as known (core.base.regions)
    lat = fields.FloatField(null=True)
    lon = fields.FloatField(null=True)
    credit_limit = fields.DecimalField(max_digits=12, decimal_places=2, default=0)
    cod_allowed = fields.BooleanField(default=True)
    partial_shipment = fields.BooleanField(default=False)
    blocked = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    # the IANA time zone the bot and the tracking page tell them times in; empty for the company's
    timezone = fields.CharField(max_length=64, default="")

    class Meta:
        table = "customer"

    def __str__(self) -> str:
        return self.name

    def zone(self, company: ZoneInfo) -> ZoneInfo:
        return zone_named(self.timezone, company)


class ChatLanguage(Model):
    """The language a Telegram chat chose with /lang, kept whether or not the chat is linked to anyone yet:
    a stranger who switches keeps the choice, and brings it along when they share their phone."""

    id = fields.IntField(primary_key=True)
    telegram_id = fields.BigIntField(unique=True)
    language = fields.CharField(max_length=8)

    class Meta:
        table = "chat_language"


class BadPhone(InvalidInput):
    code = "bad_phone"


@cache
def _zones_by_country() -> dict[str, list[str]]:
    """The IANA zone table (zone.tab, shipped with the tzdata package zoneinfo falls back on): each country's
    zones."""
    zones: dict[str, list[str]] = {}
    table = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    for line in table.splitlines():
        if line and not line.startswith("#"):
            country, _, name = line.split("\t")[:3]
            zones.setdefault(country, []).append(name)
    return zones


def country_zone(country: str) -> str:
    """The time zone of a country whose clocks all agree (Germany: Berlin and Büsingen keep the same time;
    Japan, Singapore): a customer there is told times in its first-listed zone. A country of several clocks
    (the US, Russia, Brazil) gives none, since the address alone would be a guess; such a customer keeps the
    company's until someone sets theirs."""
    zones = _zones_by_country().get(country.upper(), [])
    year = datetime.now(UTC).year
    seasons = [datetime(year, month, 15, 12, tzinfo=UTC) for month in (1, 7)]  # winter and summer time
    clocks = {tuple(moment.astimezone(ZoneInfo(name)).utcoffset() for moment in seasons) for name in zones}
    return zones[0] if len(clocks) == 1 else ""


async def customer_zone(customer_id: int, company: ZoneInfo) -> ZoneInfo:
    """The time zone the customer with this id is told times in (the company's where they keep none)."""
    return zone_named(await Customer.filter(id=customer_id).first().values_list("timezone", flat=True), company)


def e164(raw: str) -> str:
    """`raw` in E.164; BadPhone when it is not a valid number (a Chinese one unless it says otherwise)."""
    text = raw.strip()[:40]  # the library refuses long input itself; this keeps the message short
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise BadPhone(phone=text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _phone_field(raw: str) -> str:
    try:
        return e164(raw)
    except BadPhone as exc:
        raise PydanticCustomError("invalid_phone", "not a valid phone number") from exc  # a catalogue code


# the one phone type of every input model: what passes is already E.164
Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
                  AfterValidator(_phone_field)]


async def customer_by_phone(phone: str) -> Customer | None:
    """The customer with this phone (already in E.164): every intake asks (a plain statement)."""
    found = await select(Customer, 'SELECT * FROM "customer" WHERE "phone"=?', phone)
    return found[0] if found else None


async def link_telegram(phone: str, telegram_id: int, name: str, language: str) -> Customer:
    """The customer with this phone (made now when there is none), linked to this Telegram account alone."""
    normalised = e164(phone)
    async with in_transaction():
        found = await Customer.get_or_none(phone=normalised)
        # one Telegram account belongs to one customer: an earlier link moves here
        await Customer.filter(telegram_id=telegram_id).exclude(phone=normalised).update(telegram_id=None)
        if found is None:
            return await Customer.create(name=name, phone=normalised, telegram_id=telegram_id, language=language)
        await Customer.filter(id=found.id).update(telegram_id=telegram_id)
    found.telegram_id = telegram_id
    return found


async def customer_of_telegram(telegram_id: int) -> Customer | None:
    """The customer linked to this Telegram account. Every bot update asks this, so it is one plain statement
    (bench/bot.py)."""
    found = await select(Customer, 'SELECT * FROM "customer" WHERE "telegram_id" = ?', telegram_id)
    return found[0] if found else None


async def people_of_telegram(telegram_id: int) -> tuple[Customer | None, Staff | None]:
    """Who writes from this Telegram account: a customer, a staff member, both or neither. Asked afresh each
    time, never remembered: a link made elsewhere or a staff member switched off counts at once."""
    return await customer_of_telegram(telegram_id), await staff_of_telegram(telegram_id)


class UnknownLanguage(InvalidInput):
    code = "unknown_language"


async def set_chat_language(telegram_id: int, language: str) -> None:
    """A chat's /lang choice: kept for the chat itself, and given to the customer and the staff member linked
    to it (when there are), so every later message of the bot is in it."""
    if language not in LANGUAGES:
        raise UnknownLanguage(language=language[:8], known=", ".join(LANGUAGES))
    async with in_transaction():
        # one statement (INSERT … ON CONFLICT DO UPDATE), so two quick /lang presses cannot race to insert the
        # same chat twice
        await ChatLanguage.bulk_create([ChatLanguage(telegram_id=telegram_id, language=language)],
                                       on_conflict=["telegram_id"], update_fields=["language"])
        await Customer.filter(telegram_id=telegram_id).update(language=language)
        await Staff.filter(telegram_id=telegram_id).update(language=language)


async def chat_language(telegram_id: int) -> str | None:
    """The language this chat chose with /lang, or None when it never did (then Telegram's own setting
    decides). Asked for chats linked to nobody: a linked person's own language comes first."""
    chosen = await ChatLanguage.get_or_none(telegram_id=telegram_id).values_list("language", flat=True)
    return str(chosen) if chosen is not None else None

MIN_PHONE_DIGITS = 4  # fewer digits than this are more likely part of a name or an address


async def find_customers(query: str, limit: int = 10) -> list[dict[str, Any]]:
    """Customers whose phone holds the digits typed (in any spelling: `138 0000`, `+86-138…`) or whose name
    holds the text: what staff taking an order by phone search by."""
    digits = re.sub(r"\D", "", query)
    text = query.strip()
    if len(digits) >= MIN_PHONE_DIGITS:
        found = Customer.filter(phone__contains=digits)
    elif text:
        found = Customer.filter(Q(name__icontains=text) | Q(email__icontains=text))
    else:
        return []
    return [{"id": c.id, "name": c.name, "phone": c.phone, "phone_display": display_phone(c.phone),
             "province": c.province, "city": c.city,
             "district": c.district, "line1": c.line1, "postcode": c.postcode, "blocked": c.blocked,
             "written": written(c.province, c.city, c.district, c.line1),
             "cod_allowed": c.cod_allowed} for c in await found.order_by("name", "id").limit(limit)]
