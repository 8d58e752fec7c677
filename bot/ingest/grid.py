"""Recognising tables by template data: titles → family, header → layout, rows → records in 万元 with what was printed."""
from __future__ import annotations

import re
from decimal import Decimal

from .source import Line, Source, nospace, parse_amount, squash
from .tables import Row, Table, TableSpec, code_parent
from .templates import Family, Layout, Template, Wide, family_for

META = re.compile(r"^(编制部门|编制单位|单位[:：]|注[:：]|说明[:：])")
UNIT = re.compile(r"(?<!编制)单位[:：]\s*(万元|元)")
ORG = re.compile(r"编制(?:部门|单位)[:：]\s*(.+?)\s*(?:单位[:：]|$)")
EMPTY = re.compile(r"(空表|无数据)")
ORDINAL = re.compile(r"^([一二三四五六七八九十]+、|\d+[.．、]|[①②③④⑤⑥⑦⑧⑨⑩])\s*")
TO_WAN = {"万元": Decimal(1), "元": Decimal(10000)}
LIMIT_YUAN = Decimal(10) ** 12  # no department's figure is near a trillion 元
CODE_ROLES = ("code", "code1", "code2", "code3")


def _first_cell(line: Line) -> str:
    cells = [c for c in line.cells if c]
    return cells[0] if len(cells) == 1 else ""


def title_of(template: Template, line: Line) -> Family | None:
    """The family a line titles: a plain line, or a table row whose only cell is the title."""
    text = line.text.strip() if "\t" not in line.text.strip() else _first_cell(line)
    return family_for(template, text) if text else None


def _is_meta(line: Line) -> bool:
    return bool(META.match(squash(line.text)))


def find_tables(src: Source, template: Template, lines: list[Line]) -> list[tuple[Family, Line, list[Line]]]:
    """Each table's family, title line and body (until the next title or the first line of prose)."""
    found: list[tuple[Family, Line, list[Line]]] = []
    body: list[Line] | None = None
    for ln in lines:
        fam = title_of(template, ln)
        if fam is not None:
            body = []
            found.append((fam, ln, body))
        elif body is not None:
            if ln.blank or "\t" in ln.text or _is_meta(ln):
                body.append(ln)
            else:
                body = None
    return found


def parse_table(src: Source, fam: Family, title: Line, body: list[Line], seq: int, year: int) -> list[Table]:
    """One printed table as one Table (a Wide table as one per key); SourceError on anything unexpected."""
    unit, org, empty = "", "", False
    rows: list[Line] = []
    for ln in body:
        text = squash(ln.text)
        if _is_meta(ln):
            if m := UNIT.search(text):
                unit = m.group(1)
            if m := ORG.search(text):
                org = m.group(1)
            empty = empty or bool(EMPTY.search(text))
        elif "\t" in ln.text and any(ln.cells):
            rows.append(ln)
    printed_title = title.text.strip() if "\t" not in title.text.strip() else _first_cell(title)
    if not unit:
        raise src.error(title.no, f"table {printed_title}: expected its unit (单位：元 or 单位：万元)")
    width = len(rows[0].cells) if rows else 0
    layout = _layout(fam, rows, width)
    if layout is None:
        raise src.error(rows[0].no if rows else title.no,
                        f"table {printed_title}: its header matches no known layout of {fam.titles[0]} ({width} columns)")
    head = [squash("".join(r.cells)) for r in rows[:layout.header_rows]]
    data = [r for r in rows[layout.header_rows:] if squash("".join(r.cells)) not in head and any(r.cells)]
    base = dict(number="", title=nospace(printed_title), year=year, unit=unit, line=title.no, empty=empty)
    if isinstance(layout, Wide):
        tables = _wide(src, layout, data, base, seq, title)
    else:
        spec = TableSpec(fam.key, fam.titles[0], tuple((s, "code" if r in CODE_ROLES else r) for s, r in layout.columns
                                                        if r not in ("skip", "code2", "code3")), layout.header_rows,
                         fam.totals)
        table = Table(spec, seq, **base)
        table.rows = _rows(src, table, layout, data)
        tables = [table]
    for t in tables:
        t.page, t.org = title.page, org
        values = any(v is not None for r in t.rows for v in r.values.values())
        if not values and not t.empty:
            raise src.error(title.no, f"table {printed_title}: no figures and no note that it is empty (本表无数据)")
        missing = [lb for lb in (fam.totals if values else ()) if lb not in {r.label for r in t.rows}]
        if missing:
            raise src.error(data[-1].no if data else title.no,
                            f"table {printed_title} is cut off: expected a row {missing[0]!r}")
    return tables


def _layout(fam: Family, rows: list[Line], width: int) -> Layout | Wide | None:
    for lay in fam.layouts:
        n = len(lay.cells) if isinstance(lay, Wide) else len(lay.columns)
        head = squash("".join("".join(r.cells) for r in rows[:lay.header_rows]))
        if n == width and all(squash(w) in head for w in lay.needs):
            return lay
    return None


def _amount(src: Source, ln: Line, raw: str, unit: str, what: str) -> Decimal | None:
    v = parse_amount(src, ln, raw, what)
    if v is None:
        return None
    if abs(v) * (1 if unit == "元" else 10000) > LIMIT_YUAN:
        raise src.error(ln.no, f"amount {squash(raw)} {unit} in {what} is beyond any budget (over 10^12 元)")
    return v / TO_WAN[unit]


def _rows(src: Source, table: Table, layout: Layout, data: list[Line]) -> list[Row]:
    out: list[Row] = []
    width = len(layout.columns)
    parents: dict[str, dict[str, str]] = {}
    for row_no, ln in enumerate(data, 1):
        cells = (ln.cells + [""] * width)[:width]
        for side in dict.fromkeys(s for s, _ in layout.columns):
            idx = [k for k, (s, _) in enumerate(layout.columns) if s == side]
            part = [(layout.columns[k][1], cells[k]) for k in idx]
            if not any(c for _, c in part):
                continue
            row = _row(src, table, ln, row_no, side, part, parents.setdefault(side, {}))
            if row is not None:
                out.append(row)
    return out


def _row(src: Source, table: Table, ln: Line, row_no: int, side: str, part: list[tuple[str, str]],
         parents: dict[str, str]) -> Row | None:
    codes = [(r, squash(c)) for r, c in part if r in CODE_ROLES]
    label = nospace(next((c for r, c in part if r == "label"), ""))
    if not label and codes and any(c and not c.isdigit() for _, c in codes):
        label = nospace("".join(c for _, c in codes if c and not c.isdigit()))  # a total row names itself there
        codes = []
    bad = [c for _, c in codes if c and not c.isdigit()]
    if bad:
        raise src.error(ln.no, f"table {table.title}: expected a numeric 科目编码, found {bad[0]!r}")
    values, printed = {}, {}
    for role, raw in part:
        if role in CODE_ROLES or role in ("label", "skip"):
            continue
        values[role] = _amount(src, ln, raw, table.unit, f"column {role!r} of {table.title}")
        printed[role] = raw.strip()
    m = ORDINAL.match(label)
    item_no = m.group(1).rstrip("、.．") if m else ""
    label = label[m.end():] if m else label
    if not label:
        if any(v is not None for v in values.values()):
            raise src.error(ln.no, f"table {table.title}: a row with figures but no name")
        return None
    code = "".join(c for _, c in codes)
    parent = _parent(codes, code, label, item_no, parents)
    row = Row(row_no, side, code, label, item_no, "", parent, values, ln.no)
    row.printed, row.page = printed, ln.page
    row.code_parts = tuple(c for r, c in codes if c and r != "code")
    return row


def _parent(codes: list[tuple[str, str]], code: str, label: str, item_no: str, parents: dict[str, str]) -> str:
    """By position for 类/款/项 columns, by prefix for one code column, by ordinal for 一、/1. rows."""
    split = [c for r, c in codes if r in ("code1", "code2", "code3")]
    if split:
        depth = max((k for k, c in enumerate(split) if c), default=-1)
        if depth < 0:
            return ""
        parents[f"depth{depth}"] = label
        for k in range(depth + 1, 3):
            parents.pop(f"depth{k}", None)
        return parents.get(f"depth{depth - 1}", "") if depth > 0 else ""
    if code:
        return code_parent(code, label, parents)
    if re.fullmatch(r"[一二三四五六七八九十]+", item_no):
        parents["ordinal"] = label
        return ""
    if item_no.isdigit():
        return parents.get("ordinal", "")
    parents.pop("ordinal", None)
    return ""


def _wide(src: Source, layout: Wide, data: list[Line], base: dict, seq: int, title: Line) -> list[Table]:
    if len(data) != 1:
        raise src.error(data[1].no if len(data) > 1 else title.no,
                        f"table {base['title']}: expected one row of figures, found {len(data)}")
    ln = data[0]
    tables: dict[str, Table] = {}
    rows: dict[tuple[str, str], Row] = {}
    for k, (key, label, parent, col, printed_name) in enumerate(layout.cells):
        if key not in tables:
            spec = TableSpec(key, base["title"], (("", "label"),), layout.header_rows)
            tables[key] = Table(spec, seq + len(tables), **base)
        table = tables[key]
        if (key, label) not in rows:
            row = Row(len(table.rows) + 1, "", "", label, "", printed_name if printed_name != label else "", parent,
                      {}, ln.no)
            row.printed, row.page, row.code_parts = {}, ln.page, ()
            rows[(key, label)] = row
            table.rows.append(row)
        row = rows[(key, label)]
        raw = ln.cells[k] if k < len(ln.cells) else ""
        row.values[col] = _amount(src, ln, raw, base["unit"], f"{label} {col} of {base['title']}")
        row.printed[col] = raw.strip()
    for t in tables.values():
        cols = tuple(dict.fromkeys(c for *_, c, _ in layout.cells))
        t.spec = TableSpec(t.spec.key, t.spec.title, (("", "label"),) + tuple(("", c) for c in cols), layout.header_rows)
    return list(tables.values())
