"""Opening the disclosure database read-only, building it first when it is missing or stale."""
from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

from . import paths
from .ingest import SCHEMA_VERSION

_warned: set[str] = set()


def warn_once(message: str) -> None:
    """Print one warning line on stderr, once per process."""
    if message not in _warned:
        _warned.add(message)
        print(f"budgetbot: {message}", file=sys.stderr)


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


def _usable(db: Path) -> bool:
    """Whether an existing database can be read and was built by this schema version."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    except sqlite3.DatabaseError:
        return False


def share(db: Path) -> None:
    """Make a database this process built readable by others (rw-r--r-- less the umask), like any new file."""
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(db, 0o644 & ~umask)
    except OSError:
        pass


def build_into(sources: list[Path], db: Path, jobs: int = 1, urls: dict[str, str] | None = None,
               full: bool = False) -> list:
    """Build (or update) the database and make it readable by others; returns the failed checks of what was read
    (every check is in the database's checks table)."""
    from .ingest.build import build

    checks = build(sources, db, jobs=jobs, incremental=not full, urls=urls, keep_checks=False)
    share(db)
    return checks


def ensure_built(db: Path | None = None) -> Path:
    """Build the database from the project's disclosures if it is missing or older than them.

    When it cannot be written (a read-only data folder, an installed package): a stale database that still
    fits this version is used as it is, with one warning; a missing one is built in the user's data directory.
    """
    db = db or paths.db_path()
    sources = paths.sources()
    if not sources or not is_stale(db, sources):
        return db
    if paths.writable(db.parent) and (not db.exists() or os.access(db, os.W_OK)):
        try:
            build_into(sources, db)
            return db
        except PermissionError:
            pass
    if db.exists() and _usable(db):
        warn_once(f"{db} is older than the disclosure but {db.parent} is not writable: using it as it is")
        return db
    fallback = paths.user_data_dir() / "budget.db"
    if fallback != db and paths.writable(fallback.parent):
        warn_once(f"{db.parent} is not writable: building the database in {fallback.parent}")
        return ensure_built(fallback)
    raise PermissionError(f"cannot build {db}: {db.parent} is not writable (set BUDGETBOT_DATA to a writable folder)")


def connect(db: Path | None = None) -> sqlite3.Connection:
    """A read-only connection (SQLite refuses any write through it); rows as sqlite3.Row."""
    db = ensure_built(db)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA query_only = ON")
    return conn
