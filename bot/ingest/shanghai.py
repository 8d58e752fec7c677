"""Documents of the data templates (Shanghai 预算, national 部门决算): cover, 目录, tables, prose parts, glossary."""
from __future__ import annotations

import re

from . import grid, overview
from .narrative import Section, parse_statements, split_sections
from .parse import Document
from .source import Line, Source, nospace, squash, with_pages
from .templates import COVERS, Template, by_id, family_for

ORDINAL_HEAD = re.compile(r"^([一二三四五六七八九十]+、|\d+[.．、]|（[一二三四五六七八九十]+）、?)")
ARABIC_ITEM = re.compile(r"^(\d+)[.．、]\s*(.*)$")
PAREN_ITEM = re.compile(r"^（([一二三四五六七八九十]+)）、?(.*)$")
PAREN_LEAD = re.compile(r"^(（[一二三四五六七八九十]+）、?|\d+[.．、])")
REGION = re.compile(r"^((?:[^省市]{2,6}省)?(?:[^省市区县]{1,6}市)?(?:[^市区县]{1,4}[区县])?)")


def recognise(src: Source) -> tuple[Template, re.Match] | None:
    """The template whose cover the first lines are, and the cover's fields."""
    head = ""
    for ln in src.lines[:15]:
        head += squash(ln.text)
        if head.endswith("目录"):
            break
    for template_id, pattern in COVERS:
        if m := pattern.match(head):
            return by_id(template_id), m
    return None


def region_level(unit: str) -> tuple[str, str]:
    """The region a unit's name starts with (上海市普陀区, 忻州市) and the unit's level (街道, 区, 市 …)."""
    region = REGION.match(unit).group(1)
    for word in ("街道", "镇", "乡"):
        if word in unit[len(region):]:
            return region, word
    return region, region[-1:] if region else ""


def text_pages(src: Source) -> Source:
    """A pdfplumber text twin: pages are separated by one blank line."""
    page, pages = 1, []
    for ln in src.lines:
        pages.append(page)
        if ln.text == "":
            page += 1
    return with_pages(src, pages)


def _heads(template: Template, lines: list[Line]) -> dict[str, Line]:
    """Each part's heading: the last plain line matching it (the 目录 lists the same words first)."""
    found: dict[str, Line] = {}
    for ln in lines:
        text = squash(ln.text)
        if "\t" in ln.text or not text or ORDINAL_HEAD.match(text) or len(text) > 40:
            continue
        for part, pattern in template.parts.items():
            if re.match(pattern, text):
                found[part] = ln
    return found


def parse_data_document(src: Source, template: Template, cover: re.Match) -> Document:
    """Parse a document of a data template; SourceError names the line (and PDF page) on anything unexpected."""
    if src.kind == "text":
        src = text_pages(src)
    unit = cover.group("unit")
    region, level = region_level(unit)
    doc = Document(src, unit, int(cover.group("year")), template.stage, cover.group("title"))
    doc.template, doc.region, doc.level, doc.scope = template.id, region, level, cover.group("scope")
    doc.pages = src.pages or max((ln.page or 0 for ln in src.lines), default=None)
    heads = _heads(template, src.lines)
    found = grid.find_tables(src, template, src.lines)
    if not found:
        raise src.error(None, f"no recognisable table (expected titles like {template.families[0].titles[0]})")
    for fam, title, body in found:
        doc.tables += grid.parse_table(src, fam, title, body, len(doc.tables) + 1, doc.year)
    toc_end = min((ln.no for ln in heads.values()), default=len(src.lines))
    _check_contents(src, template, doc, heads, [ln for ln in src.lines if ln.no < toc_end])
    stops = sorted([ln.no for ln in heads.values()] + [title.no for _, title, _ in found])

    def part(name: str) -> list[Line]:
        if name not in heads:
            return []
        start = heads[name].no
        end = next((n for n in stops if n > start), len(src.lines) + 1)
        return [ln for ln in src.lines if start < ln.no < end]

    doc.intro, doc.duties = _duties(part("duties"))
    doc.sections = _sections(src, heads, part)
    doc.statements, doc.reasons = parse_statements(doc.sections)
    pages = {ln.no: ln.page for ln in src.lines}
    for s in doc.statements:
        s.page = pages.get(s.line)
        s.label, s.subject = PAREN_LEAD.sub("", s.label), PAREN_LEAD.sub("", s.subject)
    glossary = part("glossary")
    doc.glossary = overview.parse_glossary(src, glossary, _item_pattern(glossary)) if glossary else []
    _check_glossary(src, template, doc, heads)
    return doc


def _item_pattern(lines: list[Line]) -> re.Pattern:
    """The numbering a list uses: 一、, （一）、 or 1."""
    counts = {p: sum(1 for ln in lines if p.match(ln.text.strip())) for p in (overview.TOP_ITEM, PAREN_ITEM, ARABIC_ITEM)}
    return max(counts, key=counts.get)


def _duties(lines: list[Line]) -> tuple[str, list[tuple[int, str, int]]]:
    if not lines:
        return "", []
    pattern = _item_pattern(lines)
    if pattern is overview.TOP_ITEM and not any(overview.TOP_ITEM.match(ln.text.strip()) for ln in lines):
        return "", []
    stop = next((k for k, ln in enumerate(lines) if k and re.match(r"^[一二三四五六七八九十]+、", ln.text.strip())
                 and pattern is not overview.TOP_ITEM), len(lines))
    lines = lines[:stop]
    first = next((k for k, ln in enumerate(lines) if pattern.match(ln.text.strip())), len(lines))
    intro = "".join(ln.text.strip() for ln in lines[:first]
                    if not re.match(r"^[一二三四五六七八九十]+、\S{0,8}$", ln.text.strip()))
    items = []
    for n, text, no in overview.paragraphs(lines, pattern):
        items.append((overview.cn_to_int(n) if not n.isdigit() else int(n), text, no))
    return intro, items


def _sections(src: Source, heads: dict[str, Line], part) -> list[Section]:
    """The prose parts as numbered sections: a whole 编制说明, then each 一、… of the 说明 parts."""
    sections: list[Section] = []
    if "explain" in heads:
        ln = heads["explain"]
        sections.append(Section(1, nospace(ln.text), ln.no, [x for x in part("explain") if "\t" not in x.text]))
    for name in ("other", "project", "narrative"):
        lines = [x for x in part(name) if not x.blank]
        lines = _after_wrapped_heading(lines)
        if not lines:
            continue
        for sec in split_sections(src, lines):
            sec.no = len(sections) + 1
            sec.part = name
            sections.append(sec)
    for sec in sections:
        sec.page = next((ln.page for ln in src.lines if ln.no == sec.line), None)
    return sections


def _after_wrapped_heading(lines: list[Line]) -> list[Line]:
    """Drop the rest of a part heading the PDF wrapped onto a second line (…部门决算 / 情况说明)."""
    while lines and not overview.TOP_ITEM.match(lines[0].text.strip()) and len(squash(lines[0].text)) <= 8:
        lines = lines[1:]
    return lines


def _check_contents(src: Source, template: Template, doc: Document, heads: dict[str, Line], toc: list[Line]) -> None:
    """Every table and part the 目录 lists is in the document (a cut file stops here)."""
    keys = {t.spec.key for t in doc.tables}
    for ln in toc:
        text = ORDINAL_HEAD.sub("", squash(ln.text)).strip()
        fam = family_for(template, text)
        if fam is not None and fam.key not in keys:
            raise src.error(ln.no, f"目录 lists {text}, but the document has no such table (file cut or pages missing)")
        for part, pattern in template.parts.items():
            if part not in ("tables",) and re.match(pattern, text) and part not in heads:
                raise src.error(ln.no, f"目录 lists {text}, but the document has no such part (file cut or pages missing)")
    listed = [ln for ln in toc if re.match(r"^[一二三四五六七八九十]+、", squash(ln.text))]
    if "narrative" in heads:
        start = next((k for k, ln in enumerate(toc) if re.match(template.parts["narrative"], squash(ln.text))), None)
        stop = next((k for k, ln in enumerate(toc) if re.match(template.parts["glossary"], squash(ln.text))), len(toc))
        if start is not None:
            doc.sections_listed = sum(1 for ln in toc[start:stop] if ln in listed)


def _check_glossary(src: Source, template: Template, doc: Document, heads: dict[str, Line]) -> None:
    listed = getattr(doc, "sections_listed", 0)
    narrative = [s for s in doc.sections if getattr(s, "part", "") == "narrative"]
    if listed and len(narrative) < listed:
        last = narrative[-1].line if narrative else heads["narrative"].no
        raise src.error(last, f"情况说明: the 目录 lists {listed} sections, the document has {len(narrative)} (file cut?)")
    if "glossary" not in heads:
        return
    if not doc.glossary:
        raise src.error(heads["glossary"].no, "名词解释: expected numbered terms (file cut?)")
    terms = {squash(g.term) for g in doc.glossary}
    missing = [t for t in template.glossary_terms if squash(t) not in terms]
    if missing:
        raise src.error(heads["glossary"].no, f"名词解释: expected the term {missing[0]} (file cut?)")
