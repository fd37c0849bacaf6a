"""A fake network label printer (raw TCP on 127.0.0.1, as Zebra and TSC printers listen on port 9100), and
readers of the ZPL and TSPL it receives, written from the printers' manuals rather than from fahuo's code: a
test reads back what a printer would print and checks it field by field."""

from __future__ import annotations

import asyncio
import re
import socket
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

# ~HS answers of a Zebra that is ready, and one that is out of media (string 1's second field)
ZPL_READY = (b"\x02030,0,0,1200,000,0,0,0,000,0,0,0\x03\r\n\x02001,0,0,0,1,2,6,0,00000000,1,000\x03\r\n"
             b"\x021234,0\x03\r\n")
ZPL_PAPER_OUT = ZPL_READY.replace(b"030,0,0,", b"030,1,0,", 1)


@dataclass
class FakePrinter:
    """Takes jobs like a network label printer: answers the status query of its language (`paper` False: out
    of labels), keeps every job it was sent, whole."""

    language: str  # "zpl" or "tspl"
    port: int = 0
    paper: bool = True
    jobs: list[bytes] = field(default_factory=list)
    server: asyncio.Server | None = None
    received: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self) -> FakePrinter:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.read(3)
        if head == b"~HS":
            writer.write(ZPL_READY if self.paper else ZPL_PAPER_OUT)
            head = b""
        elif head == b"\x1b!?":
            writer.write(b"\x00" if self.paper else b"\x04")
            head = b""
        await writer.drain()
        job = head + await reader.read()
        if job:
            self.jobs.append(job)
            self.received.set()
        writer.close()


def free_port() -> int:
    """A port nothing listens on (yet): a printer that is switched off."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- reading ZPL ----------------------------------------------------------------------------------------------


@dataclass
class Drawn:
    """One thing a label format draws: text, a Code 128 symbol, a QR code, a box, or a graphic."""

    kind: str  # text | code128 | qr | box | graphic
    x: int
    y: int
    data: str = ""
    size: int = 0
    params: list[str] = field(default_factory=list)


def _unhex(value: str, indicator: str | None) -> str:
    """Field data as the printer reads it under ^FH: the indicator and two hex digits are one byte."""
    if indicator is None:
        return value
    raw = value.encode()
    out = re.sub(re.escape(indicator.encode()) + rb"([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
    return out.decode()


def zpl_formats(stream: bytes) -> list[dict[str, Any]]:
    """Each ^XA … ^XZ format: its settings (^CI, ^PW, ^LL, ^CW) and what it draws, in order."""
    text = stream.decode("utf-8")
    formats = []
    for body in re.findall(r"\^XA(.*?)\^XZ", text, re.S):
        settings: dict[str, str] = {}
        drawn: list[Drawn] = []
        x = y = size = module = 0
        pending: Drawn | None = None
        indicator: str | None = None
        for command in body.split("^")[1:]:
            code, rest = command[:2], command[2:].strip()
            if code in ("CI", "PW", "LL", "CW", "LH", "PQ"):
                settings[code] = rest
            elif code == "FO":
                x, y = (int(v) for v in rest.split(",")[:2])
            elif code == "A1":
                size = int(rest.split(",")[1])  # orientation, then height
            elif code == "BY":
                module = int(rest.split(",")[0])
            elif code == "BC":
                pending = Drawn("code128", x, y, size=module, params=rest.split(","))
            elif code == "BQ":
                pending = Drawn("qr", x, y, params=rest.split(","))
            elif code == "GB":
                drawn.append(Drawn("box", x, y, params=rest.split(",")))
            elif code == "GF":
                drawn.append(Drawn("graphic", x, y, data=rest))
            elif code == "FH":
                indicator = rest[:1] or "_"
            elif code == "FD":
                field_data = _unhex(rest, indicator)
                pending = pending or Drawn("text", x, y, size=size)
                pending.data = field_data
            elif code == "FS":
                if pending is not None:
                    drawn.append(pending)
                pending, indicator = None, None
        formats.append({"settings": settings, "drawn": drawn})
    return formats


def zpl_graphic(data: str) -> Image.Image:
    """^GFA,b,c,d,data back into an image: hex rows of d bytes, 1 a black dot; ',' fills the rest of a row with
    white, ':' repeats the row above (the manual's ASCII compression)."""
    _, total, _, per_row, hexes = data.split(",", 4)
    per_row_chars = int(per_row) * 2
    rows: list[str] = []
    current = ""
    for ch in hexes.strip():
        if ch == ":":
            rows.append(rows[-1])
        elif ch == ",":
            rows.append(current.ljust(per_row_chars, "0"))
            current = ""
        else:
            current += ch
            if len(current) == per_row_chars:
                rows.append(current)
                current = ""
    raw = bytes.fromhex("".join(rows))
    assert len(raw) == int(total), (len(raw), total)
    width = int(per_row) * 8
    bits = Image.frombytes("1", (width, len(rows)), raw)
    return Image.eval(bits.convert("L"), lambda v: 255 - v)  # ZPL's 1 is black, PIL's is white


# -- reading TSPL ---------------------------------------------------------------------------------------------


def _tspl_args(rest: str) -> list[str]:
    """Comma-separated arguments; strings in double quotes, a quote inside written \\["]."""
    args, current, quoted, i = [], "", False, 0
    while i < len(rest):
        if quoted and rest.startswith('\\["]', i):
            current += '"'
            i += 4
            continue
        ch = rest[i]
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            args.append(current.strip())
            current = ""
        else:
            current += ch
        i += 1
    return [*args, current.strip()]


def tspl_labels(stream: bytes) -> list[dict[str, Any]]:
    """Each label (CLS … PRINT): its SIZE and what it draws; BITMAP data (binary) read as an image."""
    labels: list[dict[str, Any]] = []
    label: dict[str, Any] = {}
    pos = 0
    while pos < len(stream):
        end = stream.find(b"\r\n", pos)
        line = stream[pos:end if end >= 0 else len(stream)]
        if line.startswith(b"BITMAP "):
            header = line.split(b",", 5)
            x, y = int(header[0].split()[1]), int(header[1])
            per_row, height = int(header[2]), int(header[3])
            start = pos + len(b",".join(header[:5])) + 1
            raw = stream[start:start + per_row * height]
            image = Image.frombytes("1", (per_row * 8, height), raw).convert("L")  # TSPL's set bit is white
            label.setdefault("drawn", []).append(Drawn("graphic", x, y, params=[str(per_row), str(height)]))
            label["image"] = image
            pos = start + per_row * height + 2
            continue
        pos = (end if end >= 0 else len(stream)) + 2
        command, _, rest = line.decode("gb18030").partition(" ")
        if command == "SIZE":
            label = {"size": rest, "drawn": []}
        elif command == "TEXT":
            x, y, font, _, xmul, ymul, value = _tspl_args(rest)
            label["drawn"].append(Drawn("text", int(x), int(y), value, 24 * int(ymul), [font, xmul]))
        elif command == "BARCODE":
            x, y, kind, height, readable, _, narrow, _, value = _tspl_args(rest)
            label["drawn"].append(Drawn("code128" if kind == "128" else kind, int(x), int(y), value, int(narrow),
                                        [height, readable]))
        elif command == "QRCODE":
            x, y, ecc, cell, mode, _, value = _tspl_args(rest)
            label["drawn"].append(Drawn("qr", int(x), int(y), value, int(cell), [ecc, mode]))
        elif command == "BAR":
            x, y, width, height = _tspl_args(rest)
            label["drawn"].append(Drawn("box", int(x), int(y), params=[width, height]))
        elif command == "PRINT":
            labels.append(label)
        elif command in ("GAP", "DIRECTION", "REFERENCE", "CLS"):
            label[command.lower()] = rest
    return labels
