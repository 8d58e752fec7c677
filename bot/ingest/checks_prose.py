"""The prose against the tables: every total, part and 三公 figure a sentence states, by what it names.

A statement's label ("本年支出合计", "“三公”经费财政拨款支出年初预算为", "人员经费") is reduced to its subject
and matched against RULES: which table (by key), which row and which column print the same figure. A statement
that names only a 决算 or 预算 figure ("支出决算为0.39万元") takes its subject from the figure before it in the
same sentence. Also: 政府采购 total = 货物 + 工程 + 服务, and 绩效 project counts and amounts.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from .amounts import clean
from .checks import Check, Index, cell, code_of, half_unit, money, norm, page, title, total, v

if TYPE_CHECKING:  # pragma: no cover
    from .narrative import Statement
    from .reader import Disclosure as Document, TableView as Table

CHANGE = re.compile(r"比|增加|减少|增长|下降|占|较|上年|持平")
WANT = re.compile(r"(年初预算|调整预算|预算|决算)(数)?(为|是)?$")
ONLY_FIGURE = re.compile(r"^(支出)?(年初预算|调整预算|预算|决算)(数)?(为|是)?$")
ENUM = re.compile(r"^([(（]?[一二三四五六七八九十\d]{1,3}[)）、.．]|其中)+")

# (subject pattern, table key, row labels, columns, side); the first rule whose pattern matches wins.
RULES: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], str | None], ...] = (
    (r"财政拨款收入支出总计|财政拨款收支总预算|财政拨款收支总计", "fiscal_summary", ("总计", "收入总计"), ("金额",), "收入"),
    (r"收入支出总计|收支总计", "summary", ("总计", "收入总计"), ("合计",), "收入"),
    (r"(预算)?收入(预算)?总计|收入预算|预算收入", "summary", ("收入总计", "总计"), ("合计",), "收入"),
    (r"本年收入(合计)?", "summary", ("本年收入合计",), ("合计",), "收入"),
    (r"本年支出(合计)?", "summary", ("本年支出合计",), ("合计",), "支出"),
    (r"(本年)?(单位|部门)?(预算)?支出(预算)?总计|支出预算", "summary", ("支出总计", "总计"), ("合计",), "支出"),
    (r"基本支出", "expenditure", ("合计",), ("基本支出",), None),
    (r"项目支出", "expenditure", ("合计",), ("项目支出",), None),
    (r"一般公共预算(财政拨款|当年拨款|拨款)?支出(预算)?|一般公共预算当年拨款", "gpb_expenditure", ("合计",), ("合计",), None),
    (r"一般公共预算(财政拨款)?基本支出", "gpb_expenditure", ("合计",), ("基本支出",), None),
    (r"人员经费", "basic_econ", ("合计", "人员经费合计"), ("人员经费", "合计"), None),
    (r"公用经费", "basic_econ", ("合计", "公用经费合计"), ("公用经费", "合计"), None),
    (r"财政拨款收入", "income", ("合计",), ("财政拨款收入",), None),
    (r"事业收入", "income", ("合计",), ("事业收入",), None),
    (r"事业单位经营收入|经营收入", "income", ("合计",), ("事业单位经营收入", "经营收入"), None),
    (r"其他收入", "income", ("合计",), ("其他收入",), None),
    (r"上级补助收入", "income", ("合计",), ("上级补助收入",), None),
    (r"附属单位上缴收入", "income", ("合计",), ("附属单位上缴收入",), None),
    (r"一般公共预算拨款收入", "income", ("合计",), ("一般公共预算",), None),
    (r"政府性基金预算拨款收入", "income", ("合计",), ("政府性基金", "政府性基金预算"), None),
    (r"国有资本经营预算拨款收入", "income", ("合计",), ("国有资本经营预算",), None),
    (r"财政专户管理资金收入", "income", ("合计",), ("财政专户管理资金",), None),
    (r"单位资金(收入)?", "income", ("合计",), ("单位资金",), None),
    (r"财政拨款支出预算", "fiscal_summary", ("支出总计", "总计"), ("小计",), "支出"),
    (r"政府性基金(预算)?拨款支出预算", "fiscal_summary", ("支出总计", "总计"), ("政府性基金预算",), "支出"),
    (r"国有资本经营预算拨款支出预算", "fiscal_summary", ("支出总计", "总计"), ("国有资本经营预算",), "支出"),
    (r"(财政拨款)?(安排的)?三公经费(财政拨款)?(支出)?", "sangong", ("合计",), (), None),
    (r"因公出国境费(用)?(支出)?", "sangong", ("因公出国（境）费",), (), None),
    (r"公务接待费(支出)?", "sangong", ("公务接待费",), (), None),
    (r"公务用车购置及运行(维护)?费(支出)?", "sangong", ("公务用车购置及运行费",), (), None),
    (r"公务用车购置(费)?(支出)?", "sangong", ("公务用车购置费",), (), None),
    (r"公务用车运行(维护)?(费)?(支出)?", "sangong", ("公务用车运行维护费",), (), None),
    (r"\S*机关运行经费(支出|预算)?", "jiguan", ("部门合计", "合计"), ("合计",), None),
)
_RULES = [(re.compile(p), *rest) for p, *rest in RULES]


def subject(label: str, unit: str) -> str:
    """A statement's label without the unit's name, year, numbering and the 为/是 before its figure."""
    s = clean(label)
    for _ in range(3):
        before = s
        s = ENUM.sub("", s.removeprefix(clean(unit)))
        s = re.sub(r"^\d{4}年度?[,，]?|^(本单位|本部门|局本级|本级)", "", s)
        if s == before:
            break
    return re.sub(r"(为|是)$", "", norm(s))


def section_name(doc: Document, no: int) -> str:
    """The heading of the section a statement stands in ("情况说明" when unknown)."""
    sec = next((s for s in doc.sections if s.no == no), None)
    return re.sub(r"^[一二三四五六七八九十]+、", "", sec.title) if sec else "情况说明"


def resolve(index: Index, stage: str, subj: str) -> tuple[Table, Decimal | None, str, str, int | None] | None:
    """The table figure a subject names: (table, value, row label, column, page), or None."""
    want = WANT.search(subj)
    kind = want.group(1) if want else ""
    base = WANT.sub("", subj) if want else subj
    if kind and stage == "预算" and kind != "决算":
        kind = ""  # a budget's own figures are its 预算
    rule = next((r for r in _RULES if r[0].fullmatch(subj)), None)
    if rule is not None:
        kind = ""  # "收入预算", "支出预算": the word belongs to the name
    else:
        rule = next((r for r in _RULES if r[0].fullmatch(base)), None)
    for pattern, key, rows, cols, side in [rule] if rule else []:
        t = index.get(key)
        if t is None:
            return None
        if not cols:  # a 三公 row: the column by stage and by what the sentence names
            cols = ("预算数",) if kind in ("预算", "年初预算", "调整预算") or (stage == "预算") else ("决算数",)
            cols = cols + (("合计",) if stage == "预算" else ())
        elif kind and kind != "决算" and stage == "决算":
            return None  # a 决算 table prints no 年初预算 for this figure
        value, row, col = cell(t, rows, cols, side)
        if row is None or not col:
            return None
        return t, value, row.label, col, row.page
    return None


def statements(doc: Document, index: Index) -> list[Check]:
    """Every 万元 figure the prose states that a table also prints."""
    out: list[Check] = []
    prev: Statement | None = None
    prev_subject = ""
    for st in doc.statements:
        subj = subject(st.label, doc.unit)
        if prev is not None and (prev.section, prev.sentence) == (st.section, st.sentence) and ONLY_FIGURE.match(subj):
            subj = WANT.sub("", prev_subject) + WANT.search(subj).group(0)  # "支出决算为" after "…年初预算为"
        prev, prev_subject = st, subj
        if st.unit != "万元" or CHANGE.search(WANT.sub("", subj)) or "(类)" in clean(st.label):
            continue
        found = resolve(index, doc.stage, subj)
        if found is None:
            continue
        t, value, label, col, _ = found
        where = section_name(doc, st.section)
        said = re.sub(r"^\d{4}年度?", "", clean(st.label).removeprefix(clean(doc.unit))) or clean(st.label)
        out.append(Check("narrative", f"{where}与{title(t)}：{said}", v(value), st.value,
                         f"{where}写{clean(st.label)}{st.value}万元，{title(t)}“{label}”行“{col}”为"
                         f"{money(value, st.value)}{page(st.page)}", tolerance=half_unit(st.value)))
    return out + _classes(doc, index)


def _classes(doc: Document, index: Index) -> list[Check]:
    """A 功能 类 named in prose without its (类) mark ("社会保障和就业支出970.11万元") = its row of 一般公共预算支出表."""
    gpb = index.get("gpb_expenditure")
    if gpb is None:
        return []
    classes = {norm(r.label): r for r in gpb.rows if len(r.code) == 3}
    out = []
    for st in doc.statements:
        r = classes.get(subject(st.label, doc.unit))
        if r is None or st.unit != "万元":
            continue
        where = section_name(doc, st.section)
        out.append(Check("narrative", f"{where}与{title(gpb)}：{r.label}", v(r.values.get("合计")), st.value,
                         f"{where}写{clean(st.label)}{st.value}万元，{title(gpb)}“{code_of(r)} {r.label}”行合计为"
                         f"{money(r.values.get('合计'), st.value)}{page(st.page)}", tolerance=half_unit(st.value)))
    return out


def procurement(doc: Document, index: Index) -> list[Check]:
    """政府采购 total = 货物 + 工程 + 服务, as the prose states them."""
    out = []
    sts = [s for s in doc.statements if s.unit == "万元"]
    for k, s in enumerate(sts):
        if "货物" not in s.label or k + 2 >= len(sts):
            continue
        parts = [s] + [x for x in sts[k + 1:k + 3] if x.section == s.section]
        if len(parts) < 3 or not ("工程" in parts[1].label and "服务" in parts[2].label):
            continue
        head = next((x for x in reversed(sts[:k]) if x.section == s.section and "采购" in x.label
                     and not re.search(r"货物|工程|服务", x.label)), None)
        if head is None:
            continue
        got = sum((p.value for p in parts), Decimal(0))
        out.append(Check("narrative", f"{section_name(doc, s.section)}：政府采购总额=货物+工程+服务", got, head.value,
                         f"{section_name(doc, s.section)}写政府采购{head.value}万元，货物、工程、服务采购相加为"
                         f"{money(got)}{page(head.page)}", tolerance=half_unit(head.value)))
    return out


def performance(doc: Document, index: Index) -> list[Check]:
    """绩效: the number of projects the prose gives = the forms printed; its amount = Σ 项目支出表."""
    out = []
    prj = index.get("projects")
    for k, st in enumerate(doc.statements):
        if "绩效" not in st.sentence or "项目" not in st.label:
            continue
        where = section_name(doc, st.section)
        if st.unit == "个" and doc.projects and ("实行" in st.label or "编报" in st.label or "申报" in st.label):
            out.append(Check("narrative", f"{where}：绩效目标项目个数=绩效目标表份数", Decimal(len(doc.projects)),
                             st.value, f"{where}写{clean(st.label)}{st.value}个，文件印有{len(doc.projects)}份项目绩效目标表"
                             f"{page(st.page)}", tolerance=Decimal("0.5")))
            amount = next((x for x in doc.statements[k + 1:k + 2] if x.unit == "万元" and x.sentence == st.sentence),
                          None)
            if amount is not None and prj is not None:
                got = total(prj.rows, "合计")
                out.append(Check("narrative", f"{where}与{title(prj)}：绩效目标项目金额", got, amount.value,
                                 f"{where}写{clean(amount.label)}{amount.value}万元，{title(prj)}合计为"
                                 f"{money(got, amount.value)}{page(amount.page)}", tolerance=half_unit(amount.value)))
    return out

