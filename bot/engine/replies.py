"""Replies beyond one query's rows: membership yes/no, several subjects, out of scope, not in the document."""
from __future__ import annotations

import json
import re

from ..answers import Answer
from ..compose import cap, combine, main_value, quoted
from ..format import Fact, amount
from ..match import Aspects, Hit
from ..vocab import Entity
from .readings import Reading, strong
from .view import MAX_REPLY, DocView, fits

SEVERAL_MIN = 35.0  # a subject named beside another is answered by its best reading, even a weak one
CONJUNCTION = re.compile(r"和|与|及|跟|、|还有|以及|分别|各|(?<!增|参|追)加(?!总)|比|减|占")


def not_loaded(view: DocView, what: str) -> Answer:
    """A unit, year or kind of document that is not loaded: say what is (in one line), buttons to ask."""
    docs = view.library.listing(3)
    count = view.library.count
    loaded = "、".join(d.short for d in docs) + (f"等{count}份（/doc 查看全部）" if count > len(docs) else "")
    return Answer("unknown", f"没有载入“{what}”的公开文件，无法回答。已载入：{loaded}。",
                  suggestions=view.examples()[:4], tier="unknown")


def out_of_scope(view: DocView, reason: str, hits: list[Hit]) -> Answer:
    """The document cannot answer this: one line why; related figures only as buttons."""
    related = []
    for h in strong(hits):
        best = max((q for q in view.queries.values()
                    if fits(q, h.entity) and view.doc.stage in q.stages and not q.fallback),
                   key=lambda q: (q.aspects[0] == "amount", -len(q.aspects)), default=None)
        if best:
            related.append(view.suggestion(best, h.entity))
    text = f"{reason}。本文件是《{view.title}》，无法回答这个问题。"
    if related:
        text += "\n文件中相关的数字见下方按钮。"
    return Answer("unknown", text, suggestions=list(dict.fromkeys(related))[:3] or view.examples()[:4],
                  tier="unknown")


def member(view: DocView, part: Entity, whole: Entity) -> Answer:
    """"会议费算不算三公经费": 是/不是, the whole's definition, and the part's own figure."""
    members = [view.queries[q] for q, _ in whole.attrs.get("members", ()) if q in view.queries]
    # 住房公积金 is a 功能科目 and an 经济科目: "…属于人员经费吗" asks about the one the whole is made of.
    part = next((e for e in view.named(part.name) if any(fits(q, e) for q in members)), part)
    yes = _contains(view, whole, part)
    verdict = f"{'属于' if yes else '不属于'}。{part.name}{'是' if yes else '不是'}{whole.name}的组成部分。"
    lines, facts, sources = [verdict], [], []
    term = _term(view, whole)
    if term:
        d = view.run(view.queries["glossary_term"], term)
        lines.append(d.body)
        sources.append(d.source)
    own = _amount_answer(view, part)
    if own:
        lines.append(own.body.split("\n")[0])
        facts += own.facts
        sources.append(own.source)
    return Answer("answer", cap("\n".join(lines), MAX_REPLY), "membership", {"part": part.key, "whole": whole.key},
                  100.0, facts, subject=part.key, source="；".join(dict.fromkeys(s for s in sources if s)),
                  tier="canned")


def _contains(view: DocView, whole: Entity, part: Entity) -> bool:
    for qid, fieldname in whole.attrs.get("members", ()):
        # "办公费属于公用经费吗": the part's own row says which column it is in.
        if qid in view.queries and fits(view.queries[qid], part):
            return any(r.get(fieldname) not in (None, 0) for r in view.rows(view.queries[qid], part))
    parts = set(whole.attrs.get("parts", ()))
    if part.kind in parts or f"topic:{part.attrs.get('topic', '')}" in parts:
        return True
    if part.kind == whole.kind and part.attrs.get("code") and whole.attrs.get("code"):
        return part.attrs["code"].startswith(whole.attrs["code"]) and part.attrs["code"] != whole.attrs["code"]
    return whole.name in part.attrs.get("parents", ())


def _term(view: DocView, entity: Entity) -> Entity | None:
    plain = re.sub(r"[“”\"]", "", entity.name)
    return next((e for name in dict.fromkeys((plain, entity.name)) for e in view.named(name) if e.kind == "term"), None)


def _amount_answer(view: DocView, entity: Entity) -> Answer | None:
    for q in view.queries.values():
        if fits(q, entity) and q.aspects[0] == "amount":
            for e in view.expand(entity):
                rows = view.rows(q, e)
                if rows:
                    return view.run(q, e, 100.0, rows)
    return None


def several(view: DocView, good: list[Reading], text: str) -> Answer | None:
    """"办公费和水费": two or three subjects named outright, each answered by its best reading."""
    best: dict[str, Reading] = {}
    for r in good:  # best first
        if r.hit.score >= 100 and r.hit.surface and r.score >= SEVERAL_MIN:
            best.setdefault(r.hit.entity.key, r)
    # "退休费和离休费分别多少": several subjects' amounts, not each one's breakdown ("分别" reads as 明细 for one).
    for key, r in list(best.items()):
        if r.query.aspects[0] != "amount":
            best[key] = next((o for o in good if o.hit.entity.key == key and o.query.aspects[0] == "amount"
                              and view.rows(o.query, o.hit.entity)), r)
    named = {r.hit.entity.kind for r in best.values()}
    picked: list[Reading] = []
    for r in sorted(best.values(), key=lambda r: (-(r.hit.end - r.hit.start), r.hit.start)):
        h = r.hit
        if any(p.hit.entity.name == h.entity.name or (h.start < p.hit.end and p.hit.start < h.end) for p in picked):
            continue
        if named & set(h.entity.attrs.get("parts", ())) and "占" not in text:
            continue  # the whole of a part also named ("车辆原值和净值" is about 车辆), unless asked "A占B"
        picked.append(r)
    if not 2 <= len(picked) <= 3:
        return None
    picked.sort(key=lambda r: r.hit.start)
    joins = [text[a.hit.end:b.hit.start] for a, b in zip(picked, picked[1:])]
    listed = re.search(r"各|分别|都是|一共|合计|加起来|总共", text)  # "人员经费、公用经费各多少" (、 is gone)
    times = "倍" in text  # "取暖费是办公费的几倍": 是 joins the two
    if not all(CONJUNCTION.search(j) or (listed and not j) or (times and j in ("是", "为")) for j in joins):
        return None  # "和" inside a name ("人力资源和社会保障管理事务…项目") joins nothing
    parts = [view.run(r.query, r.hit.entity, r.score) for r in picked]
    facts = [f for p in parts for f in p.facts]
    values = [main_value(p.facts) for p in parts]
    names = [p.subject.split("|", 1)[1] for p in parts]
    # joins[0]: "比" in "A比B多多少", "占" in "A占B的比例"
    derived = combine(values, names, text, joins[0]) if None not in values else None
    if derived and "占" in joins[0] and amount(values[1]) in parts[0].body:
        return None  # "福利费占基本支出比例": the first answer already gives that share
    sources = "；".join(dict.fromkeys(p.source for p in parts if p.source))
    if derived:
        # The figures used, each with its source, then the arithmetic.
        mains = [next(f for f in p.facts if f.unit == "万元") for p in parts]
        lines = [f"· {n}：{amount(m.value)}（来源：{view.doc.short}·{m.source}）" for n, m in zip(names, mains)]
        reply = "\n".join(lines + [derived[0]])
        facts = mains + [derived[1]]
        sources = ""
    else:
        reply = "\n\n".join(p.body for p in parts)
    return Answer("answer", cap(reply, MAX_REPLY), ",".join(p.query for p in parts),
                  {"readings": [p.params for p in parts]}, round(picked[0].score, 1), facts,
                  subject=parts[-1].subject, source=sources, tier="canned")


def uncovered(view: DocView, found: list[Reading], aspects: Aspects) -> Answer:
    """A clear subject asked about something the document does not say: say so; what it does say is a button."""
    clear = [r for r in found if r.hit.score >= 90 and r.query.aspects[0] in ("amount", "info", "definition")]
    if not clear or not aspects.found:
        return unknown(view, "这个问题在本预算公开文件中找不到对应的内容。")
    best = clear[0]  # the best reading (readings come best first): its subject is what the question is about
    if aspects.found[0] == "definition":  # "经费来源是什么": what it holds, from the first list that has rows
        for r in clear:
            rows = view.rows(r.query, r.hit.entity) if "list" in r.query.aspects else None
            if rows:
                return view.run(r.query, r.hit.entity, r.score, rows)
    asked = view.words["aspects"][aspects.found[0]].get("label", aspects.found[0])
    return Answer("unknown", f"本文件没有列出{quoted(best.hit.entity.name)}的{asked}"
                             f"（《{view.title}》）。文件中关于它的数字见下方按钮。",
                  score=round(best.score, 1), suggestions=[view.suggestion(best.query, best.hit.entity)],
                  subject=best.hit.entity.key, tier="unknown")


def from_narrative(view: DocView, best: Reading, aspect: str) -> Answer | None:
    """No table holds it: the document's own sentence about the subject, quoted (fallback queries)."""
    if best.hit.score < 90 and best.hit.surface:  # a near match of a name is no ground for quoting about it
        return None
    for q in view.queries.values():
        if q.fallback and aspect in q.aspects and view.doc.stage in q.stages and fits(q, best.hit.entity):
            rows = view.rows(q, best.hit.entity)
            if rows:
                ans = view.run(q, best.hit.entity, best.score, rows)
                if aspect == "amount" and not ans.facts:
                    ans.facts = _stated_amount(ans.body, best.hit.entity, ans.source)
                return ans
    return None


STATED = re.compile(r"(\d[\d,]*(?:\.\d+)?)万元")


def _stated_amount(body: str, entity: Entity, source: str) -> list[Fact]:
    """The amount a quoted sentence states for its subject ("机关运行经费支出142.80万元"): the first 万元 figure
    after the subject's name, as a fact (so comparisons across documents can use it)."""
    names = [n for n in {entity.name, *(entity.attrs.get("narrative") and json.loads(entity.attrs["narrative"]) or [])}
             if n]
    for name in sorted(names, key=len, reverse=True):
        at = body.find(name)
        if at >= 0:
            m = STATED.search(body, at)
            if m and m.start() - at <= len(name) + 8:
                return [Fact(entity.name, float(m.group(1).replace(",", "")), "万元", source)]
    return []


def unknown(view: DocView, why: str) -> Answer:
    """The document does not answer this: why, what it can answer, examples as buttons."""
    local = view.vocab.parts[0]
    projects = sum(e.kind == "project" for e in local.entities)
    kinds = {e.kind for e in local.entities}
    has = ["收支总额", "收支各表", "功能科目", "经济科目", "“三公”经费"]
    has += [f"{projects}个项目及其绩效目标"] if projects else []
    has += ["内设机构和编制"] if "department" in kinds else []
    msg = f"{why}\n我能回答《{view.title}》中的内容：{'、'.join(has)}。"
    return Answer("unknown", msg, suggestions=view.examples()[:4], tier="unknown")
