"""The organisation a document describes: its 内设机构 and its 下属单位, with the counts it states.

Read from the 机构设置 / 单位构成 prose ("设22个内设机构，包括：办公室、…", "下属5家预算单位…具体包括：1.…") and
from a table of units (序号 | 单位名称) when the document prints one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .model import ReadTable

INNER_COUNT = re.compile(r"(?:内设|设)(\d+)个(?:内设)?(?:机构|处室|科室|部门)|内设机构(\d+)个")
UNIT_COUNT = re.compile(r"(?:下属|所属|包括)(?:\S{0,8}?)(\d+)(?:家|个)(?:\S{0,6}?)(?:单位|预算单位)")
LIST_AFTER = re.compile(r"(?:包括|包含|分别是|具体包括|分别为|有)[：:](.+?)(?:。|$)")
ITEM = re.compile(r"^(?:\d{1,2}[.．、]|[（(][一二三四五六七八九十\d]+[）)]、?)\s*(.+?)[。；;]?$")
UNIT_NAME = re.compile(r"(局|委|院|办|处|厅|中心|所|站|队|馆|会|部|社|政府|办事处|学校|医院|园|室|团|台)([（(][^）)]*[）)])?$")
KIND = re.compile(r"[（(]([^）)]*(?:本级|本部|下属|所属|事业单位|行政单位|参公)[^）)]*)[）)]")


@dataclass
class Unit:
    """One unit the document's budget covers (本级 / 下属)."""

    seq: int
    name: str
    note: str
    page: int | None
    line: int


@dataclass
class Org:
    """What the document says of its organisation."""

    inner: list[str]
    inner_stated: int | None
    units: list[Unit]
    units_stated: int | None


def read_org(sections, tables: list[ReadTable]) -> Org:
    """内设机构 and 下属单位 from the structure sections (and a units table if printed)."""
    inner: list[str] = []
    inner_stated = units_stated = None
    units: list[Unit] = []
    for sec in sections:
        for para in sec.lines:
            text = re.sub(r"\s+", "", para.text)
            if inner_stated is None and (m := INNER_COUNT.search(text)):
                inner_stated = int(m.group(1) or m.group(2))
                if (lst := LIST_AFTER.search(text[m.end():])) and not inner:
                    inner = _split(lst.group(1))
            if units_stated is None and (m := UNIT_COUNT.search(text)):
                units_stated = int(m.group(1))
            if (m := ITEM.match(text)) and UNIT_NAME.search(_strip_note(m.group(1))):
                name, note = _name_note(m.group(1))
                units.append(Unit(len(units) + 1, name, note, para.page, para.no))
    if not units:
        units = _from_table(tables)
    return Org(inner, inner_stated, units, units_stated)


def _split(text: str) -> list[str]:
    """"办公室、政策法规处（财会监督处）、…" → names, brackets kept whole; trailing clauses dropped."""
    out, depth, cur = [], 0, ""
    for ch in text:
        depth += ch in "（(" and 1 or 0
        depth -= ch in "）)" and 1 or 0
        if ch in "、，," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    names = [n.strip("等和及 ") for n in out]
    return [n for n in names if 2 <= len(n) <= 30 and not re.search(r"按照|规定|设置", n)]


def _strip_note(text: str) -> str:
    return KIND.sub("", text).rstrip("。；;")


def _name_note(text: str) -> tuple[str, str]:
    m = KIND.search(text)
    return _strip_note(text), (m.group(1) if m else "")


def _from_table(tables: list[ReadTable]) -> list[Unit]:
    """A printed list of units (序号 | 单位名称 | 备注)."""
    for rt in tables:
        cols = rt.table.columns
        label = next((c for c in cols if c.role == "label" and c.path and c.path[-1] in ("单位名称", "单位")), None)
        if label is None or rt.key or not re.search(r"单位|构成|范围", rt.table.title + "".join(rt.table.notes)):
            continue
        out = []
        for row in rt.table.rows:
            raw = row.texts[label.index].strip()
            if raw:
                name, note = _name_note(re.sub(r"\s+", "", raw))
                out.append(Unit(len(out) + 1, name, note, row.page, row.line))
        if out:
            return out
    return []
