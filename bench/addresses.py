"""Reading addresses: for each set, how many addresses come out with the right province, city and district, how
many wrong ones the reader was nonetheless sure of (confidence at or above `SURE`, so nobody is asked), how many
addresses one core reads per second of its own time, and what importing the reader costs (time and memory, in a
fresh process). One line per set:

    python -m bench.addresses            # own: tests/data/addresses.tsv (made by make_addresses.py)
                                         # dev: addresses from other projects, looked at while tuning
                                         # held-out: addresses from other projects, never tuned on
    python -m bench.addresses --quick    # a few dozen of each, in seconds: only shows the bench still runs
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from pathlib import Path

from core.base.places import read_address

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
SETS = {"own": DATA / "addresses.tsv", "dev": DATA / "addresses_dev.tsv", "held-out": DATA / "addresses_heldout.tsv"}
SURE = 0.8  # core.orders.order.SURE: below it a person is asked (not imported: the orders package is heavy)

_IMPORT_COST = """
import json, resource, time
start, cpu = time.perf_counter(), time.process_time()
from core.base.places import phone_region, read_address
read_address("北京市朝阳区建国路88号")
phone_region("+8613800138000")
print(json.dumps([time.perf_counter() - start, time.process_time() - cpu,
                  resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]))
"""


def load(name: str = "own") -> list[dict[str, str]]:
    with SETS[name].open(encoding="utf-8") as f:
        return [{**row, "text": row["text"].replace("\\n", "\n")} for row in csv.DictReader(f, delimiter="\t")]


def wrong(rows: list[dict[str, str]]) -> list[tuple[dict[str, str], tuple[str, str, str], float]]:
    """The addresses read to another province, city or district than expected, with what was read and how sure
    the reader was."""
    missed = []
    for row in rows:
        read = read_address(row["text"])
        got = (read.province, read.city, read.district)
        if got != (row["province"], row["city"], row["district"]):
            missed.append((row, got, read.confidence))
    return missed


def import_cost() -> tuple[float, float, float]:
    """Seconds (by the wall clock and of CPU time) and megabytes (peak RSS of the whole process) to import the
    reader and read one address and one phone's region, in a fresh interpreter."""
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", _IMPORT_COST], capture_output=True, text=True, check=True, cwd=root,
                         env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})
    seconds, cpu, megabytes = json.loads(out.stdout)
    return seconds, cpu, megabytes


def rate(rows: list[dict[str, str]], seconds: float) -> float:
    """Addresses per second of this process's CPU time (the wall clock would measure other work on the machine)."""
    rounds, cpu, wall = 0, time.process_time(), time.perf_counter()
    while rounds == 0 or time.perf_counter() - wall < seconds:
        for row in rows:
            read_address(row["text"])
        rounds += 1
    return rounds * len(rows) / max(time.process_time() - cpu, 1e-9)


def main(argv: list[str] | None = None) -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--quick", action="store_true", help="a few dozen addresses of each set, in seconds")
    quick = args.parse_args(argv).quick
    seconds, cpu, megabytes = import_cost()
    for name in SETS:
        rows = load(name)[:30] if quick else load(name)
        missed = wrong(rows)
        sure_wrong = sum(confidence >= SURE for *_, confidence in missed)
        print(f"addresses {name}: {len(rows)} addresses, province/city/district right "
              f"{1 - len(missed) / len(rows):.1%}, {sure_wrong} wrong with confidence ≥ {SURE}, "
              f"{rate(rows, 0.2 if quick else 2):,.0f} addresses/s of CPU time; "
              f"import {seconds:.2f} s ({cpu:.2f} s of CPU), {megabytes:.0f} MB")


if __name__ == "__main__":
    main()
