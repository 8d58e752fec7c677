"""Writing a document's rows into the database under its id, and taking a document out again."""
from __future__ import annotations

import sqlite3

from .rows import Rows

DOC_TABLES = ("documents", "budget_tables", "cells", "functions", "duties", "departments", "sections", "sentences",
              "statements", "reasons", "projects", "project_funds", "targets", "catalog", "glossary", "checks",
              "units", "items", "doc_names", "doc_abbrev")


def _next_id(conn: sqlite3.Connection, table: str) -> int:
    return (conn.execute(f"select coalesce(max(id), 0) from {table}").fetchone()[0] or 0) + 1


def _insert(conn: sqlite3.Connection, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    cols = list(rows[0])
    conn.executemany(f"insert into {table} ({', '.join(cols)}) values ({', '.join('?' * len(cols))})",
                     [tuple(r.get(c) for c in cols) for r in rows])


def insert(conn: sqlite3.Connection, doc_id: int, rows: Rows) -> None:
    """Write one document's rows as document doc_id (local table and project ids made global)."""
    first_table = _next_id(conn, "budget_tables")
    first_project = _next_id(conn, "projects")
    for name in DOC_TABLES:
        batch = rows.tables.get(name, [])
        if not batch:
            continue
        out = []
        for r in batch:
            r = dict(r)
            if name == "documents":
                r["id"] = doc_id
            else:
                r["document_id"] = doc_id
            if "table" in r:
                local = r.pop("table")
                r["id" if name == "budget_tables" else "table_id"] = first_table + local - 1
            if "project" in r:
                local = r.pop("project")
                r["id" if name == "projects" else "project_id"] = first_project + local - 1
            out.append(r)
        _insert(conn, name, out)


def remove(conn: sqlite3.Connection, doc_id: int) -> None:
    """Take every row of one document out."""
    for name in DOC_TABLES:
        column = "id" if name == "documents" else "document_id"
        conn.execute(f"delete from {name} where {column} = ?", (doc_id,))
