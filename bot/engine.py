"""The answer engine: a question in, a cited Answer out. No Telegram here."""
from __future__ import annotations

import copy
import re
import sqlite3
import threading
from dataclasses import asdict, dataclass, field

from rapidfuzz import fuzz

from . import paths, store
from .catalog import Query, load_catalog, load_vocabulary
from .compose import attribute_reply, cap, combine, main_value, pick_reply, premise, quoted, rank_reply, rows_reply
from .format import Fact, amount
from .match import Aspects, Hit, aspect_words, find_aspects, find_subjects, out_of_scope
from .normalize import PUNCT, Normalized, normalize
from .understand import Context, Frame, frame_of, membership, scope_reason, split_parts
from .across import without_place, across
from .documents import Doc, load_docs, region_names, resolve
from .vocab import Entity, Vocabulary, comparable, load_charmap
from .vocab import load_vocabulary as load_entities

MAX_REPLY = 4000
CLARIFY_MARGIN = 6.0
MIN_SCORE = 60.0
DEFAULT_SUBJECT_SCORE = 75.0
FOLLOW_UP_SCORE = 90.0
PART_NAMED = 15.0
DOCUMENT_PHRASES = {"target", "project", "catalog", "department", "term"}
FALLBACK_MARGIN = 15.0
SEVERAL_MIN = 35.0  # a subject named beside another is answered by its best reading, even a weak one
# A follow-up is short or says it continues ("那…", "…呢"); a full question never inherits the last subject.
ELLIPTICAL = re.compile(r"^\W*(那|那么|那个|还有|再|另外|它|其|这个|这项)|呢\W*$")
# Aspects whose answer a neighbouring figure never gives: asked and not served, the reply says so instead.
NEIGHBOURING = {"change", "last_year", "reason"}
PRONOUN = re.compile(r"^(它|其|这个|这项|该项|那个|那项|这笔|那笔|该笔|此项)")
CONJUNCTION = re.compile(r"和|与|及|跟|、|还有|以及|分别|各|(?<!增|参|追)加(?!总)|比|减|占")


@dataclass
class Answer:
    """A reply: status answer|clarify|unknown, its text, and what it rests on."""

    status: str
    text: str
    query: str | None = None
    params: dict = field(default_factory=dict)
    score: float = 0.0
    facts: list[Fact] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    subject: str | None = None
    items: tuple[str, ...] = ()  # the subjects a list reply named, in order, for "第二个呢"
    document: str = ""  # the document answered from: unit, year, 预算|决算
    document_id: int | None = None

    def to_dict(self) -> dict:
        """The answer as plain JSON-ready data."""
        return asdict(self)

    @property
    def context(self) -> Context:
        """What a conversation keeps after this answer, to pass back with the next question."""
        return Context(self.subject, self.items, self.document_id)


@dataclass(frozen=True)
class Reading:
    """One way to understand a question: a query, the entity it is about, and how well it fits."""

    query: Query
    hit: Hit
    score: float


class Engine:
    """Vocabulary, queries and a read-only connection, loaded once; answer() is then pure lookup."""

    def __init__(self, conn: sqlite3.Connection, queries: dict[str, Query], words: dict,
                 default_source: str = "") -> None:
        self.conn = conn
        self.queries = queries
        self.words = words
        self.lock = threading.Lock()
        rows = [dict(r) for r in conn.execute("select * from documents order by id")]
        self.docs: list[Doc] = load_docs(rows)
        # The default document: the project's own (default_source) when loaded, else the first.
        self.default_id = next((r["id"] for r in rows if r["source_file"] == default_source), rows[0]["id"])
        self.charmap = load_charmap(conn)
        self._views: dict[int, Engine] = {}
        self._views_lock = threading.Lock()
        self._set_document(self.default_id)
        # Measured against the alternatives in bench/bench_scorers.py: token_* scorers see one "token" in
        # unsegmented Chinese, and partial_ratio rewards any short skeleton inside a long one.
        self.skeleton_scorer = fuzz.ratio
        attribute_words = sorted({w for q in queries.values() for spec in q.attributes.values() for w in spec["words"]})
        self.aspect_pairs = aspect_words(dict(words["aspects"], attribute=dict(words["aspects"]["attribute"],
                                                                                words=attribute_words)))
        self.context_words = sorted(words.get("scope", {}).get("context", []), key=len, reverse=True)
        self.skeletons = {qid: [self._skeleton(p, q) for p in q.phrasings] for qid, q in queries.items()}
        self.attribute_words = {f"{qid}.{k}": spec["words"] for qid, q in queries.items() for k, spec in q.attributes.items()}
        amount(1.0)  # babel loads its locale data on first use: pay that at start-up, not on a user's question

    def _set_document(self, doc_id: int) -> None:
        """Point this engine at one document: its vocabulary and its unit's names."""
        self.vocab: Vocabulary = load_entities(self.conn, self.words, doc_id, self.charmap)
        self.doc = next(d for d in self.docs if d.id == doc_id)
        # The unit's own names say nothing about the subject (the document is about that unit); "社会保障" in
        # "人力资源和社会保障局" must not read as 社会保障和就业支出.
        loaded = {n for d in self.docs for n in region_names(d.region)}
        scope = dict(self.words.get("scope", {}))
        scope["places"] = [p for p in scope.get("places", []) if p not in loaded]
        self.scope = scope
        names = {*self.doc.names, *scope.get("unit_names", [])}
        self.unit_names = tuple(sorted(names, key=len, reverse=True))
        defaults = [f"topic:{t}" for t in self.scope.get("default_topics", [])]
        self.default_subjects = [e for e in self.vocab.entities if e.kind in defaults]
        self.by_name: dict[str, list[Entity]] = {}
        for e in sorted(self.vocab.entities, key=lambda e: -e.priority):
            self.by_name.setdefault(e.name, []).append(e)
        self._views[doc_id] = self

    @property
    def title(self) -> str:
        """The document's published title, with its unit when the title does not name it."""
        t = self.vocab.document.get("title") or ""
        scope = self.vocab.document.get("scope") or ""
        return t if self.doc.unit in t else f"{self.doc.unit}{self.doc.year}年{scope}{self.doc.stage}"

    def view(self, doc_id: int) -> "Engine":
        """The engine for one loaded document (built on first use; queries, words and skeletons are shared)."""
        with self._views_lock:
            found = self._views.get(doc_id)
            if found is None:
                found = copy.copy(self)
                found._set_document(doc_id)
            return found

    # -- understanding ------------------------------------------------------------------------------------------
    def _skeleton(self, question: str, query: Query) -> str:
        """A phrasing with its subject (an entity this query is about) replaced by X."""
        text = normalize(question, self.vocab.simplify, self.unit_names).text
        hits = find_subjects(text, self.vocab, fuzzy=False)
        pool = [h for h in hits if _fits(query, h.entity)] or hits
        if not pool:
            return text
        best = max(pool, key=lambda h: (h.score, h.end - h.start))
        return text[: best.start] + "X" + text[best.end:]

    def readings(self, question: str, previous: str | None = None, hits: list[Hit] | None = None,
                 norm: Normalized | None = None, clause: bool = False) -> tuple[list[Reading], Aspects, str]:
        """Every (query, subject) reading of a question, best first, with the aspects found.

        previous is the subject key of the last answer in a conversation, for follow-ups ("那去年呢？").
        """
        norm = norm or normalize(question, self.vocab.simplify, self.unit_names)
        hits = find_subjects(norm.text, self.vocab) if hits is None else hits
        masked = norm.text
        for h in hits:
            # Topic surfaces are everyday words ("多少辆", "负责什么"): they still say what is asked.
            if h.score >= 90 and (not h.entity.kind.startswith("topic:") or h.end - h.start == len(masked)):
                masked = masked[: h.start] + "\x00" * (h.end - h.start) + masked[h.end:]
        aspects = find_aspects(masked, self.aspect_pairs)
        if clause and previous in self.vocab.by_key and self._category_only(hits, self.vocab.by_key[previous]):
            hits = []  # "…多少，是延续性项目吗": a bare category word in a later clause is the same subject
        if not hits and (aspects.found or clause) and (clause or len(self._residue(norm.text)) <= 2):
            if previous in self.vocab.by_key and (clause or ELLIPTICAL.search(norm.raw) or len(norm.text) <= 6):
                # A follow-up names only what it asks: it is about the last subject.
                hits = [Hit(self.vocab.by_key[previous], "", 0, 0, FOLLOW_UP_SCORE)]
            else:
                # "比上年增长多少", "你们单位是干什么的": nothing named but what is asked, so the unit as a whole.
                hits = [Hit(e, "", 0, 0, DEFAULT_SUBJECT_SCORE) for e in self.default_subjects]
        named = {h.entity.kind for h in hits if h.score >= 90}
        out: list[Reading] = []
        for q in self.queries.values():
            if self.doc.stage not in q.stages or q.fallback:
                continue
            for h in hits:
                if not _fits(q, h.entity):
                    continue
                skel = norm.text[: h.start] + "X" + norm.text[h.end:]
                sim = max((self.skeleton_scorer(skel, s) for s in self.skeletons[q.id]), default=0)
                score = self._score(q, h, aspects, sim)
                if named & set(h.entity.attrs.get("parts", ())):
                    score -= PART_NAMED  # "三公经费里公车…": the part named is the subject, not the whole
                out.append(Reading(q, h, score))
        out.sort(key=lambda r: (-r.score, -r.hit.entity.priority, -(r.hit.end - r.hit.start)))
        return out, aspects, norm.text

    def _category_only(self, hits: list[Hit], previous: Entity) -> bool:
        """Whether every subject found is only a category the previous subject belongs to (or nothing)."""
        return all(previous.kind in h.entity.attrs.get("parts", ()) or h.score < 90 for h in hits)

    def _other_object(self, text: str, hits: list[Hit]) -> str | None:
        """A financial object named in the question outside every recognised name (资金, 基金, 补贴…), if any."""
        rest = text
        for h in sorted(hits, key=lambda h: -(h.end - h.start)):
            if h.score >= 90 and h.surface:
                rest = rest.replace(h.surface, "\x00" * len(h.surface))
        for word in self.scope.get("other_objects", []):
            pos = rest.find(word)
            if pos >= 0:
                return text[max(0, pos - 6):pos + len(word)].lstrip("的")  # as asked, with what it qualifies
        return None

    def _residue(self, text: str) -> str:
        """What is left of a question once aspect and context words are taken out."""
        for word, _, _ in self.aspect_pairs:
            text = text.replace(word, "")
        for word in self.context_words:
            text = text.replace(word, "")
        # Figures quoted back ("增加183.5万元") say nothing new; a bare code ("30101") names something.
        return re.sub(r"\d[\d.,]*(万元|万|元|%)|\d{4}年", "", text)

    def _score(self, q: Query, h: Hit, aspects: Aspects, sim: float) -> float:
        ranks = {a: self.words["aspects"][a]["rank"] for a in aspects.found}
        served = [a for a in aspects.found if a in q.aspects or (a == "attribute" and q.attributes)]
        score = h.score * 0.6 + h.entity.priority * 0.5 + sim * 0.15 + (h.end - h.start) * 1.0  # text it covers
        if served:
            score += 10 + 4 * ranks[served[0]]
            if ranks[served[0]] < aspects.top_rank:
                score -= 5 * (aspects.top_rank - ranks[served[0]])
        elif aspects.top_rank > 1:
            score -= 8 * aspects.top_rank  # asked something this query does not give
        elif q.aspects[0] == "amount" and aspects.found != ("attribute",):
            score += 10
        return score

    # -- answering ----------------------------------------------------------------------------------------------
    def answer(self, question: str, previous: Context | str | None = None) -> Answer:
        """Answer one question: a cited figure, a choice of readings, or why the documents cannot answer it.

        previous is what the conversation carries (a Context: its document and last subject; or a subject key).
        """
        ctx = Context.of(previous)
        if not isinstance(question, str) or not question.strip():
            return self._unknown("请输入一个关于预算的问题。")
        raw = normalize(question, self.vocab.simplify).raw
        current = ctx.document if any(d.id == ctx.document for d in self.docs) else self.default_id
        res = resolve(raw, self.docs, current, self._is_phrase, self.vocab.phonetics.encode)
        if res.missing:
            return self.view(current)._not_loaded(res.missing)
        rest = raw
        for s, e in sorted(res.spans, reverse=True):
            rest = rest[:s] + rest[e:]
        mixed = next((g for g in res.units if len({self._doc(i).unit for i in g}) > 1), None)
        if mixed and len(res.units) > 1:
            # "万里街道和福利院…" where 福利院 names several units: ask which, one button per unit.
            options = [f"{self._doc(i).short}{without_place(rest, self._doc(i))}" for i in mixed][:8]
            return Answer("clarify", "问题里的单位名称对应好几份文件，您问的是哪一份？", suggestions=options)
        if len(res.ids) == 1:
            doc_id = res.ids[0]
            keep = ctx if doc_id == current else Context(document=doc_id)
            ans = self.view(doc_id).answer_here(rest if res.spans else question, Context(keep.subject, keep.items, doc_id))
            return ans
        return across(self, [self.view(i) for i in res.ids], rest, res)

    def _not_loaded(self, what: str) -> Answer:
        """A unit, year or kind of document that is not loaded: say what is."""
        loaded = "、".join(d.label for d in self.docs[:8]) + ("等" if len(self.docs) > 8 else "")
        return Answer("unknown", f"没有载入“{what}”的公开文件，无法回答。已载入：{loaded}。",
                      suggestions=self.examples()[:4])

    def _doc(self, doc_id: int) -> Doc:
        return next(d for d in self.docs if d.id == doc_id)

    def _is_phrase(self, text: str) -> bool:
        """Whether a name in a question is one of the default document's own (a 科室, a project), not a unit."""
        return any(text in s or s in text for s in self.vocab.by_surface if len(s) >= 3)

    def find_document(self, name: str) -> int | None:
        """The loaded document a name (unit, short name, year) picks, if exactly one."""
        res = resolve(normalize(name, self.vocab.simplify).raw, self.docs, None, lambda t: False)
        return res.ids[0] if len(res.ids) == 1 and not res.missing else None

    def answer_here(self, question: str, previous: Context | str | None = None) -> Answer:
        """Answer one question from this engine's document."""
        ctx = Context.of(previous)
        if not isinstance(question, str) or not question.strip():
            return self._unknown("请输入一个关于预算的问题。")
        norm = self._normalize(question.replace(f"{self.doc.year - 1}年", "上年") if isinstance(question, str) else question)
        bare = re.sub(r"[\W_]+", "", norm.raw)
        helpwords = self.words.get("help", {})
        if bare in helpwords.get("greetings", []):
            return self._unknown("您好！")
        if bare in helpwords.get("thanks", []):
            return self._unknown("不客气！还有什么想问的？")
        if not norm.text:
            return self._unknown("没有看懂这个问题。")
        if re.search(r"[a-z]{3,}.*[a-z]{3,}", norm.raw) and not re.search(r"[\u4e00-\u9fff]", norm.raw):
            return self._unknown("本机器人读中文问题，请用中文提问，例如下面的按钮。")
        clauses = [c for c in (self._normalize(p) for p in split_parts(norm.raw)) if c.text]
        ans = self._clauses(clauses, ctx) if len(clauses) > 1 else None
        ans = ans or self._one(norm, ctx)
        if not ans.items and ans.subject and ans.subject in ctx.items:
            ans.items = ctx.items  # "第二个…", then "第三个呢": the list stays the one the chat was shown
        ans.document, ans.document_id = self.doc.label, self.doc.id
        return ans

    def _normalize(self, question: str) -> Normalized:
        return normalize(question, self.vocab.simplify, self.unit_names)

    def _clauses(self, clauses: list[Normalized], ctx: Context) -> Answer | None:
        """"法律顾问费一年多少，聘期几年": each clause answered, later ones about the subject of the first."""
        answers: list[Answer] = []
        seen: set[tuple] = set()
        for k, clause in enumerate(clauses):
            ans = self._one(clause, ctx, clause=k > 0)
            key = (ans.query, ans.subject, ans.text)
            if key in seen:
                continue
            seen.add(key)
            answers.append(ans)
            if ans.subject:
                ctx = Context(ans.subject, ans.items, ctx.document)
        answered = [a for a in answers if a.status == "answer"]
        if len(answers) < 2 or not answered:
            return None
        text = "\n\n".join(a.text if a.status == "answer" else a.text.split("\n", 1)[0] for a in answers)
        return Answer("answer", cap(text, MAX_REPLY), ",".join(a.query or "" for a in answered),
                      {"parts": [a.params for a in answered]}, answered[0].score,
                      [f for a in answered for f in a.facts], [s for a in answers for s in a.suggestions][:3],
                      subject=answered[-1].subject)

    def _one(self, norm: Normalized, ctx: Context, clause: bool = False) -> Answer:
        """Answer one clause: scope, then membership, then the best reading shaped by the frame."""
        hits = find_subjects(norm.text, self.vocab)
        frame = frame_of(PUNCT.sub("", norm.raw), self.attribute_words)
        # Names from the document (a target "参赛报名人数", "…市委老干部局标准化水平") are not out-of-scope words.
        unnamed = norm.text
        for h in hits:
            if h.score >= 100 and len(h.surface) >= 4 and h.entity.kind in DOCUMENT_PHRASES:
                unnamed = unnamed.replace(h.surface, "\x00")
        oos = out_of_scope(norm.raw, unnamed, self.vocab, self.scope)
        if oos:
            return self._out_of_scope(f"本文件没有关于“{oos}”的数据", hits)
        masked = unnamed
        for h in hits:
            if h.surface and h.score >= 80:
                masked = masked[: h.start] + "\x00" * (h.end - h.start) + masked[h.end:]
        # Opinions and procedures are read on the text as typed too ("合理吗" keeps its 吗 there).
        reason = (scope_reason(masked, self.scope, self._known_body)
                  or scope_reason(PUNCT.sub("", norm.raw), self.scope, None))
        if reason or (frame.per_capita and "人均" not in "".join(h.surface for h in hits)):
            return self._out_of_scope(reason or "文件没有列出人均数，也没有据以计算的人数口径", hits)
        strong = self._strong(hits)
        pair = membership(norm.text, [(h.start, h.end) for h in strong], frame.yes_no)
        if pair:
            return self._member(strong[pair[0]].entity, strong[pair[1]].entity)
        if frame.ordinal_item and ctx.items and len(ctx.items) >= frame.ordinal_item and not strong:
            ctx = Context(ctx.items[frame.ordinal_item - 1], ctx.items, ctx.document)
            hits, clause = [], True
        clause = clause or bool(PRONOUN.match(norm.text))  # "它的绩效目标呢": about the last subject
        readings, aspects, text = self.readings(norm.text, ctx.subject, hits, norm, clause)
        good = [r for r in readings if r.score >= MIN_SCORE]
        if not good:
            return self._uncovered(readings, aspects)
        other = self._other_object(text, hits)
        if other:
            # "就业补助资金": a fund the document does not list, next to a name it does (就业). Never answer
            # with the nearest figure; offer the reading we have instead.
            options = list(dict.fromkeys(self.suggestion(r.query, r.hit.entity) for r in good[:3]))[:2]
            return Answer("clarify", f"本文件没有单列“{other}”。您是不是想问：\n" + "\n".join(f"· {s}" for s in options),
                          score=round(good[0].score, 1), suggestions=options)
        if CONJUNCTION.search(text):
            several = self._several(readings, text)
            if several:
                return several
        rivals = self._rivals(good)
        if rivals:
            return Answer("clarify", "您想问的是哪一项？请选择：\n" + "\n".join(f"· {s}" for s in rivals),
                          score=round(good[0].score, 1), suggestions=rivals)
        # The best reading whose query finds rows (an item with no 明细 falls through to its definition).
        for r in good:
            if good[0].score - r.score > FALLBACK_MARGIN:
                break
            rows = self.rows(r.query, r.hit.entity)
            if rows:
                unserved = self._unserved(r.query, aspects, text, rows[0])
                if unserved:
                    # "行政运行比去年少多少" when the table holds only this year: never the neighbouring answer.
                    return self._from_narrative(r, unserved) or self._uncovered(readings, aspects)
                return self.run(r.query, r.hit.entity, r.score, rows, frame, text)
        if "empty" in good[0].query.template:  # an empty result that says something ("没有下级明细")
            return self.run(good[0].query, good[0].hit.entity, good[0].score)
        return self._from_narrative(good[0], aspects.found[0] if aspects.found else "amount") \
            or self._uncovered(readings, aspects)

    def _unserved(self, query: Query, aspects: Aspects, text: str, row: dict) -> str | None:
        """The specific thing asked (a change, last year's figure, a reason) when the query gives none of it."""
        top = [a for a in aspects.found if self.words["aspects"][a]["rank"] == aspects.top_rank]
        if aspects.top_rank < 3 or not set(top) <= NEIGHBOURING:
            return None
        served = set(query.aspects) | {s.get("aspect") for s in query.attributes.values()}
        served = {a for a in served if a not in query.needs or row.get(query.needs[a]) is not None}
        if "attribute" in aspects.found and any(w in text for s in query.attributes.values() for w in s["words"]):
            return None
        return None if served & set(top) else top[0]

    def _from_narrative(self, best: Reading, aspect: str) -> Answer | None:
        """No table holds it: the document's own sentence about the subject, quoted (fallback queries)."""
        if best.hit.score < 90 and best.hit.surface:  # a near match of a name is no ground for quoting about it
            return None
        for q in self.queries.values():
            if q.fallback and aspect in q.aspects and self.doc.stage in q.stages and _fits(q, best.hit.entity):
                rows = self.rows(q, best.hit.entity)
                if rows:
                    return self.run(q, best.hit.entity, best.score, rows)
        return None

    def _strong(self, hits: list[Hit]) -> list[Hit]:
        """Subjects named outright, one per stretch of text (the longest), in reading order."""
        out: list[Hit] = []
        for h in sorted((h for h in hits if h.score >= 90 and h.surface),
                        key=lambda h: (-(h.end - h.start), -h.entity.priority, h.start)):
            if not any(h.start < o.end and o.start < h.end for o in out):
                out.append(h)
        return sorted(out, key=lambda h: h.start)

    def _known_body(self, name: str) -> bool:
        """Whether a body or place name is this document's unit (or where it is)."""
        doc = self.vocab.document
        return any(name in n or n.endswith(name) for n in (doc["unit"], *self.unit_names)) or name in doc["unit"]

    def _out_of_scope(self, reason: str, hits: list[Hit]) -> Answer:
        """The document cannot answer this: one line why; related figures only as buttons."""
        related = []
        for h in self._strong(hits):
            best = max((q for q in self.queries.values()
                        if _fits(q, h.entity) and self.doc.stage in q.stages and not q.fallback),
                       key=lambda q: (q.aspects[0] == "amount", -len(q.aspects)), default=None)
            if best:
                related.append(self.suggestion(best, h.entity))
        text = f"{reason}。本文件是《{self.title}》，无法回答这个问题。"
        if related:
            text += "\n文件中相关的数字见下方按钮。"
        return Answer("unknown", text, suggestions=list(dict.fromkeys(related))[:3]
                      or self.examples()[:4])

    def _member(self, part: Entity, whole: Entity) -> Answer:
        """"会议费算不算三公经费": 是/不是, the whole's definition, and the part's own figure."""
        members = [self.queries[q] for q, _ in whole.attrs.get("members", ()) if q in self.queries]
        # 住房公积金 is a 功能科目 and an 经济科目: "…属于人员经费吗" asks about the one the whole is made of.
        part = next((e for e in self.by_name.get(part.name, []) if any(_fits(q, e) for q in members)), part)
        yes = self._contains(whole, part)
        verdict = f"{'属于' if yes else '不属于'}。{part.name}{'是' if yes else '不是'}{whole.name}的组成部分。"
        lines, facts, sources = [verdict], [], []
        term = self._term(whole)
        if term:
            d = self.run(self.queries["glossary_term"], term)
            lines.append(d.text.split("\n来源：")[0])
            sources.append(d.text.rsplit("来源：", 1)[-1])
        own = self._amount_answer(part)
        if own:
            lines.append(own.text.split("\n")[0])
            facts += own.facts
            sources.append(own.text.rsplit("来源：", 1)[-1])
        text = "\n".join(lines) + "\n来源：" + "；".join(dict.fromkeys(sources))
        return Answer("answer", cap(text, MAX_REPLY), "membership", {"part": part.key, "whole": whole.key}, 100.0,
                      facts, subject=part.key)

    def _contains(self, whole: Entity, part: Entity) -> bool:
        for qid, fieldname in whole.attrs.get("members", ()):
            # "办公费属于公用经费吗": the part's own row says which column it is in.
            if qid in self.queries and _fits(self.queries[qid], part):
                return any(r.get(fieldname) not in (None, 0) for r in self.rows(self.queries[qid], part))
        parts = set(whole.attrs.get("parts", ()))
        if part.kind in parts or f"topic:{part.attrs.get('topic', '')}" in parts:
            return True
        if part.kind == whole.kind and part.attrs.get("code") and whole.attrs.get("code"):
            return part.attrs["code"].startswith(whole.attrs["code"]) and part.attrs["code"] != whole.attrs["code"]
        return whole.name in part.attrs.get("parents", ())

    def _term(self, entity: Entity) -> Entity | None:
        plain = re.sub(r"[“”\"]", "", entity.name)
        return next((e for e in self.vocab.entities if e.kind == "term" and e.name in (plain, entity.name)), None)

    def _amount_answer(self, entity: Entity) -> Answer | None:
        for q in self.queries.values():
            if _fits(q, entity) and q.aspects[0] == "amount":
                rows = self.rows(q, entity)
                if rows:
                    return self.run(q, entity, 100.0, rows)
        return None

    def _several(self, readings: list[Reading], text: str) -> Answer | None:
        """"办公费和水费": two or three subjects named outright, each answered by its best reading."""
        best: dict[str, Reading] = {}
        for r in readings:  # best first
            if r.hit.score >= 100 and r.hit.surface and r.score >= SEVERAL_MIN:
                best.setdefault(r.hit.entity.key, r)
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
        if not all(CONJUNCTION.search(j) or (listed and not j) for j in joins):
            return None  # "和" inside a name ("人力资源和社会保障管理事务…项目") joins nothing
        parts = [self.run(r.query, r.hit.entity, r.score) for r in picked]
        facts = [f for p in parts for f in p.facts]
        values = [main_value(p.facts) for p in parts]
        names = [p.subject.split("|", 1)[1] for p in parts]
        # joins[0]: "比" in "A比B多多少", "占" in "A占B的比例"
        derived = combine(values, names, text, joins[0]) if None not in values else None
        if derived and "占" in joins[0] and amount(values[1]) in parts[0].text:
            return None  # "福利费占基本支出比例": the first answer already gives that share
        if derived:
            # The figures used, each with its source, then the arithmetic.
            mains = [next(f for f in p.facts if f.unit == "万元") for p in parts]
            lines = [f"· {n}：{amount(m.value)}（来源：{m.source}）" for n, m in zip(names, mains)]
            reply = "\n".join(lines + [derived[0]])
            facts = mains + [derived[1]]
        else:
            reply = "\n\n".join(p.text for p in parts)
        return Answer("answer", cap(reply, MAX_REPLY), ",".join(p.query for p in parts),
                      {"readings": [p.params for p in parts]}, round(picked[0].score, 1), facts,
                      subject=parts[-1].subject)

    def _uncovered(self, readings: list[Reading], aspects: Aspects) -> Answer:
        """A clear subject asked about something the document does not say: say so; what it does say is a button."""
        clear = [r for r in readings if r.hit.score >= 90 and r.query.aspects[0] in ("amount", "info", "definition")]
        if not clear or not aspects.found:
            return self._unknown("这个问题在本预算公开文件中找不到对应的内容。")
        best = max(clear, key=lambda r: (r.hit.score, r.hit.entity.priority, r.query.aspects[0] == "amount", r.score))
        if aspects.found[0] == "definition" and "list" in best.query.aspects:
            return self.run(best.query, best.hit.entity, best.score)  # "经费来源是什么": what it holds
        asked = self.words["aspects"][aspects.found[0]].get("label", aspects.found[0])
        return Answer("unknown", f"本文件没有列出{quoted(best.hit.entity.name)}的{asked}"
                                 f"（《{self.title}》）。文件中关于它的数字见下方按钮。",
                      score=round(best.score, 1), suggestions=[self.suggestion(best.query, best.hit.entity)],
                      subject=best.hit.entity.key)

    def _rivals(self, readings: list[Reading]) -> list[str]:
        """Suggestions when the best readings are close and name different things."""
        best = readings[0]
        close = [r for r in readings if best.score - r.score <= CLARIFY_MARGIN]
        names = []
        for r in close:
            if r.hit.surface == best.hit.surface and r.hit.entity.kind != best.hit.entity.kind:
                continue  # one surface, several kinds: priority decides (住房公积金)
            if r.hit.entity.name == best.hit.entity.name and r.query.id != best.query.id:
                continue  # the aspect decides between queries on the same subject
            s = self.suggestion(r.query, r.hit.entity)
            if s not in names:
                names.append(s)
        return names[:3] if len(names) > 1 else []

    def suggestion(self, query: Query, entity: Entity) -> str:
        """A question that routes to this reading unambiguously."""
        template = query.suggest or "{name}"
        name = entity.name
        if entity.kind == "function" and entity.attrs.get("code"):
            # A name printed under several codes is asked by its code alone ("2012902预算多少").
            name = entity.attrs["label"] if entity.attrs["label"] == entity.name else ""
        return template.format(name=name, code=entity.attrs.get("code", ""), title=query.title)

    def examples(self) -> list[str]:
        """Example questions for this document: the project's own for the default one, else ones any document answers."""
        help_words = self.words.get("help", {})
        if self.doc.id == self.default_id:
            return list(help_words.get("examples", []))
        return list(help_words.get("any_document", []))

    def all_suggestions(self) -> list[str]:
        """Every question this engine may offer as a button (so button ids stay valid across restarts)."""
        out = list(self.words.get("help", {}).get("examples", []))
        for q in self.queries.values():
            if self.doc.stage not in q.stages or q.fallback:
                continue
            for e in self.vocab.entities:
                if _fits(q, e):
                    out.append(self.suggestion(q, e))
        return list(dict.fromkeys(out))

    def glossary_questions(self) -> list[str]:
        """“什么是…” for every top-level term of the 名词解释."""
        with self.lock:
            terms = [r[0] for r in self.conn.execute(
                "select term from glossary where document_id = ? and parent = '' order by seq", (self.vocab.document["id"],))]
        return [f"什么是{t}" for t in terms]

    def _params(self, query: Query, entity: Entity) -> dict:
        values = {"subject.name": entity.name, "document.id": self.vocab.document["id"]}
        values.update({f"subject.{k}": v for k, v in entity.attrs.items()})
        out = {}
        for name, src in query.params.items():
            out[name] = values.get(src, src[len("value:"):] if src.startswith("value:") else None)
        return out

    def topic(self, kind: str) -> Entity:
        """The entity of a topic kind ("topic:checks"), for queries run without a question."""
        return next(e for e in self.vocab.entities if e.kind == kind)

    def rows(self, query: Query, entity: Entity) -> list[dict]:
        """A canned query's result rows for an entity."""
        with self.lock:
            return [dict(r) for r in self.conn.execute(query.sql, self._params(query, entity))]

    def run(self, query: Query, entity: Entity, score: float = 100.0, rows: list[dict] | None = None,
            frame: Frame | None = None, text: str = "") -> Answer:
        """Run a query for an entity and render its answer, shaped by what the question asks (frame)."""
        params = self._params(query, entity)
        rows = self.rows(query, entity) if rows is None else rows
        year = f"{self.doc.year}|{self.doc.stage}"
        done = None
        suggestions: list[str] = []
        if frame and rows:
            found = find_aspects(text, self.aspect_pairs).found
            asked = [(k, w) for k, spec in query.attributes.items() for w in spec["words"] if w in text]
            asked += [(k, "") for k, spec in query.attributes.items() if spec.get("aspect") in found]
            asked = list({k: (k, w) for k, w in asked}.values())[:2]
            if asked:
                done = attribute_reply(query, rows, asked, frame.yes_no, year, entity.name)
            elif query.template.get("pick") and (done := pick_reply(query, rows, text, {entity.name, *entity.surfaces}, year)):
                pass
            elif frame.rank and {"max", "min"} & set(query.aspects):
                done = rank_reply(query, rows, frame.rank, year)
                suggestions = [self.suggestion(query, entity)] if done else []
        done = done or rows_reply(query, rows, entity.name, year)
        body = done.body
        if frame and rows:
            body = premise(rows[0], frame.direction, entity.name) + body
            main = main_value(done.facts)
            if frame.exists and main is not None and not frame.attributes:
                body = ("有。" if main else "没有。") + body
        source = f"\n来源：{self.doc.short}·{done.source}" if done.source else ""
        items = self._items(rows) if len(rows) > 1 else ()
        return Answer("answer", cap(body, MAX_REPLY - len(source)) + source, query.id, params, round(score, 1),
                      done.facts, suggestions, subject=entity.key, items=items)

    def _items(self, rows: list[dict]) -> tuple[str, ...]:
        """The subjects a list reply names, in order (for "第二个是干什么的")."""
        out = []
        for r in rows:
            name = str(r.get("label") or r.get("name") or "")
            ents = self.by_name.get(name) or self.vocab.by_surface.get(comparable(name, self.vocab.simplify), [])
            if ents:
                out.append(max(ents, key=lambda e: e.priority).key)
        return tuple(out)

    def _unknown(self, why: str) -> Answer:
        examples = self.examples()
        projects = sum(e.kind == "project" for e in self.vocab.entities)
        kinds = {e.kind for e in self.vocab.entities}
        has = ["收支总额", "收支各表", "功能科目", "经济科目", "“三公”经费"]
        has += [f"{projects}个项目及其绩效目标"] if projects else []
        has += ["内设机构和编制"] if "department" in kinds else []
        has += ["名词解释"] if "term" in kinds else []
        msg = f"{why}\n我能回答《{self.title}》中的内容：{'、'.join(has)}。"
        return Answer("unknown", msg, suggestions=examples[:4])


def _fits(query: Query, entity: Entity) -> bool:
    return entity.kind in query.subject


_engine: Engine | None = None
_engine_lock = threading.Lock()


def get_engine() -> Engine:
    """The process-wide engine, loaded on first use (building the database if needed)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            conn = store.connect()
            _engine = Engine(conn, load_catalog(paths.QUERIES), load_vocabulary(paths.QUERIES), paths.DEFAULT_SOURCE)
        return _engine


def answer(question: str, previous: Context | str | None = None) -> Answer:
    """Answer one Chinese question about the disclosure (previous: the conversation so far, for follow-ups)."""
    return get_engine().answer(question, previous)
