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

from core.base.errors import InvalidInput

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
