"""The build at scale: workers, a whole build (indexes made after the rows) and an update in place write the same
rows; passed checks keep no detail; the indexes the engine and an update rely on are there."""
from __future__ import annotations

import sqlite3

import pytest

from bot.ingest import schema
from bot.ingest.build import build
from conftest import SOURCE

UNIT = "忻州市人力资源和社会保障局"


def copies(folder, source_text, names):
    """The seed under other unit names (one with a changed figure, so its own checks fail)."""
    out = [SOURCE]
    for k, name in enumerate(names):
        text = source_text.replace(UNIT, f"忻州市{name}局")
        if k == 1:
            text = text.replace("取暖费\t办公经费\t23.86\t\t23.86", "取暖费\t办公经费\t33.86\t\t33.86")
        path = folder / f"copy{k}.txt"
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


def dump(db) -> dict[str, list[tuple]]:
    """Every table's rows in insertion order."""
    conn = sqlite3.connect(db)
    try:
        tables = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table' order by name")]
        return {t: conn.execute(f"select * from {t} order by rowid").fetchall() for t in tables}
    finally:
        conn.close()


def by_document(db) -> dict[str, dict[str, list[tuple]]]:
    """Each document's rows (by source file), without the ids an update numbers differently."""
    conn = sqlite3.connect(db)
    try:
        docs = dict(conn.execute("select id, source_file from documents"))
        out: dict[str, dict[str, list[tuple]]] = {name: {} for name in docs.values()}
        for table, columns in [("cells", "row_no, side, row_code, row_label, row_key, item_no, alt_label, parent_label, "
                                         "column_no, column_label, header, value, printed, source_line, page"),
                               ("budget_tables", "seq, key, title, year, unit, empty, status, reason"),
                               ("checks", "kind, name, expected, actual, difference, passed, detail"),
                               ("doc_names", "surface, region, sound"), ("doc_abbrev", "first, last, name"),
                               ("sentences", "seq, section_no, topic, text, page, source_line"),
                               ("targets", "period, level1, level2, name, value_text, op, value, unit, source_line")]:
            for doc_id, name in docs.items():
                out[name][table] = conn.execute(f"select {columns} from {table} where document_id = ? order by rowid",
                                                (doc_id,)).fetchall()
        return out
    finally:
        conn.close()


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scale")
    return copies(folder, SOURCE.read_text(encoding="utf-8"), ["测试甲", "测试乙", "测试丙"])


def test_workers_write_what_one_process_writes(tmp_path, sources):
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    checks = build(sources, one, jobs=1)
    assert len(build(sources, two, jobs=2)) == len(checks)
    assert dump(one) == dump(two)


def test_an_update_writes_what_a_whole_build_writes(tmp_path, sources):
    db = tmp_path / "budget.db"
    build(sources[:3], db)
    changed = sources[2].read_text(encoding="utf-8").replace("忻州市测试乙局", "忻州市测试丁局")
    edited = tmp_path / "edited.txt"
    edited.write_text(changed, encoding="utf-8")
    build([sources[0], sources[1], edited, sources[3]], db)  # one changed, one new, one gone
    whole = tmp_path / "whole.db"
    build([sources[0], sources[1], edited, sources[3]], whole)
    assert by_document(db) == by_document(whole)
    conn, full = sqlite3.connect(db), sqlite3.connect(whole)
    assert sorted(conn.execute("select * from shared_names")) == sorted(full.execute("select * from shared_names"))
    assert conn.execute("select count(*) from documents").fetchone()[0] == 4
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_passed_checks_keep_no_detail(tmp_path, sources):
    db = tmp_path / "budget.db"
    checks = build(sources, db)
    conn = sqlite3.connect(db)
    rows = conn.execute("select passed, detail from checks order by id").fetchall()
    assert len(rows) == len(checks) and [p for p, _ in rows] == [int(c.passed) for c in checks]
    assert all(d is None for p, d in rows if p) and all(d for p, d in rows if not p)
    failed = [c.detail for c in checks if not c.passed]
    assert [d for p, d in rows if not p] == failed and len(failed) > 2
    assert len(build(sources, tmp_path / "again.db", keep_checks=False)) == len(failed)


def test_indexes_and_journal(tmp_path, sources):
    db = tmp_path / "budget.db"
    build(sources[:2], db, jobs=2)
    conn = sqlite3.connect(db)
    names = {r[0] for r in conn.execute("select name from sqlite_master where type = 'index'")}
    assert {f"idx_{t}_{'_'.join(c)}" for t, c in schema.INDEXES} <= names
    assert "idx_cells_document_id_table_id_row_label" not in names  # no query used it
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [p.name for p in tmp_path.iterdir()] == ["budget.db"]
    # the queries across documents and of one document's rows find them
    plan = " ".join(r[3] for r in conn.execute(
        "explain query plan select c.value from budget_tables t join cells c on c.table_id = t.id "
        "where t.key = 'sangong' and c.row_label = '合计' and c.column_label = '合计'"))
    assert "SCAN c" not in plan
    for sql in ("select * from checks where document_id = 1 and passed = 0", "select * from projects where document_id = 1",
                "select * from targets where document_id = 1", "select * from glossary where document_id = 1",
                "select row_key from cells where row_key = '合计' and column_label = '合计' and value is not null"):
        assert "USING" in " ".join(r[3] for r in conn.execute("explain query plan " + sql)), sql


def _names(vocab) -> list[tuple[str, str]]:
    return sorted((e.kind, e.name) for e in vocab.entities)


def test_each_documents_own_names_are_indexed_by_the_build(tmp_path, sources):
    from bot import paths
    from bot.catalog import load_vocabulary
    from bot.vocab import VOCAB_TABLE, Vocabulary, load_charmap, local_vocabulary

    db = tmp_path / "budget.db"
    build(sources[:3], db)
    edited = tmp_path / "edited.txt"
    edited.write_text(sources[2].read_text(encoding="utf-8").replace("忻州市测试乙局", "忻州市测试丁局"), encoding="utf-8")
    build([sources[0], edited, sources[3]], db)  # one gone, one changed, one new
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    words, charmap = load_vocabulary(paths.QUERIES), load_charmap(conn)
    docs = [r[0] for r in conn.execute("select id from documents order by id")]
    stored = {r[0]: r[1] for r in conn.execute(f"select document_id, data from {VOCAB_TABLE}")}
    assert sorted(stored) == docs  # the removed documents' names went with them
    for doc_id in docs:
        kept = Vocabulary.from_json(stored[doc_id], *charmap)
        fresh = local_vocabulary(conn, words, doc_id, charmap)
        assert _names(kept) == _names(fresh) and any(kind == "project" for kind, _ in _names(kept))


def test_an_unchanged_document_takes_the_address_given_now(tmp_path, sources):
    db = tmp_path / "budget.db"
    build(sources[:2], db)
    build(sources[:2], db, urls={str(sources[1]): "https://example.org/b.pdf"})
    conn = sqlite3.connect(db)
    urls = dict(conn.execute("select source_file, url from documents"))
    assert urls[sources[1].name] == "https://example.org/b.pdf" and not urls[sources[0].name]


def test_an_unchanged_document_takes_the_address_its_sidecar_gives_now(tmp_path, sources):
    db = tmp_path / "budget.db"
    build(sources[1:3], db)
    sidecar = sources[2].with_name(sources[2].name + ".url")
    sidecar.write_text("https://example.org/c.pdf\n", encoding="utf-8")
    try:
        build(sources[1:3], db)
    finally:
        sidecar.unlink()
    urls = dict(sqlite3.connect(db).execute("select source_file, url from documents"))
    assert urls[sources[2].name] == "https://example.org/c.pdf" and not urls[sources[1].name]
