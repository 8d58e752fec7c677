"""Shared fixtures: the disclosure built once per session into a temporary database."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.ingest.build import build, read_file
from bot.ingest.pages import text_twin as text_twin_of

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "data" / "disclosures" / "xinzhou-rsj-2023-budget.txt"


@pytest.fixture(scope="session")
def source_text() -> str:
    """The disclosure as text."""
    return SOURCE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def doc():
    """The parsed disclosure."""
    return read_file(SOURCE)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> tuple[Path, list]:
    """A database built from the disclosure, and its checks."""
    path = tmp_path_factory.mktemp("db") / "budget.db"
    checks = build([SOURCE], path)
    return path, checks


@pytest.fixture()
def db(built) -> sqlite3.Connection:
    """A read-only connection to the built database."""
    conn = sqlite3.connect(f"file:{built[0]}?mode=ro", uri=True)
    yield conn
    conn.close()


def value(db: sqlite3.Connection, table_key: str, label: str, column: str, side: str = "") -> float | None:
    """One cell's value by table key, row label and column label."""
    rows = db.execute(
        "select c.value from cells c join budget_tables t on t.id = c.table_id "
        "where t.key = ? and c.row_label = ? and c.column_label = ? and (? = '' or c.side = ?) "
        "and c.parent_label not like '上年%'",
        (table_key, label, column, side, side)).fetchall()
    assert len(rows) == 1, (table_key, label, column, rows)
    return rows[0][0]


def tiny_pdf(text: str | None = "Hello", encrypted: bool = False) -> bytes:
    """A one-page PDF made by hand (no PDF library): optional Latin text, optionally password-encrypted."""
    content = f"BT /F1 18 Tf 72 700 Td ({text}) Tj ET".encode() if text else b""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    if encrypted:
        objs.append(b"<< /Filter /Standard /V 1 /R 2 /O <" + b"ab" * 32 + b"> /U <" + b"cd" * 32 + b"> /P -4 >>")
    extra = b" /Encrypt 6 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]" if encrypted else b""
    return pdf_file(objs, extra, b"%PDF-1.4\n")


def pdf_file(objs: list[bytes], trailer: bytes = b"", header: bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n") -> bytes:
    """A PDF of numbered objects (1 is the catalog) with a correct xref table; trailer: more trailer entries."""
    out, offsets = bytearray(header), []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, trailer, xref)
    return bytes(out)


PDFS = {name: ROOT / "data" / "disclosures" / f"shanghai-putuo-{name}.pdf"
        for name in ("wanli-street-2023-budget", "welfare-home-2024-budget", "planning-2024-final-accounts")}


def text_twin(pdf: Path, folder: Path) -> Path:
    """The PDF as the pdfplumber text the project reads from it (tables tab-separated, pages by blank lines)."""
    out = folder / (pdf.stem + ".txt")
    out.write_text(text_twin_of(pdf), encoding="utf-8")
    return out


@pytest.fixture(scope="session")
def multi(tmp_path_factory) -> tuple[Path, list]:
    """The seed and the three Shanghai PDFs built once into one database, and their checks."""
    path = tmp_path_factory.mktemp("multi") / "budget.db"
    return path, build([SOURCE, *PDFS.values()], path)


@pytest.fixture(scope="session")
def twins(tmp_path_factory) -> dict[str, Path]:
    """Text twins of the three PDFs, written once."""
    folder = tmp_path_factory.mktemp("twins")
    return {name: text_twin(pdf, folder) for name, pdf in PDFS.items()}


@pytest.fixture()
def mdb(multi) -> sqlite3.Connection:
    """A read-only connection to the multi-document database."""
    conn = sqlite3.connect(f"file:{multi[0]}?mode=ro", uri=True)
    yield conn
    conn.close()


def doc_id(conn: sqlite3.Connection, unit_part: str) -> int:
    """The id of the one document whose unit contains unit_part."""
    rows = conn.execute("select id from documents where unit like ?", (f"%{unit_part}%",)).fetchall()
    assert len(rows) == 1, (unit_part, rows)
    return rows[0][0]


def cell(conn: sqlite3.Connection, doc: int, key: str, label: str, column: str, side: str | None = None) -> tuple:
    """(value, printed, page, parent_label, row_code) of one cell by document, table key, row and column label."""
    rows = conn.execute(
        "select c.value, c.printed, c.page, c.parent_label, c.row_code from cells c "
        "join budget_tables t on t.id = c.table_id where c.document_id = ? and t.key = ? and c.row_label = ? "
        "and c.column_label = ? and (? is null or c.side = ?)", (doc, key, label, column, side, side)).fetchall()
    assert len(rows) == 1, (doc, key, label, column, rows)
    return rows[0]
