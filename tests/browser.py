"""Debian's Chromium, headless, for the floor-app tests and `bench.pwa`: how it is started, and a fake camera
that shows a label made by fahuo."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import Browser, async_playwright

from core.floor.qr import qr_png

CHROMIUM = "/usr/bin/chromium"  # the distribution's browser, never a downloaded one
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def camera_feed(folder: Path, payload: str) -> Path:
    """A label with `payload`, turned into the video the fake camera plays (two seconds, looped by Chromium)."""
    png, y4m = folder / "label.png", folder / "camera.y4m"
    png.write_bytes(qr_png(payload))
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-loop", "1", "-i", str(png), "-t", "2", "-r", "15",
                    "-vf", "scale=-1:360,pad=640:480:(ow-iw)/2:(oh-ih)/2:white,format=yuv420p",
                    "-f", "yuv4mpegpipe", str(y4m)], check=True, timeout=60)
    return y4m


@asynccontextmanager
async def chromium(feed: Path | None = None) -> AsyncIterator[Browser]:
    """A headless browser; with `feed`, its camera is granted without asking and plays that video."""
    flags = list(FLAGS)
    if feed is not None:
        flags += ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                  f"--use-file-for-fake-video-capture={feed}"]
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=flags)
        try:
            yield browser
        finally:
            await browser.close()
