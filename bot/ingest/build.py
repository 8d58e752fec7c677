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
from .files import SUFFIXES, expand_sources  # noqa: F401  (expand_sources lives in files.py; kept here for callers)
from ..names import abbreviation_keys, region_names, short_names
from ..normalize import label_key
from ..phonetics import Phonetics
from .pages import read_pages
from .reader import Disclosure, read_disclosure
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


def build(sources: list[Path], db_path: Path) -> list[Check]:
    """Parse every source (any SourceError stops before the database is touched), then write it whole."""
    docs = [read_file(p) for p in expand_sources(sources)]
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
            charmap = build_charmap()
            db.conn.executemany("INSERT INTO charmap (char, simplified, pinyin) VALUES (?, ?, ?)", charmap)
            _write_names(db, docs, Phonetics({ch: py for ch, _, py in charmap}))
            db.conn.executescript(SHARED_NAMES)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("PRAGMA journal_mode=DELETE")
        db.close()
        os.replace(tmp, db_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        Path(tmp + "-journal").unlink(missing_ok=True)
        raise
    return [c for _, c in all_checks]


def read_file(path: Path) -> Disclosure:
    """One disclosure file read whole (SourceError when it is not a readable disclosure)."""
    from .. import paths

    src, pages = read_pages(path)
    return read_disclosure(src, pages, paths.QUERIES / "templates" / "tables.yaml")


def _f(x) -> float | None:
    return None if x is None else float(x)


FUNCTION_LEVELS = {3: "类", 5: "款", 7: "项"}


def _function_code(code: str, parts: tuple[str, ...]) -> bool:
    """Whether a row's code is a well-formed 功能/经济 code (3/5/7 digits; split: 3+2+2 as printed)."""
    if parts:
        return len(parts[0]) == 3 and all(len(x) == 2 for x in parts[1:])
    return len(code) in FUNCTION_LEVELS


def _write(db: sqlite_utils.Database, doc_id: int, doc: Disclosure, checks: list[Check]) -> None:
    db["documents"].insert(dict(id=doc_id, unit=doc.unit, level=doc.level, region=doc.region, year=doc.year,
                                stage=doc.stage, scope=doc.scope, title=doc.title, intro=doc.intro,
                                source_file=doc.source.path.name, sha256=doc.source.sha256, pages=doc.pages,
                                template=doc.template, departments_stated=doc.departments_stated,
                                units_stated=doc.units_stated, problems="\n".join(doc.problems)))
    cells, functions = [], {}
    for t in doc.tables:
        table_id = db["budget_tables"].insert(dict(document_id=doc_id, seq=t.seq, key=t.spec.key, number=t.number,
                                                   title=t.title, year=t.year, unit=t.unit, empty=int(t.empty),
                                                   source_line=t.line, page=t.page, status=t.status,
                                                   reason=t.reason, printed_title=t.title)).last_pk
        for r in t.rows:
            base = dict(document_id=doc_id, table_id=table_id, row_no=r.row_no, side=r.side, row_code=r.code,
                        row_label=r.label, row_key=label_key(r.label), item_no=r.item_no, alt_label=r.alt, parent_label=r.parent,
                        source_line=r.line, page=r.page or t.page)
            for k, (col, v) in enumerate(r.values.items(), 1):
                cells.append(dict(base, column_no=k, column_label=col, header=r.headers.get(col, ""), value=_f(v),
                                  printed=r.printed.get(col)))
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
    db["sections"].insert_all(dict(document_id=doc_id, no=s.no, number=s.number, title=s.title, path="›".join(s.path),
                                   kind=s.part, text=s.text, source_line=s.line, page=s.page) for s in doc.sections)
    db["sentences"].insert_all(dict(document_id=doc_id, seq=s.seq, section_no=s.section, topic=s.topic, text=s.text,
                                    page=s.page, source_line=s.line) for s in doc.sentences)
    db["statements"].insert_all(dict(document_id=doc_id, section_no=s.section, seq=s.seq, topic=s.topic,
                                     subject=s.subject, label=s.label, value=_f(s.value), unit=s.unit,
                                     sentence=s.sentence, source_line=s.line, page=s.page) for s in doc.statements)
    db["reasons"].insert_all(dict(document_id=doc_id, section_no=r.section, seq=r.seq, about=r.about, text=r.text,
                                  source_line=r.line) for r in doc.reasons)
    _write_projects(db, doc_id, doc)
    db["units"].insert_all(dict(document_id=doc_id, seq=u.seq, name=u.name, note=u.note, page=u.page,
                                source_line=u.line) for u in doc.units)
    db["items"].insert_all(dict(document_id=doc_id, seq=i.seq, kind=i.kind, class_name=i.class_name, kuan=i.kuan,
                                xiang=i.xiang, name=i.name, code=_item_code(i, functions), amount=_f(i.amount),
                                last_year=_f(i.last_year), budget=_f(i.budget), final=_f(i.final), rate=_f(i.rate),
                                planned=_f(i.planned), change=_f(i.change), change_pct=_f(i.change_pct),
                                direction=i.direction, uses=i.uses, reason=i.reason, text=i.text, page=i.page,
                                source_line=i.line) for i in doc.items)
    db["catalog"].insert_all(dict(document_id=doc_id, code=n.code, level=n.level, name=n.name, parent_code=n.parent,
                                  title=doc.catalog_title, source_line=n.line) for n in doc.catalog)
    db["glossary"].insert_all(dict(document_id=doc_id, seq=g.seq, term=g.term, definition=g.definition,
                                   parent=g.parent, source_line=g.line) for g in doc.glossary)
    db["checks"].insert_all(dict(document_id=doc_id, kind=c.kind, name=c.name, expected=_f(c.expected),
                                 actual=_f(c.actual), difference=_f(c.difference), passed=int(c.passed),
                                 detail=c.detail) for c in checks)


# Names every document shares (the national 功能/经济 classifications, 三公 items, glossary terms), distinct: the
# engine's vocabulary of them does not grow with the number of documents.
SHARED_NAMES = """
INSERT OR IGNORE INTO shared_names SELECT DISTINCT 'function', name, code, level, '' FROM functions;
INSERT OR IGNORE INTO shared_names SELECT DISTINCT 'function', c.row_label, '', '类', ''
  FROM cells c JOIN budget_tables t ON t.id = c.table_id
  WHERE t.key = 'summary' AND c.side = '支出' AND c.item_no != '' AND c.row_label NOT IN (SELECT name FROM functions);
INSERT OR IGNORE INTO shared_names SELECT DISTINCT 'econ', c.row_label,
       CASE WHEN c.row_code GLOB '3[0-9][0-9]' OR c.row_code GLOB '3[0-9][0-9][0-9][0-9]' THEN c.row_code ELSE '' END,
       CASE WHEN c.parent_label = '' THEN '类' ELSE '款' END, ''
  FROM cells c JOIN budget_tables t ON t.id = c.table_id WHERE t.key = 'basic_econ' AND c.row_label NOT LIKE '%合计';
INSERT OR IGNORE INTO shared_names SELECT DISTINCT 'econ_gov', c.alt_label, '', '', ''
  FROM cells c JOIN budget_tables t ON t.id = c.table_id WHERE t.key = 'basic_econ' AND c.alt_label != '';
INSERT OR IGNORE INTO shared_names SELECT DISTINCT 'sangong', c.row_label, '', '', coalesce(c.alt_label, '')
  FROM cells c JOIN budget_tables t ON t.id = c.table_id WHERE t.key = 'sangong' AND c.row_label != '合计';
INSERT OR IGNORE INTO shared_names SELECT DISTINCT 'term', term, '', '', '' FROM glossary;
"""


def _write_names(db: sqlite_utils.Database, docs: list[Disclosure], phonetics: Phonetics) -> None:
    """The name index: every name and region part each document's unit goes by, with its sound and the
    (first, last) characters an abbreviation of it keeps."""
    names, abbrev = [], set()
    for doc_id, doc in enumerate(docs, 1):
        own = short_names(doc.unit)
        for surface in own | region_names(doc.region):
            names.append((surface, doc_id, int(surface not in own), phonetics.encode(surface)))
        for n in own:
            abbrev |= {(first, last, doc_id, n) for first, last in abbreviation_keys(n)}
    db.conn.executemany("INSERT OR IGNORE INTO doc_names VALUES (?, ?, ?, ?)", names)
    db.conn.executemany("INSERT OR IGNORE INTO doc_abbrev VALUES (?, ?, ?, ?)", sorted(abbrev))


def _item_code(item, functions: dict[str, dict]) -> str:
    """The 功能科目 code of a prose item: the row of that name under that parent (类 → 款 → 项)."""
    by_name: dict[tuple[str, str], str] = {}
    for code, f in functions.items():
        parent = functions.get(f["parent_code"], {}).get("name", "")
        by_name[(f["name"], parent)] = code
    code = by_name.get((item.class_name, ""), "")
    for name in (item.kuan, item.xiang):
        if not name:
            break
        parent = functions.get(code, {}).get("name", "") if code else ""
        code = by_name.get((name, parent), "") if code else ""
    return code


def _write_projects(db: sqlite_utils.Database, doc_id: int, doc: Disclosure) -> None:
    for p in doc.projects:
        row = p.budget_row
        annual = next((v for per, k, v, _ in p.funds if per == "年度" and k == "total" and v is not None), None)
        pid = db["projects"].insert(dict(
            document_id=doc_id, seq=p.seq, name=p.name, budget_label=row.label if row else None,
            amount=_f(row.values["合计"]) if row else (_f(annual / 10000) if annual is not None else None), link=p.link, goal_period=p.goals[0], goal_year=p.goals[1],
            source_line=p.line, **p.fields, **{k: p.contact.get(k) for k in ("leader", "handler", "phone", "filed")},
        )).last_pk
        db["project_funds"].insert_all(dict(project_id=pid, document_id=doc_id, period=per, source=k,
                                            amount_yuan=_f(v), source_line=no) for per, k, v, no in p.funds)
        db["targets"].insert_all(dict(project_id=pid, document_id=doc_id, period=t.period, level1=t.level1,
                                      level2=t.level2, name=t.name, value_text=t.value_text, op=t.op,
                                      value=_f(t.value), unit=t.unit, source_line=t.line) for t in p.targets)
