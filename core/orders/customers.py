"""Customers: who orders, where they live, and how they may pay.

A customer is found by phone, so a phone is stored and matched in one form only, E.164 (`+8613800001111`):
the shop's `+86 138 0000 1111`, Telegram's `8613800001111` and a clerk's `138-0000-1111` are one person.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import phonenumbers
from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError
from tortoise import fields
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.auth import Staff, staff_of_telegram
from core.base.db import execute, fetch, select
from core.base.errors import InvalidInput
from core.base.i18n import LANGUAGES

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
    lat = fields.FloatField(null=True)
    lon = fields.FloatField(null=True)
    credit_limit = fields.DecimalField(max_digits=12, decimal_places=2, default=0)
    cod_allowed = fields.BooleanField(default=True)
    partial_shipment = fields.BooleanField(default=False)
    blocked = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "customer"

    def __str__(self) -> str:
        return self.name


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


async def set_telegram_language(telegram_id: int, language: str) -> None:
    """The language everyone linked to this Telegram account is spoken to in, from now on."""
    async with in_transaction():
        await Customer.filter(telegram_id=telegram_id).update(language=language)
        await Staff.filter(telegram_id=telegram_id).update(language=language)


class UnknownLanguage(InvalidInput):
    code = "unknown_language"


# one statement, so two quick /lang presses cannot race to insert the same chat twice
_REMEMBER = ('INSERT INTO "chat_language" ("telegram_id", "language") VALUES (?, ?) '
             'ON CONFLICT ("telegram_id") DO UPDATE SET "language" = ?')


async def set_chat_language(telegram_id: int, language: str) -> None:
    """A chat's /lang choice: kept for the chat itself, and given to the customer and the staff member linked
    to it (when there are), so every later message of the bot is in it."""
    if language not in LANGUAGES:
        raise UnknownLanguage(language=language[:8], known=", ".join(LANGUAGES))
    async with in_transaction():
        await execute(_REMEMBER, telegram_id, language, language)
        await Customer.filter(telegram_id=telegram_id).update(language=language)
        await Staff.filter(telegram_id=telegram_id).update(language=language)


async def chat_language(telegram_id: int) -> str | None:
    """The language this chat chose with /lang, or None when it never did (then Telegram's own setting
    decides). Asked for chats linked to nobody: a linked person's own language comes first."""
    rows = await fetch('SELECT "language" FROM "chat_language" WHERE "telegram_id" = ?', telegram_id)
    return rows[0]["language"] if rows else None

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
    return [{"id": c.id, "name": c.name, "phone": c.phone, "province": c.province, "city": c.city,
             "district": c.district, "line1": c.line1, "postcode": c.postcode, "blocked": c.blocked,
             "cod_allowed": c.cod_allowed} for c in await found.order_by("name", "id").limit(limit)]
