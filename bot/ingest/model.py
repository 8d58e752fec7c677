"""The generic document model: what the reader found, before any template is applied.

A table is its title, meta lines and notes, its columns (each with the header path printed above it, its position
and its role: code, label, value …) and its data rows (cell texts aligned to the columns, each with its page and
line). Prose is spans of text with their pages (see prose.py for sentences). Nothing here knows a template.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class Column:
    """One column of a table: where it is, the header words above it (top down) and what it holds."""

    index: int
    path: tuple[str, ...]
    x0: float = 0.0
    x1: float = 0.0
    role: str = "value"  # code | code1 | code2 | code3 | label | alt | seq | value | text
    side: str = ""  # the half of a two-sided table it belongs to (收入 / 支出 …), "" for one-sided tables
    name: str = ""  # its canonical label once mapped (合计, 基本支出 …); the printed header otherwise

    @property
    def header(self) -> str:
        """The header path as one string (top › bottom)."""
        return "›".join(self.path)


@dataclass
class DataRow:
    """One printed data row: its cell texts aligned to the table's columns, page and line."""

    texts: list[str]
    page: int
    line: int


@dataclass
class Table:
    """A table as printed: joined across pages, header rows detected, columns with header paths."""

    seq: int
    title: str
    title_line: int
    page: int
    columns: list[Column] = field(default_factory=list)
    header: list[list[str]] = field(default_factory=list)
    rows: list[DataRow] = field(default_factory=list)
    unit: str = ""
    unit_printed: bool = True
    org: str = ""
    notes: list[str] = field(default_factory=list)
    empty_note: bool = False
    pages: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what could not be read, in a few words each

    @property
    def has_figures(self) -> bool:
        """Whether any value cell holds a number."""
        from .amounts import is_amount

        vals = [k for k, c in enumerate(self.columns) if c.role == "value"]
        return any(is_amount(r.texts[k]) for r in self.rows for k in vals if k < len(r.texts))


@dataclass
class Record:
    """One side of a data row, read: code, name, values by column name, as printed."""

    row_no: int
    side: str
    code: str
    label: str
    item_no: str
    alt: str
    parent: str
    values: dict[str, Decimal | None]
    printed: dict[str, str]
    headers: dict[str, str]  # column name → its printed header path
    line: int
    page: int
    code_parts: tuple[str, ...] = ()


@dataclass
class ReadTable:
    """A table mapped to its meaning (key) — or kept unmapped (key '') — with its records and read status."""

    table: Table
    key: str
    records: list[Record]
    status: str  # read | partly | kept | empty
    reason: str = ""
    wide_of: str = ""  # the printed table a transposed (wide) table came from

    @property
    def title(self) -> str:
        """The printed title."""
        return self.table.title
