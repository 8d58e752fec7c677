"""第三部分 情况说明: sections, the figures each sentence states, the reasons given, and the 指导性目录."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .overview import TOP_ITEM, cn_to_int
from .source import Line, Source, nospace, squash

FIGURE = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(亿元|万元|%|辆|平方米|个|元|份|批次|人次|台[（(]套[）)]|台|套|家|项|名|层|所|处|次)")
SUBHEAD = re.compile(r"^(\d+、|\([一二三四五六七八九十]+\))(.{1,30}?)[：:]?$")  # on NFKC text
BREAK = re.compile(r"[，,。；;：:、]")
VERBS = ("占", "增加", "增长", "减少", "下降")
REASON = re.compile(r"主要原因[是为]?[：:]?")


@dataclass
class Section:
    """A top-level section of 情况说明, with the prose lines that belong to it."""

    no: int
    title: str
    line: int
    lines: list[Line]
    page: int | None = None
    part: str = ""

    @property
    def text(self) -> str:
        """The prose joined, headings kept as their own sentences."""
        return "\n".join(ln.text.strip() for ln in self.lines if ln.text.strip())


@dataclass
class Statement:
    """A figure stated in prose: what it is of, its label, value, unit and sentence."""

    section: int
    seq: int
    topic: str
    subject: str
    label: str
    value: Decimal
    unit: str
    sentence: str
    line: int
    page: int | None = None


@dataclass
class Reason:
    """One reason the prose gives for a change."""

    section: int
    about: str
    seq: int
    text: str
    line: int


def split_sections(src: Source, lines: list[Line]) -> list[Section]:
    """Top-level 一、… sections of 第三部分."""
    sections: list[Section] = []
    for ln in lines:
        text = ln.text.strip()
        m = TOP_ITEM.match(text) if "\t" not in text else None
        if m and len(text) <= 40:
            sections.append(Section(cn_to_int(m.group(1)), m.group(2).strip(), ln.no, []))
        elif sections:
            sections[-1].lines.append(ln)
        elif text:
            raise src.error(ln.no, f"expected a section heading (一、…) in 第三部分, found {text[:30]!r}")
    if not sections:
        raise src.error(lines[0].no if lines else None, "expected sections 一、… in 第三部分")
    return sections


def paragraphs(section: Section) -> list[tuple[str, str, int]]:
    """(topic, paragraph, line) for each prose paragraph; topic is the latest sub-heading."""
    topic = ""
    out = []
    for ln in section.lines:
        text = nospace(ln.text)
        if not text or "\t" in ln.text.strip():
            continue
        if (m := SUBHEAD.match(squash(text))) and not FIGURE.search(text):
            topic = m.group(2)
            continue
        out.append((topic, text, ln.no))
    return out


def _join_wrapped(section: Section) -> None:
    """Rejoin prose lines the PDF broke mid-sentence (a line not ending in 。 followed by more prose)."""
    joined: list[Line] = []
    for ln in section.lines:
        t = ln.text.strip()
        if not t:
            continue
        prev = joined[-1].text.strip() if joined else ""
        if (prev and not prev.endswith(("。", "：", ":")) and "\t" not in prev and "\t" not in t
                and not SUBHEAD.match(squash(t)) and not SUBHEAD.match(squash(prev))):
            joined[-1] = Line(joined[-1].no, prev + t, joined[-1].page)
        else:
            joined.append(ln)
    section.lines = joined


CONNECTIVES = ("主要包括", "收入为", "其中", "和", "及", "以及")


def _label(text: str) -> str:
    label = BREAK.split(text)[-1]
    for word in CONNECTIVES:
        if label.startswith(word) and len(label) > len(word):
            label = label[len(word):]
    return label


def parse_statements(sections: list[Section]) -> tuple[list[Statement], list[Reason]]:
    """Every figure stated in the prose, and every reason list after 主要原因."""
    stmts: list[Statement] = []
    reasons: list[Reason] = []
    for sec in sections:
        _join_wrapped(sec)
        seq = 0
        for topic, para, no in paragraphs(sec):
            for sent in re.findall(r"[^。；;]+[。；;]?", para):
                first = subject = ""
                pos = 0
                for m in FIGURE.finditer(sent):
                    label = _label(sent[pos:m.start()])
                    pos = m.end()
                    if label.endswith("没有价值"):
                        continue
                    if label.startswith("比"):
                        subject = first
                        label = first + label
                    elif not label or label.startswith(VERBS):
                        label = subject + label
                    else:
                        subject = label
                        first = first or label
                    seq += 1
                    value = Decimal(m.group(1).replace(",", ""))
                    stmts.append(Statement(sec.no, seq, topic, subject, label, value, m.group(2), sent, no))
                if m := re.search(r"没有价值(\d+)万元以上设备", sent):
                    seq += 1
                    label = f"价值{m.group(1)}万元以上设备"
                    stmts.append(Statement(sec.no, seq, topic, label, label + "数量", Decimal(0), "台", sent, no))
            reasons += _reasons(sec.no, para, no, len([r for r in reasons if r.section == sec.no]))
    return stmts, reasons


def _reasons(section: int, para: str, line: int, base: int) -> list[Reason]:
    """Reasons after each 主要原因 in a paragraph, split at 1、2、… when numbered."""
    out = []
    for m in REASON.finditer(para):
        before = re.split(r"[。；;]", para[:m.start()])
        clause = next((c for c in reversed(before) if FIGURE.search(c)), before[-1])
        about = _label(clause[:FIGURE.search(clause).start()]) if FIGURE.search(clause) else ""
        after = re.split(r"[；;](?=本年)|\n", para[m.end():])[0]
        items = [x.strip("，,。；; ") for x in re.split(r"(?:^|(?<=[。；;]))\d、|^\d、", after)]
        items = [x for x in items if x] or [after.strip("，,。；; ")]
        for k, text in enumerate(items, 1):
            out.append(Reason(section, about, base + len(out) + 1, text, line))
    return out


@dataclass
class CatalogNode:
    """A node of the 政府购买服务指导性目录 tree."""

    code: str
    level: int
    name: str
    parent: str
    line: int


def parse_catalog(src: Source, lines: list[Line]) -> tuple[str, list[CatalogNode]]:
    """The 指导性目录 table: code, level by column, parent by the last node one level up."""
    title, nodes, last = "", [], {}
    for ln in lines:
        cells = ln.cells
        if not ln.blank and "目录" in ln.text and "\t" not in ln.text.strip():
            title = squash(ln.text)
            continue
        if not cells or not re.match(r"^[A-Z]\d*$", cells[0]):
            continue
        levels = [k for k, c in enumerate(cells[1:], 1) if c]
        if len(levels) != 1:
            raise src.error(ln.no, "目录: expected one name per code")
        level = levels[0]
        last[level] = cells[0]
        nodes.append(CatalogNode(cells[0], level, cells[level], last.get(level - 1, "") if level > 1 else "", ln.no))
    return title, nodes
