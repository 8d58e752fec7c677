"""Prose as structure: the 目录, headings with levels, sections with their lines, and sentences with pages.

No template here: headings are recognised by their numbering (第X部分, 一、, （一）, 1.) or, unnumbered, by being
short, unpunctuated lines that name a part (…职能, …机构设置, 名词解释, …说明). A line the PDF wrapped is
joined back to its paragraph; a sentence keeps the page and line where it starts and its section.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .amounts import clean
from .layout import Span

PART = re.compile(r"^第[一二三四五六七八九十]+部分")
LEVEL1 = re.compile(r"^[一二三四五六七八九十]+、")
LEVEL2 = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
LEVEL3 = re.compile(r"^\d{1,2}[.．、](?!\d+(\.\d+)?(万|%|元|亿|个|人))")
LEVEL4 = re.compile(r"^[（(]\d{1,2}[）)]")
NAMED = re.compile(r"(主要职能|主要职责|职责|机构设置|单位构成|名词解释|编制说明|情况说明|相关情况说明|项目经费情况说明|"
                   r"绩效目标|概况|预算表|决算表|报表|重要事项说明)$")
TOC_PAGE = re.compile(r"(?:\.{2,}|…+|·{2,}|\s)\s*(\d{1,3})$|(?<=[\u4e00-\u9fff)）])(\d{1,3})$")
LEADERS = re.compile(r"[.…·]{2,}")
SENTENCE = re.compile(r"[^。；;！？!?]+[。；;！？!?]?")
END = ("。", "；", ";", "！", "？")  # a line ending in "：" goes on (its list items start lines of their own)
HEADING_MAX = 40  # characters: a longer line is prose
FULL_LINE = 0.8  # a line this close to the page's longest prose line is wrapped prose, not a heading


@dataclass
class Entry:
    """One line of the 目录: its text (without leader dots and page number) and the page it lists, if any."""

    text: str
    page: int | None
    line: int


@dataclass
class Para:
    """A paragraph: its text (wrapped lines joined), the line and page it starts on, and where each line began."""

    no: int
    text: str
    page: int | None
    marks: list[tuple[int, int | None, int]] = field(default_factory=list)  # (offset, page, line)
    heading: bool = False

    def where(self, offset: int) -> tuple[int | None, int]:
        """The page and line of the character at offset."""
        page, line = self.page, self.no
        for at, pg, ln in self.marks:
            if at > offset:
                break
            page, line = pg, ln
        return page, line


@dataclass
class Section:
    """A section of prose: its heading, level and parents, its lines (wrapped lines joined) and page."""

    no: int
    title: str
    level: int
    line: int
    page: int | None
    path: tuple[str, ...] = ()
    lines: list[Para] = field(default_factory=list)
    part: str = ""
    number: str = ""

    @property
    def text(self) -> str:
        """The prose joined, one paragraph per line."""
        return "\n".join(ln.text for ln in self.lines if ln.text)


@dataclass
class Sentence:
    """One sentence of prose with where it stands: section, page, line and the heading above it (topic)."""

    seq: int
    section: int
    topic: str
    text: str
    page: int | None
    line: int


@dataclass
class Prose:
    """The document's prose read: cover lines, the 目录, sections and sentences."""

    cover: list[str]
    contents: list[Entry]
    sections: list[Section]
    sentences: list[Sentence]


WIDE = re.compile(r"[\u2e80-\U0010ffff]")
SPACES = re.compile(r"\s+")
TABLES_PART = re.compile(r"(部门|单位)(预算|决算)(公开)?表$")
HEADING_NUMBER = re.compile(r"^(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,2}[.．、])")
TOPIC_NUMBER = re.compile(r"^[（(]?[一二三四五六七八九十\d]+[）)、.．]?")


def visual(text: str) -> int:
    """A line's width in half-width characters (a Chinese character counts two)."""
    return len(text) + len(WIDE.findall(text))


def heading_level(text: str, full: bool = False) -> int | None:
    """The level of a heading line (0 part, 1 一、, 2 （一）, 3 1., 4 (1)), or None for prose.

    full: the line reaches the right margin, so it is prose the PDF wrapped (unless it ends like a heading)."""
    t = clean(text)
    if not t or len(t) > HEADING_MAX or t.endswith(("。", "，", "、", "；", ";")) or "。" in t[:-1]:
        return None
    if PART.match(t) or TABLES_PART.search(t):
        return 0
    full = full and len(t) >= 12 and not NAMED.search(t) and not t.endswith(("情况", "说明", "情况说明"))
    for level, pattern in ((1, LEVEL1), (2, LEVEL2), (3, LEVEL3), (4, LEVEL4)):
        if pattern.match(t):
            if full or "：" in t[:-1] and len(t) > 20 or level == 1 and t.endswith(("：", ":")):
                return None  # wrapped prose, or an item introducing what follows ("六、财政专户管理资金：")
            return level
    if NAMED.search(t) and not full and "，" not in t:
        return 0  # an unnumbered part heading (部门主要职能, 名词解释, 其他相关情况说明)
    return None


def read_prose(spans: list[Span]) -> Prose:
    """Cover, 目录, sections and sentences from the prose lines (tables already taken out)."""
    cover, rest = _cover(spans)
    contents, body = _contents(rest)
    sections = _sections(body, _full_lines(body))
    sentences = _sentences(sections)
    return Prose(cover, contents, sections, sentences)


def _cover(spans: list[Span]) -> tuple[list[str], list[Span]]:
    for k, s in enumerate(spans[:20]):
        t = clean(s.text)
        if t in ("目录", "目次"):
            return [clean(x.text) for x in spans[:k]], spans[k:]
        if heading_level(s.text) is not None and k:
            return [clean(x.text) for x in spans[:k]], spans[k:]
    first_page = spans[0].page if spans else 1
    cover = [s for s in spans[:8] if s.page == first_page]
    return [clean(x.text) for x in cover], spans[len(cover):]


def _contents(spans: list[Span]) -> tuple[list[Entry], list[Span]]:
    """The 目录's entries and the spans after it."""
    if not spans or clean(spans[0].text) not in ("目录", "目次"):
        return [], spans
    entries: list[Entry] = []
    paged = 0
    for k, s in enumerate(spans[1:], 1):
        t = clean(s.text)
        m = TOC_PAGE.search(t)
        text = LEADERS.sub("", TOC_PAGE.sub("", t) if m else t).strip()
        seen = {e.text for e in entries}
        listed = bool(m) or LEADERS.search(t) or PART.match(t) or LEVEL1.match(t) or LEVEL3.match(t) or LEVEL2.match(t)
        if not listed and entries and entries[-1].page is None and "。" not in t and (
                len(text) <= 4 or PART.match(entries[-1].text) and len(text) <= 8):
            entries[-1].text += text  # an entry wrapped onto a second line ("…部门决算" / "表")
            continue
        ends = (text in seen or not listed or len(text) > 60 or "。" in text
                or paged >= 3 and not m and paged > len(entries) / 2)
        if ends and entries:
            return entries, spans[k:]
        entries.append(Entry(text, int(m.group(1) or m.group(2)) if m else None, s.line))
        paged += bool(m)
    return entries, []


def _full_lines(spans: list[Span]) -> set[int]:
    """The spans (by id) that reach their page's right margin: lines the PDF wrapped, not headings."""
    right: dict[int, float] = {}
    widest: dict[int, int] = {}
    for s in spans:
        if s.x1 is not None:
            right[s.page] = max(right.get(s.page, 0.0), s.x1)
        widest[s.page] = max(widest.get(s.page, 0), visual(clean(s.text)))
    full = set()
    for s in spans:
        t = clean(s.text)
        if s.x1 is not None and len(t) >= 2:
            size = (s.x1 - s.x0) / max(visual(t), 1) * 2  # one Chinese character's width
            if s.x1 >= right[s.page] - 1.5 * size:
                full.add(id(s))
        elif s.x1 is None and visual(t) >= FULL_LINE * widest[s.page]:
            full.add(id(s))
    return full


def _sections(spans: list[Span], full: set[int]) -> list[Section]:
    sections: list[Section] = []
    parents: dict[int, str] = {}
    current: Section | None = None
    previous_level: int | None = None
    for s in spans:
        text = SPACES.sub("", s.text)
        level = heading_level(text, id(s) in full)
        if previous_level == 0 and current is not None and not current.lines and len(text) <= 8 \
                and not (LEVEL1.match(text) or LEVEL2.match(text) or LEVEL3.match(text)):
            current.title += text  # a part heading wrapped onto a second line ("…部门决算" / "情况说明")
            parents[0] = current.title
            current.path = (current.title,)
            previous_level = None
            continue
        previous_level = level
        if level is not None and level <= 1:
            parents = {k: v for k, v in parents.items() if k < level}
            parents[level] = text
            path = tuple(parents[k] for k in sorted(parents))
            current = Section(len(sections) + 1, text, level, s.line, s.page, path)
            sections.append(current)
            continue
        if current is None:
            current = Section(1, "", 1, s.line, s.page)
            sections.append(current)
        _add_line(current, s, level is not None, text)
    kept = [sec for sec in sections if sec.lines or sec.level == 1 and not _listed_table(sec.title)]
    for k, sec in enumerate(kept, 1):
        sec.no = k
        sec.number, sec.title = _split_number(sec.title)
    return kept


def _listed_table(title: str) -> bool:
    return title.endswith("表")


def _split_number(title: str) -> tuple[str, str]:
    m = HEADING_NUMBER.match(title)
    return (m.group(1), title[m.end():].strip()) if m else ("", title)


def _add_line(section: Section, span: Span, heading: bool, text: str | None = None) -> None:
    """A line into its section: a new paragraph after a full stop or a sub-heading, else joined to the last
    (text: the span's text without white space, when the caller has it)."""
    text = SPACES.sub("", span.text) if text is None else text
    last = section.lines[-1] if section.lines else None
    starts_item = bool(LEVEL1.match(text) or LEVEL2.match(text) or LEVEL3.match(text) or LEVEL4.match(text))
    if last is None or heading or starts_item or last.text.endswith(END) or last.heading:
        section.lines.append(Para(span.line, text, span.page, [(0, span.page, span.line)], heading))
    else:
        last.marks.append((len(last.text), span.page, span.line))
        last.text += text


def _sentences(sections: list[Section]) -> list[Sentence]:
    out: list[Sentence] = []
    for sec in sections:
        topic = ""
        for ln in sec.lines:
            if ln.heading:
                topic = TOPIC_NUMBER.sub("", ln.text, count=1).rstrip("：:")
                continue
            for m in SENTENCE.finditer(ln.text):
                text = m.group(0).strip()
                if len(text) >= 2:
                    page, line = ln.where(m.start())
                    out.append(Sentence(len(out) + 1, sec.no, topic, text, page, line))
    return out
