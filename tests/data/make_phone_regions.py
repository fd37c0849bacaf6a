"""Makes phone_regions.txt.gz: where in China each block of phone numbers was given out, taken from the
geocoding data of the `phonenumbers` package (libphonenumber's, Apache-2.0) once, at build time.

libphonenumber ships every country's regions in one table that costs ~100 MB and 1.5 s to load; the reader only
ever asks about Chinese numbers, so it keeps this extract instead (a few hundred kB, loaded on the first question):

    regions, one a line (line n is region n; region 0 is "unknown")
    (blank line)
    landline area codes: "<digits after 0> <region>", one a line
    (blank line)
    mobile blocks as runs over the first seven digits: one line of each run's distance from the previous run's
    start, then one line of each run's region (two long lines read at C speed)

Run it again after upgrading phonenumbers: `python tests/data/make_phone_regions.py`.
"""

from __future__ import annotations

import gzip
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "core" / "data" / "phone_regions.txt.gz"
FIRST, LAST = 1_300_000, 1_999_999  # mobile numbers' first seven digits (13x … 19x)


def build() -> str:
    from phonenumbers.geodata import GEOCODE_DATA  # only here: loading it is what the extract saves

    chinese = {key[2:]: names.get("zh") or names.get("en", "") for key, names in GEOCODE_DATA.items()
               if key.startswith("86")}
    regions = [""]
    index: dict[str, int] = {"": 0}

    def number(region: str) -> int:
        if region == "中国":
            region = ""
        if region not in index:
            index[region] = len(regions)
            regions.append(region)
        return index[region]

    landlines = {key: number(region) for key, region in chinese.items() if not key.startswith("1") or
                 key.startswith("10")}
    mobiles = {key: region for key, region in chinese.items() if key not in landlines}
    deltas, runs, last_start, last = [], [], 0, -1
    for seven in range(FIRST, LAST + 1):
        digits = str(seven)
        region = next((mobiles[digits[:n]] for n in range(7, 2, -1) if digits[:n] in mobiles), "")
        found = number(region)
        if found != last:
            deltas.append(str(seven - last_start))
            runs.append(str(found))
            last_start, last = seven, found
    codes = [f"{key} {n}" for key, n in sorted(landlines.items())]
    lines = [*regions[1:], "", *codes, "", " ".join(deltas), " ".join(runs)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    OUT.write_bytes(gzip.compress(build().encode("utf-8"), mtime=0))
    print(OUT, OUT.stat().st_size)
