"""One read disclosure as the rows the database holds for it — a pure function, so documents can be read in
worker processes and written by one. Rows are tuples in the order of COLUMNS (what crosses from a worker to the
writer is small and quick to pickle); ids are local (tables and projects numbered from 1) until written."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..names import abbreviation_keys, region_names, short_names
from ..normalize import label_key
from ..phonetics import Phonetics
from .checks import Check
from .reader import Disclosure

FUNCTION_LEVELS = {3: "类", 5: "款", 7: "项"}

# Each table's columns as rows_of fills them (document_id and generated ids are added by the writer). `table` and
# `project` are the document's local ids: budget_tables.id / cells.table_id and projects.id / …project_id.
PROJECT_FIELDS = ("department", "implementer", "attribute", "period", "overview", "basis", "necessity", "measures",
                  "plan")
CONTACT = ("leader", "handler", "phone", "filed")
COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("unit", "level", "region", "year", "stage", "scope", "title", "intro", "source_file", "sha256",
                  "pages", "template", "departments_stated", "units_stated", "problems", "url"),
    "budget_tables": ("table", "seq", "key", "number", "title", "year", "unit", "empty", "source_line", "page",
                      "status", "reason", "printed_title"),
    "cells": ("table", "row_no", "side", "row_code", "row_label", "row_key", "item_no", "alt_label", "parent_label",
              "source_line", "page", "column_no", "column_label", "header", "value", "printed"),
    "functions": ("code", "name", "level", "parent_code", "source_line"),
    "duties": ("seq", "text", "source_line"),
    "departments": ("seq", "name", "aliases", "duties", "staffing_text", "staff", "leaders", "source_line"),
    "sections": ("no", "number", "title", "path", "kind", "text", "source_line", "page"),
    "sentences": ("seq", "section_no", "topic", "text", "page", "source_line"),
    "statements": ("section_no", "seq", "topic", "subject", "label", "value", "unit", "sentence", "source_line",
                   "page"),
    "reasons": ("section_no", "seq", "about", "text", "source_line"),
    "projects": ("project", "seq", "name", "budget_label", "amount", "link", "goal_period", "goal_year",
                 "source_line") + PROJECT_FIELDS + CONTACT,
    "project_funds": ("project", "period", "source", "amount_yuan", "source_line"),
    "targets": ("project", "period", "level1", "level2", "name", "value_text", "op", "value", "unit", "source_line"),
    "catalog": ("code", "level", "name", "parent_code", "title", "source_line"),
    "glossary": ("seq", "term", "definition", "parent", "source_line"),
    "checks": ("kind", "name", "expected", "actual", "difference", "passed", "detail"),
    "units": ("seq", "name", "note", "page", "source_line"),
    "items": ("seq", "kind", "class_name", "kuan", "xiang", "name", "code", "amount", "last_year", "budget", "final",
              "rate", "planned", "change", "change_pct", "direction", "uses", "reason", "text", "page",
              "source_line"),
    "doc_names": ("surface", "region", "sound"),
    "doc_abbrev": ("first", "last", "name", "sound"),
}


@dataclass
class Rows:
    """A document's rows by table, each a tuple in the order of COLUMNS[table]."""

    sha256: str
    source_file: str
    tables: dict[str, list[tuple]] = field(default_factory=dict)

    def add(self, table: str, rows) -> None:
        """Append rows (tuples in the order of COLUMNS[table]) to a table."""
        self.tables.setdefault(table, []).extend(rows)


def _f(x) -> float | None:
    return None if x is None else float(x)


def _function_code(code: str, parts: tuple[str, ...]) -> bool:
    """Whether a row's code is a well-formed 功能/经济 code (3/5/7 digits; split: 3+2+2 as printed)."""
    if parts:
        return len(parts[0]) == 3 and all(len(x) == 2 for x in parts[1:])
    return len(code) in FUNCTION_LEVELS


_phonetics: list[Phonetics] = []


def phonetics() -> Phonetics:
    """The sound codes of the character table the database ships (built once per process, unless use_charmap
    gave the table of the database being written)."""
    if not _phonetics:
        from .charmap import build_charmap

        use_charmap(build_charmap())
    return _phonetics[0]


def use_charmap(charmap) -> None:
    """Encode sounds with this character table, rows (char, simplified, pinyin) in the database's order: the codes
    are numbered in that order, as the engine numbers them from the database's charmap."""
    _phonetics[:] = [Phonetics({ch: py for ch, _, py in charmap})]


def check_row(c: Check) -> tuple:
    """A check as stored: its detail (what was found, in words) is kept for the failed ones only — a passed check
    is fully said by its name and figures, and the checks are most of a database's size otherwise."""
    difference = c.difference
    passed = abs(difference) < c.tolerance
    return (c.kind, c.name, _f(c.expected), _f(c.actual), _f(difference), int(passed), None if passed else c.detail)


def rows_of(doc: Disclosure, checks: list[Check]) -> Rows:
    """Every row the database holds for one document."""
    out = Rows(doc.source.sha256, doc.source.path.name)
    out.add("documents", [(doc.unit, doc.level, doc.region, doc.year, doc.stage, doc.scope, doc.title, doc.intro,
                           doc.source.path.name, doc.source.sha256, doc.pages, doc.template, doc.departments_stated,
                           doc.units_stated, "\n".join(doc.problems), getattr(doc, "url", ""))])
    functions = _tables(out, doc)
    out.add("functions", [(f["code"], f["name"], f["level"], f["parent_code"], f["source_line"])
                          for f in functions.values()])
    out.add("duties", [(n, t, no) for n, t, no in doc.duties])
    out.add("departments", [(d.seq, d.name, d.aliases, d.duties, d.staffing_text, d.staff, d.leaders, d.line)
                            for d in doc.departments])
    out.add("sections", [(s.no, s.number, s.title, "›".join(s.path), s.part, s.text, s.line, s.page)
                         for s in doc.sections])
    out.add("sentences", [(s.seq, s.section, s.topic, s.text, s.page, s.line) for s in doc.sentences])
    out.add("statements", [(s.section, s.seq, s.topic, s.subject, s.label, _f(s.value), s.unit, s.sentence, s.line,
                            s.page) for s in doc.statements])
    out.add("reasons", [(r.section, r.seq, r.about, r.text, r.line) for r in doc.reasons])
    _projects(out, doc)
    out.add("catalog", [(n.code, n.level, n.name, n.parent, doc.catalog_title, n.line) for n in doc.catalog])
    out.add("glossary", [(g.seq, g.term, g.definition, g.parent, g.line) for g in doc.glossary])
    out.add("checks", [check_row(c) for c in checks])
    out.add("units", [(u.seq, u.name, u.note, u.page, u.line) for u in doc.units])
    code_of = _item_codes(functions)
    out.add("items", [(i.seq, i.kind, i.class_name, i.kuan, i.xiang, i.name, code_of(i), _f(i.amount),
                       _f(i.last_year), _f(i.budget), _f(i.final), _f(i.rate), _f(i.planned), _f(i.change),
                       _f(i.change_pct), i.direction, i.uses, i.reason, i.text, i.page, i.line) for i in doc.items])
    _names(out, doc)
    return out


def _tables(out: Rows, doc: Disclosure) -> dict[str, dict]:
    functions: dict[str, dict] = {}
    tables, cells = [], []
    for local, t in enumerate(doc.tables, 1):
        tables.append((local, t.seq, t.spec.key, t.number, t.title, t.year, t.unit, int(t.empty), t.line, t.page,
                       t.status, t.reason, t.title))
        not_econ = t.spec.key != "basic_econ"
        for r in t.rows:
            base = (local, r.row_no, r.side, r.code, r.label, label_key(r.label), r.item_no, r.alt, r.parent, r.line,
                    r.page or t.page)
            headers, printed = r.headers, r.printed
            for k, (col, v) in enumerate(r.values.items(), 1):
                cells.append(base + (k, col, headers.get(col, ""), None if v is None else float(v),
                                     printed.get(col)))
            if r.code and r.code not in functions and not_econ and _function_code(r.code, r.code_parts):
                parent = r.code[:-2] if len(r.code) > 3 else ""
                functions[r.code] = dict(code=r.code, name=r.label, level=FUNCTION_LEVELS[len(r.code)],
                                         parent_code=parent, source_line=r.line)
    # every table's row first, then every cell (the order the ids were always given in)
    out.add("budget_tables", tables)
    out.add("cells", cells)
    return functions


def _projects(out: Rows, doc: Disclosure) -> None:
    projects, funds, targets = [], [], []
    for local, p in enumerate(doc.projects, 1):
        row = p.budget_row
        annual = next((v for per, k, v, _ in p.funds if per == "年度" and k == "total" and v is not None), None)
        amount = _f(row.values["合计"]) if row else (_f(annual / 10000) if annual is not None else None)
        fields = p.fields
        projects.append((local, p.seq, p.name, row.label if row else None, amount, p.link, p.goals[0], p.goals[1],
                         p.line) + tuple(fields.get(k) for k in PROJECT_FIELDS)
                        + tuple(p.contact.get(k) for k in CONTACT))
        funds += [(local, per, k, _f(v), no) for per, k, v, no in p.funds]
        targets += [(local, t.period, t.level1, t.level2, t.name, t.value_text, t.op, _f(t.value), t.unit, t.line)
                    for t in p.targets]
    out.add("projects", projects)
    out.add("project_funds", funds)
    out.add("targets", targets)


def _names(out: Rows, doc: Disclosure) -> None:
    """The name index rows: every name and region part the unit goes by (with its sound), and the (first, last)
    characters an abbreviation of each name keeps."""
    sound = phonetics().encode
    own = short_names(doc.unit)
    out.add("doc_names", [(s, int(s not in own), sound(s)) for s in sorted(own | region_names(doc.region))])
    out.add("doc_abbrev", [(f, la, n, sound(n)) for n in sorted(own) for f, la in sorted(abbreviation_keys(n))])


def _item_codes(functions: dict[str, dict]):
    """The 功能科目 code of a prose item: the row of that name under that parent (类 → 款 → 项)."""
    by_name: dict[tuple[str, str], str] = {}
    for code, f in functions.items():
        parent = functions.get(f["parent_code"], {}).get("name", "")
        by_name[(f["name"], parent)] = code

    def code_of(item) -> str:
        code = by_name.get((item.class_name, ""), "")
        for name in (item.kuan, item.xiang):
            if not name:
                break
            parent = functions.get(code, {}).get("name", "") if code else ""
            code = by_name.get((name, parent), "") if code else ""
        return code

    return code_of
