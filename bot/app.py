"""The Telegram bot: one dispatcher with a router per feature, long polling or a webhook, and the notifier."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import BotCommand
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot import account, aftersales, basket, catalog, checkout, fallback, managers, orders, staff
from bot.errors import AnswerRefusals, apologise
from bot.middlewares import People, Permissions, Throttle
from bot.notifier import notifier_lease, run_notifier
from core.base.settings import Settings

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"
RETRY_SECONDS = 10  # between tries to reach Telegram at start
# one module per feature, each with its `feature` of handlers; a new feature is a new module listed here
FEATURES = (managers, staff, orders, account, catalog, basket, checkout, aftersales, fallback)


def storage_for(settings: Settings) -> BaseStorage:
    """Dialog state in Redis when configured (several bot processes, restarts), else in memory."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(settings.redis_url)
    return MemoryStorage()


def build_dispatcher(settings: Settings, storage: BaseStorage | None = None) -> Dispatcher:
    """The features' routers, fresh, in the order they are asked: staff and the customers' own orders before
    the greeting and the dialogs, what nobody took last. The handlers get `settings` and `notify_now` from the
    dispatcher, and who is writing, their language and their permission from the middlewares."""
    dispatcher = Dispatcher(storage=storage or storage_for(settings))
    dispatcher["settings"] = settings
    dispatcher["notify_now"] = asyncio.Event()  # a handler wakes the notifier: the person waits to hear
    dispatcher.update.outer_middleware(Throttle())
    for observer in (dispatcher.message, dispatcher.callback_query):
        for middleware in (People(), Permissions(), AnswerRefusals()):  # in this order: who, may they, refusals
            observer.middleware(middleware)
    dispatcher.include_routers(*(module.feature.router() for module in FEATURES))
    dispatcher.errors.register(apologise)
    return dispatcher


def make_bot(settings: Settings) -> Bot:
    session = None
    if settings.telegram_api_base:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
    return Bot(settings.telegram_token, session=session)


COMMANDS = [("catalog", "Browse · 浏览商品"), ("cart", "Cart · 购物车"), ("orders", "My orders · 我的订单"),
            ("track", "Track an order · 查询订单"), ("aftersales", "After-sales · 售后"), ("lang", "中文 / English"),
            ("login", "Staff: sign in to the app · 员工登录"), ("report", "Managers: sales · 销售报表"),
            ("alerts", "Managers: alerts · 提醒设置")]


async def _reach_telegram(bot: Bot, stop: asyncio.Event) -> bool:
    """Ask Telegram who the bot is, as polling does first (and dies unseen when that fails): a refused token
    raises here for the caller to report; an unreachable Telegram is asked again until it answers or `stop`."""
    while not stop.is_set():
        try:
            await bot.me()
            return True
        except TelegramNetworkError as exc:
            log.warning("Telegram cannot be reached (%s); asking again in %d s", exc, RETRY_SECONDS)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), RETRY_SECONDS)
    return False


async def run_bot(settings: Settings, stop: asyncio.Event) -> None:
    """Long polling and the notifier, until `stop` is set."""
    bot = make_bot(settings)
    dispatcher = build_dispatcher(settings)
    try:
        reached = await _reach_telegram(bot, stop)
    except TelegramUnauthorizedError:
        await bot.session.close()
        raise
    if not reached:
        await bot.session.close()
        return
    try:
        await bot.set_my_commands([BotCommand(command=c, description=d) for c, d in COMMANDS])
    except Exception:
        log.warning("could not set the bot's command list; going on")
    notifier = asyncio.create_task(run_notifier(bot, stop, notifier_lease(settings), settings.tz,
                                                wake=dispatcher["notify_now"]))
    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False))
    await stop.wait()
    await dispatcher.stop_polling()
    await asyncio.gather(notifier, polling, return_exceptions=True)
    await bot.session.close()


def mount_webhook(app: web.Application, settings: Settings) -> None:
    """Webhook mode: Telegram posts updates to WEBHOOK_PATH with our secret token in a header."""
    bot = make_bot(settings)
    dispatcher = build_dispatcher(settings)
    SimpleRequestHandler(dispatcher, bot, secret_token=settings.telegram_webhook_secret).register(app, WEBHOOK_PATH)
    stop = asyncio.Event()

    async def lifecycle(_: web.Application) -> Any:
        await bot.set_webhook(f"{settings.telegram_webhook_url.rstrip('/')}{WEBHOOK_PATH}",
                              secret_token=settings.telegram_webhook_secret, drop_pending_updates=False)
        notifier = asyncio.create_task(run_notifier(bot, stop, notifier_lease(settings), settings.tz,
                                                    wake=dispatcher["notify_now"]))
        yield
        stop.set()
        await notifier
        await bot.session.close()

    app.cleanup_ctx.append(lifecycle)
