"""Words against the document: years in the prose and titles, the unit each table names, stated counts.

A year in the prose must be the document's year or the one before (a comparison "比YYYY年…" must be the one
before); a table titled "YYYY年…" must be of the document's year; a table's 编制单位 must be the unit on the cover
(or one of its units); "内设N个机构" must match the list that follows.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from .amounts import clean
from .checks import Check, Index, page, quote, title

if TYPE_CHECKING:  # pragma: no cover
    from .reader import Disclosure as Document

YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
COMPARED = re.compile(r"(?:比|较|与|同)\s*((?:19|20)\d{2})\s*年(?:度)?(?:相比|同期|同口径|预算|决算|执行|增加|减少|增长|下降|持平|，|,)")
SKIP_PARTS = ("duties", "structure", "glossary")
ONE = Decimal(1)


def _flag(ok: bool) -> Decimal:
    return ONE if ok else Decimal(0)


def years(doc: Document, index: Index) -> list[Check]:
    """Every year the prose names is this year or the last; what it compares with is the last."""
    out = []
    parts = {s.no: s for s in doc.sections}
    allowed = {doc.year, doc.year - 1}
    for sent in doc.sentences:
        sec = parts.get(sent.section)
        if sec is not None and sec.part in SKIP_PARTS:
            continue
        where = sec.title.split("、", 1)[-1] if sec else "情况说明"
        text = clean(sent.text)
        compared = {m.start(1) for m in COMPARED.finditer(text)}
        for m in YEAR.finditer(text):
            y = int(m.group(1))
            if m.start(1) in compared:
                out.append(Check("narrative", f"{where}：比较的年度应为{doc.year - 1}年", Decimal(doc.year - 1),
                                 Decimal(y), f"{where}写{quote(sent.text)}，与{y}年比较；本文件是{doc.year}年"
                                 f"{doc.stage}，应与{doc.year - 1}年比较{page(sent.page)}",
                                 tolerance=Decimal("0.5")))
            else:
                nearest = y if y in allowed else doc.year if y > doc.year else doc.year - 1
                out.append(Check("narrative", f"{where}：所述年度应为{doc.year - 1}或{doc.year}年", Decimal(nearest),
                                 Decimal(y), f"{where}写{quote(sent.text)}，本文件是{doc.year}年{page(sent.page)}",
                                 tolerance=Decimal("0.5")))
    return out


def titles(doc: Document, index: Index) -> list[Check]:
    """Each table's title year is the document's; its 编制单位 is the cover's unit (or one of its units)."""
    out = []
    units = {clean(doc.unit)} | {clean(u.name) for u in doc.units}
    for t in doc.tables:
        if m := re.match(r"\s*((?:19|20)\d{2})\s*年", t.title):
            out.append(Check("text", f"{title(t)}：年度应为{doc.year}年", Decimal(doc.year), Decimal(int(m.group(1))),
                             f"{title(t)}标题年度为{m.group(1)}年，本文件是{doc.year}年{page(t.page)}",
                             tolerance=Decimal("0.5")))
        if t.org:
            ok = clean(t.org) in units or any(clean(t.org) in u or u in clean(t.org) for u in units)
            out.append(Check("text", f"{title(t)}：编制单位应为{doc.unit}", ONE, _flag(ok),
                             f"{title(t)}的编制单位为“{t.org}”，封面为“{doc.unit}”{page(t.page)}", tolerance=Decimal("0.5")))
    return out


def counts(doc: Document, index: Index) -> list[Check]:
    """"内设N个机构" = the 机构 listed; "下属N家单位" = the units listed (the unit itself may head the list)."""
    out = []
    structure = next((s for s in doc.sections if s.part == "structure"), None)
    where = page(structure.page) if structure else ""
    if doc.departments_stated is not None and doc.departments:
        out.append(Check("text", "机构设置：所述内设机构个数=所列机构数", Decimal(doc.departments_stated),
                         Decimal(len(doc.departments)), f"机构设置写内设{doc.departments_stated}个机构，列出"
                         f"{len(doc.departments)}个{where}", tolerance=Decimal("0.5")))
    if doc.units_stated is not None and doc.units:
        listed = len(doc.units)
        own = clean(doc.units[0].name) == clean(doc.unit) or re.search(r"本级|本部", doc.units[0].name)
        if own and doc.units_stated == listed - 1:
            listed -= 1  # "本部以及下属5家": the unit itself is listed first
        out.append(Check("text", "单位构成：所述单位个数=所列单位数", Decimal(doc.units_stated), Decimal(listed),
                         f"单位构成写{doc.units_stated}家单位，列出{listed}家{'（不含本级）' if listed < len(doc.units) else ''}"
                         f"{where}", tolerance=Decimal("0.5")))
    return out
