"""What people ask: questions, statuses and 👍/👎 votes in a separate writable SQLite file (never the disclosure db)."""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

from . import paths

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    ts REAL NOT NULL,            -- unix time
    kind TEXT NOT NULL,          -- 'question' or 'vote'
    question TEXT NOT NULL,
    status TEXT,                 -- answer / clarify / unknown
    query TEXT,                  -- canned query id, when answered
    vote INTEGER,                -- +1 / -1 for kind = 'vote'
    user_id INTEGER,             -- only with USAGE_LOG_USERS=1
    chat_id INTEGER              -- only with USAGE_LOG_USERS=1
);
CREATE INDEX IF NOT EXISTS events_ts ON events (ts);
"""


def usage_path() -> Path:
    """data/usage.db unless BUDGETBOT_USAGE_DB says otherwise."""
    return Path(os.environ.get("BUDGETBOT_USAGE_DB", paths.DATA / "usage.db"))


class UsageLog:
    """Append-only log of questions and votes; a no-op when USAGE_LOG=0."""

    def __init__(self, path: Path | None = None, enabled: bool | None = None, with_users: bool | None = None) -> None:
        self.enabled = os.environ.get("USAGE_LOG", "1") != "0" if enabled is None else enabled
        self.with_users = os.environ.get("USAGE_LOG_USERS") == "1" if with_users is None else with_users
        self.path = path or usage_path()
        self.lock = threading.Lock()
        self.conn: sqlite3.Connection | None = None
        if self.enabled:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.executescript(SCHEMA)

    def _insert(self, **row) -> None:
        if not self.conn:
            return
        if not self.with_users:
            row["user_id"] = row["chat_id"] = None
        cols = ", ".join(row)
        with self.lock:
            self.conn.execute(f"INSERT INTO events (ts, {cols}) VALUES (?, {', '.join('?' * len(row))})",
                              (time.time(), *row.values()))

    def question(self, question: str, status: str, query: str | None, user_id: int | None = None,
                 chat_id: int | None = None) -> None:
        """Record one question and how it was answered."""
        self._insert(kind="question", question=question[:500], status=status, query=query, user_id=user_id,
                     chat_id=chat_id)

    def vote(self, question: str, query: str | None, vote: int, user_id: int | None = None,
             chat_id: int | None = None) -> None:
        """Record a 👍 (+1) or 👎 (−1) on an answer."""
        self._insert(kind="vote", question=question[:500], query=query, vote=1 if vote > 0 else -1, user_id=user_id,
                     chat_id=chat_id)

    def misses(self, top: int = 20) -> list[tuple[str, int, str]]:
        """The most frequent unanswered (clarify/unknown) or disliked questions: (question, count, why)."""
        if not self.conn:
            return []
        with self.lock:
            return self.conn.execute(
                """select question, count(*) as n,
                          group_concat(distinct case when kind = 'vote' then '👎' else status end) as why
                   from events
                   where (kind = 'question' and status in ('clarify', 'unknown')) or (kind = 'vote' and vote < 0)
                   group by question order by n desc, max(ts) desc limit ?""", (top,)).fetchall()

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
        return "\n".join(lines)

    def close(self) -> None:
        """Close the file."""
        if self.conn:
            self.conn.close()
            self.conn = None
