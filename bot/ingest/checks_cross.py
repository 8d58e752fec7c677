"""Arithmetic across tables: the same figure printed in two tables agrees (by table key and column name).

收支总表 totals = 收入表 / 支出表 合计; each 功能 类 in the 收支总表 = its row in the 支出表; 财政拨款收支总表
一般公共预算 = 一般公共预算支出表; 基本支出 in the 支出表 = the 经济分类 table; 项目支出 = Σ 项目支出表; and two
bounds that are not identities: a 三公 item paid from 基本支出 cannot exceed the 三公 table's, nor 机关运行经费 the
基本支出's 公用经费.
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from .checks import EXACT, Check, Index, cell, code_of, money, norm, page, title, total, v

if TYPE_CHECKING:  # pragma: no cover
    from .model import Record as Row
    from .reader import Disclosure as Document, TableView as Table

Figure = tuple[Decimal | None, "Row | None", str]


def _tolerance(t1: Table, t2: Table) -> Decimal:
    """Exact when both tables print the same unit; half a cent when one is in 万元 and the other in 元."""
    return EXACT if t1.unit == t2.unit else Decimal("0.005")


def _said(t: Table, x: Decimal | None, r: Row | None) -> str:
    return f"{title(t)}中为{money(x)}{page(r.page or t.page)}" if r is not None else f"{title(t)}中没有这一行"


def _same(what: str, t1: Table, f1: Figure, t2: Table, f2: Figure) -> Check | None:
    """One figure in two tables (skipped when neither prints it)."""
    (a, r1, _), (b, r2, _) = f1, f2
    if a is None and b is None:
        return None
    return Check("cross", f"{what}：{title(t1)}与{title(t2)}一致", v(a), v(b),
                 f"{what}在{_said(t1, a, r1)}，在{_said(t2, b, r2)}", tolerance=_tolerance(t1, t2))


def _at_most(what: str, t1: Table, f1: Figure, t2: Table, f2: Figure) -> Check | None:
    """A part printed in t1 cannot exceed the whole printed in t2 (passes when a ≤ b)."""
    (a, r1, _), (b, r2, _) = f1, f2
    if a is None or b is None:
        return None
    return Check("cross", f"{what}：{title(t1)}不超过{title(t2)}", min(v(a), v(b)), v(a),
                 f"{what}在{_said(t1, a, r1)}，{_said(t2, b, r2)}，前者不应更大", tolerance=_tolerance(t1, t2))


def across(doc: Document, index: Index) -> list[Check]:
    """Every figure two tables both print."""
    s, inc, exp, gpb, fis = (index.get(k) for k in ("summary", "income", "expenditure", "gpb_expenditure",
                                                      "fiscal_summary"))
    econ, sg, jg, prj = (index.get(k) for k in ("basic_econ", "sangong", "jiguan", "projects"))
    final = doc.stage == "决算"
    in_total = ("本年收入合计",) if final else ("收入总计", "本年收入合计")
    out_total = ("本年支出合计",) if final else ("支出总计", "本年支出合计")
    out: list[Check | None] = []
    if s and inc:
        out.append(_same("收入合计", s, cell(s, in_total, "合计", "收入"), inc, cell(inc, "合计", "合计")))
    if s and exp:
        out.append(_same("支出合计", s, cell(s, out_total, "合计", "支出"), exp, cell(exp, "合计", "合计")))
        out += [_same(r.label, s, (r.values.get("合计"), r, "合计"), exp, _class_row(exp, r.label, "合计"))
                for r in s.rows if r.side == "支出" and r.item_no and not r.item_no.isdigit()]
    if fis and gpb:
        out.append(_same("一般公共预算支出合计", fis, cell(fis, out_total, "一般公共预算", "支出"), gpb,
                         cell(gpb, "合计", "合计")))
        out += [_same(r.label, fis, (r.values.get("一般公共预算"), r, "一般公共预算"), gpb,
                      _class_row(gpb, r.label, "合计"))
                for r in fis.rows if r.side == "支出" and r.item_no and not r.item_no.isdigit()]
    if not final and inc and exp:  # a budget's income by 功能科目 is its spending by 功能科目
        for r in (r for r in inc.rows if r.code):
            other = next((x for x in exp.rows if x.code == r.code), None)
            out.append(_same(f"{code_of(r)} {r.label}", inc, (r.values.get("合计"), r, "合计"), exp,
                             (other.values.get("合计") if other else None, other, "合计")))
    if gpb and exp and inc and not final and cell(inc, "合计", "合计")[0] == cell(inc, "合计", ("财政拨款收入",
                                                                                         "一般公共预算"))[0]:
        for col in ("合计", "基本支出", "项目支出"):
            out.append(_same(f"全部为一般公共预算拨款时的{col}", exp, cell(exp, "合计", col), gpb, cell(gpb, "合计", col)))
    if econ and gpb:
        if cell(econ, "人员经费合计", "合计")[1] is not None:
            a, ra, _ = cell(econ, "人员经费合计", "合计")
            b, _, _ = cell(econ, "公用经费合计", "合计")
            out.append(_same("基本支出（人员经费合计+公用经费合计）", econ, (v(a) + v(b), ra, "合计"), gpb,
                             cell(gpb, "合计", "基本支出")))
        else:
            out.append(_same("基本支出", econ, cell(econ, "合计", "合计"), gpb, cell(gpb, "合计", "基本支出")))
    if sg and econ:
        col = ("决算数", "合计") if final else ("合计", "预算数")
        for label in ("公务接待费", "公务用车运行维护费"):
            if cell(econ, label, "合计")[1] is not None:
                out.append(_at_most(f"基本支出中的{label}", econ, cell(econ, label, "合计"), sg, cell(sg, label, col)))
    if jg and econ:
        whole = cell(econ, "合计", "公用经费")
        if whole[1] is None or whole[0] is None:
            whole = cell(econ, "公用经费合计", "合计")
        out.append(_at_most("机关运行经费", jg, cell(jg, ("部门合计", "合计"), "合计"), econ, whole))
    if prj and exp:
        got = total(prj.rows, "合计")
        out.append(_same("项目支出", prj, (got, prj.rows[0], "合计"), exp, cell(exp, "合计", "项目支出")))
    return [c for c in out if c is not None]


def _class_row(t: Table, label: str, col: str) -> Figure:
    """The 类 (3-digit) row of a 功能 table by name."""
    r = next((x for x in t.rows if len(x.code) == 3 and norm(x.label) == norm(label)), None)
    return (r.values.get(col) if r else None, r, col)
