"""run.py given wrong input as an operator would give it: one line that says what to fix, exit code 1, and
nothing left half-started."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import subprocess
import sys

import pytest
from aiohttp import web
from aiohttp.test_utils import unused_port

from bot.emulator import BotApiEmulator
from tests.cli import ROOT, environment, refusal, run_py, serving
from tests.factories import a_warehouse

pytestmark = pytest.mark.slow  # each test starts run.py
HEAVY = ("aiogram", "aiohttp", "tortoise", "ortools", "reportlab", "pydantic_settings", "bot", "pwa", "scheduler")


def test_help_answers_without_loading_the_bot_the_web_app_or_the_solver():
    done = subprocess.run([sys.executable, "-X", "importtime", "run.py", "--help"], cwd=ROOT, env=environment(),
                          capture_output=True, text=True, timeout=60, check=True)
    loaded = {line.rsplit("|", 1)[1].strip().split(".")[0] for line in done.stderr.splitlines() if "|" in line}
    assert "serve" in done.stdout and not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    roles = run_py("user", "add", "--help")
    assert "picker, packer, dispatcher, manager, admin" in roles.stdout
    wrong = run_py("user", "add", "li", "--role", "boss")
    assert wrong.returncode == 2 and "invalid choice: 'boss'" in wrong.stderr


def test_importing_the_core_reads_no_settings():
    script = "import core.stock.ledger, core.orders.order, core.base.db"
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env=environment(FAHUO_TELEGRAM_WEBHOOK_URL="https://shop.example", FAHUO_HTTP_PORT="x"))
    assert done.returncode == 0, done.stderr
    show = "import core.base.db; print(core.base.db.TORTOISE_ORM['connections'])"
    tool = subprocess.run([sys.executable, "-c", show],
                          cwd=ROOT, env=environment(FAHUO_DATABASE_URL="sqlite://elsewhere.sqlite3"),
                          capture_output=True, text=True, timeout=60, check=True)
    assert "'file_path': 'elsewhere.sqlite3'" in tool.stdout  # the tool's database, from its settings


@pytest.mark.parametrize(("setting", "value", "named"), [
    ("FAHUO_HTTP_PORT", "eighty", "FAHUO_HTTP_PORT is not valid: should be a whole number"),
    ("FAHUO_TIMEZONE", "Mars/Olympus", "FAHUO_TIMEZONE is not valid: not a known time zone"),
    ("FAHUO_TELEGRAM_WEBHOOK_URL", "https://shop.example", "FAHUO_TELEGRAM_WEBHOOK_SECRET of 16 or more"),
    ("FAHUO_TELEGRAM_TOKEN", "my token", "FAHUO_TELEGRAM_TOKEN is not valid: a bot token looks like"),
    ("FAHUO_DATABASE_URL", "mysql://fahuo:s3cret@db/fahuo", "FAHUO_DATABASE_URL is not valid: use sqlite://"),
    ("FAHUO_SCHEDULER_ENABLED", "perhaps", "FAHUO_SCHEDULER_ENABLED is not valid"),
])
def test_a_bad_setting_stops_every_command_with_one_line_naming_it(setting, value, named):
    for command in (["check"], ["serve"]):
        line = refusal(run_py(*command, **{setting: value}))
        assert named in line and "s3cret" not in line and "my token" not in line


@pytest.mark.parametrize(("setting", "value", "named"), [
    ("FAHUO_HTTP_PORT", "eighty", "FAHUO_HTTP_PORT 的值无效：应为整数"),
    ("FAHUO_TIMEZONE", "Mars/Olympus", "FAHUO_TIMEZONE 的值无效：不是已知的时区，例如 Asia/Shanghai"),
    ("FAHUO_TELEGRAM_WEBHOOK_URL", "https://shop.example", "设置有误：webhook 模式需要至少 16 个字符的"),
])
def test_a_bad_setting_is_said_wholly_in_chinese_under_a_chinese_locale(setting, value, named):
    line = refusal(run_py("check", LANG="zh_CN.UTF-8", **{setting: value}))
    assert line.startswith(named), line
    assert not re.search(r"Input|should|valid", line)  # none of pydantic's English


def test_a_database_that_does_not_answer_is_one_line_without_its_password():
    url = f"postgres://fahuo:s3cret@127.0.0.1:{unused_port()}/fahuo"
    for command in ("check", "serve"):
        line = refusal(run_py(command, FAHUO_DATABASE_URL=url))
        assert line.startswith("Cannot open the database postgres://fahuo:***@127.0.0.1:") and "s3cret" not in line
    in_chinese = refusal(run_py("check", FAHUO_DATABASE_URL=url, LANG="zh_CN.UTF-8"))
    assert in_chinese.startswith("无法打开数据库 postgres://fahuo:***@127.0.0.1:")


def test_a_sqlite_path_with_a_missing_folder_is_refused_and_nothing_is_created(tmp_path):
    typo = tmp_path / "dta" / "fahuo.sqlite3"
    for command in ("serve", "migrate"):
        line = refusal(run_py(command, FAHUO_DATABASE_URL=f"sqlite://{typo}"))
        assert f"there is no folder {typo.parent}" in line
    assert not typo.parent.exists()
    assert "is a folder, not a database file" in refusal(run_py("check", FAHUO_DATABASE_URL=f"sqlite://{tmp_path}"))
    in_chinese = refusal(run_py("check", FAHUO_DATABASE_URL=f"sqlite://{typo}", LANG="zh_CN.UTF-8"))
    assert f"文件夹 {typo.parent} 不存在" in in_chinese
    a_file = tmp_path / "orders.csv"
    a_file.write_text("sku,qty\n", encoding="utf-8")
    assert "file is not a database" in refusal(run_py("check", FAHUO_DATABASE_URL=f"sqlite://{a_file}"))


def test_the_default_database_and_its_folder_are_made_on_first_start(tmp_path):
    done = run_py("migrate", cwd=tmp_path, FAHUO_DATABASE_URL="")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "data" / "fahuo.sqlite3").is_file()


@pytest.mark.parametrize("taken", ["FAHUO_HTTP_PORT", "FAHUO_EMULATOR_PORT"])
def test_a_port_in_use_stops_web_bot_and_scheduler_with_one_line(db, taken):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        ports = {"FAHUO_HTTP_PORT": str(unused_port()), "FAHUO_EMULATOR_PORT": str(unused_port()),
                 taken: str(holder.getsockname()[1])}
        done = run_py("serve", "--emulator", FAHUO_DATABASE_URL=db.database_url,
                      FAHUO_SCHEDULER_ENABLED="true", **ports)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        f"Cannot listen on 127.0.0.1:{ports[taken]} ({taken}): Address already in use")
    assert "Scheduler: on" not in done.stdout and "scheduler started" not in done.stderr


async def test_serve_demo_on_a_database_with_data_says_the_demo_was_skipped_and_how_to_log_in(db):
    await a_warehouse()
    async with serving("--demo", port=unused_port(), FAHUO_DATABASE_URL=db.database_url,
                       FAHUO_SCHEDULER_ENABLED="false") as served:
        pass
    assert served.returncode == 0, served.output
    assert "Demo skipped: this database already has data" in served.output
    assert "run.py user add NAME --role admin" in served.output and "Traceback" not in served.output


async def test_a_bot_token_telegram_refuses_stops_the_server_with_one_line(db):
    telegram = web.AppRunner(BotApiEmulator(token="123:right").app())
    await telegram.setup()
    api_port = unused_port()
    await web.TCPSite(telegram, "127.0.0.1", api_port).start()
    try:
        done = await asyncio.to_thread(
            run_py, "serve", FAHUO_DATABASE_URL=db.database_url, FAHUO_HTTP_PORT=str(unused_port()),
            FAHUO_TELEGRAM_TOKEN="123:wrong", FAHUO_SCHEDULER_ENABLED="false", FAHUO_TELEGRAM_API_BASE=f"http://127.0.0.1:{api_port}")
    finally:
        await telegram.cleanup()
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith(
        "The Telegram bot stopped at start (check FAHUO_TELEGRAM_TOKEN):")


def test_a_password_prompt_without_a_terminal_saves_nothing_and_says_why(db):
    done = run_py("user", "add", "zhao", "--role", "picker", stdin="", FAHUO_DATABASE_URL=db.database_url)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "No password given (no terminal to ask on: use --password); nothing saved.")


def test_a_blank_staff_name_or_channel_is_refused(db):
    for args in (["user", "add", " ", "--role", "picker", "--password", "long-enough"], ["apikey", "add", ""]):
        done = run_py(*args, FAHUO_DATABASE_URL=db.database_url)
        assert done.returncode == 2 and "must not be blank" in done.stderr, done.stderr


async def test_ctrl_c_while_the_server_starts_stops_it_without_a_traceback(db, tmp_path):
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "run.py"), "serve", "--demo", "--emulator", cwd=ROOT,
        env=environment(FAHUO_DATABASE_URL=db.database_url, FAHUO_HTTP_PORT=str(unused_port()),
                        FAHUO_EMULATOR_PORT=str(unused_port()), FAHUO_MEDIA_DIR=str(tmp_path / "media")),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    assert process.stdout is not None
    first = await asyncio.wait_for(process.stdout.readline(), 120)  # migrated and the demo loaded: mid-start
    process.send_signal(signal.SIGINT)
    try:
        rest, _ = await asyncio.wait_for(process.communicate(), 60)
    finally:
        if process.returncode is None:
            process.kill()
    output = first.decode() + rest.decode()
    assert process.returncode == 0 and "Traceback" not in output, output
