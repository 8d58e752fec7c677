"""Reading a question: every (canned query, subject) it could mean, scored; close readings are rivals."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..catalog import Query
from ..match import Aspects, Hit, find_aspects, find_subjects
from ..normalize import Normalized
from ..vocab import Entity
from .view import DocView, fits

CLARIFY_MARGIN = 6.0
HIT_GAP = 15.0  # a rival read this much more loosely than the best is not offered
DEFAULT_SUBJECT_SCORE = 75.0
FOLLOW_UP_SCORE = 90.0
PART_NAMED = 15.0
STRONG = 90.0  # a hit at least this good names its subject outright
SHADOWED_KINDS = ("project", "department", "target")
PART_SCORE = 85.0  # a part (a project's target, 三公's 公车) named at least this well is what is asked about
# A follow-up is short or says it continues ("那…", "…呢"); a full question never inherits the last subject.
ELLIPTICAL = re.compile(r"^\W*(那|那么|那个|还有|再|另外|它|其|这个|这项)|呢\W*$")
# Aspects whose answer a neighbouring figure never gives: asked and not served, the reply says so instead.
NEIGHBOURING = {"change", "last_year", "reason"}
# Score weights: how well the subject matched, how strongly its kind claims a name, how like a phrasing the
# question is, how much of the question the subject covers; an aspect served or asked and not served.
W_HIT, W_PRIORITY, W_SKELETON, W_COVER = 0.6, 0.5, 0.15, 1.0
SERVED, SERVED_RANK, OUTRANKED, UNSERVED, PLAIN_AMOUNT = 10, 4, 5, 8, 10


@dataclass(frozen=True)
class Reading:
    """One way to understand a question: a query, the entity it is about, and how well it fits."""

    query: Query
    hit: Hit
    score: float


def readings(view: DocView, norm: Normalized, previous: str | None = None, hits: list[Hit] | None = None,
             clause: bool = False) -> tuple[list[Reading], Aspects, str]:
    """Every (query, subject) reading of a question, best first, with the aspects found.

    previous is the subject key of the last answer in a conversation, for follow-ups ("那去年呢？")."""
    shared = view.shared
    hits = find_subjects(norm.text, view.vocab) if hits is None else hits
    masked = norm.text
    for h in hits:
        # Topic surfaces are everyday words ("多少辆", "负责什么"): they still say what is asked.
        if h.score >= STRONG and (not h.entity.kind.startswith("topic:") or h.end - h.start == len(masked)):
            masked = masked[: h.start] + "\x00" * (h.end - h.start) + masked[h.end:]
    aspects = find_aspects(masked, shared.aspect_pairs)
    last = view.vocab.by_key.get(previous) if previous else None
    if clause and last is not None and category_only(hits, last):
        hits = []  # "…多少，是延续性项目吗": a bare category word in a later clause is the same subject
    if not hits and (aspects.found or clause) and (clause or len(residue(view, norm.text)) <= 2):
        if last is not None and (clause or ELLIPTICAL.search(norm.raw) or len(norm.text) <= 6):
            hits = [Hit(last, "", 0, 0, FOLLOW_UP_SCORE)]  # a follow-up names only what it asks
        else:
            # "比上年增长多少", "你们单位是干什么的": nothing named but what is asked, so the unit as a whole.
            hits = [Hit(e, "", 0, 0, DEFAULT_SUBJECT_SCORE) for e in view.default_subjects]
    hits = [Hit(e, h.surface, h.start, h.end, h.score) for h in hits for e in view.expand(h.entity)]
    hits = _deepest_on_path(_unshadowed(hits))
    parts_named = [h for h in hits if h.score >= PART_SCORE and h.surface]
    out: list[Reading] = []
    for q in view.queries.values():
        if view.doc.stage not in q.stages or q.fallback:
            continue
        for h in hits:
            if not fits(q, h.entity):
                continue
            skel = norm.text[: h.start] + "X" + norm.text[h.end:]
            sim = max((shared.skeleton_scorer(skel, s) for s in shared.skeletons.get(q.id, ())), default=0)
            score = _score(view, q, h, aspects, sim, norm.text)
            if _part_named(h, parts_named) or _another_whole(h, parts_named):
                score -= PART_NAMED  # "三公经费里公车…": the part named is the subject, not the whole
            elif container(h, norm.text, parts_named):
                score -= PART_NAMED  # "一般公共预算基本支出中的人员经费": 人员经费 is asked, within the others
            out.append(Reading(q, h, score))
    out.sort(key=lambda r: (-r.score, -r.hit.entity.priority, -(r.hit.end - r.hit.start)))
    return _parent_first(_kind_by_priority(out)), aspects, norm.text


def _nested(a: Entity, b: Entity) -> bool:
    """Whether two 科目 of one name sit one inside the other (其他教育支出 20599 and its 2059999)."""
    ca, cb = a.attrs.get("code") or "", b.attrs.get("code") or ""
    return (a.kind == b.kind == "function" and ca and cb and ca != cb
            and (a.attrs.get("label") or a.name) == (b.attrs.get("label") or b.name)
            and (ca.startswith(cb) or cb.startswith(ca)))


def _parent_first(out: list[Reading]) -> list[Reading]:
    """A name printed for a 款 and for a 项 inside it: the 款 (which holds the 项) leads when they read alike."""
    if len(out) < 2:
        return out
    best = out[0]
    parent = next((r for r in out[1:] if r.query.id == best.query.id and best.score - r.score <= CLARIFY_MARGIN
                   and _nested(r.hit.entity, best.hit.entity)
                   and len(r.hit.entity.attrs["code"]) < len(best.hit.entity.attrs["code"])), None)
    return out if parent is None else [parent, *(r for r in out if r is not parent)]


def _kind_by_priority(out: list[Reading]) -> list[Reading]:
    """One name printed as two kinds (公务接待费: a 三公 row and an 经济科目): the higher kind leads when their best
    readings are close, whichever phrasing the question happens to resemble."""
    if len(out) < 2:
        return out
    best = out[0]
    rival = next((r for r in out[1:] if r.hit.surface == best.hit.surface and r.hit.surface
                  and r.hit.entity.kind != best.hit.entity.kind and best.score - r.score <= CLARIFY_MARGIN
                  and r.hit.entity.priority > best.hit.entity.priority and r.hit.score >= best.hit.score), None)
    named = lambda r: (r.hit.entity.attrs.get("label") or r.hit.entity.name) == r.hit.surface  # noqa: E731
    if rival is None or (named(best) and not named(rival)):
        return out  # "设备购置" is that 政府经济分类's very name, and only a short form of 办公设备购置
    return [rival, *(r for r in out if r is not rival)]


def _part_named(whole: Hit, hits: list[Hit]) -> bool:
    """Whether a part of this subject is named elsewhere in the question ("活动室改造项目绩效目标": a project
    beside 绩效; "…经费整治行动要搞几次": a target beside its project)."""
    kinds = set(whole.entity.attrs.get("parts", ()))
    return bool(kinds) and any(p.entity.kind in kinds and (p.end <= whole.start or whole.end <= p.start)
                               and _belongs(p.entity, whole.entity) for p in hits if p.entity is not whole.entity)


PATH_GAP = 4  # characters between the names of a 类/款/项 path: "（类）", "（款）", "的"


def _deepest_on_path(hits: list[Hit]) -> list[Hit]:
    """"文化旅游体育与传媒支出（类）文化和旅游（款）行政运行（项）": the 项 under the 款 under the 类 — the names
    before it only say which 行政运行 (its code under theirs); the other 行政运行 codes go."""
    coded = [h for h in hits if h.entity.kind == "function" and h.surface and h.entity.attrs.get("code")]

    def under(b: Hit, a: Hit) -> bool:
        ca, cb = a.entity.attrs["code"], b.entity.attrs["code"]
        return 0 <= b.start - a.end <= PATH_GAP and cb.startswith(ca) and cb != ca

    parents = {id(a) for a in coded if any(under(b, a) for b in coded)}
    if not parents:
        return hits
    spans = {(b.start, b.end) for b in coded if any(under(b, a) for a in coded)}
    out = []
    for h in hits:
        if id(h) in parents:
            continue  # a name that only qualifies the next one
        if (h.start, h.end) in spans and h.entity.kind == "function" and not any(
                under(h, a) for a in coded if id(a) in parents):
            continue  # the same name under another 款
        out.append(h)
    return out


CONTAINER = re.compile(r"(?:当中|之中|里面|中间|中|里)的?")


def container(h: Hit, text: str, hits: list[Hit]) -> bool:
    """Whether a name only says where the subject is ("一般公共预算基本支出中的人员经费"): a name follows 中/里
    somewhere after it."""
    if not h.surface:
        return False
    for m in CONTAINER.finditer(text, h.end):
        if any(o.start == m.end() and o.entity is not h.entity for o in hits):
            return True
    return False


def _unshadowed(hits: list[Hit]) -> list[Hit]:
    """Hits without a document name read inside a longer one of the same kind ("公共服务" inside
    "社区公共服务中心": the longer name is the one meant)."""
    return [h for h in hits if h.entity.kind not in SHADOWED_KINDS or not any(
        o.entity.kind == h.entity.kind and o.entity is not h.entity and o.start <= h.start and h.end <= o.end
        and o.end - o.start > h.end - h.start and o.score >= h.score for o in hits)]


def _another_whole(part: Hit, hits: list[Hit]) -> bool:
    """Whether the question names a whole (a project) this part (a target) is not one of ("三支一扶面试的考核指标"
    is not another project's 考核指标 target)."""
    wholes = [w for w in hits if part.entity.kind in w.entity.attrs.get("parts", ())
              and (w.end <= part.start or part.end <= w.start)]
    return (bool(part.entity.attrs.get("projects")) and bool(wholes)
            and not any(_belongs(part.entity, w.entity) for w in wholes))


def _belongs(part, whole) -> bool:
    """Whether a part (a target) is one of this whole's (its project's), where the document says whose it is."""
    owners = part.attrs.get("projects")
    return not owners or whole.attrs.get("id") in owners


def category_only(hits: list[Hit], previous: Entity) -> bool:
    """Whether every subject found is only a category the previous subject belongs to (or nothing)."""
    return all(previous.kind in h.entity.attrs.get("parts", ()) or h.score < STRONG for h in hits)


def other_object(view: DocView, text: str, hits: list[Hit]) -> str | None:
    """A financial object named in the question outside every recognised name (资金, 基金, 补贴…), if any."""
    rest = text
    for h in sorted(hits, key=lambda h: -(h.end - h.start)):
        if h.score >= STRONG and h.surface:
            rest = rest.replace(h.surface, "\x00" * len(h.surface))
    for word in view.scope.get("other_objects", []):
        pos = rest.find(word)
        if pos >= 0:
            return text[max(0, pos - 6):pos + len(word)].lstrip("的")  # as asked, with what it qualifies
    return None


def residue(view: DocView, text: str) -> str:
    """What is left of a question once aspect and context words are taken out."""
    for word, _, _ in view.shared.aspect_pairs:
        text = text.replace(word, "")
    for word in view.shared.context_words:
        text = text.replace(word, "")
    # Figures quoted back ("增加183.5万元") say nothing new; a bare code ("30101") names something.
    return re.sub(r"\d[\d.,]*(万元|万|元|%)|\d{4}年", "", text)


def _score(view: DocView, q: Query, h: Hit, aspects: Aspects, sim: float, text: str = "") -> float:
    ranks = {a: view.words["aspects"][a]["rank"] for a in aspects.found}
    # An attribute is served by the query whose own attribute words the question uses ("是一次性项目吗": 项目属性).
    own = any(w in text for spec in q.attributes.values() for w in spec["words"])
    served = [a for a in aspects.found if a in q.aspects or (a == "attribute" and own)]
    if not served:  # "三公经费明细到项": a query giving the plain list serves a full list asked, one rank lower
        served = [a for a in aspects.found if set(view.words["aspects"][a].get("within", ())) & set(q.aspects)]
        ranks = {a: r - 1 for a, r in ranks.items()}
    score = h.score * W_HIT + h.entity.priority * W_PRIORITY + sim * W_SKELETON + (h.end - h.start) * W_COVER
    if served:
        score += SERVED + SERVED_RANK * ranks[served[0]]
        if ranks[served[0]] < aspects.top_rank:
            score -= OUTRANKED * (aspects.top_rank - ranks[served[0]])
    elif aspects.top_rank > 1:
        score -= UNSERVED * aspects.top_rank  # asked something this query does not give
    elif q.aspects[0] == "amount" and aspects.found != ("attribute",):
        score += PLAIN_AMOUNT
    return score


def strong(hits: list[Hit]) -> list[Hit]:
    """Subjects named outright, one per stretch of text (the longest), in reading order."""
    out: list[Hit] = []
    for h in sorted((h for h in hits if h.score >= STRONG and h.surface),
                    key=lambda h: (-(h.end - h.start), -h.entity.priority, h.start)):
        if not any(h.start < o.end and o.start < h.end for o in out):
            out.append(h)
    return sorted(out, key=lambda h: h.start)


def rivals(view: DocView, good: list[Reading]) -> list[str]:
    """Suggestions when the best readings are close and name different things."""
    best = good[0]
    close = [r for r in good if best.score - r.score <= CLARIFY_MARGIN]
    names = []
    for r in close:
        if r.hit.surface == best.hit.surface and r.hit.entity.kind != best.hit.entity.kind:
            continue  # one surface, several kinds: priority decides (住房公积金)
        if r.hit.entity.name == best.hit.entity.name and r.query.id != best.query.id:
            continue  # the aspect decides between queries on the same subject
        if _part_named(r.hit, [best.hit]):
            continue  # the whole (a project) beside its part named (its target): the part is asked about
        if r is not best and r.hit.surface == best.hit.surface and r.hit.entity.kind == best.hit.entity.kind \
                and r.hit.score < best.hit.score:
            continue  # one stretch read as several names of a kind: the name it covers best ("驻村工作队人数")
        own = best.hit.entity.attrs.get("label") or best.hit.entity.name
        if r is not best and r.hit.surface and best.hit.surface and r.hit.surface != best.hit.surface \
                and r.hit.surface in own and r.hit.entity.kind != best.hit.entity.kind:
            continue  # "2210201住房公积金": the words are the coded row's own name, not another subject
        if r is not best and _nested(r.hit.entity, best.hit.entity):
            continue  # the 项 inside the 款 asked about: the 款's reply names it
        code = r.hit.entity.attrs.get("code")
        if r is not best and code and r.hit.entity.kind == best.hit.entity.kind \
                and code == best.hit.entity.attrs.get("code"):
            continue  # one 科目 named by its name and by its code
        if best.hit.score - r.hit.score >= HIT_GAP:
            continue  # a loose match beside a name read outright is no rival
        if not view.rows(r.query, r.hit.entity):
            continue  # a name another document prints: no button that would find nothing here
        s = view.suggestion(r.query, r.hit.entity)
        if s not in names:
            names.append(s)
    return names[:3] if len(names) > 1 else []


def unserved(view: DocView, query: Query, aspects: Aspects, text: str, row: dict) -> str | None:
    """The specific thing asked (a change, last year's figure, a reason) when the query gives none of it."""
    top = [a for a in aspects.found if view.words["aspects"][a]["rank"] == aspects.top_rank]
    if aspects.top_rank < 3 or not set(top) <= NEIGHBOURING:
        return None
    served = set(query.aspects) | {s.get("aspect") for s in query.attributes.values()}
    served = {a for a in served if a not in query.needs or row.get(query.needs[a]) is not None}
    if "attribute" in aspects.found and any(w in text for s in query.attributes.values() for w in s["words"]):
        return None
    return None if served & set(top) else top[0]
