"""Every benchmark in bench/ still runs: each is started the way a person starts it, with `--quick` (a few
seconds, figures that mean nothing), and must finish and print its line (one per set it measures). Timings are
never judged here."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.cli import ROOT, environment

BENCHES = sorted(path.stem for path in (ROOT / "bench").glob("*.py") if path.stem != "__init__")
IN_A_BROWSER = {"pwa"}  # drives headless Chromium


def test_the_benches_are_found() -> None:
    assert {"orders", "scans", "bot", "pwa"} <= set(BENCHES)


@pytest.mark.slow
@pytest.mark.parametrize("bench", [
    pytest.param(name, marks=[pytest.mark.browser] if name in IN_A_BROWSER else []) for name in BENCHES])
def test_every_bench_runs_quickly_and_prints_its_line(bench: str) -> None:
    done = subprocess.run([sys.executable, "-m", f"bench.{bench}", "--quick"], cwd=ROOT, env=environment(),
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-4000:])
    lines = done.stdout.strip().splitlines()  # one line, or one per set it measures (addresses: own, dev, held-out)
    assert lines and all(line.startswith((f"{bench}", f"bench/{bench}")) for line in lines), done.stdout
