"""The answer engine: a question in, a cited Answer out. No Telegram here.

The engine holds what every document shares (Shared), the loaded documents (Library) and a bounded cache of
per-document views; answering is: which documents (resolve) → one document's steps, or several documents (across).
"""
from __future__ import annotations

import re
import sqlite3
import threading
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path

from .. import paths, store
from ..answers import Answer
from ..catalog import load_catalog, load_vocabulary
from ..format import amount
from ..normalize import cn_integer, normalize
from ..understand import Context
from . import replies, warm
from .across import across, subject_question, without_place
from .ranking import PROBES, rank_everything
from .library import Doc, Library
from .resolve import latest_per_unit, resolve
from .shared import Shared
from .steps import answer_here, settle
from .view import DocView

VIEW_CACHE = 256  # documents whose view (their own names over the shared vocabulary) is kept
# "第二名是谁", "倒数第一呢", "那第3名呢": a place in the last ranking
PLACE = re.compile(r"^(?:那|那么)?(倒数)?第([一二两三四五六七八九十\d]{1,3})(?:名|位)?(?:是谁|是哪个|是哪家|是什么单位|呢|是|多少)*$")
FOLLOWS_RANKING = re.compile(r"^(?:那|那么)([^，,。？?]{2,12}?)(?:呢|怎么样|如何)[？?]?$")
RANK_BY_VIEWS = 50  # a ranking whose figure has no rank spec compares at most this many documents one by one
ANSWER_CACHE = 4096  # recent (question, context) → answer
MAX_CACHED_QUESTION = 200  # characters: longer texts are not kept
FOLLOW_UP = re.compile(r"^(那么|那|还有|再看|另外)|的$")
STAGE_ONLY = re.compile(r"\d{4}年度?|部门|单位|决算|预算|公开|文件|报告|情况|的|呢|吗")


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    for s, e in sorted(spans, reverse=True):
        text = text[:s] + text[e:]
    return text


class Engine:
    """Queries, words, the shared vocabulary and a read-only connection loaded once; answer() is then lookup."""

    def __init__(self, conn: sqlite3.Connection, queries: dict, words: dict, default_source: str = "",
                 kept: dict | None = None) -> None:
        self.conn = conn
        self.lock = threading.Lock()
        self.shared = Shared(conn, self.lock, queries, words, warm=kept)
        self.library = Library(conn, self.lock, default_source)
        self.queries, self.words = queries, words
        self.default_id = self.library.default_id
        self._views: OrderedDict[int, DocView] = OrderedDict()
        self._answers: OrderedDict[tuple, Answer] = OrderedDict()
        self._answers_lock = threading.Lock()
        self._views_lock = threading.Lock()
        default = self.view(self.default_id)
        if not self.shared.skeletons:
            self.shared.learn_skeletons(default.vocab, default.unit_names)
        amount(1.0)  # babel loads its locale data on first use: pay that at start-up, not on a user's question

    def state(self) -> dict:
        """What a later start may reuse (bot/engine/warm.py): queries, words, character tables, shared vocabulary
        and skeletons."""
        sh = self.shared
        return {"queries": sh.queries, "words": sh.words, "charmap": sh.charmap, "vocab": sh.vocab,
                "skeletons": sh.skeletons}

    # -- what the shells use ---------------------------------------------------------------------------------------
    @property
    def docs(self) -> list[Doc]:
        """The loaded documents (the first fifty, for lists and menus)."""
        return self.library.listing(50)

    @property
    def doc(self) -> Doc:
        """The default document."""
        return self.library.get(self.default_id)

    def view(self, doc_id: int | None = None) -> DocView:
        """The view of one loaded document (built on first use, kept in a bounded cache)."""
        doc_id = self.default_id if doc_id is None or not self.library.exists(doc_id) else doc_id
        with self._views_lock:
            found = self._views.get(doc_id)
            if found is not None:
                self._views.move_to_end(doc_id)
                return found
        built = DocView(self.shared, self.library, self.library.get(doc_id))
        with self._views_lock:
            self._views[doc_id] = built
            while len(self._views) > VIEW_CACHE:
                self._views.popitem(last=False)
        return built

    def find_document(self, name: str) -> int | None:
        """The loaded document a name (unit, short name, year) picks, if exactly one."""
        view = self.view()
        res = resolve(normalize(name, self.shared.simplify).raw, self.library, None, lambda t: False)
        return res.ids[0] if len(res.ids) == 1 and not res.missing and res.named else None

    # -- answering -------------------------------------------------------------------------------------------------
    def answer(self, question: str, previous: Context | str | None = None) -> Answer:
        """Answer one question: a cited figure, a choice of readings, or why the documents cannot answer it.

        previous is what the conversation carries (a Context: its document and last subject; or a subject key).
        The database is read-only, so the same question in the same context has the same answer: recent ones are
        kept (ANSWER_CACHE) and handed out as copies."""
        ctx = Context.of(previous)
        key = (question, ctx.subject, ctx.items, ctx.document, ctx.ranked, ctx.query) if isinstance(question, str) \
            else None
        with self._answers_lock:
            kept = self._answers.get(key) if key is not None else None
            if kept is not None:
                self._answers.move_to_end(key)
        if kept is None:
            kept = settle(self._answer(question, ctx))
            if key is not None and len(question) <= MAX_CACHED_QUESTION:
                with self._answers_lock:
                    self._answers[key] = kept
                    while len(self._answers) > ANSWER_CACHE:
                        self._answers.popitem(last=False)
        return replace(kept, params=dict(kept.params), facts=list(kept.facts), suggestions=list(kept.suggestions))

    def _answer(self, question: str, ctx: Context) -> Answer:
        current = ctx.document if self.library.exists(ctx.document) else self.default_id
        here = self.view(current)
        if not isinstance(question, str) or not question.strip():
            return replies.unknown(here, "请输入一个关于预算的问题。")
        raw = normalize(question, self.shared.simplify).raw
        placed = self._placed(raw, ctx) if ctx.ranked else None
        if placed is not None:
            return placed
        res = resolve(raw, self.library, current, here.is_phrase, self.shared.encode)
        again = FOLLOWS_RANKING.match(raw) if len(ctx.ranked) > 1 and not res.named else None
        if again:  # "那公用经费呢" after a ranking: the same ranking of the new subject
            ranked = self._rank_everything(here, again.group(1), again.group(1))
            if ranked is not None:
                return ranked
        if res.missing:
            return replies.not_loaded(here, res.missing)
        if res.region_only and len(res.ids) == 1 and not res.ranking and res.ids[0] != current:
            # "望川区一般公共预算…完成率": the district's own figures are not loaded, one of its units' is.
            doc = self.library.get(res.ids[0])
            asked = re.sub(r"\d{4}年度?", "", without_place(raw, doc)) or raw
            return Answer("clarify", f"已载入的文件里没有整个地区的数字，只有{doc.label}。您问的是这个单位吗？",
                          suggestions=[f"{doc.short}{asked}"], tier="clarify")
        if res.prior and not STAGE_ONLY.sub("", here.normalize(_without(raw, res.spans)).text):
            return replies.not_loaded(here, res.prior + ("决算" if "决算" in raw else "预算"))  # the document itself
        rest = raw
        for s, e in sorted(res.spans, reverse=True):
            rest = rest[:s] + rest[e:]
        if res.spans and ctx.subject and not FOLLOW_UP.sub("", here.normalize(rest).text):
            rest = ctx.subject.split("|", 1)[1]  # "那福利院呢": the last subject, in the document now named
        mixed = next((g for g in res.units if len({self.library.get(i).unit for i in g}) > 1), None)
        if mixed and len(res.units) > 1:
            # "万里街道和福利院…" where 福利院 names several units: ask which, one button per unit.
            options = [f"{self.library.get(i).short}{without_place(rest, self.library.get(i))}" for i in mixed][:8]
            return Answer("clarify", "问题里的单位名称对应好几份文件，您问的是哪一份？", suggestions=options,
                          tier="clarify")
        if len(res.ids) == 1:
            doc_id = res.ids[0]
            keep = ctx if doc_id == current else Context(document=doc_id)
            asked_here = rest if res.spans else question
            ans = answer_here(self.view(doc_id), asked_here,
                              Context(keep.subject, keep.items, doc_id, keep.ranked, keep.query))
            if res.others and ans.status == "unknown" and ans.tier in ("unknown", ""):
                ans = self._earlier_year(ans, doc_id, res.others, asked_here)
            if res.others and ans.status == "answer":
                # Other years of the same unit are loaded: offered as buttons, the answer says whose year it is.
                asked = rest.strip() or question
                ans.suggestions = [f"{self.library.get(i).short}{without_place(asked, self.library.get(i))}"
                                   for i in res.others[:3]] + ans.suggestions
            return ans
        if res.ranking and not res.ids:
            ranked = self._rank_everything(here, subject_question(rest), rest)
            if ranked is not None:
                return ranked
        ids = res.ids if not res.ranking else latest_per_unit(self.library.listing(RANK_BY_VIEWS))[0]
        return across([self.view(i) for i in ids], rest, res, lambda v, q: answer_here(v, q, Context(document=v.doc.id)),
                      raw)

    def _rank_everything(self, here: DocView, question: str, text: str) -> Answer | None:
        """The ranking of every loaded unit, its subject understood on this document and a few others."""
        probes = [here, *(self.view(d.id) for d in self.library.listing(PROBES) if d.id != here.doc.id)]
        return rank_everything(probes, question, text, lambda v, q: answer_here(v, q, Context(document=v.doc.id)),
                               lambda i: self.library.get(i).label)

    def _placed(self, raw: str, ctx: Context) -> Answer | None:
        """"第二名是谁", "倒数第一呢" after a ranking: that document's figure for the subject ranked."""
        m = PLACE.match(re.sub(r"[\s，,。？?！!]", "", raw))
        if not m or not ctx.subject or "|" not in ctx.subject:
            return None
        n = cn_integer(m.group(2)) if not m.group(2).isdigit() else int(m.group(2))
        order = ctx.ranked[::-1] if m.group(1) else ctx.ranked
        if not n or n > len(order):
            return replies.unknown(self.view(order[0]), f"上一个排名只列了{len(order)}个单位。")
        doc_id = order[n - 1]
        ans = answer_here(self.view(doc_id), ctx.subject.split("|", 1)[1], Context(document=doc_id))
        if ans.status == "answer":
            ans.body = f"{'倒数' if m.group(1) else ''}第{n}名是{self.library.get(doc_id).label}。\n{ans.body}"
            ans.ranked = ctx.ranked
        return ans

    def _earlier_year(self, ans: Answer, latest: int, others: list[int], question: str) -> Answer:
        """A unit named without a year whose latest document does not print what was asked: the newest of its other
        documents that does, saying so; else the latest document's own reply."""
        for other in others[:3]:
            found = answer_here(self.view(other), question, Context(document=other))
            if found.status == "answer":
                found.body = f"《{self.library.get(latest).label}》没有列出这一项；以下是{self.library.get(other).label}的数字：\n" \
                             + found.body
                return found
        return ans

    def answer_here(self, question: str, previous: Context | str | None = None, doc_id: int | None = None) -> Answer:
        """Answer one question from one document (the default, or doc_id)."""
        ctx = Context.of(previous)
        view = self.view(doc_id or ctx.document)
        return answer_here(view, question, Context(ctx.subject, ctx.items, view.doc.id, ctx.ranked, ctx.query))


_engine: Engine | None = None
_engine_lock = threading.Lock()


def get_engine() -> Engine:
    """The process-wide engine, loaded on first use (building the database if needed)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            conn = store.connect()
            name = warm.key(Path(conn.execute("pragma database_list").fetchone()[2]), paths.QUERIES)
            kept = warm.load(name)
            if kept is not None:
                _engine = Engine(conn, kept["queries"], kept["words"], paths.DEFAULT_SOURCE, kept)
            else:
                _engine = Engine(conn, load_catalog(paths.QUERIES), load_vocabulary(paths.QUERIES), paths.DEFAULT_SOURCE)
                warm.save(name, _engine.state())
        return _engine


def answer(question: str, previous: Context | str | None = None) -> Answer:
    """Answer one Chinese question about the disclosures (previous: the conversation so far, for follow-ups)."""
    return get_engine().answer(question, previous)
