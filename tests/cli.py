"""`run.py` as an operator runs it: a finished command, or a server that is waited for and then stopped."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
RUN_PY = str(ROOT / "run.py")


def environment(**env: str) -> dict[str, str]:
    """This process's environment in an English locale, with `env` on top; a value of "" removes that variable."""
    mine = {name: value for name, value in os.environ.items() if name not in ("LC_ALL", "LC_MESSAGES")}
    merged = {**mine, "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT), **env}
    return {name: value for name, value in merged.items() if value != ""}


def run_py(*args: str, cwd: Path = ROOT, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, RUN_PY, *args], cwd=cwd, env=environment(**env), input=stdin,
                          capture_output=True, text=True, timeout=120, check=False)


def refusal(done: subprocess.CompletedProcess[str]) -> str:
    """The one line a command that could not go on printed, after checking it exited 1 with no traceback."""
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


@dataclass
class Served:
    url: str
    output: str = ""
    returncode: int | None = None


@asynccontextmanager
async def serving(*args: str, port: int, **env: str) -> AsyncIterator[Served]:
    """`run.py serve ARGS` answering on `port`; at the end Ctrl+C, and its output and exit code are kept."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, RUN_PY, "serve", *args, cwd=ROOT, env=environment(FAHUO_HTTP_PORT=str(port), **env),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    served = Served(f"http://127.0.0.1:{port}")
    try:
        await _answers(served.url, process)
        yield served
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        try:
            output, _ = await asyncio.wait_for(process.communicate(), 60)
        except TimeoutError:
            process.kill()  # a server that does not stop is the failure; it is not left running
            output, _ = await process.communicate()
        served.output, served.returncode = output.decode(), process.returncode


async def _answers(url: str, process: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as client:
        for _ in range(480):  # two minutes: a busy machine loads the app slowly
            if process.returncode is not None:
                raise AssertionError("run.py serve ended before it answered")
            try:
                async with client.get(f"{url}/healthz") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.25)
    raise AssertionError("run.py serve did not answer in two minutes")
