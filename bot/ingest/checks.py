"""The Check type, the helpers every check module shares, and the runner (a check never stops a build).

All figures are Decimal 万元 (tables printed in 元 are already divided by 10 000). A check compares what the
document implies (expected: a sum, a ratio, another table's figure) with what it prints (actual). Its `name` says
what is compared and its `detail` what was found, both in words a journalist reads in one line, with the page.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, Iterable

from .amounts import clean

if TYPE_CHECKING:  # pragma: no cover
    from .model import Record as Row
    from .reader import Disclosure as Document, TableView as Table

log = logging.getLogger(__name__)

ZERO = Decimal("0")
CENT = Decimal("0.01")
EXACT = Decimal("0.00005")  # half a 元 in 万元: a table's arithmetic is exact to the 元 (万元 tables to the cent)
# Each check's kind, in the order /check lists them: what a sentence of the prose says (against a table or against
# itself) first, then the 目录, words and forms, then the tables' arithmetic.
KINDS = {"narrative": "情况说明", "contents": "目录", "text": "文字", "project": "项目", "cross": "表间",
         "total": "合计", "hierarchy": "类款项", "row": "行内", "balance": "收支平衡", "code": "编码"}
PROSE_KINDS = ("narrative",)
ORDER = tuple(KINDS)
NOT_VALUES = ("code", "label", "alt")


@dataclass
class Check:
    """One identity: what was expected, what the document has, and whether they agree."""

    kind: str
    name: str
    expected: Decimal
    actual: Decimal
    detail: str = ""
    tolerance: Decimal = Decimal("0.005")  # half a cent of 万元 as published

    @property
    def difference(self) -> Decimal:
        """actual − expected."""
        return self.actual - self.expected

    @property
    def passed(self) -> bool:
        """Whether the two agree (within half a unit of what is printed)."""
        return abs(self.difference) < self.tolerance

    @property
    def prose(self) -> bool:
        """Whether the check is about a sentence of the prose (not table arithmetic)."""
        return self.kind in PROSE_KINDS


Group = Callable[["Document", "Index"], list[Check]]


class Index:
    """The document's tables by key (the first non-empty one of each key)."""

    def __init__(self, doc: Document) -> None:
        self.by_key: dict[str, Table] = {}
        for t in doc.tables:
            if t.spec.key and (t.spec.key not in self.by_key or self.by_key[t.spec.key].empty and not t.empty):
                self.by_key[t.spec.key] = t

    def get(self, key: str) -> Table | None:
        """The table of that key, None when absent or empty."""
        t = self.by_key.get(key)
        return None if t is None or t.empty or not t.rows else t


def run(doc: Document, groups: Iterable[Group]) -> list[Check]:
    """Every group's checks, prose ones first; a group that fails is reported in doc.problems, never raised."""
    index = Index(doc)
    out: list[Check] = []
    for group in groups:
        try:
            out += group(doc, index)
        except Exception as exc:  # noqa: BLE001 - a check's bug must not stop a build
            log.exception("check group %s failed on %s", group.__name__, doc.unit)
            doc.problems.append(f"核对“{group.__module__.rsplit('.', 1)[-1]}.{group.__name__}”未能完成：{exc!r}"[:200])
    rank = {k: n for n, k in enumerate(ORDER)}
    return sorted(out, key=lambda c: rank.get(c.kind, len(ORDER)))


# -- figures -------------------------------------------------------------------------------------------------------

def v(x: Decimal | None) -> Decimal:
    """A blank cell as zero."""
    return x if x is not None else ZERO


def total(rows: Iterable[Row], col: str) -> Decimal:
    """Σ of one column over rows (blanks as zero)."""
    return sum((v(r.values.get(col)) for r in rows), ZERO)


def half_unit(printed: Decimal) -> Decimal:
    """Half a unit of the last digit printed (17,192 → 0.5; 220.63 → 0.005)."""
    exp = printed.as_tuple().exponent
    return Decimal(5).scaleb(exp - 1) if isinstance(exp, int) else Decimal("0.005")


def one_unit(printed: Decimal) -> Decimal:
    """One unit of the last digit printed (a rate may be rounded or cut: 95.457 printed 95.45 or 95.46)."""
    exp = printed.as_tuple().exponent
    return Decimal(1).scaleb(exp) + EXACT if isinstance(exp, int) else CENT


def fmt(x: Decimal | None) -> str:
    """A figure for a sentence: at least two decimals, up to four (元 tables in 万元), no trailing noise."""
    if x is None:
        return "空"
    q = x.quantize(CENT) if x == x.quantize(CENT) else x.quantize(Decimal("0.0001")).normalize()
    return f"{q:f}"


def money(x: Decimal | None, like: Decimal | None = None) -> str:
    """"220.63万元" ("空白" for a blank cell); like: round to the digits another figure prints (the prose's)."""
    if x is None:
        return "空白"
    exp = like.as_tuple().exponent if like is not None else None
    return f"{fmt(x) if not isinstance(exp, int) else f'{x.quantize(Decimal(1).scaleb(exp)):f}'}万元"


def fmt_pct(x: Decimal) -> str:
    """A rate for a sentence, to the hundredth of a per cent."""
    return f"{x.quantize(CENT):f}"


def pct(part: Decimal, whole: Decimal) -> Decimal | None:
    """part ÷ whole in per cent (to 0.0001), None when whole is zero."""
    return (part / whole * 100).quantize(Decimal("0.0001")) if whole else None


def page_of_line(doc: Document, line: int) -> int | None:
    """The page of a source line (a table row's or a sentence's), None when unknown."""
    for t in doc.tables:
        for r in t.rows:
            if r.line == line:
                return r.page or t.page
    return next((s.page for s in doc.sentences if s.line == line), None)


# -- tables and rows -----------------------------------------------------------------------------------------------

QUOTES = re.compile(r"[“”\"'‘’()（）〔〕\[\]《》]")


@lru_cache(maxsize=1 << 15)
def norm(text: str) -> str:
    """A name compared loosely: NFKC, no spaces, no quotes or brackets of any width (cached)."""
    return QUOTES.sub("", clean(text))


def value_cols(t: Table, side: str | None = None) -> list[str]:
    """A table's value columns (of one side of a two-sided table)."""
    return list(dict.fromkeys(n for s, n in t.spec.columns if n not in NOT_VALUES and (side is None or s == side)))


def find_row(t: Table | None, labels: str | tuple[str, ...], side: str | None = None) -> Row | None:
    """The first row (uncoded) whose label is one of labels, compared loosely."""
    if t is None:
        return None
    wanted = [norm(x) for x in ((labels,) if isinstance(labels, str) else labels)]
    for w in wanted:
        for r in t.rows:
            if norm(r.label) == w and (side is None or r.side == side):
                return r
    return None


def cell(t: Table | None, labels: str | tuple[str, ...], cols: str | tuple[str, ...],
         side: str | None = None) -> tuple[Decimal | None, Row | None, str]:
    """A figure by row label and column name (the first column of cols the row has): value, row, column."""
    r = find_row(t, labels, side)
    if r is None:
        return None, None, ""
    for c in (cols,) if isinstance(cols, str) else cols:
        if c in r.values:
            return r.values[c], r, c
    return None, r, ""


def code_of(r: Row) -> str:
    """A row's code as printed (split codes with spaces)."""
    return " ".join(r.code_parts) if r.code_parts else r.code


def row_name(r: Row) -> str:
    """“208 05 行政事业单位养老支出” (code and label, as a journalist finds the row)."""
    code = code_of(r)
    return f"“{code + ' ' if code else ''}{r.label}”"


def title(t: Table) -> str:
    """The table as named in a sentence."""
    return f"《{t.title}》"


def page(p: int | None) -> str:
    """（第7页）, or nothing when the page is not known."""
    return f"（第{p}页）" if p else ""


def quote(sentence: str, limit: int = 60) -> str:
    """A sentence shortened for a one-line detail."""
    s = sentence.strip()
    return f"“{s[:limit]}…”" if len(s) > limit else f"“{s}”"
