"""The answer engine: own question set, replies that cite, no invented figures, bad input, read-only database."""
from __future__ import annotations

import hashlib
import re
import sqlite3
import unicodedata
from pathlib import Path

import pytest
import yaml

from bot import Answer, answer
from bot.engine import get_engine

QUESTIONS = yaml.safe_load((Path(__file__).parent / "questions.yaml").read_text(encoding="utf-8"))
NUM = re.compile(r"\d[\d,]*(?:\.\d+)?")


def numbers(text: str) -> list[float]:
    return [float(m.replace(",", "")) for m in NUM.findall(unicodedata.normalize("NFKC", text))]


@pytest.mark.parametrize("item", QUESTIONS["answer"], ids=lambda i: i["q"])
def test_answers(item):
    ans = answer(item["q"])
    assert ans.status == "answer", ans.text
    found = numbers(ans.text)
    for group in item.get("nums", []):
        assert any(abs(n - g) < 0.0051 for g in group for n in found), (group, ans.text)
    for group in item.get("texts", []):
        assert any(t in ans.text for t in group), (group, ans.text)
    assert "来源：" in ans.text


@pytest.mark.parametrize("item", QUESTIONS["clarify"], ids=lambda i: i["q"])
def test_other_objects_are_not_answered_with_the_nearest_figure(item):
    ans = answer(item["q"])
    assert ans.status in ("clarify", "unknown") and ans.suggestions and not ans.facts, ans.text
    for group in item["texts"]:
        assert any(t in ans.text for t in group), ans.text


@pytest.mark.parametrize("question", QUESTIONS["unknown"])
def test_out_of_scope_is_never_answered_with_a_figure(question):
    ans = answer(question)
    assert ans.status in ("unknown", "clarify"), ans.text
    if ans.status == "unknown":
        assert "忻州市人力资源和社会保障局" in ans.text


def _db_numbers(conn: sqlite3.Connection) -> set[float]:
    out: set[float] = set()
    for (table,) in conn.execute("select name from sqlite_master where type = 'table' and name != 'charmap'"):
        for row in conn.execute(f"select * from {table}"):
            for v in row:
                if isinstance(v, (int, float)):
                    out.add(round(float(v), 2))
                elif isinstance(v, str):
                    out.update(round(n, 2) for n in numbers(v))
    return out


def test_every_number_in_a_reply_comes_from_the_database_or_its_facts():
    engine = get_engine()
    known = _db_numbers(engine.conn)
    asked = [i["q"] for i in QUESTIONS["answer"]] + [p for q in engine.queries.values() for p in q.phrasings]
    for q in asked:
        ans = answer(q)
        derived = {round(f.value, 2) for f in ans.facts if f.value is not None}
        derived |= {round(f.value * 10000, 2) for f in ans.facts if f.value is not None and f.unit == "元"}
        stray = [n for n in numbers(ans.text) if round(n, 2) not in known | derived and n not in (0,)]
        assert not stray, (q, stray, ans.text)


def test_derived_figures_show_their_arithmetic():
    ans = answer("上年预算数")
    assert "1,036.43万元 − 183.50万元 = 852.93万元" in ans.text
    share = answer("卫生健康支出占比")
    assert "21.28万元 ÷ 1,036.43万元" in share.text and "2.05%" in share.text


def test_zero_items_are_said_plainly():
    assert "0万元（未安排）" in answer("公务接待费是多少").text
    assert "0万元（未安排" in answer("教育支出多少").text


def test_answer_object():
    ans = answer("取暖费")
    assert isinstance(ans, Answer)
    assert ans.query == "econ_item" and ans.params["name"] == "取暖费"
    assert any(f.value == 23.86 and f.unit == "万元" for f in ans.facts)
    assert all(f.source.startswith("2023年") for f in ans.facts)
    assert ans.to_dict()["status"] == "answer"


def test_clarify_offers_readings_that_route_unambiguously():
    ans = answer("养老保险")
    assert ans.status == "clarify" and 2 <= len(ans.suggestions) <= 3
    for s in ans.suggestions:
        assert answer(s).status == "answer", s


def test_unknown_lists_what_can_be_answered():
    ans = answer("明天下雨吗")
    assert ans.status == "unknown" and "三公" in ans.text and ans.suggestions
    for s in ans.suggestions:
        assert answer(s).status == "answer", s


BAD = ["", "   \n\t ", "税" * 100_000, "\x00\x01\x02三公\x1b[31m", "😀😀😀", "💰三公经费💰",
       "'; DROP TABLE cells; --", "1; DELETE FROM facts", "<b>三公经费</b><script>alert(1)</script>", "\u202e费经公三"]


@pytest.mark.parametrize("question", BAD, ids=range(len(BAD)))
def test_bad_input_gets_a_short_reply_and_the_database_never_changes(question):
    db = Path(get_engine().conn.execute("pragma database_list").fetchone()[2])
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    ans = answer(question)
    assert ans.status in ("answer", "clarify", "unknown")
    assert 0 < len(ans.text) < 4096
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_the_engine_connection_cannot_write():
    with pytest.raises(sqlite3.OperationalError):
        get_engine().conn.execute("delete from cells")


def test_follow_ups_use_the_previous_subject():
    first = answer("三公经费多少")
    assert "6.12万元" in answer("那去年呢？", first.subject).text
    assert "八项规定" in answer("为什么？", first.subject).text
    # Without a previous subject the same words are about the budget as a whole.
    assert "852.93万元" in answer("那去年呢？").text


def test_a_follow_up_that_names_a_new_subject_switches_to_it():
    first = answer("三公经费多少")
    assert "23.86" in answer("取暖费呢", first.subject).text


def test_every_button_question_gets_an_answer():
    engine = get_engine()
    view = engine.view()
    offered = view.all_suggestions() + view.glossary_questions()
    assert len(offered) > 300
    failing = [s for s in offered if engine.answer(s).status != "answer"]
    assert not failing, failing[:10]
