"""第一部分 (duties, 内设机构) and 第四部分 (名词解释): numbered paragraphs of prose."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .source import Line, Source

CN_NUM = "零一二三四五六七八九十"
PAREN_ITEM = re.compile(r"^（([一二三四五六七八九十]+)）(.*)$")
TOP_ITEM = re.compile(r"^([一二三四五六七八九十]+)、(.*)$")


def cn_to_int(text: str) -> int:
    """A Chinese numeral up to 99 ('十三' → 13)."""
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (CN_NUM.index(tens) if tens else 1) * 10 + (CN_NUM.index(ones) if ones else 0)
    return CN_NUM.index(text)


def paragraphs(lines: list[Line], pattern: re.Pattern) -> list[tuple[str, str, int]]:
    """Items starting with a numbered marker, with continuation lines joined: (number, text, line)."""
    items: list[list] = []
    for ln in lines:
        text = ln.text.strip()
        if not text:
            continue
        if m := pattern.match(text):
            items.append([m.group(1), m.group(2).strip(), ln.no])
        elif items:
            items[-1][1] += text
    return [tuple(x) for x in items]


@dataclass
class Department:
    """One 内设机构 with its duties and staffing."""

    seq: int
    name: str
    aliases: str
    duties: str
    staffing_text: str
    staff: int | None
    leaders: int | None
    line: int


STAFF = re.compile(r"编制(\d+)名")
LEADERS = re.compile(r"领导职数(\d+)正(\d+)副|领导职数(\d+)名")


def parse_duties(src: Source, lines: list[Line]) -> tuple[str, list[tuple[int, str, int]]]:
    """The intro sentence and the numbered duties of 一、本单位职责."""
    intro = next((ln.text.strip() for ln in lines if ln.text.strip() and not PAREN_ITEM.match(ln.text.strip())), "")
    items = [(cn_to_int(n), t, no) for n, t, no in paragraphs(lines, PAREN_ITEM)]
    if not items:
        raise src.error(lines[0].no if lines else None, "expected numbered duties （一）… under 一、本单位职责")
    return intro, items


def parse_departments(src: Source, lines: list[Line]) -> tuple[int | None, list[Department]]:
    """The stated count and each 内设机构 of 二、机构设置情况."""
    stated = None
    for ln in lines:
        if m := re.search(r"内设(\d+)个机构", ln.text):
            stated = int(m.group(1))
            break
    deps = []
    for n, text, no in paragraphs(lines, PAREN_ITEM):
        staffing = ""
        if found := list(STAFF.finditer(text)):
            k = found[-1].start()
            text, staffing = text[:k], text[k:]
        head, _, duties = text.partition("。")
        m = re.match(r"^(.+?)（(.+)）$", head)
        name, aliases = (m.group(1), m.group(2)) if m else (head, "")
        staff = STAFF.search(staffing)
        lead = LEADERS.search(staffing)
        leaders = None
        if lead:
            leaders = int(lead.group(1)) + int(lead.group(2)) if lead.group(1) else int(lead.group(3))
        if not staff:
            raise src.error(no, f"内设机构 {name}: expected '编制N名' after its duties")
        deps.append(Department(cn_to_int(n), name, aliases, duties, staffing, int(staff.group(1)), leaders, no))
    return stated, deps


@dataclass
class Term:
    """A 名词解释 entry; sub-terms (三公经费's parts) name their parent."""

    seq: int
    term: str
    definition: str
    parent: str
    line: int


SUBTERM = re.compile(r"(因公出国（境）费用|公务用车购置费|公务用车运行维护费|公务接待费)反映([^；。]+)")


def parse_glossary(src: Source, lines: list[Line], pattern: re.Pattern = TOP_ITEM) -> list[Term]:
    """Every numbered term of 第四部分 (or 名词解释), with the 三公经费 parts as sub-terms."""
    terms: list[Term] = []
    for n, text, no in paragraphs(lines, pattern):
        m = re.match(r"^(.+?)(?:：|(?=是指|是对))(.*)$", text)
        if not m:
            raise src.error(no, "expected '术语：定义' in 名词解释")
        term = m.group(1).strip().strip("“”\"")
        term = term.replace("“", "").replace("”", "")
        definition = m.group(2).strip()
        if not definition:
            raise src.error(no, f"名词解释 {term}: expected a definition")
        seq = int(n) if n.isdigit() else cn_to_int(n)
        terms.append(Term(seq, term, definition, "", no))
        for sub in SUBTERM.finditer(definition):
            terms.append(Term(seq, sub.group(1), "反映" + sub.group(2) + "。", term, no))
    return terms
