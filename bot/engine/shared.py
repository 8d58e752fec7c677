"""What every document's answers share, loaded once per process: the canned queries, the word lists, the shared
vocabulary and the phrasing skeletons. Nothing here grows with the number of documents loaded."""
from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from ..catalog import Query
from ..match import aspect_words, find_subjects
from ..normalize import normalize
from ..phonetics import Phonetics
from ..vocab import Vocabulary, load_charmap, shared_vocabulary


@dataclass
class Shared:
    """The read-only connection and everything loaded once: queries, words, shared vocabulary, skeletons."""

    conn: sqlite3.Connection
    lock: threading.Lock
    queries: dict[str, Query]
    words: dict
    charmap: tuple[dict[str, str], Phonetics] = field(init=False)
    vocab: Vocabulary = field(init=False)
    aspect_pairs: list = field(init=False)
    context_words: list[str] = field(init=False)
    attribute_words: dict[str, tuple[str, ...]] = field(init=False)
    by_name: dict[str, list] = field(init=False)  # name → shared entities, strongest kind first
    default_subjects: list = field(init=False)  # the topics a question naming nothing is about
    skeletons: dict[str, list[str]] = field(default_factory=dict)
    # Measured against the alternatives in bench/bench_scorers.py: token_* scorers see one "token" in unsegmented
    # Chinese, and partial_ratio rewards any short skeleton inside a long one.
    skeleton_scorer: object = fuzz.ratio

    warm: dict | None = None  # charmap, vocab and skeletons kept from an earlier start (bot/engine/warm.py)

    def __post_init__(self) -> None:
        if self.warm:
            self.charmap, self.vocab = self.warm["charmap"], self.warm["vocab"]
            self.skeletons = self.warm["skeletons"]
        else:
            with self.lock:
                self.charmap = load_charmap(self.conn)
                self.vocab = shared_vocabulary(self.conn, self.words, self.charmap)
        self.warm = None
        self.by_name = {}
        for e in sorted(self.vocab.entities, key=lambda e: -e.priority):
            self.by_name.setdefault(e.name, []).append(e)
        defaults = {f"topic:{t}" for t in self.words.get("scope", {}).get("default_topics", [])}
        self.default_subjects = [e for e in self.vocab.entities if e.kind in defaults]
        words = self.words
        attribute = sorted({w for q in self.queries.values() for spec in q.attributes.values() for w in spec["words"]})
        self.aspect_pairs = aspect_words(dict(words["aspects"], attribute=dict(words["aspects"]["attribute"],
                                                                                 words=attribute)))
        self.context_words = sorted(words.get("scope", {}).get("context", []), key=len, reverse=True)
        self.attribute_words = {f"{qid}.{k}": spec["words"] for qid, q in self.queries.items()
                                for k, spec in q.attributes.items()}

    @property
    def simplify(self) -> dict[str, str]:
        """Traditional → simplified characters."""
        return self.charmap[0]

    @property
    def encode(self):
        """Characters → sound codes."""
        return self.charmap[1].encode

    def learn_skeletons(self, lexicon, unit_names: tuple[str, ...]) -> None:
        """Each query's phrasings with their subject replaced by X (against one document's names, once)."""
        self.skeletons = {qid: [skeleton(p, q, lexicon, self.simplify, unit_names) for p in q.phrasings]
                          for qid, q in self.queries.items()}


def skeleton(question: str, query: Query, lexicon, simplify: dict[str, str], unit_names: tuple[str, ...]) -> str:
    """A phrasing with its subject (an entity this query is about) replaced by X."""
    text = normalize(question, simplify, unit_names).text
    hits = find_subjects(text, lexicon, fuzzy=False)
    pool = [h for h in hits if h.entity.kind in query.subject] or hits
    if not pool:
        return text
    best = max(pool, key=lambda h: (h.score, h.end - h.start))
    return text[: best.start] + "X" + text[best.end:]
