"""Which document this is — unit, year, 预算/决算, 部门/单位, level — from any evidence, in any order.

The cover lines (joined, so a unit or a year split over lines reads whole), an explicit 预算单位 / 预算主管部门 /
编制单位 line, the 目录 and part headings, the tables' 编制部门 lines, and the file name as a last resort.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .amounts import clean

YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
LABELLED = re.compile(r"(?:预算主管部门|预算单位|主管部门|编制单位|编制部门|单位名称|部门名称|填报单位)[:：]\s*(\S{2,40}?)"
                      r"(?=单位[:：]|金额单位|$|\s)")
TITLE = re.compile(r"(?P<level>市级|区级|县级|省级|乡镇级)?(?P<scope>部门|单位)?(?P<stage>预算|决算)(?:公开|报告|信息公开)?")
BODY_END = re.compile(r"(局|委员会|委|院|办公室|办|厅|中心|所|站|队|馆|会|部|处|社|政府|办事处|街道|镇|乡|学校|医院|集团|公司|室|台|团|园|署)$")
REGION = re.compile(r"^((?:[^省市]{2,6}省)?(?:[^省市区县]{1,6}市)?(?:[^市区县]{1,4}[区县])?)")
COVER_LINES = 14  # the cover is at most this many lines before the 目录 or the first heading


@dataclass
class Identity:
    """What a document is, and where each field was read (for the build report)."""

    unit: str
    year: int | None
    stage: str
    scope: str
    level: str
    region: str
    title: str
    evidence: dict[str, str]


def cover_text(lines: list[str]) -> str:
    """The cover: the first lines up to the 目录 (or the first part heading), joined without spaces."""
    out = []
    for text in lines[:COVER_LINES]:
        t = clean(text)
        if t in ("目录", "目次") or re.match(r"^(第[一二三四]部分|[一二三四]、)", t):
            break
        out.append(t)
    return "".join(out)


def identify(lines: list[str], orgs: list[str], path: Path | None = None) -> Identity:
    """The document's identity from its first lines, its tables' 编制单位 lines and its file name."""
    cover = cover_text(lines)
    evidence: dict[str, str] = {}
    head = "".join(clean(t) for t in lines[:60])
    year = _year(cover, head, path, evidence)
    stage, scope, level = _kind(cover, head, path, evidence)
    unit = _unit(cover, lines, orgs, evidence)
    region, body_level = region_level(unit)
    level = body_level if body_level in ("街道", "镇", "乡") or not level else level.rstrip("级")
    title = f"{unit}{year or ''}年{scope}{stage}" if unit else cover
    return Identity(unit, year, stage, scope, level, region, title, evidence)


def _year(cover: str, head: str, path: Path | None, evidence: dict) -> int | None:
    for where, text in (("封面", cover), ("开头", head), ("文件名", path.name if path else "")):
        m = YEAR.search(text)
        if m:
            evidence["year"] = where
            return int(m.group(1))
    return None


def _kind(cover: str, head: str, path: Path | None, evidence: dict) -> tuple[str, str, str]:
    for where, text in (("封面", YEAR.sub("", cover)), ("开头", YEAR.sub("", head)),
                        ("文件名", path.stem if path else "")):
        m = next((m for m in TITLE.finditer(text) if m.group("scope") or m.group("stage")), None)
        if m is None:
            if "决算" in text or "final" in text.lower():
                evidence["stage"] = where
                return "决算", "部门", ""
            continue
        evidence["stage"] = where
        return m.group("stage"), m.group("scope") or "部门", m.group("level") or ""
    return "预算", "部门", ""


def _unit(cover: str, lines: list[str], orgs: list[str], evidence: dict) -> str:
    for text in lines[:COVER_LINES]:
        m = LABELLED.search(clean(text))
        if m and BODY_END.search(m.group(1)):
            evidence["unit"] = "封面单位栏"
            return m.group(1)
    bare = YEAR.sub("", cover)
    m = TITLE.search(bare)
    before = re.sub(r"年度?$", "", bare[:m.start()]) if m else bare
    before = re.sub(r"^(\S{2,8}?[省市区县])?(市级|区级|县级)?$", "", before) if not BODY_END.search(before) else before
    if before and BODY_END.search(before) and len(before) >= 3:
        evidence["unit"] = "封面"
        return before
    named = Counter(o for o in orgs if o and BODY_END.search(o))
    if named:
        evidence["unit"] = "表头编制单位"
        return named.most_common(1)[0][0]
    for text in lines[COVER_LINES:COVER_LINES + 60]:
        m = re.match(r"^(?:第一部分)?(\S{3,40}?)(?:（(?:部门|单位)）)?(?:概况|主要职能|单位职责|部门职责|机构设置)$", clean(text))
        if m and BODY_END.search(m.group(1)):
            evidence["unit"] = "正文标题"
            return m.group(1)
    return ""


def region_level(unit: str) -> tuple[str, str]:
    """The region a unit's name starts with (上海市普陀区, 忻州市) and the unit's level (街道, 区, 市 …)."""
    region = REGION.match(unit).group(1) if unit else ""
    for word in ("街道", "镇", "乡"):
        if word in unit[len(region):]:
            return region, word
    return region, region[-1:] if region else ""
