"""The data checks: every identity kind is present, and the document's own rounding differences are found."""
from __future__ import annotations


def test_checks_cover_every_kind(db):
    kinds = {r[0] for r in db.execute("select distinct kind from checks")}
    assert {"row", "hierarchy", "total", "cross", "balance", "narrative", "project", "text"} <= kinds
    assert db.execute("select count(*) from checks").fetchone()[0] > 300


def test_only_the_documents_rounding_differences_fail(db):
    failed = db.execute("select name, expected, actual, difference from checks where passed = 0 order by name").fetchall()
    assert len(failed) == 2
    for name, expected, actual, diff in failed:
        assert "基本支出分经济科目表" in name and round(diff, 2) == 0.01
    assert {(round(e, 2), round(a, 2)) for _, e, a, _ in failed} == {(651.62, 651.63), (525.97, 525.98)}


def test_a_changed_figure_fails_its_check(doc):
    import copy
    from decimal import Decimal

    from bot.ingest.checks import run_checks

    changed = copy.deepcopy(doc)
    table = next(t for t in changed.tables if t.spec.key == "sangong")
    row = next(r for r in table.rows if r.label == "合计")
    row.values["合计"] = Decimal("7.00")
    failed = {c.name for c in run_checks(changed) if not c.passed}
    assert any("三公" in n for n in failed)


def test_narrative_and_procurement_checks_pass(db):
    rows = db.execute("select name, passed from checks where kind in ('narrative', 'project')").fetchall()
    names = {n for n, _ in rows}
    assert "政府采购：总额=货物+工程+服务" in names
    assert "情况说明一：增长率=增加额÷上年数" in names
    assert all(p for _, p in rows)


def _failed_after(tmp_path, twins, change) -> list[tuple[str, str]]:
    """Build a changed copy of the 万里街道 text twin; its failed checks (name, detail)."""
    import sqlite3

    from bot.ingest.build import build

    text = twins["wanli-street-2023-budget"].read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text
    path = tmp_path / "tampered.txt"
    path.write_text(changed, encoding="utf-8")
    build([path], tmp_path / "t.db")
    conn = sqlite3.connect(tmp_path / "t.db")
    return conn.execute("select name, detail from checks where passed = 0").fetchall()


BASELINE = {"情况说明：政府性基金拨款支出预算0万元比2022年增加1421.25万元，上年数不应为负",
            "编制说明：行政事业单位养老支出｜机关事业单位职业年金缴费支出：所列金额=预算安排"}


def test_untampered_copy_fails_only_its_own_quirk(tmp_path, twins):
    assert {n for n, _ in _failed_after(tmp_path, twins, lambda t: t + "\n")} == BASELINE


def test_a_deleted_row_fails_its_parents_sum(tmp_path, twins):
    def drop(text: str) -> str:
        lines = text.split("\n")
        title = max(i for i, ln in enumerate(lines) if ln == "2023年部门支出预算总表")
        at = next(i for i, ln in enumerate(lines) if i > title and ln.startswith("208\t05\t01\t行政单位离退休\t"))
        return "\n".join(lines[:at] + lines[at + 1:])
    failed = {n for n, _ in _failed_after(tmp_path, twins, drop)} - BASELINE
    assert "2023年部门支出预算总表｜208 05 行政事业单位养老支出｜合计=下级之和" in failed
    assert all("支出预算总表" in n for n in failed)


def test_a_changed_total_fails_naming_table_and_row(tmp_path, twins):
    failed = {n for n, _ in _failed_after(tmp_path, twins, lambda t: t.replace(
        "合计\t\t\t99,406,297\t84,024,865\t15,381,432", "合计\t\t\t99,406,297\t84,024,866\t15,381,432"))} - BASELINE
    assert "2023年部门一般公共预算基本支出部门预算经济分类预算表｜合计：人员经费+公用经费=合计" in failed
    assert "2023年部门一般公共预算基本支出部门预算经济分类预算表｜合计｜人员经费=各类之和" in failed


def test_a_changed_year_in_the_narrative_fails(tmp_path, twins):
    failed = _failed_after(tmp_path, twins, lambda t: t.replace("2023年，上海市普陀区人民政府万里街道办事处收入预算",
                                                               "2025年，上海市普陀区人民政府万里街道办事处收入预算"))
    hits = [(n, d) for n, d in failed if "年度" in n]
    assert hits and hits[0][0].startswith("部门预算编制说明") and "2025年" in hits[0][1] and "第6页" in hits[0][1]


def test_a_changed_narrative_figure_fails_against_the_table(tmp_path, twins):
    failed = {n for n, _ in _failed_after(tmp_path, twins, lambda t: t.replace(
        "“三公”经费预算数为22.91万元", "“三公”经费预算数为23.91万元"))} - BASELINE
    assert failed == {"情况说明：三公经费=三公经费预算表合计"}
