"""What Telegram users see, end to end against the fake Bot API: charts, inline cards, replies, clarify,
feedback, callback data and menus — asserted on the Bot API calls the bot makes."""
from __future__ import annotations

import hashlib
import itertools
import json
import re
import sqlite3
from pathlib import Path

import yaml

from bot.engine import Answer
from bot.telegram import handlers
from bot.telegram.keyboards import CALLBACK_LIMIT, VoteBook, all_callback_data, chart_markup, reason_markup
from bot.telegram.render import ButtonIds, answer_html, shorten
from bot.usage import UsageLog
from test_telegram import running, scenario, texts

QUERIES = Path(__file__).resolve().parent.parent / "queries"


def calls(fake, method: str) -> list[dict]:
    """The parameters of every call of one Bot API method."""
    return [p for m, p in fake.calls if m == method]


def buttons(msg: dict) -> list[dict]:
    return [b for row in (msg.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def inline_cards(fake, query_id_index: int = -1) -> list[dict]:
    return [m for m in fake.sent if "inline_query_id" in m][query_id_index]["results"]


# -- charts ----------------------------------------------------------------------------------------------------
@scenario
async def test_each_chart_topic_sends_its_own_image(fake, base):
    async with running(fake, base):
        topics = ["支出结构", "三公经费", "基本支出", "项目支出"]
        for k, topic in enumerate(topics, 1):
            fake.send_text(60, f"/chart {topic}")
            await fake.wait_for(lambda: len(fake.messages(60)) >= k, timeout=60)
        photos = [p["photo"] for p in calls(fake, "sendPhoto")]
        assert len({hashlib.sha256(p).hexdigest() for p in photos}) == 4
        captions = texts(fake, 60)
        for topic, caption in zip(topics, captions):
            assert topic.replace("支出结构", "功能分类").replace("三公经费", "“三公”经费") in caption.split("\n")[0]
            assert "万元" in caption.split("\n")[0] and "来源：" in caption
        assert not fake.rejected


@scenario
async def test_chart_without_topic_offers_buttons(fake, base):
    async with running(fake, base):
        fake.send_text(61, "/chart")
        await fake.wait_for(lambda: fake.messages(61))
        msg = fake.messages(61)[0]
        labels = [b["text"] for b in buttons(msg)]
        assert labels == ["支出结构", "三公经费", "基本支出", "项目支出"]
        fake.press(61, msg, buttons(msg)[2]["callback_data"])
        await fake.wait_for(lambda: len(fake.messages(61)) >= 2, timeout=60)
        assert fake.messages(61)[1]["caption"].startswith("忻州市人力资源和社会保障局2023年预算：基本支出")
        assert len(fake.answered_callbacks()) == 1


# -- inline mode -------------------------------------------------------------------------------------------------
@scenario
async def test_inline_puts_the_engines_own_answer_first(fake, base):
    async with running(fake, base):
        fake.inline(62, "取暖")
        await fake.wait_for(lambda: any("inline_query_id" in m for m in fake.sent))
        cards = inline_cards(fake)
        assert cards[0]["title"].startswith("忻州市人力资源和社会保障局2023年预算：取暖费")
        assert "23.86万元" in cards[0]["input_message_content"]["message_text"]
        assert cards[0]["input_message_content"]["parse_mode"] == "HTML"
        fake.inline(62, "取暖费预算多少")
        await fake.wait_for(lambda: sum("inline_query_id" in m for m in fake.sent) >= 2)
        assert len(inline_cards(fake)) == 1 and "：取暖费" in inline_cards(fake)[0]["title"]


@scenario
async def test_inline_about_something_not_in_the_document_says_so(fake, base):
    async with running(fake, base):
        fake.inline(63, "北京")
        fake.inline(63, "明天下雨吗")
        await fake.wait_for(lambda: sum("inline_query_id" in m for m in fake.sent) >= 2)
        for cards in (inline_cards(fake, 0), inline_cards(fake, 1)):
            assert len(cards) == 1
            assert "没有" in cards[0]["title"] and "本文件" in cards[0]["title"]
            assert cards[0]["description"] and "\n" not in cards[0]["description"]
        assert "北京" in inline_cards(fake, 0)[0]["description"]


@scenario
async def test_inline_titles_are_cut_before_a_number_never_inside(fake, base):
    async with running(fake, base):
        fake.inline(64, "项目支出占比")
        await fake.wait_for(lambda: any("inline_query_id" in m for m in fake.sent))
        card = inline_cards(fake)[0]
        title = card["title"]
        assert len(title) <= 64 and title.endswith("…")
        assert title.startswith("忻州市人力资源和社会保障局2023年预算：2023年项目支出384.80万元")
        assert not re.search(r"[\d.,]…$", title) and not re.search(r"\d万…$", title)


def test_shorten_never_splits_a_number_and_its_unit():
    text = "占支出合计1,036.43万元的0.58%"
    for limit in range(4, len(text)):
        cut = shorten(text, limit)
        assert len(cut) <= limit and cut.endswith("…")
        kept = cut[:-1]
        assert text.startswith(kept)
        for m in re.finditer(r"\d[\d,]*(?:\.\d+)?(?:万元|%)", text):
            assert len(kept) <= m.start() or len(kept) >= m.end(), (limit, cut)


# -- replies -----------------------------------------------------------------------------------------------------
@scenario
async def test_replies_bold_the_headline_and_have_no_blank_line_before_the_source(fake, base):
    async with running(fake, base):
        fake.send_text(65, "公车费用多少")
        fake.send_text(66, "<b>取暖费</b> & 多少")
        await fake.wait_for(lambda: fake.messages(65) and fake.messages(66))
        sent = {int(p["chat_id"]): p for p in calls(fake, "sendMessage")}
        assert sent[65]["parse_mode"] == "HTML"
        head, body = sent[65]["text"].split("\n", 1)
        assert head == "📄 忻州市人力资源和社会保障局2023年预算"  # whose figure, where a reader looks first
        assert body.startswith("公务用车购置及运行费：2023年预算<b>6.00万元</b>")
        assert sent[65]["text"].count("<b>") == 1
        assert "\n\n" not in sent[65]["text"] and "\n<i>来源：" in sent[65]["text"]
        assert "<b>23.86万元</b>" in sent[66]["text"]
        assert not fake.rejected


def test_headline_bolding_keeps_everything_else_escaped():
    got = answer_html("answer", "a<b>&c：5.00万元，6.00万元\n来源：表<1>")
    assert got == "a&lt;b&gt;&amp;c：<b>5.00万元</b>，6.00万元\n<i>来源：表&lt;1&gt;</i>"
    assert "<b>" not in answer_html("unknown", "没有5.00万元")


# -- clarify -----------------------------------------------------------------------------------------------------
@scenario
async def test_clarify_offers_buttons_only_and_shows_the_choice(fake, base):
    async with running(fake, base):
        fake.send_text(67, "养老保险")
        await fake.wait_for(lambda: fake.messages(67))
        msg = fake.messages(67)[0]
        options = buttons(msg)
        assert len(options) >= 2 and all(len(b["text"]) <= 30 for b in options)
        assert "·" not in msg["text"] and not any(b["text"] in msg["text"] for b in options)
        fake.press(67, msg, options[1]["callback_data"])
        await fake.wait_for(lambda: len(fake.messages(67)) >= 2 and fake.edits)
        edit = fake.edits[0]
        assert edit["message_id"] == msg["message_id"] and edit["text"].startswith("已选择：")
        assert not edit["reply_markup"]  # the keyboard is gone
        assert "来源" in fake.messages(67)[1]["text"]
        assert len(fake.answered_callbacks()) == 1


# -- feedback ----------------------------------------------------------------------------------------------------
def _vote_rows(path):
    return sqlite3.connect(path).execute("select kind, question, status, query, vote from events "
                                         "where kind != 'question' order by id").fetchall()


@scenario
async def test_thumbs_up_is_recorded_once_and_replaced_by_thanks(fake, base, tmp_path):
    async with running(fake, base, usage=UsageLog(tmp_path / "u.db", enabled=True)):
        fake.send_text(68, "三公经费多少")
        await fake.wait_for(lambda: fake.messages(68))
        msg = fake.messages(68)[0]
        up = next(b for b in buttons(msg) if b["text"].startswith("👍"))
        fake.press(68, msg, up["callback_data"])
        await fake.wait_for(lambda: fake.edits)
        fake.press(68, msg, up["callback_data"])  # a second press (an old client) is not a second vote
        await fake.wait_for(lambda: len(fake.answered_callbacks()) >= 2)
        thanks = fake.edits[0]["reply_markup"]["inline_keyboard"]
        assert len(thanks) == 1 and "谢谢" in thanks[0][0]["text"]
    assert _vote_rows(tmp_path / "u.db") == [("vote", "三公经费多少", None, "sangong_total", 1)]


@scenario
async def test_thumbs_down_asks_what_was_wrong_in_one_tap(fake, base, tmp_path):
    async with running(fake, base, usage=UsageLog(tmp_path / "u.db", enabled=True)):
        fake.send_text(69, "取暖费多少")
        await fake.wait_for(lambda: fake.messages(69))
        msg = fake.messages(69)[0]
        down = next(b for b in buttons(msg) if b["text"].startswith("👎"))
        fake.press(69, msg, down["callback_data"])
        await fake.wait_for(lambda: fake.edits)
        reasons = [b for row in fake.edits[0]["reply_markup"]["inline_keyboard"] for b in row]
        assert [b["text"] for b in reasons] == ["数字不对", "答非所问", "没有回答"]
        fake.press(69, msg, reasons[1]["callback_data"])
        await fake.wait_for(lambda: len(fake.edits) >= 2)
        note = fake.edits[1]["reply_markup"]["inline_keyboard"][0][0]["text"]
        assert "答非所问" in note
        fake.press(69, msg, reasons[0]["callback_data"])  # the reason is given once
        await fake.wait_for(lambda: len(fake.answered_callbacks()) >= 3)
    rows = _vote_rows(tmp_path / "u.db")
    assert rows == [("vote", "取暖费多少", None, "econ_item", -1), ("reason", "取暖费多少", "答非所问", "econ_item", None)]
    misses = UsageLog(tmp_path / "u.db", enabled=True).misses()
    assert [(q, n) for q, n, _ in misses] == [("取暖费多少", 1)]  # the reason is not a second 👎


@scenario
async def test_forged_and_inline_callbacks_are_answered_politely_and_never_recorded(fake, base, tmp_path, caplog):
    with caplog.at_level("ERROR"):
        async with running(fake, base, usage=UsageLog(tmp_path / "u.db", enabled=True)):
            fake.send_text(70, "三公经费多少")
            await fake.wait_for(lambda: fake.messages(70))
            msg = fake.messages(70)[0]
            forged = ["v+:AAAAAAAA", "v-:", "r:AAAAAAAA:0", "hello", "v+:1:三公经费多少:sangong_total", "q:nope",
                      "c:000000000000", "ch:zzz", "r:" + buttons(msg)[0]["callback_data"][3:] + ":0"]
            for data in forged:
                fake.press(70, msg, data)
            good = buttons(msg)[0]["callback_data"]
            ids = ButtonIds()
            fake.press_inline(71, "inline-1", good)  # a vote from an inline message
            fake.press_inline(71, "inline-2", f"q:{ids.register('三公经费多少')}")
            fake.press_inline(71, "inline-3", "c:" + ids.register("三公经费多少"))
            await fake.wait_for(lambda: len(fake.answered_callbacks()) >= len(forged) + 3)
            assert all(p.get("text") for p in fake.answered_callbacks()[:len(forged)])
        rows = _vote_rows(tmp_path / "u.db")
        assert [r for r in rows if r[0] == "reason"] == []
        assert len([r for r in rows if r[0] == "vote"]) <= 1  # only the real key pressed from the inline message
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert not any("出错" in (m.get("text") or "") for m in fake.sent)


# -- callback data -------------------------------------------------------------------------------------------------
def test_every_callback_data_fits_64_bytes_for_every_query_combination():
    query_ids = sorted(yaml.safe_load(p.read_text(encoding="utf-8"))["id"] for p in QUERIES.glob("*.yaml"))
    assert len(query_ids) > 30
    ids, votes = ButtonIds(), VoteBook(limit=50_000)
    question = "会议费和培训费和差旅费" * 30  # a long question never reaches the data
    sizes = set()
    for n in (1, 2, 3):
        for combo in itertools.combinations(query_ids, n):
            markup = handlers.answer_markup(ids, votes, Answer("answer", "x", ",".join(combo)), question)
            datas = all_callback_data(markup)
            datas += all_callback_data(reason_markup(datas[0].split(":", 1)[1]))
            sizes.update(len(d.encode("utf-8")) for d in datas)
    suggestions = ["2080505机关事业单位基本养老保险缴费支出预算多少" * 3, "三公经费多少"]
    for status in ("clarify", "unknown"):
        markup = handlers.answer_markup(ids, votes, Answer(status, "x", suggestions=suggestions), question)
        sizes.update(len(d.encode()) for d in all_callback_data(markup))
    sizes.update(len(d.encode()) for d in all_callback_data(chart_markup(["支出结构", "三公经费", "基本支出", "项目支出"])))
    assert max(sizes) <= CALLBACK_LIMIT and max(sizes) <= 16


def test_vote_memory_is_bounded():
    book = VoteBook(limit=3)
    keys = [book.add(f"问题{i}", "q") for i in range(5)]
    assert book.get(keys[0]) is None and book.get(keys[4]).question == "问题4" and len(book.items) == 3


# -- menus, /help, /start -------------------------------------------------------------------------------------------
@scenario
async def test_stats_only_in_admin_command_menus(fake, base, monkeypatch):
    monkeypatch.setenv("ADMIN_CHAT_IDS", "72,73")
    async with running(fake, base):
        pass
    assert "stats" not in fake.commands() and "help" in fake.commands()
    assert "stats" in fake.commands(72) and "stats" in fake.commands(73)
    scopes = [json.loads(p["scope"]) for p in calls(fake, "setMyCommands") if "scope" in p]
    assert {(s["type"], s["chat_id"]) for s in scopes} == {("chat", 72), ("chat", 73)}


@scenario
async def test_help_says_what_the_bot_can_and_cannot_do(fake, base):
    async with running(fake, base):
        fake.send_text(74, "/start")
        await fake.wait_for(lambda: fake.messages(74))
        fake.send_text(74, "/help")
        await fake.wait_for(lambda: len(fake.messages(74)) >= 2)
        start, help_ = fake.messages(74)
        assert start["text"] != help_["text"]
        for word in ("来源", "其他单位", "其他年份", "观点", "政策", "例如"):
            assert word in help_["text"], word
        for row in start["reply_markup"]["inline_keyboard"]:
            assert len(row) == 1 or all(len(b["text"]) <= 12 for b in row), row
