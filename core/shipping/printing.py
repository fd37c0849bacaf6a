"""Printing on the floor: label printers per warehouse and station, and print jobs that are never lost.

A print job is a row (`PrintJob`, what the packer sees) and a job of the queue (core.base.jobs) that sends it,
both written before anything is sent: a printer that is off, out of labels or paused leaves it queued with the
reason, in words for the packer, and it is tried again (at once when asked, by the job runner otherwise) until
the printer takes it; a printer's jobs go out in the order they were asked for. Printing the same thing on the
same printer again while a job for it still waits adds nothing: the waiting job is the answer. The queue
claims a job before it is sent, so two processes retrying at once print it once; a process that dies while
sending leaves its claim to lapse, and the job is sent again then (a label printed twice, never none).

The label is drawn when the job is sent, from the package as it is then (a carrier booked meanwhile is on
it), in the language the job was asked in. Printers are reached by raw TCP (port 9100, what Zebra, TSC,
Gprinter and Xprinter network printers listen on) or through a CUPS queue (`lp -d`). Before a raw job the
printer is asked for its status (ZPL ~HS, TSPL <ESC>!?), so out of labels or an open head is said rather than
the job vanishing into a printer that cannot print it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError
from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.errors import InvalidInput, NotFound
from core.base.fields import WarehouseCode
from core.base.i18n import phrase, status_word, text
from core.base.jobs import Job, Later, Policy, enqueue, handles, run_now
from core.base.settings import Settings
from core.shipping.labels import SheetKind, label_sheet, package_label
from core.shipping.shipments import Package, Shipment, package_by_number, shipment_by_number
from core.shipping.thermal import (
    LabelSize,
    Media,
    Page,
    PrinterLanguage,
    TextMode,
    package_page,
    render,
    shelf_page,
    snap_for,
)
from core.stock.warehouses import Warehouse, warehouse_by_code

log = logging.getLogger(__name__)
PRINT = "print"  # the queue's kind of job that sends a PrintJob to its printer


class Connection(StrEnum):
    TCP = "tcp"  # host:port, raw
    CUPS = "cups"  # a CUPS queue name


class Printer(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    warehouse: fields.ForeignKeyRelation[Warehouse] = fields.ForeignKeyField(
        "fahuo.Warehouse", related_name="printers", on_delete=fields.RESTRICT)
    station = fields.CharField(max_length=40)  # where it stands: "打包台 1", "Pack 2"
    language = fields.CharEnumField(PrinterLanguage, max_length=8)
    text_mode = fields.CharEnumField(TextMode, max_length=8, default=TextMode.FONT)
    connection = fields.CharEnumField(Connection, max_length=8)
    address = fields.CharField(max_length=200)
    label_size = fields.CharEnumField(LabelSize, max_length=16, default=LabelSize.MM_100X150)
    dpi = fields.IntField(default=203)
    # ask the printer its state before each job; off for a printer that never answers (then a job it cannot
    # print waits inside the printer instead of here)
    check_status = fields.BooleanField(default=True)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "printer"

    @property
    def media(self) -> Media:
        return Media(self.label_size, self.dpi)


PrinterCode = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.\-]+$")]


class PrinterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: PrinterCode
    warehouse: WarehouseCode
    station: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    language: PrinterLanguage
    text_mode: TextMode = TextMode.FONT
    connection: Connection
    address: str = Field(min_length=1, max_length=200, description="host:port (raw TCP) or a CUPS queue name")
    label_size: LabelSize = LabelSize.MM_100X150
    dpi: Literal[203, 300] = 203
    check_status: bool = True
    active: bool = True

    @model_validator(mode="after")
    def _reachable(self) -> PrinterIn:
        if self.connection == Connection.TCP:
            host_port(self.address)
        elif not re.fullmatch(r"[A-Za-z0-9_.\-@]{1,127}", self.address):
            raise PydanticCustomError("printer.bad_queue", "a CUPS queue name is letters, digits and _.-@")
        return self


def host_port(address: str) -> tuple[str, int]:
    """`host:9100` split; a host alone means port 9100, where network label printers take raw jobs."""
    host, _, port = address.rpartition(":") if ":" in address else (address, ":", "9100")
    name = host.strip("[]")
    labels_fit = host.startswith("[") or all(0 < len(part) <= 63 for part in name.split("."))  # as DNS has them
    if not host or not re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+", host) or not labels_fit or not port.isdigit() \
            or not 0 < int(port) < 65536:
        raise PydanticCustomError("printer.bad_address", "write the address as host:port")  # a catalogue code
    return name, int(port)


async def save_printer(body: PrinterIn) -> Printer:
    """Add a printer or replace its settings (by code)."""
    warehouse = await warehouse_by_code(body.warehouse)
    values = body.model_dump(exclude={"code", "warehouse"}) | {"warehouse_id": warehouse.id}
    async with in_transaction():
        if not await Printer.filter(code=body.code).update(**values):
            await Printer.create(code=body.code, **values)
    return await printer_by_code(body.code)


async def printer_by_code(code: str) -> Printer:
    printer = await Printer.get_or_none(code=code).prefetch_related("warehouse")
    if printer is None:
        raise NotFound(what="printer", key=code)
    return printer


async def printers_of(warehouse_code: str | None) -> list[Printer]:
    found = Printer.filter(active=True).prefetch_related("warehouse").order_by("station", "code")
    if warehouse_code:
        found = found.filter(warehouse__code=warehouse_code)
    return await found


async def printer_view(p: Printer, lang: str) -> dict[str, Any]:
    """A printer's settings and how it is doing: the jobs waiting for it and why the oldest one waits."""
    waiting = await PrintJob.filter(printer_id=p.id, state=JobState.QUEUED).order_by("id").prefetch_related(
        "printer")
    return {"code": p.code, "warehouse": p.warehouse.code, "station": p.station, "language": p.language,
            "text_mode": p.text_mode, "connection": p.connection, "address": p.address,
            "label_size": p.label_size, "dpi": p.dpi, "check_status": p.check_status, "active": p.active,
            "waiting": len(waiting), "problem": job_view(waiting[0], lang)["message"] if waiting else None}


# -- jobs -------------------------------------------------------------------------------------------------


class JobKind(StrEnum):
    SHIPMENT = "shipment"  # every package label of a shipment, in box order
    PACKAGE = "package"  # one package's label (a reprint)
    LOCATIONS = "locations"  # shelf labels of a warehouse's storage locations
    PRODUCTS = "products"  # a label for each product on sale


class JobState(StrEnum):
    QUEUED = "queued"
    PRINTED = "printed"


class PrintJob(Model):
    id = fields.IntField(primary_key=True)
    printer: fields.ForeignKeyRelation[Printer] = fields.ForeignKeyField(
        "fahuo.Printer", related_name="jobs", on_delete=fields.RESTRICT)
    kind = fields.CharEnumField(JobKind, max_length=16)
    subject = fields.CharField(max_length=32)  # the shipment, package or warehouse; "" for products
    lang = fields.CharField(max_length=8)
    state = fields.CharEnumField(JobState, max_length=8, default=JobState.QUEUED)
    # printer, kind and subject while the job waits, NULL once printed: one waiting job per thing and printer
    waiting_key = fields.CharField(max_length=80, null=True, unique=True)
    attempts = fields.IntField(default=0)
    problem = fields.CharField(max_length=32, null=True)  # a catalogue code: why it waits
    problem_detail = fields.CharField(max_length=200, null=True)
    requested_by = fields.CharField(max_length=100)
    created_at = fields.DatetimeField(auto_now_add=True)
    printed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "print_job"
        indexes = (("printer_id", "state"),)


class PrinterProblem(Exception):
    """Why a printer did not take a job: a catalogue code (printer.*) and a detail for the log."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code, self.detail = code, detail


async def print_labels(kind: JobKind, subject: str, printer_code: str, lang: str, actor: str,
                       settings: Settings) -> PrintJob:
    """Queue labels for a printer and try to print them at once; the job says whether the printer took them
    or why they wait. Asked again while a job for the same labels waits, the waiting job is tried again."""
    printer = await printer_by_code(printer_code)
    subject = await _checked_subject(kind, subject)
    job = await _queue(printer, kind, subject, lang, actor)
    await run_now(_key(job.id), settings)
    return await PrintJob.get(id=job.id)


async def _checked_subject(kind: JobKind, subject: str) -> str:
    """The subject as stored, refused now with a clear error if it does not exist (not later, at the printer)."""
    if kind == JobKind.SHIPMENT:
        return (await shipment_by_number(subject)).number
    if kind == JobKind.PACKAGE:
        return (await package_by_number(subject)).number
    if kind == JobKind.LOCATIONS:
        if not subject:
            raise InvalidInput(detail=phrase("refuse.name_warehouse"))
        return (await warehouse_by_code(subject)).code
    return ""


async def _queue(printer: Printer, kind: JobKind, subject: str, lang: str, actor: str) -> PrintJob:
    key = f"{printer.id}:{kind.value}:{subject}"
    if (waiting := await PrintJob.get_or_none(waiting_key=key)) is not None:
        return waiting
    try:
        async with in_transaction():
            job = await PrintJob.create(printer_id=printer.id, kind=kind, subject=subject, lang=lang,
                                        waiting_key=key, requested_by=actor)
            await enqueue(PRINT, {"print_job": job.id, "printer": printer.code}, key=_key(job.id),
                          lane=f"printer:{printer.id}")
            return job
    except IntegrityError:  # another request queued the same labels a moment ago: that job is the one
        return await PrintJob.get(waiting_key=key)


def _key(print_job: int) -> str:
    return f"{PRINT}:{print_job}"


@handles(PRINT, Policy(tries=1000, first_wait=5.0, longest_wait=60.0, claim=60.0))
async def _send(queued: Job, settings: Settings) -> bool:
    """Send one print job to its printer (a job of the queue); True when the printer took it. A printer that
    did not is asked again soon after the first failure (a roll being changed), then every minute at most,
    until it does: labels are never dropped."""
    job = await PrintJob.get_or_none(id=queued.payload["print_job"]).prefetch_related("printer")
    if job is None or job.state != JobState.QUEUED:
        return False
    now = datetime.now(UTC)
    try:
        await deliver(job.printer, await job_bytes(job, settings), settings)
    except PrinterProblem as problem:
        log.warning("printer %s did not take job %s: %s", job.printer.code, job.id, problem)
        await PrintJob.filter(id=job.id).update(attempts=job.attempts + 1, problem=problem.code,
                                                problem_detail=problem.detail[:200] or None)
        raise Later(str(problem)) from problem
    await PrintJob.filter(id=job.id).update(state=JobState.PRINTED, waiting_key=None, printed_at=now,
                                            attempts=job.attempts + 1, problem=None, problem_detail=None)
    return True


async def job_by_id(job_id: int) -> PrintJob:
    job = await PrintJob.get_or_none(id=job_id).prefetch_related("printer")
    if job is None:
        raise NotFound(what="print job", key=str(job_id))
    return job


async def retry_job(job_id: int, settings: Settings) -> PrintJob:
    """Try a waiting job now (the packer pressed "try again", or the app checks while it waits)."""
    await job_by_id(job_id)
    await run_now(_key(job_id), settings)
    return await job_by_id(job_id)


def job_view(job: PrintJob, lang: str) -> dict[str, Any]:
    """A job as the packer's screen shows it: its state in words and, while it waits, why, in their language."""
    printer = job.printer
    message = None
    if job.state == JobState.QUEUED and job.problem:
        message = (text(job.problem, lang, printer=printer.code, address=printer.address,
                        detail=job.problem_detail or "") + ("" if lang == "zh" else " ") + text("printer.kept", lang))
    return {"id": job.id, "printer": printer.code, "station": printer.station, "kind": job.kind,
            "subject": job.subject, "state": job.state, "state_word": status_word("print_job", job.state, lang),
            "attempts": job.attempts, "message": message, "created_at": job.created_at.isoformat(),
            "printed_at": job.printed_at.isoformat() if job.printed_at else None}


# -- what is sent -----------------------------------------------------------------------------------------


async def job_pages(job: PrintJob, printer: Printer, settings: Settings) -> list[Page]:
    media, snap = printer.media, snap_for(printer.language, printer.text_mode)
    if job.kind in (JobKind.SHIPMENT, JobKind.PACKAGE):
        numbers = [job.subject] if job.kind == JobKind.PACKAGE else await Package.filter(
            shipment__number=job.subject).order_by("seq").values_list("number", flat=True)
        return [package_page(await package_label(n, job.lang, settings), media, snap) for n in numbers]
    sheet = SheetKind.LOCATIONS if job.kind == JobKind.LOCATIONS else SheetKind.PRODUCTS
    return [shelf_page(label["qr"], label["caption"], label["detail"], media, snap)
            for label in await label_sheet(sheet, job.subject or None)]


async def job_bytes(job: PrintJob, settings: Settings) -> bytes:
    """fahuo's labels; for a shipment whose carrier drew its own label in the printer's language (ZPL: UPS
    through karrio), that label after them, as the carrier's scanners expect to read it on the parcel."""
    printer = job.printer
    ours = render(await job_pages(job, printer, settings), printer.language, printer.media, printer.text_mode)
    if job.kind == JobKind.SHIPMENT and printer.language == PrinterLanguage.ZPL:
        carriers = await Shipment.filter(number=job.subject, carrier_label_format="zpl").values_list(
            "carrier_label", flat=True)
        return ours + b"".join(bytes(label) for label in carriers if label)
    return ours


# -- talking to printers ----------------------------------------------------------------------------------


async def deliver(printer: Printer, data: bytes, settings: Settings) -> None:
    """Hand the job to the printer, or raise PrinterProblem saying why it cannot take it now."""
    if printer.connection == Connection.CUPS:
        await _through_cups(printer, data, settings)
    else:
        await _over_tcp(printer, data, settings.printer_timeout)


async def _over_tcp(printer: Printer, data: bytes, wait: float) -> None:
    host, port = host_port(printer.address)
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), wait)
    except (OSError, TimeoutError) as exc:
        raise PrinterProblem("printer.unreachable", str(exc) or type(exc).__name__) from exc
    try:
        if printer.check_status and printer.language != PrinterLanguage.PDF:
            if (problem := await _status(printer.language, reader, writer, wait)) is not None:
                raise PrinterProblem(problem)
        writer.write(data)
        await asyncio.wait_for(writer.drain(), wait + len(data) / 100_000)  # a slow link: 100 kB/s at least
    except (OSError, TimeoutError) as exc:
        raise PrinterProblem("printer.unreachable", str(exc) or type(exc).__name__) from exc
    finally:
        writer.close()
        with contextlib.suppress(OSError, TimeoutError):
            await asyncio.wait_for(writer.wait_closed(), wait)


async def _status(language: PrinterLanguage, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                  wait: float) -> str | None:
    """Ask the printer how it is; the catalogue code of what keeps it from printing, or None."""
    try:
        if language == PrinterLanguage.ZPL:
            writer.write(b"~HS")
            await writer.drain()
            first = await asyncio.wait_for(reader.readuntil(b"\x03"), wait)
            second = await asyncio.wait_for(reader.readuntil(b"\x03"), wait)
            return zpl_problem(first, second)
        writer.write(b"\x1b!?")
        await writer.drain()
        return tspl_problem((await asyncio.wait_for(reader.readexactly(1), wait))[0])
    except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        return "printer.no_status"  # newer Zebras keep silent while out of media or with the head open


def zpl_problem(first: bytes, second: bytes) -> str | None:
    """~HS answers: string 1 carries paper out (2nd field) and pause (3rd); string 2 head up (3rd) and ribbon
    out (4th)."""
    one = first.strip(b"\x02\x03\r\n").split(b",")
    two = second.strip(b"\x02\x03\r\n").split(b",")
    if len(one) < 3 or len(two) < 4:
        return "printer.no_status"
    for flag, code in ((one[1], "printer.paper_out"), (two[2], "printer.head_open"),
                       (two[3], "printer.ribbon_out"), (one[2], "printer.paused")):
        if flag.strip() == b"1":
            return code
    return None


TSPL_STATUS = ((0x04, "printer.paper_out"), (0x01, "printer.head_open"), (0x40, "printer.head_open"),
               (0x02, "printer.paper_jam"), (0x08, "printer.ribbon_out"), (0x10, "printer.paused"))


def tspl_problem(status: int) -> str | None:
    """<ESC>!? answers one byte: head open, jam, paper out, ribbon out, pause, printing, cover open (bits 0–6);
    printing (0x20) is no problem."""
    return next((code for bit, code in TSPL_STATUS if status & bit), None)


async def _through_cups(printer: Printer, data: bytes, settings: Settings) -> None:
    """`lp -d <queue>`: CUPS keeps the job itself once it took it; label languages go to a raw queue as they are."""
    args = [settings.lp_command, "-d", printer.address, "-t", "fahuo"]
    if printer.language != PrinterLanguage.PDF:
        args += ["-o", "raw"]
    try:
        process = await asyncio.create_subprocess_exec(*args, stdin=asyncio.subprocess.PIPE,
                                                       stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    except FileNotFoundError as exc:
        raise PrinterProblem("printer.no_cups", settings.lp_command) from exc
    try:
        _, err = await asyncio.wait_for(process.communicate(data), settings.printer_timeout * 3)
    except TimeoutError as exc:
        process.kill()
        raise PrinterProblem("printer.cups_refused", "lp did not answer") from exc
    if process.returncode != 0:
        raise PrinterProblem("printer.cups_refused", err.decode(errors="replace").strip()[:200])
