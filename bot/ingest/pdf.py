"""Reading a PDF disclosure with pdfplumber: each page's ruled tables as tab-separated rows, other text as lines.

Pages are read through bot/ingest/limits.py (open_pdf, iter_pages), so a hostile file stops at a cap with one line.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from .limits import Limits, iter_pages, open_pdf
from .lines import Line, Source, SourceError, squash

# Explicit table settings: the disclosures print ruled tables, so cells come from the drawn lines only.
TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 3,
                  "join_tolerance": 3, "intersection_tolerance": 3}


def _inside(obj: dict, boxes: list[tuple]) -> bool:
    x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)


def page_lines(page) -> list[str]:
    """One page as text lines in reading order: a table row is one line of tab-separated cells."""
    tables = page.find_tables(TABLE_SETTINGS)
    boxes = [t.bbox for t in tables]
    items: list[tuple[float, str]] = []
    for table in tables:
        for row, cells in zip(table.rows, table.extract()):
            items.append((row.bbox[1], "\t".join((c or "").replace("\n", "") for c in cells)))
    rest = page.filter(lambda o: o.get("object_type") != "char" or not _inside(o, boxes)) if boxes else page
    for ln in rest.extract_text_lines():
        items.append((ln["top"], ln["text"]))
    items.sort(key=lambda it: it[0])
    return [text for _, text in items]


COVER_PAGES = 3  # a disclosure says 预算 or 决算 (its title) within its first pages; anything else stops there
COVER_WORDS = ("预算", "决算", "預算", "決算")


def _refuse_early(path: Path, texts: list[tuple[int, str]]) -> None:
    """After COVER_PAGES pages: refuse a PDF without text, or whose first pages never say 预算 or 决算."""
    head = squash("".join(t for _, t in texts))
    if not head:
        raise SourceError(path, 1, f"PDF has no text layer on its first {COVER_PAGES} pages (a scanned image?); "
                                   "expected a PDF with selectable text", page=1)
    if not any(w in head for w in COVER_WORDS):
        raise SourceError(path, 1, f"not a budget disclosure: its first {COVER_PAGES} pages never say 预算 or 决算 "
                                   "(expected a 预算/决算 disclosure)", page=1)


def read_pdf(path: Path, raw: bytes, limits: Limits | None = None) -> Source:
    """A PDF as numbered lines carrying their page; SourceError if it is not a readable PDF with text.

    Read within the build limits (bot/ingest/limits.py): one page at a time, each freed once its lines are taken.
    """
    texts: list[tuple[int, str]] = []
    with open_pdf(path, limits) as pdf:
        count = pdf.page_count
        pages = iter_pages(pdf)
        try:
            for page in pages:
                texts += [(page.page_number, t) for t in page_lines(page)] + [(page.page_number, "")]
                if page.page_number == COVER_PAGES < count:
                    _refuse_early(path, texts)
        except (ValueError, KeyError, TypeError) as exc:
            # pdfplumber on malformed objects (a box of strings, a missing key): the page being read is damaged
            raise SourceError(path, None, f"damaged PDF ({type(exc).__name__}); expected a readable disclosure PDF",
                              page=len({no for no, _ in texts}) + 1) from None
        finally:
            pages.close()
    if not any(t.strip() for _, t in texts):
        raise SourceError(path, 1, "PDF has no text layer (a scanned image?); expected a PDF with selectable text",
                          page=1)
    lines = [Line(k, text, page) for k, (page, text) in enumerate(texts, 1)]
    return Source(path, lines, hashlib.sha256(raw).hexdigest(), "pdf", count)
