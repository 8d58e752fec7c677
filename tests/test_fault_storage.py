"""Issue 18 §1: intake never stops silently on an inbox write error (a lock, a full disk, a bad update).

Through the fake Bot API and the webhook, with `budgetbot serve`'s own loop in this process: the polling loop
catches, logs once, backs off, retries and confirms nothing it did not store; every write rolls back on error;
the stall shows in the log (every minute), in /stats, in `budgetbot serve --check-health` and at GET /health.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from bot.telegram import limits
from bot.telegram.inbox import Inbox
from fake_telegram import serving, until
from test_serve import _free_port
from test_telegram import scenario, texts

QUESTION = "三公经费多少"


@pytest.fixture(autouse=True)
def quick_health(monkeypatch):
    """A heartbeat every 0.1 s, the stall line every second and retries at least every second, so a test sees
    them without waiting a minute."""
    monkeypatch.setattr(limits, "HEARTBEAT_EVERY", 0.1)
    monkeypatch.setattr(limits, "STALL_LOG_EVERY", 1.0)
    monkeypatch.setattr(limits, "STORE_RETRY_MAX", 1.0)


def check_health(state: Path, max_stall: float) -> subprocess.CompletedProcess:
    """`budgetbot serve --check-health` for the serve whose inbox is in `state`."""
    env = {**os.environ, "BUDGETBOT_INBOX": str(state / "inbox.db")}
    return subprocess.run([sys.executable, "-m", "bot", "serve", "--check-health", "--max-stall", str(max_stall)],
                          env=env, capture_output=True, text=True, timeout=60)


def health(state: Path, max_stall: float) -> tuple[int, str]:
    """The same check in this process."""
    from bot.telegram.app import check_health as check

    return check(state / "inbox.db.health", max_stall)


def intake_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bot.telegram.pipeline"]


@scenario
async def test_a_lock_held_8_s_stalls_intake_visibly_confirms_nothing_and_loses_nothing(fake, base, tmp_path,
                                                                                          caplog, monkeypatch):
    caplog.set_level(logging.INFO)
    monkeypatch.setenv("ADMIN_USER_IDS", "1")
    async with serving(fake, base, tmp_path) as pipe:
        fake.send_text(2, QUESTION)
        await fake.wait_for(lambda: fake.messages(2))
        assert health(tmp_path, 60)[0] == 0
        locker = sqlite3.connect(tmp_path / "inbox.db", isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")  # a backup, the sqlite3 shell, a second instance…
        held = time.monotonic()
        chats = list(range(10, 20))
        ids = [fake.send_text(chat, "取暖费多少") for chat in chats]
        await until(lambda: "inbox" in pipe.health.problems, what="the stall to be noticed")
        await until(lambda: (tmp_path / "inbox.db.health").read_text().count('"stalled_since": null') == 0,
                    what="the heartbeat to report the stall")
        stalled = check_health(tmp_path, 0)
        assert stalled.returncode == 1 and "stalled" in stalled.stderr and "locked" in stalled.stderr
        assert all(any(u["update_id"] == i for u in fake.updates) for i in ids)  # nothing confirmed unstored
        await asyncio.sleep(max(0.0, 8 - (time.monotonic() - held)))
        assert not any(fake.messages(c) for c in chats) and all(any(u["update_id"] == i for u in fake.updates)
                                                                for i in ids)
        locker.execute("ROLLBACK")
        locker.close()
        await fake.wait_for(lambda: all(fake.messages(c) for c in chats), timeout=30)
        fake.send_text(1, "/stats")
        await fake.wait_for(lambda: fake.messages(1))
        await until(lambda: health(tmp_path, 0)[0] == 0, what="the heartbeat to say healthy again")
    assert all(len(fake.messages(c)) == 1 for c in chats)
    assert "上次停滞：inbox" in texts(fake, 1)[0]
    lines = intake_lines(caplog)
    assert sum("inbox failing" in line for line in lines) == 1, lines  # logged once, not once per retry
    assert 1 <= sum(line.startswith("stalled for") for line in lines) <= 12, lines  # the once-a-"minute" line
    assert any("inbox working again" in line for line in lines)
    assert Inbox(tmp_path / "inbox.db").counts() == {"done": 12}  # the first question, the ten, /stats
    assert health(tmp_path, 60) == (1, "unhealthy: budgetbot serve has stopped")


class FaultyConnection:
    """A sqlite3 connection whose writes fail while `failing` is set (an injected full disk or I/O error)."""

    WRITES = ("INSERT", "UPDATE", "DELETE", "BEGIN IMMEDIATE")

    def __init__(self, conn: sqlite3.Connection, error: str = "database or disk is full") -> None:
        self.conn, self.error, self.failing, self.fail_once_on = conn, error, False, None

    def execute(self, sql: str, *args):
        """Fail writes while failing (and the one statement fail_once_on names)."""
        if self.fail_once_on and sql.lstrip().upper().startswith(self.fail_once_on):
            self.fail_once_on = None
            raise sqlite3.OperationalError(self.error)
        if self.failing and sql.lstrip().upper().startswith(self.WRITES):
            raise sqlite3.OperationalError(self.error)
        return self.conn.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self.conn, name)


@contextlib.contextmanager
def small_disk(folder: Path):
    """A 2 MB tmpfs at folder when root may mount one; else None (the caller injects the error instead)."""
    folder.mkdir()
    mounted = os.getuid() == 0 and shutil.which("mount") and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], capture_output=True).returncode == 0
    try:
        yield folder if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def fill(folder: Path) -> Path:
    """Fill a file system until it is full; returns the filler file."""
    filler = folder / "filler"
    with open(filler, "wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


@scenario
async def test_a_full_disk_stalls_intake_until_space_is_freed_and_nothing_is_lost(fake, base, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    with small_disk(tmp_path / "small") as disk:
        state = disk or tmp_path
        inbox = Inbox(state / "inbox.db")
        faulty = inbox.conn = FaultyConnection(inbox.conn)
        async with serving(fake, base, state, inbox=inbox) as pipe:
            fake.send_text(2, QUESTION)
            await fake.wait_for(lambda: fake.messages(2))
            filler = fill(disk) if disk else None
            faulty.failing = disk is None
            chats = list(range(30, 40))
            for chat in chats:
                fake.send_text(chat, "取暖费多少")
            await until(lambda: "inbox" in pipe.health.problems, what="the full disk to stall intake")
            assert "full" in pipe.health.reason()
            await asyncio.sleep(1.0)
            assert not any(fake.messages(c) for c in chats)
            if filler:
                filler.unlink()
            faulty.failing = False
            await fake.wait_for(lambda: all(fake.messages(c) for c in chats), timeout=30)
        assert all(len(fake.messages(c)) == 1 for c in chats)
        assert Inbox(state / "inbox.db").counts() == {"done": 11}
    assert sum("inbox failing" in line for line in intake_lines(caplog)) == 1


def test_a_failed_write_rolls_back_and_the_next_one_works(tmp_path):
    inbox = Inbox(tmp_path / "inbox.db")
    inbox.conn = faulty = FaultyConnection(inbox.conn, "disk I/O error")
    faulty.fail_once_on = "INSERT"
    with pytest.raises(sqlite3.OperationalError):
        inbox.accept(1, [{"update_id": 1, "message": {}}])
    assert not faulty.conn.in_transaction
    time.sleep(limits.STORE_RETRY_FIRST)  # the short pause after a failure (calls fail fast meanwhile)
    assert [e.update_id for e in inbox.accept(1, [{"update_id": 1, "message": {}}]).entries] == [1]
    assert inbox.conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL again, outside any transaction


def hostile_updates(chat: int) -> list[dict]:
    """An update id above 2⁶³, a bool id, and a text with an unpaired surrogate."""
    msg = {"message_id": 1, "date": 0, "chat": {"id": chat, "type": "private"},
           "from": {"id": chat, "is_bot": False, "first_name": "x"}}
    return [{"update_id": 2 ** 63 + 5, "message": {**msg, "text": QUESTION}},
            {"update_id": True, "message": {**msg, "text": QUESTION}},
            {"update_id": 777, "message": {**msg, "text": "三公经费\ud800多少"}}]


@scenario
async def test_hostile_update_ids_and_surrogates_never_stop_polling(fake, base, tmp_path):
    async with serving(fake, base, tmp_path) as pipe:
        fake.updates.extend(hostile_updates(50))
        fake._new.set()
        fake.restart_ids(1000)
        fake.send_text(51, QUESTION)
        await fake.wait_for(lambda: fake.messages(51))
        assert pipe.malformed == 2 and not pipe.health.problems
    assert Inbox(tmp_path / "inbox.db").counts() == {"done": 2}


@scenario
async def test_webhook_keeps_storing_after_hostile_updates_and_reports_health(fake, base, tmp_path):
    port = _free_port()
    webhook = {"url": "https://bot.example.org/telegram", "listen": "127.0.0.1", "port": port, "secret": "s3cret"}
    async with serving(fake, base, tmp_path, webhook=webhook):
        url = f"http://127.0.0.1:{port}"
        headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
        fake.send_text(60, QUESTION)
        good = fake.updates.pop()
        async with aiohttp.ClientSession() as s:
            for raw in hostile_updates(61):
                r = await s.post(f"{url}/telegram", data=_json(raw), headers=headers)
                assert r.status == 200
            r = await s.post(f"{url}/telegram", data=_json(good), headers=headers)
            assert r.status == 200
            await fake.wait_for(lambda: fake.messages(60))
            r = await s.get(f"{url}/health")
            assert r.status == 200 and (await r.text()).startswith("ok")
    assert len(fake.messages(60)) == 1


def _json(raw: dict) -> bytes:
    import json

    return json.dumps(raw).encode()


def test_check_health_without_a_running_serve_says_so(tmp_path):
    out = check_health(tmp_path, 60)
    assert out.returncode == 1 and "no heartbeat" in out.stderr and out.stderr.count("\n") == 1
