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
NONE = re.compile(r"没有|没安排|未安排|为零|为0|是0")  # "哪几个单位没有公务接待费": the units whose figure is 0
CELLS = ("select t.document_id, c.value, t.title, c.page, d.unit, d.year, d.stage "
         "from budget_tables t join cells c on c.table_id = t.id join documents d on d.id = t.document_id "
         "where t.key = ? and {row} and c.column_label = ?{printed}")


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
    blank: bool = False  # the row is printed with its cell empty (nothing 安排)


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def rank_all(shared, query: Query, params: dict, blanks: bool = False) -> list[Place]:
    """Every document's figure for the query's subject (the first rank cell it prints), each unit's latest document
    only, unordered; blanks: a row printed with an empty cell counts as 0 (nothing 安排)."""
    fields = _Blank({k: "" if v is None else str(v) for k, v in params.items()})
    found: dict[int, tuple[int, Place]] = {}
    for pref, spec in enumerate(query.rank):
        if "sql" in spec:  # (document_id, value, title, page, unit, year, stage) of every document, declared in YAML
            sql, args, keep_blank = spec["sql"], (), False  # a figure the prose does not state is not there
        else:
            key = "code" if "code" in spec else "row"
            value = string.Formatter().vformat(spec[key], (), fields)
            column = string.Formatter().vformat(spec["column"], (), fields)
            if not value or not column:
                continue
            sql = CELLS.format(row="c.row_code = ?" if key == "code" else "c.row_label = ?",
                               printed="" if blanks else " and c.value is not null")
            args, keep_blank = (spec["table"], value, column), blanks
        with shared.lock:
            rows = shared.conn.execute(sql, args).fetchall()
        for doc_id, v, title, page, unit, year, stage in rows:
            if (v is not None or keep_blank) and (doc_id not in found or pref < found[doc_id][0]):
                found[doc_id] = (pref, Place(doc_id, 0.0 if v is None else v, title, page, unit, int(year), stage,
                                             v is None))
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
    none = bool(NONE.search(text))
    places = rank_all(probes[0].shared, query, probe.params, blanks=none)
    if len(places) < 2:
        return None
    if none:
        return _none(places, question, query, probe, label)
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


def _none(places: list[Place], question: str, query: Query, probe: Answer, label: Callable[[int], str]) -> Answer:
    """The units whose figure is printed as 0 (each unit's latest document), and how many print more."""
    question = NONE.sub("", question).strip("的 ") or question
    zero = sorted((p for p in places if p.value == 0), key=lambda p: p.doc_id)
    facts = [Fact(f"{label(p.doc_id)}·{question}", 0.0, "万元", p.table) for p in zero if not p.blank]
    if zero:
        lines = [f"{question}为0的单位（共{len(places)}个单位印有此项，每个单位取最新一份文件，{len(zero)}个为0）："]
        lines += [f"· {label(p.doc_id)}：{'空白（未安排）' if p.blank else amount(p.value)}（{p.table}"
                  + (f"，第{p.page}页）" if p.page else "）")
                  for p in zero[:TOP]]
    else:
        lines = [f"{len(places)}个单位的{question}都不为0（每个单位取最新一份文件）。"]
    order = tuple(p.doc_id for p in zero[:KEEP_RANKED])
    return Answer("answer", cap("\n".join(lines), MAX_REPLY), query.id, dict(probe.params), 100.0, facts,
                  tier="across", ranked=order, documents=order[:TOP], subject=probe.subject,
                  document="；".join(label(i) for i in order[:TOP]) or "全部载入的文件")
