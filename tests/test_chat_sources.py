"""Citable sources and full lists in a chat: /sources without duplicates and with the address a document was
published at, /check listing each failed check in one line (prose against table first), /export as a CSV file,
a disputed figure answered with the printed one and its page, and the whole 类/款/项 list on request."""
from __future__ import annotations

import csv
import io
import re
import shutil
import sqlite3

import pytest

from bot import paths, store
from bot.catalog import load_catalog, load_vocabulary
from bot.engine.core import Engine
from bot.ingest.build import build
from bot.telegram.render import split_text
from bot.usage import UsageLog
from conftest import SOURCE
from test_chat_documents import choose
from test_chat_group import buttons, chat_scenario, doc_of, said, sent_html
from test_telegram import running

URL = "https://rsj.example.gov.cn/xxgk/2023-budget.pdf?a=1&b=2"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The seed disclosure built beside a sidecar FILE.url: (engine, database path)."""
    folder = tmp_path_factory.mktemp("published")
    src = folder / SOURCE.name
    shutil.copy(SOURCE, src)
    (folder / (src.name + ".url")).write_text(URL + "\n", encoding="utf-8")
    db = folder / "budget.db"
    build([src], db)
    return Engine(store.connect(db), load_catalog(paths.QUERIES), load_vocabulary(paths.QUERIES), src.name), db


@chat_scenario
async def test_sources_and_replies_link_where_the_document_was_published(fake, base, published, monkeypatch):
    engine, db = published
    monkeypatch.setattr("bot.engine.core._engine", engine)
    monkeypatch.setenv("BUDGETBOT_DB", str(db))
    async with running(fake, base):
        src, = await said(fake, 60, lambda: fake.send_text(60, "/sources"))
        assert f"发布地址：{URL}" in src["text"]
        tables = [line.split(". ", 1)[1] for line in src["text"].split("\n") if line[:1].isdigit() and ". " in line]
        assert tables and len(tables) == len(set(tables))  # no table listed twice
        ans, = await said(fake, 60, lambda: fake.send_text(60, "三公经费多少"))
        html = sent_html(fake, ans["message_id"])
        assert html.startswith('📄 <a href="https://rsj.example.gov.cn/xxgk/2023-budget.pdf?a=1&amp;b=2">')
        assert "6.00万元" in ans["text"]
        assert not fake.rejected


@chat_scenario
async def test_sources_list_each_table_once(fake, base):
    async with running(fake, base):
        await choose(fake, 61, "万里街道办事处2023")
        src, = await said(fake, 61, lambda: fake.send_text(61, "/sources"))
        lines = [line for line in src["text"].split("\n") if line[:1].isdigit() and ". " in line]
        titles = [line.split(". ", 1)[1] for line in lines]
        assert sum("“三公”经费" in t for t in titles) == 1, titles
        assert any("第31–35页" in t for t in titles)  # one table printed over five pages: one line
        assert f"共{len(lines)}张表" in src["text"]


@chat_scenario
async def test_check_lists_every_failed_check_prose_against_table_first(fake, base):
    async with running(fake, base):
        await choose(fake, 62, "万里街道办事处2023")
        got, = await said(fake, 62, lambda: fake.send_text(62, "/check"))
        lines = got["text"].split("\n")
        failed = int(lines[1].split("项不一致")[0].rsplit("，", 1)[1])
        listed = [line for line in lines if line.startswith("· ")]
        assert failed == len(listed) >= 5, got["text"]
        assert listed[0] == "· 情况说明写机关事业单位职业年金缴费支出预算安排441.25万元，表中为220.63万元（第7页）"
        await choose(fake, 62, "规划")
        got, = await said(fake, 62, lambda: fake.send_text(62, "/check"))
        lines = got["text"].split("\n")
        listed = [line for line in lines if line.startswith("· ")]
        assert len(listed) == int(lines[1].split("项不一致")[0].rsplit("，", 1)[1]) > 10
        assert "· 情况说明写一般公共预算财政拨款基本支出5,377.64万元，表中为5,364.75万元（第24页）" in listed
        prose = [k for k, line in enumerate(listed) if line.startswith("· 情况说明写")]
        assert prose == list(range(len(prose)))  # prose against table first


@chat_scenario
async def test_export_sends_the_chats_document_as_a_csv_file(fake, base):
    welfare = doc_of("福利院")
    async with running(fake, base):
        await choose(fake, 63, "福利院")
        sent, = await said(fake, 63, lambda: fake.send_text(63, "/export"))
        assert welfare.label in sent["caption"]
        data = fake.files[-1]
        assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, like `budgetbot export`
        facts, _, checks = data.decode("utf-8-sig").partition("\r\n\r\n")
        rows = list(csv.DictReader(io.StringIO(facts)))
        assert rows and {r["document_id"] for r in rows} == {str(welfare.id)}
        assert any(r["row_label"] == "公务用车运行维护费" and r["value"] == "6.40" for r in rows)
        assert checks.startswith("document_id,kind,name")
        again, = await said(fake, 63, lambda: fake.send_text(63, "导出"))
        assert "document" in again and fake.files[-1] == data
        assert not fake.rejected


@chat_scenario
async def test_a_disputed_figure_gets_the_printed_one_with_its_page_and_a_recorded_thumbs_down(fake, base, tmp_path):
    usage = UsageLog(tmp_path / "usage.db", enabled=True)
    async with running(fake, base, usage=usage):
        await choose(fake, 64, "万里街道办事处2023")
        got, = await said(fake, 64, lambda: fake.send_text(64, "不对，办公费应该是500万元"))
        text = got["text"]
        assert "找不到" not in text and "581.18万元" in text and "第26页" in text and "500万元" in text, text
        assert text.split("\n")[0].startswith("📄 ")
        # Without naming the item: the chat's last subject.
        again, = await said(fake, 64, lambda: fake.send_text(64, "不对，应该是600万元"))
        assert "581.18万元" in again["text"] and "600万元" in again["text"]
    rows = sqlite3.connect(tmp_path / "usage.db").execute(
        "select kind, question, status, query, vote from events where kind in ('vote', 'reason') order by id"
    ).fetchall()
    assert ("vote", "办公费", None, "econ_item", -1) in rows
    assert ("reason", "办公费", "数字不对：用户说应为500万元", "econ_item", None) in rows
    assert any(r[0] == "reason" and "600万元" in r[2] for r in rows)


@chat_scenario
async def test_full_lists_on_request_and_by_the_all_button(fake, base):
    async with running(fake, base):
        await choose(fake, 65, "万里街道办事处2023")
        classes, = await said(fake, 65, lambda: fake.send_text(65, "支出结构"))
        assert "其余0类" not in classes["text"] and "预算收支总表所列" not in classes["text"]
        full = next(b for b in buttons(classes) if b["text"].startswith("全部"))
        whole, = await said(fake, 65, lambda: fake.press(65, classes, full["callback_data"]))
        lines = whole["text"].split("\n")
        assert "类、款、项共66行" in lines[1] and sum(bool(re.match(r"　*\d{3,7} ", line)) for line in lines) == 66
        assert "　　2080506 机关事业单位职业年金缴费支出　220.63万元" in lines
        again, = await said(fake, 65, lambda: fake.send_text(65, "明细到项"))  # after a 类 list: the whole list
        assert "类、款、项共66行" in again["text"]
        assert not fake.rejected
    # A list longer than a message is split at line boundaries, every line whole.
    chunks = split_text(whole["text"], 300)
    assert len(chunks) > 3 and "\n".join(chunks) == whole["text"]
