"""Issue 18 §2: at-least-once replies through Bot API faults, without doubles.

A network error, a 5xx or a timeout leaves the update pending and retries it with backoff; the reply journal
keeps a retry from sending what already went out; a reply that fails for good (403: the user blocked the bot)
is recorded as such and not retried.
"""
from __future__ import annotations

import asyncio
import sqlite3
import time

from bot.telegram.inbox import Inbox
from bot.usage import UsageLog
from fake_telegram import serving
from test_reliability_serve import expected_replies
from test_telegram import scenario, texts

SUBJECTS = ["取暖费多少", "三公经费多少", "培训费多少", "办公费多少", "差旅费多少"]
FOLLOW_UP = "那去年呢？"


def asked(first: int, n: int) -> dict[int, list[str]]:
    """n chats, each with a question and its follow-up."""
    return {first + k: [SUBJECTS[k % len(SUBJECTS)], FOLLOW_UP] for k in range(n)}


def send(fake, questions: dict[int, list[str]]) -> None:
    for chat, qs in questions.items():
        for q in qs:
            fake.send_text(chat, q)


def questions_recorded(path) -> list[str]:
    return [q for (q,) in sqlite3.connect(path).execute("select question from events where kind = 'question'")]


@scenario
async def test_a_6_s_502_outage_of_send_message_delays_answers_and_loses_or_doubles_none(fake, base, tmp_path):
    usage = UsageLog(tmp_path / "usage.db", enabled=True)
    chats = asked(100, 20)
    async with serving(fake, base, tmp_path, usage=usage) as pipe:
        fake.fail_for("sendMessage", 6.0, 502)
        send(fake, chats)
        await fake.wait_for(lambda: "replies" in pipe.health.problems, timeout=10)
        await fake.wait_for(lambda: all(len(fake.messages(c)) >= 2 for c in chats), timeout=60)
        await asyncio.sleep(1.0)  # a double would arrive now
        assert not pipe.health.problems
    want = expected_replies(chats)
    assert {c: texts(fake, c) for c in chats} == want  # each reply once, in order, follow-ups on their subject
    assert not any("出错" in t for c in chats for t in texts(fake, c))  # no apology for a passing fault
    assert any(m == "sendMessage" for m, _ in fake.rejected)  # the outage did happen
    assert sorted(questions_recorded(tmp_path / "usage.db")) == sorted(q for qs in chats.values() for q in qs)
    assert Inbox(tmp_path / "inbox.db").counts() == {"done": 40}


@scenario
async def test_a_stop_during_an_outage_leaves_the_updates_pending_for_the_next_start(fake, base, tmp_path):
    chats = asked(200, 10)
    outage_ends = time.monotonic() + 3.0
    async with serving(fake, base, tmp_path) as pipe:
        fake.fail_for("sendMessage", 3.0, 503)
        send(fake, chats)
        await fake.wait_for(lambda: "replies" in pipe.health.problems, timeout=10)
    assert Inbox(tmp_path / "inbox.db").counts() == {"pending": 20}  # stopped mid-outage: nothing marked done
    await asyncio.sleep(max(0.0, outage_ends - time.monotonic()))
    async with serving(fake, base, tmp_path):
        await fake.wait_for(lambda: all(len(fake.messages(c)) >= 2 for c in chats), timeout=60)
        await asyncio.sleep(1.0)
    assert {c: texts(fake, c) for c in chats} == expected_replies(chats)


@scenario
async def test_a_user_who_blocked_the_bot_is_recorded_once_and_not_retried(fake, base, tmp_path, monkeypatch):
    monkeypatch.setenv("ADMIN_USER_IDS", "1")
    fake.blocked.add(300)
    async with serving(fake, base, tmp_path):
        fake.send_text(300, "三公经费多少")
        fake.send_text(301, "三公经费多少")
        await fake.wait_for(lambda: fake.messages(301))
        await asyncio.sleep(1.0)  # a retry would come now
        fake.send_text(1, "/stats")
        await fake.wait_for(lambda: fake.messages(1))
    to_blocked = [p for m, p in fake.calls if m == "sendMessage" and p.get("chat_id") == "300"]
    assert len(to_blocked) == 1  # no retry, no apology
    row = Inbox(tmp_path / "inbox.db").conn.execute("select state, error from updates where state != 'done'").fetchall()
    assert row == [("undelivered", "Forbidden: bot was blocked by the user")]
    assert "无法送达（用户屏蔽或删除了对话）：1个" in texts(fake, 1)[0]
