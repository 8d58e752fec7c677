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
