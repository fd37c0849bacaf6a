"""The floor app: bytes of the app shell, page load to ready-to-scan, and camera decode time.

Runs Debian's Chromium headless against a fresh server on 127.0.0.1. "Ready" is the moment the app has
drawn its first screen with the scan field focused. The baseline, loaded in the same run by the same
browser, is a blank HTML page from the same server. Camera decode is timed from the first camera frame to
the decoded label, with a label made by fahuo as the fake camera feed. Prints one line.

    python -m bench.pwa [--loads 10] [--decodes 5] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path

from aiohttp import web

from bench import parse
from core.base.auth import Role, add_staff, login
from core.base.db import close_db, open_db
from core.base.settings import Settings
from core.stock.warehouses import Location, create_warehouse
from pwa.app import STATIC, create_app
from tests.browser import camera_feed, chromium

SHELL = ["index.html", "app.js", "style.css", "js/api.js", "js/i18n.js", "js/queue.js", "js/scanner.js",
         "manifest.webmanifest", "icons/icon-192.png", "sw.js"]
DECODER = "vendor/barcode-detector/ponyfill.js"  # loaded only where the browser has no BarcodeDetector



async def blank(request: web.Request) -> web.Response:
    return web.Response(text="<!doctype html><title>blank</title><script>window.fahuoReady=performance.now()"
                             "</script>", content_type="text/html")


async def main(args: argparse.Namespace) -> None:
    shell = sum((STATIC / f).stat().st_size for f in SHELL)
    decoder = (STATIC / DECODER).stat().st_size
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite://{Path(tmp) / 'pwa.sqlite3'}", _env_file=None)  # type: ignore[call-arg]
        await open_db(settings)
        warehouse = await create_warehouse("SH", "Shanghai")
        await Location.create(warehouse=warehouse, code="A-01-01", aisle=1, x=1, y=2)
        await add_staff("bench", Role.PICKER, "bench-password")
        grant = await login("bench", "bench-password", 1)
        app = create_app(settings, manage_db=False)
        app.router.add_get("/blank", blank)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        base = f"http://127.0.0.1:{runner.addresses[0][1]}"
        staff = '{"username": "bench", "role": "picker", "display_name": "bench"}'
        sign_in = (f"localStorage.setItem('fahuo.token', '{grant.token}');"
                   f"localStorage.setItem('fahuo.staff', '{staff}')")
        try:
            async with chromium(camera_feed(Path(tmp), "FH:LOC:A-01-01")) as browser:
                ready, baseline, decode = [], [], []
                for _ in range(args.loads):  # a new context each time: a first visit, nothing cached
                    context = await browser.new_context(base_url=base, permissions=["camera"])
                    await context.add_init_script(sign_in)
                    page = await context.new_page()
                    await page.goto("/blank")
                    baseline.append(await page.evaluate("window.fahuoReady"))
                    await page.goto("/#/lookup")
                    await page.wait_for_function("window.fahuoReady && document.activeElement.id === 'scan'")
                    ready.append(await page.evaluate("window.fahuoReady"))
                    await context.close()
                for _ in range(args.decodes):
                    context = await browser.new_context(base_url=base, permissions=["camera"])
                    await context.add_init_script(sign_in)
                    page = await context.new_page()
                    await page.goto("/#/lookup")
                    await page.wait_for_selector("#scanbar:not([hidden])")
                    await page.click("#camera")
                    await page.wait_for_selector('[data-kind="location"]', timeout=20_000)
                    decode.append(await page.evaluate("window.fahuoCameraDecoded - window.fahuoCameraStarted"))
                    await context.close()
        finally:
            await runner.cleanup()
            await close_db()
    ms = statistics.median(ready)
    print(f"pwa: app shell {shell / 1024:.0f} KB (+{decoder / 1024:.0f} KB decoder where there is no native "
          f"BarcodeDetector, wasm not counted; target < 300 KB); load to ready-to-scan {ms:.0f} ms median, "
          f"{ms / statistics.median(baseline):.1f}× a blank page ({statistics.median(baseline):.0f} ms); camera "
          f"decode {statistics.median(decode):.0f} ms median")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=10)
    parser.add_argument("--decodes", type=int, default=5)
    asyncio.run(main(parse(parser, loads=1, decodes=1)))
