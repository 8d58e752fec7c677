"""Rankings over every loaded document in one pass ("哪个单位三公经费最多").

The question's subject is first understood on one document (its canned query and parameters). The figure that
query gives is then read for all documents at once from the printed cells its `rank` spec names (queries/*.yaml):
a few indexed SQL reads whatever the number of documents, not one answer per document.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Callable

from ..answers import Answer
from ..catalog import Query
from ..compose import cap
from ..format import Fact, amount
from .view import MAX_REPLY, DocView

TOP = 10  # lines a ranking shows
KEEP_RANKED = 200  # documents kept in order for "第十二名是谁"
PROBES = 5  # documents tried for understanding the subject
LEAST = re.compile(r"最少|最低|最小|倒数")
CELLS = ("select t.document_id, c.value, t.title, c.page, d.unit, d.year, d.stage "
         "from budget_tables t join cells c on c.table_id = t.id join documents d on d.id = t.document_id "
         "where t.key = ? and {row} and c.column_label = ? and c.value is not null")


@dataclass(frozen=True)
class Place:
    """One document's figure in a ranking."""

    doc_id: int
    value: float
    table: str
    page: int | None
    unit: str
    year: int
    stage: str


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def rank_all(shared, query: Query, params: dict) -> list[Place]:
    """Every document's figure for the query's subject (the first rank cell it prints), each unit's latest document
    only, unordered."""
    fields = _Blank({k: "" if v is None else str(v) for k, v in params.items()})
    found: dict[int, tuple[int, Place]] = {}
    for pref, spec in enumerate(query.rank):
        if "sql" in spec:  # (document_id, value, title, page, unit, year, stage) of every document, declared in YAML
            with shared.lock:
                rows = shared.conn.execute(spec["sql"]).fetchall()
            for doc_id, v, title, page, unit, year, stage in rows:
                if v is not None and (doc_id not in found or pref < found[doc_id][0]):
                    found[doc_id] = (pref, Place(doc_id, v, title, page, unit, int(year), stage))
            continue
        key = "code" if "code" in spec else "row"
        value = string.Formatter().vformat(spec[key], (), fields)
        column = string.Formatter().vformat(spec["column"], (), fields)
        if not value or not column:
            continue
        sql = CELLS.format(row="c.row_code = ?" if key == "code" else "c.row_label = ?")
        with shared.lock:
            rows = shared.conn.execute(sql, (spec["table"], value, column)).fetchall()
        for doc_id, v, title, page, unit, year, stage in rows:
            if doc_id not in found or pref < found[doc_id][0]:
                found[doc_id] = (pref, Place(doc_id, v, title, page, unit, int(year), stage))
    latest: dict[str, Place] = {}
    for _, p in found.values():
        kept = latest.get(p.unit)
        if kept is None or (p.year, p.stage == "预算") > (kept.year, kept.stage == "预算"):
            latest[p.unit] = p
    return list(latest.values())


def rank_everything(probes: list[DocView], question: str, text: str, ask: Callable[[DocView, str], Answer],
                    label: Callable[[int], str]) -> Answer | None:
    """The ranking over all loaded documents, or None when the subject's query has no rank spec (the caller then
    compares documents one by one)."""
    probe, query = None, None
    for view in probes[:PROBES]:
        probe = ask(view, question)
        query = view.queries.get(probe.query or "")
        if probe.status == "answer" and query is not None and query.rank:
            break
    else:
        return None
    places = rank_all(probes[0].shared, query, probe.params)
    if len(places) < 2:
        return None
    least = bool(LEAST.search(text))
    places.sort(key=lambda p: (p.value, -p.doc_id), reverse=not least)
    lines = [f"{question}（按金额从{'低到高' if least else '高到低'}，共{len(places)}个单位，每个单位取最新一份文件）："]
    facts = []
    for k, p in enumerate(places[:TOP], 1):
        where = p.table + (f"，第{p.page}页" if p.page else "")
        lines.append(f"第{k}名 {label(p.doc_id)}：{amount(p.value)}（{where}）")
        facts.append(Fact(f"{label(p.doc_id)}·{question}", p.value, "万元", where))
    if len(places) > TOP:
        lines.append(f"……以上为前{TOP}名，共{len(places)}个单位。")
    if len({p.stage for p in places}) > 1 or len({p.year for p in places}) > 1:
        lines.append("注意：比较的文件" + ("分属预算和决算" if len({p.stage for p in places}) > 1 else "年度不同")
                     + "，口径不完全相同。")
    order = tuple(p.doc_id for p in places[:KEEP_RANKED])
    return Answer("answer", cap("\n".join(lines), MAX_REPLY), query.id, dict(probe.params), 100.0, facts,
                  tier="across", ranked=order, documents=order[:TOP], subject=probe.subject,
                  document="；".join(label(i) for i in order[:TOP]))
