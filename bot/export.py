"""Open data: the facts view and the checks as CSV or JSON."""
from __future__ import annotations

import csv
import io
import json
import sys
from decimal import Decimal
from pathlib import Path

from . import store


def _rows(sql: str, params: tuple = ()) -> tuple[list[str], list[tuple]]:
    conn = store.connect()
    try:
        cur = conn.execute(sql, params)
        return [d[0] for d in cur.description], [tuple(r) for r in cur.fetchall()]
    finally:
        conn.close()


FACTS = "select * from facts order by document_id, source_line, row_no, column_label"
CHECKS = "select document_id, kind, name, expected, actual, difference, passed, detail from checks order by passed, id"


DOCUMENT_FACTS = "select * from facts where document_id = ? order by source_line, row_no, column_label"
DOCUMENT_CHECKS = ("select document_id, kind, name, expected, actual, difference, passed, detail from checks "
                   "where document_id = ? order by passed, id")
CENT = Decimal("0.01")


def _clean(value):
    return round(value, 2) if isinstance(value, float) else value


def amount_text(value):
    """An amount as printed in the document: two decimals kept (3.90, 150.00), from Decimal, never float repr."""
    if isinstance(value, float):
        return str(Decimal(repr(value)).quantize(CENT))
    return value


def export(fmt: str, out: Path | None) -> list[Path]:
    """Write the export; returns the files written (none when writing to stdout)."""
    facts_cols, facts = _rows(FACTS)
    check_cols, checks = _rows(CHECKS)
    if fmt == "json":
        data = {"facts": [dict(zip(facts_cols, map(_clean, r))) for r in facts],
                "checks": [dict(zip(check_cols, map(_clean, r))) for r in checks]}
        text = json.dumps(data, ensure_ascii=False, indent=1)
        if out is None:
            sys.stdout.write(text + "\n")
            return []
        out.write_text(text, encoding="utf-8")
        return [out]
    if out is None:  # one stream: the facts, an empty line, then the checks; UTF-8 with a BOM whatever the locale
        buffer = io.StringIO(newline="")
        _write_csv(buffer, facts_cols, facts)
        buffer.write("\r\n")
        _write_csv(buffer, check_cols, checks)
        sys.stdout.flush()
        sys.stdout.buffer.write(buffer.getvalue().encode("utf-8-sig"))
        sys.stdout.buffer.flush()
        return []
    written = []
    for path, cols, rows in ((out, facts_cols, facts), (out.with_name(out.stem + "-checks.csv"), check_cols, checks)):
        with path.open("w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel opens Chinese CSV correctly
            _write_csv(f, cols, rows)
        written.append(path)
    return written


def _write_csv(f: io.TextIOBase, cols: list[str], rows: list[tuple]) -> None:
    writer = csv.writer(f)
    writer.writerow(cols)
    writer.writerows([tuple(map(amount_text, r)) for r in rows])


def document_csv(doc_id: int) -> bytes:
    """One document's facts, an empty line, then its checks, as CSV bytes: UTF-8 with a BOM (as `budgetbot export`
    writes to stdout), for a chat's /export."""
    facts_cols, facts = _rows(DOCUMENT_FACTS, (doc_id,))
    check_cols, checks = _rows(DOCUMENT_CHECKS, (doc_id,))
    buffer = io.StringIO(newline="")
    _write_csv(buffer, facts_cols, facts)
    buffer.write("\r\n")
    _write_csv(buffer, check_cols, checks)
    return buffer.getvalue().encode("utf-8-sig")
