"""Update intake and dispatch: durable, poison-proof, one chat's updates in order, different chats concurrent.

    Telegram ──getUpdates / webhook──▶ Inbox (SQLite, committed) ──▶ confirm (next offset / HTTP 200)
                                           │
                                           └─▶ parse ──✗──▶ 'poison': skipped, logged once (id + error type), counted
                                                 │
                                                 ▼
                                     PerChatProcessor ─▶ Application.process_update ─▶ handlers
                                                 │            (each Bot API call journaled by JournalBot)
                                                 ▼
                                     Inbox.done(update, chat state) in one transaction

A crash at any moment leaves the update 'pending'; it is handled again at the next start, and every reply it
had already sent is found in the journal and not sent again. The one unavoidable window is between Telegram
accepting a call and the journal committing it (microseconds): a crash exactly there sends that one message twice.
"""
from __future__ import annotations

import asyncio
import contextvars
import hmac
import json
import logging
import re
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, BaseUpdateProcessor, ExtBot

from .inbox import MAX_ATTEMPTS, Inbox

log = logging.getLogger(__name__)

# Calls that are not replies: repeating them is harmless, and whether they happen depends on timing.
UNJOURNALED = {"sendChatAction", "getUpdates", "getMe", "setMyCommands", "deleteWebhook", "setWebhook",
               "getWebhookInfo", "close", "logOut"}
MAX_IN_FLIGHT = 2000  # updates taken and not yet handled; past it, polling waits (Telegram keeps the rest)
BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass
class _Handling:
    """The update whose handlers are running in this context, and how many journaled calls it has made."""

    update_id: int
    inbox: Inbox
    seq: int = 0


_CURRENT: contextvars.ContextVar[_Handling | None] = contextvars.ContextVar("budgetbot_update", default=None)


def chat_key(update: object) -> str | None:
    """What orders updates: the chat, else the user (inline queries), else nothing (handled on its own)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return str(update.effective_chat.id)
    if update.effective_user is not None:
        return f"u{update.effective_user.id}"
    return None


class JournalBot(ExtBot):
    """ExtBot that journals the replies of the update being handled, and fetches updates as raw JSON."""

    async def _do_post(self, endpoint: str, data: dict, **kwargs: Any) -> Any:
        """Send one Bot API call; during a replay, a call already answered returns its journaled result."""
        for key in ("text", "caption"):  # no bidi controls in anything the bot says (they reorder what users see)
            if isinstance(data.get(key), str):
                data[key] = BIDI.sub("", data[key])
        handling = _CURRENT.get()
        if handling is None or endpoint in UNJOURNALED:
            return await super()._do_post(endpoint, data, **kwargs)
        handling.seq += 1
        seq = handling.seq
        earlier = handling.inbox.sent(handling.update_id, seq)
        if earlier is not None:
            return earlier
        result = await super()._do_post(endpoint, data, **kwargs)
        handling.inbox.record(handling.update_id, seq, endpoint, result)
        return result

    async def raw_updates(self, offset: int | None, timeout: float, limit: int = 100,
                          allowed_updates: list[str] | None = None) -> list:
        """getUpdates without parsing: one unparseable update must not make the whole batch fail."""
        data = {"offset": offset, "timeout": timeout, "limit": limit, "allowed_updates": allowed_updates}
        result = await self._post("getUpdates", data, read_timeout=timeout + 10)
        return result if isinstance(result, list) else []


class PerChatProcessor(BaseUpdateProcessor):
    """Handles one chat's updates strictly in arrival order; different chats run concurrently (up to a limit).

    The order is taken when an update's task first runs, before any await (tasks start in creation order), and
    each update waits for the one before it in its chat, so it never depends on a semaphore's fairness.
    """

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(1_000_000)  # the base class's semaphore must never block (it could reorder a chat)
        self.limit = asyncio.Semaphore(max_concurrent_updates)
        self.tails: dict[str, asyncio.Future] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the previous update of the same chat, then run this one."""
        key = chat_key(update)
        mine = asyncio.get_running_loop().create_future()
        previous = self.tails.get(key) if key is not None else None
        if key is not None:
            self.tails[key] = mine
        started = False
        try:
            if previous is not None and not previous.done():
                await asyncio.wait({previous})
            async with self.limit:
                started = True
                await coroutine
        finally:
            if not started and hasattr(coroutine, "close"):
                coroutine.close()  # cancelled while waiting its turn
            mine.set_result(None)
            if key is not None and self.tails.get(key) is mine:
                del self.tails[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""


class Pipeline:
    """Takes updates from Telegram into the inbox, confirms them, and dispatches them through the Application."""

    def __init__(self, app: Application, inbox: Inbox, grace: float = 1.5, poll_timeout: float = 10) -> None:
        self.app = app
        self.inbox = inbox
        self.grace = grace
        self.poll_timeout = poll_timeout
        self.stopping = False
        self.tasks: dict[int, asyncio.Task] = {}
        self.poller: asyncio.Task | None = None
        self.allowed_updates = Update.ALL_TYPES
        self.malformed = 0

    # -- start and stop -------------------------------------------------------------------------------------------
    async def start(self, polling: bool = True) -> None:
        """Restore chat states, handle what a previous run left pending, then start polling (unless webhook)."""
        for key, data in self.inbox.chat_states().items():
            if key.lstrip("-").isdigit():
                self.app.chat_data[int(key)].update(data)
        self.inbox.prune()
        left = self.inbox.pending()
        if left:
            log.info("handling %d update(s) left pending by the previous run", len(left))
        for update_id, raw in left:
            self._dispatch(update_id, raw)
        if polling:
            await self.app.bot.delete_webhook()
            self.poller = asyncio.create_task(self._poll(), name="budgetbot-poller")

    async def stop(self) -> None:
        """Stop intake at once; give running handlers `grace` seconds, then cancel them (they stay pending)."""
        self.stopping = True
        if self.poller:
            self.poller.cancel()
            await asyncio.wait({self.poller})
        running = set(self.tasks.values())
        if running:
            _, late = await asyncio.wait(running, timeout=self.grace)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=1.0)
        left = self.inbox.counts().get("pending", 0)
        log.info("stopped; %d update(s) pending for the next start, %d skipped as unparseable",
                 left, self.inbox.skipped)

    # -- intake -------------------------------------------------------------------------------------------------
    def receive(self, raw_updates: list) -> None:
        """Store a batch durably, then dispatch the new ones (the caller confirms to Telegram after this)."""
        good = [u for u in raw_updates if isinstance(u, dict) and isinstance(u.get("update_id"), int)]
        if len(good) < len(raw_updates):
            self.malformed += len(raw_updates) - len(good)
            log.warning("dropped %d update(s) without an update_id", len(raw_updates) - len(good))
        new = self.inbox.accept(good)
        for raw in sorted(good, key=lambda u: u["update_id"]):
            if raw["update_id"] in new:
                self._dispatch(raw["update_id"], raw)

    async def _poll(self) -> None:
        bot: JournalBot = self.app.bot
        offset: int | None = None
        failures = 0
        while True:
            while len(self.tasks) >= MAX_IN_FLIGHT:  # bounded memory after a long outage
                await asyncio.sleep(0.1)
            try:
                batch = await bot.raw_updates(offset, self.poll_timeout, allowed_updates=self.allowed_updates)
            except asyncio.CancelledError:
                raise
            except (TelegramError, OSError) as exc:
                failures += 1
                if failures == 1 or failures % 30 == 0:  # bounded: a long outage logs a line every few minutes
                    log.warning("getUpdates failed (%s), retrying; %d failure(s) in a row", type(exc).__name__,
                                failures)
                await asyncio.sleep(min(2 ** min(failures, 5), 30))
                continue
            failures = 0
            if not batch:
                continue
            self.receive(batch)
            ids = [u["update_id"] for u in batch if isinstance(u, dict) and isinstance(u.get("update_id"), int)]
            if ids:
                offset = max(ids) + 1  # the next call confirms this batch: it is in the inbox already

    # -- dispatch -----------------------------------------------------------------------------------------------
    def _dispatch(self, update_id: int, raw: dict) -> None:
        if update_id in self.tasks:
            return
        try:
            update = Update.de_json(raw, self.app.bot)
        except Exception as exc:  # a newer (or older) Bot API than python-telegram-bot knows
            self.inbox.skip(update_id, "poison", type(exc).__name__)
            log.warning("skipped update %d: python-telegram-bot cannot parse it (%s); %d skipped so far",
                        update_id, type(exc).__name__, self.inbox.skipped)
            return
        processor = self.app.update_processor
        task = asyncio.create_task(processor.process_update(update, self._handle(update_id, update)))
        self.tasks[update_id] = task
        task.add_done_callback(lambda _t, uid=update_id: self.tasks.pop(uid, None))

    async def _handle(self, update_id: int, update: Update) -> None:
        """Run the handlers for one update in its journal context, then mark it done with its chat's state."""
        if self.stopping:
            return  # stays pending for the next start
        if self.inbox.start(update_id) > MAX_ATTEMPTS:
            self.inbox.skip(update_id, "failed", "crashed while handling it")
            log.error("skipped update %d: the process died while handling it %d times", update_id, MAX_ATTEMPTS)
            return
        token = _CURRENT.set(_Handling(update_id, self.inbox))
        try:
            await self.app.process_update(update)
        except asyncio.CancelledError:
            self.inbox.release(update_id)
            raise
        finally:
            _CURRENT.reset(token)
        chat = update.effective_chat
        data = self.app.chat_data.get(chat.id) if chat is not None else None
        self.inbox.done(update_id, str(chat.id) if chat is not None else None, dict(data) if data else None)


def webhook_server(pipeline: Pipeline, secret: str):
    """A tornado application for Telegram's webhook posts: checks the secret, stores the update, answers 200."""
    import tornado.web

    class WebhookHandler(tornado.web.RequestHandler):
        """POST /telegram: one update."""

        def post(self) -> None:
            """Store the update durably before answering 200 (Telegram resends anything else)."""
            given = self.request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
            if not hmac.compare_digest(given.encode(), secret.encode()):
                self.set_status(403)
                return
            try:
                raw = json.loads(self.request.body)
            except ValueError:
                pipeline.malformed += 1
                log.warning("webhook: a body that is not JSON was ignored")
                return
            pipeline.receive([raw])

        def log_exception(self, typ, value, tb) -> None:  # never log request bodies
            log.error("webhook request failed: %s", typ.__name__ if typ else "error")

    return tornado.web.Application([(r"/telegram", WebhookHandler)], log_function=lambda handler: None)
