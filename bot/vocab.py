"""The matcher's vocabulary, read once from the database and the vocabulary files: entities and their surfaces."""
from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from dataclasses import dataclass, field

from .normalize import PUNCT

# Kinds that win when one surface names several things (住房公积金 is a 功能科目 and an 经济科目).
PRIORITY = {"sangong": 7, "topic": 6, "project": 5, "function": 4, "department": 4, "econ": 3, "target": 3,
            "econ_gov": 2, "table": 2, "term": 1, "catalog": 0}
FOLD = ((r"^zh", "z"), (r"^ch", "c"), (r"^sh", "s"), (r"ng$", "n"), (r"^l", "n"))


@dataclass
class Entity:
    """Something a question can be about: a table row, project, 科室, term or topic."""

    kind: str
    name: str
    attrs: dict = field(default_factory=dict)
    surfaces: set[str] = field(default_factory=set)

    @property
    def priority(self) -> int:
        """How strongly this kind claims a shared surface."""
        return PRIORITY.get(self.kind.split(":")[0], 0)

    @property
    def key(self) -> str:
        """A stable short id: kind and name."""
        return f"{self.kind}|{self.name}"


class Phonetics:
    """Per-character pinyin (from the database), folded so near-homophones (zh/z, -ng/-n, l/n) compare equal."""

    def __init__(self, charmap: dict[str, str]) -> None:
        codes: dict[str, str] = {}
        for py in set(charmap.values()):
            folded = py
            for pat, rep in FOLD:
                folded = re.sub(pat, rep, folded)
            codes[py] = folded
        symbols: dict[str, str] = {}
        self.code = {ch: symbols.setdefault(codes[py], chr(0xE000 + len(symbols))) for ch, py in charmap.items() if py}

    def encode(self, text: str) -> str:
        """The text with each Chinese character replaced by its sound's code."""
        return "".join(map(self._one, text))

    def _one(self, c: str) -> str:
        return self.code.get(c, c)


@dataclass
class Vocabulary:
    """Entities, the surface → entities index, and the character tables."""

    entities: list[Entity]
    simplify: dict[str, str]
    phonetics: Phonetics
    document: dict
    documents: list[dict]

    def __post_init__(self) -> None:
        self.by_key = {e.key: e for e in self.entities}
        self.by_surface: dict[str, list[Entity]] = {}
        for e in self.entities:
            # Surfaces are compared with normalised questions, so they are normalised the same way.
            for s in {comparable(s, self.simplify) for s in e.surfaces}:
                if len(s) >= 2 and e not in self.by_surface.get(s, []):
                    self.by_surface.setdefault(s, []).append(e)
        self.surfaces = sorted(self.by_surface, key=len, reverse=True)
        self.phon = [self.phonetics.encode(s) for s in self.surfaces]
        # First-character indexes, so finding surfaces costs a few dict lookups per character of the question.
        self.by_first: dict[str, list[int]] = {}
        self.by_first_phon: dict[str, list[int]] = {}
        self.long_idx = [i for i, s in enumerate(self.surfaces) if len(s) >= 4]
        self.long_surfaces = [self.surfaces[i] for i in self.long_idx]
        self.long_phon = [self.phon[i] for i in self.long_idx]
        self.long_need = [0.6 * len(s) for s in self.long_surfaces]
        # Character → long surfaces holding it, to pick the few worth a fuzzy comparison.
        index: dict[str, set[int]] = {}
        for k, i in enumerate(self.long_idx):
            for c in set(self.surfaces[i]) | set(self.phon[i]):
                index.setdefault(c, set()).add(k)
        self.char_index = {c: tuple(ks) for c, ks in index.items()}
        for i, (s, p) in enumerate(zip(self.surfaces, self.phon)):
            self.by_first.setdefault(s[0], []).append(i)
            if len(s) >= 3:
                self.by_first_phon.setdefault(p[0], []).append(i)


def comparable(surface: str, simplify: dict[str, str]) -> str:
    """A name as a normalised question would spell it: NFKC, lower-case, simplified, no punctuation."""
    text = unicodedata.normalize("NFKC", surface).lower()
    return PUNCT.sub("", "".join(simplify.get(c, c) for c in text))


def _strip_suffix(name: str) -> set[str]:
    out = {name}
    for suffix in ("支出", "经费", "费用"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 4:
            out.add(name[: -len(suffix)])
    return out


def load_charmap(conn: sqlite3.Connection) -> tuple[dict[str, str], Phonetics]:
    """The simplification table and the phonetics, from the database's charmap."""
    simplify, pinyin = {}, {}
    for ch, simp, py in conn.execute("select char, simplified, pinyin from charmap"):
        if simp != ch:
            simplify[ch] = simp
        pinyin[ch] = py
    return simplify, Phonetics(pinyin)


def load_vocabulary(conn: sqlite3.Connection, words: dict, document_id: int = 1,
                    charmap: tuple[dict[str, str], Phonetics] | None = None) -> Vocabulary:
    """Build the vocabulary for one document from the database and the word lists."""
    q = lambda sql, *a: [dict(r) for r in conn.execute(sql, a)]  # noqa: E731
    ents: dict[str, Entity] = {}

    def add(kind: str, name: str, surfaces: set[str] | list[str], **attrs: object) -> Entity:
        """Register an entity (merging surfaces when it exists already)."""
        e = ents.setdefault(f"{kind}|{name}", Entity(kind, name, attrs))
        e.surfaces.update(s for s in surfaces if s)
        return e

    functions = q("select code, name, level from functions where document_id = ?", document_id)
    repeated = {n for n in (r["name"] for r in functions) if sum(f["name"] == n for f in functions) > 1}
    for r in functions:
        # A name printed under several 款 (一般行政管理事务) is one entity per code, so each keeps its own figure.
        name = f"{r['name']}（{r['code']}）" if r["name"] in repeated else r["name"]
        add("function", name, _strip_suffix(r["name"]) | {r["code"]}, code=r["code"], level=r["level"], label=r["name"])
    for r in q("select distinct row_label from cells c join budget_tables t on t.id = c.table_id "
               "where t.key = 'summary' and c.side = '支出' and c.item_no != '' and c.document_id = ?", document_id):
        if f"function|{r['row_label']}" not in ents:
            add("function", r["row_label"], _strip_suffix(r["row_label"]), code="", level="类")
    econ_names = set()
    for r in q("select distinct row_label, alt_label, parent_label, row_code from cells c join budget_tables t on t.id = c.table_id "
               "where t.key = 'basic_econ' and row_label != '合计' and c.document_id = ?", document_id):
        econ_names.add(r["row_label"])
        code = r["row_code"] if re.fullmatch(r"3\d{2}(\d{2})?", r["row_code"] or "") else ""
        add("econ", r["row_label"], {r["row_label"], r["row_label"].replace("(", "").replace(")", ""), code},
            level="类" if not r["parent_label"] else "款")
    for r in q("select distinct alt_label from cells c join budget_tables t on t.id = c.table_id "
               "where t.key = 'basic_econ' and alt_label != '' and c.document_id = ?", document_id):
        if r["alt_label"] not in econ_names:
            add("econ_gov", r["alt_label"], {r["alt_label"]})
    for r in q("select distinct row_label, alt_label from cells c join budget_tables t on t.id = c.table_id "
               "where t.key = 'sangong' and row_label != '合计' and c.document_id = ?", document_id):
        name = r["row_label"]
        printed = r["alt_label"] if r["alt_label"] and not re.search(r"\d", r["alt_label"]) else ""
        add("sangong", name, {name, name.replace("（境）", ""), name.replace("（境）", "(境)"), printed})
    for r in q("select id, name, budget_label, handler, phone from projects where document_id = ?", document_id):
        names = {r["name"], r["budget_label"] or r["name"]}
        names |= {re.sub(r"^\d{4}年", "", n) for n in names} | {re.sub(r"[,，\s“”]", "", n) for n in names}
        contacts = {r["handler"] or "", r["phone"] or ""}  # "张慧是谁", "3333630是谁的电话"
        add("project", r["name"], names | {s for n in names for s in _strip_suffix(n)} | contacts, id=r["id"],
            parts=("target",))
    for r in q("select distinct name from targets where document_id = ?", document_id):
        add("target", r["name"], {r["name"]})
    for r in q("select seq, name, aliases from departments where document_id = ?", document_id):
        add("department", r["name"], {r["name"], *filter(None, r["aliases"].split("、"))}, seq=r["seq"])
    for r in q("select term from glossary where document_id = ?", document_id):
        add("term", r["term"], {r["term"], r["term"].replace("费用", "费")})
    for r in q("select key, title from budget_tables where document_id = ?", document_id):
        short = re.sub(r"^\d{4}年|（不含上年结转）", "", r["title"])
        shorter = re.sub(r"（[^）]*）$", "", short)  # 项目支出预算表 names both (本年预算) and (上年结转)
        bare = re.sub(r"^一般公共预算(安排)?", "", shorter)  # 基本支出分经济科目表
        add("table", r["title"], {r["title"], short, shorter, bare, short.replace("“", "").replace("”", "")},
            key=r["key"])
    for r in q("select code, name, level from catalog where document_id = ? and level >= 3", document_id):
        add("catalog", r["name"], {r["name"], r["code"]}, code=r["code"])
    for topic, spec in (words.get("topics") or {}).items():
        add(f"topic:{topic}", spec["label"], spec["surfaces"], label=spec["label"], topic=topic,
            parts=tuple(spec.get("parts", ())), columns="|" + "|".join(spec.get("columns", ())) + "|",
            members=tuple((m["query"], m["field"]) for m in spec.get("members", ())),
            narrative=json.dumps(spec.get("narrative") or [spec["label"]], ensure_ascii=False))
    by_name: dict[str, list[Entity]] = {}
    for e in ents.values():
        by_name.setdefault(e.name, []).append(e)
    for surface, target in (words.get("aliases") or {}).items():
        for e in by_name.get(target, []):
            e.surfaces.add(surface)
    simplify, phonetics = charmap or load_charmap(conn)
    docs = q("select * from documents order by id")
    document = next(d for d in docs if d["id"] == document_id)
    return Vocabulary(list(ents.values()), simplify, phonetics, document, [document])
