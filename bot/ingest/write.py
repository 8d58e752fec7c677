"""Writing a document's rows into the database under its id, and taking a document out again."""
from __future__ import annotations

import sqlite3

from .rows import COLUMNS, Rows

DOC_TABLES = ("documents", "budget_tables", "cells", "functions", "duties", "departments", "sections", "sentences",
              "statements", "reasons", "projects", "project_funds", "targets", "catalog", "glossary", "checks",
              "units", "items", "doc_names", "doc_abbrev")
# The column each local id fills: its own table's id, or the reference to it.
LOCAL_IDS = {"table": ("budget_tables", "table_id"), "project": ("projects", "project_id")}


def _next_id(conn: sqlite3.Connection, table: str) -> int:
    return (conn.execute(f"select coalesce(max(id), 0) from {table}").fetchone()[0] or 0) + 1


def _statement(table: str, doc_id: int, first: dict[str, int]) -> str:
    """The insert for one table's rows of one document: the document id and the offsets that make local ids
    global are part of the statement, the rows are inserted as they come (no per-row work in Python)."""
    names = ["id" if table == "documents" else "document_id"]
    values = [str(int(doc_id))]
    for col in COLUMNS[table]:
        if col in LOCAL_IDS:
            own, ref = LOCAL_IDS[col]
            names.append("id" if table == own else ref)
            values.append(f"? + {int(first[col]) - 1}")
        else:
            names.append(col)
            values.append("?")
    return f"insert into {table} ({', '.join(names)}) values ({', '.join(values)})"


def insert(conn: sqlite3.Connection, doc_id: int, rows: Rows, first_table: int | None = None,
           first_project: int | None = None) -> tuple[int, int]:
    """Write one document's rows as document doc_id, its local table and project ids numbered from first_table and
    first_project (by default: after the largest in the database). Returns the next free table and project ids."""
    first = {"table": _next_id(conn, "budget_tables") if first_table is None else first_table,
             "project": _next_id(conn, "projects") if first_project is None else first_project}
    for name in DOC_TABLES:
        batch = rows.tables.get(name)
        if batch:
            conn.executemany(_statement(name, doc_id, first), batch)
    return (first["table"] + len(rows.tables.get("budget_tables", ())),
            first["project"] + len(rows.tables.get("projects", ())))


def remove(conn: sqlite3.Connection, doc_id: int) -> None:
    """Take every row of one document out."""
    for name in DOC_TABLES:
        column = "id" if name == "documents" else "document_id"
        conn.execute(f"delete from {name} where {column} = ?", (doc_id,))
    if conn.execute("select 1 from sqlite_master where name = 'doc_vocab'").fetchone():
        conn.execute("delete from doc_vocab where document_id = ?", (doc_id,))  # its names, indexed at build
