"""Issue 18 §8: slow work does not delay everyone; long replies are never cut inside an HTML entity.

Inline queries have their own lane and thread pool, charts their own bounded pool, so a flood of either leaves a
chat's question to be answered at once. (The delay itself is measured in bench/bench_faults.py; here only the
order, which cannot flake: the question is answered long before the flood is.)
"""
from __future__ import annotations

import re

import pytest

from bot.telegram import limits
from bot.telegram.pipeline import CHART_POOL
from bot.telegram.render import split_text
from fake_telegram import parse_html, serving, until
from test_telegram import scenario

QUESTION = "三公经费多少"


def inline_answers(fake) -> int:
    return sum(1 for m in fake.sent if "inline_query_id" in m)


@scenario
async def test_a_1000_query_inline_flood_does_not_hold_up_a_chats_question(fake, base, tmp_path):
    async with serving(fake, base, tmp_path) as pipe:
        for k in range(1000):
            fake.inline(200_000 + k, ["三公经费", "取暖", "项目支出", "培训费"][k % 4])
        fake.send_text(9, QUESTION)
        await fake.wait_for(lambda: fake.messages(9), timeout=60)
        answered_first = inline_answers(fake)
        assert pipe.in_flight["inline"] <= limits.IN_FLIGHT["inline"]
    # Before: 1,000 inline updates took the 256 handler slots and the shared threads ahead of it, so the question
    # came after most of the flood. Now it waits for at most a small share of it.
    assert answered_first < 250, answered_first
    assert "6.00万元" in fake.messages(9)[0]["text"]


@scenario
async def test_a_chart_flood_does_not_hold_up_a_chats_question(fake, base, tmp_path):
    async with serving(fake, base, tmp_path):
        for k in range(60):
            fake.send_text(300 + k, "/chart 支出结构")
        fake.send_text(9, QUESTION)
        await fake.wait_for(lambda: fake.messages(9), timeout=60)
        charts_first = fake.count("sendPhoto")
        await fake.wait_for(lambda: fake.count("sendPhoto") >= 2, timeout=60)
    # Before: the question queued behind the charts in the shared threads, and behind 60 chat actions.
    assert charts_first < 30, charts_first
    assert fake.count("sendChatAction") <= 5  # charts waiting for the pool send no action (nor anything else)
    await until(lambda: CHART_POOL.queued == 0, what="charts left at the stop to be dropped from the pool")


@scenario
async def test_charts_past_the_waiting_cap_are_told_to_try_again(fake, base, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "CHART_WAITING", 2)
    async with serving(fake, base, tmp_path):
        for k in range(8):
            fake.send_text(400 + k, "/chart 三公经费")
        await fake.wait_for(lambda: all(fake.messages(400 + k) for k in range(8)), timeout=60)
    busy = [k for k in range(8) if "请稍后再试" in (fake.messages(400 + k)[0].get("text") or "")]
    assert busy and fake.count("sendPhoto") == 8 - len(busy) and fake.count("sendPhoto") <= 3 + 2


@scenario
async def test_an_inline_query_too_old_to_answer_is_skipped(fake, base, tmp_path):
    import time

    from bot.telegram.inbox import Inbox

    inbox = Inbox(tmp_path / "inbox.db")
    fake.inline(77, "三公经费")
    inbox.accept(fake.me["id"], fake.updates)
    fake.updates.clear()
    inbox.conn.execute("UPDATE updates SET received = ?", (time.time() - limits.INLINE_MAX_AGE - 1,))
    async with serving(fake, base, tmp_path, inbox=inbox):
        fake.send_text(9, QUESTION)
        await fake.wait_for(lambda: fake.messages(9))
    assert fake.count("answerInlineQuery") == 0
    assert Inbox(tmp_path / "inbox.db").counts() == {"done": 2}


@pytest.mark.parametrize("line", [
    "甲" * 4094 + "&amp;&lt;" + "乙" * 100,
    "&amp;" * 2000,
    "<i>" + "来源&amp;" * 1200 + "</i>",
    "<b>6.00万元</b> " + "a&quot;b" * 900,
])
def test_split_text_never_cuts_inside_an_entity_or_a_tag(line):
    text = "第一行\n" + line + "\n最后一行"
    chunks = split_text(text)
    for chunk in chunks:
        assert len(chunk) <= 4096
        plain, error = parse_html(chunk)
        assert not error, (error, chunk[:60], chunk[-60:])
        assert not re.search(r"&[a-z#0-9]*$", chunk)
    assert "".join(parse_html(c)[0] for c in chunks).replace("\n", "") == parse_html(text)[0].replace("\n", "")
