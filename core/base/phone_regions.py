"""Where a Chinese phone number was given out, from a compact extract of libphonenumber's geocoding data
(core/data/phone_regions.txt.gz, made by tests/data/make_phone_regions.py): loaded on the first question, a few
hundred kB, instead of the ~100 MB every country's table costs."""

from __future__ import annotations

import gzip
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "phone_regions.txt.gz"


@dataclass(frozen=True)
class _Table:
    regions: tuple[str, ...]
    landlines: dict[str, int]  # area code without its 0 → region
    starts: array  # first seven digits of each mobile run, ascending
    runs: array  # the run's region


@cache
def _table() -> _Table:
    regions, landlines, runs = gzip.decompress(DATA.read_bytes()).decode("utf-8").split("\n\n")
    deltas, found = runs.split("\n")[:2]
    starts = array("I", accumulate(map(int, deltas.split())))
    codes = dict(line.split(" ") for line in landlines.splitlines())
    return _Table(("", *regions.splitlines()), {code: int(n) for code, n in codes.items()}, starts,
                  array("H", map(int, found.split())))


def region_of(national: str) -> str:
    """The region ("江苏省常州市", "北京市") of a national number without its leading 0 (a mobile's 11 digits, or a
    landline's area code and number), "" when it is not known."""
    table = _table()
    if len(national) == 11 and national[0] == "1" and national[1] != "0":
        at = bisect_right(table.starts, int(national[:7])) - 1
        return table.regions[table.runs[at]] if at >= 0 else ""
    for size in range(min(len(national), 6), 1, -1):  # the longest area code that fits
        if (n := table.landlines.get(national[:size])) is not None:
            return table.regions[n]
    return ""
