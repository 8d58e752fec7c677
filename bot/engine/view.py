"""One document as the answer steps see it: its names over the shared vocabulary, its scope words, and running a
canned query for it. Cheap to build (a few small SQL reads); kept in a bounded cache by the engine."""
from __future__ import annotations

import re

from rapidfuzz import fuzz

from ..answers import Answer
from ..catalog import Query
from ..compose import attribute_reply, cap, main_value, pick_reply, premise, rank_reply, rows_reply
from ..format import Fact
from ..match import find_aspects
from ..normalize import Normalized, label_key, normalize
from ..understand import Frame
from ..vocab import Entity, Lexicon, comparable, read_local_vocabulary
from .library import Doc, Library
from .shared import Shared

MAX_REPLY = 4000
MIN_START, MAX_START = 4, 12  # characters of a name's beginning that identify it as a name (not a unit)
SAME_ITEM = 80  # rapidfuzz ratio: two documents' names for one 经济科目 code (…保险费 / …保险缴费)
STAGE_TAILS = ("预算数", "决算数", "预算", "决算")


def fits(query: Query, entity: Entity) -> bool:
    """Whether a query is about entities of this kind."""
    return entity.kind in query.subject


class DocView:
    """A document with everything needed to answer about it (see the module docstring)."""

    def __init__(self, shared: Shared, library: Library, doc: Doc) -> None:
        self.shared, self.library, self.doc = shared, library, doc
        self.queries, self.words = shared.queries, shared.words
        with shared.lock:
            self.row = dict(shared.conn.execute("select * from documents where id = ?", (doc.id,)).fetchone())
            local = read_local_vocabulary(shared.conn, shared.words, doc.id, shared.charmap)
        self.vocab = Lexicon(shared.vocab, local)
        scope = dict(self.words.get("scope", {}))
        loaded = library.loaded_regions()
        scope["places"] = [p for p in scope.get("places", []) if p not in loaded]
        self.scope = scope
        self.unit_names = tuple(sorted({*doc.names, *scope.get("unit_names", [])}, key=len, reverse=True))
        self.default_subjects = shared.default_subjects  # topics: the same in every document

    def named(self, name: str) -> list[Entity]:
        """The entities with this exact name, strongest kind first (this document's, then the shared ones)."""
        local = self.vocab.parts[0]
        mine = [e for e in local.entities if e.name == name] if name in self._local_names() else []
        return sorted(mine, key=lambda e: -e.priority) + [e for e in self.shared.by_name.get(name, ())
                                                         if e.key not in local.by_key]

    def _local_names(self) -> frozenset[str]:
        found = getattr(self, "_names", None)
        if found is None:
            found = self._names = frozenset(e.name for e in self.vocab.parts[0].entities)
        return found

    # -- the document --------------------------------------------------------------------------------------------
    @property
    def title(self) -> str:
        """The document's published title, with its unit when the title does not name it."""
        t = self.row.get("title") or ""
        return t if self.doc.unit in t else f"{self.doc.unit}{self.doc.year}年{self.row.get('scope') or ''}{self.doc.stage}"

    def normalize(self, question: str) -> Normalized:
        """A question normalised with this document's unit names dropped."""
        return normalize(question, self.shared.simplify, self.unit_names)

    def is_phrase(self, text: str) -> bool:
        """Whether a name in a question is one of the document's own (a 科室, a project), not a unit."""
        local = self.vocab.parts[0]
        if any(text in s or s in text for s in local.by_surface if len(s) >= 3):
            return True
        # A name any document prints ("援助其他地区支出", "离退休支部活动室…") holds the name, or goes on from its
        # end ("请问离退休支部" + "活动室…"): not a place or unit.
        tails = [text[k:] for k in range(max(0, len(text) - MAX_START), len(text) - MIN_START + 1)]
        rows = row_names(self.shared.vocab)
        return any(t in starts for starts in (name_starts(local.by_surface), name_starts(rows)) for t in tails) \
            or any(text in s for s in rows if len(s) > len(text))

    def known_body(self, name: str) -> bool:
        """Whether a body or place name is this document's unit (or where it is)."""
        unit = self.doc.unit
        return any(name in n or n.endswith(name) for n in (unit, *self.unit_names)) or name in unit

    def examples(self) -> list[str]:
        """Example questions this document answers (tried: each one routes to a canned query with rows)."""
        help_words = self.words.get("help", {})
        if self.doc.id == self.library.default_id:
            return list(help_words.get("examples", []))
        return list(help_words.get("any_document", []))

    def all_suggestions(self) -> list[str]:
        """Every question this document may offer as a button (so button ids stay valid across restarts)."""
        out = list(self.words.get("help", {}).get("examples", []))
        for q in self.queries.values():
            if self.doc.stage not in q.stages or q.fallback:
                continue
            for e in self.vocab.entities:
                if fits(q, e) and self.prints(e) and (e.key in self.vocab.parts[0].by_key or self.rows(q, e)):
                    out.append(self.suggestion(q, e))
        return list(dict.fromkeys(out))

    def prints(self, entity: Entity) -> bool:
        """Whether this document has the entity: one of its own names, a topic, or a row it prints."""
        return (entity.key in self.vocab.parts[0].by_key or entity.kind.startswith("topic:")
                or label_key(entity.attrs.get("label") or entity.name) in self.printed_rows())

    def glossary_questions(self) -> list[str]:
        """“什么是…” for every top-level term of the 名词解释."""
        with self.shared.lock:
            terms = [r[0] for r in self.shared.conn.execute(
                "select term from glossary where document_id = ? and parent = '' order by seq", (self.doc.id,))]
        return [f"什么是{t}" for t in terms]

    def topic(self, kind: str) -> Entity:
        """The entity of a topic kind ("topic:checks"), for queries run without a question."""
        return next(e for e in self.shared.vocab.entities if e.kind == kind)

    def suggestion(self, query: Query, entity: Entity) -> str:
        """A question that routes to this reading unambiguously."""
        template = query.suggest or "{name}"
        name = entity.name
        if entity.kind == "function" and entity.attrs.get("code"):
            # A name printed under several codes is asked by its code alone ("2012902预算多少").
            name = entity.attrs["label"] if entity.attrs["label"] == entity.name else ""
            if not name and "{code}" not in template:
                name = entity.attrs["code"]  # "2080101包括哪些科目"
        return template.format(name=name, code=entity.attrs.get("code", ""), title=query.title)

    # -- running a canned query ----------------------------------------------------------------------------------
    def params(self, query: Query, entity: Entity) -> dict:
        """The query's parameters for an entity of this document."""
        values = {"subject.name": entity.name, "document.id": self.doc.id}
        values.update({f"subject.{k}": v for k, v in entity.attrs.items()})
        out = {}
        for name, src in query.params.items():
            out[name] = values.get(src, src[len("value:"):] if src.startswith("value:") else None)
        return out

    def rows(self, query: Query, entity: Entity) -> list[dict]:
        """A canned query's result rows for an entity."""
        with self.shared.lock:
            return [dict(r) for r in self.shared.conn.execute(query.sql, self.params(query, entity))]

    def run(self, query: Query, entity: Entity, score: float = 100.0, rows: list[dict] | None = None,
            frame: Frame | None = None, text: str = "") -> Answer:
        """Run a query for an entity and render its answer, shaped by what the question asks (frame)."""
        params = self.params(query, entity)
        rows = self.rows(query, entity) if rows is None else rows
        year = f"{self.doc.year}|{self.doc.stage}"
        done = None
        suggestions: list[str] = []
        if frame and rows:
            found = find_aspects(text, self.shared.aspect_pairs).found
            asked = [(k, w) for k, spec in query.attributes.items() for w in spec["words"] if w in text]
            asked += [(k, "") for k, spec in query.attributes.items() if spec.get("aspect") in found]
            asked = list({k: (k, w) for k, w in asked}.values())[:2]
            if asked:
                done = attribute_reply(query, rows, asked, frame.yes_no, year, entity.name, frame.exists)
            elif query.template.get("pick") and (done := pick_reply(query, rows, text, {entity.name, *entity.surfaces},
                                                                      year)):
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
        source = f"{self.doc.short}·{done.source}" if done.source else ""
        items = self.items(rows) if len(rows) > 1 else ()
        return Answer("answer", cap(body, MAX_REPLY - len(source) - 4), query.id, params, round(score, 1),
                      done.facts, suggestions, subject=entity.key, items=items, source=source)

    def items(self, rows: list[dict]) -> tuple[str, ...]:
        """The subjects a list reply names, in order (for "第二个是干什么的")."""
        out = []
        for r in rows:
            name = str(r.get("label") or r.get("name") or "")
            ents = self.named(name) or self.vocab.by_surface.get(comparable(name, self.shared.simplify), [])
            if ents:
                out.append(max(ents, key=lambda e: e.priority).key)
        return tuple(out)

    def expand(self, entity: Entity) -> list[Entity]:
        """A 功能科目 named without its code, as this document prints it: one entity per code it has there; a term
        that is a topic with its stage ("项目支出预算"): the term and the topic."""
        if entity.kind == "term":
            return [entity, *self._term_topics(entity.name)]
        if entity.kind == "econ":
            return self._as_printed(entity)
        if entity.kind != "function" or entity.attrs.get("code"):
            return [entity]
        with self.shared.lock:
            codes = [r[0] for r in self.shared.conn.execute(
                "select code from functions where document_id = ? and name = ?", (self.doc.id, entity.attrs.get(
                    "label", entity.name)))]
        if len(codes) <= 1:
            return [Entity("function", entity.name, dict(entity.attrs, code=codes[0] if codes else ""), entity.surfaces)]
        return [self.vocab.by_key.get(f"function|{entity.name}（{c}）") or
                Entity("function", f"{entity.name}（{c}）", dict(entity.attrs, code=c), entity.surfaces) for c in codes]

    def _as_printed(self, entity: Entity) -> list[Entity]:
        """An 经济科目 named as another document prints it (机关事业单位基本养老保险费): this document's item with
        the same code (…缴费), when this document does not print the name itself."""
        code = entity.attrs.get("code")
        printed = self.printed_rows()
        if not code or label_key(entity.name) in printed:
            return [entity]
        same = [e for e in self.vocab.by_surface.get(code, ()) if e.kind == "econ" and label_key(e.name) in printed
                and fuzz.ratio(e.name, entity.name) >= SAME_ITEM]  # codes alone are misprinted too
        return same or [entity]

    def printed_rows(self) -> frozenset[str]:
        """The row labels this document prints (as label keys), read once."""
        cached = getattr(self, "_printed_rows", None)
        if cached is None:
            with self.shared.lock:
                cached = frozenset(r[0] for r in self.shared.conn.execute(
                    "select distinct row_key from cells where document_id = ?", (self.doc.id,)))
            self._printed_rows = cached
        return cached

    def _term_topics(self, name: str) -> list[Entity]:
        """The topics a term names with a stage word after it (项目支出预算 → 项目支出)."""
        for tail in STAGE_TAILS:
            head = name[: -len(tail)] if name.endswith(tail) else ""
            topics = [e for e in self.vocab.by_surface.get(head, ()) if e.kind.startswith("topic:")]
            if topics:
                return topics
        return []

    def facts_source(self, fact: Fact) -> str:
        """A fact's source with this document's short name in front."""
        return f"{self.doc.short}·{fact.source}"


ROW_KINDS = ("function", "econ", "econ_gov", "sangong", "term")


def row_names(vocab) -> tuple[str, ...]:
    """The shared vocabulary's names of printed rows and terms (not the topics' everyday words), computed once."""
    found = getattr(vocab, "_row_names", None)
    if found is None:
        found = vocab._row_names = tuple(s for s, ents in vocab.by_surface.items()
                                         if any(e.kind in ROW_KINDS for e in ents))
    return found


_STARTS: dict[int, tuple[object, frozenset[str]]] = {}


def name_starts(surfaces) -> frozenset[str]:
    """The beginnings (MIN_START to MAX_START characters) of these names, computed once per collection."""
    kept = _STARTS.get(id(surfaces))
    if kept is None or kept[0] is not surfaces:
        kept = _STARTS[id(surfaces)] = (surfaces, frozenset(
            s[:n] for s in surfaces if len(s) >= MIN_START for n in range(MIN_START, min(len(s), MAX_START) + 1)))
    return kept[1]


def strip_source(text: str) -> str:
    """A reply's body without a trailing '来源：' line (for quoting one answer inside another)."""
    return re.split(r"\n来源：", text, maxsplit=1)[0]
