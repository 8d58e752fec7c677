"""The durable update queue: every update Telegram sends is written here before it is confirmed.

One SQLite file (WAL, mode 0600) holds:
- `updates`: one row per update, keyed by the inbox's own sequence number (arrival order) and unique by
  (bot id, update id, digest of the update). A resend of an update has the same digest and is dropped; a new
  update that reuses an id (another bot on the same data folder, or Telegram starting a new id sequence) has
  another and is kept. The body is deleted as soon as the update is handled; the row (ids, digest, times)
  stays DEDUP_KEEP to drop resends, then goes.
- `replies`: a journal of the Bot API calls an update has made (entry, sequence number, result), so an update
  handled again after a crash skips the replies it had already sent. Deleted when the update is done.
- `chats`: each chat's conversation state (the last subject), saved in the same transaction that marks the
  update done; loaded when the chat next speaks; deleted after CHAT_IDLE without use.
- `bots`: the last update id seen per bot, to notice ids going backwards.

Every write is one short transaction that is rolled back on any error, and PRAGMAs are set outside
transactions. A failing write (a lock held by another process, a full disk) makes the following calls fail at
once for a short, growing while (STORE_RETRY_FIRST … STORE_RETRY_MAX): callers back off and retry instead of
blocking the event loop. Accepting a batch commits with synchronous=FULL (it is what Telegram is told it may
forget); the rest with NORMAL, which survives the process dying at any moment but not a power cut.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import paths
from . import limits

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS updates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- the inbox's own sequence (never reused): arrival order, journal key
    bot_id INTEGER NOT NULL,
    update_id INTEGER NOT NULL,
    digest BLOB NOT NULL,            -- sha256 of the update: a resend has the same one, a reused id another
    lane TEXT NOT NULL DEFAULT 'chat',       -- chat / inline: each lane has its own cap on updates in flight
    body TEXT,                       -- the update's JSON as Telegram sent it; NULL once handled
    state TEXT NOT NULL DEFAULT 'pending',   -- pending / done / undelivered / poison / failed
    attempts INTEGER NOT NULL DEFAULT 0,     -- times handling started (a crash loop is cut at CRASH_ATTEMPTS)
    error TEXT,                      -- the error type for undelivered/poison/failed, never user data
    received REAL NOT NULL,
    finished REAL,
    UNIQUE (bot_id, update_id, digest)
);
CREATE INDEX IF NOT EXISTS updates_queue ON updates (bot_id, lane, state, id);
CREATE INDEX IF NOT EXISTS updates_finished ON updates (finished);
CREATE TABLE IF NOT EXISTS replies (
    entry INTEGER NOT NULL,          -- updates.id
    seq INTEGER NOT NULL,            -- the n-th journaled Bot API call made while handling the update
    method TEXT NOT NULL,
    result TEXT NOT NULL,            -- what Telegram answered, returned again on a replay
    PRIMARY KEY (entry, seq)
);
CREATE TABLE IF NOT EXISTS chats (
    chat_key TEXT PRIMARY KEY,
    data TEXT NOT NULL,              -- the chat's conversation state as JSON
    touched REAL NOT NULL DEFAULT 0  -- when it was last saved (expires after CHAT_IDLE)
);
CREATE INDEX IF NOT EXISTS chats_touched ON chats (touched);
CREATE TABLE IF NOT EXISTS bots (
    bot_id INTEGER PRIMARY KEY,
    high INTEGER NOT NULL            -- the last new update id stored for this bot
);
"""
MAX_UPDATE_ID = 2 ** 63 - 1  # SQLite's integer; Telegram's ids are far below
LEGACY_BOT = 0  # rows from an inbox of before bot ids: the first bot started on it takes them


class InboxUnavailable(sqlite3.OperationalError):
    """The inbox cannot be written right now (a lock, a full disk): retry after a pause."""


@dataclass
class Entry:
    """One stored update: the inbox's id for it, Telegram's update id, its lane and its JSON."""

    id: int
    update_id: int
    lane: str
    raw: dict
    received: float = 0.0


@dataclass
class Intake:
    """What a batch added: the new entries, and (last id, new id) if ids went backwards in it."""

    entries: list[Entry]
    went_back: tuple[int, int] | None = None


def update_id_of(raw: Any) -> int | None:
    """The update id of a raw update, or None when it has none Telegram could have sent."""
    if not isinstance(raw, dict):
        return None
    uid = raw.get("update_id")
    return uid if type(uid) is int and 0 <= uid <= MAX_UPDATE_ID else None


def lane_of(raw: dict) -> str:
    """Inline queries run in their own lane, so a flood of them never holds up a chat's question."""
    return "inline" if "inline_query" in raw or "chosen_inline_result" in raw else "chat"


def encode(raw: dict) -> tuple[str, bytes]:
    """The update as canonical ASCII JSON (any text, lone surrogates too, survives) and its digest."""
    body = json.dumps(raw, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return body, hashlib.sha256(body.encode("ascii")).digest()[:16]


def describe(exc: BaseException) -> str:
    """An error in one short line without user data: its type, and SQLite's own message."""
    if isinstance(exc, sqlite3.Error):
        return f"{type(exc).__name__}: {exc}"[:120]
    return type(exc).__name__


class Inbox:
    """The durable update queue (see the module docstring). Thread-safe; every call is a short transaction."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        self.lock = threading.Lock()
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            paths.private_file(Path(path))
        self.conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None,
                                    timeout=limits.BUSY_TIMEOUT)
        self.failing_since: float | None = None  # wall time of the first failed write of the current run of them
        self.last_error = ""
        self._retry_at = 0.0
        self._backoff = 0.0
        self.skipped = 0  # poison updates skipped by this process
        self._open()

    # -- opening ------------------------------------------------------------------------------------------------
    def _open(self) -> None:
        conn = self.conn
        conn.execute("PRAGMA auto_vacuum=INCREMENTAL")  # only takes effect on a new file
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA secure_delete=ON")  # a deleted body is overwritten, not left in free pages
        legacy = self._legacy_tables()
        conn.executescript(SCHEMA)
        if legacy:
            self._migrate(legacy)

    def _legacy_tables(self) -> set[str]:
        """Rename the tables of an inbox from before bot ids (to be migrated); returns the names found."""
        tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "updates" not in tables or "bot_id" in self._columns("updates"):
            return set()
        found = set()
        with self._write() as conn:
            for name in ("updates", "replies"):
                if name in tables:
                    conn.execute(f"ALTER TABLE {name} RENAME TO {name}_v1")
                    found.add(name)
            if "chats" in tables and "touched" not in self._columns("chats"):
                conn.execute("ALTER TABLE chats ADD COLUMN touched REAL NOT NULL DEFAULT 0")
                conn.execute("UPDATE chats SET touched = ?", (time.time(),))
        return found

    def _columns(self, table: str) -> set[str]:
        return {r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")}

    def _migrate(self, legacy: set[str]) -> None:
        """Move an old inbox's rows in (bot id LEGACY_BOT until a bot claims them), bodies of finished ones dropped."""
        with self._write() as conn:
            rows = conn.execute("SELECT update_id, body, state, attempts, error, received, finished "
                                "FROM updates_v1").fetchall()
            moved: dict[int, int] = {}
            for uid, body, state, attempts, error, received, finished in rows:
                try:
                    raw = json.loads(body)
                except (TypeError, ValueError):
                    continue
                text, digest = encode(raw)
                cur = conn.execute("INSERT OR IGNORE INTO updates (bot_id, update_id, digest, lane, body, state, "
                                   "attempts, error, received, finished) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                   (LEGACY_BOT, uid, digest, lane_of(raw), text if state == "pending" else None,
                                    state, attempts, error, received, finished))
                moved[uid] = cur.lastrowid
            if "replies" in legacy:
                for uid, seq, method, result in conn.execute("SELECT * FROM replies_v1").fetchall():
                    if uid in moved:
                        conn.execute("INSERT OR IGNORE INTO replies VALUES (?, ?, ?, ?)", (moved[uid], seq, method, result))
                conn.execute("DROP TABLE replies_v1")
            conn.execute("DROP TABLE updates_v1")
        log.info("inbox upgraded: %d update(s) keyed by bot id from now on", len(rows))

    # -- transactions and failures ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _write(self, durable: bool = False) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed, or rolled back on any error (the connection is never left in one)."""
        if time.monotonic() < self._retry_at:
            raise InboxUnavailable(self.last_error or "inbox unavailable")
        with self.lock:
            try:
                if durable:
                    self.conn.execute("PRAGMA synchronous=FULL")
                self.conn.execute("BEGIN IMMEDIATE")
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException as exc:
                self._rollback()
                if isinstance(exc, sqlite3.Error):
                    self._failed(exc)
                raise
            finally:
                if durable:
                    self._quietly("PRAGMA synchronous=NORMAL")
        self._recovered()

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        """One read (WAL readers are not blocked by a writer)."""
        with self.lock:
            try:
                return self.conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                self._failed(exc)
                raise

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            self._quietly("ROLLBACK")

    def _quietly(self, sql: str) -> None:
        try:
            self.conn.execute(sql)
        except sqlite3.Error:
            pass

    def _failed(self, exc: sqlite3.Error) -> None:
        """Fail fast for a growing while, so callers back off instead of each waiting on the lock."""
        self._backoff = limits.STORE_RETRY_FIRST if self.failing_since is None else \
            min(self._backoff * 2, limits.STORE_RETRY_MAX)
        self.failing_since = self.failing_since or time.time()
        self.last_error = describe(exc)
        self._retry_at = time.monotonic() + self._backoff

    def _recovered(self) -> None:
        self.failing_since, self._retry_at, self._backoff = None, 0.0, 0.0

    # -- intake -------------------------------------------------------------------------------------------------
    def accept(self, bot_id: int, updates: list[dict]) -> Intake:
        """Store a batch of raw updates with valid ids (resends are ignored); durable on return."""
        rows = [(uid, raw, *encode(raw)) for raw in updates if (uid := update_id_of(raw)) is not None]
        intake = Intake([])
        now = time.time()
        with self._write(durable=True) as conn:
            found = conn.execute("SELECT high FROM bots WHERE bot_id = ?", (bot_id,)).fetchone()
            high = found[0] if found else None
            for uid, raw, body, digest in rows:
                cur = conn.execute("INSERT OR IGNORE INTO updates (bot_id, update_id, digest, lane, body, received) "
                                   "VALUES (?, ?, ?, ?, ?, ?)", (bot_id, uid, digest, lane_of(raw), body, now))
                if not cur.rowcount:
                    continue
                intake.entries.append(Entry(cur.lastrowid, uid, lane_of(raw), raw, now))
                if high is not None and uid <= high and intake.went_back is None:
                    intake.went_back = (high, uid)
                high = uid
            if intake.entries:
                conn.execute("INSERT INTO bots (bot_id, high) VALUES (?, ?) "
                             "ON CONFLICT (bot_id) DO UPDATE SET high = excluded.high", (bot_id, high))
        return intake

    def claim_legacy(self, bot_id: int) -> int:
        """Give the rows of an inbox from before bot ids to this bot; returns how many."""
        with self._write() as conn:
            n = conn.execute("UPDATE OR IGNORE updates SET bot_id = ? WHERE bot_id = ?", (bot_id, LEGACY_BOT)).rowcount
            conn.execute("DELETE FROM updates WHERE bot_id = ?", (LEGACY_BOT,))
        return n

    def pending(self, bot_id: int, lane: str | None = None, after: int = 0, limit: int = -1) -> list[Entry]:
        """This bot's pending updates after entry `after`, in arrival order (one lane, or all)."""
        lanes = (lane,) if lane else ("chat", "inline")
        rows = self._read("SELECT id, update_id, lane, body, received FROM updates WHERE bot_id = ? AND "
                          "lane IN (?, ?) AND state = 'pending' AND id > ? ORDER BY id LIMIT ?",
                          (bot_id, lanes[0], lanes[-1], after, limit))
        return [Entry(eid, uid, ln, json.loads(body), at) for eid, uid, ln, body, at in rows]

    def count_pending(self, bot_id: int) -> int:
        """How many of this bot's updates wait to be handled."""
        return self._read("SELECT count(*) FROM updates WHERE bot_id = ? AND state = 'pending'", (bot_id,))[0][0]

    # -- handling -----------------------------------------------------------------------------------------------
    def start(self, entry: int) -> int:
        """Count one more attempt at an update; returns the attempts so far (this one included)."""
        with self._write() as conn:
            conn.execute("UPDATE updates SET attempts = attempts + 1 WHERE id = ?", (entry,))
            row = conn.execute("SELECT attempts FROM updates WHERE id = ?", (entry,)).fetchone()
        return row[0] if row else 0

    def release(self, entry: int) -> None:
        """An attempt cut short by a clean shutdown: it does not count towards CRASH_ATTEMPTS."""
        with self._write() as conn:
            conn.execute("UPDATE updates SET attempts = max(attempts - 1, 0) WHERE id = ?", (entry,))

    def finish(self, entry: int, state: str = "done", error: str | None = None, chat_key: str | None = None,
               chat_data: dict | None = None) -> None:
        """Mark an update handled (its body and journal deleted) and save its chat's state, in one transaction."""
        data = _dumps(chat_data) if chat_key is not None and chat_data is not None else None
        now = time.time()
        with self._write() as conn:
            conn.execute("UPDATE updates SET state = ?, error = ?, body = NULL, finished = ? WHERE id = ?",
                         (state, error[:100] if error else None, now, entry))
            conn.execute("DELETE FROM replies WHERE entry = ?", (entry,))
            if data is not None:
                conn.execute("INSERT INTO chats (chat_key, data, touched) VALUES (?, ?, ?) ON CONFLICT (chat_key) "
                             "DO UPDATE SET data = excluded.data, touched = excluded.touched", (chat_key, data, now))

    def done(self, entry: int, chat_key: str | None = None, chat_data: dict | None = None) -> None:
        """Mark an update handled and, in the same transaction, save its chat's conversation state."""
        self.finish(entry, chat_key=chat_key, chat_data=chat_data)

    def skip(self, entry: int, state: str, error: str) -> None:
        """Set an update aside for good: 'poison' (cannot be parsed) or 'failed' (crashed CRASH_ATTEMPTS times)."""
        self.finish(entry, state, error)
        self.skipped += state == "poison"

    def sent(self, entry: int, seq: int) -> Any:
        """The journaled result of an update's seq-th call, or None if that call was never answered."""
        rows = self._read("SELECT result FROM replies WHERE entry = ? AND seq = ?", (entry, seq))
        return json.loads(rows[0][0]) if rows else None

    def record(self, entry: int, seq: int, method: str, result: Any) -> None:
        """Journal an answered call (right after Telegram answered it)."""
        text = json.dumps(result, ensure_ascii=True)
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO replies (entry, seq, method, result) VALUES (?, ?, ?, ?)",
                         (entry, seq, method, text))

    def chat_state(self, chat_key: str) -> dict | None:
        """A chat's saved conversation state, or None."""
        rows = self._read("SELECT data FROM chats WHERE chat_key = ?", (chat_key,))
        try:
            return json.loads(rows[0][0]) if rows else None
        except ValueError:
            return None

    # -- reports and upkeep -------------------------------------------------------------------------------------
    def counts(self, bot_id: int | None = None) -> dict[str, int]:
        """How many updates are in each state (of one bot, or of all)."""
        if bot_id is None:
            return dict(self._read("SELECT state, count(*) FROM updates GROUP BY state"))
        return dict(self._read("SELECT state, count(*) FROM updates WHERE bot_id = ? GROUP BY state", (bot_id,)))

    def prune(self, bot_id: int | None = None, now: float | None = None) -> dict[str, int]:
        """Forget finished updates after DEDUP_KEEP, other bots' stranded ones after STRANDED_KEEP, idle chats."""
        now = time.time() if now is None else now
        with self._write() as conn:
            gone = {"finished": conn.execute("DELETE FROM updates WHERE state != 'pending' AND finished < ?",
                                             (now - limits.DEDUP_KEEP,)).rowcount,
                    "stranded": conn.execute("DELETE FROM updates WHERE state = 'pending' AND bot_id != ? AND "
                                             "received < ?", (bot_id if bot_id is not None else -1,
                                                              now - limits.STRANDED_KEEP)).rowcount,
                    "chats": conn.execute("DELETE FROM chats WHERE touched < ?", (now - limits.CHAT_IDLE,)).rowcount}
            conn.execute("DELETE FROM replies WHERE entry NOT IN (SELECT id FROM updates WHERE state = 'pending')")
        with self.lock:
            self._quietly("PRAGMA incremental_vacuum")
            self._quietly("PRAGMA wal_checkpoint(TRUNCATE)")  # old page images (deleted bodies) leave the WAL too
        return gone

    def close(self) -> None:
        """Close the file."""
        with self.lock:
            self.conn.close()


def _dumps(data: dict) -> str | None:
    """Chat state as JSON, keeping only what JSON can hold."""
    try:
        return json.dumps(data, ensure_ascii=True)
    except (TypeError, ValueError):
        return json.dumps({k: v for k, v in data.items() if isinstance(v, (str, int, float, bool, type(None)))},
                          ensure_ascii=True)
