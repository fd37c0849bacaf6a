"""Channels fahuo fetches orders from (marketplaces without webhooks, such as Taobao's open platform): each is
asked, page by page, for what happened since where the last round stopped, and each order is taken in as a
webhook's would be (once, by the platform's order id).

Where a channel stands is its `ChannelCursor`, the connector's own token (a time, a page, a platform cursor),
moved only after a whole page was taken in: a crash means a page read again, and intake's idempotency makes
that harmless. An order fahuo cannot take is told to a manager rather than stopping the channel.
"""

from __future__ import annotations

import logging
from datetime import datetime

from pydantic import ValidationError
from tortoise import fields
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.base.errors import DomainError
from core.base.events import emit
from core.base.settings import Settings
from core.channels.channel_api import ChannelError, ChannelRefused, Link, PlatformOrder
from core.channels.connectors import CONNECTORS, cancel_from_platform, take_order
from core.channels.write_backs import ChannelSummary, channel_summaries

log = logging.getLogger(__name__)
PAGES_PER_ROUND = 20  # a backlog is worked off over several rounds, not in one that holds the scheduler


class ChannelCursor(Model):
    id = fields.IntField(primary_key=True)
    channel = fields.CharField(max_length=32, unique=True)
    cursor = fields.CharField(max_length=500, default="")
    pulled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "channel_cursor"


async def cursor_of(channel: str) -> str:
    found = await ChannelCursor.get_or_none(channel=channel)
    return found.cursor if found else ""


async def _move(channel: str, cursor: str, now: datetime) -> None:
    if not await ChannelCursor.filter(channel=channel).update(cursor=cursor[:500], pulled_at=now):
        await ChannelCursor.create(channel=channel, cursor=cursor[:500], pulled_at=now)


async def _take(link: Link, order: PlatformOrder, settings: Settings) -> bool:
    """Take one pulled order in and acknowledge it; an order fahuo cannot take goes to a manager."""
    connector = CONNECTORS[link.account.platform]
    try:
        placed = await take_order(link, order, settings)
    except (DomainError, ValidationError) as refused:
        async with in_transaction():
            await emit("channel.order_refused", {"channel": link.name, "ref": order.ref, "label": order.label,
                                                 "why": str(refused)[:300]},
                       dedupe_key=f"order_refused:{link.name}:{order.ref}")
        return False
    try:
        await connector.acknowledge(link, order.ref, placed.order.number)
    except ChannelError as error:  # the order is in; the platform hears again when the page is read again
        log.warning("channel %s did not take the acknowledgement of %s: %s", link.name, order.ref, error.reason)
    return placed.created


async def _refused(channel: str, error: ChannelRefused, now: datetime) -> None:
    """A manager hears once a day while the platform refuses the pull (a wrong app secret, a session that
    expired): the channel stands still until someone fixes its settings."""
    async with in_transaction():
        await emit("channel.pull_refused", {"channel": channel, "why": error.reason[:300]},
                   dedupe_key=f"pull_refused:{channel}:{now.date().isoformat()}")


async def pull_orders(settings: Settings, now: datetime) -> int:
    """Fetch what is new from every channel that is pulled (a scheduler job); returns how many orders came in.
    A platform that fails ends that channel's round; the next round starts from the same cursor."""
    taken = 0
    for name, account in settings.channels.items():
        connector = CONNECTORS.get(account.platform)
        if connector is None or not connector.pulls:
            continue
        link, cursor = Link(name, account), await cursor_of(name)
        for _ in range(PAGES_PER_ROUND):
            try:
                page = await connector.pull(link, cursor)
            except ChannelError as error:
                log.warning("channel %s could not be pulled: %s", name, error.reason)
                if isinstance(error, ChannelRefused):  # credentials or a request refused: no use waiting
                    await _refused(name, error, now)
                break
            for order in page.orders:
                taken += await _take(link, order, settings)
            for cancel in page.cancels:
                await cancel_from_platform(link, cancel)
            cursor = page.cursor
            await _move(name, cursor, now)
            if not page.more:
                break
    return taken


async def channel_overview(settings: Settings) -> list[ChannelSummary]:
    """The configured channels as a manager looks them over: how each reaches fahuo (a webhook address to give
    the platform, or when it was last pulled) and which shipments its platform has not been told of yet."""
    pulled = {c.channel: c.pulled_at for c in await ChannelCursor.all()}
    pulls = {platform for platform, connector in CONNECTORS.items() if connector.pulls}
    return await channel_summaries(settings, pulled, pulls)
