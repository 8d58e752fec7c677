"""The answer engine: a question in, a cited Answer out. No Telegram here."""
from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from rapidfuzz import fuzz

from . import paths, store
from .catalog import Query, load_catalog, load_vocabulary
from .format import Fact, RowFormatter, amount, dec, pct
from .match import Aspects, Hit, aspect_words, find_aspects, find_subjects, out_of_scope
from .normalize import Normalized, normalize
from .vocab import Entity, Vocabulary
from .vocab import load_vocabulary as load_entities

MAX_REPLY = 4000
CLARIFY_MARGIN = 6.0
MIN_SCORE = 60.0
DEFAULT_SUBJECT_SCORE = 75.0
FOLLOW_UP_SCORE = 90.0
PART_NAMED = 15.0
DOCUMENT_PHRASES = {"target", "project", "catalog", "department", "term"}
FALLBACK_MARGIN = 15.0
SEVERAL_MIN = 35.0  # a subject named beside another is answered by its best reading, even a weak one
CONJUNCTION = re.compile(r"和|与|及|跟|、|还有|以及|分别|各|(?<!增|参|追)加(?!总)|比|减|占")
SUM = re.compile(r"一共|合计|总共|加起来|加上|共计|总和|相加|之和|(?<!增|参|追)加(?!总)")
DIFF = re.compile(r"相差|差多少|差额|差距")
OPTIONAL = re.compile(r"\[\[(.*?)\]\]", re.S)
FIELD = re.compile(r"{(\w+)")


@dataclass
class Answer:
    """A reply: status answer|clarify|unknown, its text, and what it rests on."""

    status: str
    text: str
    query: str | None = None
    params: dict = field(default_factory=dict)
    score: float = 0.0
    facts: list[Fact] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    subject: str | None = None

    def to_dict(self) -> dict:
        """The answer as plain JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True)
class Reading:
    """One way to understand a question: a query, the entity it is about, and how well it fits."""

    query: Query
    hit: Hit
    score: float


class Engine:
    """Vocabulary, queries and a read-only connection, loaded once; answer() is then pure lookup."""

    def __init__(self, conn: sqlite3.Connection, queries: dict[str, Query], words: dict) -> None:
        self.conn = conn
        self.queries = queries
        self.words = words
        self.vocab: Vocabulary = load_entities(conn, words)
        # The unit's own names say nothing about the subject (the document is about that unit); "社会保障" in
        # "人力资源和社会保障局" must not read as 社会保障和就业支出.
        names = {self.vocab.document["unit"], *words.get("scope", {}).get("unit_names", [])}
        self.unit_names = tuple(sorted(names, key=len, reverse=True))
        self.lock = threading.Lock()
        # Measured against the alternatives in bench/bench_scorers.py: token_* scorers see one "token" in
        # unsegmented Chinese, and partial_ratio rewards any short skeleton inside a long one.
        self.skeleton_scorer = fuzz.ratio
        self.aspect_pairs = aspect_words(words["aspects"])
        defaults = [f"topic:{t}" for t in words.get("scope", {}).get("default_topics", [])]
        self.default_subjects = [e for e in self.vocab.entities if e.kind in defaults]
        self.context_words = sorted(words.get("scope", {}).get("context", []), key=len, reverse=True)
        self.skeletons = {qid: [self._skeleton(p, q) for p in q.phrasings] for qid, q in queries.items()}
        amount(1.0)  # babel loads its locale data on first use: pay that at start-up, not on a user's question

    # -- understanding ------------------------------------------------------------------------------------------
    def _skeleton(self, question: str, query: Query) -> str:
        """A phrasing with its subject (an entity this query is about) replaced by X."""
        text = normalize(question, self.vocab.simplify, self.unit_names).text
        hits = find_subjects(text, self.vocab, fuzzy=False)
        pool = [h for h in hits if _fits(query, h.entity)] or hits
        if not pool:
            return text
        best = max(pool, key=lambda h: (h.score, h.end - h.start))
        return text[: best.start] + "X" + text[best.end:]

    def readings(self, question: str, previous: str | None = None, hits: list[Hit] | None = None,
                 norm: Normalized | None = None) -> tuple[list[Reading], Aspects, str]:
        """Every (query, subject) reading of a question, best first, with the aspects found.

        previous is the subject key of the last answer in a conversation, for follow-ups ("那去年呢？").
        """
        norm = norm or normalize(question, self.vocab.simplify, self.unit_names)
        hits = find_subjects(norm.text, self.vocab) if hits is None else hits
        masked = norm.text
        for h in hits:
            # Topic surfaces are everyday words ("多少辆", "负责什么"): they still say what is asked.
            if h.score >= 90 and not h.entity.kind.startswith("topic:"):
                masked = masked[: h.start] + "\x00" * (h.end - h.start) + masked[h.end:]
        aspects = find_aspects(masked, self.aspect_pairs)
        if not hits and aspects.found and len(self._residue(norm.text)) <= 2:
            if previous in self.vocab.by_key:
                # A follow-up names only what it asks: it is about the last subject.
                hits = [Hit(self.vocab.by_key[previous], "", 0, 0, FOLLOW_UP_SCORE)]
            else:
                # "比上年增长多少", "你们单位是干什么的": nothing named but what is asked, so the unit as a whole.
                hits = [Hit(e, "", 0, 0, DEFAULT_SUBJECT_SCORE) for e in self.default_subjects]
        named = {h.entity.kind for h in hits if h.score >= 90}
        out: list[Reading] = []
        for q in self.queries.values():
            for h in hits:
                if not _fits(q, h.entity):
                    continue
                skel = norm.text[: h.start] + "X" + norm.text[h.end:]
                sim = max((self.skeleton_scorer(skel, s) for s in self.skeletons[q.id]), default=0)
                score = self._score(q, h, aspects, sim)
                if named & set(h.entity.attrs.get("parts", ())):
                    score -= PART_NAMED  # "三公经费里公车…": the part named is the subject, not the whole
                out.append(Reading(q, h, score))
        out.sort(key=lambda r: (-r.score, -r.hit.entity.priority, -(r.hit.end - r.hit.start)))
        return out, aspects, norm.text

    def _other_object(self, text: str, hits: list[Hit]) -> str | None:
        """A financial object named in the question outside every recognised name (资金, 基金, 补贴…), if any."""
        rest = text
        for h in sorted(hits, key=lambda h: -(h.end - h.start)):
            if h.score >= 90 and h.surface:
                rest = rest.replace(h.surface, "\x00" * len(h.surface))
        for word in self.words.get("scope", {}).get("other_objects", []):
            pos = rest.find(word)
            if pos >= 0:
                return text[max(0, pos - 6):pos + len(word)].lstrip("的")  # as asked, with what it qualifies
        return None

    def _residue(self, text: str) -> str:
        """What is left of a question once aspect and context words are taken out."""
        for word, _, _ in self.aspect_pairs:
            text = text.replace(word, "")
        for word in self.context_words:
            text = text.replace(word, "")
        # Figures quoted back ("增加183.5万元") say nothing new; a bare code ("30101") names something.
        return re.sub(r"\d[\d.,]*(万元|万|元|%)|\d{4}年", "", text)

    def _score(self, q: Query, h: Hit, aspects: Aspects, sim: float) -> float:
        ranks = {a: self.words["aspects"][a]["rank"] for a in aspects.found}
        served = [a for a in aspects.found if a in q.aspects]
        score = h.score * 0.6 + h.entity.priority * 0.5 + sim * 0.15 + (h.end - h.start) * 1.0  # text it covers
        if served:
            score += 10 + 4 * ranks[served[0]]
            if ranks[served[0]] < aspects.top_rank:
                score -= 5 * (aspects.top_rank - ranks[served[0]])
        elif aspects.top_rank > 1:
            score -= 8 * aspects.top_rank  # asked something this query does not give
        elif q.aspects[0] == "amount":
            score += 10
        return score

    # -- answering ----------------------------------------------------------------------------------------------
    def answer(self, question: str, previous: str | None = None) -> Answer:
        """Answer one question: a cited figure, a choice of readings, or what the bot can answer."""
        if not isinstance(question, str) or not question.strip():
            return self._unknown("请输入一个关于预算的问题。")
        norm = normalize(question, self.vocab.simplify, self.unit_names)
        bare = re.sub(r"[\W_]+", "", norm.raw)
        helpwords = self.words.get("help", {})
        if bare in helpwords.get("greetings", []):
            return self._unknown("您好！")
        if bare in helpwords.get("thanks", []):
            return self._unknown("不客气！还有什么想问的？")
        if not norm.text:
            return self._unknown("没有看懂这个问题。")
        hits = find_subjects(norm.text, self.vocab)
        # Names from the document (a target "参赛报名人数", "…市委老干部局标准化水平") are not out-of-scope words.
        unnamed = norm.text
        for h in hits:
            if h.score >= 100 and len(h.surface) >= 4 and h.entity.kind in DOCUMENT_PHRASES:
                unnamed = unnamed.replace(h.surface, "\x00")
        oos = out_of_scope(norm.raw, unnamed, self.vocab, self.words.get("scope", {}))
        if oos:
            doc = self.vocab.document
            return self._unknown(f"本机器人只掌握《{doc['unit']}{doc['year']}年度单位{doc['stage']}公开》，"
                                 f"没有关于“{oos}”的数据。")
        readings, aspects, text = self.readings(question, previous, hits, norm)
        good = [r for r in readings if r.score >= MIN_SCORE]
        if not good:
            return self._uncovered(readings, aspects)
        other = self._other_object(text, hits)
        if other:
            # "就业补助资金": a fund the document does not list, next to a name it does (就业). Never answer
            # with the nearest figure; offer the reading we have instead.
            options = list(dict.fromkeys(self.suggestion(r.query, r.hit.entity) for r in good[:3]))[:2]
            return Answer("clarify", f"本文件没有单列“{other}”。您是不是想问：\n" + "\n".join(f"· {s}" for s in options),
                          score=round(good[0].score, 1), suggestions=options)
        if CONJUNCTION.search(text):
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
                return self.run(r.query, r.hit.entity, r.score, rows)
        return self.run(good[0].query, good[0].hit.entity, good[0].score)

    def _several(self, readings: list[Reading], text: str) -> Answer | None:
        """"办公费和水费": two or three subjects named outright, each answered by its best reading."""
        best: dict[str, Reading] = {}
        for r in readings:  # best first
            if r.hit.score >= 100 and r.hit.surface and r.score >= SEVERAL_MIN:
                best.setdefault(r.hit.entity.key, r)
        named = {r.hit.entity.kind for r in best.values()}
        picked: list[Reading] = []
        for r in sorted(best.values(), key=lambda r: (-(r.hit.end - r.hit.start), r.hit.start)):
            h = r.hit
            if any(p.hit.entity.name == h.entity.name or (h.start < p.hit.end and p.hit.start < h.end) for p in picked):
                continue
            if named & set(h.entity.attrs.get("parts", ())) and "占" not in text:
                continue  # the whole of a part also named ("车辆原值和净值" is about 车辆), unless asked "A占B"
            picked.append(r)
        if not 2 <= len(picked) <= 3:
            return None
        picked.sort(key=lambda r: r.hit.start)
        joins = [text[a.hit.end:b.hit.start] for a, b in zip(picked, picked[1:])]
        if not all(CONJUNCTION.search(j) for j in joins):
            return None  # "和" inside a name ("人力资源和社会保障管理事务…项目") joins nothing
        parts = [self.run(r.query, r.hit.entity, r.score) for r in picked]
        facts = [f for p in parts for f in p.facts]
        derived = self._combine(parts, text, joins[0])  # joins[0]: "比" in "A比B多多少", "占" in "A占B的比例"
        if derived and "占" in joins[0] and amount(derived[2]) in parts[0].text:
            return None  # "福利费占基本支出比例": the first answer already gives that share
        if derived:
            # The figures used, each with its source, then the arithmetic.
            mains = [next(f for f in p.facts if f.unit == "万元") for p in parts]
            lines = [f"· {p.subject.split('|', 1)[1]}：{amount(m.value)}（来源：{m.source}）" for p, m in zip(parts, mains)]
            reply = "\n".join(lines + [derived[0]])
            facts = mains + [derived[1]]
        else:
            reply = "\n\n".join(p.text for p in parts)
        return Answer("answer", _cap(reply, MAX_REPLY), ",".join(p.query for p in parts),
                      {"readings": [p.params for p in parts]}, round(picked[0].score, 1), facts,
                      subject=parts[-1].subject)

    def _combine(self, parts: list[Answer], question_text: str, between: str) -> tuple[str, Fact, Decimal] | None:
        """A difference, ratio or sum of the parts' main figures when the question asks for one, with its arithmetic
        (and the second figure, the whole of a ratio)."""
        # Each part's main figure is its first 万元 figure; an empty one (未安排) counts as 0, never the next figure.
        mains = [next((f for f in p.facts if f.unit == "万元"), None) for p in parts]
        if None in mains:
            return None
        values = [dec(f.value) if f.value is not None else Decimal("0.00") for f in mains]
        names = [p.subject.split("|", 1)[1] for p in parts]
        if len(values) == 2 and ("比" in between or DIFF.search(question_text)):
            big, small = (0, 1) if values[0] >= values[1] else (1, 0)
            d = values[big] - values[small]
            line = (f"相差：{amount(values[big])} − {amount(values[small])} = {amount(d)}"
                    f"（{names[big]}比{names[small]}多）")
            return line, Fact(f"{names[big]}−{names[small]}", float(d), "万元", "由以上数字相减"), values[1]
        if len(values) == 2 and "占" in between and values[1]:
            share = (values[0] / values[1] * 100).quantize(Decimal("0.01"))
            line = f"占比：{amount(values[0])} ÷ {amount(values[1])} = {pct(share)}（{names[0]}占{names[1]}）"
            return line, Fact(f"{names[0]}/{names[1]}", float(share), "%", "由以上数字相除"), values[1]
        if SUM.search(question_text):
            total = sum(values)
            line = "合计：" + " + ".join(amount(v) for v in values) + f" = {amount(total)}（由以上数字相加）"
            return line, Fact("＋".join(names), float(total), "万元", "由以上数字相加"), values[1]
        return None

    def _uncovered(self, readings: list[Reading], aspects: Aspects) -> Answer:
        """A clear subject asked about something the document does not say: say so, then what it does say."""
        clear = [r for r in readings if r.hit.score >= 90 and r.query.aspects[0] in ("amount", "info", "definition")]
        if not clear or not aspects.found:
            return self._unknown("这个问题在本预算公开文件中找不到对应的内容。")
        best = max(clear, key=lambda r: (r.hit.score, r.hit.entity.priority, r.query.aspects[0] == "amount", r.score))
        asked = self.words["aspects"][aspects.found[0]].get("label", aspects.found[0])
        ans = self.run(best.query, best.hit.entity, best.score)
        ans.text = f"本文件没有说明“{best.hit.entity.name}”的{asked}。以下是文件中关于它的内容：\n" + ans.text
        return ans

    def _rivals(self, readings: list[Reading]) -> list[str]:
        """Suggestions when the best readings are close and name different things."""
        best = readings[0]
        close = [r for r in readings if best.score - r.score <= CLARIFY_MARGIN]
        names = []
        for r in close:
            if r.hit.surface == best.hit.surface and r.hit.entity.kind != best.hit.entity.kind:
                continue  # one surface, several kinds: priority decides (住房公积金)
            if r.hit.entity.name == best.hit.entity.name and r.query.id != best.query.id:
                continue  # the aspect decides between queries on the same subject
            s = self.suggestion(r.query, r.hit.entity)
            if s not in names:
                names.append(s)
        return names[:3] if len(names) > 1 else []

    def suggestion(self, query: Query, entity: Entity) -> str:
        """A question that routes to this reading unambiguously."""
        template = query.suggest or "{name}"
        return template.format(name=entity.name, code=entity.attrs.get("code", ""), title=query.title)

    def all_suggestions(self) -> list[str]:
        """Every question this engine may offer as a button (so button ids stay valid across restarts)."""
        out = list(self.words.get("help", {}).get("examples", []))
        for q in self.queries.values():
            for e in self.vocab.entities:
                if _fits(q, e):
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

    def run(self, query: Query, entity: Entity, score: float = 100.0, rows: list[dict] | None = None) -> Answer:
        """Run a query for an entity and render its answer."""
        params = self._params(query, entity)
        rows = self.rows(query, entity) if rows is None else rows
        facts: list[Fact] = []
        fmt = RowFormatter(query.formats, "", facts)
        first = rows[0] if rows else {}
        fmt.source = _fill(fmt, query.source, first) if rows else ""
        parts = []
        if not rows:
            parts.append(_fill(fmt, query.template.get("empty", "本文件中没有“{name}”的数据。"), {"name": entity.name}))
        else:
            if query.template.get("header"):
                parts.append(_fill(fmt, query.template["header"], first))
            if query.template.get("row"):
                parts += [_fill(fmt, query.template["row"], r) for r in rows]
            if query.template.get("footer"):
                parts.append(_fill(fmt, query.template["footer"], first))
        body = "\n".join(p for p in parts if p.strip())
        source = f"\n来源：{fmt.source}" if fmt.source else ""
        text = _cap(body, MAX_REPLY - len(source)) + source
        return Answer("answer", text, query.id, params, round(score, 1), facts, subject=entity.key)

    def _unknown(self, why: str) -> Answer:
        examples = self.words.get("help", {}).get("examples", [])
        doc = self.vocab.document
        projects = sum(e.kind == "project" for e in self.vocab.entities)
        msg = (f"{why}\n我能回答《{doc['unit']}{doc['year']}年度单位{doc['stage']}公开》中的内容："
               "预算总额及增减、收支各表、功能科目（如2080101）、经济科目（如取暖费）、“三公”经费、机关运行经费、"
               f"政府采购、{projects}个项目及其绩效目标、内设机构和编制、国有资产、名词解释。")
        return Answer("unknown", msg, suggestions=examples[:4])


def _fits(query: Query, entity: Entity) -> bool:
    return entity.kind in query.subject


def _fill(fmt: RowFormatter, template: str, row: dict) -> str:
    """Render a template left to right (so facts keep reading order); a [[…]] part is dropped when a field
    inside it is empty."""
    out = []
    for k, part in enumerate(OPTIONAL.split(template)):
        optional = k % 2 == 1
        if optional and any(row.get(f) in (None, "") for f in FIELD.findall(part)):
            continue
        out.append(fmt.render(part, row))
    return "".join(out)


def _cap(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 20]
    return cut[: cut.rfind("\n")] + "\n……（内容较长，已截断）" if "\n" in cut else cut + "……"


_engine: Engine | None = None
_engine_lock = threading.Lock()


def get_engine() -> Engine:
    """The process-wide engine, loaded on first use (building the database if needed)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            conn = store.connect()
            _engine = Engine(conn, load_catalog(paths.QUERIES), load_vocabulary(paths.QUERIES))
        return _engine


def answer(question: str, previous: str | None = None) -> Answer:
    """Answer one Chinese question about the disclosure (previous: the last answer's subject, for follow-ups)."""
    return get_engine().answer(question, previous)
