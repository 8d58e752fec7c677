"""Everything a chat offers fits the chat's document (预算 or 决算): /start, /help and the unknown-command hint, /chart
topics, charts whose totals are the text replies' figures, inline cards that name the unit, clarify buttons in the
words of the document's kind, answered once; and 决算 replies are about 决算."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from bot.charts import plan_chart, topics
from bot.engine import get_engine
from bot.format import amount
from bot.telegram.chatdoc import stage_label
from bot.understand import Context
from test_chat_group import ANNA, GROUP, buttons, chat_scenario, doc_of, said, sent_html
from test_telegram import running

# The question whose text reply states the figure a chart topic's total must equal.
TOPIC_QUESTIONS = {"支出结构": "支出结构", "三公经费": "三公经费多少", "基本支出": "基本支出是多少",
                   "项目支出": "项目支出是多少"}


async def choose(fake, chat: int, part: str) -> None:
    """/doc and press the document whose button names part."""
    menu, = await said(fake, chat, lambda: fake.send_text(chat, "/doc"))
    edits = len(fake.edits)
    fake.press(chat, menu, next(b for b in buttons(menu) if part in b["text"])["callback_data"])
    await fake.wait_for(lambda: len(fake.edits) > edits)


@chat_scenario
async def test_start_help_and_hints_fit_the_chats_document(fake, base):
    engine = get_engine()
    wanli, final = doc_of("万里", 2023), doc_of("规划")
    async with running(fake, base):
        await choose(fake, 50, "万里街道办事处2023")
        start, = await said(fake, 50, lambda: fake.send_text(50, "/start"))
        assert wanli.label in start["text"]
        examples = [b["text"] for b in buttons(start)]
        assert "取暖费预算多少" not in examples and len(examples) >= 4
        for b in buttons(start):  # every example the chat offers is answered from its document, with a figure
            got, = await said(fake, 50, lambda: fake.press(50, start, b["callback_data"]))
            assert got["text"].split("\n")[0] == f"📄 {wanli.short}" and "万元" in got["text"], got["text"]
            assert "找不到" not in got["text"]
        help_, = await said(fake, 50, lambda: fake.send_text(50, "/help"))
        text = help_["text"]
        assert "/doc" in text and wanli.short in text and f"已载入{len(engine.docs)}份文件" in text
        assert "决算" in text and final.short in text  # a 决算 is loaded: /help says so, never that it is not
        assert "或决算" not in text
        hint, = await said(fake, 50, lambda: fake.send_text(50, "/frobnicate"))
        assert "/export" in hint["text"] and f"“{examples[0]}”" in hint["text"]
        # A 决算: no 预算 wording in what it offers.
        await choose(fake, 50, "规划")
        start, = await said(fake, 50, lambda: fake.send_text(50, "/start"))
        labels = [b["text"] for b in buttons(start)]
        assert labels and not any("预算" in label.replace("年初预算", "") for label in labels), labels
        assert any("决算" in label for label in labels)
        assert not fake.rejected


@chat_scenario
async def test_chart_offers_what_it_can_draw_for_the_chats_document(fake, base):
    finance, final = doc_of("财政局"), doc_of("规划")
    async with running(fake, base):
        await choose(fake, 51, "财政局")
        menu, = await said(fake, 51, lambda: fake.send_text(51, "/chart"))
        assert [b["text"] for b in buttons(menu)] == ["支出结构", "三公经费", "基本支出"]  # no project list printed
        assert finance.short in menu["text"]
        nope, = await said(fake, 51, lambda: fake.send_text(51, "/chart 项目支出"))
        assert "没有可以画" in nope["text"] and "项目支出" not in [b["text"] for b in buttons(nope)]
        await choose(fake, 51, "规划")
        menu, = await said(fake, 51, lambda: fake.send_text(51, "/chart"))
        assert {"三公经费", "基本支出"} <= {b["text"] for b in buttons(menu)}
        photo, = await said(fake, 51, lambda: fake.press(51, menu, next(
            b for b in buttons(menu) if b["text"] == "三公经费")["callback_data"]))
        caption = photo["caption"]
        assert caption.startswith(f"{final.short}：") and "决算" in caption.split("\n")[0]
        assert "“三公”经费合计（决算数）：0.39万元" in caption and "年初预算2.85万元" in caption
        assert "公务用车购置及运行费：0万元（无支出）" in caption
        assert photo["photo"][0]["file_size"] > 5000
        assert not fake.rejected


def _figures():
    engine = get_engine()
    for doc in engine.docs:
        view = engine.view(doc.id)
        for topic in view.words["charts"]:
            yield doc, view, topic


@pytest.mark.parametrize("doc,view,topic", list(_figures()), ids=lambda x: getattr(x, "short", None) or str(x)[:8])
def test_every_chart_total_is_the_text_replys_figure(doc, view, topic):
    """For every topic of every loaded document: offered only when drawable; the title names the document (and
    决算); the total is the figure the text reply gives; the bars add up to it and their shares to 100%."""
    if topic not in topics(view):
        ans = get_engine().answer(TOPIC_QUESTIONS[topic], Context(document=doc.id))
        assert topic == "项目支出", (doc.short, topic, ans.text)  # only a project list some documents do not print
        return
    chart = plan_chart(view, topic)
    assert chart.title.startswith(doc.short + "：") and ("决算" in chart.title) == (doc.stage == "决算")
    assert doc.unit in chart.source and (doc.stage in chart.source)
    reply = get_engine().answer(TOPIC_QUESTIONS[topic], Context(document=doc.id))
    assert reply.document_id == doc.id and amount(chart.total) in reply.body, (chart.caption, reply.text)
    assert amount(chart.total) in chart.caption.split("\n")[1]
    values = [b.value or Decimal(0) for b in chart.bars]
    assert abs(sum(values) - chart.total) <= Decimal("0.05"), (sum(values), chart.total)  # the document's roundings
    shares = sum(v / chart.total * 100 for v in values) if chart.total else Decimal(100)
    assert abs(shares - 100) < Decimal("0.5"), shares


def test_the_final_accounts_basic_chart_is_not_titled_with_its_personnel_figure():
    view = get_engine().view(doc_of("规划").id)
    chart = plan_chart(view, "基本支出")
    assert amount(chart.total) == "5,377.64万元" and "4,884.09" not in chart.caption.split("\n")[1]
    assert chart.bars[-1].label.startswith("其他资金") and amount(chart.bars[-1].value) == "12.89万元"
    assert "（5,377.64 − 5,364.75）" in chart.caption


@chat_scenario
async def test_inline_cards_name_the_unit_in_title_description_and_message(fake, base):
    welfare = doc_of("福利院")
    async with running(fake, base):
        fake.inline(52, "福利院三公")
        fake.inline(52, "福利")
        fake.inline(52, "北京")
        await fake.wait_for(lambda: sum("inline_query_id" in m for m in fake.sent) >= 3)
        sangong, fuli, beijing = [m["results"] for m in fake.sent if "inline_query_id" in m]
        card = sangong[0]
        assert card["title"].startswith(f"{welfare.short}：") and "6.40万元" in card["title"]
        assert card["description"].startswith(welfare.short)
        assert card["input_message_content"]["message_text"].startswith(f"📄 {welfare.short}\n")
        for c in fuli:  # never a card about a name quoted twice or "没有下级明细"
            assert "““" not in c["title"] + c["description"] and "没有下级" not in c["title"] + c["description"]
        assert "本文件" in beijing[0]["title"] and get_engine().doc.short in beijing[0]["title"]
        assert not fake.rejected


@chat_scenario
async def test_clarify_buttons_speak_the_documents_kind_and_answer_once(fake, base):
    async with running(fake, base):
        await choose(fake, 53, "规划")
        ask, = await said(fake, 53, lambda: fake.send_text(53, "养老保险"))
        labels = [b["text"] for b in buttons(ask)]
        assert len(labels) >= 2 and all("预算" not in label for label in labels), labels
        assert any("决算数多少" in label for label in labels)
        pressed = buttons(ask)[-1]
        fake.press(53, ask, pressed["callback_data"])
        fake.press(53, ask, pressed["callback_data"])
        await fake.wait_for(lambda: len(fake.answered_callbacks()) >= 2 + 1)  # the /doc press, then these two
        await fake.wait_for(lambda: len(fake.messages(53)) >= 3)
        assert len(fake.messages(53)) == 3, [m.get("text") for m in fake.messages(53)]  # answered once
        answer = fake.messages(53)[-1]["text"]
        assert "2024年决算" in answer and "预算" not in answer.replace("一般公共预算", "")
        assert "已经回答" in fake.answered_callbacks()[-1].get("text", "")
        assert any(e["text"] == f"已选择：{pressed['text']}" for e in fake.edits)


def test_stage_labels_keep_the_names_of_funds():
    assert stage_label("经济科目公务接待费预算多少", "决算") == "经济科目公务接待费决算数多少"
    assert stage_label("一般公共预算有多少", "决算") == "一般公共预算有多少"
    assert stage_label("年初预算多少", "决算") == "年初预算多少"
    assert stage_label("取暖费预算多少", "预算") == "取暖费预算多少"


def test_final_accounts_replies_are_about_final_accounts():
    """决算数, 年初预算 and 完成率; never "占收入预算"; every item the 三公 table prints."""
    engine = get_engine()
    final = doc_of("规划")
    ans = engine.answer("规划局三公经费决算")
    assert ans.document_id == final.id
    for item in ("因公出国（境）费", "公务用车购置及运行费", "公务用车购置费", "公务用车运行维护费", "公务接待费"):
        assert item in ans.body, item
    assert "完成率13.68%（0.39万元 ÷ 2.85万元）" in ans.body and "年初预算2.85万元" in ans.body
    view = engine.view(final.id)
    budget_words = re.compile(r"占收入预算|预算收支总表所列|本年预算")
    for question in view.all_suggestions():
        body = engine.answer(question, Context(document=final.id)).body
        assert not budget_words.search(body), (question, body)


@chat_scenario
async def test_group_button_press_in_a_final_accounts_chat(fake, base):
    """A 决算's answer in a group: its headline names the 决算, and the bold figure is the 决算数."""
    async with running(fake, base):
        await said(fake, GROUP, lambda: fake.send_group(GROUP, ANNA, "/doc 规划资源局"))
        first, = await said(fake, GROUP, lambda: fake.send_group(GROUP, ANNA, "三公经费", mention="budget_test_bot"))
        why, = await said(fake, GROUP, lambda: fake.send_group(GROUP, ANNA, "为什么没花完", reply_to=first))
        assert "决算" in why["text"].split("\n")[0]
        html = sent_html(fake, why["message_id"])
        bold = re.findall(r"<b>([^<]+)</b>", html)
        assert bold and bold[0] != "2.85万元", html
