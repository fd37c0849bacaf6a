"""fahuo command line: serve the system, migrate, load demo data, manage users and keys, import, check.

    python run.py                 serve (web app; the bot and scheduler join when configured)
    python run.py serve --demo    serve, loading the demo data set first if the database is empty
    python run.py migrate | demo | check
    python run.py user add NAME --role ROLE [--password P]
    python run.py apikey add CHANNEL
    python run.py import products|stock FILE.csv
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import signal
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from aiohttp import web
from tqdm import tqdm

from core.auth import Role, add_api_key, add_staff
from core.db import close_db, open_db
from core.demo import load_demo
from core.errors import DomainError, ImportFailed
from core.imports import import_products, import_stock
from core.settings import Settings
from core.stock import check_ledger
from core.warehouses import Warehouse
from pwa.app import create_app

log = logging.getLogger("fahuo")


def _bar(rows: Iterable[Any], total: int) -> Iterable[Any]:
    return tqdm(rows, total=total, unit="row", file=sys.stderr, leave=False)


async def print_demo(settings: Settings) -> None:
    logins = await load_demo()
    print("Demo data loaded: 3 warehouses, 34 products, stock, 8 customers.")
    print("Staff logins (for trying fahuo out only):")
    for username, role, password in logins.staff:
        print(f"  {username:<11} {role:<11} password: {password}")
    print(f"API key for channel 'shop' (shown once): {logins.api_key}")


async def serve(settings: Settings, demo: bool) -> None:
    await open_db(settings)
    try:
        if demo and not await Warehouse.exists():
            await print_demo(settings)
        runner = web.AppRunner(create_app(settings, manage_db=False), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, settings.http_host, settings.http_port).start()
        print(f"fahuo web app and API: {settings.base_url}/  (API description: {settings.base_url}/api/openapi.json)")
        if settings.telegram_token:
            print("Telegram bot: configured, but the bot arrives with a later release; it is not started yet.")
        else:
            print("Telegram bot: off (set FAHUO_TELEGRAM_TOKEN to switch it on).")
        print(f"Database: {settings.database_url.split('?')[0]}   Stop with Ctrl+C.")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await runner.cleanup()
    finally:
        await close_db()


async def with_db(settings: Settings, args: argparse.Namespace) -> int:
    await open_db(settings)
    try:
        return await COMMANDS[args.command](settings, args)
    except ImportFailed as exc:
        for line, problem in exc.errors:
            print(f"  line {line}: {problem}", file=sys.stderr)
        print(exc.message(), file=sys.stderr)
        return 1
    except DomainError as exc:
        print(exc.message(), file=sys.stderr)
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
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("demo", help="load the demo data set and print its logins")
    sub.add_parser("check", help="verify the stock ledger; exit 1 when broken")
    user = sub.add_parser("user", help="staff accounts").add_subparsers(dest="action", required=True)
    add_user = user.add_parser("add", help="add a staff member")
    add_user.add_argument("name")
    add_user.add_argument("--role", required=True, choices=[r.value for r in Role])
    add_user.add_argument("--password", help="asked for when not given")
    key = sub.add_parser("apikey", help="sales channel keys").add_subparsers(dest="action", required=True)
    key.add_parser("add", help="make a key for a channel").add_argument("channel")
    imp = sub.add_parser("import", help="import a CSV file (all rows or none)")
    imp.add_argument("kind", choices=["products", "stock"])
    imp.add_argument("file")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("tortoise").setLevel(logging.WARNING)
    settings = Settings()
    if args.command in (None, "serve"):
        asyncio.run(serve(settings, demo=getattr(args, "demo", False)))
        return 0
    return asyncio.run(with_db(settings, args))


if __name__ == "__main__":
    sys.exit(main())
