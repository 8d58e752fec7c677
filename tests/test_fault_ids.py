"""Issue 18 §3 / issue 16: the inbox is per bot, keyed by (bot id, update id); ids going backwards drop nothing.

A second bot on the same data folder (another token) and Telegram starting a new id sequence on the same bot
both reuse update ids the inbox has seen: every message is still answered, once, and the log says so once.
Finished ids are pruned on a timer, not only at start-up.
"""
from __future__ import annotations

import asyncio
import logging

from bot.telegram import limits
from bot.telegram.inbox import Inbox
from fake_telegram import FakeTelegram, serving, until
from test_telegram import scenario

QUESTIONS = ["三公经费多少", "取暖费多少", "培训费多少", "办公费多少"]


def ask_many(fake: FakeTelegram, first_chat: int, n: int) -> list[int]:
    """n chats ask one question each; returns the chats."""
    chats = [first_chat + k for k in range(n)]
    for k, chat in enumerate(chats):
        fake.send_text(chat, QUESTIONS[k % len(QUESTIONS)])
    return chats


def went_back_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "went backwards" in r.getMessage()]


@scenario
async def test_a_second_bot_on_the_same_inbox_has_every_message_answered(fake, base, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    async with serving(fake, base, tmp_path):
        first = ask_many(fake, 1000, 20)
        await fake.wait_for(lambda: all(fake.messages(c) for c in first))
    other = FakeTelegram(token="654321:STAGING-token")  # a new token: another bot, whose ids start at 1 again
    other_base = await other.start()
    try:
        async with serving(other, other_base, tmp_path):
            second = ask_many(other, 2000, 20)
            await other.wait_for(lambda: all(other.messages(c) for c in second))
            await asyncio.sleep(0.5)
    finally:
        await other.stop()
    assert all(len(other.messages(c)) == 1 for c in second) and all(len(fake.messages(c)) == 1 for c in first)
    inbox = Inbox(tmp_path / "inbox.db")
    assert inbox.counts(fake.me["id"]) == {"done": 20} and inbox.counts(other.me["id"]) == {"done": 20}
    assert not went_back_lines(caplog)  # another bot's ids are its own sequence, not a step back


@scenario
async def test_ids_restarting_on_the_same_bot_drop_nothing_and_are_logged_once(fake, base, tmp_path, caplog,
                                                                               monkeypatch):
    caplog.set_level(logging.INFO)
    monkeypatch.setenv("ADMIN_USER_IDS", "1")
    async with serving(fake, base, tmp_path) as pipe:
        old = ask_many(fake, 3000, 40)
        await fake.wait_for(lambda: all(fake.messages(c) for c in old))
        fake.restart_ids(1)  # Telegram's next sequence, after a week without updates
        new = ask_many(fake, 4000, 40)
        await fake.wait_for(lambda: all(fake.messages(c) for c in new))
        fake.restart_ids(5)  # and again, in the same process
        ask_many(fake, 5000, 1)
        await fake.wait_for(lambda: fake.messages(5000))
        fake.send_text(1, "/stats")
        await fake.wait_for(lambda: fake.messages(1))
        assert pipe.went_back == 2
    assert all(len(fake.messages(c)) == 1 for c in old + new)
    assert len(went_back_lines(caplog)) == 1, went_back_lines(caplog)
    assert "更新编号回退：2次" in fake.messages(1)[0]["text"]


@scenario
async def test_finished_ids_are_pruned_on_a_timer_while_running(fake, base, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "PRUNE_EVERY", 0.2)
    monkeypatch.setattr(limits, "DEDUP_KEEP", 0.5)
    inbox = Inbox(tmp_path / "inbox.db")
    async with serving(fake, base, tmp_path, inbox=inbox):
        chats = ask_many(fake, 6000, 10)
        await fake.wait_for(lambda: all(fake.messages(c) for c in chats))
        await until(lambda: inbox.counts() == {}, what="finished updates to be pruned without a restart")


def test_a_resend_is_dropped_but_a_reused_id_with_other_content_is_kept(tmp_path):
    inbox = Inbox(tmp_path / "inbox.db")
    update = {"update_id": 9, "message": {"text": "a"}}
    assert len(inbox.accept(1, [update]).entries) == 1
    assert inbox.accept(1, [dict(update)]).entries == []  # Telegram resending the same update
    reused = inbox.accept(1, [{"update_id": 9, "message": {"text": "b"}}])
    assert len(reused.entries) == 1 and reused.went_back == (9, 9)
    assert len(inbox.accept(2, [update]).entries) == 1  # the same id from another bot


def test_an_inbox_from_before_bot_ids_is_migrated_and_claimed(tmp_path):
    import json
    import sqlite3

    old = sqlite3.connect(tmp_path / "inbox.db")
    old.executescript("""
        CREATE TABLE updates (update_id INTEGER PRIMARY KEY, body TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0, error TEXT, received REAL NOT NULL, finished REAL);
        CREATE TABLE replies (update_id INTEGER NOT NULL, seq INTEGER NOT NULL, method TEXT NOT NULL,
            result TEXT NOT NULL, PRIMARY KEY (update_id, seq));
        CREATE TABLE chats (chat_key TEXT PRIMARY KEY, data TEXT NOT NULL);""")
    old.execute("insert into updates values (1, ?, 'done', 1, null, 0, 1)", (json.dumps({"update_id": 1}),))
    old.execute("insert into updates values (2, ?, 'pending', 1, null, 0, null)", (json.dumps({"update_id": 2}),))
    old.execute("insert into replies values (2, 1, 'sendMessage', '{}')")
    old.execute("insert into chats values ('5', '{\"subject\": \"x\"}')")
    old.commit()
    old.close()
    inbox = Inbox(tmp_path / "inbox.db")
    assert inbox.claim_legacy(77) == 2
    pending = inbox.pending(77)
    assert [e.update_id for e in pending] == [2] and inbox.sent(pending[0].id, 1) == {}
    assert inbox.accept(77, [{"update_id": 1}]).entries == []  # still known: not handled twice
    assert inbox.chat_state("5") == {"subject": "x"}
