"""Tier 2: any cell of any table — a question that names a row (by name or code) and a column gets that cell.

Rows are found among the document's own row labels (so a table no family knows is asked the same way) and among
the subjects the matcher found; columns by their name, their printed header words and the words people use for
them (queries/vocabulary/columns.yaml). The reply is the cell, with its table and page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ...answers import Answer
from ...format import Fact, amount, wan_in_yuan
from ...normalize import label_key as row_key

ROW_KINDS = {"function", "econ", "econ_gov", "sangong", "project", "catalog"}
TOTAL_ROW = re.compile(r"^(合计|总计|小计|部门合计)$")  # a bare total row names no table: only with the table named
MIN_ROW = 2  # characters: a shorter row label is never looked for in a question
CELL_ASPECTS = {"amount"}  # a cell answers how much; a share, change, count or reason is another tier's
SIDES = ("收入", "支出")
TOTAL_COLUMNS = ("合计", "总计", "金额", "决算数", "预算数", "本年预算")
SEVERAL = re.compile(r"和|与|及|跟|、|还有|以及|分别|各|(?<!增|参|追)加(?!总)|比|减|倍|一共|合计|总共")


@dataclass(frozen=True)
class Cell:
    """One printed cell with where it stands."""

    table: str
    key: str
    seq: int
    side: str
    label: str
    code: str
    column: str
    header: str
    value: float | None
    printed: str
    page: int | None
    unit: str


def answer_cell(q, total_column: bool = False) -> Answer | None:
    """The cell the question names by row and column, or None. With total_column (after the canned queries found
    nothing), a row named alone is answered from its table's total column ("教育支出多少": the 合计 of its row)."""
    if not set(q.aspects.found) <= CELL_ASPECTS or q.frame.rank:
        return None
    view, text = q.view, q.norm.text
    tables = [(h.start, h.end) for h in q.hits if h.entity.kind == "table" and h.score >= 90 and h.surface]
    rows = _rows(q)
    named = {row_key(h.surface) for h in q.hits if h.surface and h.score >= 90}
    if len({r[0] or r[1] for r in rows}) > 1 and SEVERAL.search(text):
        return None  # "基本工资加津贴补贴一共多少": several rows and arithmetic, the several-subject step's
    for label_key, code, start, end, direct in rows:
        if any(s <= start and end <= e for s, e in tables):
            continue  # "政府性基金预算收入表": the words name a table, not its row
        cells = _cells(view, label_key, code)
        if not cells:
            continue
        rest = text[:start] + "\x00" + text[end:]
        cells = [c for c in cells if _on_the_side_asked(c, rest)]
        if TOTAL_ROW.match(label_key):
            cells = [c for c in cells if _names_table(c.table, rest)]
        chosen = _column(view, rest, cells)
        if not chosen and direct and len({c.column for c in cells}) == 1 and len(label_key) >= 4 \
                and (total_column or label_key not in named):
            chosen = cells  # "人员经费合计": a row with one figure, no canned subject, is asked by its name alone
        if not chosen and total_column and len(label_key) >= MIN_ROW:
            chosen = _totals(view, cells)
        if chosen:
            return _reply(view, chosen, rest)
    return None


def _on_the_side_asked(cell: Cell, rest: str) -> bool:
    """A 收支 table's cell on the side the question asks: "…拨款支出" never gets the 收入 side's row of that name."""
    if cell.side not in SIDES:
        return True
    other = SIDES[1 - SIDES.index(cell.side)]
    return not (other in rest and cell.side not in rest)


def _totals(view, cells: list[Cell]) -> list[Cell]:
    """The row's figure in its table's total column (合计, 金额, 决算数 …), from the preferred table."""
    totals = [c for c in cells if c.column in TOTAL_COLUMNS]
    if not totals:
        return []
    prefer = view.words.get("columns", {}).get("prefer", {}).get(totals[0].column, [])
    totals.sort(key=lambda c: (prefer.index(c.key) if c.key in prefer else len(prefer), c.seq,
                               TOTAL_COLUMNS.index(c.column)))
    return [c for c in totals if c.table == totals[0].table][:1]


def _names_table(title: str, rest: str) -> bool:
    """Whether the question names this table (its title without year and 部门/单位, or most of it)."""
    key = re.sub(r"^\d{4}年度?|^(部门|单位|预算单位)|（[^）]*）$|\([^)]*\)$", "", row_key(title))
    return len(key) >= 4 and (key in rest or key[-6:] in rest)


def _rows(q) -> list[tuple[str, str, int, int, bool]]:
    """Rows the question names: (label key, code, start, end, named by its own words), longest first."""
    view, text = q.view, q.norm.text
    out: list[tuple[str, str, int, int, bool]] = []
    for h in q.hits:
        if h.surface and h.score >= 90 and h.entity.kind in ROW_KINDS:
            label = re.sub(r"（\d+）$", "", h.entity.attrs.get("label") or h.entity.name)
            out.append((row_key(label), h.entity.attrs.get("code", ""), h.start, h.end, False))
        elif not h.surface and h.entity.kind in (*ROW_KINDS, "term"):
            # "…是什么意思，有多少": the subject the question carries on, a row by its printed name.
            label = re.sub(r"（\d+）$", "", h.entity.attrs.get("label") or h.entity.name)
            out.append((row_key(label), h.entity.attrs.get("code", ""), 0, 0, True))
    subs = {text[i:j] for i in range(len(text)) for j in range(i + MIN_ROW, min(len(text), i + 30) + 1)}
    if subs:
        with view.shared.lock:
            found = [r[0] for r in view.shared.conn.execute(
                f"select distinct row_key from cells where document_id = ? and row_key in "
                f"({','.join('?' * len(subs))})", (view.doc.id, *subs))]
        for key in found:
            at = text.find(key)
            out.append((key, "", at, at + len(key), True))
    for code in re.findall(r"(?<!\d)(\d{3}|\d{5}|\d{7})(?!\d)", text):
        at = text.find(code)
        out.append(("", code, at, at + len(code), False))
    out.sort(key=lambda r: -(r[3] - r[2]))
    kept: list[tuple[str, str, int, int, bool]] = []
    for r in out:
        if not any(r[2] < k[3] and k[2] < r[3] and (r[3] - r[2]) < (k[3] - k[2]) for k in kept):
            kept.append(r)
    return kept


def _cells(view, key: str, code: str) -> list[Cell]:
    where = "c.row_code = ?" if code else "c.row_key = ?"
    with view.shared.lock:
        rows = view.shared.conn.execute(
            "select t.title, t.key, t.seq, c.side, c.row_label, c.row_code, c.column_label, c.header, c.value, "
            f"c.printed, c.page, t.unit from cells c join budget_tables t on t.id = c.table_id "
            f"where c.document_id = ? and {where} order by t.seq, c.row_no, c.column_no",
            (view.doc.id, code or key)).fetchall()
    return [Cell(*r) for r in rows]


def _column(view, rest: str, cells: list[Cell]) -> list[Cell]:
    """The cells whose column the question names (longest word wins), best table first."""
    words = view.words.get("columns", {}).get("columns", {})
    best, chosen = (0, False), []
    for c in cells:
        own = {c.column, *words.get(c.column, ())}
        names = own | {w for w in c.header.split("›") if len(w) >= 2}
        size = max((len(w) for w in names if w and row_key(w) in rest), default=0)
        # A column named by its own name beats one whose header path merely holds the word (决算数›合计).
        hit = (size, any(len(w) == size and row_key(w) in rest for w in own if w))
        if size and hit > best:
            best, chosen = hit, [c]
        elif size and hit == best:
            chosen.append(c)
    if not chosen:
        return []
    prefer = view.words.get("columns", {}).get("prefer", {}).get(chosen[0].column, [])
    chosen.sort(key=lambda c: (prefer.index(c.key) if c.key in prefer else len(prefer), c.seq))
    return chosen


def _reply(view, cells: list[Cell], rest: str) -> Answer | None:
    """Each column asked, from its preferred table (or the table the question names); a differing figure for the
    same row and column elsewhere is named, not hidden."""
    doc = view.doc
    lines, facts, sources = [], [], []
    for column in dict.fromkeys(c.column for c in cells):
        same = [c for c in cells if c.column == column]
        named = [x for x in same if row_key(x.table)[-8:] in rest or row_key(x.table)[:6] in rest]
        c = (named or same)[0]
        code = f"（{c.code}）" if c.code else ""
        side = f"{c.side}方" if c.side in SIDES and c.side not in c.label else ""
        if c.value is None:
            value = "0万元（未安排，表中该格为空）" if not c.printed else f"印为“{c.printed}”"
        else:
            value = amount(c.value) + (f"（{wan_in_yuan(c.value)}）" if c.unit == "元" else "")
        what = "" if c.column == "合计" and (c.label.endswith(("合计", "总计")) or len(same) == len(cells)) \
            else f"的{c.column}"
        lines.append(f"{c.label}{code}{side}{what}：{doc.year}年{doc.stage}{value}。")
        others = [x for x in same if x is not c and x.value != c.value and x.value is not None][:2]
        if others:
            lines.append("另见：" + "；".join(f"《{x.table}》为{amount(x.value)}" for x in others) + "。")
        page = f"（第{c.page}页）" if c.page else ""
        if c.value is not None:
            facts.append(Fact(f"{c.label}·{c.column}", c.value, "万元", f"{c.table}{page}"))
        sources.append(f"{c.table}{page}")
        if len(lines) >= 6:
            break
    first = cells[0]
    return Answer("answer", "\n".join(lines), "cell", {"row": first.label, "columns": [c.column for c in cells]},
                  90.0, facts, source=f"{doc.short}·" + "；".join(dict.fromkeys(sources)), tier="cell")
