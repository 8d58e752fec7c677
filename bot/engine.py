"""The answer engine: a question in, a cited Answer out. No Telegram here."""
from __future__ import annotations

import copy
import re
import sqlite3
import threading

from rapidfuzz import fuzz

from . import paths, store
from .across import across, without_place
from .answers import Answer
from .catalog import Query, load_catalog, load_vocabulary
from .choose import Chooser, fits
from .compose import attribute_reply, cap, main_value, pick_reply, premise, rank_reply, rows_reply
from .documents import Doc, load_docs, region_names, resolve
from .format import amount
from .match import aspect_words, find_aspects, find_subjects, out_of_scope
from .normalize import PUNCT, Normalized, normalize
from .replies import CONJUNCTION, MAX_REPLY, Replies
from .understand import Context, Frame, frame_of, membership, scope_reason, split_parts
from .vocab import Entity, Vocabulary, comparable, load_charmap
from .vocab import load_vocabulary as load_entities

__all__ = ["Answer", "Engine", "answer", "get_engine"]

MIN_SCORE = 60.0
DOCUMENT_PHRASES = {"target", "project", "catalog", "department", "term"}
FALLBACK_MARGIN = 15.0
PRONOUN = re.compile(r"^(它|其|这个|这项|该项|那个|那项|这笔|那笔|该笔|此项)")


class Engine(Chooser, Replies):
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
        if res.spans and ctx.subject and not re.sub(r"^(那么|那|还有|再看|另外)|的$", "", self._normalize(rest).text):
            rest = ctx.subject.split("|", 1)[1]  # "那福利院呢": the last subject, in the document now named
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
            quoted_ = next((self._from_narrative(r, aspects.found[0]) for r in readings[:1]
                            if aspects.found and r.hit.score >= 90), None)
            return quoted_ or self._uncovered(readings, aspects)
        other = self._other_object(text, hits)
        if other:
            # "就业补助资金": a fund the document does not list, next to a name it does (就业). Never answer
            # with the nearest figure; offer the reading we have instead.
            options = list(dict.fromkeys(self.suggestion(r.query, r.hit.entity) for r in good[:3]))[:2]
            return Answer("clarify", f"本文件没有单列“{other}”。您是不是想问：\n" + "\n".join(f"· {s}" for s in options),
                          score=round(good[0].score, 1), suggestions=options)
        if CONJUNCTION.search(text) or "倍" in text:
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

    def _known_body(self, name: str) -> bool:
        """Whether a body or place name is this document's unit (or where it is)."""
        doc = self.vocab.document
        return any(name in n or n.endswith(name) for n in (doc["unit"], *self.unit_names)) or name in doc["unit"]

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
                if fits(q, e):
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
                done = attribute_reply(query, rows, asked, frame.yes_no, year, entity.name, frame.exists)
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
