"""Plain-Python description of a disclosure PDF: blocks laid out in order, plus the ground truth planted in them."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Run:
    """A piece of a text line: its own size and a vertical shift (points, positive = lower on the page)."""

    text: str
    size: float | None = None
    dy: float = 0.0


@dataclass
class Cell:
    """A table cell; colspan/rowspan merge it over its neighbours, align is 'l', 'c' or 'r' (None: the column's)."""

    text: str = ""
    colspan: int = 1
    rowspan: int = 1
    align: str | None = None


Row = list[Cell | str]


@dataclass
class Style:
    """Page and type settings of one document (sizes in points)."""

    landscape: bool = True
    margin_x: float = 57.0
    margin_top: float = 70.0
    margin_bottom: float = 56.0
    body_size: float = 12.0
    leading: float = 14.6
    title_size: float = 18.0
    table_size: float = 12.0
    row_height: float = 24.4
    rule: str = "rect"  # "rect": thin filled rectangles (WPS/Excel exports); "line": stroked lines (Word)
    page_numbers: bool = False
    cjk_latin_gap: bool = False  # Word's autospace: a quarter-em gap between CJK and Latin runs


@dataclass
class Cover:
    """The cover page: each line is centred, at an absolute distance from the page top."""

    lines: list[tuple[float, list[Run]]]
    landscape: bool | None = None


@dataclass
class TocEntry:
    """One 目录 line; target names a table key or heading tag when page numbers are printed."""

    text: str
    level: int = 0
    target: str | None = None
    raise_quotes: bool = False


@dataclass
class Toc:
    """The 目录 page(s)."""

    entries: list[TocEntry]
    title: str = "目 录"
    leaders: bool = True  # a dotted leader after each entry
    page_numbers: bool = False
    size: float | None = None
    pitch: float | None = None
    landscape: bool | None = None
    boxed: bool = False  # entries ruled like a one-column table (WPS exports do this; it is found as a table)


@dataclass
class Heading:
    """A title line; new_page starts a page first."""

    text: str
    size: float | None = None
    align: str = "c"
    tag: str | None = None
    new_page: bool = False
    space_before: float = 6.0
    space_after: float = 10.0
    indent: float = 0.0
    landscape: bool | None = None


@dataclass
class Paragraph:
    """Prose, wrapped at any CJK character (never inside a number), first line indented by `indent` ems."""

    text: str
    tag: str | None = None
    size: float | None = None
    indent: float = 2.0
    space_after: float = 0.0


@dataclass
class PageBreak:
    """Start a new page, optionally switching orientation."""

    landscape: bool | None = None


@dataclass
class Spacer:
    """Vertical space."""

    height: float


@dataclass
class Table:
    """A ruled table: title and meta line above, header rows repeated (or not) on continuation pages, notes below."""

    key: str
    title: str
    header: list[Row]
    rows: list[Row]
    widths: list[float]
    aligns: list[str] | None = None
    columns: list[str] = field(default_factory=list)  # leaf column names, for ground truth
    row_keys: list[str] = field(default_factory=list)  # a code or label per data row, for ground truth
    supertitle: str | None = None
    meta_left: str = ""
    meta_right: str = ""
    notes: list[str] = field(default_factory=list)
    repeat_header: bool = True
    break_before: set[int] = field(default_factory=set)
    spill_last: bool = False  # rows sized so that a full page pushes the last (合计) row alone onto the next page
    landscape: bool | None = None
    new_page: bool = True
    raise_quotes: bool = False
    size: float | None = None
    row_height: float | None = None
    width_frac: float = 1.0  # share of the text width the table takes (centred)
    title_size: float | None = None
    title_gap: float = 16.0
    page_tag: str | None = None  # pages are dropped together when this table is "missing"

    def cell(self, row_key: str, column: str) -> str:
        """The printed text of a data cell, by row key and leaf column name."""
        row = self.rows[self.row_keys.index(row_key)]
        texts = expand_row(row, len(self.widths))
        return texts[self.columns.index(column)]


Block = Cover | Toc | Heading | Paragraph | PageBreak | Spacer | Table


@dataclass
class CellFact:
    """A table cell planted as ground truth."""

    table: str
    row: str
    column: str
    printed: str
    wan: float | None


@dataclass
class Fact:
    """A prose fact: `needle` is a phrase of the paragraph tagged `tag` (its page is found after layout)."""

    key: str
    value: float | int | str
    tag: str
    needle: str


@dataclass
class Question:
    """One benchmark question; nums/texts are lists of alternatives, each of which must appear in the answer."""

    q: str
    want: str = "answer"
    nums: list[list[float | int]] = field(default_factory=list)
    texts: list[list[str]] = field(default_factory=list)


@dataclass
class Meta:
    """What the document is."""

    unit: str
    short: list[str]
    year: int
    stage: str  # 预算 / 决算 / "" for other reports
    scope: str  # 部门 / 单位 / ""
    level: str  # 区级 / 市级
    money: str  # 元 / 万元
    kind: str = "disclosure"
    description: str = ""


@dataclass
class Document:
    """A whole PDF: meta, style, blocks, and the truth planted in it."""

    id: str
    meta: Meta
    style: Style
    blocks: list[Block]
    cells: list[CellFact] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    missing: set[str] = field(default_factory=set)  # page tags whose pages are left out of the PDF

    def table(self, key: str) -> Table:
        """The table block with this key."""
        for block in self.blocks:
            if isinstance(block, Table) and block.key == key:
                return block
        raise KeyError(key)

    def tables(self) -> list[Table]:
        """All table blocks in order."""
        return [b for b in self.blocks if isinstance(b, Table)]


def as_cell(item: Cell | str) -> Cell:
    """A Cell for a cell or a bare string."""
    return item if isinstance(item, Cell) else Cell(item)


def expand_row(row: Row, ncols: int) -> list[str]:
    """The row's text per leaf column (a merged cell's text in its first column, '' in the others)."""
    out: list[str] = []
    for item in row:
        cell = as_cell(item)
        out.append(cell.text)
        out.extend([""] * (cell.colspan - 1))
    return (out + [""] * ncols)[:ncols]
