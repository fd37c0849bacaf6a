"""The hold bench runs: its quick mode replays a few dozen orders through the real intake and review and prints
its one line (the figure itself is the bench's to measure, not this test's)."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.cli import ROOT, environment


def test_the_hold_bench_runs_quickly_and_prints_its_line():
    done = subprocess.run([sys.executable, "-m", "bench.holds", "--quick"], cwd=ROOT, env=environment(),
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"holds: 40 orders with a right address, \d+\.\d% held \(target ≤ 2%\) — by reason: .+\n",
                        done.stdout), done.stdout
