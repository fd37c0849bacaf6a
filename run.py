"""fahuo command line: serve the system, migrate, load demo data, manage users and keys, import, check.

    python run.py                 serve (web app; the bot and scheduler join when configured)
    python run.py serve --demo    serve, loading the demo data set first if the database is empty
    python run.py serve --emulator   also run the bot against a local Telegram emulator (web chat)
    python run.py scheduler       only the scheduled jobs (one process runs them at a time)
    python run.py migrate | demo | check
    python run.py user add NAME --role ROLE [--password P] [--name "孙丽"]
    python run.py user telegram NAME TELEGRAM_ID
    python run.py user warehouse NAME CODE|-
    python run.py apikey add CHANNEL
    python run.py import products|stock|orders FILE.csv

Each command imports what it uses inside its own function: the bot (aiogram), the solver (OR-Tools), the PDF
writer and the web app take seconds to load, and `--help` or `check` should not wait for all of them.
Whatever stops a command the operator can fix (a setting, the database, a port) is one line and exit code 1.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

    from aiohttp import web

    from core.base.settings import Settings

log = logging.getLogger("fahuo")
EMULATOR_TOKEN = "4242:local-emulator"
MANAGER_CHAT = 2001  # the emulator's chat page is customer 1001's unless told another chat


class Refused(Exception):
    """A command that cannot go on for a reason the operator can fix: a message code of core.base.i18n and its
    parameters, printed as one line in the operator's language."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params

    def message(self, lang: str) -> str:
        from core.base.i18n import text

        return text(self.code, lang, **self.params)


def load_settings(lang: str = "en") -> Settings:
    from pydantic import ValidationError

    from core.base.errors import problem_words
    from core.base.i18n import render
    from core.base.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        error = exc.errors()[0]  # the first problem; fixed, the next one shows
        # said in the operator's words, as the API says what is wrong with a request's body
        problem = render(problem_words(error["type"], error.get("ctx", {})), lang)
        if not error["loc"]:  # a rule across settings: its message names them
            raise Refused("cli.settings", problem=problem) from None
        # the value itself is not repeated: it may be a token or a URL with a password
        raise Refused("cli.setting", name=f"FAHUO_{str(error['loc'][0]).upper()}", problem=problem) from None


async def open_database(settings: Settings) -> None:
    from core.base.db import DatabaseUnavailable, open_db

    try:
        await open_db(settings)
    except DatabaseUnavailable as exc:
        raise Refused(exc.code, **exc.params) from None


async def listen(app: web.Application, host: str, port: int, setting: str) -> web.AppRunner:
    """Serve `app` on host:port; a port that is taken is refused in one line naming the setting that chose it."""
    from aiohttp import web

    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        reason = os.strerror(exc.errno) if exc.errno else str(exc)  # asyncio's own text repeats the address
        raise Refused("cli.port", host=host, port=port, setting=setting, reason=reason) from None
    return runner


def _bar(rows: Iterable[Any], total: int) -> Iterable[Any]:
    from tqdm import tqdm

    return tqdm(rows, total=total, unit="row", file=sys.stderr, leave=False)


def say(code: str, lang: str, /, **params: Any) -> None:
    """One line of a command's output, from the catalogue, in the operator's language."""
    from core.base.i18n import text

    print(text(code, lang, **params), flush=True)


async def print_demo(settings: Settings, lang: str) -> None:
    from core.base.i18n import listed, status_word
    from core.demo import load_demo

    logins = await load_demo(media_dir=settings.media_dir, account=settings.carrier_account)
    say("cli.demo_loaded", lang)
    if logins.sandbox_carriers:  # their accounts' secrets stay in the settings, never printed
        say("cli.demo_sandbox", lang, carriers=listed(list(logins.sandbox_carriers)))
    say("cli.demo_logins", lang)
    for username, role, password in logins.staff:
        say("cli.demo_login", lang, username=f"{username:<11}", role=status_word("role", role, lang),
            password=password)
    say("cli.demo_key", lang, key=logins.api_key)


async def demo_or_hint(settings: Settings, demo: bool, lang: str) -> None:
    """Load the demo into an empty database when asked; otherwise say how an empty one gets its first login."""
    from core.base.i18n import text
    from core.demo import is_empty

    if await is_empty():
        if demo:
            await print_demo(settings, lang)
        else:
            print(text("cli.database_empty", lang))
    elif demo:
        print(text("cli.demo_skipped", lang))


async def _start_emulator(settings: Settings, lang: str) -> tuple[web.AppRunner, Settings]:
    """The local Bot API emulator, and settings that point the bot at it."""
    from bot.emulator import BotApiEmulator

    emulator = BotApiEmulator(token=EMULATOR_TOKEN)
    runner = await listen(emulator.app(), "127.0.0.1", settings.emulator_port, "FAHUO_EMULATOR_PORT")
    base = f"http://127.0.0.1:{settings.emulator_port}"
    say("cli.bot_emulator", lang, base=base, chat=MANAGER_CHAT)
    return runner, settings.model_copy(update={"telegram_token": EMULATOR_TOKEN, "telegram_api_base": base,
                                               "telegram_webhook_url": ""})


def stop_on_signals(stop: asyncio.Event) -> None:
    """Ctrl+C and SIGTERM set `stop`, from the first moment of a start: one that comes while the database is
    migrated or the demo loaded lets that step finish, and the start then unwinds instead of going on."""
    import asyncio
    import signal

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


async def until_stopped(stop: asyncio.Event, bot: asyncio.Task[None] | None) -> None:
    """Wait for `stop`; a bot that ends before it (Telegram refused the token) stops the server."""
    import asyncio

    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait({stopped} | ({bot} if bot else set()), return_when=asyncio.FIRST_COMPLETED)
    if bot is not None and bot.done() and not stop.is_set():
        stopped.cancel()
        problem = bot.exception()
        from core.base.i18n import phrase

        raise Refused("cli.bot_refused", reason=str(problem) if problem else phrase("cli.bot_ended"))
    if bot is not None:
        await bot


async def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import asyncio

    stop = asyncio.Event()
    stop_on_signals(stop)
    from core.base.db import close_db, shown_url
    from pwa.app import create_app

    await open_database(settings)
    runners: list[web.AppRunner] = []
    bot_task = None
    scheduler = None
    warming: asyncio.Task[None] | None = None
    try:
        await demo_or_hint(settings, getattr(args, "demo", False), args.lang)
        if stop.is_set():  # stopped during the long steps: nothing else is started
            return 0
        if getattr(args, "emulator", False) or settings.telegram_emulator:
            chat, settings = await _start_emulator(settings, args.lang)
            runners.append(chat)
        app = create_app(settings, manage_db=False)
        polling = bool(settings.telegram_token) and not settings.telegram_webhook_url
        if settings.telegram_token and settings.telegram_webhook_url:
            from bot.app import WEBHOOK_PATH, mount_webhook

            mount_webhook(app, settings)
            say("cli.bot_webhook", args.lang, url=f"{settings.telegram_webhook_url.rstrip('/')}{WEBHOOK_PATH}")
        elif not settings.telegram_token:
            say("cli.bot_off", args.lang)
        runners.append(await listen(app, settings.http_host, settings.http_port, "FAHUO_HTTP_PORT"))
        from core.shipping.carriers import warm_up_adapters

        warming = asyncio.create_task(warm_up_adapters())  # in the background: serving starts at once
        # the ports are ours: only now start the parts that work on their own, so a refusal leaves nothing behind
        if polling:
            from bot.app import run_bot

            bot_task = asyncio.create_task(run_bot(settings, stop))
            if not settings.telegram_api_base.startswith("http://127.0.0.1"):
                say("cli.bot_polling", args.lang)
        if settings.scheduler_enabled:
            from scheduler.runner import Scheduler

            scheduler = Scheduler(settings)
            scheduler.start()
            say("cli.scheduler_on", args.lang)
        say("cli.serving", args.lang, url=settings.base_url)
        say("cli.database", args.lang, url=shown_url(settings.database_url))
        await until_stopped(stop, bot_task)
    finally:
        stop.set()
        if warming is not None:
            await asyncio.gather(warming, return_exceptions=True)
        if bot_task is not None and not bot_task.done():
            await asyncio.gather(bot_task, return_exceptions=True)
        if scheduler is not None:
            await scheduler.stop()
        for runner in reversed(runners):
            await runner.cleanup()
        await close_db()
    return 0


async def cmd_scheduler(settings: Settings, args: argparse.Namespace) -> int:
    """The scheduler alone, for setups where the web processes run with FAHUO_SCHEDULER_ENABLED=false."""
    import asyncio

    from core.base.db import close_db
    from scheduler.runner import Scheduler

    stop = asyncio.Event()
    stop_on_signals(stop)
    await open_database(settings)
    scheduler = Scheduler(settings)
    try:
        scheduler.start()
        say("cli.scheduler_alone", args.lang, holder=scheduler.lease.holder)
        await until_stopped(stop, None)
    finally:
        await scheduler.stop()
        await close_db()
    return 0


async def with_db(settings: Settings, args: argparse.Namespace) -> int:
    from core.base.db import close_db
    from core.base.errors import DomainError, ImportFailed

    await open_database(settings)
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
    say("cli.migrated", args.lang)
    return 0


async def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    await print_demo(settings, args.lang)
    return 0


async def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    from core.stock.ledger import check_ledger

    problems = await check_ledger()
    for problem in problems:
        say("cli.broken", args.lang, problem=problem.words)
    say("cli.ledger_problems" if problems else "cli.ledger_consistent", args.lang, count=len(problems))
    return 1 if problems else 0


def ask_password(name: str, lang: str) -> str:
    import getpass

    from core.base.i18n import text

    try:
        password = getpass.getpass(text("cli.password_for", lang, name=name))
        again = getpass.getpass(text("cli.password_again", lang))
    except EOFError:
        print(file=sys.stderr)  # ends the prompt's line
        raise Refused("cli.no_password") from None
    if password != again:
        raise Refused("cli.passwords_differ")
    return password


async def cmd_user(settings: Settings, args: argparse.Namespace) -> int:
    from core.base.auth import Role, add_staff, link_staff_telegram
    from core.base.i18n import status_word

    if args.action == "telegram":
        if not await link_staff_telegram(args.name, args.telegram_id):
            raise Refused("cli.no_staff", name=args.name)
        say("cli.telegram_linked", args.lang, name=args.name, telegram_id=args.telegram_id)
        return 0
    if args.action == "warehouse":
        return await _user_warehouse(args.name, args.code, args.lang)
    password = args.password if args.password is not None else ask_password(args.name, args.lang)
    staff = await add_staff(args.name, Role(args.role), password, display_name=args.display_name or "")
    say("cli.staff_added", args.lang, username=staff.username, role=status_word("role", staff.role, args.lang))
    return 0


async def _user_warehouse(name: str, code: str, lang: str) -> int:
    """Tie a staff member to one warehouse (its alerts only), or to the whole company with `-`."""
    from core.base.auth import set_staff_warehouse
    from core.stock.warehouses import warehouse_by_code

    warehouse = None if code == "-" else await warehouse_by_code(code.strip().upper())
    if not await set_staff_warehouse(name, warehouse.id if warehouse else None):
        raise Refused("cli.no_staff", name=name)
    if warehouse is None:
        say("cli.works_company", lang, name=name)
    else:
        say("cli.works_at", lang, name=name, warehouse=warehouse.label)
    return 0


async def cmd_apikey(settings: Settings, args: argparse.Namespace) -> int:
    from core.base.auth import add_api_key

    key = await add_api_key(args.channel)
    say("cli.api_key", args.lang, channel=args.channel, key=key)
    return 0


async def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from core.orders.order_imports import import_orders
    from core.stock.imports import import_products, import_stock

    path = Path(args.file)
    if not path.is_file():  # noqa: ASYNC240 - a single stat before the import starts
        raise Refused("cli.no_file", path=path)
    if args.kind == "products":
        count = await import_products(path, _bar)
    elif args.kind == "orders":
        count = await import_orders(path, "import", settings, _bar)
        say("cli.orders_placed", args.lang, count=count, path=path)
        return 0
    else:
        count = await import_stock(path, "import", _bar)
    say(f"cli.imported_{args.kind}", args.lang, count=count, path=path)
    return 0


COMMANDS = {"migrate": cmd_migrate, "demo": cmd_demo, "check": cmd_check, "user": cmd_user,
            "apikey": cmd_apikey, "import": cmd_import}
ON_THEIR_OWN = {"serve": cmd_serve, "scheduler": cmd_scheduler}  # they open and close the database themselves


class _Roles:
    """The staff roles as `--role` choices, looked up only when `user add` is parsed or its help is shown:
    they live beside the staff model, whose ORM `run.py --help` should not wait for."""

    def _values(self) -> list[str]:
        from core.base.auth import Role

        return [role.value for role in Role]

    def __contains__(self, value: object) -> bool:
        return value in self._values()

    def __iter__(self) -> Iterator[str]:
        return iter(self._values())


def named(value: str) -> str:
    """A staff name or a channel: not blank, as it is typed again to sign in or shown in every order."""
    if not value.strip():
        raise argparse.ArgumentTypeError("must not be blank")
    return value.strip()


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
    add_user.add_argument("name", type=named)
    add_user.add_argument("--role", required=True, choices=_Roles(), metavar="ROLE", help="one of: %(choices)s")
    add_user.add_argument("--password", help="asked for when not given")
    add_user.add_argument("--name", dest="display_name", help="the person's name, as papers and the app show it "
                                                              "(else the login)")
    link = user.add_parser("telegram", help="link a staff member to their Telegram user id")
    link.add_argument("name")
    link.add_argument("telegram_id", type=int)
    home = user.add_parser("warehouse", help="tie a staff member to a warehouse's alerts (- for all warehouses)")
    home.add_argument("name")
    home.add_argument("code")
    key = sub.add_parser("apikey", help="sales channel keys").add_subparsers(dest="action", required=True)
    key.add_parser("add", help="make a key for a channel").add_argument("channel", type=named)
    imp = sub.add_parser("import", help="import a CSV file (all rows or none)")
    imp.add_argument("kind", choices=["products", "stock", "orders"])
    imp.add_argument("file")
    return top


def terminal_language() -> str:
    """Chinese when the operator's locale is Chinese (POSIX order: LC_ALL, LC_MESSAGES, LANG), else English."""
    from core.base.i18n import language_of

    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return language_of(value)
    return language_of(None)


def configure_logging() -> None:
    """What an operator reads: fahuo's own lines (a job that failed or did something, the bot, the server) and
    the libraries' warnings; not APScheduler's line for every job added and run (two every 5 s), nor aiogram's
    for every update handled."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for chatty in ("tortoise", "apscheduler", "aiogram.event"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    import asyncio  # after parsing, which answers --help and usage errors without it

    args.lang = terminal_language()
    configure_logging()
    command = args.command or "serve"
    try:
        settings = load_settings(args.lang)
        if command in ON_THEIR_OWN:
            return asyncio.run(ON_THEIR_OWN[command](settings, args))
        return asyncio.run(with_db(settings, args))
    except Refused as exc:
        print(exc.message(args.lang), file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl+C before the signal handlers are in place (start-up, a password prompt)
        from core.base.i18n import text

        print(text("cli.stopped", args.lang), file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
