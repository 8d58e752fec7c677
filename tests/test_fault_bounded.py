"""Issue 18 §5: bounded state — 50 k chats, a 50 k backlog at restart, a webhook flood.

Chat states are loaded when a chat speaks and dropped from memory when idle (kept in the inbox, expired after
CHAT_IDLE); updates in flight are capped per lane in every mode and at restart; new updates are still polled
and confirmed while a backlog drains. (Peak memory of a real `serve` with 50 k chats: bench/bench_faults.py.)
"""
from __future__ import annotations

import asyncio
import json
import time

import aiohttp

from bot.engine import get_engine
from bot.telegram import limits
from bot.telegram.inbox import Inbox
from bot.telegram.chatdoc import shown  # replies start with a headline naming the document
from fake_telegram import serving, until
from test_serve import _free_port
from test_telegram import scenario

CHATS = 50_000
FIRST = 100_000


def backlog(fake, inbox: Inbox, chats: int) -> None:
    """A question from each of `chats` chats, left pending by a previous run, and a saved state for each chat
    (every second one idle for 40 days)."""
    for k in range(chats):
        fake.send_text(FIRST + k, "三公经费多少")
    raw, fake.updates = fake.updates, []
    inbox.accept(fake.me["id"], raw)
    now = time.time()
    state = json.dumps({"context": {"subject": None, "items": [], "document": None}})
    inbox.conn.execute("BEGIN")
    inbox.conn.executemany("INSERT INTO chats (chat_key, data, touched) VALUES (?, ?, ?)",
                           [(str(FIRST + k), state, now - (40 * 86400 if k % 2 else 0)) for k in range(chats)])
    inbox.conn.execute("COMMIT")


@scenario
async def test_50k_chats_waiting_at_a_restart_stay_bounded_and_new_updates_are_still_polled(fake, base, tmp_path):
    inbox = Inbox(tmp_path / "inbox.db")
    backlog(fake, inbox, CHATS)
    fake.hold("sendMessage")  # Telegram slow to answer: the backlog cannot drain
    cap = limits.IN_FLIGHT["chat"]
    async with serving(fake, base, tmp_path, inbox=inbox) as pipe:
        await until(lambda: pipe.in_flight["chat"] == cap, what="the lane to fill")
        await asyncio.sleep(0.2)
        assert len(pipe.tasks) <= cap and pipe.in_flight["chat"] <= cap
        assert len(pipe.app.chat_data) <= cap  # loaded when a chat's update is taken, not all 50 k at start
        new = fake.send_text(7, "取暖费多少")
        await fake.wait_for(lambda: fake.confirmed > new, timeout=30)  # polled while the backlog is stuck
        assert pipe.pending_count == CHATS + 1 and len(pipe.tasks) <= cap
        fake.release("sendMessage")
        await fake.wait_for(lambda: len(fake.sent) >= 5, timeout=30)
    left = Inbox(tmp_path / "inbox.db")
    assert left.counts()["pending"] > CHATS - 1_000  # the rest waits, on disk, for the next start
    expired = left.conn.execute("select count(*) from chats where touched < ?", (time.time() - 30 * 86400,))
    assert expired.fetchone()[0] == 0 and left.conn.execute("select count(*) from chats").fetchone()[0] >= CHATS // 2


@scenario
async def test_idle_chats_leave_memory_and_their_follow_ups_still_work(fake, base, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "CHATS_IN_MEMORY", 5)
    engine = get_engine()
    subjects = ["取暖费多少", "三公经费多少", "培训费多少"]
    async with serving(fake, base, tmp_path) as pipe:
        chats = {500 + k: subjects[k % 3] for k in range(30)}
        for chat, question in chats.items():
            fake.send_text(chat, question)
        await fake.wait_for(lambda: all(fake.messages(c) for c in chats))
        await until(lambda: not pipe.tasks)
        assert len(pipe.app.chat_data) <= 5
        assert 500 not in pipe.app.chat_data
        fake.send_text(500, "那去年呢？")  # its state comes back from the inbox
        await fake.wait_for(lambda: len(fake.messages(500)) >= 2)
    want = shown(engine, engine.answer("那去年呢？", engine.answer(chats[500]).subject))
    assert fake.messages(500)[1]["text"] == want


@scenario
async def test_webhook_updates_in_flight_are_capped_and_all_stored(fake, base, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "IN_FLIGHT", {"chat": 20, "inline": 5})
    port = _free_port()
    webhook = {"url": "https://x.org/telegram", "listen": "127.0.0.1", "port": port, "secret": "s"}
    fake.hold("sendMessage")
    async with serving(fake, base, tmp_path, webhook=webhook) as pipe:
        for k in range(100):
            fake.send_text(800 + k, "三公经费多少")
        updates, fake.updates = fake.updates, []
        async with aiohttp.ClientSession() as s:
            for update in updates:
                r = await s.post(f"http://127.0.0.1:{port}/telegram", json=update,
                                 headers={"X-Telegram-Bot-Api-Secret-Token": "s"})
                assert r.status == 200
        assert pipe.pending_count == 100 and len(pipe.tasks) <= 20
        fake.release("sendMessage")
        await fake.wait_for(lambda: all(fake.messages(800 + k) for k in range(100)), timeout=60)
    assert all(len(fake.messages(800 + k)) == 1 for k in range(100))


def test_a_chat_state_expires_after_the_idle_time(tmp_path):
    inbox = Inbox(tmp_path / "inbox.db")
    entry = inbox.accept(1, [{"update_id": 1, "message": {}}]).entries[0]
    inbox.done(entry.id, "42", {"context": {"subject": "x"}})
    assert inbox.prune(1)["chats"] == 0 and inbox.chat_state("42")
    assert inbox.prune(1, now=time.time() + limits.CHAT_IDLE + 1)["chats"] == 1 and inbox.chat_state("42") is None
