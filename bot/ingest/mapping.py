"""Mapping printed tables to tables by meaning, from data (queries/templates/tables.yaml).

A table is placed in a family by its title, loosely; its value columns are named by their header words; a wide
table (三公 printed as one row under item headers) is turned into rows. Every data row becomes a Record with its
code (7-digit, or 类/款/项 joined), name, parent and values in 万元. A table no family fits is kept with its own
header words as column names, so it can still be asked; a table with no figures is empty, never an error.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml

from .amounts import MAX_DIGITS, amount, clean, is_amount, to_wan
from .assemble import ORDINAL, TOTAL
from .model import Column, ReadTable, Record, Table

LIMIT_YUAN = Decimal(10) ** 12  # no department's figure is near a trillion 元
SPACE = re.compile(r"\s+")
LONG_NUMBER = re.compile(r"^-?[\d,]{16,}(\.\d+)?$")
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
TITLE_NOISE = re.compile(r"[“”\"'‘’「」]")
TITLE_PREFIX = re.compile(r"^(\S*?\d{4}年度?)?(预算单位|部门|单位)?")


class MappingError(ValueError):
    """tables.yaml does not hold a usable mapping."""


@dataclass(frozen=True)
class Family:
    """A table family: its key, title patterns and column renames."""

    key: str
    match: tuple[re.Pattern, ...]
    exclude: tuple[str, ...]
    rename: dict[str, str]
    rows: dict[str, str]
    totals: tuple[str, ...]
    wide: dict | None


@dataclass(frozen=True)
class Mapping:
    """The whole mapping: families in order, column names, side words, form words."""

    families: tuple[Family, ...]
    columns: tuple[tuple[str, re.Pattern], ...]
    sides: dict[str, tuple[str, ...]]
    forms: tuple[str, ...]


@lru_cache(maxsize=4)
def load_mapping(path: Path) -> Mapping:
    """Read and check the mapping file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fams = []
    for f in data.get("families") or []:
        if "key" not in f or not f.get("match"):
            raise MappingError(f"{path}: every family needs a key and match patterns")
        try:
            pats = tuple(re.compile(p) for p in f["match"])
        except re.error as exc:
            raise MappingError(f"{path}: family {f['key']}: bad pattern ({exc})") from None
        fams.append(Family(f["key"], pats, tuple(f.get("not") or ()), dict(f.get("rename") or {}),
                           dict(f.get("rows") or {}), tuple(f.get("totals") or ()), f.get("wide")))
    cols = tuple((name, re.compile(p)) for name, p in data.get("columns") or [])
    sides = {k: tuple(v) for k, v in (data.get("sides") or {}).items()}
    return Mapping(tuple(fams), cols, sides, tuple(data.get("forms") or ()))


def title_key(title: str) -> str:
    """A printed title reduced for matching: NFKC, no spaces or quotes, no year, unit name or 部门/单位 prefix."""
    return TITLE_PREFIX.sub("", TITLE_NOISE.sub("", clean(title)), count=1)


def family_of(mapping: Mapping, title: str) -> Family | None:
    """The family a printed title belongs to, if any."""
    key = title_key(title)
    if any(w in key for w in mapping.forms):
        return None
    for fam in mapping.families:
        if any(p.search(key) for p in fam.match) and not any(w in key for w in fam.exclude):
            return fam
    return None


def column_name(mapping: Mapping, col: Column, fam: Family | None) -> str:
    """A value column's name: by its last header word (then its whole path), renamed for its family."""
    words = [clean(w) for w in col.path] or [f"列{col.index + 1}"]
    name = words[-1]
    for canonical, pattern in mapping.columns:
        if pattern.search(words[-1]):
            name = canonical
            break
    if fam is not None:
        name = fam.rename.get(name, name)
    return name


# -- records -----------------------------------------------------------------------------------------------------

def read_table(mapping: Mapping, table: Table, stage: str) -> list[ReadTable]:
    """A printed table as one or more tables by meaning (a wide one may feed two), or kept as printed."""
    fam = family_of(mapping, table.title)
    _name_sides(mapping, table)
    for col in table.columns:
        col.name = column_name(mapping, col, fam) if col.role == "value" else col.role
    _unique_names(table)
    problems = list(table.problems)
    if not table.unit:
        table.unit = _guess_unit(table)
        table.unit_printed = False
        if table.has_figures:
            problems.append(f"未印单位，按数字推断为{table.unit}")
    if fam is not None and fam.wide and _is_wide(table):
        return _wide(table, fam, problems)
    records, bad = _records(table, fam)
    problems += bad
    if fam is not None and table.has_figures and fam.totals:
        labels = {r.label for r in records}
        if not labels & set(fam.totals):
            problems.append(f"没有{'/'.join(fam.totals)}行（表被截断？）")
    if not table.has_figures:
        status, reason = "empty", "；".join(table.notes[-1:]) or "表中没有数字"
    elif fam is None:
        status, reason = "kept", "未归入已知表类，按原表列名保存"
    else:
        status, reason = ("partly" if problems else "read"), "；".join(problems)
    return [ReadTable(table, fam.key if fam else "", records, status, reason)]


def _name_sides(mapping: Mapping, table: Table) -> None:
    sides = list(dict.fromkeys(c.side for c in table.columns if c.side))
    if len(sides) < 2:
        return
    renamed = {}
    for side in sides:
        words = "".join(c.path[0] for c in table.columns if c.side == side and c.path)
        name = next((n for n, ws in mapping.sides.items() if any(w in words for w in ws)), "")
        if not name:
            totals = [clean(r.texts[c.index]) for r in table.rows for c in table.columns
                      if c.side == side and (c.role == "label" or c.role.startswith("code"))
                      and clean(r.texts[c.index]).endswith("合计")]
            name = totals[-1][:-2] if totals and len(totals[-1]) > 2 else side
        renamed[side] = name
    if len(set(renamed.values())) == len(renamed):
        for c in table.columns:
            c.side = renamed.get(c.side, c.side)


def _unique_names(table: Table) -> None:
    """Two value columns of one side with one name keep apart: the second is named by its whole path."""
    seen: dict[tuple[str, str], int] = {}
    for c in table.columns:
        if c.role != "value":
            continue
        key = (c.side, c.name)
        if key in seen:
            c.name = "›".join(clean(w) for w in c.path) or f"{c.name}{c.index}"
        seen[key] = c.index


def _guess_unit(table: Table) -> str:
    """元 when the figures are large whole numbers (Shanghai tables), else 万元."""
    vals = [clean(r.texts[c.index]) for r in table.rows for c in table.columns if c.role == "value"]
    vals = [v for v in vals if is_amount(v)]
    big = [v for v in vals if "." not in v and abs(amount(v) or 0) >= 100000]
    return "元" if vals and len(big) >= 0.3 * len(vals) else "万元"


def _records(table: Table, fam: Family | None) -> tuple[list[Record], list[str]]:
    out: list[Record] = []
    problems: list[str] = []
    sides = list(dict.fromkeys(c.side for c in table.columns))
    plans = [(side, _Side([c for c in table.columns if c.side == side])) for side in sides]
    parents: dict[str, dict[str, str]] = {}
    for row_no, row in enumerate(table.rows, 1):
        for side, plan in plans:
            rec = _record(table, fam, row, row_no, side, plan, parents.setdefault(side, {}), problems)
            if rec is not None:
                out.append(rec)
    return out, list(dict.fromkeys(problems))


class _Side:
    """One side's columns by role, worked out once per table (not once per row)."""

    def __init__(self, cols: list[Column]) -> None:
        self.codes = [(c.role, c.index) for c in cols if c.role.startswith("code")]
        self.labels = [c.index for c in cols if c.role == "label"]
        self.alts = [c.index for c in cols if c.role == "alt"]
        self.values = [(c.index, c.name, c.header) for c in cols if c.role == "value"]
        self.alt_column = bool(self.alts)


def _record(table: Table, fam: Family | None, row, row_no: int, side: str, plan: _Side,
            parents: dict[str, str], problems: list[str]) -> Record | None:
    texts = row.texts
    codes = [(role, clean(texts[i].strip())) for role, i in plan.codes]
    label = next((SPACE.sub("", t) for t in (texts[i].strip() for i in plan.labels) if t), "")
    alt = next((SPACE.sub("", t) for t in (texts[i].strip() for i in plan.alts) if t), "")
    if not label and any(v and not v.isdigit() for _, v in codes):
        label = "".join(v for _, v in codes if v and not v.isdigit())  # a total row printed in the code columns
        codes = []
    if not label and alt:
        label, alt = alt, ""
    values, printed, headers = {}, {}, {}
    scale = 1 if table.unit == "元" else 10000
    for index, name, header in plan.values:
        raw = texts[index].strip()
        v = amount(raw)
        if v is None and raw:
            text = clean(raw)
            if fam is not None and LONG_NUMBER.match(text):
                from .source import SourceError

                raise SourceError("", row.line, f"amount {text[:20]}… in {table.title} has more than {MAX_DIGITS} "
                                                "digits (not a budget figure)", row.page)
            if text not in ("", "-", "—", "－", "/"):
                problems.append(f"“{name}”列有非数字内容（{text[:12]}）")
        if v is not None and abs(v) * scale > LIMIT_YUAN and fam is None:
            problems.append(f"“{name}”列的“{clean(raw)[:16]}”不像金额，按文字保存")
            v = None
        elif v is not None and abs(v) * scale > LIMIT_YUAN:
            from .source import SourceError

            raise SourceError("", row.line, f"amount {clean(raw)} {table.unit} in {table.title} is beyond any budget "
                                            "(over 10^12 元)", row.page)
        values[name] = to_wan(v, table.unit)
        printed[name] = raw
        headers[name] = header
    m = ORDINAL.match(label)
    item_no = m.group(1).rstrip("、.．") if m else ""
    label = label[m.end():].strip() if m else label
    label = label.lstrip("·•")
    if not label:
        return None
    if fam is not None:
        label = fam.rows.get(label, label)
    bad = [v for _, v in codes if v and not v.isdigit()]
    if bad:
        problems.append(f"科目编码“{bad[0][:10]}”不是数字")
        codes = [(r, v) for r, v in codes if v.isdigit()]
    code = "".join(v for _, v in codes)
    parent = _parent(code, label, item_no, bool(alt), plan.alt_column, values, parents)
    return Record(row_no, side, code, label, item_no, alt, parent, values, printed, headers, row.line, row.page,
                  tuple(v for r, v in codes if v and r != "code"))


def _parent(code: str, label: str, item_no: str, has_alt: bool, alt_column: bool, values: dict,
            parents: dict[str, str]) -> str:
    """The row a row belongs to: by code prefix; ① under the last plain row; items under a group row."""
    if code:
        parents[code] = label
        for n in (5, 3):
            if len(code) > n and code[:n] in parents:
                return parents[code[:n]]
        return ""
    if TOTAL.match(label):
        parents.clear()
        return ""
    if item_no and item_no in CIRCLED:
        return parents.get("plain", "")
    if alt_column:
        if not has_alt:
            parents["group"] = label
            return ""
        return parents.get("group", "")
    if not item_no and all(v is None for v in values.values()) and values:
        parents["group"] = label  # "上年财政拨款结转": the numbered rows after it belong to it
        parents["plain"] = label
        return ""
    parents["plain"] = label
    return parents.get("group", "") if item_no else ""


# -- wide tables ---------------------------------------------------------------------------------------------------

def _is_wide(table: Table) -> bool:
    """A table with no name column: its figures stand under item headers."""
    return not any(c.role in ("label", "code", "code1") for c in table.columns) and len(table.rows) >= 1


def _wide(table: Table, fam: Family, problems: list[str]) -> list[ReadTable]:
    spec = fam.wide
    items = {clean(k): tuple(v) for k, v in spec["items"].items()}
    drop = {clean(w) for w in spec.get("drop", [])}
    roles = [clean(r) for r in spec.get("roles", [])]
    subtotal = {clean(w) for w in spec.get("subtotal", [])}
    by_key: dict[str, dict[tuple[str, str], Record]] = {}
    row = next((r for r in table.rows if any(is_amount(t) for t in r.texts)), table.rows[0] if table.rows else None)
    if row is None:
        return [ReadTable(table, spec["key"], [], "empty", "表中没有数字")]
    for col in table.columns:
        words = [clean(w) for w in col.path]
        target = next((m for m in spec.get("moves", []) if any(w in "".join(words) for w in m["words"])), None)
        role = next((w for w in words if w in roles), "合计")
        if target is not None:
            key, label, parent = target["key"], target["row"], ""
        else:
            named = [w for w in words if w not in drop and w not in roles]
            if named and named[-1] in subtotal:
                named = named[:-1]  # 小计 under 公务用车购置及运行费: that item's own total
            hit = next((items[w] for w in reversed(named) if w in items), None)
            if hit is None:
                problems.append(f"列“{'›'.join(words)}”不是已知的经费项目")
                continue
            key, (label, parent) = spec["key"], hit
        raw = row.texts[col.index].strip()
        value = to_wan(amount(raw), table.unit)
        recs = by_key.setdefault(key, {})
        rec = recs.get((label, parent))
        if rec is None:
            rec = Record(len(recs) + 1, "", "", label, "", "", parent, {}, {}, {}, row.line, row.page)
            recs[(label, parent)] = rec
        rec.values[role] = value
        rec.printed[role] = raw
        rec.headers[role] = col.header
    out = []
    for key, recs in by_key.items():
        status = "partly" if problems else "read"
        if all(v is None for r in recs.values() for v in r.values.values()):
            status = "empty"
        out.append(ReadTable(table, key, list(recs.values()), status, "；".join(problems), wide_of=table.title))
    return out
