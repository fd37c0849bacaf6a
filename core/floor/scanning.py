"""Every scan from the floor goes through here: read the payload, apply the step, remember the answer.

Each scan carries the id the device gave it (`client_scan_id`). A phone with a bad network queues scans
and sends them again; the first arrival is applied, and any later copy gets the first answer back without
changing anything, be it a success or a refusal. The floor app's action buttons (a transfer, a receipt, a
dispatch) are remembered the same way, under the idempotency key the app sends with them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.auth import Staff
from core.base.db import retry_on_conflict
from core.base.errors import DomainError
from core.base.fields import MAX_QTY, Number, Qty
from core.base.i18n import is_phrase

REQUEST = "request"  # the mode an action button's request is remembered under, beside the scans


class ScanMode(StrEnum):
    PICK = "pick"  # a bin or product on a pick list
    SHORT = "short"  # "this bin has less": no code, the current task of the pick list
    LOAD = "load"  # a vehicle or package at the dock, for one shipment


class ScanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client_scan_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=64,
                                                     pattern=r"^[A-Za-z0-9_.:\-]+$")]
    mode: ScanMode
    code: Annotated[str, StringConstraints(max_length=200)] = ""
    pick_list: Number | None = None
    shipment: Number | None = None
    qty: Qty = 1
    # a short pick: what the picker still sees in the bin (none: the bin is empty of the product)
    in_bin: int | None = Field(default=None, ge=0, le=MAX_QTY, strict=True)


class Scan(Model):
    id = fields.BigIntField(primary_key=True)
    client_scan_id = fields.CharField(max_length=64, unique=True)
    staff = fields.CharField(max_length=64)
    mode = fields.CharField(max_length=16)
    code = fields.CharField(max_length=200)
    accepted = fields.BooleanField()
    answer: dict[str, Any] = fields.JSONField()  # type: ignore[assignment]
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "scan"


class Refused(DomainError):
    """A refusal already given once, given again: same code, same words."""

    def __init__(self, code: str, params: dict[str, Any]) -> None:
        self.code = code  # type: ignore[misc]
        super().__init__(**params)


class IdTaken(DomainError):
    """Another person's device already used this id."""

    code = "id_taken"


class IdReused(DomainError):
    """The same device used one id for two different things: a fault of the client, nothing is done."""

    code = "id_reused"


def _replay(earlier: Scan, record: dict[str, str]) -> dict[str, Any]:
    if earlier.staff != record["staff"]:
        raise IdTaken(id=earlier.client_scan_id)
    if (earlier.mode, earlier.code) != (record["mode"], record["code"]):
        raise IdReused(id=earlier.client_scan_id)
    if not earlier.accepted:
        raise Refused(earlier.answer["error"], earlier.answer["params"])
    return {**earlier.answer, "replayed": True}


@retry_on_conflict
async def apply_once(client_id: str, staff: Staff, mode: str, code: str,
                     step: Callable[[], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    """Run `step` once for `client_id`, the id the device gave this scan or action. A refusal raises after
    being recorded; a copy gets the first answer (with `replayed: true`), or its refusal again (`Refused`).

    The step is applied first and recorded in the same transaction; a copy fails on the unique id and is
    then answered from the record. So a first arrival, the common case, costs no lookup. `step` must only
    touch the database: the transaction stays open while it runs."""
    record = {"client_scan_id": client_id, "staff": staff.username, "mode": mode, "code": code.strip()[:200]}
    try:
        async with in_transaction():
            answer = await step()
            await Scan.create(**record, accepted=True, answer=answer)
        return answer
    except IntegrityError:
        earlier = await Scan.get_or_none(client_scan_id=client_id)
        if earlier is None:
            raise
        return _replay(earlier, record)
    except DomainError as refusal:
        # a copy of an accepted scan may well be refused now (the task moved on): the first answer counts
        earlier = await Scan.get_or_none(client_scan_id=client_id)
        if earlier is not None:
            return _replay(earlier, record)
        # phrases stay phrases, so the refusal is said again in the language of whoever sends the copy
        answer = {"error": refusal.code,
                  "params": {k: v if is_phrase(v) else str(v) for k, v in refusal.params.items()}}
        try:
            await Scan.create(**record, accepted=False, answer=answer)
        except IntegrityError:
            pass
        raise
