"""Pages as the reader sees them: text lines and ruled grids in reading order, with positions and line numbers.

This is the only module that knows whether a disclosure came as a PDF or as text. A PDF is read with PDFium
(pypdfium2: characters with their boxes, and the ruling lines drawn on the page); its ruled tables are found
from those lines with pdfplumber's table geometry (edges → intersections → cells), so a merged cell keeps its
row and column span. A text file (a pdfplumber twin of a PDF, or the seed's text) gives tab-separated rows as
grids whose columns are cell positions; pages are separated by blank lines when the file says so.

Every text line and every grid row gets a running line number: errors, ``source_line`` and citations use it.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Iterator

from .source import Line, Source

SNAP = 3.0  # points: ruling lines this close are one line (as pdfplumber's snap/join tolerance)
THIN = 2.0  # a path object thinner than this is a ruling line
MIN_EDGE = 3.0  # shorter strokes are marks, not rulings
LINE_TOLERANCE = 0.45  # characters whose vertical centres differ by less than this share of their height share a line


@dataclass
class Span:
    """One line of text outside any grid: its words as printed, position and line number."""

    text: str
    page: int
    top: float
    x0: float
    line: int = 0
    x1: float | None = None  # where the line ends (PDF only): a wrapped line reaches the right margin

    @property
    def kind(self) -> str:
        """'text' (as opposed to a grid)."""
        return "text"


@dataclass
class Cell:
    """A grid cell: where it starts, how many rows and columns it covers, and its text."""

    row: int
    col: int
    rowspan: int
    colspan: int
    text: str


@dataclass
class Grid:
    """A ruled table on one page: cells by (row, column) of origin, column positions and row lines."""

    page: int
    top: float
    bottom: float
    xs: list[float]  # column boundaries (len = columns + 1); for text, the column indexes
    cells: dict[tuple[int, int], Cell]
    nrows: int
    lines: list[int] = field(default_factory=list)  # the running line number of each row
    geometric: bool = True  # False for text grids: merged cells are unknown, empty cells stand for them

    @property
    def kind(self) -> str:
        """'grid'."""
        return "grid"

    @property
    def ncols(self) -> int:
        """Number of columns."""
        return len(self.xs) - 1

    def origin(self, r: int, c: int) -> Cell | None:
        """The cell covering position (r, c): the one starting there or a merged one spanning over it."""
        cell = self.cells.get((r, c))
        if cell is not None:
            return cell
        for (r0, c0), cl in self.cells.items():
            if r0 <= r < r0 + cl.rowspan and c0 <= c < c0 + cl.colspan:
                return cl
        return None

    def row_texts(self, r: int) -> list[str]:
        """The texts of row r by column, "" where no cell starts (covered or empty). A copy, computed once."""
        rows = self.__dict__.get("_rows")
        if rows is None:
            n = self.ncols
            rows = self.__dict__["_rows"] = [[""] * n for _ in range(self.nrows)]
            for (rr, cc), cell in self.cells.items():
                if rr < self.nrows and cc < n:
                    rows[rr][cc] = cell.text
        return list(rows[r])

    def centre(self, c: int) -> float:
        """The horizontal centre of column c."""
        return (self.xs[c] + self.xs[c + 1]) / 2


@dataclass
class Page:
    """One page: its number, size and items (Span or Grid) from top to bottom."""

    no: int
    items: list[Span | Grid]
    width: float = 0.0
    height: float = 0.0


# -- text ---------------------------------------------------------------------------------------------------------

def text_pages(src: Source, paged: bool = True) -> list[Page]:
    """Pages of a text disclosure: tab-separated lines as grids, others as spans.

    paged: blank lines separate pages (a pdfplumber twin); otherwise all is one page (pages come from the 目录).
    """
    pages: list[Page] = []
    items: list[Span | Grid] = []
    grid_rows: list[Line] = []
    page_no = 1

    def flush_grid() -> None:
        if grid_rows:
            items.append(_text_grid(grid_rows, page_no))
            grid_rows.clear()

    for ln in src.lines:
        if "\t" in ln.text:
            grid_rows.append(ln)
            continue
        flush_grid()
        if ln.blank:
            if paged and items:
                pages.append(Page(page_no, items))
                items = []
                page_no += 1
            continue
        items.append(Span(ln.text.strip(), ln.page or page_no, float(ln.no), 0.0, ln.no))
    flush_grid()
    if items or not pages:
        pages.append(Page(page_no, items))
    return pages


def _text_grid(rows: list[Line], page: int) -> Grid:
    width = 0
    cells: dict[tuple[int, int], Cell] = {}
    for r, ln in enumerate(rows):
        parts = ln.text.split("\t")
        width = max(width, len(parts))
        for c, text in enumerate(parts):
            text = text.strip()
            if text:
                cells[(r, c)] = Cell(r, c, 1, 1, text)
    return Grid(rows[0].page or page, float(rows[0].no), float(rows[-1].no), [float(k) for k in range(width + 1)],
                cells, len(rows), [ln.no for ln in rows], geometric=False)


# -- PDF ----------------------------------------------------------------------------------------------------------

@dataclass
class _Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


def pdf_page(page, no: int) -> Page:
    """One PDFium page as a Page (its grids found from the ruling lines drawn on it)."""
    width, height = page.get_size()
    chars = _chars(page, height)
    edges = _edges(page, height)
    grids, loose = _grids(edges, chars, no)
    spans = [Span(text, no, top, x0, 0, x1) for text, top, x0, x1 in _lines(loose)]
    items: list[Span | Grid] = sorted([*spans, *grids], key=lambda it: it.top)
    return Page(no, items, width, height)


def _chars(page, height: float) -> list[_Char]:
    tp = page.get_textpage()
    try:
        n = tp.count_chars()
        text = tp.get_text_range(0, n) if n else ""
        out = []
        # get_text_range maps one-to-one onto char indexes except for surrogate pairs; index by position.
        for i in range(n):
            ch = tp.get_text_range(i, 1) if len(text) != n else text[i]
            if not ch or ch.isspace():
                continue
            left, bottom, right, top = tp.get_charbox(i, loose=True)
            out.append(_Char(ch, left, right, height - top, height - bottom))
        return out
    finally:
        tp.close()


def _edges(page, height: float) -> list[dict]:
    """Horizontal and vertical ruling lines, as pdfplumber edge dicts (top-left origin)."""
    import pypdfium2.raw as raw

    out: list[dict] = []
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=4):
        left, bottom, right, top = obj.get_bounds()
        w, h = right - left, top - bottom
        if w < THIN and h >= MIN_EDGE:
            out.append(_edge("v", (left + right) / 2, height - top, (left + right) / 2, height - bottom))
        elif h < THIN and w >= MIN_EDGE:
            out.append(_edge("h", left, height - (top + bottom) / 2, right, height - (top + bottom) / 2))
        elif w >= MIN_EDGE and h >= MIN_EDGE:
            out += _segments(obj, height) or _box(left, bottom, right, top, height)
    return out


def _box(left: float, bottom: float, right: float, top: float, height: float) -> list[dict]:
    t, b = height - top, height - bottom
    return [_edge("h", left, t, right, t), _edge("h", left, b, right, b),
            _edge("v", left, t, left, b), _edge("v", right, t, right, b)]


def _segments(obj, height: float) -> list[dict]:
    """The axis-aligned strokes of a path that draws several lines (a whole grid in one path)."""
    import ctypes

    import pypdfium2.raw as raw

    count = raw.FPDFPath_CountSegments(obj.raw)
    if count <= 5:
        return []  # a rectangle: its box is its four edges
    a, b, c, d, e, f = obj.get_matrix().get()
    pts: list[tuple[float, float, int, bool]] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    for k in range(count):
        seg = raw.FPDFPath_GetPathSegment(obj.raw, k)
        raw.FPDFPathSegment_GetPoint(seg, x, y)
        px, py = a * x.value + c * y.value + e, b * x.value + d * y.value + f
        pts.append((px, py, raw.FPDFPathSegment_GetType(seg), bool(raw.FPDFPathSegment_GetClose(seg))))
    out = []
    start = None
    for k, (px, py, kind, close) in enumerate(pts):
        if kind == raw.FPDF_SEGMENT_MOVETO:
            start = (px, py)
        elif kind == raw.FPDF_SEGMENT_LINETO and k:
            qx, qy = pts[k - 1][0], pts[k - 1][1]
            out += _stroke(qx, qy, px, py, height)
            if close and start:
                out += _stroke(px, py, start[0], start[1], height)
    return out


def _stroke(x0: float, y0: float, x1: float, y1: float, height: float) -> list[dict]:
    if abs(x0 - x1) < THIN and abs(y0 - y1) >= MIN_EDGE:
        x = (x0 + x1) / 2
        return [_edge("v", x, height - max(y0, y1), x, height - min(y0, y1))]
    if abs(y0 - y1) < THIN and abs(x0 - x1) >= MIN_EDGE:
        y = height - (y0 + y1) / 2
        return [_edge("h", min(x0, x1), y, max(x0, x1), y)]
    return []


def _edge(orientation: str, x0: float, top: float, x1: float, bottom: float) -> dict:
    return {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0, "height": bottom - top,
            "orientation": orientation, "object_type": "line"}


def _grids(edges: list[dict], chars: list[_Char], page_no: int) -> tuple[list[Grid], list[_Char]]:
    """Ruled grids from the edges, each char placed in the cell holding its centre; the rest returned loose."""
    if not edges:
        return [], chars
    from pdfplumber import table as geometry

    merged = geometry.merge_edges(edges, SNAP, SNAP, SNAP, SNAP)
    points = geometry.edges_to_intersections(merged, 1, 1)
    boxes = geometry.cells_to_tables(geometry.intersections_to_cells(points))
    grids: list[Grid] = []
    taken: set[int] = set()
    for cells in boxes:
        grid, used = _grid(cells, chars, page_no)
        if grid is not None:
            grids.append(grid)
            taken |= used
    return grids, [ch for k, ch in enumerate(chars) if k not in taken]


def _grid(boxes: list[tuple], chars: list[_Char], page_no: int) -> tuple[Grid | None, set[int]]:
    xs = _positions([b[0] for b in boxes] + [b[2] for b in boxes])
    ys = _positions([b[1] for b in boxes] + [b[3] for b in boxes])
    if len(xs) < 3 or len(ys) < 2:
        return None, set()  # one column: a frame around prose, not a table
    origin: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for x0, top, x1, bottom in boxes:
        c0, c1 = _index(xs, x0), _index(xs, x1)
        r0, r1 = _index(ys, top), _index(ys, bottom)
        if c1 > c0 and r1 > r0:
            origin[(r0, c0)] = (r0, c0, r1 - r0, c1 - c0)
    cover: dict[tuple[int, int], tuple[int, int]] = {}
    for (r0, c0), (_, _, rs, cs) in origin.items():
        for r in range(r0, r0 + rs):
            for c in range(c0, c0 + cs):
                cover[(r, c)] = (r0, c0)
    texts: dict[tuple[int, int], list[_Char]] = {}
    used: set[int] = set()
    left, right, top, bottom = xs[0], xs[-1], ys[0], ys[-1]
    for k, ch in enumerate(chars):
        if not (left <= ch.cx <= right and top <= ch.cy <= bottom):
            continue
        c = min(max(bisect.bisect_right(xs, ch.cx) - 1, 0), len(xs) - 2)
        r = min(max(bisect.bisect_right(ys, ch.cy) - 1, 0), len(ys) - 2)
        at = cover.get((r, c))
        if at is not None:
            texts.setdefault(at, []).append(ch)
            used.add(k)
    cells = {at: Cell(at[0], at[1], origin[at][2], origin[at][3], _cell_text(texts.get(at, [])))
             for at in origin}
    return Grid(page_no, top, bottom, xs, cells, len(ys) - 1), used


def _positions(values: list[float]) -> list[float]:
    """Sorted distinct positions, values within SNAP of each other taken as one."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > SNAP:
            out.append(v)
    return out


def _index(positions: list[float], v: float) -> int:
    k = bisect.bisect_left(positions, v - SNAP)
    return min(k, len(positions) - 1)


def _cell_text(chars: list[_Char]) -> str:
    """A cell's characters in reading order; lines wrapped inside the cell are joined without a break."""
    return "".join(text for text, _, _, _ in _lines(chars, joiner="")).strip()


def _lines(chars: list[_Char], joiner: str = " ") -> list[tuple[str, float, float, float]]:
    """Characters grouped into lines (text, top, x0, x1), top to bottom; a wide gap inside a line becomes a space."""
    rows: list[list[_Char]] = []
    for ch in sorted(chars, key=lambda c: (c.cy, c.x0)):
        if rows:
            last = rows[-1]
            ref = last[0]
            h = max(ref.bottom - ref.top, ch.bottom - ch.top, 1.0)
            if abs(ch.cy - ref.cy) <= LINE_TOLERANCE * h:
                last.append(ch)
                continue
        rows.append([ch])
    out = []
    for row in rows:
        row.sort(key=lambda c: c.x0)
        parts = [row[0].text]
        for prev, ch in zip(row, row[1:]):
            size = max(prev.bottom - prev.top, 1.0)
            gap = ch.x0 - prev.x1
            parts.append((joiner or "") + ch.text if gap > 0.6 * size and joiner else ch.text)
        out.append(("".join(parts), min(c.top for c in row), row[0].x0, row[-1].x1))
    return out


def pdf_pages(pdf_pages_iter: Iterator, first: int = 1) -> Iterator[Page]:
    """Pages from an iterator of PDFium pages (see limits.iter_pages), numbered from first."""
    for k, page in enumerate(pdf_pages_iter, first):
        try:
            yield pdf_page(page, k)
        finally:
            page.close()


def number_lines(pages: list[Page]) -> list[Line]:
    """Give every span and grid row a running line number; return the lines as Line records (text, page)."""
    lines: list[Line] = []
    for page in pages:
        for it in page.items:
            if isinstance(it, Span):
                it.line = it.line or len(lines) + 1  # a text source keeps its own line numbers
                lines.append(Line(it.line, it.text, page.no))
            else:
                given = len(it.lines) == it.nrows
                numbers = it.lines if given else [len(lines) + 1 + r for r in range(it.nrows)]
                it.lines = list(numbers)
                for r in range(it.nrows):
                    lines.append(Line(numbers[r], "\t".join(it.row_texts(r)), page.no))
        lines.append(Line(len(lines) + 1, "", page.no))
    return lines


