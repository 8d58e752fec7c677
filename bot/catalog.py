"""The canned queries: one YAML file each in queries/, loaded and validated once."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

try:
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as Loader

PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
ID = re.compile(r"^[a-z][a-z0-9_]*$")


class CatalogError(ValueError):
    """A query file that does not hold a usable query."""


@dataclass(frozen=True)
class Query:
    """One canned query: how it is triggered, its SQL and how its answer reads."""

    id: str
    title: str
    subject: tuple[str, ...]
    aspects: tuple[str, ...]
    params: dict[str, str]
    sql: str
    template: dict[str, str]
    formats: dict[str, str]
    source: str
    phrasings: tuple[str, ...]
    suggest: str
    path: Path = field(compare=False)
    # Named attributes a question may ask for alone ("实施单位", "项目期"): words that ask, and the line that answers.
    attributes: dict[str, dict] = field(default_factory=dict, compare=False)
    # The figure compared across documents ("哪个单位…最多"): printed cells in order of preference, each a table
    # key, a row (label, or code) and a column, where "{name}"-style fields come from the query's params.
    rank: tuple[dict, ...] = field(default_factory=tuple, compare=False)
    field_sources: dict[str, str] = field(default_factory=dict, compare=False)  # a field from another table
    stages: tuple[str, ...] = ("预算", "决算")  # the kinds of document (预算, 决算) whose tables it reads
    fallback: bool = False  # tried only when no other query finds rows for a clear subject
    needs: dict[str, str] = field(default_factory=dict, compare=False)  # aspect → the row field that gives it


def sql_params(sql: str) -> set[str]:
    """The named parameters an SQL text uses."""
    return set(PARAM.findall(re.sub(r"'[^']*'", "''", sql)))


def load_query(path: Path) -> Query:
    """Read and validate one query file."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
    if not isinstance(data, dict):
        raise CatalogError(f"{path}: expected a mapping")
    missing = {"id", "title", "sql", "template", "phrasings", "source"} - data.keys()
    if missing:
        raise CatalogError(f"{path}: missing {sorted(missing)}")
    if not ID.match(data["id"]):
        raise CatalogError(f"{path}: id must be lower-case ASCII")
    sql = data["sql"].strip()
    if not re.match(r"^(select|with)\b", sql, re.I) or ";" in sql.rstrip(";"):
        raise CatalogError(f"{path}: SQL must be one read-only SELECT")
    params = {k: str(v) for k, v in (data.get("params") or {}).items()}
    used = sql_params(sql)
    if used != set(params):
        raise CatalogError(f"{path}: declared params {sorted(params)} != params used in SQL {sorted(used)}")
    template = data["template"] if isinstance(data["template"], dict) else {"row": data["template"]}
    subject = data.get("subject") or []
    attributes = {str(k): dict(v) for k, v in (data.get("attributes") or {}).items()}
    for key, spec in attributes.items():
        if "template" not in spec or not (spec.get("words") or spec.get("aspect")):
            raise CatalogError(f"{path}: attribute {key} needs a template and words or an aspect")
        spec["words"] = tuple(str(w) for w in spec.get("words") or ())
    return Query(
        id=data["id"], title=data["title"], subject=tuple([subject] if isinstance(subject, str) else subject),
        aspects=tuple(data.get("aspects") or ["amount"]), params=params, sql=sql, template=template,
        formats=dict(data.get("formats") or {}), source=data["source"], phrasings=tuple(str(p) for p in data["phrasings"]),
        suggest=data.get("suggest", ""), path=path, attributes=attributes,
        field_sources={str(k): str(v) for k, v in (data.get("field_sources") or {}).items()},
        stages=tuple(data.get("stages") or ("预算", "决算")), fallback=bool(data.get("fallback")),
        needs={str(k): str(v) for k, v in (data.get("needs") or {}).items()},
        rank=_rank_cells(path, data.get("rank") or ()),
    )


RANK_KEYS = {"table", "row", "code", "column", "sql"}


def _rank_cells(path: Path, specs) -> tuple[dict, ...]:
    """A query's rank cells, checked: each names a table, a column, and a row or a code."""
    out = []
    for spec in specs:
        spec = {str(k): str(v) for k, v in dict(spec).items()}
        if set(spec) == {"sql"}:  # a figure the prose states: one statement over every document
            out.append(spec)
            continue
        if set(spec) - RANK_KEYS or not {"table", "column"} <= set(spec) or not ({"row", "code"} & set(spec)):
            raise CatalogError(f"{path}: each rank cell needs table, column and row or code, or sql (got {sorted(spec)})")
        out.append(spec)
    return tuple(out)


def load_catalog(folder: Path) -> dict[str, Query]:
    """Every query file in the folder, by id (ids must be unique)."""
    queries: dict[str, Query] = {}
    for path in sorted(folder.glob("*.yaml")):
        q = load_query(path)
        if q.id in queries:
            raise CatalogError(f"{path}: duplicate id {q.id}")
        queries[q.id] = q
    return queries


def load_vocabulary(folder: Path) -> dict:
    """The matcher's word lists (aspects, topics, aliases, scope) from queries/vocabulary/."""
    out = {}
    for path in sorted((folder / "vocabulary").glob("*.yaml")):
        out[path.stem] = _strings(yaml.load(path.read_text(encoding="utf-8"), Loader=Loader) or {})
    return out


def _strings(data):
    """YAML reads 2022 as a number; every word here is text."""
    if isinstance(data, dict):
        return {str(k): (v if k == "rank" else _strings(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [_strings(x) for x in data]
    return data if isinstance(data, (str, bool)) or data is None else str(data)
