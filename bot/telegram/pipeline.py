"""Update intake and dispatch: durable, bounded, poison-proof, retried through API faults, one chat in order.

    Telegram ──getUpdates / webhook──▶ Inbox (SQLite, committed) ──▶ confirm (next offset / HTTP 200)
                                           │           ✗ (locked, disk full): nothing confirmed; back off, retry
                                           ▼
                         feeder: pending entries in arrival order, at most IN_FLIGHT per lane (chat / inline)
                                           │
                                           └─▶ parse ──✗──▶ 'poison': skipped, logged once (id + error type), counted
                                                 │
                                                 ▼
                                     PerChatProcessor ─▶ Application.process_update ─▶ handlers
                                                 │            (each Bot API call journaled by JournalBot)
                                                 │  a network error, 5xx or timeout: the attempt is retried with
                                                 │  backoff (replies already sent are skipped by the journal)
                                                 ▼
                                     Inbox.finish(update, chat state) in one transaction

Intake never waits for the backlog: new updates are stored (and confirmed) while old ones drain, up to
MAX_PENDING. A crash at any moment leaves the update 'pending'; it is handled again at the next start, and every
reply it had already sent is found in the journal and not sent again. The one unavoidable window is between
Telegram accepting a call and the journal committing it (microseconds): a crash exactly there sends that one
message twice (and so does a timeout on a call Telegram did carry out).

Chat states live in memory only while a chat is in use: loaded from the inbox at its first update, dropped when
more than CHATS_IN_MEMORY chats are idle. A health signal (log lines, /stats, the heartbeat file read by
`budgetbot serve --check-health`, GET /health in webhook mode) says when intake or replies are failing.
"""
from __future__ import annotations

import asyncio
import contextlib
import contextvars
import copy
import errno
import functools
import hmac
import itertools
import json
import logging
import os
import re
import socket
import sqlite3
import tempfile
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import Application, BaseUpdateProcessor, ExtBot

from ..usage import UsageLog
from . import limits
from .inbox import Entry, Inbox, describe, update_id_of

if TYPE_CHECKING:
    import tornado.httpserver
    import tornado.web

log = logging.getLogger(__name__)

# Calls that are not replies: repeating them is harmless, and whether they happen depends on timing.
UNJOURNALED = {"sendChatAction", "getUpdates", "getMe", "setMyCommands", "deleteWebhook", "setWebhook",
               "getWebhookInfo", "close", "logOut"}
BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


# -- errors -----------------------------------------------------------------------------------------------------------
def is_transient(exc: BaseException) -> bool:
    """A fault that passes: network errors, 5xx, timeouts, flood control, the inbox briefly unwritable."""
    if isinstance(exc, BadRequest):
        return False
    return isinstance(exc, (NetworkError, RetryAfter, OSError, sqlite3.OperationalError))


def is_undeliverable(exc: BaseException) -> bool:
    """A reply that can never arrive: the user blocked the bot or deleted the chat, an inline query expired."""
    gone = ("chat not found", "query is too old", "query id is invalid")
    return isinstance(exc, Forbidden) or (isinstance(exc, BadRequest) and any(g in str(exc).lower() for g in gone))


def backoff(attempt: int, first: float, most: float) -> float:
    """Seconds to wait before retry number `attempt` (1, 2, …): doubling from `first`, at most `most`."""
    return min(first * 2 ** (attempt - 1), most)


# -- the update being handled -----------------------------------------------------------------------------------------
@dataclass
class _Handling:
    """The update whose handlers are running in this context: its journal, and how the current attempt went."""

    entry: int
    inbox: Inbox
    health: "Health | None" = None
    seq: int = 0
    journal: dict[int, Any] = field(default_factory=dict)  # answered calls, kept in memory across retries
    transient: str | None = None    # a passing fault in this attempt: retry it
    undelivered: str | None = None  # a reply that can never arrive (403): record it, do not retry

    def begin(self) -> None:
        """A new attempt: calls are numbered from 1 again, so those already answered are skipped."""
        self.seq, self.transient, self.undelivered = 0, None, None

    def earlier(self, seq: int) -> Any:
        """The answer already received for call `seq` (this process, else the inbox's journal), or None."""
        if seq in self.journal:
            return self.journal[seq]
        return self.inbox.sent(self.entry, seq)

    def remember(self, seq: int, method: str, result: Any) -> None:
        """Journal an answered call; if the inbox cannot take it now, memory keeps retries from doubling it."""
        self.journal[seq] = result
        try:
            self.inbox.record(self.entry, seq, method, result)
        except sqlite3.Error as exc:
            if self.health:
                self.health.problem("inbox", describe(exc))


_CURRENT: contextvars.ContextVar[_Handling | None] = contextvars.ContextVar("budgetbot_update", default=None)


def current_handling() -> _Handling | None:
    """The update being handled in this context (None outside the pipeline)."""
    return _CURRENT.get()


def chat_key(update: object) -> str | None:
    """What orders updates: the chat, else the user (inline queries), else nothing (handled on its own)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return str(update.effective_chat.id)
    if update.effective_user is not None:
        return f"u{update.effective_user.id}"
    return None


def update_lane(update: object) -> str:
    """Inline queries (and chosen inline results) run in their own lane."""
    if isinstance(update, Update) and (update.inline_query or update.chosen_inline_result):
        return "inline"
    return "chat"


class JournalBot(ExtBot):
    """ExtBot that journals the replies of the update being handled, and fetches updates as raw JSON."""

    async def _do_post(self, endpoint: str, data: dict, **kwargs: Any) -> Any:
        """Send one Bot API call; during a replay or a retry, a call already answered returns its result."""
        for key in ("text", "caption"):  # no bidi controls in anything the bot says (they reorder what users see)
            if isinstance(data.get(key), str):
                data[key] = BIDI.sub("", data[key])
        handling = _CURRENT.get()
        if handling is None or endpoint in UNJOURNALED:
            return await self._send(handling, endpoint, data, **kwargs)
        handling.seq += 1
        seq = handling.seq
        try:
            earlier = handling.earlier(seq)
        except sqlite3.Error as exc:  # cannot tell whether it was sent: retry the update later rather than double
            handling.transient = describe(exc)
            raise
        if earlier is not None:
            return earlier
        call = asyncio.ensure_future(self._send_and_remember(handling, seq, endpoint, data, **kwargs))
        call.add_done_callback(lambda done: done.cancelled() or done.exception())  # retrieved even if abandoned
        try:
            return await asyncio.shield(call)
        except asyncio.CancelledError:  # shutting down: a call already on its way is finished and journaled,
            if not call.done():        # so the next start does not send it again
                await asyncio.wait({call}, timeout=limits.FINISH_CALL)
            raise

    async def _send_and_remember(self, handling: _Handling, seq: int, endpoint: str, data: dict,
                                 **kwargs: Any) -> Any:
        result = await self._send(handling, endpoint, data, **kwargs)
        handling.remember(seq, endpoint, result)
        return result

    async def _send(self, handling: _Handling | None, endpoint: str, data: dict, **kwargs: Any) -> Any:
        try:
            return await super()._do_post(endpoint, data, **kwargs)
        except Exception as exc:
            if handling is not None and is_transient(exc):
                handling.transient = describe(exc)
            raise

    async def raw_updates(self, offset: int | None, timeout: float, limit: int = 100,
                          allowed_updates: list[str] | None = None) -> list:
        """getUpdates without parsing: one unparseable update must not make the whole batch fail."""
        data = {"offset": offset, "timeout": timeout, "limit": limit, "allowed_updates": allowed_updates}
        result = await self._post("getUpdates", data, read_timeout=timeout + 10)
        return result if isinstance(result, list) else []


class PerChatProcessor(BaseUpdateProcessor):
    """Handles one chat's updates strictly in arrival order; different chats run concurrently (up to a limit).

    The order is taken when an update's task first runs, before any await (tasks start in creation order), and
    each update waits for the one before it in its chat, so it never depends on a semaphore's fairness. Inline
    queries have their own limit (CONCURRENT['inline']), so a flood of them leaves room for chats.
    """

    def __init__(self, max_concurrent_updates: int | None = None) -> None:
        super().__init__(1_000_000)  # the base class's semaphore must never block (it could reorder a chat)
        sizes = dict(limits.CONCURRENT)
        if max_concurrent_updates is not None:
            sizes["chat"] = max_concurrent_updates
        self.limits = {lane: asyncio.Semaphore(n) for lane, n in sizes.items()}
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
            async with self.limits[update_lane(update)]:
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


# -- slow work in bounded pools ---------------------------------------------------------------------------------------
class PoolBusy(Exception):
    """Too much work of this kind is already waiting: try again later."""


class BoundedPool:
    """A few threads of their own for one kind of slow work (inline cards, charts), with a cap on what waits.

    Questions run in the default executor, so however many of these are queued, a question never waits for them.
    """

    def __init__(self, name: str, workers: Callable[[], int], waiting: Callable[[], int | None]) -> None:
        self.name, self.workers, self.waiting = name, workers, waiting
        self.queued = 0
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None

    def submit(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future:
        """Queue fn(*args) now and return its future; PoolBusy at once if the queue is full."""
        cap = self.waiting()
        with self._lock:
            if cap is not None and self.queued >= cap + self.workers():
                raise PoolBusy(self.name)
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.workers(), thread_name_prefix=f"budgetbot-{self.name}")
            self.queued += 1
        work = self._executor.submit(fn, *args)
        work.add_done_callback(self._one_less)  # counted down by the work itself: done, failed or cancelled
        return asyncio.wrap_future(work)

    def _one_less(self, _work: object) -> None:
        with self._lock:
            self.queued -= 1

    def waits(self) -> bool:
        """Whether the work last submitted has to wait for a thread."""
        return self.queued > self.workers()

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run fn(*args) in this pool's threads; PoolBusy if the queue is full."""
        return await self.submit(fn, *args)


INLINE_POOL = BoundedPool("inline", lambda: limits.INLINE_WORKERS, lambda: None)  # the inline lane caps what waits
CHART_POOL = BoundedPool("chart", lambda: limits.CHART_WORKERS, lambda: limits.CHART_WAITING)


# -- health -----------------------------------------------------------------------------------------------------------
class Health:
    """What is failing and since when: intake ('getUpdates', 'inbox') or replies ('replies').

    A problem is logged when it starts and every STALL_LOG_EVERY while it lasts (by tick()), and when it ends.
    """

    def __init__(self) -> None:
        self.problems: dict[str, tuple[float, str]] = {}
        self.last: tuple[str, float, float] | None = None  # the last problem that ended: (what, started, ended)
        self.logged: dict[str, float] = {}  # when each kind of problem was last logged (a flapping one: once a minute)

    def problem(self, what: str, reason: str) -> None:
        """Note a failure (logged when it starts, at most once every STALL_LOG_EVERY)."""
        if what in self.problems:
            self.problems[what] = (self.problems[what][0], reason)
            return
        now = time.time()
        self.problems[what] = (now, reason)
        if now - self.logged.get(what, -limits.STALL_LOG_EVERY) >= limits.STALL_LOG_EVERY:
            self.logged[what] = now
            log.warning("%s failing (%s): retrying with backoff; nothing is confirmed before it is stored",
                        what, reason)

    def resolved(self, what: str) -> None:
        """Note a success: ends that problem (logged if its start was)."""
        if what in self.problems:
            since, _ = self.problems.pop(what)
            self.last = (what, since, time.time())
            if self.logged.get(what, 0) >= since:
                log.info("%s working again after %.0f s", what, time.time() - since)

    def stalled_since(self) -> float | None:
        """When the oldest current problem started, or None."""
        return min((since for since, _ in self.problems.values()), default=None)

    def reason(self) -> str:
        """The current problems in one line."""
        return "; ".join(f"{what}: {why}" for what, (_, why) in sorted(self.problems.items()))

    def tick(self, pending: int) -> None:
        """The once-a-minute line while something is failing."""
        since = self.stalled_since()
        if since is not None:
            log.warning("stalled for %.0f s (%s); %d update(s) waiting", time.time() - since, self.reason(), pending)

    def summary(self) -> str:
        """For /stats: 正常 (with the last stall, if any), or what is stalled and for how long."""
        since = self.stalled_since()
        if since is not None:
            return f"停滞{time.time() - since:.0f}秒（{self.reason()}）"
        if self.last is None:
            return "正常"
        what, started, ended = self.last
        return f"正常（上次停滞：{what}，{ended - started:.0f}秒，{time.time() - ended:.0f}秒前恢复）"


def write_heartbeat(path: Path, beat: dict) -> bool:
    """Write the health file atomically (a full disk makes it go stale, which the check reports)."""
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".health-", dir=path.parent)
        with os.fdopen(fd, "w") as out:
            json.dump(beat, out)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        return True
    except OSError:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False


# -- chat state in memory -----------------------------------------------------------------------------------------------
class ChatMemory:
    """Chat states in memory only while used: loaded from the inbox at a chat's update, dropped when long idle."""

    def __init__(self, app: Application, inbox: Inbox) -> None:
        self.app, self.inbox = app, inbox
        self.busy: Counter[int] = Counter()
        self.idle: OrderedDict[int, None] = OrderedDict()

    def use(self, chat_id: int | None) -> None:
        """A chat has an update in flight: make sure its saved state is in memory."""
        if chat_id is None:
            return
        self.busy[chat_id] += 1
        self.idle.pop(chat_id, None)
        if chat_id in self.app.chat_data:
            return
        try:
            saved = self.inbox.chat_state(str(chat_id))
        except sqlite3.Error:
            saved = None  # only the follow-up context is lost; the question is still answered
        if saved:
            self.app.chat_data[chat_id].update(saved)

    def release(self, chat_id: int | None) -> None:
        """A chat's update is finished (its state saved): past CHATS_IN_MEMORY idle chats, drop the oldest."""
        if chat_id is None:
            return
        self.busy[chat_id] -= 1
        if self.busy[chat_id] > 0:
            return
        del self.busy[chat_id]
        self.idle[chat_id] = None
        while len(self.idle) > limits.CHATS_IN_MEMORY:
            old, _ = self.idle.popitem(last=False)
            self.app.drop_chat_data(old)
            # no persistence is configured, so nothing would ever empty python-telegram-bot's deletion set
            getattr(self.app, "_chat_ids_to_be_deleted_in_persistence", set()).discard(old)

    def snapshot(self, chat_id: int | None) -> dict | None:
        """A copy of a chat's state before an attempt (restored before a retry, so a follow-up is not applied twice)."""
        if chat_id is None or chat_id not in self.app.chat_data:
            return None
        return copy.deepcopy(dict(self.app.chat_data[chat_id]))

    def restore(self, chat_id: int | None, saved: dict | None) -> None:
        """Put a chat's state back as it was before the attempt."""
        if chat_id is None:
            return
        data = self.app.chat_data[chat_id]
        data.clear()
        data.update(copy.deepcopy(saved or {}))


# -- the pipeline -----------------------------------------------------------------------------------------------------
class Pipeline:
    """Takes updates from Telegram into the inbox, confirms them, and dispatches them through the Application."""

    def __init__(self, app: Application, inbox: Inbox, grace: float = 1.5, poll_timeout: float | None = None,
                 health_file: Path | None = None) -> None:
        self.app = app
        self.inbox = inbox
        self.grace = grace
        self.poll_timeout = limits.POLL_TIMEOUT if poll_timeout is None else poll_timeout
        self.health_file = health_file
        self.mode = "long polling"
        self.bot_id = 0
        self.stopping = False
        self.tasks: dict[int, asyncio.Task] = {}
        self.in_flight: Counter[str] = Counter()
        self.cursor: dict[str, int] = {lane: 0 for lane in limits.IN_FLIGHT}
        self.pending_count = 0
        self.health = Health()
        self.chats = ChatMemory(app, inbox)
        self.poller: asyncio.Task | None = None
        self.background: list[asyncio.Task] = []
        self.wake = asyncio.Event()    # the feeder: new updates stored, or a slot freed
        self.room = asyncio.Event()    # intake: pending below MAX_PENDING again
        self.allowed_updates = Update.ALL_TYPES
        self.malformed = 0
        self.went_back = 0

    # -- start and stop -------------------------------------------------------------------------------------------
    async def start(self, polling: bool = True) -> None:
        """Take this bot's pending updates (at most IN_FLIGHT at a time), then start polling (unless webhook)."""
        self.bot_id = self.app.bot.id
        self.mode = "long polling" if polling else "webhook"
        self._upkeep_once(claim=True)
        self.pending_count = self.inbox.count_pending(self.bot_id)
        if self.pending_count:
            log.info("handling %d update(s) left pending by the previous run (at most %d at a time)",
                     self.pending_count, limits.IN_FLIGHT["chat"])
        self.background = [asyncio.create_task(coro, name=f"budgetbot-{coro.__name__}")
                           for coro in (self._feed(), self._upkeep(), self._watchdog(), self._heartbeat())]
        if polling:
            await self.app.bot.delete_webhook()
            self.poller = asyncio.create_task(self._poll(), name="budgetbot-poller")

    async def stop(self) -> None:
        """Stop intake at once; give running handlers `grace` seconds, then cancel them (they stay pending)."""
        self.stopping = True
        for task in [self.poller, *self.background]:
            if task is not None:
                task.cancel()
        await asyncio.gather(*[t for t in [self.poller, *self.background] if t is not None], return_exceptions=True)
        running = set(self.tasks.values())
        if running:
            _, late = await asyncio.wait(running, timeout=self.grace)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=1.0)
        self._beat(stopped=True)
        try:
            left = self.inbox.counts(self.bot_id).get("pending", 0)
        except sqlite3.Error:
            left = self.pending_count
        log.info("stopped; %d update(s) pending for the next start, %d skipped as unparseable",
                 left, self.inbox.skipped)

    # -- intake -------------------------------------------------------------------------------------------------
    def receive(self, raw_updates: list) -> None:
        """Store a batch durably, then wake the feeder; raises (sqlite3.Error) when it could not be stored."""
        good = [u for u in raw_updates if update_id_of(u) is not None]
        if len(good) < len(raw_updates):
            self.malformed += len(raw_updates) - len(good)
            log.warning("dropped %d update(s) without a valid update_id", len(raw_updates) - len(good))
        if not good:
            return
        try:
            intake = self.inbox.accept(self.bot_id, good)
        except sqlite3.Error as exc:
            self.health.problem("inbox", describe(exc))
            raise
        self.health.resolved("inbox")
        if intake.went_back is not None:
            self._went_back(*intake.went_back)
        self.pending_count += len(intake.entries)
        if intake.entries:
            self.wake.set()

    def _went_back(self, high: int, new: int) -> None:
        self.went_back += 1
        if self.went_back == 1:
            log.warning("update ids went backwards (%d after %d): another bot or a new id sequence; stored as new "
                        "updates, nothing dropped (logged once; counted in /stats)", new, high)

    def has_room(self) -> bool:
        """Whether intake may take more (pending below MAX_PENDING)."""
        return self.pending_count < limits.MAX_PENDING

    async def _poll(self) -> None:
        bot: JournalBot = self.app.bot
        offset: int | None = None
        failures = 0
        while True:
            while not self.has_room():  # bounded disk after a very long backlog: Telegram keeps the rest
                self.room.clear()
                await self.room.wait()
            try:
                batch = await bot.raw_updates(offset, self.poll_timeout, allowed_updates=self.allowed_updates)
                self.health.resolved("getUpdates")
                if batch:
                    self.receive(batch)
                    offset = _next_offset(batch, offset)
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # never ends the loop: log (once per stall), back off, retry; offset unchanged
                failures += 1
                storage = isinstance(exc, sqlite3.Error)
                self.health.problem("inbox" if storage else "getUpdates", describe(exc))
                most = limits.STORE_RETRY_MAX if storage else limits.RETRY_MAX
                await asyncio.sleep(backoff(failures, limits.STORE_RETRY_FIRST, most))

    # -- dispatch -----------------------------------------------------------------------------------------------
    async def _feed(self) -> None:
        """Dispatch pending updates in arrival order while each lane has room; sleep until woken."""
        failures = 0
        while True:
            self.wake.clear()
            try:
                self._fill()
                failures = 0
            except sqlite3.Error as exc:
                failures += 1
                self.health.problem("inbox", describe(exc))
                await asyncio.sleep(backoff(failures, limits.STORE_RETRY_FIRST, limits.STORE_RETRY_MAX))
                continue
            await self.wake.wait()

    def _fill(self) -> None:
        for lane, cap in limits.IN_FLIGHT.items():
            room = cap - self.in_flight[lane]
            if room <= 0 or self.stopping:
                continue
            for entry in self.inbox.pending(self.bot_id, lane, self.cursor[lane], room):
                self._dispatch(entry)
                self.cursor[lane] = entry.id

    def _dispatch(self, entry: Entry) -> None:
        try:
            update = Update.de_json(entry.raw, self.app.bot)
        except Exception as exc:  # a newer (or older) Bot API than python-telegram-bot knows
            self.inbox.skip(entry.id, "poison", type(exc).__name__)
            self._finished_one()
            log.warning("skipped update %d: python-telegram-bot cannot parse it (%s); %d skipped so far",
                        entry.update_id, type(exc).__name__, self.inbox.skipped)
            return
        chat_id = update.effective_chat.id if update.effective_chat else None
        self.chats.use(chat_id)
        self.in_flight[entry.lane] += 1
        task = asyncio.create_task(self.app.update_processor.process_update(update, self._handle(entry, update)))
        self.tasks[entry.id] = task
        task.add_done_callback(functools.partial(self._task_done, entry, chat_id))

    def _task_done(self, entry: Entry, chat_id: int | None, _task: asyncio.Task) -> None:
        self.tasks.pop(entry.id, None)
        self.in_flight[entry.lane] -= 1
        self.chats.release(chat_id)
        self.wake.set()

    def _finished_one(self) -> None:
        self.pending_count = max(self.pending_count - 1, 0)
        if self.has_room():
            self.room.set()

    # -- handling -----------------------------------------------------------------------------------------------
    async def _handle(self, entry: Entry, update: Update) -> None:
        """Run the handlers for one update (retried through passing faults), then mark it finished."""
        if self.stopping or not self._first_attempt(entry):
            return  # stays pending for the next start (or was set aside as a crash loop)
        if entry.lane == "inline" and time.time() - entry.received > limits.INLINE_MAX_AGE:
            await self._finish(entry, update, "done", "too old to answer")  # the user has typed on long ago
            return
        outcome = await self._attempts(entry, update)
        if outcome is not None:
            await self._finish(entry, update, *outcome)

    def _first_attempt(self, entry: Entry) -> bool:
        """Count the attempt (a crash loop ends at CRASH_ATTEMPTS); False when the update was set aside."""
        try:
            attempts = self.inbox.start(entry.id)
        except sqlite3.Error:
            return True  # counting is best effort: the update is still answered
        if attempts <= limits.CRASH_ATTEMPTS:
            return True
        try:
            self.inbox.skip(entry.id, "failed", "crashed while handling it")
        except sqlite3.Error:
            return False
        self._finished_one()
        log.error("skipped update %d: the process died while handling it %d times", entry.update_id,
                  limits.CRASH_ATTEMPTS)
        return False

    async def _attempts(self, entry: Entry, update: Update) -> tuple[str, str | None] | None:
        """Handle until no passing fault remains; (state, error), or None when stopping (the update stays pending)."""
        chat_id = update.effective_chat.id if update.effective_chat else None
        handling = _Handling(entry.id, self.inbox, self.health)
        usage: UsageLog | None = self.app.bot_data.get("usage")
        recorded: list[dict] = []
        before = self.chats.snapshot(chat_id)
        for attempt in itertools.count(1):
            handling.begin()
            token = _CURRENT.set(handling)
            try:
                with UsageLog.collecting() as rows:
                    await self.app.process_update(update)
            except asyncio.CancelledError:
                self._release(entry)
                raise
            finally:
                _CURRENT.reset(token)
            recorded += [row for row in rows if row not in recorded]  # a retry does not record a question twice
            if handling.transient is None:
                self.health.resolved("replies")
                break
            self.health.problem("replies", handling.transient)
            if attempt >= limits.RETRY_ATTEMPTS or self.stopping:
                break
            self.chats.restore(chat_id, before)
            await asyncio.sleep(backoff(attempt, limits.RETRY_FIRST, limits.RETRY_MAX))
        if handling.transient is not None and self.stopping:
            self._release(entry)
            return None
        if usage is not None:
            usage.write(recorded)
        if handling.transient is not None:
            log.error("update %d set aside after %d attempts: %s", entry.update_id, limits.RETRY_ATTEMPTS,
                      handling.transient)
            return "failed", handling.transient
        return ("undelivered", handling.undelivered) if handling.undelivered else ("done", None)

    def _release(self, entry: Entry) -> None:
        try:
            self.inbox.release(entry.id)
        except sqlite3.Error:
            pass

    async def _finish(self, entry: Entry, update: Update, state: str, error: str | None) -> None:
        """Mark the update finished with its chat's state; while the inbox cannot be written, keep trying."""
        chat = update.effective_chat
        data = self.app.chat_data.get(chat.id) if chat is not None else None
        key, saved = (str(chat.id), dict(data)) if chat is not None and data else (None, None)
        for attempt in itertools.count(1):
            try:
                self.inbox.finish(entry.id, state, error, key, saved)
                self.health.resolved("inbox")
                break
            except sqlite3.Error as exc:
                self.health.problem("inbox", describe(exc))
                await asyncio.sleep(backoff(attempt, limits.STORE_RETRY_FIRST, limits.STORE_RETRY_MAX))
        self._finished_one()

    # -- upkeep, watchdog, heartbeat ------------------------------------------------------------------------------
    def _upkeep_once(self, claim: bool = False) -> None:
        usage: UsageLog | None = self.app.bot_data.get("usage")
        try:
            if claim and self.inbox.claim_legacy(self.bot_id):
                log.info("updates stored before bot ids were kept are now this bot's (%d)", self.bot_id)
            gone = self.inbox.prune(self.bot_id)
        except sqlite3.Error as exc:
            self.health.problem("inbox", describe(exc))
            return
        if gone.get("stranded"):
            log.warning("dropped %d update(s) of another bot id left pending for over %d days",
                        gone["stranded"], limits.STRANDED_KEEP // 86400)
        if usage is not None:
            usage.prune()

    async def _upkeep(self) -> None:
        while True:
            await asyncio.sleep(limits.PRUNE_EVERY)
            self._upkeep_once()

    async def _watchdog(self) -> None:
        while True:
            await asyncio.sleep(limits.STALL_LOG_EVERY)
            self.health.tick(self.pending_count)

    async def _heartbeat(self) -> None:
        while True:
            self._beat()
            await asyncio.sleep(limits.HEARTBEAT_EVERY)

    def _beat(self, stopped: bool = False) -> None:
        if self.health_file is None:
            return
        write_heartbeat(self.health_file, {"pid": os.getpid(), "time": time.time(), "mode": self.mode,
                                           "stopped": stopped, "stalled_since": self.health.stalled_since(),
                                           "reason": self.health.reason(), "pending": self.pending_count,
                                           "in_flight": len(self.tasks)})

    def healthy(self, max_stall: float | None = None) -> tuple[bool, str]:
        """Whether nothing has been failing for longer than max_stall, and one line saying so."""
        since = self.health.stalled_since()
        limit = limits.MAX_STALL if max_stall is None else max_stall
        if since is not None and time.time() - since > limit:
            return False, f"stalled for {time.time() - since:.0f} s: {self.health.reason()}"
        return True, f"ok: {self.pending_count} update(s) pending, {len(self.tasks)} in flight"

    def status_text(self) -> str:
        """Lines for /stats: intake health, what waits, what was skipped or could not be delivered."""
        try:
            counts = self.inbox.counts(self.bot_id)
        except sqlite3.Error:
            counts = {}
        lines = [f"接收状态：{self.health.summary()}",
                 f"待处理的更新：{self.pending_count}个（处理中{len(self.tasks)}个）",
                 f"无法解析而跳过的更新：{counts.get('poison', 0)}个",
                 f"无法送达（用户屏蔽或删除了对话）：{counts.get('undelivered', 0)}个"]
        if counts.get("failed"):
            lines.append(f"多次失败而放弃的更新：{counts['failed']}个")
        if self.went_back:
            lines.append(f"更新编号回退：{self.went_back}次（均已作为新消息处理）")
        return "\n".join(lines)


def _next_offset(batch: list, offset: int | None) -> int | None:
    """The offset that confirms a stored batch (every update with an integer id, valid or not)."""
    ids = [u["update_id"] for u in batch if isinstance(u, dict) and type(u.get("update_id")) is int]
    return max(ids) + 1 if ids else offset


# -- the webhook ------------------------------------------------------------------------------------------------------
def webhook_app(pipeline: Pipeline, secret: str) -> "tornado.web.Application":
    """A tornado application: POST /telegram (the secret checked from the headers first) and GET /health."""
    import tornado.web

    expected = secret.encode()

    @tornado.web.stream_request_body
    class WebhookHandler(tornado.web.RequestHandler):
        """POST /telegram: one update, at most MAX_BODY bytes, refused before its body is read if the secret is wrong."""

        def prepare(self) -> None:
            """Check the secret and the announced length from the headers alone."""
            self.body = bytearray()
            given = self.request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
            if not hmac.compare_digest(given, expected):
                self.refuse(403)
                return
            length = self.request.headers.get("Content-Length", "0")
            if not length.isdigit() or int(length) > limits.MAX_BODY:
                self.refuse(413)

        def refuse(self, status: int) -> None:
            """Answer at once and close the connection (the body is never read)."""
            self.set_status(status)
            self.set_header("Connection", "close")
            self.finish()

        def data_received(self, chunk: bytes) -> None:
            """Gather the body (tornado stops at MAX_BODY)."""
            if not self._finished:
                self.body.extend(chunk)

        def post(self) -> None:
            """Store the update durably before answering 200 (Telegram resends anything else)."""
            try:
                raw = json.loads(bytes(self.body))
            except ValueError:
                pipeline.malformed += 1
                log.warning("webhook: a body that is not JSON was ignored")
                return
            if not pipeline.has_room():
                self.set_status(503)  # Telegram keeps it and retries later
                return
            try:
                pipeline.receive([raw])
            except sqlite3.Error:
                self.set_status(503)  # not stored: Telegram retries later (the stall is logged and in /health)

        def log_exception(self, typ, value, tb) -> None:  # never log request bodies
            log.error("webhook request failed: %s", typ.__name__ if typ else "error")

    class HealthHandler(tornado.web.RequestHandler):
        """GET /health: 200 and "ok…", or 503 and what is stalled."""

        def get(self) -> None:
            """Report the pipeline's health."""
            ok, line = pipeline.healthy()
            self.set_status(200 if ok else 503)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(line + "\n")

    return tornado.web.Application([(r"/telegram", WebhookHandler), (r"/health", HealthHandler)],
                                   log_function=lambda handler: None)


def webhook_server(pipeline: Pipeline, secret: str) -> "tornado.httpserver.HTTPServer":
    """The webhook's HTTP server: body cap, header/body/idle timeouts, a connection cap, an accept loop that pauses."""
    from tornado.httpserver import HTTPServer

    class WebhookServer(HTTPServer):
        """HTTPServer whose listening sockets are served by _Acceptor."""

        def add_sockets(self, sockets: list[socket.socket]) -> None:
            """Serve each socket with an accept loop that pauses at the cap or the open-file limit."""
            for sock in sockets:
                self._sockets[sock.fileno()] = sock
                self._handlers[sock.fileno()] = _Acceptor(self, sock)

        def open_connections(self) -> int:
            """Connections currently open."""
            return len(self._connections)

    return WebhookServer(webhook_app(pipeline, secret), xheaders=True, max_body_size=limits.MAX_BODY,
                         max_header_size=limits.MAX_HEADER, max_buffer_size=limits.MAX_BODY + limits.MAX_HEADER,
                         idle_connection_timeout=limits.HEADER_TIMEOUT, body_timeout=limits.BODY_TIMEOUT,
                         decompress_request=False)


class _Acceptor:
    """Accepts connections without ever spinning: at MAX_CONNECTIONS or the open-file limit it stops watching the
    socket for ACCEPT_PAUSE seconds (the kernel's backlog holds new connections meanwhile). Calling it stops it."""

    PAUSE_ERRORS = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)

    def __init__(self, server: Any, sock: socket.socket) -> None:
        self.server, self.sock = server, sock
        self.loop = asyncio.get_running_loop()
        self.timer: asyncio.TimerHandle | None = None
        self.paused_at = 0.0
        self.logged_at = -limits.STALL_LOG_EVERY
        self.loop.add_reader(sock.fileno(), self._accept)

    def _accept(self) -> None:
        for _ in range(limits.ACCEPT_BATCH):
            if self.server.open_connections() >= limits.MAX_CONNECTIONS:
                self._pause(f"the connection cap ({limits.MAX_CONNECTIONS})")
                return
            try:
                conn, address = self.sock.accept()
            except BlockingIOError:
                return
            except ConnectionAbortedError:
                continue
            except OSError as exc:
                if exc.errno not in self.PAUSE_ERRORS:
                    raise
                self._pause(f"the open-file limit ({errno.errorcode.get(exc.errno, exc.errno)})")
                return
            self.server._handle_connection(conn, address)

    def _pause(self, why: str) -> None:
        self.loop.remove_reader(self.sock.fileno())
        self.timer = self.loop.call_later(limits.ACCEPT_PAUSE, self._resume)
        now = time.monotonic()
        if now - self.logged_at >= limits.STALL_LOG_EVERY:  # at most one line a minute, however long it lasts
            self.logged_at = now
            log.warning("webhook: at %s, accepting pauses for %.1f s at a time (%d connections open)", why,
                        limits.ACCEPT_PAUSE, self.server.open_connections())

    def _resume(self) -> None:
        self.timer = None
        self.loop.add_reader(self.sock.fileno(), self._accept)

    def __call__(self) -> None:
        """Stop accepting (TCPServer.stop calls this before closing the socket)."""
        if self.timer is not None:
            self.timer.cancel()
        self.loop.remove_reader(self.sock.fileno())
