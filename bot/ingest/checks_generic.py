"""Checks for documents of the data templates, driven by table keys and column labels (all figures in 万元)."""
from __future__ import annotations

import re
from decimal import Decimal

from .checks import ZERO, Check, _sum, _v
from .parse import Document
from .tables import Row, Table

SPLIT_TOTALS = (("合计", ("基本支出", "项目支出")), ("合计", ("人员经费", "公用经费", "项目支出")),
                ("合计", ("人员经费", "公用经费")))
INCOME_PARTS = ("财政拨款收入", "上级补助收入", "事业收入", "事业单位经营收入", "经营收入", "附属单位上缴收入", "其他收入")
FISCAL_PARTS = ("一般公共预算", "政府性基金预算", "国有资本经营预算")
SANGONG_PARTS = ("因公出国（境）费", "公务用车购置及运行费", "公务接待费")
CAR_PARTS = ("公务用车购置费", "公务用车运行维护费")
YEAR = re.compile(r"(\d{4})年")
HALF_YUAN = Decimal("0.00005")  # in 万元


def _cols(t: Table) -> list[str]:
    return [n for _, n in t.spec.columns if n not in ("code", "label", "alt")]


def _row(t: Table | None, label: str, side: str | None = None) -> Row | None:
    if t is None:
        return None
    return next((r for r in t.rows if r.label == label and (side is None or r.side == side)), None)


def _val(t: Table | None, label: str, col: str, side: str | None = None) -> Decimal | None:
    r = _row(t, label, side)
    return None if r is None else r.values.get(col)


def _where(t: Table, r: Row) -> str:
    code = " ".join(r.code_parts) if r.code_parts else r.code
    return f"{t.title}｜{(code + ' ') if code else ''}{r.label}"


def run_generic(doc: Document) -> list[Check]:
    """Every identity the document's tables and prose imply; failures are recorded, never raised."""
    t = {}
    for tb in doc.tables:
        t.setdefault(tb.spec.key, tb)
    out: list[Check] = []
    for tb in doc.tables:
        if tb.empty:
            continue
        out += _codes(tb) + _hierarchy(tb) + _row_sums(tb)
        if tb.spec.key in ("summary", "fiscal_summary"):
            out += _two_sided(tb)
    out += _sangong(t.get("sangong"))
    out += _econ_sides(t.get("basic_econ"))
    out += _cross(doc, t)
    out += _narrative(doc, t)
    out += _consistency(doc)
    for c in out:
        if c.kind != "narrative":
            c.tolerance = HALF_YUAN  # 元 tables are exact to the 元; 万元 tables differ by whole cents
    return out


def _codes(t: Table) -> list[Check]:
    """A 类 code has 3 digits, 款 and 项 2 (as printed in split columns)."""
    out = []
    for r in t.rows:
        if r.code_parts and len(r.code_parts[0]) != 3:
            out.append(Check("code", f"{_where(t, r)}：类编码应为3位", Decimal(3), Decimal(len(r.code_parts[0])),
                             f"第{r.page}页 原文编码 {' '.join(r.code_parts)}"))
    return out


def _hierarchy(t: Table) -> list[Check]:
    """类 = Σ款, 款 = Σ项 (by code), 合计 = Σ类, per value column."""
    out = []
    coded = [r for r in t.rows if r.code]
    for side in dict.fromkeys(r.side for r in coded):
        rows = [r for r in coded if r.side == side]
        cols = list(dict.fromkeys(_cols_side(t, side)))
        for r in rows:
            if r.code_parts and len(r.code_parts[0]) != 3:
                continue  # a misprinted code is its own failed check
            kids = [k for k in rows if len(k.code) == len(r.code) + 2 and k.code.startswith(r.code)]
            if len(r.code) in (3, 5) and (kids or len(r.code) == 3 or any(len(k.code) == 7 for k in rows)):
                if not kids and not any(len(k.code) > len(r.code) for k in rows):
                    continue
                for c in cols:
                    out.append(Check("hierarchy", f"{_where(t, r)}｜{c}=下级之和", _sum(kids, c), _v(r.values.get(c))))
        total = next((r for r in t.rows if r.label == "合计" and not r.code and r.side == side), None)
        top = [r for r in rows if len(r.code) == 3]
        if total and top:
            for c in cols:
                out.append(Check("total", f"{t.title}｜合计｜{c}=各类之和", _sum(top, c), _v(total.values.get(c))))
    return out


def _row_sums(t: Table) -> list[Check]:
    """合计 = 基本支出 + 项目支出 (or 人员+公用(+项目)); income 合计 = Σ sources; fiscal 小计 = Σ funds."""
    out = []
    for r in t.rows:
        cols = [c for c in r.values]
        for total, parts in SPLIT_TOTALS:
            if total in cols and all(p in cols for p in parts):
                out.append(Check("row", f"{_where(t, r)}：{'+'.join(parts)}={total}",
                                 sum((_v(r.values[p]) for p in parts), ZERO), _v(r.values[total])))
                break
        src = [c for c in cols if c in INCOME_PARTS]
        if t.spec.key == "income" and src:
            out.append(Check("row", f"{_where(t, r)}：合计=各项收入之和", sum((_v(r.values[c]) for c in src), ZERO),
                             _v(r.values.get("合计"))))
        if "小计" in cols and all(p in cols for p in FISCAL_PARTS):
            out.append(Check("row", f"{_where(t, r)}：{'+'.join(FISCAL_PARTS)}=小计",
                             sum((_v(r.values[p]) for p in FISCAL_PARTS), ZERO), _v(r.values["小计"])))
    return out


def _two_sided(t: Table) -> list[Check]:
    """Σ top items = 本年合计 (or 总计) on each side; 收入 total = 支出 total."""
    out = []
    col_in = _cols_side(t, "收入")[0]
    col_out = _cols_side(t, "支出")[0]
    for side, col in (("收入", col_in), ("支出", col_out)):
        items = [r for r in t.rows if r.side == side and r.item_no and not r.item_no.isdigit() and not r.parent]
        year_total = next((r for r in t.rows if r.side == side and r.label.startswith("本年") and r.label.endswith("合计")),
                          None)
        grand = next((r for r in t.rows if r.side == side and r.label.endswith("总计")), None)
        target = year_total or grand
        if target and items:
            out.append(Check("total", f"{t.title}｜{target.label}（{side}）=各项之和", _sum(items, col), _v(target.values[col])))
        kids = [r for r in t.rows if r.side == side and r.item_no.isdigit()]
        for p in {r.parent for r in kids if r.parent}:
            parent = _row(t, p, side)
            out.append(Check("hierarchy", f"{t.title}｜{p}=其中各项之和", _sum([k for k in kids if k.parent == p], col),
                             _v(parent.values[col])))
        if year_total and grand and year_total is not grand:
            extra = [r for r in t.rows if r.side == side and r.row_no > year_total.row_no and r.row_no < grand.row_no]
            out.append(Check("total", f"{t.title}｜{grand.label}（{side}）={year_total.label}+结转结余",
                             _v(year_total.values[col]) + _sum(extra, col), _v(grand.values[col])))
    gin = next((r for r in t.rows if r.side == "收入" and r.label.endswith("总计")), None)
    gout = next((r for r in t.rows if r.side == "支出" and r.label.endswith("总计")), None)
    if gin and gout:
        out.append(Check("balance", f"{t.title}：收入总计=支出总计", _v(gin.values[col_in]), _v(gout.values[col_out])))
    return out


def _cols_side(t: Table, side: str) -> list[str]:
    return [n for s, n in t.spec.columns if s == side and n not in ("code", "label", "alt")]


def _sangong(t: Table | None) -> list[Check]:
    if t is None or t.empty:
        return []
    out = []
    for c in _cols(t):
        total, car = _row(t, "合计"), _row(t, "公务用车购置及运行费")
        parts = [r for r in t.rows if r.label in SANGONG_PARTS]
        if total:
            out.append(Check("total", f"{t.title}｜合计｜{c}=三项之和", _sum(parts, c), _v(total.values.get(c))))
        if car:
            kids = [r for r in t.rows if r.label in CAR_PARTS]
            out.append(Check("hierarchy", f"{t.title}｜公务用车购置及运行费｜{c}=购置费+运行维护费", _sum(kids, c),
                             _v(car.values.get(c))))
    return out


def _econ_sides(t: Table | None) -> list[Check]:
    """决算 基本支出表: each side's 合计 row = Σ its 类 rows."""
    if t is None or t.empty:
        return []
    out = []
    for side in ("人员经费", "公用经费"):
        total = _row(t, f"{side}合计")
        top = [r for r in t.rows if r.side == side and len(r.code) == 3]
        if total:
            out.append(Check("total", f"{t.title}｜{side}合计=各类之和", _sum(top, "合计"), _v(total.values.get("合计"))))
    return out


def _cross(doc: Document, t: dict[str, Table]) -> list[Check]:
    """The same figure in two tables agrees."""
    out = []

    def add(name: str, a: Decimal | None, b: Decimal | None) -> None:
        if a is not None or b is not None:
            out.append(Check("cross", name, _v(a), _v(b)))

    s, inc, exp, gpb, fis = (t.get(k) for k in ("summary", "income", "expenditure", "gpb_expenditure", "fiscal_summary"))
    final = doc.stage == "决算"
    in_total = "本年收入合计" if final else "收入总计"
    out_total = "本年支出合计" if final else "支出总计"
    if s and inc:
        add(f"{s.title}{in_total}={inc.title}合计", _val(s, in_total, "合计", "收入"), _val(inc, "合计", "合计"))
    if s and exp:
        add(f"{s.title}{out_total}={exp.title}合计", _val(s, out_total, "合计", "支出"), _val(exp, "合计", "合计"))
        for r in (r for r in s.rows if r.side == "支出" and r.item_no):
            other = next((x for x in exp.rows if x.label == r.label and len(x.code) == 3), None)
            if other or r.values.get("合计"):
                add(f"{r.label}：{s.title}={exp.title}", r.values.get("合计"), other.values.get("合计") if other else None)
    if fis and gpb:
        add(f"{fis.title}一般公共预算支出={gpb.title}合计", _val(fis, out_total, "一般公共预算", "支出"),
            _val(gpb, "合计", "合计"))
    if gpb and exp and inc and not final and _val(inc, "合计", "合计") == _val(inc, "合计", "财政拨款收入"):
        for col in ("合计", "基本支出", "项目支出"):
            add(f"{exp.title}={gpb.title}｜合计｜{col}（全部为财政拨款）", _val(exp, "合计", col), _val(gpb, "合计", col))
    econ = t.get("basic_econ")
    if econ and gpb:
        if final:
            add(f"{econ.title}人员经费合计+公用经费合计={gpb.title}基本支出",
                _v(_val(econ, "人员经费合计", "合计")) + _v(_val(econ, "公用经费合计", "合计")), _val(gpb, "合计", "基本支出"))
        else:
            add(f"{econ.title}合计={gpb.title}基本支出", _val(econ, "合计", "合计"), _val(gpb, "合计", "基本支出"))
    sg = t.get("sangong")
    if sg and econ:
        col = "决算数" if final else "合计"
        for label, econ_label in (("公务接待费", "公务接待费"), ("公务用车运行维护费", "公务用车运行维护费")):
            a, b = _val(sg, label, col), _val(econ, econ_label, "合计")
            if b is not None:
                add(f"{label}：{sg.title}={econ.title}", a, b)
    return out


def _stmts(doc: Document, label_end: str, unit: str = "万元") -> list:
    return [s for s in doc.statements if s.unit == unit and s.label.endswith(label_end)]


def _narrative(doc: Document, t: dict[str, Table]) -> list[Check]:
    """Figures the prose states against the tables, and prose that contradicts itself."""
    out = []

    def add(name: str, expected: Decimal | None, stmts: list) -> None:
        for s in stmts[:1]:
            if expected is not None:
                out.append(Check("narrative", name, expected.quantize(Decimal("0.01")), s.value,
                                 f"{s.sentence[:80]}（第{s.page}页）"))

    s, sg, jg, exp = t.get("summary"), t.get("sangong"), t.get("jiguan"), t.get("expenditure")
    if doc.stage == "预算":
        add("编制说明：收入预算=财务收支预算总表收入总计", _val(s, "收入总计", "合计", "收入"), _stmts(doc, "收入预算"))
        add("编制说明：支出预算=财务收支预算总表支出总计", _val(s, "支出总计", "合计", "支出"), _stmts(doc, "支出预算"))
        add("情况说明：三公经费=三公经费预算表合计", _val(sg, "合计", "合计"), _stmts(doc, "“三公”经费预算数为"))
        add("情况说明：机关运行经费=预算表", _val(jg, "部门合计", "合计"), _stmts(doc, "机关运行经费预算为"))
    else:
        for label in ("本年收入合计", "本年支出合计"):
            side = "收入" if "收入" in label else "支出"
            add(f"情况说明：{label}=收入支出决算总表", _val(s, label, "合计", side), _stmts(doc, label))
        for col in ("基本支出", "项目支出"):
            add(f"情况说明：{col}=支出决算表", _val(exp, "合计", col), [x for x in doc.statements
                                                                  if x.label == col and x.unit == "万元"])
        add("情况说明：三公经费决算=三公经费决算表", _val(sg, "合计", "决算数"),
            [x for x in doc.statements if "“三公”经费" in x.sentence and x.label.endswith("支出决算为")])
    out += _items(doc, t.get("gpb_expenditure"))
    for st in doc.statements:
        m = re.search(r"比(\d{4})年\S*?(增加|减少)$", st.label)
        if not m or st.unit != "万元":
            continue
        base = next((x for x in doc.statements if x.section == st.section and x.seq == st.seq - 1 and x.unit == "万元"),
                    None)
        if base is not None and m.group(2) == "增加" and base.value < st.value:
            out.append(Check("narrative", f"情况说明：{base.label}{base.value}万元比{m.group(1)}年增加{st.value}万元，上年数不应为负",
                             ZERO, base.value - st.value, f"{st.sentence[:80]}（第{st.page}页）"))
    return out


ITEM = re.compile(r"“(\S+?)（类）(\S+?)（款）(\S+?)（项）”$")


def _items(doc: Document, gpb: Table | None) -> list[Check]:
    """编制说明's “类（类）款（款）项（项）”X万元 items: X = the 一般公共预算 table's row, and = its 预算安排 figure."""
    out = []
    if gpb is None:
        return out
    for k, st in enumerate(doc.statements):
        m = ITEM.search(st.label)
        if not m or st.unit != "万元":
            continue
        row = next((r for r in gpb.rows if r.label == m.group(3) and r.parent == m.group(2)), None)
        where = f"{st.sentence[:60]}（第{st.page}页）"
        if row is not None:
            out.append(Check("narrative", f"编制说明：{m.group(2)}｜{m.group(3)}={gpb.title}",
                             _v(row.values.get("合计")).quantize(Decimal("0.01")), st.value, where))
        plan = next((x for x in doc.statements[k + 1:k + 4] if x.label.endswith("预算安排") and x.unit == "万元"), None)
        if plan is not None:
            out.append(Check("narrative", f"编制说明：{m.group(2)}｜{m.group(3)}：所列金额=预算安排", st.value, plan.value,
                             f"{plan.sentence[:60]}（第{plan.page}页）"))
    return out


def _consistency(doc: Document) -> list[Check]:
    """Every table names the document's year and unit; the prose speaks of this year or the last."""
    out = []
    for tb in doc.tables:
        if m := YEAR.match(tb.title):
            out.append(Check("text", f"{tb.title}：年度={doc.year}", Decimal(doc.year), Decimal(int(m.group(1)))))
        if tb.org:
            out.append(Check("text", f"{tb.title}：编制单位=文件单位", Decimal(1), Decimal(int(tb.org == doc.unit)),
                             f"表中：{tb.org}；封面：{doc.unit}"))
    allowed = {doc.year, doc.year - 1}
    for sec in doc.sections:
        for ln in sec.lines:
            for m in YEAR.finditer(ln.text.replace(" ", "")):
                y = int(m.group(1))
                if 1990 < y < 2100 and y not in allowed:
                    out.append(Check("text", f"{sec.title}：所述年度应为{doc.year - 1}或{doc.year}年", Decimal(doc.year),
                                     Decimal(y), f"第{ln.page}页：{ln.text.strip()[:60]}"))
    return out
