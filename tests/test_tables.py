"""Every table of 第二部分: totals and rows against figures typed from the document."""
from __future__ import annotations

import pytest

from conftest import value

TYPED = [
    # (table, row, column, side, value) — read off the published PDF text by hand
    ("summary", "一般公共预算", "合计", "收入", 1036.43),
    ("summary", "本年收入合计", "合计", "收入", 1036.43),
    ("summary", "收入总计", "合计", "收入", 1036.43),
    ("summary", "社会保障和就业支出", "合计", "支出", 970.11),
    ("summary", "卫生健康支出", "当年预算安排", "支出", 21.28),
    ("summary", "住房保障支出", "合计", "支出", 45.04),
    ("summary", "支出总计", "当年预算安排", "支出", 1036.43),
    ("income", "合计", "合计", "", 1036.43),
    ("income", "人力资源和社会保障管理事务", "一般公共预算", "", 921.48),
    ("income", "行政运行", "合计", "", 546.68),
    ("income", "其他人力资源和社会保障管理事务支出", "合计", "", 224.80),
    ("income", "住房公积金", "合计", "", 45.04),
    ("expenditure", "合计", "基本支出", "", 651.63),
    ("expenditure", "合计", "项目支出", "", 384.80),
    ("expenditure", "行政运行", "项目支出", "", 10.00),
    ("expenditure", "公共就业服务和职业技能鉴定机构", "项目支出", "", 150.00),
    ("expenditure", "机关事业单位基本养老保险缴费支出", "基本支出", "", 48.63),
    ("fiscal_summary", "一般公共预算", "金额", "收入", 1036.43),
    ("fiscal_summary", "社会保障和就业支出", "一般公共预算", "支出", 970.11),
    ("fiscal_summary", "卫生健康支出", "小计", "支出", 21.28),
    ("fiscal_summary", "支出总计", "小计", "支出", 1036.43),
    ("gpb_expenditure", "合计", "合计", "", 1036.43),
    ("gpb_expenditure", "行政单位医疗", "基本支出", "", 21.28),
    ("gpb_expenditure", "住房改革支出", "合计", "", 45.04),
    ("gpb_expenditure", "人力资源和社会保障管理事务", "基本支出", "", 536.68),
    ("basic_econ", "合计", "合计", "", 651.63),
    ("basic_econ", "合计", "人员经费", "", 525.98),
    ("basic_econ", "合计", "公用经费", "", 125.65),
    ("basic_econ", "取暖费", "公用经费", "", 23.86),
    ("basic_econ", "退休费", "人员经费", "", 82.29),
    ("basic_econ", "其他交通费用", "合计", "", 25.35),
    ("basic_econ", "维修(护)费", "合计", "", 8.00),
    ("basic_econ", "办公设备购置", "公用经费", "", 2.10),
    ("sangong", "合计", "合计", "", 6.00),
    ("sangong", "公务用车购置及运行费", "一般公共预算", "", 6.00),
    ("sangong", "公务用车运行维护费", "合计", "", 6.00),
    ("jiguan", "部门合计", "合计", "", 125.65),
    ("jiguan", "忻州市人力资源和社会保障局", "一般公共预算", "", 125.65),
    ("projects", "职业技能鉴定工作经费", "合计", "", 150.00),
    ("projects", "2023年驻村工作队员补助", "一般公共预算", "", 2.80),
    ("projects", "人人持证,技能社会经费", "合计", "", 100.00),
    ("projects", "高效毕业生“三支一扶”人员招考面试费用", "合计", "", 25.00),
]


@pytest.mark.parametrize("table,row,column,side,expected", TYPED)
def test_typed_values(db, table, row, column, side, expected):
    assert value(db, table, row, column, side) == pytest.approx(expected, abs=1e-9)


def test_thirteen_tables_in_order(db):
    keys = [r[0] for r in db.execute("select key from budget_tables where key != '' order by seq")]
    assert len(keys) == 13
    assert keys[0] == "summary" and keys[-1] == "projects_carry"


def test_forms_and_lists_are_kept_with_a_read_status(db):
    rows = db.execute("select status, reason from budget_tables where key = ''").fetchall()
    assert rows and all(status in ("kept", "empty", "read") and reason for status, reason in rows)


@pytest.mark.parametrize("key", ["gov_fund_income", "gov_fund_expenditure", "state_capital", "projects_carry"])
def test_tables_marked_empty_are_present_and_empty(db, key):
    empty, title = db.execute("select empty, title from budget_tables where key = ?", (key,)).fetchone()
    assert empty == 1 and title.startswith("2023年")
    assert db.execute("select count(*) from facts where table_key = ?", (key,)).fetchone()[0] == 0


def test_empty_cells_are_recorded_as_null(db):
    assert value(db, "sangong", "公务接待费", "合计") is None
    assert value(db, "sangong", "因公出国（境）费", "合计") is None


def test_summary_has_all_thirty_function_rows(db):
    n = db.execute("select count(*) from cells c join budget_tables t on t.id = c.table_id "
                   "where t.key = 'summary' and c.side = '支出' and c.item_no != '' and c.column_label = '合计'").fetchone()[0]
    assert n == 30


def test_econ_table_keeps_both_classifications(db):
    row = db.execute("select alt_label, parent_label from cells c join budget_tables t on t.id = c.table_id "
                     "where t.key = 'basic_econ' and row_label = '取暖费' limit 1").fetchone()
    assert row == ("办公经费", "商品和服务支出")


def test_facts_view_has_every_printed_number(db, source_text):
    import re
    printed = 0
    in_tables = source_text.split("第二部分 2023年单位预算报表")[2].split("第三部分")[0]
    for line in in_tables.splitlines():
        for cell in line.split("\t")[1:]:
            if re.fullmatch(r"\d[\d,]*\.\d\d", cell.strip()):
                printed += 1
    assert db.execute("select count(*) from facts where table_key != ''").fetchone()[0] == printed


def test_facts_carry_provenance_and_no_float_noise(db):
    for title, label, v, unit, line in db.execute(
            "select table_title, row_label, value, unit, source_line from facts where table_key != ''"):
        assert title.startswith("2023年") and unit == "万元" and line > 0
        assert round(v, 2) == v


def test_heating_fee_from_the_acceptance_query(db):
    rows = db.execute("select table_title, row_label, value from facts where row_label like '%取暖费%'").fetchall()
    assert {r[2] for r in rows} == {23.86}
    assert rows[0][0] == "2023年一般公共预算安排基本支出分经济科目表（不含上年结转）"


def test_function_hierarchy(db):
    rows = {r[0]: r[1:] for r in db.execute("select code, name, level, parent_code from functions")}
    assert rows["208"] == ("社会保障和就业支出", "类", "")
    assert rows["20801"] == ("人力资源和社会保障管理事务", "款", "208")
    assert rows["2080101"] == ("行政运行", "项", "20801")
    assert rows["2210201"][2] == "22102"
    assert len([c for c in rows if len(c) == 3]) == 3 and len([c for c in rows if len(c) == 7]) == 6
    total = db.execute("select sum(c.value) from cells c join budget_tables t on t.id=c.table_id "
                       "where t.key='expenditure' and length(c.row_code)=7 and c.column_label='合计'").fetchone()[0]
    assert round(total, 2) == 1036.43
