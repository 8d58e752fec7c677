"""The parser for the Shanxi unit-budget template (four parts): the whole document into records."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import contents, narrative, overview, projects, tables
from .source import Line, Source, SourceError, squash

PART = re.compile(r"^第([一二三四])部分\s*(.*)$")
PART_TITLES = {1: "概况", 2: "单位预算报表", 3: "情况说明", 4: "名词解释"}


@dataclass
class Document:
    """Everything parsed from one disclosure."""

    source: Source
    unit: str
    year: int
    stage: str
    title: str
    intro: str = ""
    duties: list = field(default_factory=list)
    departments_stated: int | None = None
    departments: list = field(default_factory=list)
    tables: list = field(default_factory=list)
    sections: list = field(default_factory=list)
    statements: list = field(default_factory=list)
    reasons: list = field(default_factory=list)
    projects: list = field(default_factory=list)
    catalog_title: str = ""
    catalog: list = field(default_factory=list)
    glossary: list = field(default_factory=list)
    template: str = "shanxi-unit-budget"
    region: str = ""
    level: str = ""
    scope: str = "单位"
    pages: int | None = None
    sections_listed: int = 0


def _parts(src: Source) -> dict[int, tuple[Line, list[Line]]]:
    """Body lines of each part, found by their headings (the table of contents is skipped)."""
    heads: list[tuple[int, Line]] = []
    for ln in src.lines:
        text = ln.text.strip()
        if "\t" in text or "..." in text or "…" in text:
            continue
        if m := PART.match(text):
            heads.append((overview.CN_NUM.index(m.group(1)), ln))
    found = {n: ln for n, ln in heads}
    for n, word in PART_TITLES.items():
        if n not in found:
            last = next((ln.no for ln in reversed(src.lines) if not ln.blank), None)
            raise src.error(last, f"expected a heading 第{overview.CN_NUM[n]}部分 …{word} (file truncated or not this template)")
    order = sorted(found.items(), key=lambda kv: kv[1].no)
    out = {}
    for k, (n, ln) in enumerate(order):
        end = order[k + 1][1].no - 1 if k + 1 < len(order) else len(src.lines)
        out[n] = (ln, src.lines[ln.no:end])
    return out


def _between(lines: list[Line], start: str, stop: str | None) -> list[Line]:
    begin = next((i for i, ln in enumerate(lines) if squash(ln.text).startswith(start)), None)
    if begin is None:
        return []
    end = next((i for i in range(begin + 1, len(lines)) if stop and squash(lines[i].text).startswith(stop)), len(lines))
    return lines[begin + 1:end]


def parse_document(src: Source) -> Document:
    """Parse a disclosure of this template; SourceError names the line on anything unexpected."""
    head = [squash(ln.text) for ln in src.lines[:12] if not ln.blank]
    title_at = next((i for i, t in enumerate(head) if re.match(r"^\d{4}年度?单位(预算|决算)公开$", t)), None)
    if title_at is None or title_at == 0:
        raise src.error(1, "not a budget disclosure of a known template: expected a cover title like "
                        "'…2023年度单位预算公开', '…2023年部门预算' or '…2024年度部门决算' at the top")
    m = re.match(r"^(\d{4})年度?单位(预算|决算)公开$", head[title_at])
    doc = Document(src, head[title_at - 1], int(m.group(1)), m.group(2), head[title_at - 1] + head[title_at])
    parts = _parts(src)
    p1 = parts[1][1]
    duty_lines = _between(p1, "一、本单位职责", "二、机构设置情况")
    doc.intro, doc.duties = overview.parse_duties(src, duty_lines)
    doc.departments_stated, doc.departments = overview.parse_departments(src, _between(p1, "二、机构设置情况", None))
    doc.tables = tables.parse_tables(src, parts[2][1])
    if len(doc.tables) != len(tables.SPECS):
        seen = {t.spec.key for t in doc.tables}
        missing = [s.title for s in tables.SPECS if s.key not in seen]
        raise src.error(parts[2][0].no, f"第二部分: expected {len(tables.SPECS)} tables; missing {'、'.join(missing)}")
    sections = narrative.split_sections(src, parts[3][1])
    for sec in sections:
        prose, forms = projects.split_forms(sec.lines)
        if forms:
            sec.lines = prose
            doc.projects += [projects.parse_form(src, f, len(doc.projects) + k + 1) for k, f in enumerate(forms)]
        at = next((i for i, ln in enumerate(sec.lines) if "指导性目录" in ln.text and "（" not in ln.text[:2]
                   and "\t" not in ln.text.strip() and re.match(r"^\S+部门政府购买服务指导性目录", squash(ln.text))), None)
        if at is not None:
            doc.catalog_title, doc.catalog = narrative.parse_catalog(src, sec.lines[at:])
            sec.lines = sec.lines[:at]
    projects.link_projects(doc.projects, next(t for t in doc.tables if t.spec.key == "projects").rows)
    doc.sections = sections
    doc.statements, doc.reasons = narrative.parse_statements(sections)
    doc.glossary = overview.parse_glossary(src, parts[4][1])
    if not doc.glossary:
        raise src.error(parts[4][0].no, "第四部分: expected numbered terms")
    contents.apply_pages(src, doc)
    income = next(s for s in tables.SPECS if s.key == "income")
    contents.check_complete(src, doc, parts[4][0], [n for _, n in income.columns if n not in ("code", "label")])
    doc.region, doc.level = _region_level(doc.unit)
    return doc


def _region_level(unit: str) -> tuple[str, str]:
    from .shanghai import region_level

    return region_level(unit)


__all__ = ["Document", "SourceError", "parse_document"]
