"""Property-based: any text gets a valid, short Answer, and nothing of it reaches SQL text or unescaped HTML."""
from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine import get_engine
from bot.telegram.render import split_text, to_html

ENGINE = get_engine()
QUERY_SQL = {q.sql for q in ENGINE.queries.values()}
nasty = st.sampled_from(["'; DROP TABLE cells; --", "<script>", "</b>", "&amp;", "\x00", "\u202e", "三公经费",
                         "取暖费", "2080101", "💰", "\n", "OR 1=1", ":doc", "{name}", "[[", "]]", "%s"])
questions = st.one_of(st.text(max_size=10_000), st.lists(st.one_of(nasty, st.text(max_size=20)), max_size=30).map("".join))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(questions)
def test_any_text_gets_a_valid_short_answer(question):
    ans = ENGINE.answer(question)
    assert ans.status in ("answer", "clarify", "unknown")
    assert 0 < len(ans.text) < 4096
    for chunk in split_text(to_html(ans.text)):
        assert len(chunk) <= 4096
        stripped = chunk.replace("<i>", "").replace("</i>", "")
        assert "<" not in stripped and ">" not in stripped.replace("&gt;", "")


def shape(statement: str) -> str:
    """A statement as SQLite traces it, with every bound value (string, number, NULL) and IN-list made one '?'."""
    out = re.sub(r"'(?:[^']|'')*'", "?", statement)
    out = re.sub(r"(?<![\w:]):[a-z_]\w*", "?", out)  # a canned query's named parameters, before binding
    out = re.sub(r"(?<![\w.])-?\d+(?:\.\d+)?\b|\bNULL\b", "?", out)
    return re.sub(r"\(\?(?:\s*,\s*\?)*\)", "(?)", out)


def statements(question: str) -> list[str]:
    seen: list[str] = []
    ENGINE.conn.set_trace_callback(seen.append)
    try:
        ENGINE.answer(question)
    finally:
        ENGINE.conn.set_trace_callback(None)
    return seen


# The shapes of every statement the engine runs for ordinary questions: canned queries and its own lookups.
ORDINARY = [json.loads(line)["q"] for f in ("fresh-a.jsonl", "holdout-b.jsonl")
            for line in (Path(__file__).parent / "sets" / f).read_text(encoding="utf-8").splitlines() if line.strip()]
KNOWN = {shape(s) for q in ORDINARY + ["2000", "30101", "2080101", "哪个单位的基本支出最多"] for s in statements(q)} \
    | {shape(sql) for sql in QUERY_SQL}


@settings(max_examples=100, deadline=None)
@given(questions)
def test_questions_never_become_sql(question):
    # A question picks which statement runs and binds its values; it never changes what the statement is.
    for statement in statements(question):
        assert shape(statement) in KNOWN, statement[:160]


def test_a_write_through_the_engine_connection_fails():
    try:
        ENGINE.conn.execute("insert into glossary (term) values ('x')")
    except sqlite3.OperationalError as err:
        assert "readonly" in str(err) or "read-only" in str(err) or "query_only" in str(err)
    else:
        raise AssertionError("the engine's connection accepted a write")
