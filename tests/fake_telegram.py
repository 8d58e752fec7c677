"""A local fake of the Telegram Bot API (aiohttp), strict about the limits Telegram enforces.

python-telegram-bot calls POST {base}/bot{token}/{method}, form-encoded (nested fields as JSON strings) or
multipart when it uploads a file. The fake keeps an update queue with getUpdates offset semantics, records
every call, and rejects what Telegram rejects: text over 4,096 characters or with broken HTML, captions over
1,024, callback_data over 64 bytes, empty button text, more than 50 inline results, inline titles over 64
characters. It can answer 429 (flood control) on demand. Edits (editMessageText, editMessageReplyMarkup) are kept
in `edits`, apart from the messages sent.

Faults on demand: `fail_for(method, seconds, status)` answers a method with an error (502…) for a while;
`blocked` chats answer 403 (the user blocked the bot); `hold(method)` makes calls wait until `release(method)`;
`restart_ids(n)` starts a new update id sequence (as Telegram does after a week without updates). The bot's id is
the token's first part, as on Telegram, so two tokens are two bots. An offset confirms only updates already
delivered, so a new, lower id sequence is not lost to the offset of the old one.
"""
from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from aiohttp import web

BOT = {"id": 7000001, "is_bot": True, "first_name": "预算问答", "username": "budget_test_bot",
       "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler",
                "blockquote", "span", "tg-emoji"}


class _HtmlCheck(HTMLParser):
    """Telegram's HTML parse mode: known tags only, balanced."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.error = ""
        self.plain: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.error = f"unsupported start tag \"{tag}\""
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.error = f"unmatched end tag \"{tag}\""

    def handle_data(self, data):
        self.plain.append(data)


def parse_html(text: str) -> tuple[str, str]:
    """(plain text, error) as Telegram would parse an HTML message."""
    if re.search(r"<(?![a-zA-Z/])", text):
        return "", "Bad Request: can't parse entities: unexpected character '<'"
    if re.search(r"&(?!(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)", text):
        return "", "Bad Request: can't parse entities: unescaped '&'"
    parser = _HtmlCheck()
    parser.feed(text)
    parser.close()
    if parser.error or parser.stack:
        return "", f"Bad Request: can't parse entities: {parser.error or 'unclosed tag'}"
    return html.unescape("".join(parser.plain)), ""


def utf16_len(text: str) -> int:
    """Telegram measures text in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


class ApiError(Exception):
    """A Bot API error answer."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


@dataclass
class FakeTelegram:
    """The fake server's state: updates to deliver, calls received, messages sent by the bot."""

    token: str = "123456:TEST-token"
    updates: list[dict] = field(default_factory=list)
    calls: list[tuple[str, dict]] = field(default_factory=list)
    sent: list[dict] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    edits: list[dict] = field(default_factory=list)
    flood: dict[str, int] = field(default_factory=dict)
    confirmed: int = 0
    blocked: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self._msg_ids = itertools.count(1000)
        self._new = asyncio.Event()
        self._changed = asyncio.Event()
        self.runner: web.AppRunner | None = None
        self.webhook: dict = {}
        self.port = 0
        self.closing = False
        self.me = {**BOT, "id": int(self.token.split(":")[0])}
        self.outages: dict[str, tuple[float, int]] = {}
        self.holds: dict[str, asyncio.Event] = {}
        self._delivered: dict[int, dict] = {}  # updates returned by getUpdates, by id() (an offset confirms only these)

    # -- faults -------------------------------------------------------------------------------------------------
    def fail_for(self, method: str, seconds: float, status: int = 502) -> None:
        """Answer `method` with HTTP `status` (a Bot API error) for the next `seconds`."""
        self.outages[method] = (time.monotonic() + seconds, status)

    def hold(self, method: str) -> None:
        """Calls of `method` wait (unanswered) until release(method)."""
        self.holds[method] = asyncio.Event()

    def release(self, method: str) -> None:
        """Let held calls of `method` through, and stop holding it."""
        event = self.holds.pop(method, None)
        if event is not None:
            event.set()

    def restart_ids(self, start: int = 1) -> None:
        """The next updates get ids from `start` on (a new sequence)."""
        self._ids = itertools.count(start)

    # -- the server ---------------------------------------------------------------------------------------------
    async def start(self) -> str:
        """Start listening on a free loopback port; returns the base URL to give the bot."""
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{self.port}/bot"

    async def stop(self) -> None:
        """Stop the server (long polls still waiting return at once)."""
        self.closing = True
        self._new.set()
        if self.runner:
            await self.runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        form = await request.post()
        params: dict = {}
        for key, value in form.items():
            params[key] = value.file.read() if hasattr(value, "file") else value
        self.calls.append((method, params))
        if method in self.holds:
            await self.holds[method].wait()
        try:
            until, status = self.outages.get(method, (0.0, 0))
            if time.monotonic() < until:
                raise ApiError(status, "Bad Gateway" if status == 502 else f"Internal Server Error ({status})")
            if "chat_id" in params and int(params["chat_id"]) in self.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if self.flood.get(method, 0) > 0:
                self.flood[method] -= 1
                raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
            handler = getattr(self, "api_" + method, None)
            if handler is None:
                raise ApiError(404, f"Not Found: method {method} not found")
            result = await handler(params)
        except ApiError as err:
            self.rejected.append((method, err.description))
            body = {"ok": False, "error_code": err.code, "description": err.description}
            if err.retry_after:
                body["parameters"] = {"retry_after": err.retry_after}
            return web.json_response(body, status=err.code)
        finally:
            self._changed.set()
        return web.json_response({"ok": True, "result": result})

    # -- methods ------------------------------------------------------------------------------------------------
    async def api_getMe(self, p):
        return self.me

    async def api_deleteWebhook(self, p):
        return True

    async def api_getWebhookInfo(self, p):
        return {"url": "", "has_custom_certificate": False, "pending_update_count": len(self.pending())}

    async def api_setWebhook(self, p):
        self.webhook = dict(p)
        return True

    async def api_setMyCommands(self, p):
        for c in json.loads(p["commands"]):
            if not re.fullmatch(r"[a-z0-9_]{1,32}", c["command"]) or not 1 <= len(c["description"]) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        if "scope" in p:
            json.loads(p["scope"])
        return True

    def commands(self, scope_chat: int | None = None) -> list[str]:
        """The commands last set for the default scope, or for one chat's BotCommandScopeChat."""
        found: list[str] = []
        for method, p in self.calls:
            scope = json.loads(p["scope"]) if method == "setMyCommands" and "scope" in p else {"type": "default"}
            if method == "setMyCommands" and (scope.get("chat_id") == scope_chat if scope_chat is not None
                                              else scope["type"] == "default"):
                found = [c["command"] for c in json.loads(p["commands"])]
        return found

    async def api_sendChatAction(self, p):
        return True

    async def api_answerCallbackQuery(self, p):
        return True

    async def api_getUpdates(self, p):
        offset = int(p.get("offset", 0) or 0)
        if offset:
            self.confirmed = max(self.confirmed, offset)
            gone = {id(u): u for u in self.updates if self._delivered.get(id(u)) is u and u["update_id"] < offset}
            if gone:
                self.updates = [u for u in self.updates if id(u) not in gone]
                for key in gone:
                    del self._delivered[key]
        timeout = float(p.get("timeout", 0) or 0)
        deadline = time.monotonic() + timeout
        while not self.pending() and not self.closing and time.monotonic() < deadline:
            self._new.clear()
            try:
                await asyncio.wait_for(self._new.wait(), max(0.0, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                break
        limit = int(p.get("limit", 100) or 100)
        batch = self.pending()[:limit]
        self._delivered.update((id(u), u) for u in batch)
        return batch

    def pending(self) -> list[dict]:
        """Updates not yet confirmed by an offset, in the order they were sent."""
        return list(self.updates)

    def _check_markup(self, p) -> dict | None:
        if "reply_markup" not in p:
            return None
        markup = json.loads(p["reply_markup"])
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text", "").strip():
                    raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode("utf-8")) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _message(self, p, **extra) -> dict:
        msg = {"message_id": next(self._msg_ids), "date": int(time.time()), "from": self.me,
               "chat": {"id": int(p["chat_id"]), "type": "private"}, **extra}
        self.sent.append(msg)
        return msg

    async def api_sendMessage(self, p):
        plain, error = parse_html(p["text"]) if p.get("parse_mode") == "HTML" else (p["text"], "")
        if error:
            raise ApiError(400, error)
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        markup = self._check_markup(p)
        return self._message(p, text=plain, **({"reply_markup": markup} if markup else {}))

    def _edited(self, p, **changes):
        if "inline_message_id" not in p and not ("chat_id" in p and "message_id" in p):
            raise ApiError(400, "Bad Request: message identifier is not specified")
        self.edits.append({"chat_id": int(p["chat_id"]) if "chat_id" in p else None,
                           "message_id": int(p["message_id"]) if "message_id" in p else None,
                           "inline_message_id": p.get("inline_message_id"), **changes})
        if "inline_message_id" in p:
            return True
        return {"message_id": int(p["message_id"]), "date": int(time.time()), "from": self.me,
                "chat": {"id": int(p["chat_id"]), "type": "private"}, "text": changes.get("text", "…")}

    async def api_editMessageText(self, p):
        plain, error = parse_html(p["text"]) if p.get("parse_mode") == "HTML" else (p["text"], "")
        if error or utf16_len(plain) > 4096:
            raise ApiError(400, error or "Bad Request: message is too long")
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        return self._edited(p, text=plain, reply_markup=self._check_markup(p))

    async def api_editMessageReplyMarkup(self, p):
        return self._edited(p, reply_markup=self._check_markup(p))

    async def api_sendPhoto(self, p):
        photo = p.get("photo")
        if not isinstance(photo, (bytes, bytearray)) or not photo.startswith(b"\x89PNG"):
            raise ApiError(400, "Bad Request: photo must be an uploaded PNG here")
        caption = p.get("caption", "")
        plain, error = parse_html(caption) if p.get("parse_mode") == "HTML" else (caption, "")
        if error:
            raise ApiError(400, error)
        if utf16_len(plain) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        return self._message(p, caption=plain, photo=[{"file_id": "png", "file_unique_id": "png", "width": 1,
                                                      "height": 1, "file_size": len(photo)}])

    async def api_answerInlineQuery(self, p):
        results = json.loads(p["results"])
        if len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        for r in results:
            text = r.get("input_message_content", {}).get("message_text", "")
            plain, error = parse_html(text) if r["input_message_content"].get("parse_mode") == "HTML" else (text, "")
            if error or utf16_len(plain) > 4096 or len(r["id"].encode()) > 64:
                raise ApiError(400, error or "Bad Request: inline result invalid")
            if not r.get("title", "").strip() or utf16_len(r["title"]) > 64:
                raise ApiError(400, "Bad Request: inline result title invalid")
        self.sent.append({"inline_query_id": p["inline_query_id"], "results": results})
        return True

    # -- what users do ------------------------------------------------------------------------------------------
    def _push(self, body: dict) -> int:
        uid = next(self._ids)
        self.updates.append({"update_id": uid, **body})
        self._new.set()
        return uid

    def user(self, chat_id: int) -> dict:
        """A user whose private chat has this id."""
        return {"id": chat_id, "is_bot": False, "first_name": f"用户{chat_id}", "language_code": "zh-hans"}

    def send_text(self, chat_id: int, text: str) -> int:
        """A user sends a text (a leading /command gets its bot_command entity)."""
        msg = {"message_id": next(self._msg_ids), "date": int(time.time()), "chat": {"id": chat_id, "type": "private"},
               "from": self.user(chat_id), "text": text}
        if text.startswith("/"):
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self._push({"message": msg})

    def send_group(self, chat_id: int, user_id: int, text: str, mention: str | None = None,
                   reply_to: dict | None = None) -> int:
        """A group member writes; mention puts @username in the text as a mention entity."""
        entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] if text.startswith("/") else []
        if mention:
            text = f"@{mention} {text}"
            entities.append({"type": "mention", "offset": 0, "length": len(mention) + 1})
        msg = {"message_id": next(self._msg_ids), "date": int(time.time()),
               "chat": {"id": chat_id, "type": "supergroup", "title": "编辑部"}, "from": self.user(user_id), "text": text}
        if entities:
            msg["entities"] = entities
        if reply_to:
            msg["reply_to_message"] = reply_to
        return self._push({"message": msg})

    def push_raw(self, kind: str, message: dict) -> int:
        """Any other update: edited_message, channel_post, a sticker message…"""
        return self._push({kind: {"message_id": next(self._msg_ids), "date": int(time.time()), **message}})

    def send_poll(self, chat_id: int, question: str = "午饭吃什么？") -> int:
        """A user sends a poll as Bot API servers before 9.6 describe it (no persistent_id, allows_revoting,
        members_only): python-telegram-bot 22.8 cannot parse it."""
        poll = {"id": f"poll{next(self._ids)}", "question": question, "total_voter_count": 0, "is_closed": False,
                "is_anonymous": True, "type": "regular", "allows_multiple_answers": False,
                "options": [{"text": "面条", "voter_count": 0}, {"text": "米饭", "voter_count": 0}]}
        return self._push({"message": {"message_id": next(self._msg_ids), "date": int(time.time()),
                                       "chat": {"id": chat_id, "type": "private"}, "from": self.user(chat_id),
                                       "poll": poll}})

    def press(self, chat_id: int, message: dict, data: str) -> int:
        """A user presses an inline button of a message the bot sent."""
        return self._push({"callback_query": {"id": str(next(self._ids)), "from": self.user(chat_id),
                                              "message": message, "chat_instance": str(chat_id), "data": data}})

    def press_inline(self, user_id: int, inline_message_id: str, data: str) -> int:
        """A user presses a button of a message sent via inline mode (the callback has no message)."""
        return self._push({"callback_query": {"id": str(next(self._ids)), "from": self.user(user_id),
                                              "inline_message_id": inline_message_id,
                                              "chat_instance": str(user_id), "data": data}})

    def inline(self, user_id: int, query: str) -> int:
        """A user types @bot query in any chat."""
        return self._push({"inline_query": {"id": f"iq{next(self._ids)}", "from": self.user(user_id), "query": query,
                                            "offset": ""}})

    # -- what tests look at ---------------------------------------------------------------------------------------
    def answered_callbacks(self) -> list[dict]:
        """The answerCallbackQuery calls, in order (text, show_alert…)."""
        return [p for m, p in self.calls if m == "answerCallbackQuery"]

    def messages(self, chat_id: int) -> list[dict]:
        """Messages the bot sent to a chat, in order."""
        return [m for m in self.sent if m.get("chat", {}).get("id") == chat_id]

    def count(self, method: str) -> int:
        """How many calls of a method the bot has made."""
        return sum(1 for m, _ in self.calls if m == method)

    async def wait_for(self, condition, timeout: float = 20.0) -> None:
        """Wait until condition() holds (checked after every API call), or fail."""
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out; calls so far: {[c[0] for c in self.calls][-20:]}; "
                                     f"rejected: {self.rejected[-5:]}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.5))
            except asyncio.TimeoutError:
                pass


# -- running `budgetbot serve`'s own loop in this process -------------------------------------------------------------
@contextlib.asynccontextmanager
async def serving(fake: FakeTelegram, base: str, state: Path, inbox=None, usage=None, webhook: dict | None = None):
    """`budgetbot serve` (inbox and heartbeat in `state`) in this process until the block ends; yields the Pipeline.

    The block's end stops it as SIGTERM does (intake at once, handlers given their grace).
    """
    from bot.telegram.app import build_application, serve
    from bot.telegram.inbox import Inbox
    from bot.usage import UsageLog

    inbox = inbox if inbox is not None else Inbox(state / "inbox.db")
    app = build_application(fake.token, base, max_retries=3, usage=usage or UsageLog(enabled=False))
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, inbox, webhook=webhook, stop=stop, health_file=state / "inbox.db.health"))
    while not (app.bot_data.get("pipeline") and app.bot_data["pipeline"].background) and not task.done():
        await asyncio.sleep(0.01)
    if task.done():
        task.result()  # raises what went wrong at start
    while webhook is not None and "webhook_server" not in app.bot_data and not task.done():
        await asyncio.sleep(0.01)
    try:
        yield app.bot_data["pipeline"]
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


async def until(condition, timeout: float = 30.0, what: str = "condition") -> None:
    """Wait (polling every 20 ms) until condition() holds, or fail saying what did not happen."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
