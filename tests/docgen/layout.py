"""Lay a Document out on A4 pages: a list of text and rule operations per page, and where each part landed."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import measure
from .spec import (Block, Cell, Cover, Document, Heading, PageBreak, Paragraph, Row, Run, Spacer, Table, Toc,
                   as_cell)

A4_SHORT, A4_LONG = 595.28, 841.89
ASCENT = 0.88
PAD = 3.0


@dataclass
class TextOp:
    """Text drawn with its baseline `baseline` points below the page top."""

    x: float
    baseline: float
    text: str
    size: float


@dataclass
class RuleOp:
    """A ruling segment (horizontal or vertical), coordinates from the page top."""

    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class PageOut:
    """One laid-out page."""

    width: float
    height: float
    ops: list = field(default_factory=list)
    owners: set[str] = field(default_factory=set)
    number: int = 0


@dataclass
class Laid:
    """The pages and where tables, headings and paragraph lines landed (0-based page indexes)."""

    pages: list[PageOut]
    table_pages: dict[str, list[int]]
    tag_pages: dict[str, list[int]]
    para_lines: dict[str, list[tuple[int, int]]]
    para_text: dict[str, str]


@dataclass
class _Placed:
    row: int
    col: int
    cell: Cell
    lines: list[str]


def grid(rows: list[Row], ncols: int) -> list[_Placed]:
    """Cells placed on the column grid (HTML-style spans); gaps at a row's end are filled with empty cells."""
    taken: set[tuple[int, int]] = set()
    out: list[_Placed] = []
    for r, row in enumerate(rows):
        c = 0
        for item in row:
            cell = as_cell(item)
            while (r, c) in taken:
                c += 1
            out.append(_Placed(r, c, cell, []))
            taken.update((r + dr, c + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan))
            c += cell.colspan
        for c in range(ncols):
            if (r, c) not in taken:
                out.append(_Placed(r, c, Cell(""), []))
                taken.add((r, c))
    return out


def row_groups(placed: list[_Placed], nrows: int) -> list[tuple[int, int]]:
    """Runs of rows tied together by rowspans (never split across pages)."""
    reach = [r + 1 for r in range(nrows)]
    for p in placed:
        reach[p.row] = max(reach[p.row], p.row + p.cell.rowspan)
    groups, start, end = [], 0, 0
    for r in range(nrows):
        end = max(end, reach[r])
        if r + 1 >= end:
            groups.append((start, r + 1))
            start = r + 1
    return groups


class Layout:
    """Flows a document's blocks onto pages."""

    def __init__(self, doc: Document, toc_numbers: dict[str, int] | None = None) -> None:
        self.doc = doc
        self.style = doc.style
        self.toc_numbers = toc_numbers or {}
        self.pages: list[PageOut] = []
        self.y = 0.0
        self.table_pages: dict[str, list[int]] = {}
        self.tag_pages: dict[str, list[int]] = {}
        self.para_lines: dict[str, list[tuple[int, int]]] = {}
        self.para_text: dict[str, str] = {}

    # pages -----------------------------------------------------------------------------------------------------
    @property
    def page(self) -> PageOut:
        """The current page."""
        return self.pages[-1]

    @property
    def landscape(self) -> bool:
        """Whether the current page is landscape."""
        return bool(self.pages) and self.page.width > self.page.height

    def new_page(self, landscape: bool | None = None) -> None:
        """Start a page (keeping the orientation unless told)."""
        land = self.landscape if (landscape is None and self.pages) else (
            self.style.landscape if landscape is None else landscape)
        w, h = (A4_LONG, A4_SHORT) if land else (A4_SHORT, A4_LONG)
        self.pages.append(PageOut(w, h, number=len(self.pages) + 1))
        self.y = self.style.margin_top

    def orient(self, landscape: bool | None) -> bool:
        """The orientation a block asks for (None: the document's)."""
        return self.style.landscape if landscape is None else landscape

    def room(self, height: float) -> bool:
        """Whether `height` more points fit above the bottom margin."""
        return self.y + height <= self.page.height - self.style.margin_bottom

    def need(self, height: float) -> None:
        """Go to a new page unless `height` fits."""
        if not self.room(height):
            self.new_page()

    def own(self, owner: str) -> None:
        """Record that `owner` printed something on the current page."""
        self.page.owners.add(owner)

    def mark(self, table: dict[str, list[int]], key: str) -> None:
        """Record the current page under `key`."""
        pages = table.setdefault(key, [])
        if not pages or pages[-1] != len(self.pages) - 1:
            pages.append(len(self.pages) - 1)

    # text ------------------------------------------------------------------------------------------------------
    def text(self, x: float, top: float, text: str, size: float, raise_quotes: bool = False, gap: bool = False) -> None:
        """Put text whose line box starts at `top`; raised quotes sit high enough to extract as a line of their own."""
        base = top + ASCENT * size
        if not (raise_quotes or gap):
            self.page.ops.append(TextOp(x, base, text, size))
            return
        pieces = measure.segments(text) if gap else [(text, False)]
        for piece, gap_before in pieces:
            if gap_before:
                x += 0.25 * size
            for part in _split_quotes(piece) if raise_quotes else [piece]:
                lift = 0.62 * size if part in measure.QUOTES else 0.0
                self.page.ops.append(TextOp(x, base - lift, part, size))
                x += measure.width(part, size)

    def run_line(self, top: float, runs: list[Run], align: str = "c") -> None:
        """A line made of runs of different sizes and shifts, centred (or left at the margin)."""
        sizes = [r.size or self.style.body_size for r in runs]
        total = sum(measure.width(r.text, s) for r, s in zip(runs, sizes, strict=True))
        x = (self.page.width - total) / 2 if align == "c" else self.style.margin_x
        big = max(sizes)
        for r, s in zip(runs, sizes, strict=True):
            self.page.ops.append(TextOp(x, top + ASCENT * big + r.dy, r.text, s))
            x += measure.width(r.text, s)

    def leading(self, size: float) -> float:
        """Line pitch for a type size."""
        return self.style.leading * size / self.style.body_size

    # blocks ----------------------------------------------------------------------------------------------------
    def run(self) -> Laid:
        """Lay out every block."""
        for block in self.doc.blocks:
            self.place(block)
        return Laid(self.pages, self.table_pages, self.tag_pages, self.para_lines, self.para_text)

    def place(self, block: Block) -> None:
        """Dispatch one block."""
        if isinstance(block, Cover):
            self.cover(block)
        elif isinstance(block, Toc):
            self.toc(block)
        elif isinstance(block, Heading):
            self.heading(block)
        elif isinstance(block, Paragraph):
            self.paragraph(block)
        elif isinstance(block, Table):
            TablePlacer(self, block).place()
        elif isinstance(block, PageBreak):
            self.new_page(self.orient(block.landscape))
        elif isinstance(block, Spacer):
            self.y += block.height

    def cover(self, cover: Cover) -> None:
        """The cover page."""
        self.new_page(self.orient(cover.landscape))
        self.own("cover")
        for top, runs in cover.lines:
            self.run_line(top, runs)

    def toc(self, toc: Toc) -> None:
        """The 目录 page(s), with dotted leaders and page numbers when asked."""
        self.new_page(self.orient(toc.landscape))
        self.own("toc")
        size = toc.size or self.style.body_size
        pitch = toc.pitch or size * 1.65
        self.run_line(self.y - 10, [Run(toc.title, self.style.title_size)])
        self.y += self.style.title_size * 2.6
        right = self.page.width - self.style.margin_x
        for entry in toc.entries:
            if not self.room(pitch):
                self.new_page()
                self.own("toc")
            x = self.style.margin_x + entry.level * 2 * size
            self.text(x, self.y, entry.text, size, raise_quotes=entry.raise_quotes)
            number = str(self.toc_numbers.get(entry.target or "", "")) if toc.page_numbers else ""
            num_w = measure.width(number, size)
            if toc.leaders:
                start = x + measure.width(entry.text, size) + 4
                dot = measure.width("…", size)
                count = int((right - num_w - 6 - start) // dot)
                if count > 0:
                    self.text(start, self.y, "…" * count, size)
            if number:
                self.text(right - num_w, self.y, number, size)
            if toc.boxed:
                self.box(self.style.margin_x - 4, right + 4, self.y - (pitch - size) / 2, self.y + size + (pitch - size) / 2)
            self.y += pitch

    def box(self, x0: float, x1: float, y0: float, y1: float) -> None:
        """A ruled rectangle (its sides as rules, merged with neighbours when drawn)."""
        self.page.ops.extend((RuleOp(x0, y0, x1, y0), RuleOp(x0, y1, x1, y1), RuleOp(x0, y0, x0, y1),
                              RuleOp(x1, y0, x1, y1)))

    def heading(self, h: Heading) -> None:
        """A title line."""
        size = h.size or self.style.body_size
        land = self.orient(h.landscape)
        if h.new_page or not self.pages or (h.landscape is not None and land != self.landscape):
            self.new_page(land)
        else:
            self.y += h.space_before
            self.need(size * 1.6)
        self.own("text")
        if h.align == "c":
            self.run_line(self.y, [Run(h.text, size)])
        else:
            x = self.style.margin_x + h.indent * size
            self.text(x, self.y, h.text, size, gap=self.style.cjk_latin_gap)
        if h.tag:
            self.mark(self.tag_pages, h.tag)
        self.y += size * 1.5 + h.space_after

    def paragraph(self, p: Paragraph) -> None:
        """Wrapped prose, recording which page each line lands on."""
        if not self.pages:
            self.new_page()
        size = p.size or self.style.body_size
        lead = self.leading(size)
        avail = self.page.width - 2 * self.style.margin_x
        indent = p.indent * size
        gap = self.style.cjk_latin_gap
        lines = measure.wrap(p.text, size, avail, indent, gap)
        offset = 0
        for i, line in enumerate(lines):
            self.need(lead)
            self.own("text")
            x = self.style.margin_x + (indent if i == 0 else 0.0)
            self.text(x, self.y, line, size, gap=gap)
            if p.tag:
                self.mark(self.tag_pages, p.tag)
                self.para_lines.setdefault(p.tag, []).append((offset, len(self.pages) - 1))
            offset += len(line)
            self.y += lead
        if p.tag:
            self.para_text[p.tag] = p.text
        self.y += p.space_after


def _split_quotes(text: str) -> list[str]:
    """The text cut before and after every curly double quote."""
    out: list[str] = []
    for ch in text:
        if ch in measure.QUOTES or not out or out[-1] in measure.QUOTES:
            out.append(ch)
        else:
            out[-1] += ch
    return out


class TablePlacer:
    """Places one table: title, meta line, header, body rows page by page, notes."""

    def __init__(self, lay: Layout, table: Table) -> None:
        self.lay = lay
        self.t = table
        self.style = lay.style
        self.size = table.size or self.style.table_size
        self.min_h = table.row_height or self.style.row_height
        self.ncols = len(table.widths)
        self.owner = table.page_tag or table.key

    def geometry(self) -> None:
        """Column edges for the current page width."""
        avail = self.lay.page.width - 2 * self.style.margin_x
        total_w = avail * self.t.width_frac
        self.x0 = (self.lay.page.width - total_w) / 2
        scale = total_w / sum(self.t.widths)
        self.edges = [self.x0]
        for w in self.t.widths:
            self.edges.append(self.edges[-1] + w * scale)

    def prepare(self, rows: list[Row], min_h: float | None = None) -> tuple[list[_Placed], list[float]]:
        """Placed, wrapped cells and row heights."""
        placed = grid(rows, self.ncols)
        for p in placed:
            w = self.edges[p.col + p.cell.colspan] - self.edges[p.col] - 2 * PAD
            p.lines = measure.wrap(p.cell.text, self.size, w) if p.cell.text else []
        return placed, self.heights(placed, len(rows), min_h or self.min_h)

    def heights(self, placed: list[_Placed], nrows: int, min_h: float) -> list[float]:
        """Row heights: the tallest single-row cell, then rows stretched for taller merged cells."""
        lead = self.size * 1.22
        pad = max(3.0, 0.35 * self.size)
        heights = [min_h] * nrows
        for p in placed:
            if p.cell.rowspan == 1:
                heights[p.row] = max(heights[p.row], len(p.lines) * lead + pad)
        for p in placed:
            if p.cell.rowspan > 1:
                last = min(p.row + p.cell.rowspan, nrows) - 1
                lack = len(p.lines) * lead + pad - sum(heights[p.row:last + 1])
                if lack > 0:
                    heights[last] += lack
        return heights

    def starts(self, heights: list[float], groups: list[tuple[int, int]], y: float, head_h: float) -> list[int]:
        """Indexes of the row groups that would begin a new page."""
        bottom = self.lay.page.height - self.style.margin_bottom
        out = []
        for n, (start, end) in enumerate(groups):
            h = sum(heights[start:end])
            if y + h > bottom or start in self.t.break_before:
                out.append(n)
                y = self.style.margin_top - 16 + (head_h if self.t.repeat_header else 0.0)
            y += h
        return out

    def spill_height(self, body: list[_Placed], groups: list[tuple[int, int]], y: float,
                     head_h: float) -> tuple[float, float] | None:
        """(row height, extra space above the title) near the usual layout at which a full page pushes the last
        row alone onto a new page."""
        for extra in range(0, 48, 3):
            for step in range(0, 50):
                for sign in (1, -1):
                    min_h = self.min_h + sign * step * 0.05
                    heights = self.heights(body, len(self.t.rows), min_h)
                    starts = self.starts(heights, groups, y + extra, head_h)
                    if len(groups) > 1 and starts and starts[-1] == len(groups) - 1:
                        return min_h, float(extra)
        return None

    def place(self) -> None:
        """Title, header, rows page by page (header repeated if asked), notes."""
        lay, t = self.lay, self.t
        land = lay.orient(t.landscape)
        if t.new_page or not lay.pages or land != lay.landscape:
            lay.new_page(land)
        self.geometry()
        head, head_h = self.prepare(t.header)
        body, body_h = self.prepare(t.rows)
        groups = row_groups(body, len(t.rows))
        first = sum(body_h[groups[0][0]:groups[0][1]]) if groups else 0.0
        if not lay.room(self.title_height() + sum(head_h) + first):
            lay.new_page(land)
            self.geometry()
        if t.spill_last:
            found = self.spill_height(body, groups, lay.y + self.title_height() + sum(head_h), sum(head_h))
            if found is None:
                t.break_before = t.break_before | {len(t.rows) - 1}
            else:
                body_h = self.heights(body, len(t.rows), found[0])
                lay.y += found[1]
        self.titles()
        self.draw_rows(head, head_h, 0, len(t.header), header=True)
        for start, end in groups:
            h = sum(body_h[start:end])
            if start in t.break_before or not lay.room(h):
                lay.new_page(land)
                lay.y = self.style.margin_top - 16
                if t.repeat_header:
                    self.draw_rows(head, head_h, 0, len(t.header), header=True)
            self.draw_rows(body, body_h, start, end)
        self.notes()

    def title_height(self) -> float:
        """Room the title, supertitle and meta line take."""
        ts = self.t.title_size or self.style.title_size
        h = ts * 1.4 + self.t.title_gap if self.t.title else 0.0
        if self.t.supertitle:
            h += ts * 1.6
        if self.t.meta_left or self.t.meta_right:
            h += self.size * 2.2
        return h

    def titles(self) -> None:
        """Supertitle, title and the meta line (编制部门 left, 单位 right)."""
        lay, t = self.lay, self.t
        lay.own(self.owner)
        lay.mark(lay.table_pages, t.key)
        ts = t.title_size or self.style.title_size
        if t.supertitle:
            lay.run_line(lay.y, [Run(t.supertitle, ts)])
            lay.y += ts * 1.6
        if t.title:
            width = measure.width(t.title, ts)
            lay.text((lay.page.width - width) / 2, lay.y, t.title, ts, raise_quotes=t.raise_quotes)
            lay.y += ts * 1.4 + t.title_gap
        if t.meta_left or t.meta_right:
            if t.meta_left:
                lay.text(self.x0 + 2, lay.y, t.meta_left, self.size)
            if t.meta_right:
                w = measure.width(t.meta_right, self.size)
                lay.text(self.edges[-1] - w - 2, lay.y, t.meta_right, self.size)
            lay.y += self.size * 2.2

    def draw_rows(self, placed: list[_Placed], heights: list[float], start: int, end: int, header: bool = False) -> None:
        """Rows start..end at the cursor: borders of every cell, text centred vertically."""
        lay = self.lay
        lay.own(self.owner)
        lay.mark(lay.table_pages, self.t.key)
        tops = [lay.y]
        for h in heights[start:end]:
            tops.append(tops[-1] + h)
        aligns = self.t.aligns or ["c"] * self.ncols
        lead = self.size * 1.22
        ops = lay.page.ops
        for p in placed:
            if not start <= p.row < end:
                continue
            r0 = p.row - start
            r1 = min(r0 + p.cell.rowspan, end - start)
            x0, x1 = self.edges[p.col], self.edges[p.col + p.cell.colspan]
            y0, y1 = tops[r0], tops[r1]
            ops.extend((RuleOp(x0, y0, x1, y0), RuleOp(x0, y1, x1, y1), RuleOp(x0, y0, x0, y1), RuleOp(x1, y0, x1, y1)))
            if not p.lines:
                continue
            align = p.cell.align or (aligns[p.col] if p.cell.colspan == 1 and not header else "c")
            top = y0 + (y1 - y0 - len(p.lines) * lead) / 2 + (lead - self.size) / 2
            for line in p.lines:
                w = measure.width(line, self.size)
                if align == "l":
                    x = x0 + PAD + 1
                elif align == "r":
                    x = x1 - PAD - 1 - w
                else:
                    x = (x0 + x1 - w) / 2
                lay.text(x, top, line, self.size)
                top += lead
        lay.y = tops[-1]

    def notes(self) -> None:
        """The notes under the table (注：… / 说明：…)."""
        lay = self.lay
        size = self.size
        lead = size * 1.35
        lay.y += 4
        avail = self.edges[-1] - self.x0
        for note in self.t.notes:
            for line in measure.wrap(note, size, avail):
                if not lay.room(lead):
                    lay.new_page()
                lay.own(self.owner)
                lay.mark(lay.table_pages, self.t.key)
                lay.text(self.x0, lay.y, line, size)
                lay.y += lead
