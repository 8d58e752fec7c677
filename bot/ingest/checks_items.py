"""Per-item prose against the 功能 tables and against itself (编制说明 items; 决算 items with 完成率).

An item (“A（类）B（款）C（项）”) is found by its 类/款/项 path in the 一般公共预算支出 table (the 支出 table when
there is none); its amount, the 预算安排 it repeats and its 决算 must equal the row's 合计. Its own figures must
agree: 上年 → 本年 with the change word and rate; 年初预算 → 决算 with 完成率 and 大于/小于.
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from .checks import Check, Index, code_of, fmt_pct, half_unit, money, norm, one_unit, page, pct, title, v
from .checks_changes import sign

if TYPE_CHECKING:  # pragma: no cover
    from .items import Item
    from .model import Record as Row
    from .reader import Disclosure as Document, TableView as Table

WORDS = {"增加": "增加", "减少": "减少", "持平": "持平"}


def find(t: Table, item: Item) -> Row | None:
    """The row of an item by its 类/款/项 path (a renamed 类 is skipped: 款 and 项 decide)."""
    coded = [r for r in t.rows if r.code]
    names = [n for n in (item.class_name, item.kuan, item.xiang) if n]
    for start in (0, 1):  # with the 类, then without it
        found: Row | None = None
        for depth, name in enumerate(names[start:], start):
            size = 3 + 2 * depth
            cands = [r for r in coded if len(r.code) == size and norm(r.label) == norm(name)
                     and (found is None or r.code.startswith(found.code))]
            found = cands[0] if cands else None
            if found is None:
                break
        if found is not None:
            return found
        if len(names) < 2:
            break
    same = [r for r in coded if norm(r.label) == norm(names[-1])]
    return same[0] if len(same) == 1 else None  # a row whose code is misprinted, by its unique name


def _section(doc: Document, line: int) -> str:
    secs = [s for s in doc.sections if s.line <= line]
    title_ = secs[-1].title if secs else "情况说明"
    return title_.split("、", 1)[-1] if "、" in title_[:4] else title_


def items(doc: Document, index: Index) -> list[Check]:
    """Every item's figures against its row and against each other."""
    tables = [t for t in (index.get("gpb_expenditure"), index.get("expenditure")) if t is not None][:1]
    out: list[Check] = []
    names = [it.name for it in doc.items]
    for it in doc.items:
        where = _section(doc, it.line)
        name = it.name if names.count(it.name) < 2 or not it.xiang else f"{it.kuan}（款）{it.xiang}（项）"
        row, table = None, None
        for t in tables:
            row = find(t, it)
            if row is not None:
                table = t
                break
        figures = [("", it.amount)] if it.kind == "预算" else [("决算", it.final or it.amount)]
        if it.kind == "预算" and it.planned is not None and it.planned != it.amount:
            figures.append(("预算安排", it.planned))
        if table is not None and row is not None:
            for what, x in figures:
                if x is None:
                    continue
                out.append(Check("narrative", f"{where}与{title(table)}：{name}{what}", v(row.values.get("合计")), x,
                                 f"{where}写{name}{what}{x}万元，{title(table)}“{code_of(row)} {row.label}”行合计为"
                                 f"{money(row.values.get('合计'), x)}{page(it.page)}", tolerance=half_unit(x)))
        elif tables and figures[0][1] is not None:
            out.append(Check("narrative", f"{where}与{title(tables[0])}：{name}", Decimal(1), Decimal(0),
                             f"{where}写{_path(it)}{figures[0][1]}万元，{title(tables[0])}中没有这一科目"
                             f"{_same_amount(tables[0], it)}{page(it.page)}", tolerance=Decimal("0.5")))
        out += _own(it, where, name)
    return out


def _path(it: Item) -> str:
    parts = [f"{it.class_name}（类）"] + ([f"{it.kuan}（款）"] if it.kuan else []) + ([f"{it.xiang}（项）"] if it.xiang else [])
    return "“" + "".join(parts) + "”"


def _same_amount(t: Table, it: Item) -> str:
    """A row of the same amount under the same 款, to name what the prose may mean."""
    x = it.final or it.amount
    kuan = next((r for r in t.rows if len(r.code) == 5 and norm(r.label) == norm(it.kuan)), None) if it.kuan else None
    if kuan is None or x is None:
        return ""
    same = next((r for r in t.rows if len(r.code) == 7 and r.code.startswith(kuan.code)
                 and abs(v(r.values.get("合计")) - x) < half_unit(x)), None)
    return f"（同款下“{same.label}”为{money(same.values.get('合计'))}）" if same else ""


def _own(it: Item, where: str, name: str) -> list[Check]:
    """The item's own arithmetic: change and rate from 上年 → 本年; 完成率 and 大于/小于 from 年初预算 → 决算."""
    out = []
    word = WORDS.get(it.direction, "")
    if it.kind == "决算" and it.budget is not None:
        final = it.final if it.final is not None else it.amount
        if final is None:
            return out
        if it.rate is not None and it.budget:
            expected = pct(final, it.budget)
            out.append(Check("narrative", f"{where}：{name}完成率", expected, it.rate,
                             f"{where}写{name}年初预算{it.budget}万元、决算{final}万元，完成{it.rate}%；按两数应为"
                             f"{fmt_pct(expected)}%{page(it.page)}", tolerance=one_unit(it.rate)))
        if word:
            expected = Decimal((final > it.budget) - (final < it.budget))
            printed = {"增加": "大于", "减少": "小于", "持平": "等于"}[word]
            out.append(Check("narrative", f"{where}：{name}决算数与预算数的大小", expected, Decimal(sign(word)),
                             f"{where}写{name}决算数{printed}预算数，而年初预算为{it.budget}万元、决算为{final}万元"
                             f"{page(it.page)}", tolerance=Decimal("0.5")))
        return out
    nows = [x for x in (it.planned, it.amount) if x is not None]
    if it.kind != "预算" or it.last_year is None or not nows:
        return out
    now = nows[0]
    if it.change_pct is not None and it.last_year and len(nows) > 1:
        # 预算安排 and the item's figure differ (that is its own failed check): take the one the rate was made from
        now = min(nows, key=lambda x: abs(abs(pct(x - it.last_year, it.last_year)) - it.change_pct))
    delta = now - it.last_year
    if word:
        out.append(Check("narrative", f"{where}：{name}比上年的增减", Decimal((delta > 0) - (delta < 0)),
                         Decimal(sign(word)), f"{where}写{name}由{it.last_year}万元到{now}万元，称“{word}”"
                         f"{page(it.page)}", tolerance=Decimal("0.5")))
    if it.change_pct is not None and it.last_year and word in ("增加", "减少"):
        expected = pct(delta, it.last_year)
        out.append(Check("narrative", f"{where}：{name}增减幅度", expected, sign(word) * it.change_pct,
                         f"{where}写{name}由{it.last_year}万元到{now}万元，{word}{it.change_pct}%；按两数应为"
                         f"{'增加' if expected >= 0 else '减少'}{fmt_pct(abs(expected))}%{page(it.page)}",
                         tolerance=one_unit(it.change_pct)))
    if it.change is not None and word in ("增加", "减少"):
        out.append(Check("narrative", f"{where}：{name}增减额", delta, sign(word) * it.change,
                         f"{where}写{name}由{it.last_year}万元到{now}万元，{word}{it.change}万元{page(it.page)}",
                         tolerance=half_unit(it.change)))
    return out
