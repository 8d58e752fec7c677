"""Render variants and write their ground truth: manifest.json and questions.jsonl."""
from __future__ import annotations

import json
import time
from pathlib import Path

from .catalog import ECON, FUNCTION
from .render import Rendered, doc_chars, render, use_font
from .spec import Document, Table, expand_row
from .variants import VARIANTS


def row_label(key: str) -> str:
    """The printed name of a row key (a function or economic code), or the key itself."""
    if key.isdigit():
        return FUNCTION.get(key) or ECON.get(key, key)
    return key


def extracted_title(title: str) -> str:
    """A title as text extraction gives it when its quotes are drawn high: the quotes become spaces."""
    return title.replace("“", " ").replace("”", " ").strip()


def is_empty(table: Table) -> bool:
    """True when no data cell holds a figure."""
    texts = [t for row in table.rows for t in expand_row(row, len(table.widths))]
    return not any(ch.isdigit() for t in texts for ch in t)


def table_entry(doc: Document, table: Table, rendered: Rendered) -> dict:
    """One table's truth: printed title, pages, notes, planted cells."""
    entry: dict = {"key": table.key, "title": table.title or "(form)", "pages": rendered.table_pages.get(table.key, [])}
    if table.raise_quotes:
        entry["extracted_title"] = extracted_title(table.title)
    if table.page_tag in doc.missing:
        entry["missing"] = True
        entry["listed_in_toc"] = True
    entry["empty"] = is_empty(table)
    entry["header_repeated"] = table.repeat_header
    if table.notes:
        entry["notes"] = table.notes
    entry["cells"] = [{"row": c.row, "row_label": row_label(c.row), "column": c.column, "printed": c.printed,
                       "wan": c.wan} for c in doc.cells if c.table == table.key]
    return entry


def doc_entry(doc: Document, rendered: Rendered) -> dict:
    """The manifest record of one document."""
    m = doc.meta
    keep = _listed_tables(doc)
    return {
        "id": doc.id, "file": rendered.path.name, "kind": m.kind, "unit": m.unit, "short_names": m.short,
        "year": m.year, "stage": m.stage, "scope": m.scope, "level": m.level, "money_unit": m.money,
        "pages": rendered.pages, "description": m.description,
        "tables": [table_entry(doc, t, rendered) for t in doc.tables() if t.key in keep],
        "table_count": len(doc.tables()),
        "facts": [fact_entry(f, rendered.fact_pages.get(f.key, [0, 0])) for f in doc.facts],
        "questions": len(doc.questions),
    }


def fact_entry(fact, pages: list[int]) -> dict:
    """A prose fact: its value, the phrase that states it and its page (both pages when it straddles a break)."""
    entry = {"key": fact.key, "value": fact.value, "page": pages[0], "text": fact.needle}
    if pages[1] != pages[0]:
        entry["continues_on_page"] = pages[1]
    return entry


def _listed_tables(doc: Document) -> set[str]:
    """Tables worth listing (the 500-page document lists its own tables and the sampled schools only)."""
    sampled = {c.table for c in doc.cells}
    return {t.key for t in doc.tables() if ":" not in t.key or t.key in sampled}


def question_lines(doc: Document) -> list[str]:
    """The document's questions as JSONL lines."""
    return [json.dumps({"q": q.q, "want": q.want, "nums": q.nums, "texts": q.texts, "doc": doc.id},
                       ensure_ascii=False) for q in doc.questions]


def build(outdir: Path, only: list[str] | None = None) -> dict:
    """Write every variant's PDF, manifest.json and questions.jsonl into outdir; returns the manifest."""
    outdir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    specs = [fn() for vid, fn in VARIANTS.items() if not only or vid in only]
    font = use_font("".join(doc_chars(d) for d in specs))
    docs, lines = [], []
    for doc in specs:
        rendered = render(doc, outdir / f"{doc.id}.pdf", font)
        docs.append(doc_entry(doc, rendered))
        lines.extend(question_lines(doc))
    manifest = {"generator": "tests/docgen", "seconds": round(time.perf_counter() - start, 1), "documents": docs}
    (outdir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    (outdir / "questions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest
