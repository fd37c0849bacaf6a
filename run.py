"""fahuo command line: serve the system, migrate, load demo data, manage users and keys, import, check.

    python run.py                 serve (web app; the bot and scheduler join when configured)
    python run.py serve --demo    serve, loading the demo data set first if the database is empty
    python run.py serve --emulator   also run the bot against a local Telegram emulator (web chat)
    python run.py scheduler       only the scheduled jobs (one process runs them at a time)
    python run.py migrate | demo | check
    python run.py user add NAME --role ROLE [--password P]
    python run.py user telegram NAME TELEGRAM_ID
    python run.py apikey add CHANNEL
    python run.py import products|stock FILE.csv
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import signal
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from aiohttp import web
from tqdm import tqdm

from bot.app import WEBHOOK_PATH, mount_webhook, run_bot
from bot.emulator import BotApiEmulator
from core.auth import Role, Staff, add_api_key, add_staff
from core.db import close_db, open_db
from core.demo import load_demo
from core.errors import DomainError, ImportFailed
from core.imports import import_products, import_stock
from core.settings import Settings
from core.stock import check_ledger
from core.warehouses import Warehouse
from pwa.app import create_app
from scheduler.runner import Scheduler

log = logging.getLogger("fahuo")
EMULATOR_TOKEN = "4242:local-emulator"


def _bar(rows: Iterable[Any], total: int) -> Iterable[Any]:
    return tqdm(rows, total=total, unit="row", file=sys.stderr, leave=False)


async def print_demo(settings: Settings) -> None:
    logins = await load_demo()
    print("Demo data loaded: 3 warehouses, 34 products, stock, 8 customers, 5 carriers, 2 vans.")
    print("Staff logins (for trying fahuo out only):")
    for username, role, password in logins.staff:
        print(f"  {username:<11} {role:<11} password: {password}")
    print(f"API key for channel 'shop' (shown once): {logins.api_key}")


async def _start_emulator(settings: Settings) -> tuple[web.AppRunner, Settings]:
    """The local Bot API emulator, and settings that point the bot at it."""
    emulator = BotApiEmulator(token=EMULATOR_TOKEN)
    runner = web.AppRunner(emulator.app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", settings.emulator_port).start()
    base = f"http://127.0.0.1:{settings.emulator_port}"
    print(f"Telegram bot: on, against the local Bot API emulator; chat with it at {base}/chat")
    return runner, settings.model_copy(update={"telegram_token": EMULATOR_TOKEN, "telegram_api_base": base,
                                               "telegram_webhook_url": ""})


async def serve(settings: Settings, demo: bool, emulator: bool) -> None:
    await open_db(settings)
    runners: list[web.AppRunner] = []
    stop = asyncio.Event()
    bot_task = None
    scheduler: Scheduler | None = None
    try:
        if demo and not await Warehouse.exists():
            await print_demo(settings)
        if emulator or settings.telegram_emulator:
            chat, settings = await _start_emulator(settings)
            runners.append(chat)
        app = create_app(settings, manage_db=False)
        if settings.telegram_token and settings.telegram_webhook_url:
            mount_webhook(app, settings)
            print(f"Telegram bot: on, webhook at {settings.telegram_webhook_url.rstrip('/')}{WEBHOOK_PATH}")
        elif settings.telegram_token:
            bot_task = asyncio.create_task(run_bot(settings, stop))
            if not settings.telegram_api_base.startswith("http://127.0.0.1"):
                print("Telegram bot: on (long polling).")
        else:
            print("Telegram bot: off (set FAHUO_TELEGRAM_TOKEN, or try it locally: run.py serve --emulator).")
        if settings.scheduler_enabled:
            scheduler = Scheduler(settings)
            scheduler.start()
            print("Scheduler: on (jobs run in one process at a time; FAHUO_SCHEDULER_ENABLED=false to leave it out).")
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        runners.append(runner)
        await web.TCPSite(runner, settings.http_host, settings.http_port).start()
        print(f"fahuo web app and API: {settings.base_url}/  (API description: {settings.base_url}/api/openapi.json)")
        print(f"Database: {settings.database_url.split('?')[0]}   Stop with Ctrl+C.")
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        if bot_task is not None:
            await bot_task
    finally:
        stop.set()
        if scheduler is not None:
            await scheduler.stop()
        for runner in reversed(runners):
            await runner.cleanup()
        await close_db()


async def run_scheduler(settings: Settings) -> None:
    """The scheduler alone, for setups where the web processes run with FAHUO_SCHEDULER_ENABLED=false."""
    await open_db(settings)
    scheduler = Scheduler(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        scheduler.start()
        print(f"Scheduler running as {scheduler.lease.holder}. Stop with Ctrl+C.")
        await stop.wait()
    finally:
        await scheduler.stop()
        await close_db()


async def with_db(settings: Settings, args: argparse.Namespace) -> int:
    await open_db(settings)
    try:
        return await COMMANDS[args.command](settings, args)
    except ImportFailed as exc:
        for problem in exc.lines(args.lang):
            print(f"  {problem}", file=sys.stderr)
        print(exc.message(args.lang), file=sys.stderr)
        return 1
    except DomainError as exc:
        print(exc.message(args.lang), file=sys.stderr)
        return 1
    finally:
        await close_db()


async def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    print("Database is up to date.")
    return 0


async def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    await print_demo(settings)
    return 0


async def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    problems = await check_ledger()
    for problem in problems:
        print(f"BROKEN {problem}")
    print("Ledger consistent: every level matches its moves and reservations." if not problems
          else f"{len(problems)} problem(s) found.")
    return 1 if problems else 0


async def cmd_user(settings: Settings, args: argparse.Namespace) -> int:
    if args.action == "telegram":
        if not await Staff.filter(username=args.name).update(telegram_id=args.telegram_id):
            print(f"No staff member called {args.name}.", file=sys.stderr)
            return 1
        print(f"{args.name} is linked to Telegram id {args.telegram_id}: alerts and /login go there.")
        return 0
    password = args.password
    if password is None:
        password = getpass.getpass(f"Password for {args.name}: ")
        if password != getpass.getpass("Again: "):
            print("The passwords differ; nothing saved.", file=sys.stderr)
            return 1
    staff = await add_staff(args.name, Role(args.role), password)
    print(f"Added {staff.username} ({staff.role.value}).")
    return 0


async def cmd_apikey(settings: Settings, args: argparse.Namespace) -> int:
    key = await add_api_key(args.channel)
    print(f"API key for channel '{args.channel}' (store it now, it is not shown again):\n{key}")
    return 0


async def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():  # noqa: ASYNC240 - a single stat before the import starts
        print(f"No such file: {path}", file=sys.stderr)
        return 1
    if args.kind == "products":
        count = await import_products(path, _bar)
    else:
        count = await import_stock(path, "import", _bar)
    print(f"Imported {count} {args.kind} rows from {path}.")
    return 0


COMMANDS = {"migrate": cmd_migrate, "demo": cmd_demo, "check": cmd_check, "user": cmd_user,
            "apikey": cmd_apikey, "import": cmd_import}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="run.py", description="fahuo order-to-dispatch")
    sub = top.add_subparsers(dest="command")
    serve_p = sub.add_parser("serve", help="run the web app (default)")
    serve_p.add_argument("--demo", action="store_true", help="load the demo data set into an empty database")
    serve_p.add_argument("--emulator", action="store_true",
                         help="run the bot against a local Bot API emulator with a web chat (no Telegram needed)")
    sub.add_parser("scheduler", help="run only the scheduled jobs (when web processes leave them out)")
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("demo", help="load the demo data set and print its logins")
    sub.add_parser("check", help="verify the stock ledger; exit 1 when broken")
    user = sub.add_parser("user", help="staff accounts").add_subparsers(dest="action", required=True)
    add_user = user.add_parser("add", help="add a staff member")
    add_user.add_argument("name")
    add_user.add_argument("--role", required=True, choices=[r.value for r in Role])
    add_user.add_argument("--password", help="asked for when not given")
    link = user.add_parser("telegram", help="link a staff member to their Telegram user id")
    link.add_argument("name")
    link.add_argument("telegram_id", type=int)
    key = sub.add_parser("apikey", help="sales channel keys").add_subparsers(dest="action", required=True)
    key.add_parser("add", help="make a key for a channel").add_argument("channel")
    imp = sub.add_parser("import", help="import a CSV file (all rows or none)")
    imp.add_argument("kind", choices=["products", "stock"])
    imp.add_argument("file")
    return top


def terminal_language() -> str:
    """Chinese when the operator's locale is Chinese (POSIX order: LC_ALL, LC_MESSAGES, LANG), else English."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    args.lang = terminal_language()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("tortoise").setLevel(logging.WARNING)
    settings = Settings()
    if args.command == "scheduler":
        asyncio.run(run_scheduler(settings))
        return 0
    if args.command in (None, "serve"):
        asyncio.run(serve(settings, demo=getattr(args, "demo", False), emulator=getattr(args, "emulator", False)))
        return 0
    return asyncio.run(with_db(settings, args))


if __name__ == "__main__":
    sys.exit(main())
