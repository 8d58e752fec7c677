"""Build the SQLite database from disclosures: read (in parallel), check, write — whole and renamed atomically, or
updated in place for only the documents that changed."""
from __future__ import annotations

import gc
import hashlib
import os
import sqlite3
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlite_utils

from .. import paths
from ..catalog import load_vocabulary
from ..vocab import load_charmap, store_local_vocabulary
from . import SCHEMA_VERSION, schema, write
from .charmap import build_charmap
from .checks import Check
from .files import SUFFIXES, check_source, expand_sources  # noqa: F401  (expand_sources is imported from here too)
from .pages import read_pages
from .reader import Disclosure, read_disclosure
from .rows import Rows, rows_of, use_charmap
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
          urls: dict[str, str] | None = None, keep_checks: bool = True) -> list[Check]:
    """Read every source and write the database; returns the checks of the documents read (keep_checks=False:
    only the failed ones — a large build need not hold every check in memory).

    A database of this schema version already there is updated in place, in one transaction: only documents that
    are new or changed (by sha256) are read, those no longer given are taken out. Otherwise the whole database is
    written to a temporary file and renamed over the old one. Any SourceError stops before anything is written.
    jobs > 1 reads documents in that many worker processes."""
    files = expand_sources(sources, check=False)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(db_path)
    with _few_collections():
        if incremental and _usable(db_path):
            return _update(files, db_path, jobs, urls or {}, keep_checks)
        return _full(files, db_path, jobs, urls or {}, keep_checks)


# A whole build writes a file nobody reads until it is renamed into place: no rollback journal, no sync per
# commit (one fsync before the rename instead), a cache large enough to sort the indexes in memory.
FULL_PRAGMAS = ("PRAGMA journal_mode=OFF", "PRAGMA synchronous=OFF", "PRAGMA cache_size=-262144",
                "PRAGMA threads=2")


def _full(files: list[Path], db_path: Path, jobs: int, urls: dict[str, str], keep_checks: bool) -> list[Check]:
    for f in files:
        check_source(f)
    use_charmap(build_charmap())  # the table this database ships, its sounds numbered in its order
    fd, tmp = tempfile.mkstemp(prefix=db_path.name + ".", suffix=".tmp", dir=db_path.parent)
    os.close(fd)
    checks: list[Check] = []
    conn = None
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        for pragma in FULL_PRAGMAS:
            conn.execute(pragma)
        schema.create(sqlite_utils.Database(conn), indexes=False)
        conn.execute("BEGIN")
        first_table = first_project = 1
        for doc_id, (rows, found) in enumerate(_read_each(files, jobs, urls, keep_checks), 1):
            # written while the workers read the next ones
            first_table, first_project = write.insert(conn, doc_id, rows, first_table, first_project)
            checks += found
        conn.executemany("INSERT INTO charmap (char, simplified, pinyin) VALUES (?, ?, ?)", build_charmap())
        schema.create_indexes(conn)
        for statement in shared_names():
            conn.execute(statement)
        store_vocabularies(conn, range(1, next_doc_id(conn)))
        conn.execute("COMMIT")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.close()
        conn = None
        _fsync(tmp)
        os.replace(tmp, db_path)
    except BaseException:
        if conn is not None:
            conn.close()
        Path(tmp).unlink(missing_ok=True)
        Path(tmp + "-journal").unlink(missing_ok=True)
        raise
    return checks


def _fsync(path: str) -> None:
    """Make a file's bytes durable (what synchronous=OFF left to the end)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _update(files: list[Path], db_path: Path, jobs: int, urls: dict[str, str], keep_checks: bool) -> list[Check]:
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
        if changed:  # the names' sounds coded as this database codes them (and no dictionary to load)
            charmap = conn.execute("select char, simplified, pinyin from charmap order by rowid").fetchall()
            use_charmap(charmap or build_charmap())
        read = list(_read_each(changed, jobs, urls, keep_checks))
        if read or gone:
            next_id = next_doc_id(conn)
            with conn:
                for doc_id in gone:
                    write.remove(conn, doc_id)
                for k, (rows, _) in enumerate(read):
                    write.insert(conn, next_id + k, rows)
                for statement in shared_names(since=next_id):
                    conn.execute(statement)
                store_vocabularies(conn, range(next_id, next_id + len(read)))
        _refresh_urls(conn, [(f, sha) for f, sha in wanted if sha in held], urls)
        return [c for _, checks in read for c in checks]
    finally:
        conn.close()


def next_doc_id(conn: sqlite3.Connection) -> int:
    """The id the next document added gets: one past the highest."""
    return (conn.execute("select coalesce(max(id), 0) from documents").fetchone()[0] or 0) + 1


def store_vocabularies(conn: sqlite3.Connection, doc_ids: range) -> None:
    """Each document's own names (projects, tables, 科室…) indexed at build time: the engine reads them, it does
    not compute and keep them on a document's first question."""
    if not doc_ids:
        return
    conn.row_factory = sqlite3.Row
    try:
        words, charmap = load_vocabulary(paths.QUERIES), load_charmap(conn)
        for doc_id in doc_ids:
            store_local_vocabulary(conn, words, doc_id, charmap)
    finally:
        conn.row_factory = None


def _refresh_urls(conn: sqlite3.Connection, unchanged: list[tuple[Path, str]], urls: dict[str, str]) -> None:
    """A document not re-read keeps its rows, but the address it is published at is the one given now (--url or
    its sidecar file)."""
    given = [(url, sha) for f, sha in unchanged if (url := published_url(f, urls.get(str(f), "")))]
    if given:
        with conn:
            conn.executemany("update documents set url = ?1 where sha256 = ?2 and url is not ?1", given)


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


@contextmanager
def _few_collections():
    """The cyclic garbage collector run less often while building: a document's reading makes hundreds of
    thousands of short-lived objects, and each full collection walks every object the process holds."""
    old = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, old[1], old[2])
    try:
        yield
    finally:
        gc.set_threshold(*old)


GC_THRESHOLD = 50_000


def _warm() -> None:
    """What every document's reading uses, made once before the workers fork (they share it)."""
    from .mapping import load_mapping
    from .rows import phonetics

    phonetics()
    load_mapping(paths.QUERIES / "templates" / "tables.yaml")


def _worker_start() -> None:
    """A worker's start: what it inherited is never garbage (gc.freeze: not walked, pages not copied)."""
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    gc.freeze()


def _read_each(files: list[Path], jobs: int, urls: dict[str, str],
               keep_checks: bool = True) -> Iterator[tuple[Rows, list[Check]]]:
    """Every file read and checked, yielded in order as each is done; in worker processes when jobs > 1."""
    tasks = [(f, urls.get(str(f), ""), keep_checks) for f in files]
    if jobs > 1 and len(files) > 1:
        import multiprocessing

        _warm()
        gc.collect()
        with multiprocessing.get_context("fork").Pool(min(jobs, len(files)), initializer=_worker_start) as pool:
            yield from pool.imap(_read_task, tasks, chunksize=max(1, min(8, len(files) // (jobs * 4))))
        return
    for f, url, keep in tasks:
        yield read_rows(f, url, keep)


def _read_task(task: tuple[Path, str, bool]) -> tuple[Rows, list[Check]]:
    return read_rows(*task)


def read_rows(path: Path, url: str = "", keep_checks: bool = True) -> tuple[Rows, list[Check]]:
    """One file read, checked and turned into rows (what a worker process returns): the checks too, or with
    keep_checks=False only the failed ones."""
    doc = read_file(path, url)
    checks = checks_for(doc)
    rows = rows_of(doc, checks)
    return rows, checks if keep_checks else [c for c in checks if not c.passed]


def read_file(path: Path, url: str = "") -> Disclosure:
    """One disclosure file read whole (SourceError when it is not a readable disclosure). Its published address:
    url, else a sidecar file FILE.url beside it."""
    path = Path(path)
    src, pages = read_pages(path)
    doc = read_disclosure(src, pages, paths.QUERIES / "templates" / "tables.yaml")
    doc.url = published_url(path, url)
    return doc


def published_url(path: Path, url: str = "") -> str:
    """Where a file was published: the url given, else the first line of a sidecar FILE.url; only http(s)."""
    sidecar = path.with_name(path.name + ".url")
    if not url and sidecar.is_file():
        url = sidecar.read_text(encoding="utf-8", errors="replace").strip().split("\n")[0][:500]
    return url if url.startswith(("http://", "https://")) else ""


# Names every document shares (the national 功能/经济 classifications, 三公 items, glossary terms), distinct: the
# engine's vocabulary of them does not grow with the number of documents. {new} limits them to new documents.
# A name is kept as first met going through the cells by (document, row code, id) — the order they have always
# been read in — whichever index the query uses: each (document, code, name) once at its first cell, then in
# that order, the first of a name inserted and the rest ignored.
SHARED_NAMES = """
INSERT OR IGNORE INTO shared_names SELECT DISTINCT 'function', name, code, level, '' FROM functions WHERE {new};
INSERT OR IGNORE INTO shared_names SELECT 'function', name, '', '类', '' FROM (
  SELECT c.document_id AS d, c.row_code AS rc, min(c.id) AS i, c.row_label AS name
  FROM cells c JOIN budget_tables t ON t.id = c.table_id
  WHERE {key}'summary' AND c.side = '支出' AND c.item_no != '' AND {c_new}
    AND c.row_label NOT IN (SELECT name FROM shared_names WHERE kind = 'function')
  GROUP BY d, rc, name) ORDER BY d, rc, i;
INSERT OR IGNORE INTO shared_names SELECT 'econ', name, code, level, '' FROM (
  SELECT c.document_id AS d, c.row_code AS rc, min(c.id) AS i, c.row_label AS name,
         CASE WHEN c.row_code GLOB '3[0-9][0-9]' OR c.row_code GLOB '3[0-9][0-9][0-9][0-9]' THEN c.row_code ELSE ''
         END AS code,
         CASE WHEN c.parent_label = '' THEN '类' ELSE '款' END AS level
  FROM cells c JOIN budget_tables t ON t.id = c.table_id
  WHERE {key}'basic_econ' AND c.row_label NOT LIKE '%合计' AND {c_new}
  GROUP BY d, rc, name, code, level) ORDER BY d, rc, i;
INSERT OR IGNORE INTO shared_names SELECT 'econ_gov', name, '', '', '' FROM (
  SELECT c.document_id AS d, c.row_code AS rc, min(c.id) AS i, c.alt_label AS name
  FROM cells c JOIN budget_tables t ON t.id = c.table_id WHERE {key}'basic_econ' AND c.alt_label != '' AND {c_new}
  GROUP BY d, rc, name) ORDER BY d, rc, i;
INSERT OR IGNORE INTO shared_names SELECT 'sangong', name, '', '', extra FROM (
  SELECT c.document_id AS d, c.row_code AS rc, min(c.id) AS i, c.row_label AS name, coalesce(c.alt_label, '') AS extra
  FROM cells c JOIN budget_tables t ON t.id = c.table_id WHERE {key}'sangong' AND c.row_label != '合计' AND {c_new}
  GROUP BY d, rc, name, extra) ORDER BY d, rc, i;
INSERT OR IGNORE INTO shared_names SELECT DISTINCT 'term', term, '', '', '' FROM glossary WHERE {new}
"""


def shared_names(since: int = 0) -> list[str]:
    """The statements that fill shared_names from the documents with ids from `since` on: the whole build goes
    through every document's tables of a key; an update, through the new documents' cells only."""
    if since:
        key, c_new = "+t.key = ", f"c.document_id >= {int(since)} AND t.document_id >= {int(since)}"
    else:
        key, c_new = "t.key = ", "1"
    sql = SHARED_NAMES.format(new=f"document_id >= {int(since)}", c_new=c_new, key=key)
    return [s for s in sql.split(";") if s.strip()]
