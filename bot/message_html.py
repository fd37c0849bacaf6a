"""A bot message as the emulator's chat page shows it: Telegram's HTML parse mode drawn as Telegram draws it.

Only the tags Telegram's Bot API formats are kept (bold, italic, underline, strike, code, pre, quote, links to
http(s) or tg: addresses); anything else the text holds — another tag, a script, a stray `<` — is shown as the
characters it is, never run. Text sent without a parse mode is all characters."""

from __future__ import annotations

import html
from html.parser import HTMLParser

KEPT = {"b": "b", "strong": "b", "i": "i", "em": "i", "u": "u", "ins": "u", "s": "s", "strike": "s", "del": "s",
        "code": "code", "pre": "pre", "blockquote": "blockquote", "a": "a"}
LINKS = ("http://", "https://", "tg://")


class _Formatted(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kept = KEPT.get(tag)
        if kept is None:
            self.out.append(html.escape(self.get_starttag_text() or ""))
            return
        self.open.append(kept)
        href = dict(attrs).get("href") or ""
        if kept == "a" and href.startswith(LINKS):
            self.out.append(f'<a href="{html.escape(href)}" target="_blank" rel="noopener noreferrer">')
        else:
            self.out.append(f"<{kept}>")

    def handle_endtag(self, tag: str) -> None:
        kept = KEPT.get(tag)
        if kept is None or kept not in self.open:
            self.out.append(html.escape(f"</{tag}>"))
            return
        while self.open:  # a tag left open inside this one ends with it
            inner = self.open.pop()
            self.out.append(f"</{inner}>")
            if inner == kept:
                break

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data))

    def finish(self) -> str:
        self.close()
        self.out.extend(f"</{tag}>" for tag in reversed(self.open))
        return "".join(self.out)


def page_html(text: str, parse_mode: str | None) -> str:
    """The message as safe HTML for the chat page."""
    if (parse_mode or "").upper() != "HTML":
        return html.escape(text)
    formatted = _Formatted()
    formatted.feed(text)
    return formatted.finish()
