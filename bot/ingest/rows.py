"""One read disclosure as the rows the database holds for it — a pure function, so documents can be read in
worker processes and written by one. Ids are local (tables and projects numbered from 1) until written."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from ..names import abbreviation_keys, region_names, short_names
from ..normalize import label_key
from ..phonetics import Phonetics
from .checks import Check
from .reader import Disclosure

FUNCTION_LEVELS = {3: "类", 5: "款", 7: "项"}


@dataclass
class Rows:
    """A document's rows by table; `table` and `project` fields are local ids (1…n) until written."""

    sha256: str
    source_file: str
    tables: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, table: str, rows) -> None:
        """Append rows to a table."""
        self.tables.setdefault(table, []).extend(rows)


def _f(x) -> float | None:
    return None if x is None else float(x)


def _function_code(code: str, parts: tuple[str, ...]) -> bool:
    """Whether a row's code is a well-formed 功能/经济 code (3/5/7 digits; split: 3+2+2 as printed)."""
    if parts:
        return len(parts[0]) == 3 and all(len(x) == 2 for x in parts[1:])
    return len(code) in FUNCTION_LEVELS


@lru_cache(maxsize=1)
def phonetics() -> Phonetics:
    """The sound codes of the character table the database ships (built once per process)."""
    from .charmap import build_charmap

    return Phonetics({ch: py for ch, _, py in build_charmap()})


def rows_of(doc: Disclosure, checks: list[Check]) -> Rows:
    """Every row the database holds for one document."""
    out = Rows(doc.source.sha256, doc.source.path.name)
    out.add("documents", [dict(unit=doc.unit, level=doc.level, region=doc.region, year=doc.year, stage=doc.stage,
                               scope=doc.scope, title=doc.title, intro=doc.intro, source_file=doc.source.path.name,
                               sha256=doc.source.sha256, pages=doc.pages, template=doc.template,
                               departments_stated=doc.departments_stated, units_stated=doc.units_stated,
                               problems="\n".join(doc.problems), url=getattr(doc, "url", ""))])
    functions = _tables(out, doc)
    out.add("functions", functions.values())
    out.add("duties", [dict(seq=n, text=t, source_line=no) for n, t, no in doc.duties])
    out.add("departments", [dict(seq=d.seq, name=d.name, aliases=d.aliases, duties=d.duties,
                                 staffing_text=d.staffing_text, staff=d.staff, leaders=d.leaders, source_line=d.line)
                            for d in doc.departments])
    out.add("sections", [dict(no=s.no, number=s.number, title=s.title, path="›".join(s.path), kind=s.part,
                              text=s.text, source_line=s.line, page=s.page) for s in doc.sections])
    out.add("sentences", [dict(seq=s.seq, section_no=s.section, topic=s.topic, text=s.text, page=s.page,
                               source_line=s.line) for s in doc.sentences])
    out.add("statements", [dict(section_no=s.section, seq=s.seq, topic=s.topic, subject=s.subject, label=s.label,
                                value=_f(s.value), unit=s.unit, sentence=s.sentence, source_line=s.line, page=s.page)
                           for s in doc.statements])
    out.add("reasons", [dict(section_no=r.section, seq=r.seq, about=r.about, text=r.text, source_line=r.line)
                        for r in doc.reasons])
    _projects(out, doc)
    out.add("catalog", [dict(code=n.code, level=n.level, name=n.name, parent_code=n.parent, title=doc.catalog_title,
                             source_line=n.line) for n in doc.catalog])
    out.add("glossary", [dict(seq=g.seq, term=g.term, definition=g.definition, parent=g.parent, source_line=g.line)
                         for g in doc.glossary])
    out.add("checks", [dict(kind=c.kind, name=c.name, expected=_f(c.expected), actual=_f(c.actual),
                            difference=_f(c.difference), passed=int(c.passed), detail=c.detail) for c in checks])
    out.add("units", [dict(seq=u.seq, name=u.name, note=u.note, page=u.page, source_line=u.line) for u in doc.units])
    out.add("items", [dict(seq=i.seq, kind=i.kind, class_name=i.class_name, kuan=i.kuan, xiang=i.xiang, name=i.name,
                           code=_item_code(i, functions), amount=_f(i.amount), last_year=_f(i.last_year),
                           budget=_f(i.budget), final=_f(i.final), rate=_f(i.rate), planned=_f(i.planned),
                           change=_f(i.change), change_pct=_f(i.change_pct), direction=i.direction, uses=i.uses,
                           reason=i.reason, text=i.text, page=i.page, source_line=i.line) for i in doc.items])
    _names(out, doc)
    return out


def _tables(out: Rows, doc: Disclosure) -> dict[str, dict]:
    functions: dict[str, dict] = {}
    for local, t in enumerate(doc.tables, 1):
        out.add("budget_tables", [dict(table=local, seq=t.seq, key=t.spec.key, number=t.number, title=t.title,
                                       year=t.year, unit=t.unit, empty=int(t.empty), source_line=t.line, page=t.page,
                                       status=t.status, reason=t.reason, printed_title=t.title)])
        cells = []
        for r in t.rows:
            base = dict(table=local, row_no=r.row_no, side=r.side, row_code=r.code, row_label=r.label,
                        row_key=label_key(r.label), item_no=r.item_no, alt_label=r.alt, parent_label=r.parent,
                        source_line=r.line, page=r.page or t.page)
            for k, (col, v) in enumerate(r.values.items(), 1):
                cells.append(dict(base, column_no=k, column_label=col, header=r.headers.get(col, ""), value=_f(v),
                                  printed=r.printed.get(col)))
            if r.code and r.code not in functions and t.spec.key != "basic_econ" and _function_code(r.code,
                                                                                                     r.code_parts):
                parent = r.code[:-2] if len(r.code) > 3 else ""
                functions[r.code] = dict(code=r.code, name=r.label, level=FUNCTION_LEVELS[len(r.code)],
                                         parent_code=parent, source_line=r.line)
        out.add("cells", cells)
    return functions


def _projects(out: Rows, doc: Disclosure) -> None:
    for local, p in enumerate(doc.projects, 1):
        row = p.budget_row
        annual = next((v for per, k, v, _ in p.funds if per == "年度" and k == "total" and v is not None), None)
        amount = _f(row.values["合计"]) if row else (_f(annual / 10000) if annual is not None else None)
        out.add("projects", [dict(project=local, seq=p.seq, name=p.name, budget_label=row.label if row else None,
                                  amount=amount, link=p.link, goal_period=p.goals[0], goal_year=p.goals[1],
                                  source_line=p.line, **p.fields,
                                  **{k: p.contact.get(k) for k in ("leader", "handler", "phone", "filed")})])
        out.add("project_funds", [dict(project=local, period=per, source=k, amount_yuan=_f(v), source_line=no)
                                  for per, k, v, no in p.funds])
        out.add("targets", [dict(project=local, period=t.period, level1=t.level1, level2=t.level2, name=t.name,
                                 value_text=t.value_text, op=t.op, value=_f(t.value), unit=t.unit, source_line=t.line)
                            for t in p.targets])


def _names(out: Rows, doc: Disclosure) -> None:
    """The name index rows: every name and region part the unit goes by (with its sound), and the (first, last)
    characters an abbreviation of each name keeps."""
    sound = phonetics().encode
    own = short_names(doc.unit)
    out.add("doc_names", [dict(surface=s, region=int(s not in own), sound=sound(s))
                          for s in own | region_names(doc.region)])
    out.add("doc_abbrev", [dict(first=f, last=la, name=n) for n in sorted(own)
                           for f, la in sorted(abbreviation_keys(n))])


def _item_code(item, functions: dict[str, dict]) -> str:
    """The 功能科目 code of a prose item: the row of that name under that parent (类 → 款 → 项)."""
    by_name: dict[tuple[str, str], str] = {}
    for code, f in functions.items():
        parent = functions.get(f["parent_code"], {}).get("name", "")
        by_name[(f["name"], parent)] = code
    code = by_name.get((item.class_name, ""), "")
    for name in (item.kuan, item.xiang):
        if not name:
            break
        parent = functions.get(code, {}).get("name", "") if code else ""
        code = by_name.get((name, parent), "") if code else ""
    return code
