"""The loaded documents, found from a question through the database's name index — never by scanning them.

A question's substrings are looked up among the names every unit goes by (doc_names, written at build time), by
characters and by sound; a body the question names that is no such name ("人社局") is tried as an abbreviation
through the (first, last character) index. Cost depends on the question's length, not on how many documents are
loaded.
"""
from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass
from functools import lru_cache

from ..names import is_abbreviation, region_names, short_names

MAX_NAME = 24  # no unit name people type is longer
CHUNK = 500  # SQL variables per lookup
DOC_CACHE = 4096


@dataclass(frozen=True)
class Doc:
    """A loaded document as a question can name it."""

    id: int
    unit: str
    year: int
    stage: str
    names: tuple[str, ...]  # the unit's full name and the shorter names derived from it, longest first
    region: str = ""
    regions: tuple[str, ...] = ()  # the region and its parts as people say them (上海, 普陀区)
    scope: str = "部门"
    url: str = ""

    @property
    def label(self) -> str:
        """How a reply names it: unit, year and kind."""
        return f"{self.unit}{self.year}年{self.stage}"

    @property
    def short(self) -> str:
        """A brief name for headlines and source lines: the unit with only its nearest region, year and kind."""
        return f"{self.short_unit}{self.year}年{self.stage}"

    @property
    def short_unit(self) -> str:
        """The unit with only its nearest region (普陀区社会福利院), 人民政府 dropped."""
        name = self.unit[len(self.region):] if self.region and len(self.unit) - len(self.region) >= 3 else self.unit
        name = name.replace("人民政府", "")
        near = re.findall(r"[^省市区县]{2,4}?(?:省|自治区|市|区|县)", self.region)
        if near and not name.startswith(near[-1]) and name != self.unit:
            name = near[-1] + name
        return name


def make_doc(row: dict) -> Doc:
    """A Doc from a documents row."""
    from ..names import REGION

    region = row.get("region") or (REGION.match(row["unit"]).group(0) if REGION.match(row["unit"]) else "")
    return Doc(row["id"], row["unit"], int(row["year"]), row.get("stage") or "预算",
               tuple(sorted(short_names(row["unit"]), key=len, reverse=True)), region,
               tuple(sorted(region_names(region))), row.get("scope") or "部门", row.get("url") or "")


class Library:
    """The documents in the database: by id (cached), by name, by sound, by abbreviation."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.Lock, default_source: str = "") -> None:
        self.conn, self.lock = conn, lock
        with lock:
            row = conn.execute("select id from documents where source_file = ? order by id limit 1",
                               (default_source,)).fetchone()
            first = conn.execute("select min(id), count(*) from documents").fetchone()
            self.count = first[1]
            self.default_id = row[0] if row else first[0]
            self.regions = frozenset(r[0] for r in conn.execute("select distinct surface from doc_names where region = 1"))
            ends = conn.execute("select group_concat(distinct substr(surface, 1, 1)), group_concat(distinct "
                                "substr(surface, -1, 1)), group_concat(distinct substr(sound, 1, 1)), "
                                "group_concat(distinct substr(sound, -1, 1)) from doc_names").fetchone()
        # Names start and end with few characters: only substrings that could be one are looked up.
        self.firsts, self.lasts, self.sound_firsts, self.sound_lasts = (set((e or "").replace(",", "")) for e in ends)
        self.get = lru_cache(maxsize=DOC_CACHE)(self._get)
        self._ends: tuple[tuple[str, ...], tuple[str, ...]] | None = None

    def _get(self, doc_id: int) -> Doc | None:
        with self.lock:
            row = self.conn.execute("select * from documents where id = ?", (doc_id,)).fetchone()
        return make_doc(dict(row)) if row else None

    def listing(self, limit: int = 50) -> list[Doc]:
        """The first documents, in build order (for /doc and messages saying what is loaded)."""
        with self.lock:
            ids = [r[0] for r in self.conn.execute("select id from documents order by id limit ?", (limit,))]
        return [self.get(i) for i in ids]

    def exists(self, doc_id: int | None) -> bool:
        """Whether a document id is loaded."""
        return doc_id is not None and self.get(doc_id) is not None

    def same_unit(self, doc: Doc) -> list[Doc]:
        """Every loaded document of this unit (its other years and kinds), newest first."""
        with self.lock:
            ids = [r[0] for r in self.conn.execute(
                "select id from documents where unit = ? order by year desc, stage = '决算', id", (doc.unit,))]
        return [self.get(i) for i in ids]

    def of_year(self, year: int, limit: int = 50) -> list[int]:
        """Documents of a year."""
        with self.lock:
            return [r[0] for r in self.conn.execute("select id from documents where year = ? order by id limit ?",
                                                    (year, limit))]

    def names_in(self, text: str) -> list[tuple[str, tuple[int, ...], bool]]:
        """Every unit name or region found in the text: (name, document ids, is a region), longest first."""
        found = self._lookup("surface", _substrings(text, self.firsts, self.lasts))
        return sorted(found, key=lambda x: -len(x[0]))

    def sounds_in(self, sound: str) -> list[tuple[str, tuple[int, ...], bool]]:
        """Names found by sound: (encoded name, ids, is a region) for names of three or more characters."""
        keys = [s for s in _substrings(sound, self.sound_firsts, self.sound_lasts) if len(s) >= 3]
        return sorted(self._lookup("sound", keys), key=lambda x: -len(x[0]))

    def _lookup(self, column: str, keys: list[str]) -> list[tuple[str, tuple[int, ...], bool]]:
        by: dict[tuple[str, bool], list[int]] = {}
        if not keys:
            return []
        for k in range(0, len(keys), CHUNK):
            part = keys[k:k + CHUNK]
            sql = (f"select {column}, document_id, region from doc_names where {column} in "
                   f"({','.join('?' * len(part))})")
            with self.lock:
                for key, doc_id, region in self.conn.execute(sql, part):
                    by.setdefault((key, bool(region)), []).append(doc_id)
        return [(key, tuple(sorted(set(ids))), region) for (key, region), ids in by.items()]

    def abbreviated(self, mention: str, encode=None) -> list[int]:
        """Documents whose unit this mention abbreviates ("人社局", "规划资源局", "临江卫健委"); with encode, also
        by sound when no character match does ("人设局", "福利园")."""
        if len(mention) < 3:
            return []
        with self.lock:
            rows = self.conn.execute("select document_id, name from doc_abbrev where first = ? and last = ?",
                                     (mention[0], mention[-1])).fetchall()
        found = sorted({d for d, name in rows if is_abbreviation(mention, name)})
        if found or encode is None:
            return found
        firsts, lasts = self._abbrev_ends()
        heads = [c for c in firsts if encode(c) == encode(mention[0])]
        tails = [c for c in lasts if encode(c) == encode(mention[-1])]
        if not heads or not tails:
            return []
        with self.lock:
            rows = self.conn.execute(
                f"select document_id, sound from doc_abbrev where first in ({','.join('?' * len(heads))}) "
                f"and last in ({','.join('?' * len(tails))})", (*heads, *tails)).fetchall()
        sound = encode(mention)
        return sorted({d for d, coded in rows if is_abbreviation(sound, coded)})  # names coded at build

    def _abbrev_ends(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The first and last characters abbreviations are filed under (read once)."""
        if self._ends is None:
            with self.lock:
                self._ends = tuple(tuple(r[0] for r in self.conn.execute(f"select distinct {c} from doc_abbrev"))
                                   for c in ("first", "last"))
        return self._ends

    def loaded_regions(self) -> frozenset[str]:
        """The region names of all loaded documents (a place that is one of them is not 'another place')."""
        return self.regions


def _substrings(text: str, firsts: set[str], lasts: set[str]) -> list[str]:
    """Every substring of two to MAX_NAME characters that starts and ends as some name does (the question is
    short: cost grows with it, not with the library)."""
    out = set()
    n = len(text)
    for i in range(n):
        if text[i] not in firsts:
            continue
        for j in range(i + 2, min(n, i + MAX_NAME) + 1):
            if text[j - 1] in lasts:
                out.add(text[i:j])
    return list(out)
