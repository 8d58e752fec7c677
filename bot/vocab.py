"""The matcher's vocabulary, read once from the database and the vocabulary files: entities and their surfaces."""
from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import unicodedata
from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass, field

from .normalize import PUNCT
from .phonetics import Phonetics

# Kinds that win when one surface names several things (住房公积金 is a 功能科目 and an 经济科目).
PRIORITY = {"sangong": 7, "topic": 6, "project": 5, "function": 4, "department": 4, "econ": 3, "target": 3,
            "econ_gov": 2, "table": 2, "term": 1, "catalog": 0}


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


@dataclass
class Vocabulary:
    """Entities, the surface → entities index, and the character tables."""

    entities: list[Entity]
    simplify: dict[str, str]
    phonetics: Phonetics

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
        self._index()

    def _index(self, char_index: dict | None = None) -> None:
        """The lookup indexes over surfaces and their sounds (char_index as stored, when read back)."""
        # First-character indexes, so finding surfaces costs a few dict lookups per character of the question.
        self.by_first: dict[str, list[int]] = {}
        self.by_first_phon: dict[str, list[int]] = {}
        # Names of four or more characters are matched fuzzily too; codes only exactly (2025 is not 20825).
        self.long_idx = [i for i, s in enumerate(self.surfaces) if len(s) >= 4 and not s.isdigit()]
        self.long_surfaces = [self.surfaces[i] for i in self.long_idx]
        self.long_phon = [self.phon[i] for i in self.long_idx]
        self.long_need = [0.6 * len(s) for s in self.long_surfaces]
        # Character → long surfaces holding it, to pick the few worth a fuzzy comparison.
        if char_index is None:
            index: dict[str, set[int]] = {}
            for k, i in enumerate(self.long_idx):
                for c in set(self.surfaces[i]) | set(self.phon[i]):
                    index.setdefault(c, set()).add(k)
            char_index = {c: tuple(sorted(ks)) for c, ks in index.items()}
        self.char_index = char_index
        for i, (s, p) in enumerate(zip(self.surfaces, self.phon)):
            self.by_first.setdefault(s[0], []).append(i)
            if len(s) >= 3:
                self.by_first_phon.setdefault(p[0], []).append(i)

    def to_json(self) -> str:
        """The vocabulary with its normalised surfaces and sounds, to be stored and read back without recomputing."""
        number = {e.key: k for k, e in enumerate(self.entities)}
        return json.dumps({"entities": [[e.kind, e.name, e.attrs, sorted(e.surfaces)] for e in self.entities],
                           "surfaces": self.surfaces, "phon": self.phon,
                           "by_surface": [[number[e.key] for e in self.by_surface[s]] for s in self.surfaces],
                           "char_index": self.char_index},
                          ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str, simplify: dict[str, str], phonetics: Phonetics) -> "Vocabulary":
        """A vocabulary stored with to_json (for the same character tables)."""
        data = json.loads(text)
        self = cls.__new__(cls)
        self.simplify, self.phonetics = simplify, phonetics
        self.entities = [Entity(kind, name, attrs, set(surfaces)) for kind, name, attrs, surfaces in data["entities"]]
        self.by_key = {e.key: e for e in self.entities}
        self.surfaces, self.phon = data["surfaces"], data["phon"]
        ents = self.entities
        self.by_surface = {s: [ents[k] for k in ks] for s, ks in zip(self.surfaces, data["by_surface"])}
        self._index(data["char_index"])
        return self


class Lexicon:
    """The shared vocabulary and one document's own, read as one without copying either: a document's entities
    for a surface replace the shared ones of their kind (the document's 一般行政管理事务 under each of its codes)."""

    def __init__(self, shared: Vocabulary, local: Vocabulary) -> None:
        self.parts = (local, shared)
        self.simplify, self.phonetics = shared.simplify, shared.phonetics
        self.by_key = ChainMap(local.by_key, shared.by_key)
        self.by_surface = _Surfaces(local.by_surface, shared.by_surface)

    @property
    def entities(self) -> list[Entity]:
        """Every entity: the document's, then the shared ones it does not replace (built on each use: iterate
        the parts instead where speed matters)."""
        local, shared = self.parts
        return local.entities + [e for e in shared.entities if e.key not in local.by_key]


class _Surfaces(Mapping):
    """surface → entities over a document's index and the shared one (the document's kinds first)."""

    def __init__(self, local: dict[str, list[Entity]], shared: dict[str, list[Entity]]) -> None:
        self.local, self.shared = local, shared

    def __getitem__(self, surface: str) -> list[Entity]:
        mine = self.local.get(surface)
        if mine is None:
            return self.shared[surface]
        kinds = {e.kind for e in mine}
        return mine + [e for e in self.shared.get(surface, ()) if e.kind not in kinds]

    def __contains__(self, surface: object) -> bool:
        return surface in self.local or surface in self.shared

    def __iter__(self):
        yield from self.local
        yield from (s for s in self.shared if s not in self.local)

    def __len__(self) -> int:
        return len(self.local) + sum(1 for s in self.shared if s not in self.local)


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


def _topics(add, words: dict) -> None:
    for topic, spec in (words.get("topics") or {}).items():
        add(f"topic:{topic}", spec["label"], spec["surfaces"], label=spec["label"], topic=topic,
            parts=tuple(spec.get("parts", ())), columns="|" + "|".join(spec.get("columns", ())) + "|",
            members=tuple((m["query"], m["field"]) for m in spec.get("members", ())),
            narrative=json.dumps(spec.get("narrative") or [spec["label"]], ensure_ascii=False))


def _collector() -> tuple[dict[str, Entity], object]:
    ents: dict[str, Entity] = {}

    def add(kind: str, name: str, surfaces: set[str] | list[str], **attrs: object) -> Entity:
        """Register an entity (merging surfaces when it exists already)."""
        e = ents.setdefault(f"{kind}|{name}", Entity(kind, name, attrs))
        e.surfaces.update(s for s in surfaces if s)
        return e

    return ents, add


def _aliases(ents: dict[str, Entity], words: dict) -> None:
    by_name: dict[str, list[Entity]] = {}
    for e in ents.values():
        by_name.setdefault(e.name, []).append(e)
    for surface, target in (words.get("aliases") or {}).items():
        for e in by_name.get(target, []):
            e.surfaces.add(surface)


def shared_vocabulary(conn: sqlite3.Connection, words: dict, charmap: tuple[dict[str, str], Phonetics]) -> Vocabulary:
    """The names every document shares (功能/经济科目, 三公 items, terms) and the topics: built once per process."""
    ents, add = _collector()
    rows = [dict(r) for r in conn.execute("select kind, name, code, level, extra from shared_names")]
    codes: dict[str, set[str]] = {}
    for r in rows:
        if r["kind"] == "function" and r["code"]:
            codes.setdefault(r["name"], set()).add(r["code"])
    for r in rows:
        kind, name, code = r["kind"], r["name"], r["code"]
        if kind == "function":
            # By name (its code, when the name has one code in every document), and by its code.
            only = next(iter(codes[name])) if len(codes.get(name, ())) == 1 else ""
            add("function", name, _strip_suffix(name), code=only, level=r["level"], label=name)
            if code:
                add("function", f"{name}（{code}）", {code}, code=code, level=r["level"], label=name)
        elif kind == "econ":
            add("econ", name, {name, name.replace("(", "").replace(")", ""), code}, level=r["level"], code=code or "")
        elif kind == "econ_gov" and f"econ|{name}" not in ents:
            add("econ_gov", name, {name})
        elif kind == "sangong":
            printed = r["extra"] if r["extra"] and not re.search(r"\d", r["extra"]) else ""
            add("sangong", name, {name, name.replace("（境）", ""), name.replace("（境）", "(境)"), printed})
        elif kind == "term":
            add("term", name, {name, name.replace("费用", "费")})
    _topics(add, words)
    _aliases(ents, words)
    simplify, phonetics = charmap
    return Vocabulary(list(ents.values()), simplify, phonetics)


def local_vocabulary(conn: sqlite3.Connection, words: dict, document_id: int,
                     charmap: tuple[dict[str, str], Phonetics]) -> Vocabulary:
    """One document's own names: its projects, targets, 科室, tables, catalog, and its 功能科目 printed under
    several codes (one entity per code, so each keeps its own figure)."""
    q = lambda sql, *a: [dict(r) for r in conn.execute(sql, a)]  # noqa: E731
    ents, add = _collector()
    for r in q("select name, code, level from functions where document_id = ? and name in (select name from functions "
               "where document_id = ? group by name having count(*) > 1)", document_id, document_id):
        add("function", f"{r['name']}（{r['code']}）", _strip_suffix(r["name"]) | {r["code"]}, code=r["code"],
            level=r["level"], label=r["name"])
    for r in q("select id, name, budget_label, handler, phone from projects where document_id = ?", document_id):
        names = {r["name"], r["budget_label"] or r["name"]}
        names |= {re.sub(r"^\d{4}年", "", n) for n in names} | {re.sub(r"[,，\s“”]", "", n) for n in names}
        contacts = {r["handler"] or "", r["phone"] or ""}  # "张慧是谁", "3333630是谁的电话"
        add("project", r["name"], names | {s for n in names for s in _strip_suffix(n)} | contacts, id=r["id"],
            parts=("target",))
    for r in q("select name, group_concat(distinct project_id) as projects from targets where document_id = ? "
               "group by name", document_id):
        owners = tuple(int(p) for p in (r["projects"] or "").split(",") if p)
        add("target", r["name"], {r["name"]}, projects=owners)
    for r in q("select seq, name, aliases from departments where document_id = ?", document_id):
        add("department", r["name"], {r["name"], *filter(None, (r["aliases"] or "").split("、"))}, seq=r["seq"])
    for r in q("select key, title from budget_tables where document_id = ? and key != ''", document_id):
        short = re.sub(r"^\d{4}年|（不含上年结转）", "", r["title"])
        shorter = re.sub(r"（[^）]*）$", "", short)  # 项目支出预算表 names both (本年预算) and (上年结转)
        bare = re.sub(r"^一般公共预算(安排)?", "", shorter)  # 基本支出分经济科目表
        add("table", r["title"], {r["title"], short, shorter, bare, short.replace("“", "").replace("”", "")},
            key=r["key"])
    for r in q("select code, name, level from catalog where document_id = ? and level >= 3", document_id):
        add("catalog", r["name"], {r["name"], r["code"]}, code=r["code"])
    _aliases(ents, words)
    simplify, phonetics = charmap
    return Vocabulary(list(ents.values()), simplify, phonetics)


VOCAB_FORMAT = 1  # bump when local_vocabulary or Vocabulary.to_json changes what is stored
VOCAB_TABLE = "doc_vocab"


def vocabulary_version(words: dict) -> str:
    """What a stored vocabulary depends on besides the document: the format and the alias words."""
    aliases = json.dumps(words.get("aliases") or {}, ensure_ascii=False, sort_keys=True)
    return f"{VOCAB_FORMAT}:{hashlib.sha256(aliases.encode()).hexdigest()[:16]}"


def store_local_vocabulary(conn: sqlite3.Connection, words: dict, document_id: int,
                           charmap: tuple[dict[str, str], Phonetics]) -> None:
    """Compute one document's vocabulary at build time and store it (the engine then reads it in a millisecond)."""
    conn.execute(f"create table if not exists {VOCAB_TABLE} (document_id integer primary key, version text, "
                 "data text)")
    data = local_vocabulary(conn, words, document_id, charmap).to_json()
    conn.execute(f"insert or replace into {VOCAB_TABLE} values (?, ?, ?)",
                 (document_id, vocabulary_version(words), data))


def read_local_vocabulary(conn: sqlite3.Connection, words: dict, document_id: int,
                          charmap: tuple[dict[str, str], Phonetics]) -> Vocabulary:
    """One document's vocabulary: as stored at build time when it is current, else computed now."""
    try:
        row = conn.execute(f"select version, data from {VOCAB_TABLE} where document_id = ?", (document_id,)).fetchone()
    except sqlite3.OperationalError:  # a database built before the table existed
        row = None
    if row and row[0] == vocabulary_version(words):
        return Vocabulary.from_json(row[1], *charmap)
    return local_vocabulary(conn, words, document_id, charmap)
