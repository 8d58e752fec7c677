"""The checks on the real documents: every template gets table, cross-table and prose checks; the documents' own
discrepancies are found and named in one line with their table, row or sentence and page; nothing else fails."""
from __future__ import annotations

import re
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from bot.ingest.build import build, read_file
from bot.ingest.checks import Check, half_unit, money, one_unit, run
from bot.ingest.verify import GROUPS, checks_for

DATA = Path(__file__).resolve().parent.parent / "data" / "disclosures"
DOCS = {
    "seed": "xinzhou-rsj-2023-budget.txt",
    "wanli23": "shanghai-putuo-wanli-street-2023-budget.pdf",
    "wanli24": "shanghai-putuo-wanli-street-2024-budget.pdf",
    "welfare": "shanghai-putuo-welfare-home-2024-budget.pdf",
    "finance": "shanghai-finance-bureau-2025-municipal-unit-budget.pdf",
    "planning": "shanghai-putuo-planning-2024-final-accounts.pdf",
}


@pytest.fixture(scope="module")
def read() -> dict[str, tuple]:
    """Each document read once, with its checks."""
    out = {}
    for key, name in DOCS.items():
        doc = read_file(DATA / name)
        out[key] = doc, checks_for(doc)
    return out


def failed(checks: list[Check]) -> list[Check]:
    """The checks that did not pass."""
    return [c for c in checks if not c.passed]


def line(c: Check) -> str:
    """A check as /check shows it: name and detail on one line."""
    return f"{c.name}：{c.detail}"


@pytest.mark.parametrize("key", DOCS)
def test_every_template_gets_table_cross_and_prose_checks(read, key):
    doc, checks = read[key]
    kinds = {c.kind for c in checks}
    assert {"narrative", "cross", "total", "hierarchy", "row"} <= kinds, kinds
    assert sum(c.kind == "narrative" for c in checks) >= 30
    assert not [p for p in doc.problems if p.startswith("核对")], doc.problems  # no check group broke


@pytest.mark.parametrize("key", DOCS)
def test_prose_checks_come_first(read, key):
    kinds = [c.kind for c in read[key][1]]
    assert kinds[:kinds.count("narrative")] == ["narrative"] * kinds.count("narrative")


@pytest.mark.parametrize("key", DOCS)
def test_every_failure_is_one_line_naming_where_and_the_page(read, key):
    for c in failed(read[key][1]):
        text = line(c)
        assert "\n" not in text and len(text) < 400, text
        assert re.search(r"第\d+页", c.detail), text
        assert re.search(r"《|绩效目标表“|写", text), text  # a table or form by its title, or what a sentence says


def test_the_seed_fails_only_its_rounding_in_the_economic_table(read):
    bad = failed(read["seed"][1])
    assert {(c.expected, c.actual) for c in bad} == {(Decimal("651.62"), Decimal("651.63")),
                                                     (Decimal("525.97"), Decimal("525.98"))}
    assert all("基本支出分经济科目表" in c.name and "第13页" in c.detail for c in bad)


def test_the_seeds_old_checks_are_all_still_made(read):
    names = [c.name for c in read["seed"][1]]
    for part in ("政府采购总额=货物+工程+服务", "绩效目标项目个数", "有绩效目标表", "年度资金=", "资金总额=各来源之和",
                 "三公", "机关运行经费", "内设机构个数", "收入总计=支出总计", "变动幅度", "所占比例", "政府购买服务"):
        assert any(part in n for n in names), part
    ok = [c for c in read["seed"][1] if c.kind in ("narrative", "project")]
    assert len(ok) > 80 and all(c.passed for c in ok)


def test_a_budget_item_whose_prose_figure_differs_from_its_row_fails(read):
    """万里街道 2023: 职业年金 预算安排441.25万元 in the 编制说明, 220.63 in the 功能分类 table."""
    hits = [c for c in failed(read["wanli23"][1]) if "机关事业单位职业年金缴费支出" in c.name and "预算安排" in c.name]
    assert len(hits) == 1
    c = hits[0]
    assert c.kind == "narrative" and c.actual == Decimal("441.25")
    assert "441.25万元" in c.detail and "220.63万元" in c.detail and "第7页" in c.detail
    assert "功能分类预算表" in c.detail and "208 05 06" in c.detail


def test_the_final_accounts_prose_is_checked_against_its_tables(read):
    checks = read["planning"][1]
    prose = [c for c in checks if c.kind == "narrative"]
    rates = [c for c in prose if "完成率" in c.name]
    assert len(rates) >= 12 and all(c.passed for c in rates)  # every 完成率 printed = 决算 ÷ 年初预算
    sizes = [c for c in prose if "决算数与预算数的大小" in c.name]
    assert len(sizes) >= 10 and all(c.passed for c in sizes)
    assert any("收入支出总计的变动幅度" in c.name and c.passed for c in prose)
    assert any("比较的年度应为2023年" in c.name for c in prose)
    # the document's own discrepancies between its prose and its tables
    bad = {c.detail for c in failed(prose)}
    assert any("人员经费4896.98万元" in d and "4884.09万元" in d and "第24页" in d for d in bad)
    assert any("机关事业单位退休人员活动费支出" in d and "没有这一科目" in d and "其他行政事业单位养老支出" in d for d in bad)


def test_misprinted_codes_are_named(read):
    bad = [c.detail for c in failed(read["welfare"][1]) if c.kind == "code"]
    assert bad and all("事业单位医疗" in d and "“7”" in d and "第" in d for d in bad)
    bad = [c.detail for c in failed(read["wanli24"][1]) if c.kind == "code"]
    assert {re.search(r"“(\S+?)”行", d).group(1) for d in bad} == {"津贴补贴", "绩效工资"}


@pytest.mark.parametrize("key", DOCS)
def test_every_table_the_contents_lists_is_found(read, key):
    doc, checks = read[key]
    listed = [c for c in checks if c.kind == "contents"]
    assert all(c.passed for c in listed), [c.detail for c in failed(listed)]
    if key not in ("wanli24",):  # its 目录 is read as one entry (a reader limit, reported)
        assert len(listed) >= 9


def test_a_missing_table_the_contents_lists_fails_naming_it(read):
    doc, _ = read["wanli23"]
    kept = doc.tables
    try:
        doc.tables = [t for t in kept if "收入预算总表" not in t.title]
        bad = [c for c in checks_for(doc) if c.kind == "contents" and not c.passed]
    finally:
        doc.tables = kept
    assert [c.detail for c in bad] == ["目录列出《2023年部门收入预算总表》，文件中没有找到这张表（缺页或未印）"]


def test_a_check_group_that_breaks_is_reported_not_raised(read):
    doc, checks = read["seed"]

    def broken(doc, index):
        raise ValueError("boom")

    problems = list(doc.problems)
    try:
        out = run(doc, (broken, *GROUPS))
        assert len(out) == len(checks)
        assert any("broken" in p and "boom" in p for p in doc.problems)
    finally:
        doc.problems[:] = problems


def test_a_changed_table_figure_fails_its_sums(read):
    import copy

    doc = copy.deepcopy(read["seed"][0])
    table = next(t for t in doc.tables if t.spec.key == "sangong")
    next(r for r in table.rows if r.label == "合计").values["合计"] = Decimal("7.00")
    bad = [c for c in checks_for(doc) if not c.passed]
    assert any(c.kind == "total" and "三公" in c.name for c in bad)
    assert any(c.kind == "narrative" and "三公" in c.detail and "6.00万元" in c.detail and "7.00万元" in c.detail
               for c in bad)


def test_the_build_writes_every_check(tmp_path):
    checks = build([DATA / DOCS["seed"]], tmp_path / "db")
    conn = sqlite3.connect(tmp_path / "db")
    rows = conn.execute("select kind, name, detail, passed from checks order by id").fetchall()
    assert len(rows) == len(checks) and sum(1 - p for *_, p in rows) == 2
    assert rows[0][0] == "narrative"


def test_tolerance_follows_what_is_printed():
    assert half_unit(Decimal("17192")) == Decimal("0.5")
    assert half_unit(Decimal("220.63")) == Decimal("0.005")
    assert one_unit(Decimal("95.45")) > Decimal("0.01")
    assert money(Decimal("220.6272"), Decimal("441.25")) == "220.63万元"
    assert money(Decimal("2484.0779")) == "2484.0779万元" and money(None) == "空白"
    rounded = Check("narrative", "x", Decimal("17191.52"), Decimal("17192"), tolerance=half_unit(Decimal("17192")))
    assert rounded.passed  # the prose prints whole 万元
    assert not Check("narrative", "x", Decimal("220.6272"), Decimal("441.25")).passed
