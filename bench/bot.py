"""Updates per second through the whole bot, against an echo bot on the same fake Bot API server.

Both bots long-poll the same local Bot API emulator over HTTP. The fahuo bot answers `/track <number>` for
each customer's own order: throttle and people middlewares, the order, its lines and shipment read from
the database, the answer sent. The baseline is a bare aiogram dispatcher whose one handler echoes the
text. Each gets the same number of updates from distinct customers; the time runs from the first update
queued to the last answer received. Prints one line.

    python -m bench.bot [--updates 1000] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import Message
from aiohttp import web
from tortoise.transactions import in_transaction

from bench import parse
from bot.app import build_dispatcher
from bot.emulator import BotApiEmulator
from core.base.db import close_db, open_db
from core.base.settings import Settings
from core.orders.customers import Customer
from core.orders.intake import place_order
from core.orders.order import OrderIn
from core.stock.catalog import Product
from core.stock.ledger import MoveReason, move_stock
from core.stock.warehouses import Location, LocationKind, create_warehouse, virtual_location

TOKEN = "4242:bench"


async def seed(settings: Settings, customers: int) -> list[str]:
    warehouse = await create_warehouse("SH", "Shanghai", province="上海", city="上海", lat=31.2, lon=121.4)
    product = await Product.create(sku="B-1", name="Bench", price=5, weight_g=100)
    place = await Location.create(warehouse=warehouse, code="A-01-01", aisle=1, x=1, y=2)
    async with in_transaction():  # a move runs in its caller's transaction
        await move_stock(product, await virtual_location(warehouse.id, LocationKind.SUPPLIER), place, 100_000,
                         MoveReason.RECEIPT)
    numbers = []
    for i in range(customers):
        phone = f"+86 136{i:08d}"
        body = OrderIn.model_validate({
            "customer": {"name": f"C{i}", "phone": phone, "telegram_id": 10_000 + i}, "payment_state": "paid",
            "address": {"recipient": f"C{i}", "phone": phone, "province": "上海", "city": "上海",
                        "district": "浦东新区", "line1": "1 Road", "postcode": "200000"},
            "lines": [{"sku": "B-1", "qty": 1}]})
        numbers.append((await place_order(body, "bench", "bench", settings)).order.number)
    await Customer.all().update(language="en")
    return numbers


def echo_dispatcher() -> Dispatcher:
    router = Router()

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    dispatcher = Dispatcher(storage=MemoryStorage())
    dispatcher.include_router(router)
    return dispatcher


async def rate(dispatcher: Dispatcher, texts: list[tuple[int, str]]) -> tuple[float, list[str]]:
    api = BotApiEmulator(token=TOKEN)
    runner = web.AppRunner(api.app(), access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(
        f"http://127.0.0.1:{runner.addresses[0][1]}")))
    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False,
                                                           polling_timeout=1))
    await asyncio.sleep(0.3)
    started = time.perf_counter()
    for chat, text in texts:
        api.says(chat, text)
    await api.wait_sent(len(texts))
    took = time.perf_counter() - started
    await dispatcher.stop_polling()
    await polling
    await bot.session.close()
    await runner.cleanup()
    return len(texts) / took, [s.text for s in api.sent]


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite://{Path(tmp) / 'bot.sqlite3'}?synchronous=NORMAL",
                            _env_file=None)  # type: ignore[call-arg]
        await open_db(settings)
        try:
            numbers = await seed(settings, args.customers)
            texts = [(10_000 + i % args.customers, f"/track {numbers[i % args.customers]}")
                     for i in range(args.updates)]
            echo, _ = await rate(echo_dispatcher(), texts)
            ours, answers = await rate(build_dispatcher(settings, MemoryStorage()), texts)
        finally:
            await close_db()
    untracked = sum(1 for answer in answers if not any(number in answer for number in numbers))
    if untracked:  # an error answers faster than a real /track, and would flatter the figure
        raise SystemExit(f"bot: {untracked} of {len(answers)} answers named no order: {answers[0]!r}")
    print(f"bot: {ours:.0f} updates/s through the fahuo bot (/track of one's own order) vs {echo:.0f}/s for an "
          f"echo bot on the same fake Bot API = {ours / echo:.2f}× (target ≥ 0.5)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=200, help="distinct customers asking, in turn")
    asyncio.run(main(parse(parser, updates=30, customers=10)))
