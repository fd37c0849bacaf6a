"""Warehouses and their places: bins with walking coordinates, and virtual places stock comes from or goes to."""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from tortoise import fields
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.db import select
from core.base.errors import NotFound, UnknownLocation
from core.base.i18n import Phrase, named, zone_named
from core.base.regions import place_code


class LocationKind(StrEnum):
    BIN = "bin"
    DOCK = "dock"
    RECEIVING = "receiving"
    # virtual: stock there is not in the building, so it has no level and may be "negative"
    SUPPLIER = "supplier"
    CUSTOMER = "customer"
    LOSS = "loss"
    # in transit between warehouses: real goods on a truck, so it keeps a level like a bin
    TRANSIT = "transit"


VIRTUAL_KINDS = frozenset({LocationKind.SUPPLIER, LocationKind.CUSTOMER, LocationKind.LOSS})
# where stock may be reserved for orders: on the shelves and in the receiving area, not on the dock
STORAGE_KINDS = frozenset({LocationKind.BIN, LocationKind.RECEIVING})
VIRTUAL_CODES = {
    LocationKind.SUPPLIER: "@SUPPLIER",
    LocationKind.CUSTOMER: "@CUSTOMER",
    LocationKind.LOSS: "@LOSS",
    LocationKind.TRANSIT: "@TRANSIT",
}


def warehouse_label(code: str, name: str, name_zh: str = "") -> Phrase:
    """How people are told which warehouse: its code and its name in the reader's language ("HZ 杭州仓",
    "HZ Hangzhou DC"), never its row id."""
    return named(f"{code} {name}", f"{code} {name_zh}" if name_zh else None)


async def warehouse_label_by_id(warehouse_id: object) -> Phrase | None:
    """The label of the warehouse with this id as it is now; None where there is no such warehouse."""
    if not isinstance(warehouse_id, int):
        return None
    found = await Warehouse.filter(id=warehouse_id).first().values_list("code", "name", "name_zh")
    return warehouse_label(*found) if found else None


class Warehouse(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=16, unique=True)
    name = fields.CharField(max_length=200)  # in English; `name_zh` in Chinese (empty: the English one)
    name_zh = fields.CharField(max_length=200, default="")
    province = fields.CharField(max_length=64, default="")
    city = fields.CharField(max_length=64, default="")
    address = fields.CharField(max_length=300, default="")
    adcode = fields.CharField(max_length=12, default="")  # where it stands, as deep as known (core.base.regions)
    lat = fields.FloatField(null=True)
    lon = fields.FloatField(null=True)
    active = fields.BooleanField(default=True)
    # its IANA time zone, in which its staff app and papers say times; empty for the company's (the settings')
    timezone = fields.CharField(max_length=64, default="")

    class Meta:
        table = "warehouse"

    def zone(self, company: ZoneInfo) -> ZoneInfo:
        return zone_named(self.timezone, company)

    @property
    def label(self) -> Phrase:
        return warehouse_label(self.code, self.name, self.name_zh)

    @property
    def names(self) -> Phrase:
        return named(self.name, self.name_zh)

    def distance_km(self, lat: float | None, lon: float | None) -> float | None:
        if None in (self.lat, self.lon, lat, lon):
            return None
        return haversine_km(self.lat, self.lon, lat, lon)  # type: ignore[arg-type]


class Location(Model):
    id = fields.IntField(primary_key=True)
    warehouse: fields.ForeignKeyRelation[Warehouse] = fields.ForeignKeyField(
        "fahuo.Warehouse", related_name="locations", on_delete=fields.RESTRICT
    )
    code = fields.CharField(max_length=32)
    kind = fields.CharEnumField(LocationKind, max_length=16, default=LocationKind.BIN)
    zone = fields.CharField(max_length=16, default="")
    aisle = fields.IntField(default=0)
    x = fields.FloatField(default=0)
    y = fields.FloatField(default=0)

    class Meta:
        table = "location"
        unique_together = (("warehouse", "code"),)

    @property
    def is_virtual(self) -> bool:
        return self.kind in VIRTUAL_KINDS


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


async def create_warehouse(code: str, name: str, **attrs: object) -> Warehouse:
    """A warehouse with its dock, receiving area and virtual places, ready to hold stock: all of it or none."""
    if not attrs.get("adcode"):
        attrs["adcode"] = place_code(str(attrs.get("province", "")), str(attrs.get("city", "")))
    async with in_transaction():
        warehouse = await Warehouse.create(code=code, name=name, **attrs)
        await Location.create(warehouse=warehouse, code="DOCK", kind=LocationKind.DOCK, zone="DOCK")
        await Location.create(warehouse=warehouse, code="RCV", kind=LocationKind.RECEIVING, zone="RCV")
        for kind, vcode in VIRTUAL_CODES.items():
            await Location.create(warehouse=warehouse, code=vcode, kind=kind)
    return warehouse


async def active_warehouses() -> list[Warehouse]:
    """The warehouses that take orders, by id: every allocation asks (a plain statement)."""
    return await select(Warehouse, 'SELECT * FROM "warehouse" WHERE "active" ORDER BY "id"')


async def list_warehouses(company: ZoneInfo) -> list[dict[str, Any]]:
    """The warehouses in use by code, as a list to choose one from, each with the time zone its staff read
    times in (its own, else the company's)."""
    return [{"code": w.code, "name": w.name, "name_zh": w.name_zh, "city": w.city, "time_zone": w.zone(company).key}
            for w in await Warehouse.filter(active=True).order_by("code")]


async def set_warehouse_zone(code: str, time_zone: str) -> dict[str, str]:
    """The warehouse's own time zone from now on (an IANA name, checked where it entered); empty gives it the
    company's back."""
    async with in_transaction():
        warehouse = await warehouse_by_code(code)
        warehouse.timezone = time_zone
        await warehouse.save(update_fields=["timezone"])
    return {"code": warehouse.code, "time_zone": warehouse.timezone}



async def warehouse_by_code(code: str) -> Warehouse:
    warehouse = await Warehouse.get_or_none(code=code)
    if warehouse is None:
        raise NotFound(what="warehouse", key=code)
    return warehouse


async def location_by_code(warehouse: Warehouse, code: str) -> Location:
    location = await Location.get_or_none(warehouse=warehouse, code=code)
    if location is None:
        raise UnknownLocation(code=code, warehouse=warehouse.code)
    return location


async def virtual_location(warehouse_id: int, kind: LocationKind) -> Location:
    return await Location.get(warehouse_id=warehouse_id, code=VIRTUAL_CODES[kind])
