"""Phones as people write them: the one formatter for every surface (bot, staff app, papers, labels).

Stored phones are E.164 (`+8613816881234`); a person reads a Chinese number the way it is dialled at home
(`138 1688 1234`, `021 5080 0188`) and a number abroad in its international form (`+852 9123 4567`). On a
parcel's label the middle of the number is hidden, as Chinese privacy labels (隐私面单) do: `138****1234`.

Only the parser and formatter of `phonenumbers` are used; its geocoder and carrier data are large and are not
imported here.
"""

from __future__ import annotations

import re

import phonenumbers

HOME_CODE = 86  # China's: its numbers are written without it
HOME_REGION = "CN"  # a number without a country code is Chinese
SHOWN_AT_END = 4  # digits a masked number keeps at its end (138****1234)
HIDDEN = "****"


def _parsed(value: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(value, HOME_REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def display_phone(value: str | None) -> str:
    """A phone as people write it: a Chinese one in its national form (138 1688 1234), one abroad in its
    international form (+1 650-253-0000); anything not a valid number as it was given."""
    if not value:
        return ""
    number = _parsed(value)
    if number is None:
        return value
    if number.country_code == HOME_CODE:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def masked_phone(value: str | None) -> str:
    """A phone with its middle hidden, for a label anyone handling the parcel reads: 138****1234 (the first
    three digits and the last four of a mobile), 021****0188; abroad after its country code, +852 ****4567.
    At least four digits are always hidden."""
    if not value:
        return ""
    number = _parsed(value)
    prefix = ""
    if number is None:
        digits = re.sub(r"\D", "", value)
    elif number.country_code == HOME_CODE:
        digits = re.sub(r"\D", "", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
    else:
        digits, prefix = phonenumbers.national_significant_number(number), f"+{number.country_code} "
    end = min(SHOWN_AT_END, max(0, len(digits) - len(HIDDEN)))
    start = min(3, max(0, len(digits) - end - len(HIDDEN)))
    return f"{prefix}{digits[:start]}{HIDDEN}{digits[len(digits) - end:] if end else ''}"
