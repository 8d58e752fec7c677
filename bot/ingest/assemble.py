"""Grids into tables, with no template: titles scored from the lines above, meta lines and notes, fragments joined
across pages by header or column position, header rows detected, each column's header path and role.

What is not a table's title, meta line or note stays prose (returned in order, for prose.py).
"""
from __future__ import annotations

import re
from collections import Counter

from .amounts import clean, is_amount, is_blank
from .layout import SNAP, Grid, Page, Span
from .model import Column, DataRow, Table

TITLE_END = re.compile(r"表(（[^）]{1,20}）|\([^)]{1,20}\))?$")
TABLE_WORDS = ("收支", "收入", "支出", "经费", "拨款", "基金", "资本", "采购", "资产", "绩效", "统计", "科目", "项目",
               "情况", "明细", "分类", "人员", "结构")
BARE_TITLE = re.compile(r"^(\S{0,30}?\d{4}年度?)?(\S{0,30}?)(部门|单位)(预算|决算)(公开)?表$")
META = re.compile(r"^(编制部门|编制单位|单位名称|预算单位|预算主管部门|部门名称|填报单位|主管部门)[:：]|(?<!编制)单位[:：]\s*(万元|元|千元|亿元)")
UNIT = re.compile(r"(?<!编制)(?<!预算)(?<!填报)单位[:：]\s*(万元|元|千元|亿元)")
ORG = re.compile(r"(?:编制部门|编制单位|单位名称|预算单位|预算主管部门|部门名称|填报单位)[:：]\s*(.+?)\s*(?:(?<!编制)单位[:：]|金额单位|$)")
NOTE = re.compile(r"^(注|说明|备注|附注)\s*\d?\s*[:：]|^[（(]?(本表|此表)")
EMPTY_NOTE = re.compile(r"无数据|空表|为空|本表无|没有(?:\S{0,40}?)(?:收入|支出|数据|经费|资金)|未(?:安排|发生)|不涉及|无此项")
FURNITURE = re.compile(r"^[-—–\s]*\d{1,4}[-—–\s]*$|^第\d{1,4}页(共\d+页)?$|^\d+/\d+$")
NUMBER = re.compile(r"^(?:预算|部门|单位|决算)?公开表\s*(\d{1,2})$|^附?表\s*(\d{1,2})$")
TOC_ENTRY = re.compile(r"(\.{3,}|…{2,}|·{3,})\s*\d*$")
QUOTES_ONLY = re.compile(r"^[“”\"'‘’\s]+$")
TOTAL = re.compile(r"^(合计|总计|小计|部门合计|本年收入合计|本年支出合计|收入总计|支出总计|\S{0,8}合计)$")
ORDINAL = re.compile(r"^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,2}[.．、]|[①②③④⑤⑥⑦⑧⑨⑩])")
CODE = re.compile(r"^\d{2,7}$")
SEQUENCE_HEADER = re.compile(r"^(栏次|行次|\d{1,2})$")
CODE_WORDS = ("编码", "代码", "科目代码")
LABEL_HEADERS = re.compile(r"^(项目|科目|单位|项目名称|单位名称|\S{0,12}名称)$")
SPACES = re.compile(r"\s+")
TITLE_LOOKBACK = 4  # lines above a grid that may hold its title
NOTE_LOOKAHEAD = 4  # lines after a grid that may be its notes


def is_title(text: str) -> bool:
    """Whether a line reads as a table title ("…支出决算表", "…预算表（不含上年结转）")."""
    t = clean(text)
    if not (3 <= len(t) <= 70) or "。" in t or t.endswith(("：", ":")) or META.search(t) or NOTE.match(t):
        return False
    if not TITLE_END.search(t):
        return False
    if BARE_TITLE.match(t) and not any(w in t for w in TABLE_WORDS):
        return False  # a part heading ("…2024年度部门决算表"), not a table
    return True


def furniture(pages: list[Page]) -> set[str]:
    """Lines printed on many pages (running heads and feet) and page numbers: not titles, not prose."""
    seen = Counter()
    for p in pages:
        seen.update({clean(it.text) for it in p.items if isinstance(it, Span)})
    need = max(3, len(pages) // 3)
    return {t for t, n in seen.items() if n >= need and len(t) <= 40}


def _is_furniture(text: str, common: set[str]) -> bool:
    t = clean(text)
    return (not t or t in common or bool(FURNITURE.match(t)) or bool(QUOTES_ONLY.match(t))
            or bool(NUMBER.match(t)))


class Assembler:
    """Walks the pages once, turning grids into tables and keeping everything else as prose."""

    def __init__(self, pages: list[Page]) -> None:
        self.pages = pages
        self.common = furniture(pages)
        self.tables: list[Table] = []
        self.prose: list[Span] = []
        self.pending: list[Span] = []  # lines since the last grid (or its notes)
        self.last: Table | None = None  # the table the next grid may continue
        self.last_geometry: tuple[float, float, list[float], bool] | None = None
        self.noting = 0  # lines after a grid still read as its notes
        self.furniture_of: dict[str, bool] = {}  # a line's text → whether it is furniture (asked again per grid)

    def _furniture(self, text: str) -> bool:
        hit = self.furniture_of.get(text)
        if hit is None:
            hit = self.furniture_of[text] = _is_furniture(text, self.common)
        return hit

    def run(self) -> tuple[list[Table], list[Span]]:
        """All tables and the prose lines, in document order."""
        for page in self.pages:
            for item in page.items:
                if isinstance(item, Grid):
                    self._grid(item)
                else:
                    self._span(item)
        self._flush()
        return self.tables, self.prose

    # -- lines -------------------------------------------------------------------------------------------------
    def _span(self, span: Span) -> None:
        text = clean(span.text)
        if self.last is not None and self.noting and (NOTE.match(text) or EMPTY_NOTE.search(text)
                                                      or self._continues_note(text)):
            self.last.notes.append(text)
            self.last.empty_note = self.last.empty_note or bool(EMPTY_NOTE.search(text))
            self.noting = NOTE_LOOKAHEAD
            return
        self.noting = max(0, self.noting - 1) if not self._furniture(span.text) else self.noting
        self.pending.append(span)

    def _continues_note(self, text: str) -> bool:
        """A note wrapped onto the next line: the last note stops mid-sentence and this line starts nothing new."""
        notes = self.last.notes if self.last else []
        return (bool(notes) and len(notes[-1]) >= 20 and not notes[-1].endswith(("。", ".", "；"))
                and not is_title(text) and not META.search(text) and not ORDINAL.match(text)
                and not NUMBER.match(text) and len(text) <= 60)

    def _flush(self) -> None:
        self.prose += [s for s in self.pending if not self._furniture(s.text)]
        self.pending = []

    # -- grids -------------------------------------------------------------------------------------------------
    def _grid(self, grid: Grid) -> None:
        if _is_contents(grid, self.pending):
            for r in range(grid.nrows):
                text = " ".join(t for t in grid.row_texts(r) if t.strip())
                self.pending.append(Span(text, grid.page, grid.top + r, 0.0, grid.lines[r] if r < len(grid.lines) else 0))
            return
        inner_title, inner_meta, skip = _inner_lines(grid)
        title_at, title = self._title(inner_title)
        meta = [s for s in self.pending if META.search(clean(s.text))] + inner_meta
        between = [s for s in self.pending if not self._furniture(s.text) and s not in meta]
        if title is None and self.last is not None and not between and self._fits(grid):
            self._continue(self.last, grid, skip)
            self.pending = []
            self.noting = NOTE_LOOKAHEAD
            return
        used = set(map(id, meta))
        if title_at is not None:
            used |= {id(s) for s in title_at}
        self.prose += [s for s in self.pending if id(s) not in used and not self._furniture(s.text)]
        if title is None:
            intro = next((_printed(s.text) for s in reversed(between) if id(s) not in used), "")
            title = intro.rstrip("：:") or f"表{len(self.tables) + 1}"
        line = title_at[0].line if title_at else (grid.lines[0] if grid.lines else 0)
        table = Table(len(self.tables) + 1, title, line, grid.page, pages=[grid.page])
        for m in meta:
            _apply_meta(table, clean(m.text))
        self.tables.append(table)
        self._first(table, grid, skip)
        self.last = table
        self.pending = []
        self.noting = NOTE_LOOKAHEAD

    def _title(self, inner: list[str]) -> tuple[list[Span] | None, str | None]:
        """The title among the last lines before the grid (nearest first), or a title row inside it."""
        for text in inner:
            if is_title(text):
                return None, _printed(text)
        candidates = [s for s in self.pending if not self._furniture(s.text) and not META.search(clean(s.text))]
        for k in range(len(candidates) - 1, max(-1, len(candidates) - 1 - TITLE_LOOKBACK), -1):
            text = _printed(candidates[k].text)
            if is_title(text):
                # A title wrapped onto two lines: "…支出预算" / "表".
                if k and len(text) <= 4 and is_title(_printed(candidates[k - 1].text) + text):
                    return candidates[k - 1:k + 1], _printed(candidates[k - 1].text) + text
                return [candidates[k]], text
            if k and is_title(_printed(candidates[k - 1].text) + text):
                return candidates[k - 1:k + 1], _printed(candidates[k - 1].text) + text
            if len(text) > 4:
                break  # prose stands between: no title
        return None, None

    def _fits(self, grid: Grid) -> bool:
        """Whether a titleless grid continues the last table: by column positions, width or a repeated header."""
        left, right, xs, geometric = self.last_geometry
        if geometric and grid.geometric:
            overlap = min(right, grid.xs[-1]) - max(left, grid.xs[0])
            return overlap >= 0.8 * min(right - left, grid.xs[-1] - grid.xs[0])
        table = self.last
        if grid.ncols == len(table.columns):
            return True
        head = [clean("".join(r)) for r in table.header]
        first = clean("".join(grid.row_texts(0))) if grid.nrows else ""
        return first in head or grid.ncols < len(table.columns)

    # -- table body --------------------------------------------------------------------------------------------
    def _first(self, table: Table, grid: Grid, skip: int) -> None:
        rows = list(range(skip, grid.nrows))
        nhead, fused = header_rows(grid, rows)
        head = rows[:nhead]
        table.header = [grid.row_texts(r) for r in head]
        paths = header_paths(grid, head, fused)
        table.columns = [Column(c, paths[c], grid.xs[c], grid.xs[c + 1]) for c in range(grid.ncols)]
        for r in rows[nhead:]:
            texts = grid.row_texts(r)
            if r == fused:
                texts = [("" if t in ("类", "款", "项") else t) for t in texts]
            self._add(table, texts, grid, r)
        self.last_geometry = (grid.xs[0], grid.xs[-1], grid.xs, grid.geometric)

    def _continue(self, table: Table, grid: Grid, skip: int) -> None:
        if grid.page not in table.pages:
            table.pages.append(grid.page)
        head = [clean("".join(r)) for r in table.header]
        for r in range(skip, grid.nrows):
            texts = grid.row_texts(r)
            if clean("".join(texts)) in head or not any(texts):
                continue  # the header repeated on the new page
            if grid.ncols != len(table.columns) or grid.geometric and not _same_columns(table, grid):
                texts = _align(table, grid, r)
            self._add(table, texts, grid, r)

    def _add(self, table: Table, texts: list[str], grid: Grid, r: int) -> None:
        texts = (texts + [""] * len(table.columns))[:len(table.columns)]
        if any(t.strip() for t in texts):
            table.rows.append(DataRow(texts, grid.page, grid.lines[r] if r < len(grid.lines) else 0))


def _printed(text: str) -> str:
    """A line as printed, white space removed (titles keep their full-width brackets and quotes)."""
    return SPACES.sub("", text)


def _is_contents(grid: Grid, pending: list[Span]) -> bool:
    """Whether a grid is the 目录 set as a table: entries ending in page numbers (often with leader dots)."""
    before = clean(pending[-1].text) if pending else ""
    rows = paged = 0
    listed = False  # an entry with leader dots
    for r in range(grid.nrows):
        cells = [t for t in grid.row_texts(r) if t.strip()]  # only the first and last are read
        if not cells:
            continue
        rows += 1
        first = clean(cells[0])
        leaders = bool(TOC_ENTRY.search(first))
        listed = listed or leaders
        if len(cells) >= 2 and clean(cells[-1]).isdigit() and not is_amount(first) or leaders:
            paged += 1
    return bool(rows) and (before in ("目录", "目次") or paged >= 0.6 * rows and listed)


def _same_columns(table: Table, grid: Grid) -> bool:
    return all(abs(c.x0 - grid.xs[c.index]) <= 2 * SNAP for c in table.columns)


def _align(table: Table, grid: Grid, r: int) -> list[str]:
    """A continued row placed into the table's columns: by x-position for PDF grids, else right-aligned figures."""
    out = [""] * len(table.columns)
    if grid.geometric:
        for c in range(grid.ncols):
            cell = grid.cells.get((r, c))
            if cell is None or not cell.text:
                continue
            x0, x1 = grid.xs[c], grid.xs[c + cell.colspan]
            targets = [col.index for col in table.columns if x0 - SNAP <= (col.x0 + col.x1) / 2 <= x1 + SNAP]
            if targets:
                out[targets[0]] = (out[targets[0]] + cell.text) if out[targets[0]] else cell.text
        return out
    texts = grid.row_texts(r)
    lead = next((k for k, t in enumerate(texts) if is_amount(t)), len(texts))
    for k, t in enumerate(texts[:lead][:len(out)]):
        out[k] = t
    figures = texts[lead:]
    for k, t in enumerate(reversed(figures), 1):
        if len(out) - k >= lead:
            out[len(out) - k] = t
    return out


def _inner_lines(grid: Grid) -> tuple[list[str], list[Span], int]:
    """Title and meta rows printed inside the grid's first rows (blank rows between them); rows to skip."""
    titles, meta, skip = [], [], 0
    for r in range(min(grid.nrows, 6)):
        texts = [t for t in grid.row_texts(r) if t.strip()]
        joined = clean("".join(texts))
        if not texts:
            skip = r + 1 if (titles or meta or r == 0) else skip
            continue
        if len(texts) == 1 and is_title(joined):
            titles.append(_printed(texts[0]))
        elif META.search(joined) and not any(is_amount(t) for t in texts):
            meta.append(Span(" ".join(texts), grid.page, grid.top, 0.0, grid.lines[r] if r < len(grid.lines) else 0))
        else:
            break
        skip = r + 1
    return titles, meta, skip


def _apply_meta(table: Table, text: str) -> None:
    if m := UNIT.search(text):
        table.unit = m.group(1)
    if (m := ORG.search(text)) and not table.org:
        table.org = m.group(1).strip()


# -- header rows and paths ---------------------------------------------------------------------------------------

def _is_data(texts: list[str]) -> bool:
    cells = [clean(t) for t in texts if t.strip()]
    if not cells:
        return False
    if all(SEQUENCE_HEADER.match(c) for c in cells) and len(cells) >= 3:
        return False  # "1 2 3 4 5 6 7": the column numbers under a header
    if any(is_amount(c) for c in cells):
        return True
    if CODE.match(cells[0]) and len(cells) >= 2 and not CODE.match(cells[1]):
        return True
    if TOTAL.match(cells[0]) or ORDINAL.match(cells[0]):
        # A total or numbered row with no figures yet (an empty table, a two-sided table's long side) — unless
        # the other cells are header words ("合计 | 合计 | 基本支出 | 项目支出": sub-headers beside the 合计 label).
        return all(TOTAL.match(c) or ORDINAL.match(c) or is_blank(c) for c in cells[1:])
    return False


def _numbering(texts: list[str]) -> bool:
    cells = [clean(t) for t in texts if t.strip()]
    return len(cells) >= 3 and all(SEQUENCE_HEADER.match(c) for c in cells)


def header_rows(grid: Grid, rows: list[int]) -> tuple[int, int | None]:
    """How many of the rows are header rows, and the row (if any) that fuses 类|款|项 with the 合计 figures."""
    n = 0
    for k, r in enumerate(rows):
        texts = grid.row_texts(r)
        if k and texts and texts[0].strip() and not any(t.strip() for t in texts[1:]) and not grid.geometric:
            return k, None  # a name alone under the header: a data row whose figures are blank
        if _is_data(texts):
            cells = {clean(t) for t in texts}
            fused = r if {"类", "款"} <= cells else None
            return k, fused
        n = k + 1
    # No data row at all: an empty table. Header rows are those holding words, up to the first blank row.
    for k, r in enumerate(rows):
        if not any(t.strip() for t in grid.row_texts(r)):
            return k, None
    return n, None


def header_paths(grid: Grid, head: list[int], fused: int | None) -> list[tuple[str, ...]]:
    """Each column's header words, top down: from merged cells' spans (PDF), else inferred from blank cells."""
    head = [r for r in head if not _numbering(grid.row_texts(r))]
    words = _spans(grid, head) if grid.geometric else _inferred(grid, head)
    paths: list[tuple[str, ...]] = []
    for c in range(grid.ncols):
        path: list[str] = []
        for k in range(len(head)):
            text = words[k][c]
            if text and (not path or path[-1] != text):
                path.append(text)
        if fused is not None and clean(grid.row_texts(fused)[c]) in ("类", "款", "项"):
            path.append(clean(grid.row_texts(fused)[c]))
        paths.append(tuple(path))
    return paths


def _spans(grid: Grid, head: list[int]) -> list[list[str]]:
    """Header words by (row, column) from the cells' spans: a merged cell heads every column it covers, once."""
    out = []
    for r in head:
        row = []
        for c in range(grid.ncols):
            cell = grid.origin(r, c)
            row.append(clean(cell.text) if cell is not None and cell.row == r else "")
        out.append(row)
    return out


def _inferred(grid: Grid, head: list[int]) -> list[list[str]]:
    """Header words by (row, column) for text grids, where a merged cell prints once and leaves blanks: a blank
    with words below it is under a spanning header — the nearest word to its left within the same group above."""
    rows = [[clean(t) for t in grid.row_texts(r)] for r in head]
    out: list[list[str]] = []
    for k, row in enumerate(rows):
        inferred = list(row)
        for c, text in enumerate(row):
            if text or not any(rows[j][c] for j in range(k + 1, len(rows))):
                continue
            for cc in range(c - 1, -1, -1):
                if k and out[k - 1][cc] != out[k - 1][c]:
                    break  # another group above: the blank is a header of its own, merged downwards
                if inferred[cc]:
                    inferred[c] = inferred[cc]
                    break
        out.append(inferred)
    return out


# -- column roles ------------------------------------------------------------------------------------------------

def assign_roles(table: Table) -> None:
    """Each column's role (code, label, value …) from its header words and what its cells hold; sides."""
    cols = table.columns
    data = [[r.texts[c.index] for r in table.rows] for c in cols]
    for col, cells in zip(cols, data):
        col.role = _role(col, [clean(t) for t in cells if t.strip()])
    _code_runs(cols)
    _labels(cols)
    _sides(table)


def _role(col: Column, cells: list[str]) -> str:
    words = "".join(col.path)
    last = col.path[-1] if col.path else ""
    if "序号" in words or last in ("行次", "栏次"):
        return "seq"
    if last in ("类", "款", "项") or any(w in words for w in CODE_WORDS):
        return "code"
    if not cells:
        return "label" if _names_rows(last) else "value"
    amounts = sum(1 for c in cells if is_amount(c) or is_blank(c))
    codes = sum(1 for c in cells if CODE.match(c) and not ("," in c or "." in c))
    if codes >= 0.6 * len(cells) and "编码" in words:
        return "code"
    if amounts >= 0.6 * len(cells):
        return "value"
    return "text"


def _names_rows(header: str) -> bool:
    """Whether a header word names the rows below it (项目, 科目名称) rather than a figure."""
    return bool(LABEL_HEADERS.match(header))


def _code_runs(cols: list[Column]) -> None:
    """Adjacent code columns are 类/款/项 printed apart: code1, code2, code3."""
    k = 0
    while k < len(cols):
        if cols[k].role != "code":
            k += 1
            continue
        j = k
        while j + 1 < len(cols) and cols[j + 1].role == "code":
            j += 1
        if j > k:
            for n, col in enumerate(cols[k:j + 1], 1):
                col.role = f"code{min(n, 3)}"
        k = j + 1


def _labels(cols: list[Column]) -> None:
    """In each stretch before the values, the first text column is the row's name; a second one is an alias."""
    seen_label = False
    for col in cols:
        if col.role == "value":
            seen_label = False
        elif col.role == "text":
            col.role = "alt" if seen_label else "label"
            seen_label = True
        elif col.role.startswith("code"):
            seen_label = False


def _sides(table: Table) -> None:
    """Two-sided tables (收入 | 支出): a new label after value columns starts a side, named by its header."""
    groups: list[list[Column]] = [[]]
    for col in table.columns:
        if groups[-1] and col.role in ("label", "code", "code1") and any(c.role == "value" for c in groups[-1]):
            groups.append([])
        groups[-1].append(col)
    if len(groups) < 2:
        return
    names = []
    for g in groups:
        tops = [c.path[0] for c in g if c.path]
        names.append(Counter(tops).most_common(1)[0][0] if tops else "")
    if len(set(names)) < len(names) or not all(names):
        names = [str(k) for k in range(1, len(groups) + 1)]
    for name, g in zip(names, groups):
        for col in g:
            col.side = name


def assemble(pages: list[Page]) -> tuple[list[Table], list[Span]]:
    """Every table of the document (roles assigned) and the prose lines."""
    tables, prose = Assembler(pages).run()
    for t in tables:
        assign_roles(t)
    return tables, prose
