"""Build the SQLite database from disclosures: read (in parallel), check, write — whole and renamed atomically, or
updated in place for only the documents that changed."""
from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Iterator

import sqlite_utils

from . import SCHEMA_VERSION, schema, write
from .charmap import build_charmap
from .checks import Check
from .files import SUFFIXES, check_source, expand_sources  # noqa: F401  (expand_sources is imported from here too)
from .pages import read_pages
from .reader import Disclosure, read_disclosure
from .rows import Rows, rows_of
from .verify import checks_for

STALE_SECONDS = 600


def clean_stale(db_path: Path, now: float | None = None) -> list[Path]:
    """Remove temp files and journals an interrupted build left beside the database (older than 10 minutes)."""
    now = time.time() if now is None else now
    removed = []
    if not db_path.parent.is_dir():
        return removed
    for p in [*db_path.parent.glob(db_path.name + ".*"), db_path.parent / (db_path.name + "-journal")]:
        if not p.exists():
            continue
        if p.name.endswith((".tmp", ".tmp-journal", "-journal")) and now - p.stat().st_mtime > STALE_SECONDS:
            p.unlink(missing_ok=True)
            removed.append(p)
    return removed


def build(sources: list[Path], db_path: Path, jobs: int = 1, incremental: bool = True,
          urls: dict[str, str] | None = None) -> list[Check]:
    """Read every source and write the database.

    A database of this schema version already there is updated in place, in one transaction: only documents that
    are new or changed (by sha256) are read, those no longer given are taken out. Otherwise the whole database is
    written to a temporary file and renamed over the old one. Any SourceError stops before anything is written.
    jobs > 1 reads documents in that many worker processes."""
    files = expand_sources(sources, check=False)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(db_path)
    if incremental and _usable(db_path):
        return _update(files, db_path, jobs, urls or {})
    return _full(files, db_path, jobs, urls or {})


def _full(files: list[Path], db_path: Path, jobs: int, urls: dict[str, str]) -> list[Check]:
    for f in files:
        check_source(f)
    fd, tmp = tempfile.mkstemp(prefix=db_path.name + ".", suffix=".tmp", dir=db_path.parent)
    os.close(fd)
    checks: list[Check] = []
    try:
        db = sqlite_utils.Database(tmp)
        with db.conn:
            schema.create(db)
            for doc_id, (rows, found) in enumerate(_read_each(files, jobs, urls), 1):
                write.insert(db.conn, doc_id, rows)  # written while the workers read the next ones
                checks += found
            db.conn.executemany("INSERT INTO charmap (char, simplified, pinyin) VALUES (?, ?, ?)", build_charmap())
            for statement in shared_names():
                db.conn.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("PRAGMA journal_mode=DELETE")
        db.close()
        os.replace(tmp, db_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        Path(tmp + "-journal").unlink(missing_ok=True)
        raise
    return checks


def _update(files: list[Path], db_path: Path, jobs: int, urls: dict[str, str]) -> list[Check]:
    """Bring an existing database to these sources: read only what is new or changed, drop what is gone."""
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        held = {sha: (doc_id, name) for doc_id, sha, name in conn.execute("select id, sha256, source_file from documents")}
        wanted = [(f, _sha256(f)) for f in files]
        changed = [f for f, sha in wanted if sha not in held]
        keep = {sha for _, sha in wanted}
        gone = [doc_id for sha, (doc_id, _) in held.items() if sha not in keep]
        for f in changed:
            check_source(f)
        read = _read_all(changed, jobs, urls)
        if read or gone:
            next_id = (conn.execute("select coalesce(max(id), 0) from documents").fetchone()[0] or 0) + 1
            with conn:
                for doc_id in gone:
                    write.remove(conn, doc_id)
                for k, (rows, _) in enumerate(read):
                    write.insert(conn, next_id + k, rows)
                for statement in shared_names(since=next_id):
                    conn.execute(statement)
        return [c for _, checks in read for c in checks]
    finally:
        conn.close()


def _usable(db_path: Path) -> bool:
    """Whether a database of this schema version is there to update."""
    if not db_path.is_file():
        return False
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
            return conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION and \
                conn.execute("select count(*) from sqlite_master where name = 'documents'").fetchone()[0] == 1
    except sqlite3.DatabaseError:
        return False


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_all(files: list[Path], jobs: int, urls: dict[str, str]) -> list[tuple[Rows, list[Check]]]:
    """Every file read and checked, in order."""
    return list(_read_each(files, jobs, urls))


def _read_each(files: list[Path], jobs: int, urls: dict[str, str]) -> Iterator[tuple[Rows, list[Check]]]:
    """Every file read and checked, yielded in order as each is done; in worker processes when jobs > 1."""
    tasks = [(f, urls.get(str(f), "")) for f in files]
    if jobs > 1 and len(files) > 1:
        import multiprocessing

        from .rows import phonetics

        phonetics()  # built once here, inherited by the workers
        with multiprocessing.get_context("fork").Pool(min(jobs, len(files))) as pool:
            yield from pool.imap(_read_task, tasks, chunksize=max(1, min(8, len(files) // (jobs * 4))))
        return
    for f, url in tasks:
        yield read_rows(f, url)


def _read_task(task: tuple[Path, str]) -> tuple[Rows, list[Check]]:
    return read_rows(*task)


def read_rows(path: Path, url: str = "") -> tuple[Rows, list[Check]]:
    """One file read, checked and turned into rows (what a worker process returns)."""
    doc = read_file(path, url)
    checks = checks_for(doc)
    return rows_of(doc, checks), checks


def read_file(path: Path, url: str = "") -> Disclosure:
    """One disclosure file read whole (SourceError when it is not a readable disclosure). Its published address:
    url, else a sidecar file FILE.url beside it."""
    from .. import paths

    path = Path(path)
    src, pages = read_pages(path)
    doc = read_disclosure(src, pages, paths.QUERIES / "templates" / "tables.yaml")
    sidecar = path.with_name(path.name + ".url")
    if not url and sidecar.is_file():
        url = sidecar.read_text(encoding="utf-8", errors="replace").strip().split("\n")[0][:500]
    doc.url = url if url.startswith(("http://", "https://")) else ""
    return doc


# Names every document shares (the national 功能/经济 classifications, 三公 items, glossary terms), distinct: the
# engine's vocabulary of them does not grow with the number of documents. {new} limits them to new documents.
SHARED_NAMES = """
INSERT OR IGNORE INTO shared_names SELECT DISTINCT 'function', name, code, level, '' FROM functions WHERE {new};
INSERT OR IGNORE INTO shared_names SELECT DISTINCT 'function', c.row_label, '', '类', ''
  FROM cells c JOIN budget_tables t ON t.id = c.table_id
  WHERE t.key = 'summary' AND c.side = '支出' AND c.item_no != '' AND {c_new}
    AND c.row_label NOT IN (SELECT name FROM shared_names WHERE kind = 'function');
INSERT OR IGNORE INTO shared_names SELECT DISTINCT 'econ', c.row_label,
       CASE WHEN c.row_code GLOB '3[0-9][0-9]' OR c.row_code GLOB '3[0-9][0-9][0-9][0-9]' THEN c.row_code ELSE '' END,
       CASE WHEN c.parent_label = '' THEN '类' ELSE '款' END, ''
  FROM cells c JOIN budget_tables t ON t.id = c.table_id
  WHERE t.key = 'basic_econ' AND c.row_label NOT LIKE '%合计' AND {c_new};
INSERT OR IGNORE INTO shared_names SELECT DISTINCT 'econ_gov', c.alt_label, '', '', ''
  FROM cells c JOIN budget_tables t ON t.id = c.table_id WHERE t.key = 'basic_econ' AND c.alt_label != '' AND {c_new};
INSERT OR IGNORE INTO shared_names SELECT DISTINCT 'sangong', c.row_label, '', '', coalesce(c.alt_label, '')
  FROM cells c JOIN budget_tables t ON t.id = c.table_id WHERE t.key = 'sangong' AND c.row_label != '合计' AND {c_new};
INSERT OR IGNORE INTO shared_names SELECT DISTINCT 'term', term, '', '', '' FROM glossary WHERE {new}
"""


def shared_names(since: int = 0) -> list[str]:
    """The statements that fill shared_names from the documents with ids from `since` on."""
    sql = SHARED_NAMES.format(new=f"document_id >= {int(since)}", c_new=f"c.document_id >= {int(since)}")
    return [s for s in sql.split(";") if s.strip()]
