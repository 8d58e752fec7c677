"""What people ask: questions, statuses and 👍/👎 votes in a separate writable SQLite file (never the disclosure db)."""
from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from . import paths
from .telegram import limits

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    ts REAL NOT NULL,            -- unix time
    kind TEXT NOT NULL,          -- 'question', 'vote' or 'reason' (what was wrong, after a 👎)
    question TEXT NOT NULL,
    status TEXT,                 -- answer / clarify / unknown
    query TEXT,                  -- canned query id, when answered
    vote INTEGER,                -- +1 / -1 for kind = 'vote'
    user_id INTEGER,             -- only with USAGE_LOG_USERS=1
    chat_id INTEGER,             -- only with USAGE_LOG_USERS=1
    channel TEXT                 -- where it was asked: telegram / chat / ask
);
CREATE INDEX IF NOT EXISTS events_ts ON events (ts);
"""
CHANNELS = ("telegram", "chat", "ask")
# What is never recorded as typed: identity-card numbers (18 or 15 digits) and phone numbers (mobile, landline).
PERSONAL = [
    (re.compile(r"(?<![0-9０-９])[1-9１-９](?:[ -]?[0-9０-９]){16}[0-9０-９XxＸｘ](?![0-9０-９])"), "[身份证号]"),
    (re.compile(r"(?<![0-9０-９])[1-9１-９][0-9０-９]{14}(?![0-9０-９])"), "[身份证号]"),
    (re.compile(r"(?<![0-9０-９])(?:\+?86[ -]?)?[1１][3-9３-９][0-9０-９](?:[ -]?[0-9０-９]){8}(?![0-9０-９])"), "[手机号]"),
    (re.compile(r"(?<![0-9０-９])[0０][1-9１-９][0-9０-９]{1,2}[ -－]?[2-9２-９][0-9０-９]{6,7}(?![0-9０-９])"), "[电话]"),
]
_COLLECTING: contextvars.ContextVar[list | None] = contextvars.ContextVar("budgetbot_usage_rows", default=None)


def mask_personal(text: str) -> str:
    """The text with identity-card and phone numbers replaced by a placeholder, and as valid UTF-8."""
    text = text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate cannot be stored
    for pattern, placeholder in PERSONAL:
        text = pattern.sub(placeholder, text)
    return text


def retention_days() -> float:
    """How long events are kept: USAGE_RETENTION_DAYS (0 keeps them for ever), else 90 days."""
    try:
        return float(os.environ.get("USAGE_RETENTION_DAYS", limits.USAGE_RETENTION_DAYS))
    except ValueError:
        return float(limits.USAGE_RETENTION_DAYS)


def usage_path() -> Path:
    """data/usage.db unless BUDGETBOT_USAGE_DB says otherwise (a read-only data/ turns the log off, with a warning)."""
    return Path(os.environ.get("BUDGETBOT_USAGE_DB", paths.DATA / "usage.db"))


class UsageLog:
    """Append-only log of questions and votes; a no-op when USAGE_LOG=0.

    It never stops the bot: a file that cannot be opened or written (a read-only data folder, a full disk)
    turns recording off with one warning.
    """

    def __init__(self, path: Path | None = None, enabled: bool | None = None, with_users: bool | None = None,
                 read_only: bool = False) -> None:
        self.enabled = os.environ.get("USAGE_LOG", "1") != "0" if enabled is None else enabled
        self.with_users = os.environ.get("USAGE_LOG_USERS") == "1" if with_users is None else with_users
        self.path = path or usage_path()
        self.lock = threading.Lock()
        self.conn: sqlite3.Connection | None = None
        self.status_lines: list[Callable[[], str]] = []  # more lines for /stats (e.g. updates skipped)
        if not self.enabled:
            return
        try:
            self.conn = self._open_ro() if read_only else self._open_rw()
        except sqlite3.Error as exc:
            self._degrade(exc)

    def _open_rw(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise sqlite3.OperationalError(str(exc)) from exc
        paths.private_file(self.path)
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA secure_delete=ON")  # pruned questions are overwritten, not left in free pages
            conn.executescript(SCHEMA)
            if "channel" not in {r[1] for r in conn.execute("PRAGMA table_info(events)")}:
                conn.execute("ALTER TABLE events ADD COLUMN channel TEXT")  # a usage.db from before channels
            self._prune(conn)
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    def _prune(self, conn: sqlite3.Connection) -> int:
        days = retention_days()
        if days <= 0:
            return 0
        return conn.execute("DELETE FROM events WHERE ts < ?", (time.time() - days * 86400,)).rowcount

    def prune(self) -> int:
        """Delete events older than the retention (USAGE_RETENTION_DAYS, default 90 days); returns how many."""
        if not self.conn:
            return 0
        with self.lock:
            try:
                return self._prune(self.conn)
            except sqlite3.Error as exc:
                self._degrade(exc)
                return 0

    def _open_ro(self) -> sqlite3.Connection:
        """Read-only, for reports: works on a file (and folder) this process may not write."""
        for flags in ("mode=ro", "mode=ro&immutable=1"):  # immutable: a WAL file whose -shm cannot be created
            conn = sqlite3.connect(f"file:{self.path}?{flags}", uri=True, check_same_thread=False)
            try:
                conn.execute("SELECT count(*) FROM events").fetchone()
                return conn
            except sqlite3.Error:
                conn.close()
        raise sqlite3.OperationalError(f"cannot read {self.path}")

    def _degrade(self, exc: Exception) -> None:
        """Turn recording off for good, with one warning."""
        log.warning("usage log off: cannot write %s (%s); set BUDGETBOT_USAGE_DB to a writable file",
                    self.path, type(exc).__name__)
        if self.conn:
            try:
                self.conn.close()
            except sqlite3.Error:
                pass
        self.conn = None
        self.enabled = False

    def _insert(self, **row) -> None:
        if not self.conn:
            return
        if not self.with_users:
            row["user_id"] = row["chat_id"] = None
        row["question"] = mask_personal(row["question"])
        collecting = _COLLECTING.get()
        if collecting is not None:
            collecting.append(row)
        else:
            self.write([row])

    @staticmethod
    @contextlib.contextmanager
    def collecting() -> Iterator[list[dict]]:
        """Within this block (in this context), events are gathered in the list yielded instead of written."""
        rows: list[dict] = []
        token = _COLLECTING.set(rows)
        try:
            yield rows
        finally:
            _COLLECTING.reset(token)

    def write(self, rows: list[dict]) -> None:
        """Record events gathered by collecting() (or one event), in one transaction."""
        if not self.conn or not rows:
            return
        now = time.time()
        with self.lock:
            try:
                self.conn.execute("BEGIN")
                for row in rows:
                    cols = ", ".join(row)
                    self.conn.execute(f"INSERT INTO events (ts, {cols}) VALUES (?, {', '.join('?' * len(row))})",
                                      (now, *row.values()))
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if self.conn.in_transaction:
                    try:
                        self.conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                self._degrade(exc)

    def question(self, question: str, status: str, query: str | None, user_id: int | None = None,
                 chat_id: int | None = None, channel: str = "telegram") -> None:
        """Record one question and how it was answered, and where it was asked (telegram / chat / ask)."""
        self._insert(kind="question", question=question[:500], status=status, query=query, user_id=user_id,
                     chat_id=chat_id, channel=channel)

    def vote(self, question: str, query: str | None, vote: int, user_id: int | None = None,
             chat_id: int | None = None) -> None:
        """Record a 👍 (+1) or 👎 (−1) on an answer."""
        self._insert(kind="vote", question=question[:500], query=query, vote=1 if vote > 0 else -1, user_id=user_id,
                     chat_id=chat_id, channel="telegram")

    def reason(self, question: str, query: str | None, reason: str, user_id: int | None = None,
               chat_id: int | None = None) -> None:
        """What was wrong with a 👎'd answer (数字不对 / 答非所问 / 没有回答), beside the vote (not another vote)."""
        self._insert(kind="reason", question=question[:500], status=reason, query=query, user_id=user_id,
                     chat_id=chat_id, channel="telegram")

    def misses(self, top: int = 20, channel: str | None = None) -> list[tuple[str, int, str]]:
        """The most frequent unanswered (clarify/unknown) or disliked questions: (question, count, why).

        channel keeps only questions asked there (telegram, chat or ask; a log from before channels is telegram).
        """
        if not self.conn:
            return []
        with self.lock:
            has_channel = "channel" in {r[1] for r in self.conn.execute("PRAGMA table_info(events)")}
            where = "and coalesce(channel, 'telegram') = ?" if channel and has_channel else ""
            params = (channel, top) if where else (top,)
            if channel and not has_channel and channel != "telegram":
                return []
            return self.conn.execute(
                f"""select question, count(*) as n,
                          group_concat(distinct case when kind = 'vote' then '👎' else status end) as why
                   from events
                   where ((kind = 'question' and status in ('clarify', 'unknown')) or (kind = 'vote' and vote < 0))
                         {where}
                   group by question order by n desc, max(ts) desc limit ?""", params).fetchall()

    def stats(self, days: int = 14) -> dict:
        """Questions per day with answer/clarify/unknown counts, votes, and the top misses."""
        if not self.conn:
            return {"days": [], "votes": (0, 0), "misses": []}
        with self.lock:
            per_day = self.conn.execute(
                """select date(ts, 'unixepoch') as day, count(*),
                          sum(status = 'answer'), sum(status = 'clarify'), sum(status = 'unknown')
                   from events where kind = 'question' and ts >= ?
                   group by day order by day""", (time.time() - days * 86400,)).fetchall()
            votes = self.conn.execute("select coalesce(sum(vote > 0), 0), coalesce(sum(vote < 0), 0) "
                                      "from events where kind = 'vote'").fetchone()
        return {"days": per_day, "votes": tuple(votes), "misses": self.misses(5)}

    def stats_text(self, days: int = 14) -> str:
        """The /stats report as plain text."""
        data = self.stats(days)
        lines = [f"最近{days}天提问："]
        for day, n, ok, clarify, unknown in data["days"]:
            lines.append(f"{day}：{n}个，回答{ok / n:.0%}，追问{clarify / n:.0%}，未答{unknown / n:.0%}")
        lines.append(f"反馈：👍 {data['votes'][0]}，👎 {data['votes'][1]}")
        lines.append("答不上或被点👎最多的问题：")
        lines += [f"· {q}（{n}次，{why}）" for q, n, why in data["misses"]] or ["· 暂无"]
        if not self.conn:
            lines.append("（使用记录未开启或不可写）")
        lines += [line() for line in self.status_lines]
        return "\n".join(lines)

    def close(self) -> None:
        """Close the file."""
        if self.conn:
            self.conn.close()
            self.conn = None
