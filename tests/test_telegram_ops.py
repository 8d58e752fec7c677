"""Running it for real on Telegram: feedback and usage, /stats, groups, and odd updates."""
from __future__ import annotations

import sqlite3

from test_telegram import running, scenario, texts
from bot.usage import UsageLog


@scenario
async def test_votes_and_unanswered_questions_are_recorded(fake, base, tmp_path):
    log = UsageLog(tmp_path / "usage.db", enabled=True)
    async with running(fake, base, usage=log):
        fake.send_text(20, "三公经费多少")
        await fake.wait_for(lambda: fake.messages(20))
        msg = fake.messages(20)[0]
        down = next(b for row in msg["reply_markup"]["inline_keyboard"] for b in row if b["text"].startswith("👎"))
        fake.press(20, msg, down["callback_data"])
        fake.send_text(20, "明天下雨吗")
        await fake.wait_for(lambda: len(fake.messages(20)) >= 2 and
                            sum(c[0] == "answerCallbackQuery" for c in fake.calls) >= 1)
    rows = sqlite3.connect(tmp_path / "usage.db").execute(
        "select kind, question, status, query, vote, user_id from events order by id").fetchall()
    assert ("question", "三公经费多少", "answer", "sangong_total", None, None) in rows
    assert ("vote", "三公经费多少", None, "sangong_total", -1, None) in rows
    assert ("question", "明天下雨吗", "unknown", None, None, None) in rows
    assert sqlite3.connect(tmp_path / "usage.db").execute("pragma journal_mode").fetchone()[0] == "wal"
    misses = dict((q, n) for q, n, _ in log.misses())
    assert misses == {"三公经费多少": 1, "明天下雨吗": 1}


@scenario
async def test_stats_only_for_admin_chats(fake, base, tmp_path, monkeypatch):
    monkeypatch.setenv("ADMIN_CHAT_IDS", "21, 99")
    async with running(fake, base, usage=UsageLog(tmp_path / "u.db", enabled=True)):
        for q in ["三公经费多少", "明天下雨吗", "养老保险"]:
            fake.send_text(22, q)
        await fake.wait_for(lambda: len(fake.messages(22)) >= 3)
        fake.send_text(21, "/stats")
        fake.send_text(22, "/stats")
        await fake.wait_for(lambda: fake.messages(21) and len(fake.messages(22)) >= 4)
        report = texts(fake, 21)[0]
        assert "3个" in report and "明天下雨吗" in report
        assert "管理员" in texts(fake, 22)[3]


@scenario
async def test_groups_answer_mentions_and_replies_only(fake, base):
    async with running(fake, base):
        fake.send_group(-500, 31, "今天中午吃什么")
        fake.send_group(-500, 31, "三公经费多少", mention="budget_test_bot")
        await fake.wait_for(lambda: fake.messages(-500))
        answer = fake.messages(-500)[0]
        assert "6.00万元" in answer["text"]
        fake.send_group(-500, 32, "取暖费多少", reply_to=answer)
        fake.send_group(-500, 32, "/start@budget_test_bot")
        await fake.wait_for(lambda: len(fake.messages(-500)) >= 3)
        got = texts(fake, -500)
        assert any("23.86" in t for t in got) and any("预算公开" in t for t in got)
        assert not any("吃什么" in t for t in got) and len(got) == 3


@scenario
async def test_odd_updates_never_raise(fake, base):
    async with running(fake, base):
        fake.push_raw("edited_message", {"chat": {"id": 40, "type": "private"}, "from": fake.user(40),
                                         "edit_date": 1, "text": "三公经费多少"})
        fake.push_raw("channel_post", {"chat": {"id": -100, "type": "channel", "title": "c"}, "text": "三公经费"})
        fake.push_raw("message", {"chat": {"id": 41, "type": "private"}, "from": fake.user(41),
                                  "sticker": {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1,
                                              "is_animated": False, "is_video": False, "type": "regular"}})
        fake.push_raw("message", {"chat": {"id": 42, "type": "private"}, "from": fake.user(42),
                                  "photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]})
        fake.send_text(43, "/frobnicate")
        await fake.wait_for(lambda: fake.messages(41) and fake.messages(42) and fake.messages(43))
        assert "文字" in texts(fake, 41)[0] and "文字" in texts(fake, 42)[0]
        assert "/help" in texts(fake, 43)[0]
        assert not fake.messages(40) and not fake.messages(-100)
        assert not any("出错" in (m.get("text") or "") for m in fake.sent)
