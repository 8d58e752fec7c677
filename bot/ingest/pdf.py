"""Reading a PDF disclosure with pdfplumber: each page's ruled tables as tab-separated rows, other text as lines."""
from __future__ import annotations

import hashlib
from pathlib import Path

from .source import Line, Source, SourceError

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


def read_pdf(path: Path, raw: bytes) -> Source:
    """A PDF as numbered lines carrying their page; SourceError if it is not a readable PDF with text."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    if not raw.startswith(b"%PDF"):
        raise SourceError(path, None, "not a PDF file (no %PDF header); expected a disclosure PDF or a .txt")
    texts: list[tuple[int, str]] = []
    try:
        with pdfplumber.open(path) as pdf:
            count = len(pdf.pages)
            for no, page in enumerate(pdf.pages, 1):
                texts += [(no, t) for t in page_lines(page)] + [(no, "")]
    except (PdfminerException, PDFPasswordIncorrect, PDFEncryptionError, PDFSyntaxError, ValueError, KeyError,
            TypeError) as exc:
        cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise SourceError(path, None, "encrypted PDF (a password is needed to read it); "
                                          "expected an open disclosure PDF") from None
        raise SourceError(path, None, f"damaged PDF ({type(cause).__name__}); expected a readable disclosure PDF") from None
    if count == 0:
        raise SourceError(path, None, "PDF has no pages")
    if not any(t.strip() for _, t in texts):
        raise SourceError(path, 1, "PDF has no text layer (a scanned image?); expected a PDF with selectable text",
                          page=1)
    lines = [Line(k, text, page) for k, (page, text) in enumerate(texts, 1)]
    return Source(path, lines, hashlib.sha256(raw).hexdigest(), "pdf", count)
