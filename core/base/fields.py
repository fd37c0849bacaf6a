"""Field types shared by every input model (API bodies, path and query parameters, CSV rows).

Each is bounded to what its database column holds, so no request reaches the database with a value it cannot
store: a value out of bounds is refused where it enters, with the field's name, instead of failing deep inside.
"""

from __future__ import annotations

from datetime import time
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError


def _text(max_length: int, min_length: int = 1) -> object:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


Number = Annotated[str, _text(32)]  # a document's number: order, transfer, purchase order, shipment, package, …
WarehouseCode = Annotated[str, _text(16)]
LocationCode = Annotated[str, _text(32)]  # a bin or area within a warehouse
Sku = Annotated[str, _text(64)]
CarrierCode = Annotated[str, _text(16)]
Name = Annotated[str, _text(100)]
Note = Annotated[str, _text(500, min_length=0)]  # notes and reasons people type; empty is fine
ExternalRef = Annotated[str, _text(64)]
ScannedCode = Annotated[str, _text(200)]  # what a scanner or a person types: a QR payload, a barcode, a number
MAX_ADDRESS_TEXT = 500
AddressText = Annotated[str, _text(MAX_ADDRESS_TEXT)]  # a whole address as people write it, with name and phone

# an ISO 3166-1 alpha-2 country code ("CN", "US", "DE"), taken in either case
Country = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{2}$")]
HOME_COUNTRY = "CN"  # where fahuo's warehouses are: an address elsewhere is abroad, and declares its goods
# a customs tariff (HS) code: the six digits shared worldwide, and up to ten more a country adds
HsCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{6,16}$")]



def _known_zone(value: str) -> str:
    if value:
        try:
            ZoneInfo(value)
        except (KeyError, ValueError):  # an unknown zone is a KeyError, which pydantic would not report
            raise PydanticCustomError("invalid.time_zone", "not a known time zone, e.g. Asia/Shanghai") from None
    return value


# an IANA time zone name ("Asia/Urumqi", "Europe/Berlin"); empty for the company's own (the settings' zone)
TimeZoneName = Annotated[str, _text(64, min_length=0), AfterValidator(_known_zone)]

MAX_QTY = 1_000_000
Qty = Annotated[int, Field(gt=0, le=MAX_QTY, strict=True)]  # units of one product in one line


def _naive(value: time) -> time:
    if value.tzinfo is not None:
        raise PydanticCustomError("invalid.zoned_time",
                                  "a time of day is local to the warehouse: give it without a zone, e.g. 08:00")
    return value


# A time of day without a zone, as people type it ("08:00"). Documented as a pattern, since the JSON Schema
# format "time" (RFC 3339) requires a zone.
ClockTime = Annotated[
    time, AfterValidator(_naive),
    WithJsonSchema({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$", "examples": ["08:00"]}),
]
