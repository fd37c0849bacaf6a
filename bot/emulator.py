"""A local stand-in for Telegram's Bot API, with a web chat page: try the bot with no Telegram account.

The bot talks to it exactly as to api.telegram.org (aiogram pointed here with `TelegramAPIServer`); people
type in the page at /chat, and their messages reach the bot through getUpdates. The tests use the same
server, driving it from Python (`says`, `presses`, `shares_contact`, `sends_photo`) and reading what the
bot sent; `outage` makes it answer 502, like Telegram on a bad day.

The page keeps its messages and changes only what changed: it asks /chat/updates for what happened in its
chat after the last change it saw (a long poll: the answer comes as soon as there is something), appends new
messages (the person's own too), rewrites edited ones in place and shows a button's pop-up answer. A button
on the page stays the same element while it is there, so a tap always lands.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.message_html import page_html

CHAT_PAGE = Path(__file__).parent / "chat.html"
BOT_USER = {"id": 4242, "is_bot": True, "first_name": "fahuo", "username": "fahuo_bot"}


@dataclass
class Sent:
    """Something the bot sent (or edited) in a chat, or the pop-up it answered a button press with."""

    message_id: int
    chat_id: int
    text: str
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)
    photo: bool = False
    popup: bool = False

    def button(self, label: str) -> dict[str, Any]:
        for row in self.buttons:
            for button in row:
                if label in button.get("text", ""):
                    return button
        raise KeyError(f"no button {label!r} in {self.buttons}")


class Mark(int):
    """What `says`, `presses` & co. return: how many things the bot had sent before (for `reply(after=)`), and
    which update it was (for `handled`)."""

    update_id: int

    def __new__(cls, sent: int, update_id: int) -> Mark:
        mark = super().__new__(cls, sent)
        mark.update_id = update_id
        return mark


def _buttons_fit(markup: Any) -> bool:
    """Telegram refuses a message whose button carries callback data of more than 64 bytes (or none)."""
    if not isinstance(markup, str) or not markup:
        return True
    rows = json.loads(markup).get("inline_keyboard", [])
    return all(0 < len(b["callback_data"].encode()) <= 64 for row in rows for b in row if "callback_data" in b)


class BotApiEmulator:
    def __init__(self, token: str = "emulator") -> None:
        self.token = token
        self.outage = False
        self.slowness = 0.0  # seconds each sending takes, like Telegram answering slowly
        self.calls: list[str] = []
        self.sent: list[Sent] = []
        self._updates: list[dict[str, Any]] = []
        self._next_update = 1
        self._next_message = 1
        self._fetched = 0  # the bot has asked for updates after this one: it is done with those before
        self._queries: dict[str, int] = {}  # button press → its chat, for the pop-up that answers it
        self._arrived = asyncio.Event()
        self._changed = asyncio.Event()
        self._files: dict[str, bytes] = {}
        self.feed: list[dict[str, Any]] = []  # what the web chat shows, in order: see `_show`
        self._fed = asyncio.Event()
        self.photos: list[bytes] = []  # each photo the bot sent: the file's bytes, or the address it gave
        self.heard: list[tuple[int, int, str]] = []  # (messages the bot had sent, chat, what the person did)

    # -- what people do -------------------------------------------------------------------------------

    def _user(self, chat_id: int, language: str) -> dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": f"User {chat_id}", "language_code": language}

    def _message(self, chat_id: int, language: str, **content: Any) -> dict[str, Any]:
        self._next_message += 1
        return {"message_id": self._next_message, "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"}, "from": self._user(chat_id, language), **content}

    def _push(self, update: dict[str, Any], chat_id: int = 0, did: str = "") -> Mark:
        """Queue an update for the bot; its mark says how much the bot had sent before it."""
        self.heard.append((len(self.sent), chat_id, did))
        update["update_id"] = self._next_update
        self._next_update += 1
        self._updates.append(update)
        self._arrived.set()
        return Mark(len(self.sent), update["update_id"])

    def says(self, chat_id: int, text: str, language: str = "en") -> Mark:
        command = text.split()[0] if text.startswith("/") else ""
        entities = [{"type": "bot_command", "offset": 0, "length": len(command)}] if command else []
        message = self._message(chat_id, language, text=text, entities=entities)
        self._show(chat_id, "message", message["message_id"], text, mine=True)
        return self._push({"message": message}, chat_id, text)

    def presses(self, chat_id: int, sent: Sent, label: str, language: str = "en") -> Mark:
        return self.taps(chat_id, sent, sent.button(label), language)

    def taps(self, chat_id: int, sent: Sent, button: dict[str, Any], language: str = "en") -> Mark:
        """The person taps this very button of the message (`presses` finds one by its label)."""
        data = button["callback_data"]
        message = {"message_id": sent.message_id, "date": int(time.time()), "chat": {"id": chat_id, "type": "private"},
                   "from": BOT_USER, "text": sent.text or "…"}
        self._queries[str(self._next_update)] = chat_id
        return self._push({"callback_query": {"id": str(self._next_update), "from": self._user(chat_id, language),
                                       "chat_instance": str(chat_id), "message": message, "data": data}},
                          chat_id, f"[{button.get('text', '')}]")

    def shares_contact(self, chat_id: int, phone: str, name: str = "Li Lei", language: str = "en") -> Mark:
        contact = {"phone_number": phone, "first_name": name, "user_id": chat_id}
        message = self._message(chat_id, language, contact=contact)
        self._show(chat_id, "message", message["message_id"], f"📱 {phone}", mine=True)
        return self._push({"message": message}, chat_id, f"📱 {phone}")

    def sends_photo(self, chat_id: int, data: bytes, language: str = "en") -> Mark:
        file_id = f"photo-{len(self._files) + 1}"
        self._files[file_id] = data
        photo = [{"file_id": file_id, "file_unique_id": file_id, "width": 64, "height": 64, "file_size": len(data)}]
        message = self._message(chat_id, language, photo=photo)
        self._show(chat_id, "message", message["message_id"], "", mine=True, photo=True)
        return self._push({"message": message}, chat_id, "🖼 (photo)")

    async def reply(self, chat_id: int, after: int = 0, within: float = 10.0, contains: str = "") -> Sent:
        """The first message (or pop-up) the bot sent to the chat after the given count of sent messages."""
        deadline = time.monotonic() + within
        while True:
            for item in self.sent[after:]:
                if item.chat_id == chat_id and contains in item.text:
                    return item
            left = deadline - time.monotonic()
            if left <= 0:
                texts = [s.text for s in self.sent if s.chat_id == chat_id]
                raise TimeoutError(f"no reply to {chat_id} containing {contains!r}; sent: {texts}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                pass

    async def handled(self, mark: Mark, within: float = 10.0) -> None:
        """Until the bot has asked for the updates after `mark`'s. A bot that handles updates one at a time
        (polling with `handle_as_tasks=False`) has then handled it: what it did not send by now, it never sends."""
        async with asyncio.timeout(within):
            while self._fetched < mark.update_id:
                self._changed.clear()
                await self._changed.wait()

    async def wait_sent(self, count: int, within: float = 60.0) -> None:
        """Until the bot has sent `count` messages in all."""
        async with asyncio.timeout(within):
            while len(self.sent) < count:
                self._changed.clear()
                await self._changed.wait()

    def transcript(self, chat_id: int) -> str:
        """The chat as text, for a person to read: what they did (›), what the bot sent (‹), its buttons, its
        pop-ups; an edited message is shown again where it changed."""
        said = [((at, 0), f"› {did}") for at, chat, did in self.heard if chat == chat_id]
        for i, s in enumerate(self.sent):
            if s.chat_id != chat_id:
                continue
            kind = "pop-up: " if s.popup else "🖼 " if s.photo else ""
            lines = [f"‹ {kind}{s.text}".replace("\n", "\n  ")]
            lines += ["  " + " ".join(f"[{b.get('text')}]" for b in row) for row in s.buttons]
            said.append(((i, 1), "\n".join(lines)))
        return "\n".join(line for _, line in sorted(said, key=lambda item: item[0])) + "\n"

    def to(self, chat_id: int) -> list[Sent]:
        """The messages in the chat (pop-ups pass and are not part of it)."""
        return [s for s in self.sent if s.chat_id == chat_id and not s.popup]

    # -- the Bot API ----------------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        app.router.add_get("/chat", self._page)
        app.router.add_get("/chat/messages", self._messages)
        app.router.add_get("/chat/updates", self._chat_updates)
        app.router.add_post("/chat/send", self._send)
        return app

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        self.calls.append(method)
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        if self.outage:
            return web.json_response({"ok": False, "error_code": 502, "description": "Bad Gateway"}, status=502)
        form = dict(await request.post()) if request.method == "POST" else dict(request.query)
        if not _buttons_fit(form.get("reply_markup")):
            return web.json_response({"ok": False, "error_code": 400,
                                      "description": "Bad Request: BUTTON_DATA_INVALID"}, status=400)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return web.json_response({"ok": True, "result": True})
        return web.json_response({"ok": True, "result": await handler(form)})

    async def _m_getMe(self, form: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    async def _m_getUpdates(self, form: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(form.get("offset") or 0)
        if offset - 1 > self._fetched:
            self._fetched = offset - 1
            self._changed.set()
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), min(float(form.get("timeout") or 0), 1.0))
            except TimeoutError:
                pass
        return self._updates[:100]

    def _record(self, chat_id: int, text: str, markup: Any, photo: bool = False,
                message_id: int | None = None, parse_mode: Any = None) -> dict[str, Any]:
        buttons = json.loads(markup).get("inline_keyboard", []) if isinstance(markup, str) and markup else []
        edit = message_id is not None
        if message_id is None:
            self._next_message += 1
            message_id = self._next_message
        self._show(chat_id, "edit" if edit else "message", message_id, text, buttons=buttons, photo=photo,
                   parse_mode=parse_mode)
        self.sent.append(Sent(message_id, chat_id, text, buttons, photo))
        self._changed.set()
        result = {"message_id": message_id, "date": int(time.time()), "chat": {"id": chat_id, "type": "private"},
                  "from": BOT_USER}
        if photo:
            result["photo"] = [{"file_id": f"sent-{message_id}", "file_unique_id": f"u{message_id}",
                                "width": 640, "height": 360}]
            result["caption"] = text
        else:
            result["text"] = text
        return result

    async def _m_sendMessage(self, form: dict[str, Any]) -> dict[str, Any]:
        if self.slowness:
            await asyncio.sleep(self.slowness)
        return self._record(int(form["chat_id"]), str(form.get("text", "")), form.get("reply_markup"),
                            parse_mode=form.get("parse_mode"))

    async def _m_sendPhoto(self, form: dict[str, Any]) -> dict[str, Any]:
        photo = form.get("photo")
        if isinstance(photo, str) and photo.startswith("attach://"):  # the file is a part of its own
            photo = form.get(photo.removeprefix("attach://"))
        self.photos.append(photo.file.read() if isinstance(photo, web.FileField) else str(photo).encode())
        return self._record(int(form["chat_id"]), str(form.get("caption", "")), form.get("reply_markup"), photo=True,
                            parse_mode=form.get("parse_mode"))

    async def _m_answerCallbackQuery(self, form: dict[str, Any]) -> bool:
        chat_id = self._queries.pop(str(form.get("callback_query_id")), None)
        if chat_id is not None and form.get("text"):
            self._next_message += 1
            self.sent.append(Sent(self._next_message, chat_id, str(form["text"]), popup=True))
            self._show(chat_id, "popup", self._next_message, str(form["text"]))
            self._changed.set()
        return True

    async def _m_editMessageReplyMarkup(self, form: dict[str, Any]) -> dict[str, Any] | bool:
        """New buttons (or none) under a message the bot sent; its text stays."""
        message_id = int(form["message_id"])
        before = next((s for s in reversed(self.sent) if s.message_id == message_id), None)
        if before is None:
            return False
        return self._record(before.chat_id, before.text, form.get("reply_markup") or "", before.photo,
                            message_id=message_id)

    async def _m_editMessageText(self, form: dict[str, Any]) -> dict[str, Any]:
        return self._record(int(form["chat_id"]), str(form.get("text", "")), form.get("reply_markup"),
                            message_id=int(form["message_id"]), parse_mode=form.get("parse_mode"))

    async def _m_editMessageCaption(self, form: dict[str, Any]) -> dict[str, Any]:
        return self._record(int(form["chat_id"]), str(form.get("caption", "")), form.get("reply_markup"),
                            photo=True, message_id=int(form["message_id"]))

    async def _m_editMessageMedia(self, form: dict[str, Any]) -> dict[str, Any]:
        media = json.loads(str(form.get("media") or "{}"))
        return self._record(int(form["chat_id"]), str(media.get("caption", "")), form.get("reply_markup"),
                            photo=True, message_id=int(form["message_id"]), parse_mode=media.get("parse_mode"))

    async def _m_getFile(self, form: dict[str, Any]) -> dict[str, Any]:
        file_id = str(form["file_id"])
        return {"file_id": file_id, "file_unique_id": file_id, "file_size": len(self._files.get(file_id, b"")),
                "file_path": f"photos/{file_id}.jpg"}

    async def _file(self, request: web.Request) -> web.Response:
        file_id = Path(request.match_info["path"]).stem
        if file_id not in self._files:
            raise web.HTTPNotFound()
        return web.Response(body=self._files[file_id], content_type="image/jpeg")

    # -- the web chat ---------------------------------------------------------------------------------

    def _show(self, chat_id: int, kind: str, message_id: int, text: str, *, mine: bool = False,
              buttons: list[list[dict[str, Any]]] | None = None, photo: bool = False, parse_mode: Any = None) -> None:
        """One change for the web chat: a new `message` (the person's own when `mine`), an `edit` of one shown
        before, or a button's `popup` answer. Numbered in order, so a page asks only for what it has not seen.
        `html` is the text as the page shows it (Telegram's formatting, everything else escaped)."""
        self.feed.append({"seq": len(self.feed) + 1, "chat": chat_id, "kind": kind, "id": message_id,
                          "text": text, "html": page_html(text, parse_mode), "mine": mine, "buttons": buttons or [],
                          "photo": photo})
        self._fed.set()

    async def _chat_updates(self, request: web.Request) -> web.Response:
        """What changed in a chat after `after` (the last `seq` the page saw); waits up to `wait` seconds for
        something when nothing has, so the page hears of a reply as soon as it is sent."""
        chat_id = int(request.query.get("chat", "1"))
        after = max(0, int(request.query.get("after", "0")))
        deadline = time.monotonic() + min(float(request.query.get("wait", "20")), 25.0)
        while True:
            news = [entry for entry in self.feed[after:] if entry["chat"] == chat_id]
            left = deadline - time.monotonic()
            if news or left <= 0:
                return web.json_response({"updates": news, "last": len(self.feed)})
            self._fed.clear()
            try:
                await asyncio.wait_for(self._fed.wait(), left)
            except TimeoutError:
                pass

    async def _page(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(CHAT_PAGE)

    async def _messages(self, request: web.Request) -> web.Response:
        chat_id = int(request.query.get("chat", "1"))
        return web.json_response([{"id": s.message_id, "text": s.text, "buttons": s.buttons, "photo": s.photo}
                                  for s in self.to(chat_id)])

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.json()
        chat_id = int(body["chat"])
        language = "zh" if str(body.get("language", "en")).startswith("zh") else "en"
        if "row" in body:
            if not self._tap(chat_id, body, language):
                return web.json_response({"ok": False, "description": "that button is gone"}, status=409)
        elif "press" in body:
            sent = next(s for s in reversed(self.sent) if s.message_id == int(body["message_id"]))
            self.presses(chat_id, sent, body["press"], language)
        elif "phone" in body:
            self.shares_contact(chat_id, str(body["phone"])[:20], language=language)
        else:
            self.says(chat_id, str(body.get("text", ""))[:4000], language)
        return web.json_response({"ok": True})

    def _tap(self, chat_id: int, body: dict[str, Any], language: str) -> bool:
        """A tap on the page: the button at (row, col) of the message as it stands now; False when it is gone."""
        sent = next((s for s in reversed(self.sent) if s.message_id == int(body["message_id"])), None)
        try:
            button = sent.buttons[int(body["row"])][int(body["col"])] if sent else None
        except (IndexError, ValueError):
            button = None
        if sent is None or button is None or "callback_data" not in button:
            return False
        self.taps(chat_id, sent, button, language)
        return True
