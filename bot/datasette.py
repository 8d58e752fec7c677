"""Datasette metadata generated from the database schema and queries/ (one source of truth for canned SQL)."""
from __future__ import annotations

from pathlib import Path

import yaml

from . import paths
from .catalog import load_catalog
from .ingest.schema import COLUMN_DOCS, TABLE_DOCS


def metadata() -> dict:
    """Title, source, licence, table and column descriptions, and every canned query as a named query."""
    queries = {}
    for q in load_catalog(paths.QUERIES).values():
        queries[q.id] = {
            "title": q.title,
            "sql": q.sql,
            "description": f"例句：{'；'.join(q.phrasings[:3])}。参数 :doc 为文件编号（1）。",
        }
    tables = {name: {"description": TABLE_DOCS.get(name, ""), "columns": COLUMN_DOCS.get(name, {})}
              for name in TABLE_DOCS}
    return {
        "title": "忻州市人力资源和社会保障局2023年度单位预算公开",
        "description": "由公开文件文本解析而成：13张预算表、职责与内设机构、情况说明、项目绩效目标、名词解释，"
                       "每个数字都记录来源行号；checks 表为全部算术核对。",
        "source": "忻州市人力资源和社会保障局 2023年度单位预算公开（PDF 文本）",
        "license": "政府公开信息（Public government information）",
        "databases": {"budget": {"tables": tables, "queries": queries}},
    }


def write_metadata(out: Path) -> Path:
    """Write metadata.yml for `datasette data/budget.db -m data/metadata.yml`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(metadata(), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out
