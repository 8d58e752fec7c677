"""The database schema: tables keyed by document, the long-format facts view, and indexes."""
from __future__ import annotations

import sqlite_utils

FACTS_VIEW = """
CREATE VIEW facts AS
SELECT c.document_id, d.unit AS unit_name, d.year, t.title AS table_title, t.key AS table_key,
       c.row_no, c.side, c.row_code, c.row_label, c.parent_label, c.column_label, c.value,
       '万元' AS unit, t.unit AS printed_unit, c.printed, c.source_line, c.page, d.stage
FROM cells c
JOIN budget_tables t ON t.id = c.table_id
JOIN documents d ON d.id = c.document_id
WHERE c.value IS NOT NULL
"""

TABLES: dict[str, dict] = {
    "documents": dict(pk="id", columns=dict(id=int, unit=str, level=str, region=str, year=int, stage=str, scope=str,
                                              title=str, intro=str, source_file=str, sha256=str, pages=int,
                                              template=str, departments_stated=int, units_stated=int,
                                              problems=str, url=str)),
    "budget_tables": dict(pk="id", columns=dict(id=int, document_id=int, seq=int, key=str, number=str, title=str,
                                                  year=int, unit=str, empty=int, source_line=int, page=int,
                                                  status=str, reason=str, printed_title=str),
                          foreign_keys=[("document_id", "documents", "id")]),
    "cells": dict(pk="id", columns=dict(id=int, document_id=int, table_id=int, row_no=int, side=str, row_code=str,
                                          row_label=str, row_key=str, item_no=str, alt_label=str, parent_label=str,
                                          column_no=int,
                                          column_label=str, header=str, value=float, printed=str, source_line=int,
                                          page=int),
                  foreign_keys=[("document_id", "documents", "id"), ("table_id", "budget_tables", "id")]),
    "functions": dict(pk=("document_id", "code"), columns=dict(document_id=int, code=str, name=str, level=str,
                                                                  parent_code=str, source_line=int)),
    "units": dict(pk=("document_id", "seq"), columns=dict(document_id=int, seq=int, name=str, note=str, page=int,
                                                           source_line=int)),
    "items": dict(pk=("document_id", "seq"), columns=dict(document_id=int, seq=int, kind=str, class_name=str, kuan=str,
                                                           xiang=str, name=str, code=str, amount=float, last_year=float,
                                                           budget=float, final=float, rate=float, planned=float,
                                                           change=float, change_pct=float, direction=str, uses=str,
                                                           reason=str, text=str, page=int, source_line=int)),
    "duties": dict(pk=("document_id", "seq"), columns=dict(document_id=int, seq=int, text=str, source_line=int)),
    "departments": dict(pk=("document_id", "seq"), columns=dict(document_id=int, seq=int, name=str, aliases=str,
                                                                   duties=str, staffing_text=str, staff=int,
                                                                   leaders=int, source_line=int)),
    "sections": dict(pk=("document_id", "no"), columns=dict(document_id=int, no=int, number=str, title=str, path=str,
                                                               kind=str, text=str, source_line=int, page=int)),
    "sentences": dict(pk=("document_id", "seq"), columns=dict(document_id=int, seq=int, section_no=int, topic=str,
                                                                text=str, page=int, source_line=int)),
    "statements": dict(pk=("document_id", "section_no", "seq"),
                       columns=dict(document_id=int, section_no=int, seq=int, topic=str, subject=str, label=str,
                                    value=float, unit=str, sentence=str, source_line=int, page=int)),
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
    "doc_names": dict(pk=("surface", "document_id"), columns=dict(surface=str, document_id=int, region=int, sound=str)),
    "shared_names": dict(pk=("kind", "name", "code"), columns=dict(kind=str, name=str, code=str, level=str, extra=str)),
    "doc_abbrev": dict(pk=("first", "last", "document_id", "name"),
                       columns=dict(first=str, last=str, document_id=int, name=str, sound=str)),
}


# The secondary indexes, in the order they are made (named idx_TABLE_COLUMNS). A whole build makes them after
# every row is in (one sort each, not an insert per row); an update in place keeps them as it goes.
INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    # every document's cells of one code (rankings across documents)
    ("cells", ("row_code",)),
    ("targets", ("project_id",)),
    # the canned queries look up a table's total row (table_id, row_label, column_label), a document's table by
    # meaning (document_id, key) and the 情况说明 of one section (document_id, section_no)
    ("cells", ("table_id", "row_label", "column_label")),
    ("budget_tables", ("document_id", "key")),
    ("statements", ("document_id", "section_no")),
    ("sentences", ("document_id", "section_no")),
    ("cells", ("document_id", "row_key")),
    ("cells", ("document_id", "row_code")),  # after row_key: SQLite takes this one for `document_id = ?` alone
    ("doc_names", ("sound",)),
    ("documents", ("unit", "year")),
    # every document's table of one meaning (rankings), every document's printed cells of one row key and column
    # (rankings by label key: figures only, so a query uses it with `value IS NOT NULL`)
    ("budget_tables", ("key",)),
    ("cells", ("row_key", "column_label")),
    # one document's rows of the tables keyed by id (its /check summary, its projects, taking it out again)
    ("checks", ("document_id", "passed")),
    ("projects", ("document_id",)),
    ("targets", ("document_id",)),
    ("glossary", ("document_id",)),
)
PARTIAL = {"idx_cells_row_key_column_label": "value IS NOT NULL"}  # an index's WHERE


def create(db: sqlite_utils.Database, indexes: bool = True) -> None:
    """Create every table, the facts view and (unless indexes=False: create_indexes after the rows are in) the
    indexes the engine uses."""
    for name, spec in TABLES.items():
        db[name].create(spec["columns"], pk=spec["pk"], foreign_keys=spec.get("foreign_keys"), not_null=None)
    db.execute(FACTS_VIEW)
    if indexes:
        create_indexes(db.conn)


def create_indexes(conn) -> None:
    """Create the secondary indexes (those already there are kept)."""
    for table, columns in INDEXES:
        name = f"idx_{table}_{'_'.join(columns)}"
        where = f" WHERE {PARTIAL[name]}" if name in PARTIAL else ""
        conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({', '.join(columns)}){where}")


TABLE_DOCS = {
    "documents": "载入的公开文件（单位全称、级次、地区、年度、预算/决算、部门/单位、页数、模板、原文件名与 sha256）",
    "budget_tables": "各文件的预算/决算表（key 按含义统一，未归类的表 key 为空；标题照原文，unit 为原表单位，page 为页码，"
                     "empty=1 表示空表；status 为读取状态 read/partly/kept/empty，reason 说明原因）",
    "cells": "表中每个单元格（value 统一为万元，printed 为原文所印文字；空单元格的 value 为 NULL）",
    "facts": "长表视图：每个印出来的数字一行，附表名、行、列、单位和原文行号",
    "functions": "支出功能分类科目（类/款/项及上级编码）",
    "duties": "第一部分：本单位职责",
    "units": "部门预算/决算包括的单位（本级、下属单位）",
    "items": "编制说明/决算情况说明中逐项说明的功能科目：金额、上年数、年初预算、决算、完成率、增减及原因",
    "departments": "第一部分：内设机构、职责、编制、科级领导职数",
    "sections": "文字部分各节（标题、层级路径、含义 kind：duties/structure/glossary 或空）原文",
    "sentences": "文字部分的每一句（所在节、小标题、页码）",
    "statements": "情况说明中写明的每个数字及其所在句子",
    "reasons": "情况说明给出的增减原因",
    "projects": "项目支出绩效目标申报表（与项目支出表对应的行名与金额）",
    "project_funds": "项目资金来源（元，实施期与年度）",
    "targets": "绩效指标（一级/二级/三级指标与指标值）",
    "catalog": "政府购买服务指导性目录",
    "glossary": "第四部分：名词解释",
    "checks": "由公开文件数字计算的算术核对（expected=各项相加，actual=表中所印）",
    "shared_names": "所有文件共用的名称：功能科目、经济科目、“三公”经费项目、名词（问题据此找到所问的科目）",
    "doc_names": "单位全称、简称和所在地区（问题中点名单位时据此找到文件；sound 为读音编码）",
    "doc_abbrev": "单位简称的首字与末字（“人社局”这样的缩写据此找到候选文件）",
}
COLUMN_DOCS = {
    "facts": {"table_title": "表名（照原文）", "row_code": "科目编码", "row_label": "行名", "column_label": "列名",
              "value": "数值（万元）", "unit": "value 的单位（万元）", "printed_unit": "原表单位",
              "printed": "原文所印数字", "page": "页码", "source_line": "原文文本行号", "side": "收入/支出（两栏表）",
              "parent_label": "上级行名"},
    "cells": {"value": "数值（万元）；NULL 表示原表该格为空", "printed": "原文所印数字（单位见表的 unit）",
              "page": "所在页码", "item_no": "原文序号（一、①等）", "alt_label": "政府预算经济分类名称或原表列名"},
    "checks": {"expected": "按各项相加或推算应得的数", "actual": "文件中印的数", "difference": "actual − expected",
               "passed": "1 = 一致", "detail": "不一致时所见的说明（页码、原文数字）；一致的核对不另存说明"},
    "targets": {"period": "实施期 / 年度", "value_text": "指标值（照原文）", "value": "指标值中的数字"},
    "project_funds": {"amount_yuan": "金额（元）", "source": "total/central/provincial/local/own/other"},
}
