"""The pack screen prints on the station's label printer, in real headless Chromium against the real server and a
fake network printer: the printer chosen once on the phone, the labels sent when packing is finished, the
packer told in their language while the printer is off, the labels printed once it is on, and a reprint."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.base.auth import Role, add_staff
from tests.artifacts import artifact
from tests.browser import CHROMIUM, chromium
from tests.conftest import PASSWORD
from tests.factories import a_carrier, a_product, a_warehouse, stock
from tests.printers import FakePrinter, free_port, zpl_formats
from tests.test_logistics import _phones, _pick_all, _place
from tests.test_pwa import PHONE, scan, sign_in, troubles

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists() or not shutil.which("ffmpeg"),
                                 reason="needs Debian's chromium and ffmpeg (.ci/run installs them)")]
WORDS = {"zh": {"waiting": "没有响应", "printed": "已打印", "locale": "zh-CN"},
         "en": {"waiting": "does not answer", "printed": "Printed", "locale": "en-US"}}


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_pack_screen_prints_on_the_stations_printer_says_why_it_waits_and_reprints(
        server, http, db, lang: str):
    wh, tea = await a_warehouse(), await a_product("TEA", name_zh="西湖龙井")
    await stock(tea, wh, 10, "A-01-02")
    await a_carrier("SWIFT", name="顺捷快递")
    phone = await _phones(http)
    number = await _place(http, {"TEA": 2})
    _, pick_list = await phone["picker"].call("POST", "/api/pick-lists", {"orders": [number]})
    await _pick_all(phone["picker"], pick_list)
    port = free_port()  # the printer is switched off
    status, _ = await phone["manager"].call("POST", "/api/printers", {
        "code": "PACK-1", "warehouse": "SH", "station": "打包台 1" if lang == "zh" else "Pack 1",
        "language": "zpl", "connection": "tcp", "address": f"127.0.0.1:{port}"})
    assert status == 201
    await add_staff("packer-9", Role.PACKER, PASSWORD)
    printer = FakePrinter("zpl", port=port)
    async with chromium() as browser:
        context = await browser.new_context(viewport=PHONE, base_url=server, locale=WORDS[lang]["locale"],
                                            has_touch=True, is_mobile=True)
        page = await context.new_page()
        seen = troubles(page)
        await sign_in(page, "packer-9")
        await page.click('a[data-mode="pack"]')
        await page.select_option("#printer", "PACK-1")  # once on this phone: kept for the next visits
        await scan(page, f"FH:ORD:{number}")
        await page.wait_for_selector(f"h2:has-text('{number}')")
        await scan(page, "FH:SKU:TEA")
        await scan(page, "FH:SKU:TEA")
        await page.fill("input.w", "1300")
        await page.click("#finish")
        waiting = await page.wait_for_selector('.print-job[data-state="queued"] .refused')
        assert WORDS[lang]["waiting"] in await waiting.inner_text() and "PACK-1" in await waiting.inner_text()
        assert WORDS[lang]["waiting"] in await page.inner_text("#feedback.bad")  # said where the packer looks
        await page.screenshot(path=artifact(f"pwa-print-said-{lang}.png"))
        await waiting.evaluate("el => el.scrollIntoView({block: 'center'})")  # clear of the scan bar
        await page.screenshot(path=artifact(f"pwa-print-waiting-{lang}.png"))

        await printer.start()  # switched on: the screen's next check prints the labels
        try:
            done = await page.wait_for_selector('.print-job[data-state="printed"]', timeout=20_000)
            assert WORDS[lang]["printed"] in await done.inner_text()
            assert WORDS[lang]["printed"] in await page.inner_text("#feedback.ok")  # the red words are taken back
            assert len(printer.jobs) == 1
            [label] = zpl_formats(printer.jobs[0])
            assert any(d.data.startswith("MA,FH:PKG:") for d in label["drawn"])
            await done.evaluate("el => el.scrollIntoView({block: 'center'})")
            await page.screenshot(path=artifact(f"pwa-print-printed-{lang}.png"))

            await page.click("[data-reprint]")
            await page.wait_for_function(
                "document.querySelectorAll('.print-job[data-state=\"printed\"]').length === 2")
            assert len(printer.jobs) == 2
            await page.goto("/#/")
            await page.click('a[data-mode="pack"]')
            assert await page.input_value("#printer") == "PACK-1"  # remembered on this phone
            await page.goto("/#/labels")  # shelf labels on the same thermal printer
            await page.click('[data-print-shelf="locations"]')
            await page.wait_for_selector('.print-job[data-state="printed"]')
            assert [d.data for f in zpl_formats(printer.jobs[2]) for d in f["drawn"] if d.kind == "qr"][:1] == [
                "MA,FH:LOC:A-01-01"]
            await page.screenshot(path=artifact(f"pwa-print-shelf-{lang}.png"))
        finally:
            await printer.stop()
        await context.close()
    assert seen == []
