"""The three Shanghai PDFs: documents, tables by meaning, exact amounts in 万元 with what was printed, pages."""
from __future__ import annotations

import sqlite3

import pytest

from bot.ingest.build import build
from conftest import cell, doc_id

DOCS = [
    # unit part, full unit, level, region, year, stage, scope, pages, template
    ("万里街道", "上海市普陀区人民政府万里街道办事处", "街道", "上海市普陀区", 2023, "预算", "部门", 35, "shanghai-budget"),
    ("福利院", "上海市普陀区社会福利院", "区", "上海市普陀区", 2024, "预算", "单位", 16, "shanghai-budget"),
    ("规划和自然资源局", "上海市普陀区规划和自然资源局", "区", "上海市普陀区", 2024, "决算", "部门", 30,
     "national-final-accounts"),
    ("人力资源和社会保障局", "忻州市人力资源和社会保障局", "市", "忻州市", 2023, "预算", "单位", 41, "national-budget"),
]


@pytest.mark.parametrize("part,unit,level,region,year,stage,scope,pages,template", DOCS)
def test_document_metadata(mdb, part, unit, level, region, year, stage, scope, pages, template):
    row = mdb.execute("select unit, level, region, year, stage, scope, pages, template, sha256, source_file "
                      "from documents where id = ?", (doc_id(mdb, part),)).fetchone()
    assert row[:8] == (unit, level, region, year, stage, scope, pages, template)
    assert len(row[8]) == 64 and row[9].endswith((".pdf", ".txt"))


KEYS = {
    "万里街道": ["summary", "income", "expenditure", "fiscal_summary", "gpb_expenditure", "gov_fund_expenditure",
             "state_capital", "basic_econ", "sangong", "jiguan"],
    "福利院": ["summary", "income", "expenditure", "fiscal_summary", "gpb_expenditure", "gov_fund_expenditure",
            "state_capital", "basic_econ", "sangong", "jiguan"],
    "规划和自然资源局": ["summary", "income", "expenditure", "fiscal_summary", "gpb_expenditure", "basic_econ", "sangong",
                 "gov_fund", "state_capital"],
}


@pytest.mark.parametrize("part", KEYS)
def test_tables_by_meaning_in_printed_order(mdb, part):
    keys = [r[0] for r in mdb.execute("select key from budget_tables where document_id = ? and key != '' order by seq",
                                      (doc_id(mdb, part),))]
    assert keys == KEYS[part]


TYPED = [
    # unit part, key, row, column, side, value in 万元, printed
    ("万里街道", "basic_econ", "合计", "人员经费", None, 8402.4865, "84,024,865"),
    ("万里街道", "basic_econ", "合计", "公用经费", None, 1538.1432, "15,381,432"),
    ("万里街道", "basic_econ", "基本工资", "合计", None, 566.8416, "5,668,416"),
    ("万里街道", "summary", "收入总计", "合计", "收入", 16497.864, "164,978,640"),
    ("万里街道", "expenditure", "合计", "项目支出", None, 6557.2343, "65,572,343"),
    ("万里街道", "sangong", "合计", "合计", None, 22.91, "22.91"),
    ("万里街道", "sangong", "公务用车运行维护费", "合计", None, 21.56, "21.56"),
    ("万里街道", "sangong", "因公出国（境）费", "合计", None, 0.0, "0"),
    ("万里街道", "jiguan", "部门合计", "合计", None, 786.09, "786.09"),
    ("福利院", "income", "合计", "财政拨款收入", None, 950.1164, "9,501,164"),
    ("福利院", "income", "合计", "事业收入", None, 262.0, "2,620,000"),
    ("福利院", "summary", "支出总计", "人员经费", "支出", 738.0214, "7,380,214"),
    ("福利院", "sangong", "公务用车运行维护费", "合计", None, 6.4, "6.4"),
    ("福利院", "fiscal_summary", "支出总计", "一般公共预算", "支出", 950.1164, "9,501,164"),
    ("规划和自然资源局", "expenditure", "合计", "合计", None, 9759.38, "9759.38"),
    ("规划和自然资源局", "expenditure", "合计", "基本支出", None, 5377.64, "5377.64"),
    ("规划和自然资源局", "expenditure", "合计", "项目支出", None, 4381.74, "4381.74"),
    ("规划和自然资源局", "summary", "本年支出合计", "合计", "支出", 9759.38, "9759.38"),
    ("规划和自然资源局", "summary", "年初结转和结余", "合计", "收入", 112.88, "112.88"),
    ("规划和自然资源局", "sangong", "合计", "预算数", None, 2.85, "2.85"),
    ("规划和自然资源局", "sangong", "合计", "决算数", None, 0.39, "0.39"),
    ("规划和自然资源局", "sangong", "公务接待费", "决算数", None, 0.39, "0.39"),
    ("规划和自然资源局", "basic_econ", "公用经费合计", "合计", "公用经费", 480.66, "480.66"),
    ("规划和自然资源局", "basic_econ", "办公设备购置", "合计", "公用经费", 39.76, "39.76"),
]


@pytest.mark.parametrize("part,key,label,column,side,value,printed", TYPED)
def test_typed_values(mdb, part, key, label, column, side, value, printed):
    got = cell(mdb, doc_id(mdb, part), key, label, column, side)
    assert got[0] == pytest.approx(value, abs=1e-9) and got[1] == printed and got[2] > 0


def test_sangong_rows_use_the_seed_labels_and_parents(mdb):
    for part in ("万里街道", "福利院", "规划和自然资源局", "人力资源和社会保障局"):
        rows = dict(mdb.execute("select distinct c.row_label, c.parent_label from cells c join budget_tables t "
                                "on t.id = c.table_id where t.key = 'sangong' and c.document_id = ?",
                                (doc_id(mdb, part),)).fetchall())
        assert {"合计", "因公出国（境）费", "公务接待费", "公务用车购置及运行费", "公务用车购置费", "公务用车运行维护费"} <= set(rows)
        assert rows["公务用车购置费"] == rows["公务用车运行维护费"] == "公务用车购置及运行费"


def test_split_codes_are_joined_like_the_seed(mdb):
    wanli = doc_id(mdb, "万里街道")
    assert cell(mdb, wanli, "expenditure", "行政单位离退休", "合计")[4] == "2080501"
    assert cell(mdb, wanli, "basic_econ", "基本工资", "合计")[3:] == ("工资福利支出", "30101")
    assert cell(mdb, wanli, "gpb_expenditure", "行政单位离退休", "合计")[3] == "行政事业单位养老支出"
    names = dict(mdb.execute("select code, name from functions where document_id = ?", (wanli,)).fetchall())
    assert names["208"] == "社会保障和就业支出" and names["20805"] == "行政事业单位养老支出" and "30101" not in names


def test_tables_continued_across_pages_are_one_table_without_repeated_headers(mdb):
    wanli = doc_id(mdb, "万里街道")
    pages, labels = zip(*mdb.execute(
        "select distinct c.page, c.row_label from cells c join budget_tables t on t.id = c.table_id "
        "where c.document_id = ? and t.key = 'gpb_expenditure'", (wanli,)).fetchall())
    assert len(set(pages)) >= 3
    assert not {"项目", "功能分类科目编码", "类"} & set(labels)
    n = mdb.execute("select count(distinct c.row_no) from cells c join budget_tables t on t.id = c.table_id "
                    "where c.document_id = ? and t.key = 'gpb_expenditure'", (wanli,)).fetchone()[0]
    assert n == 67  # 66 coded rows and 合计


@pytest.mark.parametrize("part,key", [("万里街道", "gov_fund_expenditure"), ("福利院", "state_capital"),
                                      ("规划和自然资源局", "gov_fund")])
def test_empty_tables_are_recorded_empty(mdb, part, key):
    empty, = mdb.execute("select empty from budget_tables where document_id = ? and key = ?",
                         (doc_id(mdb, part), key)).fetchone()
    assert empty == 1
    assert mdb.execute("select count(*) from facts f where f.document_id = ? and table_key = ?",
                       (doc_id(mdb, part), key)).fetchone()[0] == 0


def test_every_cell_and_table_has_a_page(mdb):
    assert mdb.execute("select count(*) from cells where page is null").fetchone()[0] == 0
    assert mdb.execute("select count(*) from budget_tables where page is null").fetchone()[0] == 0
    seed = doc_id(mdb, "人力资源和社会保障局")
    assert dict(mdb.execute("select key, page from budget_tables where document_id = ?", (seed,)).fetchall())[
        "basic_econ"] == 13
    assert mdb.execute("select count(*) from sections where page is null").fetchone()[0] == 0
    assert mdb.execute("select count(*) from statements where page is null").fetchone()[0] == 0


def test_values_are_wan_yuan_whatever_was_printed(mdb):
    for unit, printed, value in mdb.execute("select t.unit, c.printed, c.value from cells c join budget_tables t "
                                            "on t.id = c.table_id where c.value is not null"):
        from decimal import Decimal

        raw = Decimal(printed.replace(",", ""))
        assert Decimal(str(value)) == (raw / 10000 if unit == "元" else raw)


def test_narrative_parts(mdb):
    wanli, final = doc_id(mdb, "万里街道"), doc_id(mdb, "规划和自然资源局")
    titles = [r[0] for r in mdb.execute("select title from sections where document_id = ? order by no", (wanli,))]
    assert "部门预算编制说明" in titles and any("三公" in t for t in titles)
    s = mdb.execute("select s.value, s.unit, s.page from statements s join sections sec on sec.document_id = "
                    "s.document_id and sec.no = s.section_no where s.document_id = ? and sec.title like '%三公%' "
                    "and s.label = '公务接待费'", (wanli,)).fetchone()
    assert s == (1.35, "万元", 29)
    terms = {r[0] for r in mdb.execute("select term from glossary where document_id = ?", (final,))}
    assert {"财政拨款收入", "年初结转和结余", "三公经费", "机关运行经费"} <= terms
    assert mdb.execute("select count(*) from duties where document_id = ?", (wanli,)).fetchone()[0] == 9
    assert mdb.execute("select count(*) from sections where document_id = ? and kind = ''", (final,)).fetchone()[0] == 11


def test_source_quirks_are_failed_checks_not_errors(mdb):
    welfare, wanli = doc_id(mdb, "福利院"), doc_id(mdb, "万里街道")
    failed = [r[0] for r in mdb.execute("select name from checks where document_id = ? and passed = 0", (welfare,))]
    assert any("7 11 02 事业单位医疗" in n and "类编码" in n for n in failed)
    failed = [r[0] for r in mdb.execute("select name from checks where document_id = ? and passed = 0", (wanli,))]
    # Each one checked against the PDF: the document's own arithmetic, not our reading.
    assert sorted(failed) == sorted([
        # p.6: 11.67万元 → 45.41万元 is +289.1%, printed "增加314.82%"
        "部门预算编制说明：群众团体事务（款）一般行政管理事务（项）增减幅度",
        # p.8 prints 441.25万元 for 职业年金, the table 220.63万元 (and the % follows the prose)
        "部门预算编制说明与《2023年部门一般公共预算支出功能分类预算表》：机关事业单位职业年金缴费支出预算安排",
        "部门预算编制说明：机关事业单位职业年金缴费支出增减幅度",
        # "政府性基金拨款支出预算0万元，比2022年增加1421.25万元": last year would be negative
        "部门预算编制说明：政府性基金拨款支出预算的上年数不为负",
        # p.35: 当年财政拨款 11,419,043 is more than 财政资金 10,903,043
        "绩效目标表“公共服务设施运行经费”：年度资金总额=各来源之和"])


@pytest.mark.parametrize("name", ["wanli-street-2023-budget", "welfare-home-2024-budget", "planning-2024-final-accounts"])
def test_text_twin_builds_the_same_as_the_pdf(tmp_path, multi, twins, name):
    out = tmp_path / "twin.db"
    build([twins[name]], out)
    twin = sqlite3.connect(out)
    pdf = sqlite3.connect(multi[0])
    unit = twin.execute("select unit from documents").fetchone()[0]
    pid = pdf.execute("select id from documents where unit = ?", (unit,)).fetchone()[0]
    q = ("select t.key, c.side, c.row_code, c.row_label, c.parent_label, c.column_label, c.value, c.printed, c.page "
         "from cells c join budget_tables t on t.id = c.table_id where c.document_id = ? and t.key != '' order by c.id")
    assert twin.execute(q, (1,)).fetchall() == pdf.execute(q, (pid,)).fetchall()
    q = "select kind, name, passed from checks where document_id = ? order by id"
    assert twin.execute(q, (1,)).fetchall() == pdf.execute(q, (pid,)).fetchall()
