"""Answering one question about one document: a list of small named steps, tried in order.

Each step looks at the Question (what has been understood so far) and returns an Answer, or None to let the next
step try. Steps that only understand (subjects, frame, readings) fill the Question in and return None.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from ..answers import Answer
from ..compose import cap
from ..match import Aspects, Hit, find_subjects, out_of_scope
from ..normalize import PUNCT, Normalized
from ..understand import Context, Frame, frame_of, membership, scope_reason, split_parts
from . import replies
from .coverage import about_something_else
from .described import described_project
from .readings import Reading, other_object, readings, residue, rivals, strong, unserved
from .readings import container
from .tiers import later_tiers
from .tiers.cells import answer_cell
from .tiers.prior import last_year
from .tiers.sentences import answer_sentence, gives_measure, measure_asked
from .verify import stated_figure, verdict
from .view import MAX_REPLY, DocView

MIN_SCORE = 60.0  # a reading below this is no reading
FALLBACK_MARGIN = 15.0  # readings this far below the best are not tried when the best finds no rows
NAMED_PART = 85.0  # a document name (project, 科室, row) read at least this well: no need to look in descriptions
MAX_RESIDUE = 2  # characters a description-named question may leave unexplained ("技能大赛一等奖奖金" is not asked)
NAMED_OUTRIGHT = 80.0  # hits at least this good are masked before scope words are looked for
DOCUMENT_PHRASES = {"target", "project", "catalog", "department", "term"}
NOTHING_READ = "这个问题在本预算公开文件中找不到"  # replies.uncovered/unknown when no reading was found
REASONISH = re.compile(r"原因|由于|因为|主要是|用于|系")
PRONOUN = re.compile(r"^(它|其|这个|这项|该项|那个|那项|这笔|那笔|该笔|此项)")


@dataclass
class Question:
    """One clause of a question about one document, as far as it has been understood."""

    view: DocView
    norm: Normalized
    ctx: Context
    clause: bool = False
    hits: list[Hit] = field(default_factory=list)
    frame: Frame = field(default_factory=Frame)
    unnamed: str = ""
    masked: str = ""
    found: list[Reading] = field(default_factory=list)
    aspects: Aspects = field(default_factory=lambda: Aspects((), 0))
    text: str = ""

    @property
    def good(self) -> list[Reading]:
        """The readings worth answering with."""
        return [r for r in self.found if r.score >= MIN_SCORE]


Step = Callable[[Question], Answer | None]


def subjects(q: Question) -> None:
    """What the question names, and what it asks beyond that (its frame)."""
    view = q.view
    q.hits = find_subjects(q.norm.text, view.vocab)
    if not any(h.score >= NAMED_PART and not h.entity.kind.startswith("topic:") for h in q.hits):
        skip = {w for w in [*(w for w, _, _ in view.shared.aspect_pairs), *view.shared.context_words] if len(w) >= 2}
        found = described_project(view, q.norm.text, q.hits, skip)
        rest = q.norm.text.replace(found.surface, "") if found else ""
        for h in q.hits:
            rest = rest.replace(h.surface, "") if h.surface else rest
        if found and len(residue(view, rest)) <= MAX_RESIDUE:
            q.hits = [*q.hits, found]  # "技能大赛花多少钱": the project whose form describes 技能大赛
    q.frame = frame_of(PUNCT.sub("", q.norm.raw), view.shared.attribute_words)
    # Names from the document (a target "参赛报名人数") are not out-of-scope words.
    unnamed = q.norm.text
    for h in q.hits:
        if h.score >= 100 and len(h.surface) >= 4 and h.entity.kind in DOCUMENT_PHRASES:
            unnamed = unnamed.replace(h.surface, "\x00")
    q.unnamed = unnamed
    masked = unnamed
    for h in q.hits:
        if h.surface and h.score >= NAMED_OUTRIGHT:
            masked = masked[: h.start] + "\x00" * (h.end - h.start) + masked[h.end:]
    q.masked = masked


def beyond_the_document(q: Question) -> Answer | None:
    """Another year, a person, actuals in a budget, services, a place or unit the document is not."""
    view = q.view
    why = out_of_scope(q.norm.raw, q.unnamed, view.doc.year, view.doc.stage, view.scope)
    return replies.out_of_scope(view, f"本文件没有关于“{why}”的数据", q.hits) if why else None


def not_a_budget_question(q: Question) -> Answer | None:
    """Another body, an opinion, a procedure, a detail no disclosure prints, or a per-head figure."""
    view = q.view
    # Opinions and procedures are read on the text as typed too ("合理吗" keeps its 吗 there).
    reason = (scope_reason(q.masked, view.scope, view.known_body)
              or scope_reason(PUNCT.sub("", q.norm.raw), view.scope, None))
    if reason or (q.frame.per_capita and "人均" not in "".join(h.surface for h in q.hits)):
        return replies.out_of_scope(view, reason or "文件没有列出人均数，也没有据以计算的人数口径", q.hits)
    return None


def belongs(q: Question) -> Answer | None:
    """"X属于Y吗" / "Y包括X吗": 是/不是 with the whole's definition and the part's figure."""
    named = strong(q.hits)
    pair = membership(q.norm.text, [(h.start, h.end) for h in named], q.frame.yes_no)
    return replies.member(q.view, named[pair[0]].entity, named[pair[1]].entity) if pair else None


def listed_item(q: Question) -> None:
    """"第二个是干什么的" after a list: the question is about that item."""
    ctx = q.ctx
    if q.frame.ordinal_item and ctx.items and len(ctx.items) >= q.frame.ordinal_item and not strong(q.hits):
        q.ctx = Context(ctx.items[q.frame.ordinal_item - 1], ctx.items, ctx.document, ctx.ranked, ctx.query)
        q.hits, q.clause = [], True
    q.clause = q.clause or bool(PRONOUN.match(q.norm.text))  # "它的绩效目标呢": about the last subject


def read(q: Question) -> None:
    """Every (query, subject) reading, scored."""
    q.found, q.aspects, q.text = readings(q.view, q.norm, q.ctx.subject, q.hits, q.clause)
    if not q.hits and q.found and not q.found[0].hit.surface:
        q.hits = [q.found[0].hit]  # "…，有多少": the subject carried on from before, for the tiers after the queries


def no_reading(q: Question) -> Answer | None:
    """No canned query fits: the later tiers (any cell, any sentence), else say what is not there."""
    if q.good:
        return None
    view = q.view
    quoted_ = next((replies.from_narrative(view, r, q.aspects.found[0]) for r in q.found[:1]
                    if q.aspects.found and r.hit.score >= 90), None)
    return last_year(q) or quoted_ or later_tiers(q) or replies.uncovered(view, q.found, q.aspects)


def a_prose_measure(q: Question) -> Answer | None:
    """A count or measure only the prose prints ("几辆车", "接待几批次"): the sentence that gives it (tier 3)."""
    return answer_sentence(q, measure_only=True)


def a_cell(q: Question) -> Answer | None:
    """A row and a column named ("行政运行的项目支出", "福利院事业收入"): that cell (tier 2), before rivals."""
    return answer_cell(q)


def unlisted_object(q: Question) -> Answer | None:
    """"就业补助资金": a fund the document does not list, next to a name it does: never the nearest figure."""
    other = other_object(q.view, q.text, q.hits)
    if not other:
        return None
    good = q.good
    options = list(dict.fromkeys(q.view.suggestion(r.query, r.hit.entity) for r in good[:3]))[:2]
    return Answer("clarify", f"本文件没有单列“{other}”。您是不是想问：\n" + "\n".join(f"· {s}" for s in options),
                  score=round(good[0].score, 1), suggestions=options, tier="clarify")


def several_subjects(q: Question) -> Answer | None:
    """"办公费和水费各多少", "取暖费是办公费的几倍"."""
    if replies.CONJUNCTION.search(q.text) or "倍" in q.text:
        return replies.several(q.view, q.found, q.text)
    return None


def close_rivals(q: Question) -> Answer | None:
    """The best readings are close and name different things: ask which, with buttons."""
    good = q.good
    options = rivals(q.view, good)
    if not options:
        return None
    return Answer("clarify", "您想问的是哪一项？请选择：\n" + "\n".join(f"· {s}" for s in options),
                  score=round(good[0].score, 1), suggestions=options, tier="clarify")


def something_else(q: Question) -> Answer | None:
    """The question names something no reading has ("月嫂培训" beside 培训费): not the neighbouring figure."""
    other = about_something_else(q.view.shared, q.norm.text, q.hits, q.view.library.loaded_regions(), q.norm.raw)
    if not other:
        return None
    best = q.good[0]
    return replies.out_of_scope(q.view, f"本文件没有单列“{other}”的数字", [best.hit])


def best_with_rows(q: Question) -> Answer | None:
    """The best reading whose query finds rows (an item with no 明细 falls through to its definition)."""
    good, view = q.good, q.view
    best = good[0]
    for r in good:
        if best.score - r.score > FALLBACK_MARGIN:
            break
        if r.hit.entity.key != best.hit.entity.key and container(r.hit, q.norm.text, [best.hit]):
            continue  # "…基本支出中办公费": where the subject is said to be is not the subject that has no rows
        if r.query.aspects[0] != best.query.aspects[0] and not view.rows(best.query, best.hit.entity):
            # "机关运行经费支出" where no table prints it: the prose's figure, before the term's definition.
            said = replies.from_narrative(view, best, best.query.aspects[0]) or later_tiers(q)
            if said is not None:
                return said
        rows = view.rows(r.query, r.hit.entity)
        if rows:
            missing = unserved(view, r.query, q.aspects, q.text, rows[0])
            if missing:
                # "行政运行比去年少多少" when the table holds only this year: never the neighbouring answer.
                return (last_year(q) or replies.from_narrative(view, r, missing) or later_tiers(q)
                        or replies.uncovered(view, q.found, q.aspects))
            return view.run(r.query, r.hit.entity, r.score, rows, q.frame, q.text)
    return None


def empty_result(q: Question) -> Answer | None:
    """An empty result that says something ("没有下级明细")."""
    best = q.good[0]
    return view_run(q, best) if "empty" in best.query.template else None


def view_run(q: Question, r: Reading) -> Answer:
    """Run a reading's query with no rows to shape (its template's empty line)."""
    return q.view.run(r.query, r.hit.entity, r.score)


def last_resort(q: Question) -> Answer:
    """The document's own sentence about the subject, another tier, or what it does not say."""
    good, view = q.good, q.view
    return (last_year(q) or replies.from_narrative(view, good[0], q.aspects.found[0] if q.aspects.found else "amount")
            or later_tiers(q) or replies.uncovered(view, q.found, q.aspects))


STEPS: tuple[Step, ...] = (subjects, beyond_the_document, not_a_budget_question, belongs, listed_item, read,
                           a_prose_measure, a_cell,
                           no_reading, unlisted_object, several_subjects, something_else, close_rivals, best_with_rows,
                           empty_result)


def one(view: DocView, norm: Normalized, ctx: Context, clause: bool = False) -> Answer:
    """Answer one clause: the steps in order, the first Answer wins."""
    q = Question(view, norm, ctx, clause)
    ans = next((a for step in STEPS if (a := step(q)) is not None), None) or last_resort(q)
    if ans.status == "answer" and "reason" in q.aspects.found and not REASONISH.search(ans.body):
        # "预算为什么增加" answered with how much it grew: the document's own reason, or say it gives none.
        why = answer_sentence(q)
        if why is not None and why.body not in ans.body:
            ans = Answer("answer", f"{ans.body.splitlines()[0]}\n{why.body}", ans.query, ans.params, ans.score,
                         ans.facts, ans.suggestions, ans.subject, source="；".join(filter(None, (ans.source, why.source))),
                         tier=ans.tier or why.tier)
        else:
            ans.body += "\n（文件没有写明原因。）"
    measure = measure_asked(q) if ans.status == "answer" else None
    if measure and not gives_measure(ans, measure):
        # "有几辆一般公务用车" answered with 公务用车 money: a count asked is not answered with another figure.
        return replies.uncovered(view, q.found, q.aspects) if q.found else replies.unknown(
            view, "这个问题在本预算公开文件中找不到对应的内容。")
    return ans


def answer_here(view: DocView, question: str, ctx: Context) -> Answer:
    """Answer one question from one document (greetings, language, clauses, then the steps)."""
    if not isinstance(question, str) or not question.strip():
        return replies.unknown(view, "请输入一个关于预算的问题。")
    norm = view.normalize(question.replace(f"{view.doc.year - 1}年", "上年"))
    bare = re.sub(r"[\W_]+", "", norm.raw)
    helpwords = view.words.get("help", {})
    if bare in helpwords.get("greetings", []):
        return replies.unknown(view, "您好！")
    if bare in helpwords.get("thanks", []):
        return replies.unknown(view, "不客气！还有什么想问的？")
    if not norm.text:
        return replies.unknown(view, "没有看懂这个问题。")
    if re.search(r"[a-z]{3,}.*[a-z]{3,}", norm.raw) and not re.search(r"[\u4e00-\u9fff]", norm.raw):
        return replies.unknown(view, "本机器人读中文问题，请用中文提问，例如下面的按钮。")
    # "采购1662万合理吗" asks an opinion (a procedure, a detail), not 是/不是: the scope step answers it
    stated = None if scope_reason(norm.raw, view.scope, None) else stated_figure(norm.raw)
    if stated:
        # "三公经费是6万吗": the question without its figure, then 是/不是.
        ans = verdict(one(view, view.normalize(stated[2]), ctx), stated[0], stated[1])
    else:
        clauses = [c for c in (view.normalize(p) for p in split_parts(norm.raw)) if c.text]
        ans = _clauses(view, clauses, ctx) if len(clauses) > 1 else None
        ans = ans or one(view, norm, ctx)
    if not ans.items and ans.subject and ans.subject in ctx.items:
        ans.items = ctx.items  # "第二个…", then "第三个呢": the list stays the one the chat was shown
    ans.document, ans.document_id = view.doc.label, view.doc.id
    ans.documents = (view.doc.id,)
    ans.url = view.doc.url
    return settle(ans)


DECLINE = re.compile(r"^(本文件没有|本文件未|这个问题在本|没有载入|文件没有列出|无法回答|找不到|您想问的是哪一项|"
                     r"这个问题可能涉及|问题里的单位名称)")


def settle(ans: Answer) -> Answer:
    """A reply's status agrees with its text: one that declines or asks is never an answer."""
    if ans.status == "answer" and DECLINE.search(ans.body.strip()):
        ans.status = "clarify" if ans.suggestions and "请选择" in ans.body else "unknown"
        ans.facts = []
    return ans


def _clauses(view: DocView, clauses: list[Normalized], ctx: Context) -> Answer | None:
    """"法律顾问费一年多少，聘期几年": each clause answered, later ones about the subject of the first."""
    answers: list[Answer] = []
    seen: set[tuple] = set()
    for k, clause in enumerate(clauses):
        ans = one(view, clause, ctx, clause=k > 0)
        key = (ans.query, ans.subject, ans.body)
        if key in seen:
            continue
        seen.add(key)
        answers.append(ans)
        if ans.subject:
            ctx = Context(ans.subject, ans.items, ctx.document, ctx.ranked, ctx.query)
    answered = [a for a in answers if a.status == "answer"]
    if len(answers) < 2 or not answered:
        return None
    # "我是忻州的一名退休职工，…，退休费安排了多少": what comes before the first answered clause is the asker's
    # preamble, not a question the reply must decline.
    first = answers.index(answered[0])
    answers = [a for k, a in enumerate(answers) if k >= first or not a.body.startswith(NOTHING_READ)]
    if len(answers) == 1:
        return answers[0]
    # What was answered first, then one line for each part the document does not answer.
    answers = [a for a in answers if a.status == "answer"] + [a for a in answers if a.status != "answer"]
    text = "\n\n".join(a.body if a.status == "answer" else a.body.split("\n", 1)[0] for a in answers)
    sources = "；".join(dict.fromkeys(a.source for a in answered if a.source))
    return Answer("answer", cap(text, MAX_REPLY), ",".join(a.query or "" for a in answered),
                  {"parts": [a.params for a in answered]}, answered[0].score,
                  [f for a in answered for f in a.facts], [s for a in answers for s in a.suggestions][:3],
                  subject=answered[-1].subject, source=sources, tier=answered[0].tier)
