"""Every arithmetic identity the disclosure implies, checked on the parsed figures (Decimal, no float noise)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .parse import Document
from .tables import Row, Table

ZERO = Decimal("0")
CENT = Decimal("0.01")


@dataclass
class Check:
    """One identity: what was expected, what the document has, and whether they agree."""

    kind: str
    name: str
    expected: Decimal
    actual: Decimal
    detail: str = ""
    tolerance: Decimal = Decimal("0.005")  # half a cent of 万元 as published; 元 tables need half a 元

    @property
    def difference(self) -> Decimal:
        """actual − expected."""
        return self.actual - self.expected

    @property
    def passed(self) -> bool:
        """Whether the two agree exactly (to the cent as published)."""
        return abs(self.difference) < self.tolerance


def _v(x: Decimal | None) -> Decimal:
    return x if x is not None else ZERO


def _sum(rows: list[Row], col: str) -> Decimal:
    return sum((_v(r.values.get(col)) for r in rows), ZERO)


def _row(table: Table, label: str, side: str = "") -> Row | None:
    return next((r for r in table.rows if r.label == label and (not side or r.side == side)), None)


def _value_cols(table: Table) -> list[str]:
    return [n for _, n in table.spec.columns if n not in ("code", "label", "alt")]


def run_checks(doc: Document) -> list[Check]:
    """All checks for one parsed document."""
    out: list[Check] = []
    t = {tb.spec.key: tb for tb in doc.tables}
    for key in ("income", "expenditure", "gpb_expenditure"):
        out += _coded(t[key])
    for key in ("expenditure", "gpb_expenditure"):
        for r in t[key].rows:
            out.append(Check("row", f"{t[key].title}｜{r.label}：基本支出+项目支出=合计",
                             _v(r.values["基本支出"]) + _v(r.values["项目支出"]), _v(r.values["合计"])))
    out += _econ(t["basic_econ"])
    out += _two_sided(t["summary"], "2023年", ("合计",), ("当年预算安排", "上年结转安排"))
    out += _two_sided(t["fiscal_summary"], "金额", ("小计",), ("一般公共预算", "政府性基金预算", "国有资本经营预算"))
    out += _sangong(t["sangong"])
    jg = t["jiguan"]
    out.append(Check("total", f"{jg.title}：部门合计=各单位之和",
                     _sum([r for r in jg.rows if r.label != "部门合计"], "合计"), _v(_row(jg, "部门合计").values["合计"])))
    pr = t["projects"]
    for r in pr.rows:
        out.append(Check("row", f"{pr.title}｜{r.label}：合计=各来源之和",
                         sum((_v(r.values[c]) for c in _value_cols(pr)[1:]), ZERO), _v(r.values["合计"])))
    out.append(Check("cross", f"{pr.title}合计=预算支出总表项目支出", _sum(pr.rows, "合计"),
                     _v(_row(t["expenditure"], "合计").values["项目支出"])))
    out += _cross(t)
    out += _narrative(doc, t)
    out += _projects(doc, t)
    if doc.departments_stated is not None:
        out.append(Check("text", "内设机构：所述个数=所列机构数", Decimal(doc.departments_stated), Decimal(len(doc.departments))))
    return out


def _coded(table: Table) -> list[Check]:
    out = []
    cols = _value_cols(table)
    coded = [r for r in table.rows if r.code]
    for r in coded:
        kids = [k for k in coded if len(k.code) == len(r.code) + 2 and k.code.startswith(r.code)]
        if kids:
            for c in cols:
                out.append(Check("hierarchy", f"{table.title}｜{r.code}{r.label}｜{c}=下级之和", _sum(kids, c), _v(r.values[c])))
    total = _row(table, "合计")
    if total and coded:
        top = [r for r in coded if len(r.code) == 3]
        for c in cols:
            out.append(Check("total", f"{table.title}｜合计｜{c}=各类之和", _sum(top, c), _v(total.values[c])))
    return out


def _econ(table: Table) -> list[Check]:
    out = []
    classes = [r for r in table.rows if not r.parent and r.label != "合计"]
    for r in table.rows:
        out.append(Check("row", f"{table.title}｜{r.label}：人员经费+公用经费=合计",
                         _v(r.values["人员经费"]) + _v(r.values["公用经费"]), _v(r.values["合计"])))
    for cl in classes:
        kids = [r for r in table.rows if r.parent == cl.label]
        for c in ("合计", "人员经费", "公用经费"):
            out.append(Check("hierarchy", f"{table.title}｜{cl.label}｜{c}=各款之和", _sum(kids, c), _v(cl.values[c])))
    total = _row(table, "合计")
    for c in ("合计", "人员经费", "公用经费"):
        out.append(Check("total", f"{table.title}｜合计｜{c}=各类之和", _sum(classes, c), _v(total.values[c])))
    return out


def _two_sided(table: Table, in_col: str, out_total: tuple[str, ...], out_parts: tuple[str, ...]) -> list[Check]:
    out = []
    income = [r for r in table.rows if r.side == "收入" and r.item_no and not r.parent]
    spend = [r for r in table.rows if r.side == "支出" and r.item_no]
    in_total = _row(table, "本年收入合计", "收入")
    out_row = _row(table, "本年支出合计", "支出")
    out.append(Check("total", f"{table.title}｜本年收入合计=各项收入之和", _sum(income, in_col), _v(in_total.values[in_col])))
    for c in out_total + out_parts:
        out.append(Check("total", f"{table.title}｜本年支出合计｜{c}=各项支出之和", _sum(spend, c), _v(out_row.values[c])))
    for r in table.rows:
        if r.side == "支出":
            out.append(Check("row", f"{table.title}｜{r.label}：{'+'.join(out_parts)}={out_total[0]}",
                             sum((_v(r.values[c]) for c in out_parts), ZERO), _v(r.values[out_total[0]])))
    grand_in, grand_out = _row(table, "收入总计", "收入"), _row(table, "支出总计", "支出")
    out.append(Check("balance", f"{table.title}：收入总计=支出总计", _v(grand_in.values[in_col]), _v(grand_out.values[out_total[0]])))
    carry = [r for r in table.rows if r.side == "收入" and r.label.startswith("上年") and "结转" in r.label]
    out.append(Check("total", f"{table.title}：收入总计=本年收入合计+上年结转",
                     _v(in_total.values[in_col]) + _sum(carry, in_col) + _sum([r for r in table.rows if r.parent], in_col),
                     _v(grand_in.values[in_col])))
    return out


def _sangong(table: Table) -> list[Check]:
    out = []
    cols = _value_cols(table)
    top = [r for r in table.rows if not r.parent and r.label != "合计"]
    total = _row(table, "合计")
    for c in cols:
        out.append(Check("total", f"{table.title}｜合计｜{c}=三项之和", _sum(top, c), _v(total.values[c])))
    for g in top:
        kids = [r for r in table.rows if r.parent == g.label]
        if kids:
            out.append(Check("hierarchy", f"{table.title}｜{g.label}=购置费+运行维护费", _sum(kids, "合计"), _v(g.values["合计"])))
    for r in table.rows:
        out.append(Check("row", f"{table.title}｜{r.label}：合计=各来源之和", sum((_v(r.values[c]) for c in cols[1:]), ZERO),
                         _v(r.values["合计"])))
    return out


def _cross(t: dict[str, Table]) -> list[Check]:
    out = []
    total = _v(_row(t["summary"], "收入总计", "收入").values["2023年"])
    for key, label, col in (("income", "合计", "合计"), ("expenditure", "合计", "合计"), ("gpb_expenditure", "合计", "合计"),
                            ("fiscal_summary", "收入总计", "金额")):
        out.append(Check("cross", f"预算收支总表收入总计={t[key].title}{label}", total, _v(_row(t[key], label).values[col])))
    for r in t["summary"].rows:
        if r.side != "支出" or not r.item_no:
            continue
        for key in ("income", "expenditure", "gpb_expenditure"):
            other = next((x for x in t[key].rows if x.label == r.label and len(x.code) == 3), None)
            if other or r.values["合计"] is not None:
                out.append(Check("cross", f"{r.label}：预算收支总表={t[key].title}", _v(r.values["合计"]),
                                 _v(other.values["合计"]) if other else ZERO))
        fs = _row(t["fiscal_summary"], r.label, "支出")
        out.append(Check("cross", f"{r.label}：预算收支总表=财政拨款收支总表", _v(r.values["合计"]), _v(fs.values["小计"]) if fs else ZERO))
    for r in t["income"].rows:
        if r.code:
            for key in ("expenditure", "gpb_expenditure"):
                other = next((x for x in t[key].rows if x.code == r.code), None)
                out.append(Check("cross", f"{r.code}{r.label}：预算收入总表={t[key].title}", _v(r.values["合计"]),
                                 _v(other.values["合计"]) if other else ZERO))
    for col in ("合计", "基本支出", "项目支出"):
        out.append(Check("cross", f"预算支出总表=一般公共预算支出预算表｜合计｜{col}", _v(_row(t["expenditure"], "合计").values[col]),
                         _v(_row(t["gpb_expenditure"], "合计").values[col])))
    econ_total = _row(t["basic_econ"], "合计")
    out.append(Check("cross", "基本支出：预算支出总表=基本支出分经济科目表", _v(_row(t["expenditure"], "合计").values["基本支出"]),
                     _v(econ_total.values["合计"])))
    out.append(Check("cross", "机关运行经费=基本支出公用经费", _v(econ_total.values["公用经费"]),
                     _v(_row(t["jiguan"], "部门合计").values["合计"])))
    car = _row(t["basic_econ"], "公务用车运行维护费")
    sg = next((r for r in t["sangong"].rows if r.label.endswith("公务用车运行维护费")), None)
    if car and sg:
        out.append(Check("cross", "公务用车运行维护费：三公经费表=经济科目表", _v(car.values["合计"]), _v(sg.values["合计"])))
    return out


def _stmt(doc: Document, section: int, label_part: str, unit: str = "万元"):
    """The statement whose label is label_part, else the first whose label contains it."""
    found = [s for s in doc.statements if s.section == section and label_part in s.label and s.unit == unit]
    return next((s for s in found if s.label == label_part), found[0] if found else None)


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return (part / whole * 100).quantize(CENT) if whole else ZERO


def _narrative(doc: Document, t: dict[str, Table]) -> list[Check]:
    out = []

    def add(name: str, expected: Decimal | None, stmt, detail: str = "") -> None:
        """Compare a statement's figure with what the tables imply (skipped when either is missing)."""
        if stmt is not None and expected is not None:
            out.append(Check("narrative", name, expected, stmt.value, f"{stmt.sentence[:80]}（第{stmt.line}行）"))

    total = _v(_row(t["summary"], "收入总计", "收入").values["2023年"])
    change = _stmt(doc, 1, "比上年增加") or _stmt(doc, 1, "比上年减少")
    add("情况说明一：预算收入总计=预算收支总表", total, _stmt(doc, 1, "收入总计"))
    add("情况说明一：支出总计=预算收支总表", _v(_row(t["summary"], "支出总计", "支出").values["合计"]), _stmt(doc, 1, "支出总计"))
    if change:
        sign = 1 if "增加" in change.label else -1
        prev = total - sign * change.value
        add("情况说明一：增长率=增加额÷上年数", _pct(change.value, prev), _stmt(doc, 1, "增加", "%") or _stmt(doc, 1, "减少", "%"))
    exp_total = _row(t["expenditure"], "合计")
    add("情况说明三：基本支出=预算支出总表", _v(exp_total.values["基本支出"]), _stmt(doc, 3, "基本支出"))
    add("情况说明三：项目支出=预算支出总表", _v(exp_total.values["项目支出"]), _stmt(doc, 3, "项目支出"))
    add("情况说明三：基本支出占比", _pct(_v(exp_total.values["基本支出"]), total), _stmt(doc, 3, "基本支出占", "%"))
    add("情况说明三：项目支出占比", _pct(_v(exp_total.values["项目支出"]), total), _stmt(doc, 3, "项目支出占", "%"))
    for r in t["gpb_expenditure"].rows:
        if len(r.code) == 3:
            add(f"情况说明四：{r.label}=一般公共预算支出表", _v(r.values["合计"]), _stmt(doc, 4, r.label))
            add(f"情况说明五：{r.label}=一般公共预算支出表", _v(r.values["合计"]), _stmt(doc, 5, r.label))
            add(f"情况说明五：{r.label}占比", _pct(_v(r.values["合计"]), total), _stmt(doc, 5, r.label + "占", "%"))
    econ = _row(t["basic_econ"], "合计")
    add("情况说明六：基本支出=经济科目表", _v(econ.values["合计"]), _stmt(doc, 6, "基本支出"))
    add("情况说明六：人员经费=经济科目表", _v(econ.values["人员经费"]), _stmt(doc, 6, "人员经费"))
    add("情况说明六：公用经费=经济科目表", _v(econ.values["公用经费"]), _stmt(doc, 6, "公用经费"))
    add("情况说明七：三公经费=三公经费表", _v(_row(t["sangong"], "合计").values["合计"]), _stmt(doc, 7, "三公"))
    for r in t["sangong"].rows:
        if r.label != "合计":
            add(f"情况说明七：{r.label}=三公经费表", _v(r.values["合计"]), _stmt(doc, 7, r.label.lstrip("①②")))
    jg = _v(_row(t["jiguan"], "部门合计").values["合计"])
    add("情况说明八：机关运行经费=统计表", jg, _stmt(doc, 8, "机关运行经费"))
    inc = _stmt(doc, 8, "比上年增加")
    if inc:
        add("情况说明八：增长率=增加额÷上年数", _pct(inc.value, jg - inc.value), _stmt(doc, 8, "增长", "%"))
    proc = [s for s in doc.statements if s.section == 9 and s.unit == "万元"]
    if proc:
        out.append(Check("narrative", "政府采购：总额=货物+工程+服务", sum((s.value for s in proc[1:]), ZERO), proc[0].value,
                         proc[0].sentence[:80]))
    add("绩效管理：项目个数=绩效目标表个数", Decimal(len(doc.projects)), _stmt(doc, 10, "项目", "个"))
    add("绩效管理：金额=项目支出合计", _sum(t["projects"].rows, "合计"), _stmt(doc, 10, "拨款"))
    return out


def _projects(doc: Document, t: dict[str, Table]) -> list[Check]:
    out = []
    for p in doc.projects:
        row = p.budget_row
        for period in ("实施期", "年度"):
            funds = {k: v for per, k, v, _ in p.funds if per == period}
            parts = sum((_v(v) for k, v in funds.items() if k != "total"), ZERO)
            out.append(Check("project", f"绩效目标表｜{p.name}｜{period}资金总额=各来源之和", parts, _v(funds.get("total"))))
        year_total = next((v for per, k, v, _ in p.funds if per == "年度" and k == "total"), None)
        out.append(Check("project", f"绩效目标表｜{p.name}｜年度资金=项目支出表（元→万元）",
                         _v(row.values["合计"]) if row else ZERO, _v(year_total) / 10000,
                         f"项目支出表：{row.label}" if row else "项目支出表中找不到对应项目"))
    linked = {id(p.budget_row) for p in doc.projects}
    for r in t["projects"].rows:
        out.append(Check("project", f"项目支出表｜{r.label}：有绩效目标表", Decimal(1), Decimal(1 if id(r) in linked else 0)))
    for s in doc.statements:
        if s.section == 12 and s.unit == "万元":
            row = next((r for r in t["projects"].rows if r.label in s.label), None)
            out.append(Check("project", f"政府购买服务｜{s.label}=项目支出表", _v(row.values["合计"]) if row else ZERO, s.value))
    return out
