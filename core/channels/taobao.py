"""Taobao and Tmall, through the Taobao open platform (TOP): paid trades are pulled, and a trade that left is
sent (发货回传) with its logistics company and waybill.

Every call is one signed POST to the router (`https://gw.api.taobao.com/router/rest`, or `base_url`): the
common parameters `method`, `app_key` (`key`), `session` (the seller's authorisation, `session`),
`timestamp` (Beijing time, within 10 minutes of TOP's), `format=json`, `v=2.0`, `sign_method` and `sign`. The
sign is taken over every parameter but `sign`, sorted by name, names and values joined with nothing between:
`md5` digests secret + joined + secret, `hmac` and `hmac-sha256` take the joined text under the app secret
(`secret`) as key; upper-case hex (`options.sign_method`, default hmac-sha256).

TOP answers HTTP 200 either way: `{"<method>_response": …}`, or `{"error_response": {code, msg, sub_code,
sub_msg}}`. Call limits (codes 4–8), an unavailable service (10) and `isp.*` sub-codes (TOP's own trouble) are
worth asking again; anything else, `isv.*` above all (what fahuo asked is wrong: a trade in another state, a
company code TOP does not know), and a refused sign, session or app key are refusals a manager must see.

Pulling reads `taobao.trades.sold.increment.get` in windows of modification time (`options.window_minutes`,
30, the documented advice; never reaching the last `options.lag_minutes`, 2, which TOP may still be writing):
first the paid trades (WAIT_SELLER_SEND_GOODS), then those closed after payment (TRADE_CLOSED: refunded in
full) to cancel. TOP lists a window newest first, and a trade modified while fahuo pages moves out of the
window, shifting the pages behind it forward; so, as TOP's documentation advises, the pages are read from the
last to the first (page 1 first, to learn how many there are, and again at the end): a shift then makes a
trade be read twice, which intake's idempotency by tid makes harmless, and none is missed. Where the increment
does not carry the receiver (TOP leaves it out for many applications), `taobao.trade.fullinfo.get` is asked.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.channels.channel_api import (
    Channel,
    ChannelRefused,
    ChannelUnavailable,
    Link,
    PlatformAddress,
    PlatformCancel,
    PlatformLine,
    PlatformOrder,
    Pulled,
    ShipmentNote,
)
from core.channels.platform import amount, call_json, count, plain

ROUTER = "https://gw.api.taobao.com/router/rest"
BEIJING = ZoneInfo("Asia/Shanghai")  # TOP's times carry no zone: they are Beijing's
TIME = "%Y-%m-%d %H:%M:%S"
PAID, CLOSED = "WAIT_SELLER_SEND_GOODS", "TRADE_CLOSED"
PHASES = (PAID, CLOSED)  # what each window is read for, in this order
SENT = ("WAIT_BUYER_CONFIRM_GOODS", "TRADE_BUYER_SIGNED", "TRADE_FINISHED")  # told before: nothing to do
TO_SEND = (PAID, "SELLER_CONSIGNED_PART")
RETRIED = {"4", "5", "6", "7", "8", "10"}  # call limits of user, session, partner, app; the service unavailable
RECEIVER = ("receiver_name,receiver_mobile,receiver_phone,receiver_state,receiver_city,receiver_district,"
            "receiver_town,receiver_address,receiver_zip")
TRADE = ("tid,tid_str,status,type,modified,payment,buyer_message," + RECEIVER +
         ",orders.oid,orders.num_iid,orders.outer_iid,orders.outer_sku_id,orders.num,orders.title,"
         "orders.status,orders.refund_status")
PAGE = 100  # TOP's most per page
SIGN_METHODS = ("hmac-sha256", "hmac", "md5")

# Taobao's logistics company codes (taobao.logistics.companies.get) for fahuo's usual carrier codes; a
# channel's `carriers` names others (and overrides these)
COMPANIES = {
    "SF": "SF", "YTO": "YTO", "ZTO": "ZTO", "STO": "STO", "YD": "YUNDA", "YUNDA": "YUNDA", "EMS": "EMS",
    "YZPY": "POSTB", "POSTB": "POSTB", "JD": "JD", "BEST": "HTKY", "HTKY": "HTKY", "ZJS": "ZJS",
    "DBKD": "DBKD", "TTKDEX": "TTKDEX",
}


def sign(params: Mapping[str, str], secret: str, method: str) -> str:
    """TOP's sign of a request's parameters (all but `sign`; empty values are left out, as TOP leaves them)."""
    joined = "".join(f"{name}{value}" for name, value in sorted(params.items()) if name != "sign" and value != "")
    if method == "md5":
        digest = hashlib.md5(f"{secret}{joined}{secret}".encode()).hexdigest()
    elif method in ("hmac", "hmac-sha256"):
        algorithm = hashlib.md5 if method == "hmac" else hashlib.sha256
        digest = hmac.new(secret.encode(), joined.encode(), algorithm).hexdigest()
    else:
        raise ValueError(f"TOP signs with md5, hmac or hmac-sha256, not {method!r}")
    return digest.upper()


def beijing(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime(TIME)


def from_beijing(text: str) -> datetime:
    return datetime.strptime(text, TIME).replace(tzinfo=BEIJING)


def failure(link: Link, error: Mapping[str, Any]) -> ChannelRefused | ChannelUnavailable:
    """TOP's error answer sorted: worth asking again, or refused."""
    code, sub = plain(error.get("code")), plain(error.get("sub_code"))
    said = " ".join(p for p in (f"TOP error {code}", plain(error.get("msg")), sub, plain(error.get("sub_msg"))) if p)
    if sub.startswith("isv."):
        return ChannelRefused(link.name, said[:300])
    if code in RETRIED or sub.startswith("isp.") or "limit" in sub.lower():
        return ChannelUnavailable(link.name, said[:300])
    return ChannelRefused(link.name, said[:300])


def option(link: Link, name: str, default: int, low: int, high: int) -> int:
    """A whole-number option of the channel, kept within what TOP allows."""
    try:
        return max(low, min(int(link.account.options.get(name, default)), high))
    except ValueError:
        raise ChannelRefused(link.name, f"options.{name} is not a whole number") from None


def company_code(link: Link, carrier: str) -> str:
    code = link.account.carriers.get(carrier) or COMPANIES.get(carrier.upper(), "")
    if not code:
        raise ChannelRefused(link.name, f"no Taobao logistics company code for carrier {carrier or '(none)'}: "
                                        "name it in the channel's `carriers`")
    return code


def _listed(value: object, key: str) -> list[dict[str, Any]]:
    """TOP's JSON wraps a list in an object named for its items: {"trades": {"trade": [...]}}."""
    inner = value.get(key) if isinstance(value, dict) else value
    return [item for item in inner or [] if isinstance(item, dict)] if isinstance(inner, list) else []


def read_trade(trade: Mapping[str, Any]) -> PlatformOrder | PlatformCancel:
    """A paid trade as fahuo takes it; one whose every line was refunded is a cancellation. Lines are matched
    by the seller's own codes: the SKU's (outer_sku_id), else the item's (outer_iid); a line with neither goes
    by the item's Taobao id, which intake refuses by name unless the channel's `skus` maps it."""
    ref = plain(trade.get("tid_str")) or plain(trade.get("tid"))
    lines = []
    for line in _listed(trade.get("orders"), "order"):
        if line.get("refund_status") == "SUCCESS" or line.get("status") == CLOSED:
            continue  # refunded: nothing of it leaves
        sku = plain(line.get("outer_sku_id")) or plain(line.get("outer_iid")) or plain(line.get("num_iid"))
        lines.append(PlatformLine(sku, count(line.get("num")), plain(line.get("title"))))
    if not lines:
        return PlatformCancel(ref, "every line refunded in Taobao")
    phone = plain(trade.get("receiver_mobile")) or plain(trade.get("receiver_phone"))
    recipient = plain(trade.get("receiver_name"))
    return PlatformOrder(
        ref=ref, label=ref, customer=recipient, phone=phone, email="",
        address=PlatformAddress(
            recipient=recipient, phone=phone, province=plain(trade.get("receiver_state")),
            city=plain(trade.get("receiver_city")), district=plain(trade.get("receiver_district")),
            line1=plain(trade.get("receiver_address")), postcode=plain(trade.get("receiver_zip"))),
        lines=lines, paid=trade.get("type") != "cod", cash_on_delivery=trade.get("type") == "cod",
        total=amount(trade.get("payment")), note=plain(trade.get("buyer_message")))


@dataclass(frozen=True)
class Window:
    """Where a pull stands: a window of modification times, what it is read for (PHASES), and the next page
    (0: the first look at page 1, which tells how many pages there are). Kept as the channel's cursor."""

    start: str
    end: str
    phase: int = 0
    page: int = 0

    def text(self) -> str:
        return f"{self.start}|{self.end}|{self.phase}|{self.page}"

    @classmethod
    def read(cls, cursor: str) -> Window:
        start, end, phase, page = cursor.split("|")
        if int(phase) not in range(len(PHASES)) or int(page) < 0:
            raise ValueError(cursor)
        return cls(start, end, int(phase), int(page))

    def after(self, pages: int) -> Window | None:
        """Where to go once this page was read (None: the window is done)."""
        if self.page == 0 and pages > 1:
            return replace(self, page=pages)
        if self.page > 1:
            return replace(self, page=self.page - 1)
        if self.phase + 1 < len(PHASES):
            return replace(self, phase=self.phase + 1, page=0)
        return None


class Taobao(Channel):
    platform = "taobao"
    pulls = True

    async def call(self, link: Link, method: str, **params: str | int) -> dict[str, Any]:
        """One signed TOP call; the method's answer, or ChannelUnavailable / ChannelRefused."""
        options = link.account.options
        sign_method = str(options.get("sign_method", "hmac-sha256"))
        if sign_method not in SIGN_METHODS:
            raise ChannelRefused(link.name, f"options.sign_method is one of {', '.join(SIGN_METHODS)}")
        form = {name: str(value) for name, value in params.items()}
        form.update({"method": method, "app_key": link.secret("key"), "session": link.secret("session"),
                     "timestamp": beijing(datetime.now(UTC)), "format": "json", "v": "2.0",
                     "sign_method": sign_method})
        form["sign"] = sign(form, link.secret("secret"), sign_method)
        answer = await call_json(link, "POST", link.account.base_url or ROUTER, form=form)
        if not isinstance(answer, dict):
            raise ChannelUnavailable(link.name, "TOP answered with something that is not an object")
        if isinstance(answer.get("error_response"), dict):
            raise failure(link, answer["error_response"])
        said = answer.get(method.removeprefix("taobao.").replace(".", "_") + "_response")
        if not isinstance(said, dict):
            raise ChannelUnavailable(link.name, f"TOP's answer to {method} lacks its response")
        return said

    # -- pulling -------------------------------------------------------------------------------------------

    def _next_window(self, link: Link, start: str, now: datetime) -> Window | None:
        span = timedelta(minutes=option(link, "window_minutes", 30, 1, 1440))  # TOP: a day at most
        ripe = (now - timedelta(minutes=option(link, "lag_minutes", 2, 0, 60))).replace(microsecond=0)  # seconds
        end = min(from_beijing(start) + span, ripe)
        return Window(start, beijing(end)) if end > from_beijing(start) else None

    def _where(self, link: Link, cursor: str, now: datetime) -> Window | None:
        try:
            if cursor:
                window = Window.read(cursor)
                return window if window.end != window.start else self._next_window(link, window.start, now)
            since = link.account.options.get("since")  # a first pull reaches back to it, else a day
            return self._next_window(link, str(since) if since else beijing(now - timedelta(days=1)), now)
        except ValueError:
            raise ChannelRefused(link.name, f"the cursor {cursor!r} or options.since is not a time as TOP writes "
                                            "it (2026-11-27 08:00:00, Beijing)") from None

    async def pull(self, link: Link, cursor: str) -> Pulled:
        """One page of one window; the cursor a window done leaves is an empty window at its end."""
        now = datetime.now(UTC)
        window = self._where(link, cursor, now)
        if window is None:
            return Pulled(cursor=cursor)
        paid = PHASES[window.phase] == PAID
        page_size = option(link, "page_size", PAGE, 1, PAGE)
        answer = await self.call(link, "taobao.trades.sold.increment.get",
                                 fields=TRADE if paid else "tid,tid_str,status,modified",
                                 start_modified=window.start, end_modified=window.end, status=PHASES[window.phase],
                                 page_no=max(window.page, 1), page_size=page_size, use_has_next="false")
        trades = _listed(answer.get("trades"), "trade")
        orders, cancels = [], []
        for trade in trades:
            if not paid:
                cancels.append(PlatformCancel(plain(trade.get("tid_str")) or plain(trade.get("tid")),
                                              "closed in Taobao"))
                continue
            if not plain(trade.get("receiver_address")):
                trade = await self._full(link, trade)
            read = read_trade(trade)
            (cancels if isinstance(read, PlatformCancel) else orders).append(read)
        try:
            following = window.after(math.ceil(int(answer.get("total_results") or 0) / page_size))
        except (TypeError, ValueError):
            raise ChannelUnavailable(link.name, "TOP's total_results is not a number") from None
        if following is None:
            after = Window(window.end, window.end)
            more = self._next_window(link, window.end, now) is not None
        else:
            after, more = following, True
        return Pulled(orders, cancels, after.text(), more)

    async def _full(self, link: Link, trade: dict[str, Any]) -> dict[str, Any]:
        """The trade with its receiver; one TOP will not show stays as it is, and intake refuses it for want of
        an address (a manager hears of that one trade, and the pull goes on)."""
        tid = plain(trade.get("tid_str")) or plain(trade.get("tid"))
        try:
            full = (await self.call(link, "taobao.trade.fullinfo.get", tid=tid, fields=TRADE)).get("trade")
        except ChannelRefused:
            return trade
        return full if isinstance(full, dict) else trade

    # -- 发货回传 -------------------------------------------------------------------------------------------

    async def write_back(self, link: Link, note: ShipmentNote) -> None:
        """Send the trade with the carrier's company code and the waybill, unless TOP already shows it sent:
        `taobao.logistics.offline.send` (自己联系物流), or for a cash-on-delivery trade, which that call does not
        take, `taobao.logistics.online.send`. A trade closed or refunded meanwhile is refused for a manager."""
        if not note.waybill:
            raise ChannelRefused(link.name, f"shipment {note.shipment} has no waybill to give Taobao")
        company = company_code(link, note.carrier_code)
        trade = (await self.call(link, "taobao.trade.fullinfo.get", tid=note.ref, fields="tid,status,type")
                 ).get("trade")
        trade = trade if isinstance(trade, dict) else {}
        status = plain(trade.get("status"))
        if status in SENT:
            return
        if status not in TO_SEND:
            raise ChannelRefused(link.name, f"trade {note.ref} is {status or 'unknown'} in Taobao: not sent")
        method = "taobao.logistics.online.send" if trade.get("type") == "cod" else "taobao.logistics.offline.send"
        answer = await self.call(link, method, tid=note.ref, out_sid=note.waybill, company_code=company)
        if not (answer.get("shipping") or {}).get("is_success"):
            raise ChannelRefused(link.name, f"TOP did not confirm trade {note.ref} as sent")
