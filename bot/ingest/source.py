"""Reading a disclosure's text into numbered lines, with clear errors for bad input."""
from __future__ import annotations

import hashlib
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .lines import Line, Source, SourceError, nospace, squash  # noqa: F401  (re-exported)


def read_source(path: str | Path) -> Source:
    """Read a disclosure (PDF or UTF-8 text); raise SourceError if it is missing, empty, unreadable or not text."""
    path = Path(path)
    if not path.is_file():
        raise SourceError(path, None, "file not found (expected a disclosure PDF or text file)")
    raw = path.read_bytes()
    if not raw.strip():
        raise SourceError(path, None, "file is empty (expected a disclosure text)")
    if path.suffix.lower() == ".pdf" or raw.startswith(b"%PDF"):
        from .pdf import read_pdf

        return read_pdf(path, raw)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(path, line, f"not UTF-8 text (bad byte at offset {exc.start}); expected UTF-8") from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise SourceError(path, line, "binary data (NUL byte); expected UTF-8 text")
    lines = [Line(i, t.rstrip("\r")) for i, t in enumerate(text.split("\n"), 1)]
    return Source(path, lines, hashlib.sha256(raw).hexdigest())


AMOUNT = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d+)?$|^-?\d+(\.\d+)?$")
MAX_DIGITS = 15  # no budget figure needs more; a longer one is a broken cell, not an amount


def with_pages(src: Source, pages: list[int | None]) -> Source:
    """The same source with a page number for every line (for text whose pages the recogniser found)."""
    lines = [Line(ln.no, ln.text, pg) for ln, pg in zip(src.lines, pages)]
    return Source(src.path, lines, src.sha256, src.kind, src.pages)


def parse_amount(src: Source, line: Line, cell: str, what: str) -> Decimal | None:
    """A printed amount ('1,036.43') as Decimal; None for an empty cell; SourceError for text."""
    cell = squash(cell)
    if cell in ("", "-", "—"):
        return None
    if not AMOUNT.match(cell):
        raise src.error(line.no, f"expected an amount in {what}, found {cell!r}")
    if sum(ch.isdigit() for ch in cell) > MAX_DIGITS:
        raise src.error(line.no, f"amount {cell[:20]}… in {what} has more than {MAX_DIGITS} digits (not a budget figure)")
    try:
        return Decimal(cell.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the regex admits only numbers
        raise src.error(line.no, f"expected an amount in {what}, found {cell!r}") from None
