"""Many documents in one database: a question goes to the document it names, never to another unit's figures."""
from __future__ import annotations

import re

import pytest

from bot.names import short_names
from bot.engine import get_engine
from bot.format import amount, dec
from bot.understand import Context

ENGINE = get_engine()
DOCS = {d.unit: d for d in sorted(ENGINE.docs, key=lambda d: d.year)}  # a unit's latest document
BY_YEAR = {(d.unit, d.year): d for d in ENGINE.docs}
SEED = "忻州市人力资源和社会保障局"
WANLI = "上海市普陀区人民政府万里街道办事处"
WELFARE = "上海市普陀区社会福利院"
PLANNING = "上海市普陀区规划和自然资源局"


def value(doc: str, key: str, row: str, column: str, year: int | None = None) -> float:
    """A printed figure of a document's table, read from the database (so the test holds for any disclosure)."""
    found = BY_YEAR[doc, year] if year else DOCS[doc]
    return ENGINE.conn.execute(
        "select c.value from cells c join budget_tables t on t.id = c.table_id where t.document_id = ? and t.key = ? "
        "and c.row_label = ? and c.column_label = ?", (found.id, key, row, column)).fetchone()[0]


def test_all_four_disclosures_are_loaded_with_their_metadata():
    assert {SEED, WANLI, WELFARE, PLANNING} <= set(DOCS)
    rows = {r["unit"]: dict(r) for r in ENGINE.conn.execute("select * from documents")}
    assert rows[PLANNING]["stage"] == "决算" and rows[WANLI]["scope"] == "部门" and rows[WELFARE]["year"] == 2024
    assert all(r["sha256"] and r["pages"] for r in rows.values())


def test_short_names_are_derived_from_the_full_name():
    assert {"万里街道办事处", "普陀区人民政府万里街道办事处"} <= short_names(WANLI)
    assert {"黄浦区财政局", "财政局"} <= short_names("上海市黄浦区财政局")
    assert "普陀区财政局" not in short_names("上海市黄浦区财政局")
    assert {"人力资源和社会保障局"} <= short_names(SEED)


@pytest.mark.parametrize("question,doc,key,row,column", [
    ("普陀区万里街道2023年基本支出是多少", WANLI, "expenditure", "合计", "基本支出"),
    ("万里街道办事处的人员经费", WANLI, "basic_econ", "合计", "人员经费"),
    ("社会福利院公用经费多少钱", WELFARE, "basic_econ", "合计", "公用经费"),
    ("福利院项目支出", WELFARE, "expenditure", "合计", "项目支出"),
    ("规划资源局决算基本支出", PLANNING, "expenditure", "合计", "基本支出"),
    ("规划和自然资源局2024年支出决算合计", PLANNING, "expenditure", "合计", "合计"),
    ("人社局基本支出多少", SEED, "expenditure", "合计", "基本支出"),
])
def test_a_named_unit_is_answered_from_its_own_document(question, doc, key, row, column):
    year = int(m.group(1)) if (m := re.search(r"(20\d\d)年", question)) else None
    ans = ENGINE.answer(question)
    assert ans.status == "answer" and ans.document_id == (BY_YEAR[doc, year] if year else DOCS[doc]).id, ans.text
    assert amount(value(doc, key, row, column, year)) in ans.text, ans.text
    assert (BY_YEAR[doc, year] if year else DOCS[doc]).short in ans.text  # the reply says whose figure it is


def test_a_question_naming_no_unit_goes_to_the_chats_document_else_the_default():
    assert ENGINE.answer("基本支出多少").document_id == DOCS[SEED].id
    chosen = ENGINE.answer("基本支出多少", Context(document=DOCS[WELFARE].id))
    assert chosen.document_id == DOCS[WELFARE].id
    named = ENGINE.answer("万里街道基本支出")
    follow = ENGINE.answer("人员经费呢", named.context)
    assert follow.document_id == DOCS[WANLI].id, follow.text


@pytest.mark.parametrize("question", ["黄浦区财政局2024年三公经费", "普陀区教育局基本支出", "万里街道2019年基本支出",
                                      "福利院2022年公用经费", "黄浦区财政局三公经费", "长寿路街道人员经费"])
def test_units_and_years_not_loaded_are_unknown_and_say_what_is(question):
    ans = ENGINE.answer(question)
    assert ans.status == "unknown", ans.text
    assert "已载入" in ans.text and not re.search(r"\d[\d,]*\.\d\d万元", ans.text), ans.text


def test_a_place_with_several_documents_asks_which_with_buttons():
    ans = ENGINE.answer("普陀区人员经费多少")
    assert ans.status == "clarify" and len(ans.suggestions) >= 2
    for s in ans.suggestions:
        assert ENGINE.answer(s).status == "answer", s


def test_two_units_side_by_side_and_their_difference():
    ans = ENGINE.answer("福利院公用经费比万里街道少多少")
    a = value(WELFARE, "basic_econ", "合计", "公用经费")
    b = value(WANLI, "basic_econ", "合计", "公用经费")
    assert amount(a) in ans.text and amount(b) in ans.text, ans.text
    assert amount(abs(dec(a) - dec(b))) in ans.text and "相差" in ans.text, ans.text


def test_ranking_across_the_loaded_documents():
    ans = ENGINE.answer("哪个单位的基本支出最多")
    lines = [line for line in ans.text.split("\n") if re.match(r"第\d+名 ", line)]
    assert len(lines) == len(DOCS), ans.text  # one line per unit: its latest document
    figures = [float(re.search(r"：([\d,]+\.\d\d)万元", line).group(1).replace(",", "")) for line in lines]
    assert figures == sorted(figures, reverse=True)


def test_a_place_in_the_last_ranking_and_the_same_ranking_of_another_subject():
    ranking = ENGINE.answer("哪个单位的基本支出最多")
    names = re.findall(r"第\d+名 (\S+?)：", ranking.text)
    second = ENGINE.answer("第二名是谁", ranking.context)
    assert second.status == "answer" and second.text.startswith(f"第2名是{names[1]}"), second.text
    last = ENGINE.answer("倒数第一呢", ranking.context)
    assert last.text.startswith(f"倒数第1名是{names[-1]}"), last.text
    again = ENGINE.answer("那公用经费呢", ranking.context)
    lines = [line for line in again.text.split("\n") if re.match(r"第\d+名 ", line)]
    assert again.text.startswith("公用经费") and len(lines) >= 2, again.text
    assert ENGINE.answer("第九十九名是谁", ranking.context).status == "unknown"


def test_units_whose_figure_is_zero_or_blank():
    ans = ENGINE.answer("哪几个单位没有公务接待费预算")
    listed = [line for line in ans.text.split("\n") if line.startswith("· ")]
    assert listed and all("0.00万元" in line or "空白" in line for line in listed), ans.text


def test_final_accounts_answer_budget_and_actual_with_the_difference_shown():
    budget = value(PLANNING, "sangong", "合计", "预算数")
    final = value(PLANNING, "sangong", "合计", "决算数")
    ans = ENGINE.answer("规划资源局三公经费决算比年初预算少了多少")
    assert amount(budget) in ans.text and amount(final) in ans.text
    assert amount(dec(budget) - dec(final)) in ans.text and "−" in ans.text, ans.text


def test_a_budget_document_never_answers_with_actuals():
    assert ENGINE.answer("人社局三公经费决算数").status == "unknown"


def test_every_figure_in_a_cross_document_reply_is_printed_or_shown_as_arithmetic():
    ans = ENGINE.answer("万里街道和福利院的人员经费分别是多少")
    printed = {round(f.value, 2) for f in ans.facts if f.value is not None}
    for n in re.findall(r"([\d,]+\.\d\d)万元", ans.text):
        assert round(float(n.replace(",", "")), 2) in printed, (n, ans.text)


def test_naming_only_another_unit_follows_up_the_last_subject_there():
    first = ENGINE.answer("万里街道三公经费")
    other = ENGINE.answer("那福利院呢", first.context)
    assert other.status == "answer" and other.document_id == DOCS[WELFARE].id, other.text
    assert amount(value(WELFARE, "sangong", "合计", "合计")) in other.text
