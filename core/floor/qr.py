"""QR payloads: the short typed texts on every label, how a scan is read back, and the label images."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from enum import StrEnum

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


class Kind(StrEnum):
    LOCATION = "LOC"
    PRODUCT = "SKU"
    ORDER = "ORD"
    PACKAGE = "PKG"
    PICK_LIST = "PL"
    VEHICLE = "VEH"
    PURCHASE_ORDER = "PO"
    BARCODE = "EAN"  # a product's own EAN/UPC, printed by its maker
    TRACKING = "TRACK"  # a customer's tracking link (<fahuo>/t/<token>), the QR on a delivery note
    TEXT = "TEXT"  # anything else a scanner typed: a bare code, kept for the caller to interpret


_TYPED = re.compile(r"^FH:([A-Z]+):(.{1,64})$")
_EAN_UPC = re.compile(r"^\d{8}$|^\d{12,14}$")
# the path of the tracking page on whatever address fahuo is reached at; its token is 32 URL-safe characters
_TRACKING_LINK = re.compile(r"^https?://[^/\s]+(?:/[^\s?#]*)?/t/([A-Za-z0-9_-]{32,43})(?:[?#]\S*)?$")


@dataclass(frozen=True)
class Payload:
    kind: Kind
    value: str

    def __str__(self) -> str:
        return encode(self.kind, self.value)


def encode(kind: Kind, value: str) -> str:
    if kind in (Kind.BARCODE, Kind.TEXT):
        return value
    return f"FH:{kind.value}:{value}"


def decode(code: str) -> Payload:
    """Read what a camera or a hardware scanner delivered; scanners often add a newline or pad with spaces."""
    code = code.strip()
    match = _TYPED.match(code)
    if match and match.group(1) in Kind.__members__.values():
        return Payload(Kind(match.group(1)), match.group(2))
    if link := _TRACKING_LINK.match(code):
        return Payload(Kind.TRACKING, link.group(1))
    if _EAN_UPC.match(code):
        return Payload(Kind.BARCODE, code)
    return Payload(Kind.TEXT, code)


def _qr(text: str) -> qrcode.QRCode:
    # M-level correction survives a scuffed label; border 4 is the quiet zone readers need
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(text)
    code.make(fit=True)
    return code


def qr_png(text: str, box_size: int = 8) -> bytes:
    code = _qr(text)
    code.box_size = box_size
    out = io.BytesIO()
    code.make_image().save(out, format="PNG")
    return out.getvalue()


def qr_svg(text: str) -> str:
    image = _qr(text).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


def qr_modules(text: str) -> list[list[bool]]:
    """The symbol as rows of modules (True is dark), quiet zone included: for renderers that draw it themselves,
    such as a thermal label drawn as one image."""
    return [list(row) for row in _qr(text).get_matrix()]
