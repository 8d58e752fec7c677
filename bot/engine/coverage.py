"""Does a reading account for what the question says? The words a canned reading cannot explain.

A question's text, once its subject (the names matched), what it asks (aspect, context, column and measure words)
and the words any phrasing of any query uses are taken out, should hold nothing else. A run of several
characters left over is a subject the reading does not have ("职业技能大赛一等奖奖金" is not the 职业技能 project):
answering it with the reading's figure would answer a neighbouring question.
"""
from __future__ import annotations

import re

UNEXPLAINED_RUN = 3  # characters in a row that nothing explains: the question is about something else
# Words that make the characters before them the name of a budget item ("土地储备支出"): two unexplained characters
# before one are a subject of their own
NAMED_BY_KIND = re.compile(r"支出|经费|费用|资金|补助|补贴|收入")
CJK = re.compile(r"[\u4e00-\u9fff]+")
YEARS = re.compile(r"\d+年度?|\d+(?:\.\d+)?|[一二两三四五六七八九十]+年")


def _known(shared) -> frozenset[str]:
    """The known pieces for this engine's words (computed once per engine)."""
    found = getattr(shared, "_known_pieces", None)
    if found is None:
        found = shared._known_pieces = _known_pieces(shared)
    return found


def _glue(shared) -> list[str]:
    """Everyday words that say nothing about the subject, and the places units are named after, longest first."""
    found = getattr(shared, "_glue_words", None)
    if found is None:
        scope = shared.words.get("scope", {})
        words = list(scope.get("glue", [])) + list(scope.get("places", []))
        found = shared._glue_words = sorted(set(words), key=len, reverse=True)
    return found


def _known_pieces(shared) -> frozenset[str]:
    """Two-character pieces of every word the engine knows how to read: phrasings, aspects, context, topics,
    column and measure words, fillers."""
    from ..normalize import FILLERS

    words: list[str] = []
    for q in shared.queries.values():
        words += list(q.phrasings)
        for spec in q.attributes.values():
            words += list(spec.get("words", ()))
    words += [w for w, _, _ in shared.aspect_pairs] + list(shared.context_words) + list(FILLERS)
    vocab = shared.words
    for spec in (vocab.get("topics") or {}).values():
        words += list(spec.get("surfaces", ()))
    for names in ((vocab.get("columns") or {}).get("columns") or {}).values():
        words += list(names)
    for spec in ((vocab.get("measures") or {}).get("measures") or {}).values():
        words += list(spec.get("words", ())) + list(spec.get("things", ()))
    words += list(((vocab.get("measures") or {}).get("asks")) or ())
    words += list(vocab.get("aliases") or {})
    out = set()
    for w in words:
        for run in CJK.findall(w):
            out |= {run[i:i + 2] for i in range(len(run) - 1)}
    return frozenset(out)


def unexplained(shared, text: str, hits) -> str:
    """The longest stretch of the question no matched name and no known word accounts for (years, figures,
    places and everyday glue words such as 加起来, 是不是, 里面 taken out first)."""
    masked = text
    for h in hits:
        if h.surface and h.score >= 80:
            masked = masked[:h.start] + "\x00" * (h.end - h.start) + masked[h.end:]
    masked = YEARS.sub(lambda m: "\x00" * len(m.group(0)), masked)  # positions kept: they point into text
    for word in _glue(shared):
        masked = masked.replace(word, "\x00" * len(word))
    known = _known(shared)
    longest = ""
    for found in CJK.finditer(masked):
        run = found.group(0)
        covered = [False] * len(run)
        for i in range(len(run) - 1):
            if run[i:i + 2] in known:
                covered[i] = covered[i + 1] = True
        cur = ""
        for k, (ch, ok) in enumerate(zip(run, covered)):
            cur = "" if ok else cur + ch
            named = NAMED_BY_KIND.match(text, found.start() + k + 1) if cur else None
            # "土地储备支出": two unknown characters that a 支出/经费 word makes a name are a subject of their own
            if named and len(cur) >= 2:
                at = k + 1 - len(cur)
                before = text[max(0, found.start() + at - 2):found.start() + at]
                lead = before if CJK.fullmatch(before) and len(before) == 2 else ""  # 土地 of 土地储备支出
                candidate = lead + cur + named.group(0)
            else:
                candidate = cur
            if len(candidate) > len(longest):
                longest = candidate
    return longest


ITEM_PATH = re.compile(r"[\u4e00-\u9fff]{2,30}?类(?:[\u4e00-\u9fff]{2,30}?款)?(?:[\u4e00-\u9fff]{2,30}?项)")


def about_something_else(shared, text: str, hits, places: frozenset[str] = frozenset(), raw: str = "") -> str:
    """The words that make a question about something the reading does not cover, or ''."""
    for place in sorted(places, key=len, reverse=True):
        text = text.replace(place, "\x00" * len(place))
    if re.search(r"[（(]类[）)]", raw):  # "…（类）体育（款）行政运行（项）" names a printed item, every word of it
        text = ITEM_PATH.sub(lambda m: "\x00" * len(m.group(0)), text)
    rest = unexplained(shared, text, hits)
    return rest if len(rest) >= UNEXPLAINED_RUN else ""
