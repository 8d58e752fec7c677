"""The database schema: tables keyed by document, the long-format facts view, and indexes."""
from __future__ import annotations

import sqlite_utils

FACTS_VIEW = """
CREATE VIEW facts AS
SELECT c.document_id, d.unit AS unit_name, d.year, t.title AS table_title, t.key AS table_key,
       c.row_no, c.side, c.row_code, c.row_label, c.parent_label, c.column_label, c.value,
       t.unit, c.source_line
FROM cells c
JOIN budget_tables t ON t.id = c.table_id
JOIN documents d ON d.id = c.document_id
WHERE c.value IS NOT NULL
"""

TABLES: dict[str, dict] = {
    "documents": dict(pk="id", columns=dict(id=int, unit=str, year=int, stage=str, title=str, intro=str,
                                              source_file=str, sha256=str)),
    "budget_tables": dict(pk="id", columns=dict(id=int, document_id=int, seq=int, key=str, number=str, title=str,
                                                  year=int, unit=str, empty=int, source_line=int),
                          foreign_keys=[("document_id", "documents", "id")]),
    "cells": dict(pk="id", columns=dict(id=int, document_id=int, table_id=int, row_no=int, side=str, row_code=str,
                                          row_label=str, item_no=str, alt_label=str, parent_label=str, column_no=int,
                                          column_label=str, value=float, source_line=int),
                  foreign_keys=[("document_id", "documents", "id"), ("table_id", "budget_tables", "id")]),
    "functions": dict(pk=("document_id", "code"), columns=dict(document_id=int, code=str, name=str, level=str,
                                                                  parent_code=str, source_line=int)),
    "duties": dict(pk=("document_id", "seq"), columns=dict(document_id=int, seq=int, text=str, source_line=int)),
    "departments": dict(pk=("document_id", "seq"), columns=dict(document_id=int, seq=int, name=str, aliases=str,
                                                                   duties=str, staffing_text=str, staff=int,
                                                                   leaders=int, source_line=int)),
    "sections": dict(pk=("document_id", "no"), columns=dict(document_id=int, no=int, title=str, text=str,
                                                               source_line=int)),
    "statements": dict(pk=("document_id", "section_no", "seq"),
                       columns=dict(document_id=int, section_no=int, seq=int, topic=str, subject=str, label=str,
                                    value=float, unit=str, sentence=str, source_line=int)),
    "reasons": dict(pk=("document_id", "section_no", "seq"),
                    columns=dict(document_id=int, section_no=int, seq=int, about=str, text=str, source_line=int)),
    "projects": dict(pk="id", columns=dict(id=int, document_id=int, seq=int, name=str, budget_label=str,
                                             amount=float, link=str, department=str, implementer=str, attribute=str,
                                             period=str, overview=str, basis=str, necessity=str, measures=str,
                                             plan=str, goal_period=str, goal_year=str, leader=str, handler=str,
                                             phone=str, filed=str, source_line=int)),
    "project_funds": dict(pk=("project_id", "period", "source"),
                          columns=dict(project_id=int, document_id=int, period=str, source=str, amount_yuan=float,
                                       source_line=int)),
    "targets": dict(pk="id", columns=dict(id=int, project_id=int, document_id=int, period=str, level1=str, level2=str,
                                            name=str, value_text=str, op=str, value=float, unit=str,
                                            source_line=int)),
    "catalog": dict(pk=("document_id", "code"), columns=dict(document_id=int, code=str, level=int, name=str,
                                                                parent_code=str, title=str, source_line=int)),
    "glossary": dict(pk="id", columns=dict(id=int, document_id=int, seq=int, term=str, definition=str, parent=str,
                                             source_line=int)),
    "checks": dict(pk="id", columns=dict(id=int, document_id=int, kind=str, name=str, expected=float, actual=float,
                                           difference=float, passed=int, detail=str)),
    "charmap": dict(pk="char", columns=dict(char=str, simplified=str, pinyin=str)),
}


def create(db: sqlite_utils.Database) -> None:
    """Create every table, the facts view and the indexes the engine uses."""
    for name, spec in TABLES.items():
        db[name].create(spec["columns"], pk=spec["pk"], foreign_keys=spec.get("foreign_keys"), not_null=None)
    db.execute(FACTS_VIEW)
    db["cells"].create_index(["document_id", "table_id", "row_label"])
    db["cells"].create_index(["row_code"])
    db["targets"].create_index(["project_id"])
