"""Project forms (绩效目标申报表 / 填报表) against themselves, the 项目支出表 and the 政府购买服务 prose."""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from .amounts import clean
from .checks import EXACT, ZERO, Check, Index, half_unit, money, norm, page, page_of_line, title, v

if TYPE_CHECKING:  # pragma: no cover
    from .reader import Disclosure as Document

TEN_THOUSAND = Decimal(10000)
SOURCES = {"fiscal": "财政资金", "carry": "上年结转资金", "other": "其他资金", "central": "中央财政资金",
           "provincial": "省级财政资金", "local": "市县（区）财政资金", "own": "单位自筹"}


def projects(doc: Document, index: Index) -> list[Check]:
    """Each form's 资金总额 = Σ its sources; its 年度资金 = its 项目支出表 row; each row of that table has a form."""
    out = []
    prj = index.get("projects")
    for p in doc.projects:
        form = f"绩效目标表“{p.name}”"
        at = page(next((pg for ln in [p.line] + [ln for *_, ln in p.funds] if (pg := page_of_line(doc, ln))), None))
        for period in ("实施期", "年度"):
            funds = {k: x for per, k, x, _ in p.funds if per == period}
            if funds.get("total") is None or len(funds) < 2:
                continue
            parts = sum((v(x) for k, x in funds.items() if k != "total"), ZERO) / TEN_THOUSAND
            whole = v(funds["total"]) / TEN_THOUSAND
            names = "、".join(SOURCES.get(k, k) for k in funds if k != "total")
            out.append(Check("project", f"{form}：{period}资金总额=各来源之和", parts, whole,
                             f"{form}{period}资金总额为{money(whole)}，{names}相加为{money(parts)}{at}", tolerance=EXACT))
        if prj is None:
            continue
        row = p.budget_row
        year_total = next((x for per, k, x, _ in p.funds if per == "年度" and k == "total"), None)
        if row is None:
            out.append(Check("project", f"{form}：在{title(prj)}中有对应项目", Decimal(1), Decimal(0),
                             f"{title(prj)}中找不到{form}所填的项目{at}", tolerance=Decimal("0.5")))
        elif year_total is not None:
            out.append(Check("project", f"{form}：年度资金={title(prj)}“{row.label}”", v(row.values.get("合计")),
                             year_total / TEN_THOUSAND, f"{form}年度资金{money(year_total / TEN_THOUSAND)}，"
                             f"{title(prj)}“{row.label}”合计为{money(row.values.get('合计'))}{page(row.page)}",
                             tolerance=EXACT))
    if prj is not None and doc.projects:
        linked = {id(p.budget_row) for p in doc.projects}
        for r in prj.rows:
            out.append(Check("project", f"{title(prj)}“{r.label}”：有绩效目标表", Decimal(1), Decimal(int(id(r) in linked)),
                             f"{title(prj)}所列项目“{r.label}”{'有' if id(r) in linked else '没有'}对应的绩效目标表"
                             f"{page(r.page)}", tolerance=Decimal("0.5")))
    return out


def purchases(doc: Document, index: Index) -> list[Check]:
    """政府购买服务 items the prose names (万元) = their rows of the 项目支出表."""
    prj = index.get("projects")
    if prj is None:
        return []
    out = []
    for s in doc.statements:
        if s.unit != "万元" or "政府购买服务" not in s.sentence:
            continue
        row = next((r for r in prj.rows if norm(r.label) and norm(r.label) in norm(s.label)), None)
        if row is None:
            continue
        out.append(Check("narrative", f"政府购买服务与{title(prj)}：{row.label}", v(row.values.get("合计")), s.value,
                         f"情况说明写{clean(s.label)}{s.value}万元纳入政府购买服务，{title(prj)}“{row.label}”合计为"
                         f"{money(row.values.get('合计'), s.value)}{page(s.page)}", tolerance=half_unit(s.value)))
    return out

