"""What a read disclosure is made of before any reading of tables: numbered lines, the source file, and the error
that names the file, page and line. No reader is imported here, so every reader can import it."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path


class SourceError(Exception):
    """A disclosure that cannot be parsed: names the file, the line and what was expected."""

    def __init__(self, path: str | Path, line: int | None, message: str, page: int | None = None) -> None:
        self.path, self.line, self.message, self.page = str(path), line, message, page
        where = f"{self.path}:{line}" if line else self.path
        if page:
            where = f"{self.path}: page {page}" + (f" (text line {line})" if line else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Line:
    """One line of the source text: its 1-based number, raw text, and the printed page it is on (if known)."""

    no: int
    text: str
    page: int | None = None

    @property
    def cells(self) -> list[str]:
        """The tab-separated cells, stripped, in position (empty cells kept)."""
        return [c.strip() for c in self.text.split("\t")]

    @property
    def tokens(self) -> list[str]:
        """The non-empty cells, with spaces inside a cell removed (PDF extraction splits words)."""
        return [squash(c) for c in self.text.split("\t") if c.strip()]

    @property
    def blank(self) -> bool:
        """Whether the line holds nothing but white space."""
        return not self.text.strip()


@dataclass(frozen=True)
class Source:
    """A disclosure file read as lines (a PDF's tables as tab-separated rows), with its name, sha256 and pages."""

    path: Path
    lines: list[Line]
    sha256: str
    kind: str = "text"  # "text" or "pdf"
    pages: int | None = None  # the PDF's page count; None for text

    def error(self, line: int | None, message: str) -> SourceError:
        """A SourceError for this file, naming the PDF page when the source is a PDF."""
        page = None
        if self.kind == "pdf" and line:
            page = next((ln.page for ln in self.lines if ln.no == line), None)
        return SourceError(self.path, line, message, page)


def squash(text: str) -> str:
    """NFKC, no white space inside (the PDF text breaks words: '财政资 金')."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def nospace(text: str) -> str:
    """The text with white space removed but otherwise as printed (for quoting prose)."""
    return re.sub(r"\s+", "", text)
