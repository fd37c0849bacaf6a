"""The sales report managers read in Telegram: today's figures, then the best sellers by product or by customer
over a window of days as a table in monospace and a bar chart, with buttons to switch the view and the window.

A photo's caption holds at most 1,024 characters: ten rows of 36 fit with room to spare.
"""

from __future__ import annotations

import html
import unicodedata
from decimal import Decimal

from aiogram.types import BufferedInputFile, InlineKeyboardMarkup

from bot.callbacks import SalesBy, SalesReport
from bot.charts import bars_png
from bot.keyboards import keyboard
from bot.texts import say
from core.base.i18n import currency_word, local_day
from core.base.phones import display_phone
from core.base.settings import Settings
from core.reports import SALES_DAYS, Sales, dashboard, sales_by_customer, sales_by_product

NAME, UNITS, AMOUNT, ORDERS = 14, 5, 10, 5  # the columns' widths, in monospace cells


def cells(words: str) -> int:
    """How many monospace cells `words` take: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in words)


def fit(words: str, width: int) -> str:
    """`words` cut to `width` cells (a cut marked with …) and padded to it."""
    if cells(words) > width:
        while cells(words) > width - 1:
            words = words[:-1]
        words += "…"
    return words + " " * (width - cells(words))


def right(words: str, width: int) -> str:
    """`words` set to the right of `width` cells."""
    return " " * max(0, width - cells(words)) + words


def money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def table(sales: Sales, by: SalesBy, lang: str) -> str:
    """The rows as aligned columns: who or what, units, amount, orders."""
    head = [fit(say(lang, f"sales_{by.value}"), NAME), right(say(lang, "sales_units"), UNITS),
            right(say(lang, "sales_amount"), AMOUNT), right(say(lang, "sales_orders"), ORDERS)]
    lines = [" ".join(head)]
    for row, label in zip(sales.rows, labels(sales, by), strict=True):
        lines.append(" ".join([fit(label, NAME), right(str(row.qty), UNITS), right(money(row.revenue), AMOUNT),
                               right(str(row.orders), ORDERS)]))
    return "\n".join(lines)


def labels(sales: Sales, by: SalesBy) -> list[str]:
    """What names a row: a product by its SKU (a code reads the same in both languages), a customer by name."""
    return [row.ref if by == SalesBy.PRODUCT else (row.name or display_phone(row.ref)) for row in sales.rows]


def caption(today: str, sales: Sales, by: SalesBy, days: int, lang: str, currency: str) -> str:
    """Today's line, the window and the currency (as the reader names it: 元), the table (HTML <pre>), the
    window's totals."""
    currency = currency_word(currency, lang)
    window = say(lang, f"sales_by_{by.value}", first=local_day(sales.first, lang), last=local_day(sales.last, lang),
                 days=days, currency=currency)
    if not sales.rows:
        return f"{html.escape(today)}\n\n{html.escape(window)}\n{html.escape(say(lang, 'sales_none'))}"
    totals = say(lang, "sales_totals", shown=len(sales.rows), entries=sales.entries, qty=sales.qty,
                 amount=money(sales.revenue), currency=currency, orders=sales.orders)
    return (f"{html.escape(today)}\n\n{html.escape(window)}\n<pre>{html.escape(table(sales, by, lang))}</pre>\n"
            f"{html.escape(totals)}")


def switches(by: SalesBy, days: int, lang: str) -> InlineKeyboardMarkup:
    """The windows on one row, the views on the next; the one shown is ticked."""
    def tick(label: str, on: bool) -> str:
        return f"✓ {label}" if on else label

    return keyboard([
        [(tick(say(lang, "sales_days", days=d), d == days), SalesReport(by=by, days=d)) for d in SALES_DAYS],
        [(tick(say(lang, f"sales_view_{v.value}"), v == by), SalesReport(by=v, days=days)) for v in SalesBy]])


async def today_line(lang: str, settings: Settings) -> str:
    d = await dashboard(settings.tz, 1)
    rate = "–" if d["on_time_rate"] is None else f"{d['on_time_rate']:.0%}"
    return say(lang, "report", received=d["received"][-1], shipped=d["shipped"][-1], on_time=rate,
               held=d["on_hold"], back=d["backordered"])


async def sales_report(by: SalesBy, days: int, lang: str, settings: Settings
                       ) -> tuple[BufferedInputFile, str, InlineKeyboardMarkup]:
    """The chart, its caption and its buttons for one view of the sales."""
    days = days if days in SALES_DAYS else SALES_DAYS[0]  # a button of an older bot may name another window
    sales = await (sales_by_product if by == SalesBy.PRODUCT else sales_by_customer)(settings.tz, days)
    title = say(lang, f"sales_by_{by.value}", first=local_day(sales.first, lang), last=local_day(sales.last, lang),
                days=days, currency=currency_word(settings.currency, lang))
    chart = bars_png(labels(sales, by), [row.revenue for row in sales.rows], title, say(lang, "sales_none"))
    text = caption(await today_line(lang, settings), sales, by, days, lang, settings.currency)
    return BufferedInputFile(chart, f"sales-{by.value}-{days}.png"), text, switches(by, days, lang)
