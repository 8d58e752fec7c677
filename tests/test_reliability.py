"""Issue 10 in-process: one chat's updates in order while chats run concurrently; the inbox's journal and states."""
from __future__ import annotations

import asyncio
import contextlib
import time

import pytest
from telegram import Update

from bot.engine import get_engine
from bot.telegram.app import build_application, serve
from bot.telegram import limits
from bot.telegram.inbox import Inbox
from bot.usage import UsageLog
from bot.telegram.chatdoc import shown  # replies start with a headline naming the document
from fake_telegram import FakeTelegram
from test_telegram import running, scenario

SUBJECTS = ["取暖费多少", "三公经费多少", "培训费多少", "办公费多少", "机关运行经费多少", "会议费多少", "差旅费多少",
            "水费多少", "电费多少", "公务接待费多少"]
FOLLOW_UP = "占比呢？"  # its reply names the chat's own subject, so a follow-up on the wrong question shows


@contextlib.asynccontextmanager
async def pipeline(fake: FakeTelegram, base: str, inbox: Inbox):
    """`budgetbot serve`'s own loop (inbox, per-chat dispatch) in this process, stopped as SIGTERM stops it."""
    app = build_application(fake.token, base, max_retries=3, usage=UsageLog(enabled=False))
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, inbox, stop=stop))
    try:
        yield app
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


def expected_follow_ups() -> dict[str, str]:
    """The reply to the follow-up after each subject question, as one chat in order gets it."""
    engine = get_engine()
    return {q: shown(engine, engine.answer(FOLLOW_UP, engine.answer(q).subject)) for q in SUBJECTS}


@pytest.mark.parametrize("via", ["pipeline", "updater"])
@scenario
async def test_a_flood_of_chats_each_follow_up_uses_its_own_question(fake, base, tmp_path, via):
    expected = expected_follow_ups()
    assert len(set(expected.values())) == len(SUBJECTS)  # every subject has its own follow-up reply
    chats = {5000 + k: SUBJECTS[k % len(SUBJECTS)] for k in range(100)}
    runner = pipeline(fake, base, Inbox(tmp_path / "inbox.db")) if via == "pipeline" else running(fake, base)
    async with runner:
        for chat, question in chats.items():  # sent together: each question immediately followed by its follow-up
            fake.send_text(chat, question)
            fake.send_text(chat, FOLLOW_UP)
        await fake.wait_for(lambda: all(len(fake.messages(c)) >= 2 for c in chats), timeout=60)
    wrong = {c: fake.messages(c)[1]["text"][:40] for c, q in chats.items() if fake.messages(c)[1]["text"] != expected[q]}
    assert not wrong, wrong
    assert all(len(fake.messages(c)) == 2 for c in chats)


@scenario
async def test_replayed_update_sends_only_the_replies_it_had_not_sent(fake, base, tmp_path):
    inbox = Inbox(tmp_path / "inbox.db")
    fake.send_text(70, "三公经费多少")
    fake.send_text(71, "三公经费多少")
    raw = [dict(u) for u in fake.updates]
    # A previous run accepted both, answered the first (journaled) and died before marking it done.
    entries = inbox.accept(fake.me["id"], raw).entries
    inbox.record(entries[0].id, 1, "sendMessage",
                 {"message_id": 1, "date": 0, "chat": {"id": 70, "type": "private"}, "text": "已答"})
    fake.updates.clear()
    async with pipeline(fake, base, inbox):
        await fake.wait_for(lambda: fake.messages(71))
        await fake.wait_for(lambda: inbox.counts().get("pending", 0) == 0)
    assert not fake.messages(70) and len(fake.messages(71)) == 1
    assert Inbox(tmp_path / "inbox.db").counts() == {"done": 2}


@scenario
async def test_follow_up_after_a_restart_remembers_the_chats_subject(fake, base, tmp_path):
    inbox = Inbox(tmp_path / "inbox.db")
    async with pipeline(fake, base, inbox):
        fake.send_text(80, "取暖费多少")
        await fake.wait_for(lambda: fake.messages(80))
        await fake.wait_for(lambda: inbox.counts().get("pending", 0) == 0)
    inbox = Inbox(tmp_path / "inbox.db")
    async with pipeline(fake, base, inbox):
        fake.send_text(80, FOLLOW_UP)
        await fake.wait_for(lambda: len(fake.messages(80)) >= 2)
    assert fake.messages(80)[1]["text"] == expected_follow_ups()["取暖费多少"]


@scenario
async def test_poison_update_in_process_is_skipped_and_shown_in_stats(fake, base, tmp_path, monkeypatch):
    monkeypatch.setenv("ADMIN_USER_IDS", "90")
    inbox = Inbox(tmp_path / "inbox.db")
    fake.send_text(91, "三公经费多少")
    poison = fake.send_poll(92)
    fake.send_text(93, "取暖费")
    async with pipeline(fake, base, inbox):
        await fake.wait_for(lambda: fake.messages(91) and fake.messages(93))
        fake.send_text(90, "/stats")
        await fake.wait_for(lambda: fake.messages(90))
    assert "无法解析而跳过的更新：1个" in fake.messages(90)[0]["text"]
    inbox = Inbox(tmp_path / "inbox.db")
    assert inbox.counts()["poison"] == 1 and not fake.messages(92)
    row = inbox.conn.execute("select state, error from updates where update_id = ?", (poison,)).fetchone()
    assert row == ("poison", "TypeError")


def test_inbox_accept_is_idempotent_and_prunes(tmp_path):
    inbox = Inbox(tmp_path / "inbox.db")
    batch = [{"update_id": 5, "message": {}}, {"update_id": 6, "message": {}}, {"no": "id"}]
    assert [e.update_id for e in inbox.accept(1, batch).entries] == [5, 6]
    assert inbox.accept(1, batch).entries == []
    first = inbox.pending(1)[0]
    inbox.done(first.id, "1", {"subject": "econ|取暖费"})
    assert [e.update_id for e in inbox.pending(1)] == [6]
    assert inbox.chat_state("1") == {"subject": "econ|取暖费"}
    assert inbox.prune(1, now=time.time() + limits.DEDUP_KEEP + 1)["finished"] == 1
    assert inbox.counts() == {"pending": 1}
    assert inbox.conn.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_update_without_a_chat_has_no_order_key():
    from bot.telegram.pipeline import chat_key

    assert chat_key(Update(1)) is None
    assert chat_key(object()) is None
