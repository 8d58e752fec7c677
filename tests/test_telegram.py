"""End to end: the real python-telegram-bot stack against the local fake Bot API server."""
from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import json
import warnings

import pytest
from telegram import Update

from bot.charts import render_chart
from bot.engine import get_engine
from bot.telegram import handlers
from bot.telegram.app import build_application
from bot.telegram.render import split_text
from bot.usage import UsageLog
from fake_telegram import FakeTelegram


@contextlib.asynccontextmanager
async def running(fake: FakeTelegram, base: str, usage: UsageLog | None = None):
    """The bot's Application polling the fake, started and stopped as `budgetbot serve` does."""
    app = build_application(fake.token, base, max_retries=3, usage=usage or UsageLog(enabled=False))
    await app.initialize()
    await app.post_init(app)
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


def scenario_with(fake_class: type[FakeTelegram]):
    """A decorator running an async test body with a fresh server of this fake class (the test's first two
    parameters, fake and base, are given; pytest sees the rest)."""
    def decorate(test):
        @functools.wraps(test)
        def wrapper(*args, **kwargs):
            async def main():
                fake = fake_class()
                base = await fake.start()
                try:
                    await test(fake, base, *args, **kwargs)
                finally:
                    await fake.stop()
            asyncio.run(main())
        params = list(inspect.signature(test).parameters.values())[2:]
        wrapper.__signature__ = inspect.signature(test).replace(parameters=params)
        return wrapper
    return decorate


scenario = scenario_with(FakeTelegram)


def texts(fake: FakeTelegram, chat: int) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in fake.messages(chat)]


@scenario
async def test_start_buttons_and_a_press(fake, base):
    async with running(fake, base):
        fake.send_text(1, "/start")
        await fake.wait_for(lambda: fake.messages(1))
        first = fake.messages(1)[0]
        assert "预算公开" in first["text"]
        buttons = [b for row in first["reply_markup"]["inline_keyboard"] for b in row]
        assert len(buttons) >= 4 and all(len(b["callback_data"].encode()) <= 64 for b in buttons)
        pressed = next(b for b in buttons if b["text"] == "三公经费多少")
        fake.press(1, first, pressed["callback_data"])
        await fake.wait_for(lambda: len(fake.messages(1)) >= 2)
        assert "6.00万元" in fake.messages(1)[1]["text"]
        assert any(c[0] == "answerCallbackQuery" for c in fake.calls)
    assert any(c[0] == "setMyCommands" for c in fake.calls)


@scenario
async def test_a_question_is_answered_with_its_source(fake, base):
    async with running(fake, base):
        fake.send_text(2, "取暖费预算多少？")
        await fake.wait_for(lambda: fake.messages(2))
        text = fake.messages(2)[0]["text"]
        assert "23.86万元" in text and "来源：" in text and "2023年一般公共预算安排基本支出分经济科目表" in text


@scenario
async def test_html_in_questions_and_answers_is_escaped(fake, base):
    async with running(fake, base):
        fake.send_text(3, "<b>三公经费</b> & <script>")
        await fake.wait_for(lambda: fake.messages(3))
        assert not fake.rejected


@scenario
async def test_clarify_buttons_and_press(fake, base):
    async with running(fake, base):
        fake.send_text(4, "养老保险")
        await fake.wait_for(lambda: fake.messages(4))
        msg = fake.messages(4)[0]
        buttons = [b for row in msg["reply_markup"]["inline_keyboard"] for b in row]
        assert len(buttons) >= 2
        fake.press(4, msg, buttons[0]["callback_data"])
        await fake.wait_for(lambda: len(fake.messages(4)) >= 2)
        assert "万元" in fake.messages(4)[1]["text"] and "来源" in fake.messages(4)[1]["text"]


@scenario
async def test_unknown_offers_what_it_can_answer(fake, base):
    async with running(fake, base):
        fake.send_text(5, "明天下雨吗")
        await fake.wait_for(lambda: fake.messages(5))
        msg = fake.messages(5)[0]
        assert "三公" in msg["text"] and msg["reply_markup"]["inline_keyboard"]


@scenario
async def test_follow_ups_apply_to_the_last_subject(fake, base):
    async with running(fake, base):
        for k, q in enumerate(["三公经费多少", "那去年呢？", "为什么？"], 1):
            fake.send_text(6, q)
            await fake.wait_for(lambda: len(fake.messages(6)) >= k)
        got = texts(fake, 6)
        assert "6.12万元" in got[1]
        assert "八项规定" in got[2]
        fake.send_text(7, "机关运行经费")
        await fake.wait_for(lambda: fake.messages(7))
        fake.send_text(7, "占比呢？")
        await fake.wait_for(lambda: len(fake.messages(7)) >= 2)
        assert "19.28%" in texts(fake, 7)[1]


@scenario
async def test_inline_query_offers_answer_cards(fake, base):
    async with running(fake, base):
        fake.inline(8, "三公经费")
        await fake.wait_for(lambda: any("inline_query_id" in m for m in fake.sent))
        cards = next(m for m in fake.sent if "inline_query_id" in m)["results"]
        assert 1 <= len(cards) <= 50
        assert "6.00万元" in cards[0]["input_message_content"]["message_text"]


@scenario
async def test_chart(fake, base, monkeypatch):
    monkeypatch.setattr(handlers, "TYPING_DELAY", 0.0)  # always show the upload action, however fast the drawing
    async with running(fake, base):
        fake.send_text(9, "/chart 三公经费")
        await fake.wait_for(lambda: fake.messages(9))
        msg = fake.messages(9)[0]
        assert msg["photo"][0]["file_size"] > 5000
        assert "“三公”经费" in msg["caption"] and len(msg["caption"]) <= 1024
        assert ("sendChatAction", "upload_photo") in [(c[0], c[1].get("action")) for c in fake.calls]
        fake.send_text(9, "/chart 天气")
        await fake.wait_for(lambda: len(fake.messages(9)) >= 2)
        assert "可以画的图" in fake.messages(9)[1]["text"]


@pytest.mark.parametrize("topic", ["支出结构", "三公经费", "基本支出", "项目支出"])
def test_charts_have_every_glyph(topic):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font"
        chart = render_chart(get_engine().view(), topic)
    assert chart.png.startswith(b"\x89PNG") and len(chart.caption) <= 1024


@scenario
async def test_sources_glossary_and_check(fake, base):
    async with running(fake, base):
        for k, cmd in enumerate(["/sources", "/glossary", "/check"], 1):
            fake.send_text(10, cmd)
            await fake.wait_for(lambda: len(fake.messages(10)) >= k)
        got = texts(fake, 10)
        assert "sha256" in got[0] and "2023年预算收支总表" in got[0]
        assert fake.messages(10)[1]["reply_markup"]["inline_keyboard"]
        assert "651.62" in got[2]


@scenario
async def test_flood_control_is_retried(fake, base):
    async with running(fake, base):
        fake.flood["sendMessage"] = 1
        fake.send_text(11, "三公经费多少")
        await fake.wait_for(lambda: fake.messages(11), timeout=30)
        attempts = [c for c in fake.calls if c[0] == "sendMessage" and c[1]["chat_id"] == "11"]
        assert len(attempts) == 2
        assert ("sendMessage", "Too Many Requests: retry after 1") in fake.rejected


@scenario
async def test_fifty_chats_at_once(fake, base):
    async with running(fake, base):
        questions = ["三公经费多少", "取暖费", "项目支出有哪些", "内设机构几个", "机关运行经费"]
        for chat in range(100, 150):
            fake.send_text(chat, questions[chat % 5])
        await fake.wait_for(lambda: all(fake.messages(c) for c in range(100, 150)), timeout=60)
        assert all(len(fake.messages(c)) == 1 for c in range(100, 150))
        assert not fake.rejected


@scenario
async def test_restart_answers_what_was_queued_once(fake, base):
    async with running(fake, base):
        for chat in range(200, 203):
            fake.send_text(chat, "三公经费多少")
        await fake.wait_for(lambda: all(fake.messages(c) for c in range(200, 203)))
    for chat in range(203, 208):  # sent while the bot is down
        fake.send_text(chat, "取暖费")
    async with running(fake, base):
        await fake.wait_for(lambda: all(fake.messages(c) for c in range(203, 208)))
        await asyncio.sleep(1.5)  # time for any duplicate to show up
    for chat in range(200, 208):
        assert len(fake.messages(chat)) == 1, chat


def test_long_replies_split_at_line_boundaries():
    text = "\n".join(f"第{i}行：" + "数" * 50 for i in range(300))
    chunks = split_text(text)
    assert len(chunks) > 1 and all(len(c) <= 4096 for c in chunks)
    assert "\n".join(chunks) == text


def test_the_fake_rejects_what_telegram_rejects():
    async def main():
        fake = FakeTelegram()
        base = await fake.start()
        import aiohttp

        async with aiohttp.ClientSession() as s:
            url = f"{base}{fake.token}"
            r = await s.post(f"{url}/sendMessage", data={"chat_id": "1", "text": "x" * 4097})
            assert r.status == 400
            r = await s.post(f"{url}/sendMessage", data={"chat_id": "1", "text": "a < b", "parse_mode": "HTML"})
            assert r.status == 400
            markup = {"inline_keyboard": [[{"text": "t", "callback_data": "x" * 65}]]}
            r = await s.post(f"{url}/sendMessage", data={"chat_id": "1", "text": "ok", "reply_markup": json.dumps(markup)})
            assert r.status == 400
            results = [{"type": "article", "id": str(i), "title": "t",
                        "input_message_content": {"message_text": "x"}} for i in range(51)]
            r = await s.post(f"{url}/answerInlineQuery", data={"inline_query_id": "1", "results": json.dumps(results)})
            assert r.status == 400
        await fake.stop()
    asyncio.run(main())


@scenario
async def test_errors_are_logged_without_the_token_and_the_user_is_told(fake, base, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError(f"engine exploded near {fake.token}")

    monkeypatch.setattr(get_engine(), "answer", broken)
    with caplog.at_level("ERROR"):
        async with running(fake, base):
            fake.send_text(12, "三公经费多少")
            await fake.wait_for(lambda: fake.messages(12))
    assert "出错" in fake.messages(12)[0]["text"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "engine exploded" in logged and "RuntimeError" in logged
    assert fake.token not in logged


def test_button_ids_are_stable_and_bounded():
    from bot.telegram.render import ButtonIds

    ids = ButtonIds(recent=3)
    fixed = ids.register("三公经费多少")
    assert ButtonIds().register("三公经费多少") == fixed  # the same id after a restart
    keys = [ids.id_for(f"问题{i}") for i in range(5)]
    assert ids.text_for(keys[0]) is None and ids.text_for(keys[4]) == "问题4"
    assert ids.text_for(fixed) == "三公经费多少" and len(ids.recent) == 3


@scenario
async def test_doc_command_chooses_the_chats_document(fake, base):
    engine = get_engine()
    welfare = next(d for d in engine.docs if "福利院" in d.unit)
    async with running(fake, base):
        fake.send_text(21, "/doc")
        await fake.wait_for(lambda: fake.messages(21))
        menu = fake.messages(21)[0]
        buttons = [b for row in menu["reply_markup"]["inline_keyboard"] for b in row]
        assert len(buttons) == len(engine.docs) and all(len(b["callback_data"].encode()) <= 64 for b in buttons)
        fake.press(21, menu, next(b for b in buttons if "福利院" in b["text"])["callback_data"])
        await fake.wait_for(lambda: any("已选择" in e.get("text", "") for e in fake.edits))
        fake.send_text(21, "公用经费多少")
        await fake.wait_for(lambda: len(fake.messages(21)) >= 2)
        reply = fake.messages(21)[-1]["text"]
        assert welfare.short in reply, reply
        # A question naming another unit still goes to that unit, and the chat follows it.
        fake.send_text(21, "万里街道公用经费多少")
        await fake.wait_for(lambda: len(fake.messages(21)) >= 3)
        assert "万里街道" in fake.messages(21)[-1]["text"]
        # A forged document id is refused politely.
        fake.press(21, menu, "d:9999")
        await fake.wait_for(lambda: sum(c[0] == "answerCallbackQuery" for c in fake.calls) >= 2)


@scenario
async def test_a_chart_is_drawn_from_the_chats_document(fake, base):
    engine = get_engine()
    welfare = next(d for d in engine.docs if "福利院" in d.unit)
    final = next(d for d in engine.docs if d.stage == "决算")
    async with running(fake, base):
        fake.send_text(22, "/doc")
        await fake.wait_for(lambda: fake.messages(22))
        fake.press(22, fake.messages(22)[0], f"d:{welfare.id}")
        await fake.wait_for(lambda: any("已选择" in e.get("text", "") for e in fake.edits))
        fake.send_text(22, "/chart 三公经费")
        await fake.wait_for(lambda: any(c[0] == "sendPhoto" for c in fake.calls))
        photo = next(c for c in fake.calls if c[0] == "sendPhoto")
        assert "6.40万元" in str(photo[1].get("caption", "")), photo[1].get("caption")
        fake.send_text(22, "/doc")
        await fake.wait_for(lambda: len(fake.messages(22)) >= 2)
        fake.press(22, fake.messages(22)[-1], f"d:{final.id}")
        await fake.wait_for(lambda: sum("已选择" in e.get("text", "") for e in fake.edits) >= 2)
        fake.send_text(22, "/chart 项目支出")
        await fake.wait_for(lambda: any("没有可以画" in m.get("text", "") for m in fake.messages(22)))
