"""The durable update queue: every update Telegram sends is written here before it is confirmed.

One SQLite file (WAL) holds:
- `updates`: the raw JSON of each accepted update with its state (pending → done, or poison/failed);
- `replies`: a journal of the Bot API calls each update has made (update id, sequence number, result), so an
  update handled again after a crash skips the replies it had already sent;
- `chats`: each chat's conversation state (the last subject), saved in the same transaction that marks the
  update done, so a follow-up handled after a restart still knows its question.

Accepting a batch commits with synchronous=FULL (it is what Telegram is told it may forget); the rest commits
with synchronous=NORMAL, which survives the process dying at any moment (SIGKILL) but not a power cut.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS updates (
    update_id INTEGER PRIMARY KEY,
    body TEXT NOT NULL,              -- the update's JSON as Telegram sent it
    state TEXT NOT NULL DEFAULT 'pending',   -- pending / done / poison / failed
    attempts INTEGER NOT NULL DEFAULT 0,     -- times handling started (a crash loop is cut at MAX_ATTEMPTS)
    error TEXT,                      -- the error type for poison/failed, never user data
    received REAL NOT NULL,
    finished REAL
);
CREATE INDEX IF NOT EXISTS updates_state ON updates (state, update_id);
CREATE TABLE IF NOT EXISTS replies (
    update_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,            -- the n-th journaled Bot API call made while handling the update
    method TEXT NOT NULL,
    result TEXT NOT NULL,            -- what Telegram answered, returned again on a replay
    PRIMARY KEY (update_id, seq)
);
CREATE TABLE IF NOT EXISTS chats (
    chat_key TEXT PRIMARY KEY,
    data TEXT NOT NULL               -- the chat's conversation state as JSON
);
"""
MAX_ATTEMPTS = 5  # an update the process died handling this often is set aside (a crash loop must end)
KEEP_SECONDS = 2 * 86400  # Telegram keeps unconfirmed updates for 24 h: done ids are kept longer to deduplicate


class Inbox:
    """The durable update queue (see the module docstring). Thread-safe; every call is a short transaction."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        self.lock = threading.Lock()
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(SCHEMA)
        self.skipped = 0  # poison updates skipped by this process

    def accept(self, updates: list[Any]) -> set[int]:
        """Store a batch of raw updates (ones already stored are ignored); returns the new ids. Durable on return."""
        now = time.time()
        new: set[int] = set()
        with self.lock:
            self.conn.execute("PRAGMA synchronous=FULL")
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                for u in updates:
                    if isinstance(u, dict) and isinstance(u.get("update_id"), int):
                        cur = self.conn.execute("INSERT OR IGNORE INTO updates (update_id, body, received) "
                                                "VALUES (?, ?, ?)", (u["update_id"], json.dumps(u, ensure_ascii=False), now))
                        if cur.rowcount:
                            new.add(u["update_id"])
                self.conn.execute("COMMIT")
            finally:
                self.conn.execute("PRAGMA synchronous=NORMAL")
        return new

    def pending(self, after: int = -1) -> list[tuple[int, dict]]:
        """Pending updates with an id above `after`, oldest first, as (update_id, raw update)."""
        with self.lock:
            rows = self.conn.execute("SELECT update_id, body FROM updates WHERE state = 'pending' AND update_id > ? "
                                     "ORDER BY update_id", (after,)).fetchall()
        return [(uid, json.loads(body)) for uid, body in rows]

    def start(self, update_id: int) -> int:
        """Count one more attempt at an update; returns the attempts so far (this one included)."""
        with self.lock:
            self.conn.execute("UPDATE updates SET attempts = attempts + 1 WHERE update_id = ?", (update_id,))
            row = self.conn.execute("SELECT attempts FROM updates WHERE update_id = ?", (update_id,)).fetchone()
        return row[0] if row else 0

    def release(self, update_id: int) -> None:
        """An attempt cut short by a clean shutdown: it does not count towards MAX_ATTEMPTS."""
        with self.lock:
            self.conn.execute("UPDATE updates SET attempts = max(attempts - 1, 0) WHERE update_id = ?", (update_id,))

    def done(self, update_id: int, chat_key: str | None = None, chat_data: dict | None = None) -> None:
        """Mark an update handled and, in the same transaction, save its chat's conversation state."""
        data = _dumps(chat_data) if chat_key is not None and chat_data is not None else None
        with self.lock:
            self.conn.execute("BEGIN")
            self.conn.execute("UPDATE updates SET state = 'done', finished = ? WHERE update_id = ?",
                              (time.time(), update_id))
            if data is not None:
                self.conn.execute("INSERT OR REPLACE INTO chats (chat_key, data) VALUES (?, ?)", (chat_key, data))
            self.conn.execute("COMMIT")

    def skip(self, update_id: int, state: str, error: str) -> None:
        """Set an update aside for good: 'poison' (cannot be parsed) or 'failed' (crashed MAX_ATTEMPTS times)."""
        with self.lock:
            self.conn.execute("UPDATE updates SET state = ?, error = ?, finished = ? WHERE update_id = ?",
                              (state, error[:100], time.time(), update_id))
        self.skipped += state == "poison"

    def sent(self, update_id: int, seq: int) -> Any:
        """The journaled result of an update's seq-th call, or None if that call was never answered."""
        with self.lock:
            row = self.conn.execute("SELECT result FROM replies WHERE update_id = ? AND seq = ?",
                                    (update_id, seq)).fetchone()
        return None if row is None else json.loads(row[0])

    def record(self, update_id: int, seq: int, method: str, result: Any) -> None:
        """Journal an answered call (right after Telegram answered it)."""
        with self.lock:
            self.conn.execute("INSERT OR REPLACE INTO replies (update_id, seq, method, result) VALUES (?, ?, ?, ?)",
                              (update_id, seq, method, json.dumps(result, ensure_ascii=False)))

    def chat_states(self) -> dict[str, dict]:
        """Every saved chat's conversation state."""
        with self.lock:
            rows = self.conn.execute("SELECT chat_key, data FROM chats").fetchall()
        states = {}
        for key, data in rows:
            try:
                states[key] = json.loads(data)
            except ValueError:
                continue
        return states

    def counts(self) -> dict[str, int]:
        """How many updates are in each state."""
        with self.lock:
            return dict(self.conn.execute("SELECT state, count(*) FROM updates GROUP BY state").fetchall())

    def prune(self, keep_seconds: float = KEEP_SECONDS) -> int:
        """Forget finished updates (and their journal) older than keep_seconds; returns how many."""
        cutoff = time.time() - keep_seconds
        with self.lock:
            self.conn.execute("BEGIN")
            self.conn.execute("DELETE FROM replies WHERE update_id IN "
                              "(SELECT update_id FROM updates WHERE state != 'pending' AND finished < ?)", (cutoff,))
            n = self.conn.execute("DELETE FROM updates WHERE state != 'pending' AND finished < ?", (cutoff,)).rowcount
            self.conn.execute("COMMIT")
        return n

    def close(self) -> None:
        """Close the file."""
        with self.lock:
            self.conn.close()


def _dumps(data: dict) -> str | None:
    """Chat state as JSON, keeping only what JSON can hold."""
    try:
        return json.dumps(data, ensure_ascii=False)
    except (TypeError, ValueError):
        return json.dumps({k: v for k, v in data.items() if isinstance(v, (str, int, float, bool, type(None)))},
                          ensure_ascii=False)
