"""Every row of every table can be asked for by name (or code) and comes back with its own figure."""
from __future__ import annotations

import pytest

from bot.engine import get_engine
from bot.format import amount

ENGINE = get_engine()
TEMPLATES = ["{name}", "{name}是多少", "请问{name}预算多少钱？", "{name}花了多少"]


def rows(sql: str) -> list[tuple]:
    return [tuple(r) for r in ENGINE.conn.execute(sql).fetchall()]


ECON = rows("select distinct c.row_label, c.value from cells c join budget_tables t on t.id = c.table_id "
            "where t.key = 'basic_econ' and c.column_label = '合计' and c.row_label != '合计'")
FUNCTIONS = rows("select distinct c.row_code, c.row_label, c.value from cells c join budget_tables t on t.id = c.table_id "
                 "where t.key = 'expenditure' and c.column_label = '合计' and c.row_code != ''")
PROJECTS = rows("select budget_label, amount from projects")
SANGONG = rows("select c.row_label, c.value from cells c join budget_tables t on t.id = c.table_id "
               "where t.key = 'sangong' and c.column_label = '合计' and c.row_label != '合计'")


def check(question: str, value: float | None) -> None:
    ans = ENGINE.answer(question)
    assert ans.status == "answer", (question, ans.text)
    main = next(f for f in ans.facts if f.unit == "万元")
    assert main.value == value, (question, main, ans.text[:120])
    assert amount(value) in ans.text


@pytest.mark.parametrize("name,value", ECON, ids=[r[0] for r in ECON])
def test_every_economic_item(name, value):
    for t in TEMPLATES:
        check(t.format(name=name), value)


@pytest.mark.parametrize("code,name,value", FUNCTIONS, ids=[r[0] for r in FUNCTIONS])
def test_every_function_by_name_and_code(code, name, value):
    check(code, value)
    check(f"科目{code}是多少", value)
    for t in TEMPLATES:
        check(t.format(name=name), value)


@pytest.mark.parametrize("name,value", PROJECTS, ids=[r[0] for r in PROJECTS])
def test_every_project(name, value):
    for t in TEMPLATES:
        check(t.format(name=name), value)


@pytest.mark.parametrize("name,value", SANGONG, ids=[r[0] for r in SANGONG])
def test_every_sangong_item(name, value):
    for t in TEMPLATES:
        check(t.format(name=name), value)


DEPARTMENTS = rows("select name, staff from departments")
TERMS = rows("select term, definition from glossary")
TARGETS = rows("select distinct t.name, t.value_text from targets t where t.period = '年度' and t.value_text is not null "
               "and length(t.name) >= 4 and t.name not in (select name from targets group by name having count(distinct value_text) > 1)")


@pytest.mark.parametrize("name,staff", DEPARTMENTS, ids=[r[0] for r in DEPARTMENTS])
def test_every_department_staffing_and_duties(name, staff):
    ans = ENGINE.answer(f"{name}编制几名")
    assert ans.status == "answer" and f"编制{staff}名" in ans.text, ans.text
    assert ENGINE.answer(f"{name}负责什么").query == "department_duties"


@pytest.mark.parametrize("term,definition", TERMS, ids=[r[0] for r in TERMS])
def test_every_glossary_term(term, definition):
    ans = ENGINE.answer(f"什么是{term}")
    assert ans.status == "answer" and definition[:15] in ans.text, ans.text


@pytest.mark.parametrize("name,value", TARGETS, ids=[r[0] for r in TARGETS])
def test_every_performance_target(name, value):
    ans = ENGINE.answer(f"{name}的指标值是多少")
    assert ans.status == "answer" and value in ans.text, (name, ans.text[:150])
