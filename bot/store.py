"""Opening the disclosure database read-only, building it first when it is missing or stale."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from . import paths
from .ingest import SCHEMA_VERSION


def is_stale(db: Path, sources: list[Path]) -> bool:
    """Whether the database is missing, older than any source text, or built by another schema version."""
    if not db.exists():
        return True
    built = db.stat().st_mtime
    if any(s.stat().st_mtime > built for s in sources):
        return True
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION
    except sqlite3.DatabaseError:
        return True


def ensure_built(db: Path | None = None) -> Path:
    """Build the database from the project's disclosures if it is missing or older than them."""
    db = db or paths.db_path()
    sources = paths.sources()
    if sources and is_stale(db, sources):
        from .ingest.build import build

        build(sources, db)
    return db


def connect(db: Path | None = None) -> sqlite3.Connection:
    """A read-only connection (SQLite refuses any write through it); rows as sqlite3.Row."""
    db = ensure_built(db)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA query_only = ON")
    return conn
