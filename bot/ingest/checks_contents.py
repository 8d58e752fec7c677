"""The 目录 against the tables found: every table the 目录 lists is in the document (pages may be missing)."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from .amounts import clean
from .checks import Check, Index
from .mapping import title_key

if TYPE_CHECKING:  # pragma: no cover
    from .reader import Disclosure as Document

NUMBER = re.compile(r"^(\d{1,2}[.．、]|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|表\d+[:：]?)")
CONTAINER = re.compile(r"(部门|单位)(预算|决算)(公开)?表$|报表$|^第[一二三四五六七八九十]+部分")
NOTE = re.compile(r"[(（][^()（）]*[)）]$")


def listed_tables(doc: Document) -> list[tuple[str, int | None]]:
    """The tables the 目录 lists: (title as printed without its number, page listed)."""
    out = []
    for e in doc.contents:
        text = NUMBER.sub("", clean(e.text))
        bare = NOTE.sub("", text)
        if bare.endswith("表") and not CONTAINER.search(text) and not CONTAINER.search(bare):
            out.append((text, e.page))
    return out


def contents(doc: Document, index: Index) -> list[Check]:
    """A listed table that is not found fails, naming it."""
    found = [title_key(t.title) for t in doc.tables if t.title]
    out = []
    for text, pg in listed_tables(doc):
        key = title_key(text)
        ok = any(key == f or _contains(key, f) for f in found)
        where = f"（目录所列第{pg}页）" if pg else ""
        out.append(Check("contents", f"目录：{text}", Decimal(1), Decimal(1 if ok else 0),
                         f"目录列出《{text}》{where}，" + ("文件中有这张表" if ok else "文件中没有找到这张表（缺页或未印）"),
                         tolerance=Decimal("0.5")))
    return out


def _contains(a: str, b: str) -> bool:
    """One title within the other, the shorter being most of the longer (a prefix or a note left over)."""
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 4 and short in long_ and len(short) >= 0.75 * len(long_)
