"""Saved addresses: where a customer had goods delivered, offered again at their next checkout.

An address is saved when an order is placed with it, and the same address typed again is the same saved one
(the most recently used comes first): "世纪大道 100 号" and "世纪大道１００号" differ only in spacing and
width, and saving both would offer the customer two buttons for one door.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.errors import NotFound
from core.base.fields import HOME_COUNTRY
from core.base.i18n import Phrase, phrase
from core.base.places import ReadAddress, doubt_phrase, doubts_about, place_of, read_address, written
from core.orders.customers import BadPhone, Customer, e164
from core.orders.order import MAX_ADDRESS_TEXT, SURE, AddressIn

MAX_SAVED = 8  # as many as fit a chat's keyboard; the least recently used goes first
PLACE = ("province", "city", "district", "line1", "postcode")  # what makes two addresses the same door
_NOISE = re.compile(r"[\s,.;:，。、；：·\-—_/()（）#＃]+")


class SavedAddress(Model):
    id = fields.IntField(primary_key=True)
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "fahuo.Customer", related_name="addresses", on_delete=fields.CASCADE)
    recipient = fields.CharField(max_length=100)
    phone = fields.CharField(max_length=32)
    province = fields.CharField(max_length=64, default="")
    city = fields.CharField(max_length=64)
    district = fields.CharField(max_length=64, default="")
    line1 = fields.CharField(max_length=300)
    postcode = fields.CharField(max_length=16, default="")
    country = fields.CharField(max_length=2, default=HOME_COUNTRY)
    adcode = fields.CharField(max_length=12, default="")  # the place, as deep as known (core.base.regions)
    lat = fields.FloatField(null=True)
    lon = fields.FloatField(null=True)
    fingerprint = fields.CharField(max_length=64)  # of the place, written the same way however it was typed
    last_used_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "saved_address"
        unique_together = (("customer", "fingerprint"),)

    def label(self) -> str:
        """One line for a button: the place, without the recipient and phone (those are the customer's)."""
        return written(self.province, self.city, self.district, self.line1)

    def as_order_address(self) -> AddressIn:
        return AddressIn(recipient=self.recipient, phone=self.phone, province=self.province, city=self.city,
                         district=self.district, line1=self.line1, postcode=self.postcode, country=self.country,
                         lat=self.lat, lon=self.lon)


def address_view(text: str) -> dict[str, Any]:
    """An address read, as the API answers it: the parts, the phone in E.164 where it is a valid number, how sure
    the reading is, and the doubts as phrases (said in the reader's language)."""
    read = read_address(text)
    try:
        phone = e164(read.phone) if read.phone else ""
    except BadPhone:
        phone = read.phone
    read = replace(read, phone=phone)
    return {"province": read.province, "city": read.city, "district": read.district, "line": read.line,
            "postcode": read.postcode, "adcode": read.adcode, "lat": read.lat, "lon": read.lon, "name": read.name,
            "phone": phone, "confidence": read.confidence, "placed": read.placed,
            "doubts": [doubt_phrase(d) for d in doubts_about(read, street=True)] or _guessed(read)}


def _guessed(read: ReadAddress) -> list[Phrase]:
    """A district guessed (a same-named one nothing told apart, an old name split since, a name written loosely)
    is no doubt the review holds for (the customer confirmed the bot's reading), but whoever reads the address for
    a caller should ask which one it is, and hear why."""
    if not read.placed or read.confidence >= SURE:
        return []
    return [phrase(f"review.{read.guess or 'district_guessed'}")]


def typed_address(text: str, recipient: str, phone: str) -> AddressIn:
    """An address a customer typed in a chat: "province, city, district, street[, postcode]", kept as typed, or
    anything else as free text (read, with the name and phone it names, else the customer's own). Raises
    pydantic's ValidationError when no address can be made of it."""
    parts = [p.strip() for p in re.split(r"[,，、]", text) if p.strip()]
    if 4 <= len(parts) <= 5 and _in_parts(*parts[:3]):
        province, city, district, line1, *rest = parts
        return AddressIn(recipient=recipient, phone=phone, province=province, city=city, district=district,
                         line1=line1, postcode=rest[0] if rest else "")
    read = read_address(text[:MAX_ADDRESS_TEXT])
    return AddressIn.model_validate({"text": text, "recipient": read.name or recipient, "phone": read.phone or phone})


def _in_parts(province: str, city: str, district: str) -> bool:
    """The first three pieces are a province, a city and a district of it, each in its place."""
    placed = place_of(province, city, district)
    return placed.placed and not placed.doubts and placed.district.startswith(district[:2]) \
        and read_address(province).province == placed.province


def fingerprint(address: AddressIn) -> str:
    """The same for one place however it is written: full-width or half-width, spaces, punctuation, case."""
    parts = [_NOISE.sub("", unicodedata.normalize("NFKC", getattr(address, name))).casefold() for name in PLACE]
    if address.country != HOME_COUNTRY:  # at home the country is left out, as it was before addresses had one
        parts.append(address.country)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


async def save_address(customer_id: int, address: AddressIn) -> SavedAddress:
    """Remember where this customer had goods delivered (after an order is placed with it). The same place again
    is the saved one, moved to the front and given the newer recipient, phone and coordinates; beyond MAX_SAVED
    the least recently used is forgotten."""
    values = {**address.model_dump(), "adcode": address.adcode, "last_used_at": datetime.now(UTC)}
    mark = fingerprint(address)
    async with in_transaction():
        try:
            async with in_transaction():  # a savepoint: the same address saved twice at once is one row
                saved = await SavedAddress.create(customer_id=customer_id, fingerprint=mark, **values)
        except IntegrityError:
            known = {k: v for k, v in values.items() if v is not None}  # coordinates not given now are kept
            await SavedAddress.filter(customer_id=customer_id, fingerprint=mark).update(**known)
            saved = await SavedAddress.get(customer_id=customer_id, fingerprint=mark)
        keep = await SavedAddress.filter(customer_id=customer_id).order_by("-last_used_at", "-id").limit(
            MAX_SAVED).values_list("id", flat=True)
        await SavedAddress.filter(customer_id=customer_id).exclude(id__in=keep).delete()
    return saved


async def saved_addresses(customer_id: int) -> list[SavedAddress]:
    """The customer's saved addresses, the most recently used first: what the next checkout offers."""
    return await SavedAddress.filter(customer_id=customer_id).order_by("-last_used_at", "-id").limit(MAX_SAVED)


async def use_address(customer_id: int, address_id: int) -> AddressIn:
    """A saved address, as the address of a new order; only the customer's own (another's reads as not found)."""
    saved = await SavedAddress.get_or_none(id=address_id, customer_id=customer_id)
    if saved is None:
        raise NotFound(what="saved address", key=str(address_id))
    return saved.as_order_address()


async def forget_address(customer_id: int, address_id: int) -> bool:
    """The customer no longer wants this address offered; False when it was not theirs or is gone already."""
    return bool(await SavedAddress.filter(id=address_id, customer_id=customer_id).delete())
