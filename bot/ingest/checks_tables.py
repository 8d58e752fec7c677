"""Arithmetic inside each table: codes, 类 = Σ款 = Σ项, parent = Σ its items, 合计 = Σ its parts, two-sided totals.

Driven by what a table holds, not by its template: coded rows are summed by code, uncoded rows by the parent
each names; a row's 合计 is checked against the columns that are its parts (funding sources or kinds of spending).
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from .checks import EXACT, ZERO, Check, Index, money, norm, page, row_name, title, total, v, value_cols

if TYPE_CHECKING:  # pragma: no cover
    from .reader import Disclosure as Document, TableView as Table

# Columns that are parts of a row's 合计 (or 小计): funding sources and kinds of spending.
PARTS = frozenset((
    "财政拨款收入", "上级补助收入", "事业收入", "事业单位经营收入", "经营收入", "附属单位上缴收入", "其他收入",
    "一般公共预算", "政府性基金", "政府性基金预算", "国有资本经营预算", "财政专户管理资金", "单位资金", "上年结转",
    "基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出", "人员经费", "公用经费",
    "当年预算安排", "上年结转安排"))
TOTAL_COLS = ("合计", "小计")
TWO_SIDED = ("summary", "fiscal_summary")
TOTAL_LABELS = ("合计", "部门合计", "总计", "单位合计")


def _check(kind: str, name: str, expected: Decimal, actual: Decimal, detail: str) -> Check:
    return Check(kind, name, expected, actual, detail, tolerance=EXACT)


def inside(doc: Document, index: Index) -> list[Check]:
    """Every table's own arithmetic."""
    out: list[Check] = []
    for t in doc.tables:
        if t.empty or not t.rows:
            continue
        out += _codes(t) + _by_code(t) + _row_sums(t)
        if t.spec.key in TWO_SIDED:
            out += _two_sided(t)
        elif t.spec.key and not any(r.code for r in t.rows):
            out += _by_parent(t)
    return out


def _codes(t: Table) -> list[Check]:
    """A code printed in split columns has 3 digits for its 类 and 2 for its 款 and 项."""
    out = []
    for r in t.rows:
        for k, part in enumerate(r.code_parts):
            want, level = (3, "类") if k == 0 else (2, "款" if k == 1 else "项")
            if part and len(part) != want:
                out.append(_check("code", f"{title(t)}{row_name(r)}：{level}编码应为{want}位数字", Decimal(want),
                                  Decimal(len(part)), f"{title(t)}“{r.label}”行的{level}编码印为“{part}”，应为{want}位数字"
                                  f"{page(r.page)}"))
    return out


def _by_code(t: Table) -> list[Check]:
    """类 = Σ款, 款 = Σ项 (by code), and the 合计 row of each side = Σ类, per value column."""
    out = []
    coded = [r for r in t.rows if r.code]
    for side in dict.fromkeys(r.side for r in coded):
        rows = [r for r in coded if r.side == side]
        cols = value_cols(t, side) if t.spec.key in TWO_SIDED else list(dict.fromkeys(c for r in rows
                                                                                     for c in r.values))
        deepest = max(len(r.code) for r in rows)
        for r in rows:
            if any(len(p) != (3 if k == 0 else 2) for k, p in enumerate(r.code_parts) if p) \
                    or len(r.code) not in (3, 5) or len(r.code) >= deepest:
                continue  # a misprinted code is its own failed check; the deepest level has no items
            kids = [k for k in rows if len(k.code) == len(r.code) + 2 and k.code.startswith(r.code)]
            level = "款" if len(r.code) == 3 else "项"
            for c in cols:
                if c in r.values:
                    out.append(_check("hierarchy", f"{title(t)}{row_name(r)}：{c}=所属各{level}之和", total(kids, c),
                                      v(r.values[c]), f"{title(t)}{row_name(r)}行“{c}”印为{money(r.values[c])}，"
                                      f"所属各{level}相加为{money(total(kids, c))}{page(r.page)}"))
        top = [r for r in rows if len(r.code) == 3]
        head = next((r for r in t.rows if r.side == side and not r.code and _is_total(r.label)), None)
        if head is not None and top:
            for c in cols:
                if c in head.values:
                    out.append(_check("total", f"{title(t)}“{head.label}”：{c}=各类之和", total(top, c),
                                      v(head.values[c]), f"{title(t)}“{head.label}”行“{c}”印为{money(head.values[c])}"
                                      f"，各类相加为{money(total(top, c))}{page(head.page)}"))
    return out


def _is_total(label: str) -> bool:
    n = norm(label)
    return n in TOTAL_LABELS or (n.endswith("合计") and not n.startswith("本年"))


def _row_sums(t: Table) -> list[Check]:
    """A row's 合计 (小计) = Σ the columns that are its parts (funding sources, kinds of spending)."""
    out = []
    for r in t.rows:
        if all(x is None for x in r.values.values()):
            continue
        head = next((c for c in TOTAL_COLS if c in r.values), None)
        parts = [c for c in r.values if c != head and c not in TOTAL_COLS]
        if head is None or len(parts) < 2 or not all(p in PARTS for p in parts):
            continue
        if head == "合计" and "小计" in r.values:
            continue  # 合计 and 小计 side by side: 小计 = Σ funds, checked below
        got = sum((v(r.values[p]) for p in parts), ZERO)
        out.append(_check("row", f"{title(t)}{row_name(r)}：{'+'.join(parts)}={head}", got, v(r.values[head]),
                          f"{title(t)}{row_name(r)}行“{head}”印为{money(r.values[head])}，"
                          f"{'、'.join(parts)}相加为{money(got)}{page(r.page)}"))
    return out


def _by_parent(t: Table) -> list[Check]:
    """Uncoded tables: a row = Σ the rows that name it as parent; the total row = Σ the top-level rows."""
    out = []
    for side in dict.fromkeys(r.side for r in t.rows):
        rows = [r for r in t.rows if r.side == side]
        for p in dict.fromkeys(r.parent for r in rows if r.parent):
            parent = next((r for r in rows if r.label == p and not r.parent), None)
            kids = [r for r in rows if r.parent == p]
            if parent is None:
                continue
            for c in parent.values:
                out.append(_check("hierarchy", f"{title(t)}“{p}”：{c}=其中各项之和", total(kids, c), v(parent.values[c]),
                                  f"{title(t)}“{p}”行“{c}”印为{money(parent.values[c])}，其中各项相加为"
                                  f"{money(total(kids, c))}{page(parent.page)}"))
        head = next((r for r in rows if not r.parent and _is_total(r.label)), None)
        top = [r for r in rows if not r.parent and r is not head and not _is_total(r.label)]
        if head is not None and top:
            for c in head.values:
                out.append(_check("total", f"{title(t)}“{head.label}”：{c}=各项之和", total(top, c), v(head.values[c]),
                                  f"{title(t)}“{head.label}”行“{c}”印为{money(head.values[c])}，各项相加为"
                                  f"{money(total(top, c))}{page(head.page)}"))
    return out


def _two_sided(t: Table) -> list[Check]:
    """Σ numbered items = 本年合计 (or 总计) on each side; 其中 items = their parent; 总计 = 本年合计 + 结转; 收 = 支."""
    out = []
    first = {}
    for side in ("收入", "支出"):
        cols = value_cols(t, side)
        if not cols:
            continue
        col = first[side] = cols[0]
        rows = [r for r in t.rows if r.side == side]
        items = [r for r in rows if r.item_no and not r.item_no.isdigit() and not r.parent]
        year_total = next((r for r in rows if norm(r.label).startswith("本年") and norm(r.label).endswith("合计")), None)
        grand = next((r for r in rows if norm(r.label).endswith("总计")), None)
        target = year_total or grand
        if target is not None and items:
            out.append(_check("total", f"{title(t)}“{target.label}”（{side}）=各项{side}之和", total(items, col),
                              v(target.values.get(col)), f"{title(t)}{side}方“{target.label}”印为"
                              f"{money(target.values.get(col))}，各项{side}相加为{money(total(items, col))}"
                              f"{page(target.page)}"))
        kids = [r for r in rows if r.item_no.isdigit() and r.parent]
        for p in dict.fromkeys(r.parent for r in kids):
            parent = next((r for r in rows if r.label == p), None)
            if parent is not None:
                got = total([k for k in kids if k.parent == p], col)
                out.append(_check("hierarchy", f"{title(t)}“{p}”=其中各项之和", got, v(parent.values.get(col)),
                                  f"{title(t)}“{p}”印为{money(parent.values.get(col))}，其中各项相加为{money(got)}"
                                  f"{page(parent.page)}"))
        if year_total is not None and grand is not None and year_total is not grand:
            extra = [r for r in rows if year_total.row_no < r.row_no < grand.row_no and not r.parent]
            got = v(year_total.values.get(col)) + total(extra, col)
            out.append(_check("total", f"{title(t)}“{grand.label}”（{side}）={year_total.label}+结转结余", got,
                              v(grand.values.get(col)), f"{title(t)}{side}方“{grand.label}”印为"
                              f"{money(grand.values.get(col))}，{year_total.label}加结转结余为{money(got)}"
                              f"{page(grand.page)}"))
    gin = next((r for r in t.rows if r.side == "收入" and norm(r.label).endswith("总计")), None)
    gout = next((r for r in t.rows if r.side == "支出" and norm(r.label).endswith("总计")), None)
    if gin is not None and gout is not None and "收入" in first and "支出" in first:
        a, b = v(gin.values.get(first["收入"])), v(gout.values.get(first["支出"]))
        out.append(_check("balance", f"{title(t)}：收入总计=支出总计", a, b,
                          f"{title(t)}收入总计为{money(a)}，支出总计为{money(b)}{page(gout.page)}"))
    return out


def fund_balance(doc: Document, index: Index) -> list[Check]:
    """决算 fund tables (政府性基金, 国有资本经营): 年末结转和结余 = 年初 + 本年收入 − 本年支出."""
    out = []
    for t in doc.tables:
        if t.empty or not t.rows:
            continue
        cols = value_cols(t)
        start = next((c for c in cols if "年初结转" in c), None)
        income = next((c for c in cols if c.startswith("本年收入")), None)
        spend = next((c for c in cols if c.startswith("本年支出")), None) or ("合计" if "合计" in cols else None)
        end = next((c for c in cols if "年末结转" in c), None)
        if not (start and income and spend and end):
            continue
        for r in t.rows:
            if all(r.values.get(c) is None for c in (start, income, spend, end)):
                continue
            got = v(r.values.get(start)) + v(r.values.get(income)) - v(r.values.get(spend))
            out.append(_check("row", f"{title(t)}{row_name(r)}：年末结转和结余=年初+本年收入−本年支出", got,
                              v(r.values.get(end)), f"{title(t)}{row_name(r)}行年末结转和结余印为"
                              f"{money(r.values.get(end))}，按年初、本年收支计算为{money(got)}{page(r.page)}"))
    return out

