"""Last year's figure from the document that prints this year's and the change ("比2023年度减少13.52万元"):
the year before = this year ∓ the change, with the working shown. Only when the sentence (or the one before it in
the same section) gives both."""
from __future__ import annotations

import re
from decimal import Decimal

from ...answers import Answer
from ...format import Fact, amount
from ...normalize import label_key
from .sentences import _overlap, _subject_words, sentences_of

CHANGE = re.compile(r"(?:比|较|与)(?P<year>\d{4})?年?(?:度|上年|上一年|去年)?(?:（[^）]{0,12}）)?[^。；，,]{0,14}?"
                    r"(?:相比[，,]?[^。；]{0,16}?)?"
                    r"(?P<dir>增加|减少|增长|下降)(?P<delta>\d[\d,]*(?:\.\d+)?)\s*万元")
SAME = re.compile(r"(?:比|较|与)(?P<year>\d{4})?年?(?:度|上年)?[^。；，,]{0,12}?持平")
FIGURE = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*万元")
NEAR = 16  # characters before a figure that say what it is


def last_year(q) -> Answer | None:
    """The year before's figure for the asked subject, from a sentence giving this year's figure and its change."""
    if "last_year" not in q.aspects.found:
        return None
    view = q.view
    subjects = [w for w in _subject_words(q, None) if len(w) >= 2]
    if not subjects and q.found:
        # Nothing named but what is asked ("去年预算多少"): the subject the reading took, by all its names.
        subjects = sorted({label_key(w) for w in q.found[0].hit.entity.surfaces if len(w) >= 2}, key=len, reverse=True)
    if not subjects:
        return None
    sentences = sentences_of(view)
    best = None
    for k, s in enumerate(sentences):
        for m in list(CHANGE.finditer(s.text)) + list(SAME.finditer(s.text)):
            cur, where = _current(s.text[:m.start()], subjects)
            if cur is None and k and sentences[k - 1].section == s.section:
                cur, where = _current(sentences[k - 1].text, subjects)
            said = label_key(s.text[:m.start()])[-40:]
            score = max((len(w) * (1.0 if w in where or w in said else _overlap(w, where + said)) for w in subjects),
                        default=0)
            score = score if score >= 2 else 0
            if cur is not None and score and (best is None or score > best[0]):
                best = (score, s, m, cur)
    if best is None:
        return None
    _, s, m, cur = best
    delta = m.groupdict().get("delta")
    if delta:
        delta = Decimal(delta.replace(",", ""))
        up = m.group("dir") in ("增加", "增长")
        prior = cur - delta if up else cur + delta
        working = f"{amount(cur)} {'−' if up else '+'} {amount(delta)} = {amount(prior)}"
    else:
        prior, working = cur, f"与上年持平，即{amount(cur)}"
    year = m.group("year") or str(view.doc.year - 1)
    body = f"{year}年为{amount(prior)}（由本年数和文件所写的增减额推算：{working}）。\n文件原文：“{s.text}”"
    page = f"（第{s.page}页）" if s.page else ""
    facts = [Fact(f"{year}年", float(prior), "万元", "由本年数和增减额推算"), Fact("本年", float(cur), "万元", s.section)]
    return Answer("answer", body, "prior_year", {}, 80.0, facts,
                  source=f"{view.doc.short}·{s.section or '文字说明'}{page}", tier="sentence")


def _current(text: str, subjects: list[str]) -> tuple[Decimal | None, str]:
    """The last figure in 万元 before the change whose leading words name the subject (else the last one)."""
    found = list(FIGURE.finditer(text))
    for f in reversed(found):
        lead = label_key(text[max(0, f.start() - NEAR):f.start()])
        if any(w in lead for w in subjects):
            return Decimal(f.group(1).replace(",", "")), lead
    if found:
        f = found[-1]
        return Decimal(f.group(1).replace(",", "")), label_key(text[max(0, f.start() - NEAR):f.start()])
    return None, ""
