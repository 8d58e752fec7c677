"""Matching a normalised question: its subject (entities, by characters and by sound), aspects and scope."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import chain

from rapidfuzz import fuzz

from .normalize import PUNCT
from .vocab import Entity, Vocabulary

# partial_ratio finds a name inside a longer question (measured in bench/bench_scorers.py).
SUBJECT_SCORER = fuzz.partial_ratio
YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


@dataclass(frozen=True)
class Hit:
    """An entity found in a question: the surface that matched, where, and how well (0–100)."""

    entity: Entity
    surface: str
    start: int
    end: int
    score: float


def _occurrences(text: str, index: dict[str, list[int]], keys: list[str]) -> dict[int, int]:
    """Surface index → first position where it occurs in text."""
    found: dict[int, int] = {}
    for pos, ch in enumerate(text):
        for i in index.get(ch, ()):
            if i not in found and text.startswith(keys[i], pos):
                found[i] = pos
    return found


def find_subjects(text: str, vocab: Vocabulary, fuzzy: bool = True) -> list[Hit]:
    """Entities named in the text: exact surfaces first, then by sound, then fuzzy for longer names.

    vocab may be a Lexicon (a document's vocabulary over the shared one): every part is searched, and the
    entities of a surface are the lexicon's."""
    parts = getattr(vocab, "parts", (vocab,))
    hits: list[Hit] = []
    claimed: list[tuple[int, int, str]] = []
    phon_text = vocab.phonetics.encode(text)
    found: dict[str, tuple[int, float]] = {}
    for v in parts:
        exact = _occurrences(text, v.by_first, v.surfaces)
        sound = _occurrences(phon_text, v.by_first_phon, v.phon)
        for i in set(exact) | set(sound):
            got = (exact[i], 100.0) if i in exact else (sound[i], 92.0)
            old = found.get(v.surfaces[i])
            if old is None or got[1] > old[1]:
                found[v.surfaces[i]] = got
    for surface in sorted(found, key=lambda s: (-len(s), found[s][0], -found[s][1])):
        start, score = found[surface]
        end = start + len(surface)
        # A longer (or equally long, earlier) name already read there wins: 项目支出预算 is 项目支出, not 支出预算.
        if any(start < e and s < end and surf != surface for s, e, surf in claimed):
            continue
        claimed.append((start, end, surface))
        hits += [Hit(e, surface, start, end, score) for e in vocab.by_surface[surface]]
    covered = sum(e - s for s, e, _ in _merge(claimed))
    if fuzzy and len(text) - covered >= 3:
        for v in parts:
            hits += _fuzzy(text, phon_text, v, claimed, vocab.by_surface)
    if fuzzy and len(parts) > 1:
        hits += _shortened(text, parts[0], claimed)
    return hits


SHORTENED_KINDS = ("project", "department", "target")
MIN_SHORT = 4  # characters a shortened name keeps at least


def _shortened(text: str, local: Vocabulary, claimed) -> list[Hit]:
    """A document's own long name said shorter: a stretch of the question made of at most three pieces of the name,
    in order ("三支一扶面试费" for 高校毕业生“三支一扶”人员招考面试费用, "流动人员档案经费" for
    流动人员人事档案基本公共服务经费, "活动室改造" for 离退休支部活动室改造及日常运行费)."""
    taken = [False] * len(text)
    for s, e, _ in claimed:
        for k in range(s, e):
            taken[k] = True
    out: list[Hit] = []
    free = {text[k] for k in range(len(text)) if not taken[k]}
    for ent in local.entities:
        if ent.kind not in SHORTENED_KINDS or len(ent.name) < 6 or len(free & set(ent.name)) < MIN_SHORT:
            continue
        name = PUNCT.sub("", ent.name)
        span = _longest_pieces(text, taken, name)
        if span:
            (i, j), pieces = span
            score = 85 + 10 * (j - i) / len(name) - 2 * (pieces - 1) + (2 if text[j - 1] == name[-1] else 0)
            out.append(Hit(ent, text[i:j], i, j, score))
    return out


def _longest_pieces(text: str, taken: list[bool], name: str) -> tuple[tuple[int, int], int] | None:
    """The longest free stretch of the text (at least MIN_SHORT characters) made of at most MAX_PIECES pieces of
    the name, each of two characters or more, in the name's order; with how many pieces."""
    best = None
    for i in range(len(text)):
        if taken[i] or text[i] not in name or (best and len(text) - i <= best[0][1] - best[0][0]):
            continue
        j = i
        while j < len(text) and not taken[j]:
            j += 1
        for end in range(j, i + MIN_SHORT - 1, -1):
            if len(YEAR_OR_DIGITS.sub("", text[i:end])) < MIN_SHORT:
                break  # "2023年" is in many names: a year says nothing about which
            pieces = _pieces(text[i:end], name)
            if pieces:
                if best is None or end - i > best[0][1] - best[0][0]:
                    best = ((i, end), pieces)
                break
    return best


MAX_PIECES = 3
GENERIC = re.compile(r"\d+年度?|\d+|预算|决算|年度|本年|今年|上年|去年")
YEAR_OR_DIGITS = re.compile(r"\d+年度?|\d+")


def _pieces(short: str, name: str) -> int:
    """How many pieces of the name (two characters or more each, in order) spell short, or 0 if more than
    MAX_PIECES are needed (longest piece first at each step)."""
    at, count, k = 0, 0, 0
    while k < len(short):
        size = 0
        for n in range(len(short) - k, 1, -1):
            if name.find(short[k:k + n], at) >= 0:
                size = n
                break
        if not size:
            return 0
        at = name.find(short[k:k + size], at) + size
        k += size
        count += 1
        if count > MAX_PIECES:
            return 0
    return count


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    for s, e, surf in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(e, out[-1][1]), out[-1][2])
        else:
            out.append((s, e, surf))
    return out


def _fuzzy(text: str, phon_text: str, vocab: Vocabulary, claimed, by_surface: dict) -> list[Hit]:
    """Near matches for names of four or more characters (typos, dropped or extra characters)."""
    found: dict[str, float] = {}
    shared = Counter(chain.from_iterable(vocab.char_index.get(c, ()) for c in set(text) | set(phon_text)))
    # partial_ratio ≥ 80 needs most characters (or sounds) of the shorter of name and question in the other.
    floor = 0.6 * len(text)
    cands = [k for k, n in shared.items() if n >= vocab.long_need[k] or n >= floor]
    for query, choices in ((text, vocab.long_surfaces), (phon_text, vocab.long_phon)):
        for k in cands:
            score = SUBJECT_SCORER(query, choices[k], score_cutoff=80)
            if score:
                surface = vocab.surfaces[vocab.long_idx[k]]
                found[surface] = max(found.get(surface, 0), score)
    hits = []
    for surface, score in found.items():
        al = fuzz.partial_ratio_alignment(surface, text)
        if al is None or al.dest_end - al.dest_start < min(len(surface), 3) * 0.75:
            al = fuzz.partial_ratio_alignment(vocab.phonetics.encode(surface), phon_text)
        start, end = al.dest_start, al.dest_end
        # Fewer than four matching characters of the question is chance, not a name ("为什么" ~ "你能做什么").
        # Exact names win their text, except a two-character alias inside a much longer near-match.
        if end - start < 4 or any(start < e and s < end and (e - s > 2 or end - start < 2 * (e - s))
                                  for s, e, _ in claimed):
            continue
        if sum(c in surface for c in GENERIC.sub("", text[start:end])) < 3:
            continue  # "2025年预算多少钱" and every table's title share a year and a stage: that names nothing
        hits += [Hit(e, surface, start, end, score * 0.9) for e in by_surface.get(surface, vocab.by_surface[surface])]
    return hits


@dataclass(frozen=True)
class Aspects:
    """What the question asks about its subject, most specific first."""

    found: tuple[str, ...]
    top_rank: int


def aspect_words(words: dict) -> list[tuple[str, str, int]]:
    """(word, aspect, rank), longest words first: the order find_aspects tries them in."""
    return sorted(((w, a, spec["rank"]) for a, spec in words.items() for w in spec["words"]), key=lambda p: -len(p[0]))


_ASPECT_INDEX: dict[int, tuple[list, dict[str, list[int]]]] = {}


def _aspect_index(pairs: list[tuple[str, str, int]]) -> dict[str, list[int]]:
    """First character → the pairs (by position, longest first) whose word starts with it (built once per list)."""
    cached = _ASPECT_INDEX.get(id(pairs))
    if cached is None or cached[0] is not pairs:  # the list itself is kept, so its id is never reused
        index: dict[str, list[int]] = {}
        for k, (word, _, _) in enumerate(pairs):
            index.setdefault(word[0], []).append(k)
        cached = _ASPECT_INDEX[id(pairs)] = (pairs, index)
    return cached[1]


def find_aspects(text: str, pairs: list[tuple[str, str, int]]) -> Aspects:
    """Aspect keywords in the text (longest words first, each stretch of text used once)."""
    index = _aspect_index(pairs)
    candidates = sorted({k for ch in set(text) for k in index.get(ch, ())})
    found: dict[str, int] = {}
    rest = text
    for k in candidates:  # pairs are sorted longest first, so their positions keep that order
        word, aspect, rank = pairs[k]
        if word in rest:
            found[aspect] = rank
            rest = rest.replace(word, "\x00")
    ordered = tuple(sorted(found, key=lambda a: -found[a]))
    return Aspects(ordered, found[ordered[0]] if ordered else 0)


def out_of_scope(raw: str, text: str, year: int, stage: str, scope: dict) -> str | None:
    """Why a question is about something the document (of year, 预算|决算) does not hold, or None."""
    for y in YEAR.findall(raw):
        if int(y) not in (year, year - 1):
            return f"{y}年"
    for pattern in scope.get("persons", []):
        if m := re.search(pattern, text):
            return m.group(0) + "（个人信息）"
    for word in scope.get("actuals", []) if stage != "决算" else ():
        if word in text:
            return f"{word}（本文件是预算，不含决算和执行数）"
    for word in scope.get("services", []):
        if word in text:
            return f"{word}（本文件是预算公开，不含办事和政策信息）"
    for place in scope.get("places", []):
        if place in text:
            return place
    for word in scope.get("other_units", []):
        if word in text:
            return word
    return None
