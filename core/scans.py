"""Every scan from the floor goes through here: a pick at a bin, a short bin, a package loaded onto a van.

Each scan is applied once (core.floor.scanning.apply_once) by the stage it belongs to: picking on the floor,
loading in shipping. This module sits above both, so neither has to know the other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from core.base.auth import Permission, Staff
from core.base.errors import WrongScan
from core.base.i18n import phrase
from core.base.settings import Settings
from core.floor.picking import pick_scan, report_short
from core.floor.qr import decode
from core.floor.scanning import ScanIn, ScanMode, apply_once
from core.shipping.dispatch import load_scan

Step = Callable[[ScanIn, Staff, Settings], Awaitable[dict[str, Any]]]
PERMISSION = {ScanMode.PICK: Permission.PICK, ScanMode.SHORT: Permission.PICK, ScanMode.LOAD: Permission.DISPATCH}


async def _pick(scan: ScanIn, staff: Staff, settings: Settings) -> dict[str, Any]:
    return await pick_scan(_needs(scan.pick_list, "pick_list"), decode(scan.code), scan.qty, staff)


async def _short(scan: ScanIn, staff: Staff, settings: Settings) -> dict[str, Any]:
    return await report_short(_needs(scan.pick_list, "pick_list"), staff, settings, scan.in_bin)


async def _load(scan: ScanIn, staff: Staff, settings: Settings) -> dict[str, Any]:
    return await load_scan(_needs(scan.shipment, "shipment"), decode(scan.code), staff)


STEPS: dict[ScanMode, Step] = {ScanMode.PICK: _pick, ScanMode.SHORT: _short, ScanMode.LOAD: _load}


def _needs(value: str | None, name: str) -> str:
    if not value:
        what = phrase(f"thing.{name.replace('_', ' ')}")
        raise WrongScan(got=phrase("got.no_document", what=what), expected=phrase("expect.scan_of", what=what))
    return value


async def apply_scan(scan: ScanIn, staff: Staff, settings: Settings) -> dict[str, Any]:
    """Apply a scan once (see `apply_once`)."""
    staff.require(PERMISSION[scan.mode])
    return await apply_once(scan.client_scan_id, staff, scan.mode, scan.code,
                            lambda: STEPS[scan.mode](scan, staff, settings))
