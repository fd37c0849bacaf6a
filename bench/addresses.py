"""Reading addresses: how many of the test set's addresses come out with the right province, city and district,
and how many addresses one core reads per second (of its own time), in one line.

    python -m bench.addresses [--seconds 3] [--quick]
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

from bench import parse
from core.base.places import gazetteer, phone_region, read_address

SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "addresses.tsv"


def load() -> list[dict[str, str]]:
    with SET.open(encoding="utf-8") as f:
        return [{**row, "text": row["text"].replace("\\n", "\n")} for row in csv.DictReader(f, delimiter="\t")]


def wrong(rows: list[dict[str, str]]) -> list[tuple[dict[str, str], tuple[str, str, str]]]:
    """The addresses read to another province, city or district than expected, with what was read."""
    missed = []
    for row in rows:
        read = read_address(row["text"])
        got = (read.province, read.city, read.district)
        if got != (row["province"], row["city"], row["district"]):
            missed.append((row, got))
    return missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="how long to read the set over and over")
    args = parse(parser, seconds=0.1)
    rows = load()
    gazetteer()  # loaded once per process, not per address; so are the phone regions' tables
    phone_region("+8613800138000")
    # addresses per second of this process's CPU time, and of the wall clock: on a machine shared with other
    # work the wall clock measures the others too
    cpu, wall = time.process_time(), time.perf_counter()
    missed = wrong(rows)  # the first reading of each: nothing cached yet (phone regions are kept per block)
    cold = len(rows) / (time.process_time() - cpu)
    rounds, cpu, wall = 0, time.process_time(), time.perf_counter()
    while not rounds or time.perf_counter() - wall < args.seconds:
        for row in rows:
            read_address(row["text"])
        rounds += 1
    rate = rounds * len(rows) / (time.process_time() - cpu)
    wall_rate = rounds * len(rows) / (time.perf_counter() - wall)
    accuracy = 1 - len(missed) / len(rows)
    print(f"addresses: {len(rows)} read, province/city/district right {accuracy:.1%} (target ≥ 98%), "
          f"{rate:,.0f} addresses/s of CPU time (target ≥ 2,000; {cold:,.0f}/s on the first pass, nothing cached; "
          f"{wall_rate:,.0f}/s by the wall clock)")


if __name__ == "__main__":
    main()
