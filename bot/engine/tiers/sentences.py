"""Tier 3: any sentence of the prose — when no table holds what was asked, the document's own sentence that does.

The sentence must hold the asked measure (a figure with its unit: 辆, 批次, 人次, 个…, from
queries/vocabulary/measures.yaml) or the asked reason (原因), and the subject the question names. It is quoted
whole with its section and page; nothing is computed from it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ...answers import Answer
from ...normalize import label_key

MIN_CHUNK = 2  # characters: shorter pieces of a question say nothing about its subject
FILLER = re.compile(r"[的了吗呢吧啊呀是有在和与及或个么多少几哪怎那这为]")
YEARISH = re.compile(r"\d{4}年度?|\d+")


@dataclass(frozen=True)
class Sentence:
    """A sentence of the document with where it stands."""

    text: str
    key: str
    page: int | None
    section: str
    topic: str


def sentences_of(view) -> list[Sentence]:
    """The document's sentences (read once per view)."""
    cached = getattr(view, "_sentences", None)
    if cached is None:
        with view.shared.lock:
            rows = view.shared.conn.execute(
                "select s.text, s.page, coalesce(sec.title, ''), s.topic from sentences s left join sections sec "
                "on sec.document_id = s.document_id and sec.no = s.section_no where s.document_id = ? order by s.seq",
                (view.doc.id,)).fetchall()
        cached = [Sentence(t, label_key(t), p, sec, topic) for t, p, sec, topic in rows]
        view._sentences = cached
    return cached


def asked_measure(view, text: str) -> tuple[str, dict] | None:
    """The prose measures a question asks for (vehicles, 批次, 人次 …), as one spec: names, units, about-words."""
    specs = view.words.get("measures", {}).get("measures", {})
    names, units, about, words = [], [], [], []
    for name, spec in specs.items():
        if any(w in text for w in spec["words"]):
            names.append(name)
            units += spec["units"]
            about += spec["about"]
            words += spec["words"]
    if not names:
        return None
    return "+".join(names), {"units": units, "about": about, "words": words}


def answer_sentence(q, measure_only: bool = False) -> Answer | None:
    """The sentence that holds the asked measure or reason for the asked subject, quoted; or None."""
    view, text = q.view, q.norm.text
    masked = text
    for h in q.hits:
        if h.surface and h.score >= 90 and h.end - h.start > 2 and not h.entity.kind.startswith("topic:"):
            masked = masked[:h.start] + "\x00" * (h.end - h.start) + masked[h.end:]
    measure = asked_measure(view, masked)  # "办公设备购置" names an item, it does not ask for 设备
    reason = "reason" in q.aspects.found
    if measure_only and measure is None:
        return None
    if measure is None and not reason:
        return None
    subjects = _subject_words(q, measure)
    best, best_score = None, 0.0
    for k, s in enumerate(sentences_of(view)):
        score = _score(s, measure, reason, subjects)
        if score > best_score:
            best, best_score = (k, s), score
    if best is None:
        return None
    k, s = best
    quote = s.text
    following = sentences_of(view)[k + 1] if k + 1 < len(sentences_of(view)) else None
    if following and quote.endswith(("：", ":")) and following.section == s.section:
        quote += following.text
    head = _figures(quote, measure, subjects)
    body = (f"{head}\n" if head else "") + f"文件原文：“{quote}”"
    section = "·".join(x for x in (s.section, s.topic) if x)
    page = f"（第{s.page}页）" if s.page else ""
    return Answer("answer", body, "sentence", {"section": s.section}, 80.0,
                  source=f"{view.doc.short}·{section or '文字说明'}{page}", tier="sentence")


def _subject_words(q, measure: tuple[str, dict] | None) -> list[str]:
    """What the question is about, in its own words: the names it matched, then what is left once the asking
    words, the measure and the unit names are taken out."""
    view, text = q.view, q.norm.text
    asking = measure[1]["words"] if measure else []
    words = [h.surface for h in q.hits if h.surface and h.score >= 90 and not any(w in h.surface for w in asking)]
    rest = text
    for w in sorted(words + [h.surface for h in q.hits if h.surface], key=len, reverse=True):
        rest = rest.replace(w, " ")
    drop = [w for w, _, _ in view.shared.aspect_pairs] + view.shared.context_words
    if measure:
        drop += list(measure[1]["words"]) + list(measure[1]["units"])
    for w in sorted(set(drop), key=len, reverse=True):
        rest = rest.replace(w, " ")
    rest = YEARISH.sub(" ", rest)
    chunks = [c for c in re.split(r"\s+|" + FILLER.pattern, rest) if len(c) >= MIN_CHUNK]
    return [label_key(w) for w in words if len(w) >= MIN_CHUNK] + chunks


def _score(s: Sentence, measure, reason: bool, subjects: list[str]) -> float:
    score = 0.0
    if measure:
        units = "|".join(re.escape(u) for u in measure[1]["units"])
        if not re.search(rf"\d\s*(?:{units})", s.text):
            return 0.0
        score += 10
        if not subjects and not any(w in s.text for w in measure[1]["about"]):
            return 0.0
    if reason:
        if "原因" not in s.text and "由于" not in s.text:
            return 0.0
        score += 6
    matched = [w for w in subjects if w in s.key]
    if subjects and not matched:
        near = max((_overlap(w, s.key) for w in subjects), default=0)
        if near < 0.6:
            return 0.0
        score += 2 * near
    score += sum(len(w) for w in matched)
    return score


def _overlap(word: str, key: str) -> float:
    """The share of a word's two-character pieces found in the sentence."""
    pieces = {word[i:i + 2] for i in range(len(word) - 1)}
    return sum(p in key for p in pieces) / len(pieces) if pieces else 0.0


def _figures(quote: str, measure, subjects: list[str]) -> str:
    """The asked figures as the sentence prints them ("2批次、26人次"), for the reply's first line: those right
    after the subject's words when the sentence gives several."""
    if not measure:
        return ""
    units = "|".join(re.escape(u) for u in measure[1]["units"])
    found = list(re.finditer(rf"(\d[\d,.]*)\s*({units})", quote))
    if not found:
        return ""
    cues = [w for w in subjects + list(measure[1]["about"]) if w]
    near = [m for m in found if any(c in label_key(quote[max(0, m.start() - 14):m.start()]) for c in cues)]
    chosen = (near or found)[:2] if len({m.group(2) for m in found}) == 1 else (near or found)[:4]
    return "文件写明：" + "、".join(f"{m.group(1)}{m.group(2)}" for m in chosen) + "。"
