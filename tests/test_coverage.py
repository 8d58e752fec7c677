"""Every row of every table of every loaded document can be asked for by name (or code) and comes back with its
own figure, from its own document."""
from __future__ import annotations

import pytest

from bot.engine import get_engine
from bot.format import amount
from bot.understand import Context

ENGINE = get_engine()
TEMPLATES = ["{name}", "{name}是多少", "请问{name}预算多少钱？", "{name}花了多少"]


def rows(sql: str) -> list[tuple]:
    return [tuple(r) for r in ENGINE.conn.execute(sql).fetchall()]


# Rows whose label is printed once in its table (a label printed twice, as 其他… under two classes, is asked by code).
ECON = rows("select c.document_id, c.row_label, c.value from cells c join budget_tables t on t.id = c.table_id "
            "where t.key = 'basic_econ' and c.column_label = '合计' and c.row_label != '合计' and c.side = '' "
            "group by c.document_id, c.row_label having count(*) = 1")
FUNCTIONS = rows("select c.document_id, c.row_code, c.row_label, c.value, "
                 "(select count(*) from functions f where f.document_id = c.document_id and f.name = c.row_label) from cells c "
                 "join budget_tables t on t.id = c.table_id where t.key = 'expenditure' and c.column_label = '合计' "
                 "and c.row_code != '' and c.row_code in (select code from functions f where f.document_id = c.document_id) "
                 "group by c.document_id, c.row_code having count(*) = 1")
PROJECTS = rows("select document_id, coalesce(budget_label, name), amount from projects")
SANGONG = rows("select c.document_id, c.row_label, c.value from cells c join budget_tables t on t.id = c.table_id "
               "where t.key = 'sangong' and c.column_label = '合计' and c.row_label != '合计'")


def check(question: str, value: float | None, doc: int) -> None:
    ans = ENGINE.answer(question, Context(document=doc))
    assert ans.status == "answer" and ans.document_id == doc, (question, ans.text)
    main = next(f for f in ans.facts if f.unit == "万元")
    assert main.value == value, (question, main, ans.text[:120])
    assert amount(value) in ans.text


# An item that is also a “三公” row (公务接待费) is answered from the 三公 table, which holds its project part too:
# test_every_sangong_item asks it.
ECON = [r for r in ECON if (r[0], r[1]) not in {(d, n) for d, n, _ in SANGONG}]


@pytest.mark.parametrize("doc,name,value", ECON, ids=[f"{r[0]}:{r[1]}" for r in ECON])
def test_every_economic_item(doc, name, value):
    for t in TEMPLATES:
        check(t.format(name=name), value, doc)


@pytest.mark.parametrize("doc,code,name,value,same_name", FUNCTIONS, ids=[f"{r[0]}:{r[1]}" for r in FUNCTIONS])
def test_every_function_by_name_and_code(doc, code, name, value, same_name):
    check(code, value, doc)
    check(f"科目{code}是多少", value, doc)
    if same_name > 1:
        codes = [r[0] for r in ENGINE.conn.execute("select code from functions where document_id = ? and name = ?",
                                                   (doc, name))]
        ans = ENGINE.answer(name, Context(document=doc))
        top = min(codes, key=len)
        if all(c.startswith(top) for c in codes):  # a 款 and the 项 inside it: the 款, which holds the 项
            assert ans.status == "answer" and f"（{top}" in ans.text, ans.text
        else:  # the same name under unrelated codes is a choice between them
            assert ans.status == "clarify" and all(ENGINE.answer(s, Context(document=doc)).status == "answer"
                                                   for s in ans.suggestions), ans.text
        return
    for t in TEMPLATES:
        check(t.format(name=name), value, doc)


@pytest.mark.parametrize("doc,name,value", PROJECTS, ids=[f"{r[0]}:{r[1]}" for r in PROJECTS])
def test_every_project(doc, name, value):
    for t in TEMPLATES:
        check(t.format(name=name), value, doc)


@pytest.mark.parametrize("doc,name,value", SANGONG, ids=[f"{r[0]}:{r[1]}" for r in SANGONG])
def test_every_sangong_item(doc, name, value):
    for t in TEMPLATES:
        check(t.format(name=name), value, doc)


DEPARTMENTS = rows("select name, staff from departments where document_id = 1")
TERMS = rows("select document_id, term, definition from glossary")
TARGETS = rows("select distinct t.name, t.value_text from targets t where t.period = '年度' and t.value_text is not null "
               "and t.document_id = 1 and length(t.name) >= 4 "
               "and t.name not in (select name from targets group by name having count(distinct value_text) > 1)")


@pytest.mark.parametrize("name,staff", DEPARTMENTS, ids=[r[0] for r in DEPARTMENTS])
def test_every_department_staffing_and_duties(name, staff):
    ans = ENGINE.answer(f"{name}编制几名")
    assert ans.status == "answer" and f"编制{staff}名" in ans.text, ans.text
    assert ENGINE.answer(f"{name}负责什么").query == "department_duties"


@pytest.mark.parametrize("doc,term,definition", TERMS, ids=[f"{r[0]}:{r[1]}" for r in TERMS])
def test_every_glossary_term(doc, term, definition):
    ans = ENGINE.answer(f"什么是{term}", Context(document=doc))
    assert ans.status == "answer" and definition[:15] in ans.text, ans.text


@pytest.mark.parametrize("name,value", TARGETS, ids=[r[0] for r in TARGETS])
def test_every_performance_target(name, value):
    ans = ENGINE.answer(f"{name}的指标值是多少")
    assert ans.status == "answer" and value in ans.text, (name, ans.text[:150])
