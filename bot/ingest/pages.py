"""Opening a disclosure file as pages: a PDF with PDFium, page by page; a text file as lines (pages if it has them)."""
from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

from .layout import Page, pdf_page, text_pages
from .source import Line, Source, SourceError, read_source

PAGED_TEXT = re.compile(r"\n\s*\n")  # a pdfplumber twin separates pages with one blank line
EARLY_PAGES = 8  # a file whose first pages show nothing of a budget disclosure is refused there
BUDGET_WORDS = re.compile(r"预算|决算|三公|收支|支出功能分类|经济分类")


def read_pages(path: str | Path) -> tuple[Source, list[Page]]:
    """The source (name, sha256, kind, pages) and its pages; SourceError when it cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise SourceError(path, None, "file not found (expected a disclosure PDF or text file)")
    head = path.read_bytes()[:1024]
    if path.suffix.lower() == ".pdf" or head.lstrip().startswith(b"%PDF"):
        return _pdf(path)
    src = read_source(path)
    return src, text_pages(src, paged=_paged(src))


def _paged(src: Source) -> bool:
    """Whether blank lines in a text file separate pages (a pdfplumber twin) or paragraphs (the seed's text)."""
    lines = [ln.text for ln in src.lines]
    blanks = sum(1 for t in lines if not t.strip() and "\t" not in t)
    return blanks < 0.2 * max(len(lines), 1)


def _pdf(path: Path) -> tuple[Source, list[Page]]:
    from .limits import LimitExceeded, Limits

    limits = Limits.from_env()
    started = time.monotonic()
    raw = path.read_bytes()
    if not raw.lstrip()[:1024].startswith(b"%PDF") and b"%PDF" not in raw[:1024]:
        raise SourceError(path, None, "not a PDF file (no %PDF header); expected a disclosure PDF or a .txt")
    pages: list[Page] = []
    count = 0
    for count, page in pdfium_pages(path, raw):
        try:
            objects = page_objects(page)
            if objects > limits.max_page_objects:
                raise LimitExceeded(path, None, f"page {count} draws {objects:,} objects, over "
                                                f"{limits.describe('max_page_objects')}", page=count)
            pages.append(pdf_page(page, count))
        finally:
            page.close()
        if time.monotonic() - started > limits.max_seconds:
            raise LimitExceeded(path, None, f"reading took over {limits.describe('max_seconds')}", page=count)
        if count == EARLY_PAGES and not _looks_like_a_disclosure(pages):
            raise SourceError(path, None, "not a budget disclosure: its first pages name no 预算 or 决算 and print "
                                          "no budget table", page=1)
    if not any(p.items for p in pages):
        raise SourceError(path, 1, "PDF has no text layer (a scanned image?); expected a PDF with selectable text",
                          page=1)
    src = Source(path, [Line(0, "", None)], hashlib.sha256(raw).hexdigest(), "pdf", len(pages))
    return src, pages


def pdfium_pages(path: Path, raw: bytes):
    """(number, page) for every page of a PDF opened with PDFium; SourceError if it is encrypted or damaged."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as exc:
        text = str(exc).lower()
        if "password" in text or "security" in text:
            raise SourceError(path, None, "encrypted PDF (a password is needed to read it); "
                                          "expected an open disclosure PDF") from None
        raise SourceError(path, None, f"damaged PDF ({exc}); expected a readable disclosure PDF") from None
    try:
        if len(pdf) == 0:
            raise SourceError(path, None, "PDF has no pages")
        for k in range(len(pdf)):
            yield k + 1, pdf[k]
    finally:
        pdf.close()


def text_twin(path: str | Path) -> str:
    """A PDF as text the reader takes back: tables as tab-separated rows, other lines as printed, pages
    separated by a blank line (what `budgetbot build` reads from a .txt)."""
    from .layout import number_lines

    _, pages = read_pages(path)
    lines = number_lines(pages)
    return "\n".join(ln.text for ln in lines[:-1]) + "\n"


def page_objects(page) -> int:
    """How many objects a PDFium page draws (text runs, paths, images)."""
    import pypdfium2.raw as raw

    return raw.FPDFPage_CountObjects(page.raw)


def _looks_like_a_disclosure(pages: list[Page]) -> bool:
    """Whether the first pages speak of a budget (预算/决算 on the cover, a budget table's words)."""
    from .layout import Grid

    words = 0
    for p in pages:
        for it in p.items:
            text = " ".join(it.row_texts(r)[0] for r in range(min(it.nrows, 3))) if isinstance(it, Grid) else it.text
            words += len(BUDGET_WORDS.findall(text))
    return words >= 2
