"""queries/: every file is a valid canned query, and each of its phrasings routes to it."""
from __future__ import annotations

import pytest

from bot import paths
from bot.catalog import CatalogError, load_catalog, load_query, sql_params
from bot.engine import get_engine
from bot.understand import Context

CATALOG = load_catalog(paths.QUERIES)
# A fallback query (the document's own sentence when no table answers) is never chosen by its phrasing.
PHRASINGS = [(q.id, p) for q in CATALOG.values() if not q.fallback for p in q.phrasings]


def test_catalog_is_large_and_ids_are_ascii():
    assert len(CATALOG) >= 30
    assert all(q.id.isascii() for q in CATALOG.values())


@pytest.mark.parametrize("query", CATALOG.values(), ids=lambda q: q.id)
def test_query_file(query):
    assert len(query.phrasings) >= 10
    assert set(query.params) == sql_params(query.sql)
    assert query.source and query.title
    engine = _view(query)
    if query.fallback:
        views = [engine.view(d.id) for d in engine.docs]
        assert any(v.rows(query, e) for v in views for e in v.vocab.entities if e.kind in query.subject), query.id
        return
    entity = next(h.entity for h in _hits(engine, query))
    rows = engine.conn.execute(query.sql, engine._params(query, entity)).fetchall()
    assert rows, f"{query.id} returned no rows for {entity.name}"


def _view(query):
    """The engine for the default document, or for the first loaded document of a kind the query reads."""
    engine = get_engine()
    doc = next(d for d in [engine.doc, *engine.docs] if d.stage in query.stages)
    return engine.view(doc.id)


def _hits(engine, query):
    for p in query.phrasings:
        for r in engine.readings(p)[0]:
            if r.query.id == query.id:
                yield r.hit


@pytest.mark.parametrize("qid,phrasing", PHRASINGS, ids=[f"{q}:{p}" for q, p in PHRASINGS])
def test_phrasing_routes_to_its_query(qid, phrasing):
    ans = get_engine().answer(phrasing, Context(document=_view(CATALOG[qid]).doc.id))
    assert (ans.status, ans.query) == ("answer", qid), ans.text


def test_declared_params_must_match_the_sql(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\ntitle: t\nsource: s\ntemplate: x\nphrasings: [a]\nparams: {doc: document.id}\n"
                   "sql: select 1 where :doc = :other\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="other"):
        load_query(bad)


def test_sql_must_be_a_single_select(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\ntitle: t\nsource: s\ntemplate: x\nphrasings: [a]\nsql: delete from cells\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="SELECT"):
        load_query(bad)
