"""Reading one disclosure whole: pages → tables and prose → identity → tables by meaning → sections by meaning.

The result, a Disclosure, is what the database is written from. Nothing in it depends on one template: the
layers below find tables, headings and sentences; the mapping data places them. A table the mapping cannot
place is kept with its own headers; a section nobody reads is still searchable sentence by sentence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from . import layout, overview, projects
from .amounts import clean
from .assemble import assemble
from .identify import Identity, identify
from .mapping import load_mapping, read_table
from .model import ReadTable
from .forms import is_form, read_forms
from .items import read_items
from .narrative import CatalogNode, parse_catalog, parse_statements
from .org import read_org
from .prose import Prose, Section, heading_level, read_prose
from .layout import Span
from .source import Line, Source, SourceError

MIN_TABLES = 2  # a disclosure has at least this many tables by meaning (a cut one may miss some)


@dataclass(frozen=True)
class Spec:
    """What the checks and the writer need to know of a table: its key, title and columns (side, name)."""

    key: str
    title: str
    columns: tuple[tuple[str, str], ...]
    total_labels: tuple[str, ...] = ()


class TableView:
    """A table by meaning as the writer, the checks and the project linker see it."""

    def __init__(self, read: ReadTable, seq: int, year: int | None) -> None:
        t = read.table
        names = [(r_side, name) for r_side, name in dict.fromkeys(
            (r.side, n) for r in read.records for n in r.values)] or [
            (c.side, c.name) for c in t.columns if c.role == "value"]
        cols = tuple(dict.fromkeys([(s, "label") for s in dict.fromkeys(s for s, _ in names)] + names))
        self.read = read
        self.spec = Spec(read.key, t.title, cols)
        self.seq, self.number, self.title, self.year = seq, "", t.title, year
        self.unit, self.line, self.page, self.org = t.unit, t.title_line, t.page, t.org
        self.rows = read.records
        self.empty = read.status == "empty"
        self.status, self.reason = read.status, read.reason


@dataclass
class Disclosure:
    """Everything read from one disclosure (the writer's input)."""

    source: Source
    unit: str
    year: int
    stage: str
    title: str
    scope: str = "部门"
    level: str = ""
    region: str = ""
    template: str = ""
    pages: int | None = None
    intro: str = ""
    duties: list = field(default_factory=list)
    departments_stated: int | None = None
    departments: list = field(default_factory=list)
    tables: list[TableView] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    statements: list = field(default_factory=list)
    reasons: list = field(default_factory=list)
    sentences: list = field(default_factory=list)
    contents: list = field(default_factory=list)
    projects: list = field(default_factory=list)
    catalog_title: str = ""
    catalog: list[CatalogNode] = field(default_factory=list)
    glossary: list = field(default_factory=list)
    units: list = field(default_factory=list)
    units_stated: int | None = None
    items: list = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    sections_listed: int = 0
    identity: Identity | None = None


def read_disclosure(src: Source, pages: list[layout.Page], mapping_path: Path) -> Disclosure:
    """Read a disclosure from its pages; SourceError only when it is not a disclosure at all."""
    lines = layout.number_lines(pages)
    tables, spans = assemble(pages)
    prose = read_prose(spans)
    if src.kind == "text" and not src.pages and prose.contents:
        _pages_from_contents(prose, tables)
    ident = identify(prose.cover + [clean(s.text) for s in spans[:40]], [t.org for t in tables], src.path)
    mapping = load_mapping(mapping_path)
    read: list[ReadTable] = []
    for t in tables:
        try:
            read += read_table(mapping, t, ident.stage)
        except SourceError as exc:
            raise SourceError(src.path, exc.line, exc.message, exc.page or t.page) from None
    mapped = [r for r in read if r.key]
    if len(mapped) < MIN_TABLES or not ident.unit or not ident.year:
        raise SourceError(src.path, 1 if src.kind == "text" else None, _refusal(ident, mapped),
                          page=1 if src.kind == "pdf" else None)
    listed = [e.page for e in prose.contents if e.page]
    count = src.pages or (max(listed) if src.kind == "text" and listed and len(pages) == 1 else len(pages))
    doc = Disclosure(src, ident.unit, ident.year, ident.stage, ident.title, ident.scope, ident.level, ident.region,
                     _layout_name(ident.stage, tables), count, identity=ident)
    doc.tables = [TableView(r, k, ident.year) for k, r in enumerate(read, 1)]
    doc.contents = prose.contents
    _sections(doc, prose, lines, src)
    if not doc.projects:
        doc.projects = read_forms(tables)
    if doc.projects:
        for t in doc.tables:
            if is_form(t.read.table) and t.status == "kept":
                t.status, t.reason = "read", "项目绩效目标表：读入项目、资金和绩效指标"
    _check_contents(doc, prose, spans, src)
    return doc


def _layout_name(stage: str, tables) -> str:
    """A short name for the document's layout, from what was found (for /sources and the build report)."""
    if stage == "决算":
        return "national-final-accounts"
    split = any(c.role == "code1" for t in tables for c in t.columns)
    return "shanghai-budget" if split else "national-budget"


def _refusal(ident: Identity, mapped: list[ReadTable]) -> str:
    """Why a file is not taken as a disclosure, in one line."""
    if not mapped:
        return ("not a budget disclosure: no table of a 预算/决算 disclosure was found (expected tables such as "
                "收支总表, 支出表, 三公经费表)")
    if not ident.year:
        return "not a budget disclosure: no year found on its cover or in its first lines"
    if not ident.unit:
        return "not a budget disclosure: no unit found (cover, 预算单位 line or the tables' 编制单位)"
    return f"not a budget disclosure: only {len(mapped)} table(s) of a 预算/决算 disclosure found"


def _pages_from_contents(prose: Prose, tables) -> None:
    """For text with no page breaks: each heading and table takes the page its 目录 entry gives, and what is
    not listed takes the page of the listed part before it."""
    listed = {re.sub(r"^[一二三四五六七八九十\d]+[、.]|^第[一二三四]部分", "", clean(e.text)): e.page
              for e in prose.contents if e.page}
    parts = sorted([(t.title_line, "table", t) for t in tables] + [(s.line, "section", s) for s in prose.sections],
                   key=lambda p: p[0])
    page = None
    for _, kind, part in parts:
        page = listed.get(clean(part.title)) or page
        if page is None:
            continue
        part.page = page
        if kind == "table":
            for r in part.rows:
                r.page = page
        else:
            for para in part.lines:
                para.page = page
                para.marks = [(at, page, ln) for at, _, ln in para.marks]
    by_section = {s.no: s.page for s in prose.sections}
    for s in prose.sentences:
        s.page = by_section.get(s.section, s.page)


# -- sections by meaning --------------------------------------------------------------------------------------------

MEANINGS = {
    "duties": re.compile(r"(主要职能|主要职责|本单位职责|部门职责|单位职责)$"),
    "structure": re.compile(r"(机构设置(情况)?|单位构成|决算单位构成)$"),
    "glossary": re.compile(r"名词解释$"),
}


def meaning(section: Section) -> str:
    """What a section is (duties, structure, glossary) by its heading, or '' for other prose."""
    for name, pattern in MEANINGS.items():
        if pattern.search(section.title):
            return name
    return ""


def _sections(doc: Disclosure, prose: Prose, lines: list[Line], src: Source) -> None:
    narrative = []
    for sec in prose.sections:
        sec.part = meaning(sec)
        if sec.part == "duties" and not doc.duties:
            doc.intro, doc.duties = _duties(sec)
        elif sec.part == "structure" and not doc.departments:
            doc.departments_stated, doc.departments = _departments(sec)
        elif sec.part == "glossary" and not doc.glossary:
            doc.glossary = _glossary(sec)
        if sec.part != "glossary":
            narrative.append(sec)
    doc.sections = prose.sections
    doc.sentences = prose.sentences
    pages = {}
    for sec in prose.sections:
        for para in sec.lines:
            for _, page, line in para.marks:
                pages[line] = page
    doc.statements, doc.reasons = parse_statements([_Plain(s.no, s.title, _paras(s)) for s in narrative])
    for st in doc.statements:
        st.page = pages.get(st.line, st.page)
    doc.projects = _projects(lines, doc)
    doc.catalog_title, doc.catalog = _catalog(lines)
    org = read_org([s for s in prose.sections if s.part == "structure"], [t.read for t in doc.tables])
    doc.units, doc.units_stated = org.units, org.units_stated
    doc.departments_stated = doc.departments_stated or org.inner_stated
    if not doc.departments and org.inner:
        doc.departments = [overview.Department(k, name, "", "", "", None, None, 0)
                           for k, name in enumerate(org.inner, 1)]
    doc.items = read_items(narrative, doc.stage)


def _paras(sec: Section) -> list[Line]:
    return [Line(p.no, p.text, p.page) for p in sec.lines]


def _duties(sec: Section) -> tuple[str, list[tuple[int, str, int]]]:
    lines = _paras(sec)
    pattern = _item_pattern(lines)
    intro = "".join(ln.text for ln in lines if not pattern.match(ln.text))
    items = [(_num(n), text, no) for n, text, no in overview.paragraphs(lines, pattern)]
    return intro if items else "", items


def _departments(sec: Section) -> tuple[int | None, list]:
    lines = _paras(sec)
    stated = None
    for ln in lines:
        if m := re.search(r"(?:内设|设)(\d+)个(?:内设)?机构|内设机构(\d+)个", ln.text):
            stated = int(m.group(1) or m.group(2))
            break
    try:
        return stated, overview.parse_departments(_Quiet(), lines)[1]
    except SourceError:
        return stated, []


def _glossary(sec: Section) -> list:
    lines = _paras(sec)
    try:
        return overview.parse_glossary(_Quiet(), lines, _item_pattern(lines))
    except SourceError:
        return []


@dataclass
class _Plain:
    """A section as the statement reader takes it (its lines are rewritten there, so a copy)."""

    no: int
    title: str
    lines: list[Line]


class _Quiet:
    """A stand-in source for the prose readers: their errors are caught, a section stays prose."""

    def error(self, line: int | None, message: str) -> SourceError:
        return SourceError("", line, message)


def _item_pattern(lines: list[Line]) -> re.Pattern:
    """The numbering a list uses most: 一、, （一）, 1. or 1、."""
    patterns = (overview.TOP_ITEM, re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]、?(.*)$"),
                re.compile(r"^(\d{1,2})[.．、](.*)$"))
    counts = [(sum(1 for ln in lines if p.match(ln.text)), k) for k, p in enumerate(patterns)]
    return patterns[max(counts)[1]]


def _num(n: str) -> int:
    return int(n) if n.isdigit() else overview.cn_to_int(n)


def _projects(lines: list[Line], doc: Disclosure) -> list:
    """The 项目支出绩效目标申报表 forms, linked to their rows of the 项目支出表."""
    _, forms = projects.split_forms([ln for ln in lines if ln.text.strip()])
    found = []
    for k, form in enumerate(forms, 1):
        try:
            found.append(projects.parse_form(_Quiet(), form, len(found) + 1))
        except SourceError as exc:
            doc.problems.append(f"绩效目标申报表第{k}份未能读取：{exc.message}")
    rows = next((t.rows for t in doc.tables if t.spec.key == "projects"), [])
    if found and rows:
        projects.link_projects(found, rows)
    return found


def _catalog(lines: list[Line]) -> tuple[str, list[CatalogNode]]:
    at = next((k for k, ln in enumerate(lines) if "\t" not in ln.text and "政府购买服务指导性目录" in ln.text
               and re.match(r"^\S+政府购买服务指导性目录", clean(ln.text))), None)
    if at is None:
        return "", []
    try:
        return parse_catalog(_Quiet(), lines[at:])
    except SourceError:
        return "", []


def _check_contents(doc: Disclosure, prose: Prose, spans: list[Span], src: Source) -> None:
    """What the 目录 lists and the document does not hold. Missing in the middle (pages missing): reported,
    the rest loads. Missing at the end, or prose stopping mid-sentence: the file is cut, and the build stops."""
    toc_end = max((e.line for e in prose.contents), default=0)
    found = [_key(t.title) for t in doc.tables] + [_key(s.title) for s in prose.sections] + \
        [_key(s.text) for s in spans if len(clean(s.text)) <= 40 and s.line > toc_end]
    entries = [e for e in prose.contents if _key(e.text)]
    present = [_listed(_key(e.text), found) for e in entries]
    if any(present):
        last = max(k for k, ok in enumerate(present) if ok)
        if last + 1 < len(entries):
            tail = entries[last + 1]
            raise src.error(_last_line(spans), f"the 目录 lists {clean(tail.text)}, but the document ends before it "
                                               "(file cut or pages missing)")
        for e, ok in zip(entries, present):
            if not ok and clean(e.text).endswith("表") and not PART_TABLES.search(clean(e.text)):
                doc.problems.append(f"目录列出“{clean(e.text)}”，文件中没有这张表（缺页？）")
    if spans:
        end = clean(spans[-1].text)
        ends_table = any(t.line > spans[-1].line for t in doc.tables)
        if not ends_table and (len(end) >= 15 and not end.endswith(END_MARKS) or heading_level(end) is not None):
            raise src.error(spans[-1].line, f"the document stops at “{end[-20:]}” (file cut?)")
    doc.sections_listed = len([e for e in entries if re.match(r"^[一二三四五六七八九十]+、", clean(e.text))])


END_MARKS = ("。", "；", ";", "！", "？", "）", ")", "”", "表", "日", "元", "%")


KEY_NUMBERING = re.compile(r"^(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|\d{1,2}[.、]|[（(][一二三四五六七八九十]+[）)])")
KEY_NOISE = re.compile(r"[“”\"'\s]|^\d{4}年度?|(情况)?说明$")


def _key(text: str) -> str:
    """A heading or title reduced for comparison with the 目录: no numbering, year, spaces or quotes."""
    return KEY_NOISE.sub("", KEY_NUMBERING.sub("", clean(text)))


PART_TABLES = re.compile(r"(部门|单位)(预算|决算)(公开)?(报)?表$")


def _listed(entry: str, found: list[str]) -> bool:
    """Whether a 目录 entry is in the document: a table by its title, a heading nearly as printed."""
    from rapidfuzz import fuzz

    if entry.endswith("表"):
        return any(entry == f or entry in f or f.endswith("表") and f in entry for f in found)
    return any(entry == f or entry in f or f and f in entry and len(f) >= 4 or fuzz.ratio(entry, f) >= 85
               for f in found)


def _last_line(spans: list[Span]) -> int | None:
    return spans[-1].line if spans else None
