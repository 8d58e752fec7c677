"""queries/: every file is a valid canned query, and each of its phrasings routes to it."""
from __future__ import annotations

import re

import pytest

from bot import paths
from bot.catalog import CatalogError, load_catalog, load_query, sql_params
from bot.engine import get_engine
from bot.engine.readings import readings
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
    view = _view(query)
    if query.fallback:
        engine = get_engine()
        views = [engine.view(d.id) for d in engine.docs]
        assert any(v.rows(query, e) for v in views for e in v.vocab.entities if e.kind in query.subject), query.id
        return
    entity = next(h.entity for h in _hits(view, query))
    rows = view.shared.conn.execute(query.sql, view.params(query, entity)).fetchall()
    assert rows, f"{query.id} returned no rows for {entity.name}"


def _view(query):
    """The default document's view, or the first loaded document's of a kind the query reads where one of the
    query's phrasings finds rows (per-item prose is printed by some templates only)."""
    engine = get_engine()
    views = [engine.view(d.id) for d in [engine.doc, *engine.docs] if d.stage in query.stages]
    if query.fallback:
        return views[0]
    return next((v for v in views if any(v.rows(query, h.entity) for h in _hits(v, query))), views[0])


def _hits(view, query):
    for p in query.phrasings:
        for r in readings(view, view.normalize(p))[0]:
            if r.query.id == query.id:
                yield r.hit


FIGURE = re.compile(r"\d[\d,]*\.\d+(?=万元|%)|\d[\d,]*(?=[辆个名平家])")  # an amount, share or count, not a code


@pytest.mark.parametrize("qid,phrasing", PHRASINGS, ids=[f"{q}:{p}" for q, p in PHRASINGS])
def test_phrasing_routes_to_its_query(qid, phrasing):
    """Each phrasing is answered by its query in some loaded document of the query's kind — or by a later tier
    (one cell, one sentence) that gives the same figure the query would."""
    query, engine = CATALOG[qid], get_engine()
    tried = []
    for doc in [engine.doc, *engine.docs]:
        if doc.stage not in query.stages:
            continue
        ans = engine.answer(phrasing, Context(document=doc.id))
        if (ans.status, ans.query) == ("answer", qid):
            return
        if ans.status == "answer" and (ans.tier in ("cell", "sentence") or "," in (ans.query or "")):
            view = engine.view(doc.id)
            canned = [view.run(query, h.entity).body for h in _hits(view, query)
                      if h.surface and h.surface in phrasing and view.rows(query, h.entity)]
            first = FIGURE.search(ans.body)
            if canned and first and any(first.group() in c for c in canned):
                return
        tried.append(f"{doc.short}: {ans.status}/{ans.query}: {ans.text[:80]}")
    pytest.fail("\n".join(tried))


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
