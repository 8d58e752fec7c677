"""Issue 18 §7: private by default.

inbox.db and usage.db are created 0600; an update's body is deleted once it is handled and its replies once
replay no longer needs them; usage.db keeps 90 days (USAGE_RETENTION_DAYS); identity-card and phone numbers are
masked in what is recorded; /stats is granted by user id (ADMIN_USER_IDS), never by chat.
"""
from __future__ import annotations

import os
import sqlite3
import stat
import time

from bot.telegram.inbox import Inbox
from bot.usage import UsageLog
from fake_telegram import serving
from test_telegram import scenario, texts

PERSONAL = "我的身份证号110101199003072316，手机13812345678，三公经费多少"


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@scenario
async def test_files_are_0600_and_hold_no_update_body_or_reply_once_handled(fake, base, tmp_path):
    old = os.umask(0o022)
    try:
        usage = UsageLog(tmp_path / "usage.db", enabled=True)
        async with serving(fake, base, tmp_path, usage=usage):
            fake.send_text(31, "取暖费多少")
            fake.send_group(-500, 32, "今天中午吃什么")  # chatter not meant for the bot
            fake.inline(33, "三公经")
            await fake.wait_for(lambda: fake.messages(31) and fake.count("answerInlineQuery"))
            for name in ("inbox.db", "inbox.db-wal", "inbox.db-shm", "usage.db", "usage.db-wal"):
                assert mode(tmp_path / name) == 0o600, name
            inbox = Inbox(tmp_path / "inbox.db")
            await fake.wait_for(lambda: inbox.counts() == {"done": 3})
            assert inbox.conn.execute("select count(*) from updates where body is not null").fetchone() == (0,)
            assert inbox.conn.execute("select count(*) from replies").fetchone() == (0,)
            inbox.close()
        usage.close()
    finally:
        os.umask(old)
    raw = b"".join((tmp_path / n).read_bytes() for n in os.listdir(tmp_path) if n.startswith("inbox.db"))
    for secret in ("用户31", "用户32", "中午吃什么", "三公经", "取暖费多少"):  # UTF-8, and the JSON escapes stored
        assert secret.encode() not in raw and secret.encode("unicode_escape").lower() not in raw.lower(), secret


def test_an_existing_world_readable_inbox_is_made_private(tmp_path):
    path = tmp_path / "inbox.db"
    sqlite3.connect(path).close()
    path.chmod(0o644)
    Inbox(path)
    assert mode(path) == 0o600


def test_usage_keeps_90_days_by_default_and_what_usage_retention_days_says(tmp_path, monkeypatch):
    log = UsageLog(tmp_path / "usage.db", enabled=True)
    log.question("三公经费多少", "answer", "q")
    log.conn.execute("update events set ts = ?", (time.time() - 91 * 86400,))
    log.question("取暖费多少", "answer", "q")
    log.close()
    log = UsageLog(tmp_path / "usage.db", enabled=True)  # pruned when opened (and hourly by serve)
    assert [q for (q,) in log.conn.execute("select question from events")] == ["取暖费多少"]
    log.conn.execute("update events set ts = ?", (time.time() - 11 * 86400,))
    monkeypatch.setenv("USAGE_RETENTION_DAYS", "10")
    assert log.prune() == 1
    assert mode(tmp_path / "usage.db") == 0o600


@scenario
async def test_identity_and_phone_numbers_are_masked_in_the_usage_log(fake, base, tmp_path):
    usage = UsageLog(tmp_path / "usage.db", enabled=True)
    async with serving(fake, base, tmp_path, usage=usage):
        fake.send_text(41, PERSONAL)
        await fake.wait_for(lambda: fake.messages(41))
    stored = [q for (q,) in sqlite3.connect(tmp_path / "usage.db").execute("select question from events")]
    assert stored == ["我的身份证号[身份证号]，手机[手机号]，三公经费多少"]


@scenario
async def test_stats_is_for_admin_users_not_for_everyone_in_an_admin_chat(fake, base, tmp_path, monkeypatch):
    monkeypatch.setenv("ADMIN_USER_IDS", "7")
    monkeypatch.setenv("ADMIN_CHAT_IDS", "-500")  # an old setting naming a group: grants nothing now
    async with serving(fake, base, tmp_path, usage=UsageLog(tmp_path / "usage.db", enabled=True)):
        fake.send_group(-500, 8, "/stats")
        await fake.wait_for(lambda: fake.messages(-500))
        fake.send_group(-500, 7, "/stats")
        await fake.wait_for(lambda: len(fake.messages(-500)) >= 2)
    refused, report = texts(fake, -500)
    assert "管理员" in refused and "最近14天提问" not in refused
    assert "最近14天提问" in report and "接收状态：正常" in report
    assert "stats" in fake.commands(7) and "stats" not in fake.commands(-500) and "stats" not in fake.commands()
