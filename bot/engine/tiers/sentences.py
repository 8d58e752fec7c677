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
FILLER = re.compile(r"[的了吗呢吧啊呀是有在和与及或个么多少几哪怎那这为中里说]")
MONEY = ("万元", "元")
WHOLE_TOPICS = ("topic:total", "topic:document")  # "部门预算里说…": the document as a whole, not a subject
QUESTION_FRAME = re.compile(r"预算|决算|部门|单位|文件|里说|里面|多少|几|是|的|\d+年度?")  # not what is asked
SHARED_PIECE = 0.5  # a tie-break: sentences sharing more two-character pieces with the question first
REASON_HINT = 4  # a reason sentence that speaks of what the question compares (年初预算, 比上年) first
REASON_WORDS = {"vs_budget": ("年初", "预算数", "完成", "未开展", "未完成", "小于", "结余"),
                "change": ("比上年", "较上年", "上一年度", "上年度", "较上一", "比20", "增加", "减少", "增长", "下降")}
LABEL = 12  # characters of a figure's own label quoted before it
NEAR = 0.6  # a name counts as in a sentence when this share of its two-character pieces is there
PARALLEL = 3  # sentences tied with this many different figures are a list (one per 科室), not one answer
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
    vocab = view.words.get("measures", {})
    money = any(w in text for w in vocab.get("money", ()))  # "公车花了多少": the money, not how many cars
    asked = any(w in text for w in vocab.get("asks", ())) and not money
    names, units, about, words, counted = [], [], [], [], []
    specs = vocab.get("measures", {})
    worded = {n for n, spec in specs.items() if any(w in text for w in spec["words"])}
    for name, spec in specs.items():
        # "内设机构的编制多少名": 名 is asked; 内设机构 only says whose (a thing counts only when no word asks).
        things = [w for w in spec.get("things", ()) if w in text] if asked and not worded else []
        if things or name in worded:
            names.append(name)
            units += spec["units"]
            about += spec["about"]
            words += spec["words"] + things
            counted += things
    if not names:
        return None
    return "+".join(names), {"units": units, "about": about, "words": words, "things": counted}


def measure_asked(q) -> tuple[str, dict] | None:
    """The prose measure a question asks, read past the names it matched ("办公设备购置" names an item, it does
    not ask for 设备)."""
    masked = q.norm.text
    for h in q.hits:
        if h.surface and h.score >= 90 and h.end - h.start > 2 and not h.entity.kind.startswith("topic:"):
            masked = masked[:h.start] + "\x00" * (h.end - h.start) + masked[h.end:]
    return asked_measure(q.view, masked)


def gives_measure(ans: Answer, measure: tuple[str, dict]) -> bool:
    """Whether a reply states a figure in the measure's units (a count asked is not answered in 万元)."""
    units = "|".join(re.escape(u) for u in measure[1]["units"])
    return bool(re.search(rf"\d\s*(?:{units})", ans.body))


def answer_sentence(q, measure_only: bool = False) -> Answer | None:
    """The sentence that holds the asked measure or reason for the asked subject, quoted; or None."""
    view = q.view
    measure = measure_asked(q)
    reason = "reason" in q.aspects.found
    if measure_only and measure is None:
        return None
    money = measure is None and not reason and set(q.aspects.found) <= {"amount", "attribute"}
    if money:
        # "在建工程多少钱": a name no table prints, asked for its amount: the sentence that gives it in 万元/元,
        # found by the question's own words (at least one of them, exactly).
        measure = ("money", {"units": list(MONEY), "about": [], "words": [], "things": []})
    elif measure is None and not reason:
        return None
    subjects = _subject_words(q, measure)
    named = _required(q, measure)
    hints = tuple(tuple(REASON_WORDS.get(a, ())) for a in q.aspects.found if a != "reason")
    said = label_key(q.norm.text)
    for word, printed in (view.words.get("measures", {}).get("synonyms") or {}).items():
        said = said.replace(word, printed)
    pieces = frozenset(_pieces_of(QUESTION_FRAME.sub(" ", said)))
    if money and not any(len(w) >= MIN_CHUNK for w in subjects):
        return None
    scored = [(score, k, s) for k, s in enumerate(sentences_of(view))
              if all(w in s.key or _overlap(w, s.key) >= NEAR for w in named)
              and (not money or all(w in s.key or _overlap(w, s.key) >= NEAR for w in subjects))
              and (score := _score(s, measure, reason, subjects, hints, pieces)) > 0]
    if not scored:
        return None
    best_score = max(x[0] for x in scored)
    top = [x for x in scored if x[0] == best_score]
    if measure and len({_figures(s.text, measure, subjects) for _, _, s in top}) >= PARALLEL:
        return None  # "一共多少编制": a list of sentences each with its own count, and nothing says which
    _, k, s = top[0]
    quote = s.text
    following = sentences_of(view)[k + 1] if k + 1 < len(sentences_of(view)) else None
    if following and quote.endswith(("：", ":")) and following.section == s.section:
        quote += following.text
    head = _figures(quote, measure, subjects, strict=money)
    if money and not head:
        return None  # "…取暖费、水费等" lists the name; the sentence's 万元 figure is another's (公用经费)
    body = (f"{head}\n" if head else "") + f"文件原文：“{quote}”"
    section = "·".join(x for x in (s.section, s.topic) if x)
    page = f"（第{s.page}页）" if s.page else ""
    return Answer("answer", body, "sentence", {"section": s.section}, 80.0,
                  source=f"{view.doc.short}·{section or '文字说明'}{page}", tier="sentence")


def _subject_words(q, measure: tuple[str, dict] | None) -> list[str]:
    """What the question is about, in its own words: the names it matched, then what is left once the asking
    words, the measure and the unit names are taken out."""
    return _required(q, measure) + _chunks(q, measure)


def _hit_words(q, measure: tuple[str, dict] | None) -> list[str]:
    asking = measure[1]["words"] if measure else []
    words = [h.surface for h in q.hits if h.surface and h.score >= 90 and not any(w in h.surface for w in asking)]
    for h in q.hits:  # "土地面积": the measure's word taken out, what is measured (土地) still names the subject
        if h.surface and h.score >= 90 and any(w in h.surface for w in asking):
            left = h.surface
            for w in sorted(asking, key=len, reverse=True):
                left = left.replace(w, "")
            if len(left) >= MIN_CHUNK:
                words.append(left)
    counted = set(measure[1]["about"]) | set(measure[1]["things"]) if measure else set()
    return [w for w in words if w not in counted]


def _required(q, measure) -> list[str]:
    """The names a sentence must hold: the question's own names, not the whole it is asked within ("部门预算")."""
    topics = {h.surface for h in q.hits if h.entity.kind in WHOLE_TOPICS}
    return [label_key(w) for w in _hit_words(q, measure) if len(w) >= MIN_CHUNK and (w not in topics or not measure)]


def _chunks(q, measure: tuple[str, dict] | None) -> list[str]:
    """What is left of the question once its names, asking words, measure and unit names are taken out."""
    view, text = q.view, q.norm.text
    words = _hit_words(q, measure)
    rest = text
    for w in sorted(words + [h.surface for h in q.hits if h.surface], key=len, reverse=True):
        rest = rest.replace(w, " ")
    # Words that ask (金额, 多少) go; a query's attribute words ("货物采购") stay: they say what is asked.
    drop = [w for w, aspect, _ in view.shared.aspect_pairs if aspect != "attribute"] + view.shared.context_words
    if measure:
        drop += list(measure[1]["words"]) + list(measure[1]["units"])
    for w in sorted(set(drop), key=len, reverse=True):
        rest = rest.replace(w, " ")
    rest = YEARISH.sub(" ", rest)
    return [c for c in re.split(r"\s+|" + FILLER.pattern, rest) if len(c) >= MIN_CHUNK]


def _score(s: Sentence, measure, reason: bool, subjects: list[str], hints: tuple = (),
           pieces: frozenset = frozenset()) -> float:
    score = 0.0
    if measure:
        units = "|".join(re.escape(u) for u in measure[1]["units"])
        if not re.search(rf"\d\s*(?:{units})", s.text):
            return 0.0
        score += 10
        about = [w for w in measure[1]["about"] if w in s.text]
        if measure[1]["about"] and not about:
            return 0.0  # "项目几个": a sentence counting 内设机构 is not the answer, whatever else it shares
        score += max((len(w) for w in about), default=0)
        score += sum(len(w) for w in measure[1]["things"] if w in s.text) / 2  # "预算单位" counted, not 机关
    if reason:
        if "原因" not in s.text and "由于" not in s.text:
            return 0.0
        score += 6
        # The reason for what was asked: a sentence about the budget gap for "没花完", the year's change for "增加".
        score += sum(REASON_HINT for words in hints if any(w in s.text for w in words))
    matched = [w for w in subjects if w in s.key]
    if subjects and not matched and not measure:
        near = max((_overlap(w, s.key) for w in subjects), default=0)
        if near < NEAR:
            return 0.0  # a reason or an amount for something the sentence does not name
        score += 2 * near
    score += sum(len(w) for w in matched)
    score += SHARED_PIECE * len(pieces & _pieces_of(s.key))  # "共有多少辆车": 共有车辆, not 购置车辆
    return score


def _pieces_of(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _overlap(word: str, key: str) -> float:
    """The share of a word's two-character pieces found in the sentence."""
    pieces = {word[i:i + 2] for i in range(len(word) - 1)}
    return sum(p in key for p in pieces) / len(pieces) if pieces else 0.0


def _figures(quote: str, measure, subjects: list[str], strict: bool = False) -> str:
    """The asked figures as the sentence prints them, each with the words just before it ("共有车辆2辆",
    "公务接待2批次、26人次"), for the reply's first line: the figure the question's own words lead to first, else
    the first one after the thing counted; one per unit asked."""
    if not measure:
        return ""
    units = "|".join(re.escape(u) for u in sorted(measure[1]["units"], key=len, reverse=True))
    found = list(re.finditer(rf"(\d[\d,.]*)\s*({units})", quote))
    if not found:
        return ""
    about = [w for w in measure[1]["about"] if w]
    chosen: dict[str, tuple[str, str]] = {}
    for rank, cues in enumerate((subjects,) if strict else (subjects, about, [""])):
        for m in found:
            label = _label_before(quote, m.start())
            key = label_key(re.split(r"[，,。；;：:、（）()\s]", quote[max(0, m.start() - LABEL):m.start()])[-1])
            if m.group(2) not in chosen and any(c in key or (c and _overlap(c, key) >= NEAR) for c in cues
                                                if c or rank == 2):
                chosen[m.group(2)] = (label, m.group(1) + m.group(2) + _counted_after(quote, m.end()))
    parts = [label + figure for label, figure in chosen.values()]
    return "文件写明：" + "、".join(parts[:4]) + "。" if parts else ""


def _counted_after(text: str, at: int) -> str:
    """What a count counts when the sentence names it after the figure ("设22个内设机构，包括…": 内设机构)."""
    m = re.match(r"[^\d，,。；;：:、（）()\s]{1,8}", text[at:])
    if not m:
        return ""
    cut = re.split(r"包括|其中|主要|分别|共计|合计|的|是|为|和|及|等", m.group(0))
    ends = len(cut) > 1 or m.end() == len(text[at:]) or not re.match(r"[^\d，,。；;：:、（）()\s]", text[at + m.end():])
    return cut[0] if ends else ""  # never a word cut in two


def _label_before(text: str, at: int) -> str:
    """The words before a figure back to the last punctuation (at most LABEL characters)."""
    window = text[max(0, at - LABEL):at]
    head = re.split(r"[，,。；;：:、（）()\s]", window)[-1]
    if len(head) == len(window) and at > LABEL:  # cut mid-sentence: keep only what follows its last 的
        head = head.rsplit("的", 1)[1] if "的" in head else ""
    return head