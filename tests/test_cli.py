"""run.py against the database under test, as an operator types it."""

import asyncio
import subprocess

import aiohttp
import pytest
from aiohttp.test_utils import unused_port

from core.base.auth import ApiKey, Staff
from core.shipping.carriers import Carrier
from core.stock.catalog import Product
from core.stock.ledger import StockLevel
from core.stock.warehouses import Warehouse
from tests.cli import run_py, serving
from tests.factories import a_product, a_warehouse, stock

pytestmark = pytest.mark.slow  # each test starts run.py


def fahuo(db, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """run.py as an operator with an English locale types it (`env` may give another)."""
    return run_py(*args, FAHUO_DATABASE_URL=db.database_url, **(env or {}))


async def test_demo_loads_warehouses_products_staff_and_prints_the_logins(db, tmp_path):
    done = fahuo(db, "demo", env={"FAHUO_MEDIA_DIR": str(tmp_path / "media")})
    assert done.returncode == 0, done.stderr
    assert "manager" in done.stdout and "API key for channel 'shop'" in done.stdout
    assert await Warehouse.all().count() >= 2 and await Product.all().count() >= 30
    pictured = await Product.filter(category_id__isnull=False).exclude(image="").count()
    assert pictured == await Product.all().count()  # every demo product on a shelf, with a picture
    assert all((tmp_path / "media" / p.image).is_file() for p in await Product.all())
    assert {s.role for s in await Staff.all()} == {"picker", "packer", "dispatcher", "manager", "admin"}
    assert await ApiKey.all().count() == 1
    assert fahuo(db, "check").returncode == 0
    again = fahuo(db, "demo")
    assert again.returncode == 1 and "already has data" in again.stderr


async def test_a_product_file_with_bad_rows_imports_nothing_and_names_the_lines(db, tmp_path):
    bad = tmp_path / "products.csv"
    bad.write_text("sku,name,goods_class,weight_g,price\nOK-1,Fine,normal,100,9.90\n"
                   "BAD-1,,fragile,-5,abc\nBAD-2,Two,plasma,1,1\n", encoding="utf-8")
    done = fahuo(db, "import", "products", str(bad))
    assert done.returncode == 1
    assert "line 3: name: a value is required" in done.stderr and "line 4: goods_class" in done.stderr
    assert await Product.all().count() == 0


async def test_stock_import_sets_counted_quantities_and_the_ledger_stays_consistent(db, tmp_path):
    await a_warehouse("SH")
    tea = await a_product("TEA")
    counts = tmp_path / "stock.csv"
    counts.write_text("sku,warehouse,location,qty\nTEA,SH,A-01-01,30\nTEA,SH,A-01-02,5\n", encoding="utf-8")
    done = fahuo(db, "import", "stock", str(counts))
    assert done.returncode == 0, done.stderr
    assert sorted(await StockLevel.filter(product=tea).values_list("on_hand", flat=True)) == [5, 30]
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("sku,warehouse,location,qty\nTEA,SH,Z-99-99,1\n", encoding="utf-8")
    refused = fahuo(db, "import", "stock", str(unknown))
    assert refused.returncode == 1 and "line 2: no bin Z-99-99 in SH" in refused.stderr
    assert fahuo(db, "check").returncode == 0


async def test_check_exits_non_zero_when_a_level_was_edited_by_hand(db):
    wh, tea = await a_warehouse(), await a_product("TEA")
    await stock(tea, wh, 10)
    await StockLevel.filter(product=tea).update(reserved=3)  # reserved with no reservation behind it
    done = fahuo(db, "check")
    assert done.returncode == 1 and "reserved 3 but reservations sum to 0" in done.stdout


async def test_user_add_refuses_a_short_password_and_a_taken_name(db):
    assert fahuo(db, "user", "add", "sun", "--role", "picker", "--password", "long-enough").returncode == 0
    taken = fahuo(db, "user", "add", "sun", "--role", "picker", "--password", "long-enough")
    assert taken.returncode == 1 and "exists already" in taken.stderr
    short = fahuo(db, "user", "add", "wu", "--role", "packer", "--password", "short")
    assert short.returncode == 1 and "at least 8 characters" in short.stderr


async def test_user_telegram_links_a_staff_member_and_names_one_who_is_not_there(db):
    assert fahuo(db, "user", "add", "sun", "--role", "manager", "--password", "long-enough").returncode == 0
    linked = fahuo(db, "user", "telegram", "sun", "2001")
    assert linked.returncode == 0 and "sun is linked to Telegram id 2001" in linked.stdout
    assert (await Staff.get(username="sun")).telegram_id == 2001
    nobody = fahuo(db, "user", "telegram", "wu", "2002")
    assert nobody.returncode == 1 and "No staff member called wu." in nobody.stderr


async def test_the_first_readme_command_runs_web_bot_emulator_and_scheduler_together(tmp_path):
    chat = f"http://127.0.0.1:{unused_port()}"
    async with serving("--demo", "--emulator", port=unused_port(), FAHUO_EMULATOR_PORT=chat.rsplit(":", 1)[1],
                       FAHUO_DATABASE_URL=f"sqlite://{tmp_path / 'first.sqlite3'}?synchronous=NORMAL",
                       FAHUO_MEDIA_DIR=str(tmp_path / "media")) as served:
        async with aiohttp.ClientSession() as client:
            async with client.post(f"{chat}/chat/send", json={"chat": 1001, "text": "/catalog"}) as resp:
                assert resp.status == 200
            for _ in range(40):
                async with client.get(f"{chat}/chat/messages?chat=1001") as resp:
                    messages = await resp.json()
                if messages:
                    break
                await asyncio.sleep(0.25)
            assert any("Choose a shelf" in m["text"] or "请选择分类" in m["text"] for m in messages)
            async with client.get(f"{served.url}/") as resp:
                assert resp.status == 200 and "fahuo" in await resp.text()
            async with client.get(f"{served.url}/media/products/TEA-LJ-250.png") as resp:  # the demo's pictures
                assert resp.status == 200 and resp.content_type == "image/png"
            async with client.get(f"{served.url}/media/../first.sqlite3") as resp:
                assert resp.status == 404
    assert served.returncode == 0, served.output
    assert "Telegram bot: on, against the local Bot API emulator" in served.output
    assert "Scheduler: on" in served.output and "Traceback" not in served.output


async def test_demo_adds_the_carriers_whose_sandbox_keys_are_given_and_prints_no_secret(db, tmp_path):
    accounts = ('{"SF": {"key": "SF-SANDBOX-PARTNER", "secret": "sf-check-word-xyz", "sandbox": true},'
                ' "karrio": {"key": "ups-client-id-abc", "secret": "ups-client-secret-def", "account": "A1B2C3"},'
                ' "kuaidi100": {"key": "kd-live-key", "sandbox": false}}')
    done = fahuo(db, "demo", env={"FAHUO_CARRIER_ACCOUNTS": accounts})
    assert done.returncode == 0, done.stderr
    assert "Carriers on their sandbox accounts (FAHUO_CARRIER_ACCOUNTS): SF, UPS" in done.stdout
    codes = {c.code: c.adapter for c in await Carrier.all()}
    assert codes["SF"] == "sf" and codes["UPS"] == "karrio" and "YTO" not in codes  # kuaidi100's is no sandbox
    tea = await Product.get(sku="TEA-LJ-250")
    assert tea.declares_customs and not (await Product.get(sku="KIT-WOK-32")).declares_customs
    for secret in ("SF-SANDBOX-PARTNER", "sf-check-word-xyz", "ups-client-id-abc", "ups-client-secret-def",
                   "kd-live-key"):
        assert secret not in done.stdout + done.stderr


async def test_under_a_chinese_locale_the_commands_speak_chinese(db, tmp_path):
    zh = {"LANG": "zh_CN.UTF-8", "FAHUO_MEDIA_DIR": str(tmp_path / "media")}
    said = {" ".join(args): fahuo(db, *args, env=zh) for args in (
        ("migrate",), ("demo",), ("check",), ("user", "add", "sun", "--role", "picker", "--password", "long-enough",
                                              "--name", "孙丽"), ("user", "warehouse", "sun", "SH"))}
    assert all(done.returncode == 0 for done in said.values()), {a: d.stderr for a, d in said.items()}
    assert said["migrate"].stdout.strip() == "数据库已是最新。"
    assert "演示数据已载入" in said["demo"].stdout and "密码：" in said["demo"].stdout
    assert "拣货员" in said["demo"].stdout and "picker " not in said["demo"].stdout.replace("  picker", "")
    assert said["check"].stdout.startswith("库存台账一致")
    added = said["user add sun --role picker --password long-enough --name 孙丽"]
    assert added.stdout.strip() == "已添加 sun（拣货员）。"
    assert "在 SH 上海青浦仓 工作" in said["user warehouse sun SH"].stdout
    assert (await Staff.get(username="sun")).display_name == "孙丽"
    for done in said.values():
        assert not [w for w in ("Ledger", "Placed", "Added", "Database", "Demo", "password") if w in done.stdout]
    async with serving(port=unused_port(), LANG="zh_CN.UTF-8", FAHUO_TELEGRAM_TOKEN="",
                       FAHUO_DATABASE_URL=db.database_url) as served:
        pass
    assert "Telegram 机器人：未开启" in served.output and "按 Ctrl+C 停止" in served.output
    assert "Telegram bot" not in served.output
