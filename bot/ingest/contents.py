"""The seed template's 目录: the page of each part, table and section, and what a complete document must hold."""
from __future__ import annotations

import re

from .overview import TOP_ITEM, cn_to_int
from .source import Line, Source, squash

ENTRY = re.compile(r"^(.+?)[.…]*\t\s*(\d+)\s*$")
# What the template's 名词解释 must define besides each funding source of 预算收入总表 (a cut file loses terms).
SEED_TERMS = ("基本支出", "项目支出", "三公经费", "机关运行经费")


def toc_entries(src: Source) -> list[tuple[str, int, Line]]:
    """(entry text without dots, page, line) for every 目录 line ('2023年预算收支总表.....\\t6')."""
    out = []
    for ln in src.lines[:80]:
        if m := ENTRY.match(ln.text.strip()):
            out.append((squash(m.group(1)).rstrip(".…"), int(m.group(2)), ln))
    return out


def apply_pages(src: Source, doc) -> None:
    """Give tables, cells and sections the page the 目录 lists for them; the document the last listed page."""
    entries = toc_entries(src)
    if not entries:
        return
    doc.pages = max(p for _, p, _ in entries)
    by_title = {text: page for text, page, _ in entries}
    for t in doc.tables:
        t.page = by_title.get(squash(t.title))
        for r in t.rows:
            r.page = t.page
    in_part3 = False
    listed: dict[int, int] = {}
    for text, page, _ in entries:
        if text.startswith("第"):
            in_part3 = text.startswith("第三部分")
            continue
        if in_part3 and (m := TOP_ITEM.match(text)):
            listed[cn_to_int(m.group(1))] = page
    doc.sections_listed = len(listed)
    for s in doc.sections:
        s.page = listed.get(s.no)
    pages = {s.no: s.page for s in doc.sections}
    for st in doc.statements:
        st.page = pages.get(st.section)


def check_complete(src: Source, doc, glossary_head: Line, income_columns: list[str]) -> None:
    """Stop on a document shorter than its own 目录 says: sections listed, terms its tables need defined."""
    if doc.sections_listed and len(doc.sections) < doc.sections_listed:
        last = doc.sections[-1].line if doc.sections else None
        raise src.error(last, f"第三部分: the 目录 lists {doc.sections_listed} sections, found {len(doc.sections)} (file cut?)")
    terms = [squash(g.term) for g in doc.glossary]
    needed = list(SEED_TERMS) + [c for c in income_columns if c != "合计"]
    missing = [w for w in needed if not any(t.startswith(squash(w)) for t in terms)]
    if missing:
        last = doc.glossary[-1].line if doc.glossary else glossary_head.no
        raise src.error(last, f"第四部分 名词解释: expected a term for {missing[0]} (file cut after line {last}?)")
