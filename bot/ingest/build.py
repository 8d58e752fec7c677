"""Build the SQLite database from disclosures: parse all, check, write to a temp file, rename atomically."""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import sqlite_utils

from . import SCHEMA_VERSION, schema
from .charmap import build_charmap
from .checks import Check
from .parse import Document
from .recognise import parse_any
from .source import SourceError, read_source
from .verify import checks_for

SUFFIXES = (".pdf", ".txt")
STALE_SECONDS = 600


def expand_sources(sources: list[Path]) -> list[Path]:
    """Files as given; a directory stands for every .pdf/.txt in it (sorted); duplicates dropped."""
    out: list[Path] = []
    for s in map(Path, sources):
        if s.is_dir():
            found = sorted(p for p in s.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())
            if not found:
                raise SourceError(s, None, "directory holds no .pdf or .txt disclosure")
            out += found
        else:
            out.append(s)
    return list(dict.fromkeys(out))


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


def build(sources: list[Path], db_path: Path) -> list[Check]:
    """Parse every source (any SourceError stops before the database is touched), then write it whole."""
    docs = [parse_any(read_source(p)) for p in expand_sources(sources)]
    all_checks: list[tuple[int, Check]] = []
    db_path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(db_path)
    fd, tmp = tempfile.mkstemp(prefix=db_path.name + ".", suffix=".tmp", dir=db_path.parent)
    os.close(fd)
    try:
        db = sqlite_utils.Database(tmp)
        with db.conn:
            schema.create(db)
            for doc_id, doc in enumerate(docs, 1):
                checks = checks_for(doc)
                _write(db, doc_id, doc, checks)
                all_checks += [(doc_id, c) for c in checks]
            db.conn.executemany("INSERT INTO charmap (char, simplified, pinyin) VALUES (?, ?, ?)", build_charmap())
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("PRAGMA journal_mode=DELETE")
        db.close()
        os.replace(tmp, db_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        Path(tmp + "-journal").unlink(missing_ok=True)
        raise
    return [c for _, c in all_checks]


def _f(x) -> float | None:
    return None if x is None else float(x)


FUNCTION_LEVELS = {3: "类", 5: "款", 7: "项"}


def _function_code(code: str, parts: tuple[str, ...]) -> bool:
    """Whether a row's code is a well-formed 功能/经济 code (3/5/7 digits; split: 3+2+2 as printed)."""
    if parts:
        return len(parts[0]) == 3 and all(len(x) == 2 for x in parts[1:])
    return len(code) in FUNCTION_LEVELS


def _write(db: sqlite_utils.Database, doc_id: int, doc: Document, checks: list[Check]) -> None:
    db["documents"].insert(dict(id=doc_id, unit=doc.unit, level=doc.level, region=doc.region, year=doc.year,
                                stage=doc.stage, scope=doc.scope, title=doc.title, intro=doc.intro,
                                source_file=doc.source.path.name, sha256=doc.source.sha256, pages=doc.pages,
                                template=doc.template))
    cells, functions = [], {}
    for t in doc.tables:
        table_id = db["budget_tables"].insert(dict(document_id=doc_id, seq=t.seq, key=t.spec.key, number=t.number,
                                                   title=t.title, year=t.year, unit=t.unit, empty=int(t.empty),
                                                   source_line=t.line, page=t.page)).last_pk
        for r in t.rows:
            base = dict(document_id=doc_id, table_id=table_id, row_no=r.row_no, side=r.side, row_code=r.code,
                        row_label=r.label, item_no=r.item_no, alt_label=r.alt, parent_label=r.parent,
                        source_line=r.line, page=r.page or t.page)
            for k, (col, v) in enumerate(r.values.items(), 1):
                cells.append(dict(base, column_no=k, column_label=col, value=_f(v), printed=r.printed.get(col)))
            if r.code and r.code not in functions and t.spec.key != "basic_econ" and _function_code(r.code, r.code_parts):
                parent = r.code[:-2] if len(r.code) > 3 else ""
                functions[r.code] = dict(document_id=doc_id, code=r.code, name=r.label,
                                         level=FUNCTION_LEVELS[len(r.code)], parent_code=parent, source_line=r.line)
    db["cells"].insert_all(cells)
    db["functions"].insert_all(functions.values())
    db["duties"].insert_all(dict(document_id=doc_id, seq=n, text=t, source_line=no) for n, t, no in doc.duties)
    db["departments"].insert_all(dict(document_id=doc_id, seq=d.seq, name=d.name, aliases=d.aliases, duties=d.duties,
                                      staffing_text=d.staffing_text, staff=d.staff, leaders=d.leaders,
                                      source_line=d.line) for d in doc.departments)
    db["sections"].insert_all(dict(document_id=doc_id, no=s.no, title=s.title, text=s.text, source_line=s.line,
                                   page=s.page) for s in doc.sections)
    db["statements"].insert_all(dict(document_id=doc_id, section_no=s.section, seq=s.seq, topic=s.topic,
                                     subject=s.subject, label=s.label, value=_f(s.value), unit=s.unit,
                                     sentence=s.sentence, source_line=s.line, page=s.page) for s in doc.statements)
    db["reasons"].insert_all(dict(document_id=doc_id, section_no=r.section, seq=r.seq, about=r.about, text=r.text,
                                  source_line=r.line) for r in doc.reasons)
    _write_projects(db, doc_id, doc)
    db["catalog"].insert_all(dict(document_id=doc_id, code=n.code, level=n.level, name=n.name, parent_code=n.parent,
                                  title=doc.catalog_title, source_line=n.line) for n in doc.catalog)
    db["glossary"].insert_all(dict(document_id=doc_id, seq=g.seq, term=g.term, definition=g.definition,
                                   parent=g.parent, source_line=g.line) for g in doc.glossary)
    db["checks"].insert_all(dict(document_id=doc_id, kind=c.kind, name=c.name, expected=_f(c.expected),
                                 actual=_f(c.actual), difference=_f(c.difference), passed=int(c.passed),
                                 detail=c.detail) for c in checks)


def _write_projects(db: sqlite_utils.Database, doc_id: int, doc: Document) -> None:
    for p in doc.projects:
        row = p.budget_row
        pid = db["projects"].insert(dict(
            document_id=doc_id, seq=p.seq, name=p.name, budget_label=row.label if row else None,
            amount=_f(row.values["合计"]) if row else None, link=p.link, goal_period=p.goals[0], goal_year=p.goals[1],
            source_line=p.line, **p.fields, **{k: p.contact.get(k) for k in ("leader", "handler", "phone", "filed")},
        )).last_pk
        db["project_funds"].insert_all(dict(project_id=pid, document_id=doc_id, period=per, source=k,
                                            amount_yuan=_f(v), source_line=no) for per, k, v, no in p.funds)
        db["targets"].insert_all(dict(project_id=pid, document_id=doc_id, period=t.period, level1=t.level1,
                                      level2=t.level2, name=t.name, value_text=t.value_text, op=t.op,
                                      value=_f(t.value), unit=t.unit, source_line=t.line) for t in p.targets)
