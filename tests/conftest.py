"""Shared fixtures: the disclosure built once per session into a temporary database."""
from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "data" / "disclosures" / "xinzhou-rsj-2023-budget.txt"

# The engine and shell tests were written for the seed alone: give them (and the CLI processes they start) a data
# folder holding only the seed, so the Shanghai PDFs in data/disclosures do not change their answers.
if "BUDGETBOT_DATA" not in os.environ:
    _data = Path(tempfile.mkdtemp(prefix="budgetbot-test-data-"))
    (_data / "disclosures").mkdir()
    shutil.copy2(SOURCE, _data / "disclosures" / SOURCE.name)
    os.environ["BUDGETBOT_DATA"] = str(_data)

from bot.ingest.build import build
from bot.ingest.parse import parse_document
from bot.ingest.source import read_source



@pytest.fixture(scope="session")
def source_text() -> str:
    """The disclosure as text."""
    return SOURCE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def doc():
    """The parsed disclosure."""
    return parse_document(read_source(SOURCE))


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
