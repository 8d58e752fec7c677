"""第二部分: the budget tables, parsed by a per-table column layout and checked against their headers."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .source import Line, Source, nospace, parse_amount, squash

# Role of each printed column: "code", "label", "alt" (a second name) or a value column's printed name.
# A side ("收入"/"支出") marks the two halves of a two-sided table.
Col = tuple[str, str]


@dataclass(frozen=True)
class TableSpec:
    """How one of the template's tables is laid out."""

    key: str
    title: str  # the printed title without its year, e.g. 预算收支总表
    columns: tuple[Col, ...]
    header_rows: int
    total_labels: tuple[str, ...] = ("合计",)


def _c(side: str, *names: str) -> tuple[Col, ...]:
    return tuple((side, n) for n in names)


SPECS: tuple[TableSpec, ...] = (
    TableSpec("summary", "预算收支总表",
              _c("收入", "label", "2023年") + _c("支出", "label", "合计", "当年预算安排", "上年结转安排"),
              2, ("收入总计", "支出总计")),
    TableSpec("income", "预算收入总表",
              _c("", "code", "label", "合计", "一般公共预算", "政府性基金", "国有资本经营预算",
                 "财政专户管理资金", "单位资金", "上年结转"), 2),
    TableSpec("expenditure", "预算支出总表", _c("", "code", "label", "合计", "基本支出", "项目支出"), 2),
    TableSpec("fiscal_summary", "财政拨款收支总表",
              _c("收入", "label", "金额") + _c("支出", "label", "小计", "一般公共预算", "政府性基金预算", "国有资本经营预算"),
              3, ("收入总计", "支出总计")),
    TableSpec("gpb_expenditure", "一般公共预算支出预算表（不含上年结转）",
              _c("", "code", "label", "合计", "基本支出", "项目支出"), 2),
    TableSpec("basic_econ", "一般公共预算安排基本支出分经济科目表（不含上年结转）",
              _c("", "label", "alt", "合计", "人员经费", "公用经费"), 2),
    TableSpec("gov_fund_income", "政府性基金预算收入表（不含上年结转）",
              _c("", "code", "label", "政府性基金收入预算"), 2),
    TableSpec("gov_fund_expenditure", "政府性基金预算支出表（不含上年结转）",
              _c("", "code", "label", "合计", "基本支出", "项目支出"), 1),
    TableSpec("state_capital", "国有资本经营预算收支预算表（不含上年结转）",
              _c("收入", "code", "label", "国有资本经营收入预算") + _c("支出", "code", "label", "合计", "基本支出", "项目支出"),
              3),
    TableSpec("sangong", "一般公共预算“三公”经费支出预算表",
              _c("", "label", "合计", "一般公共预算", "政府性基金预算", "国有资本经营预算"), 2),
    TableSpec("jiguan", "机关运行经费预算财政拨款情况统计表",
              _c("", "label", "合计", "一般公共预算", "政府性基金预算", "国有资本经营预算"), 2, ("部门合计",)),
    TableSpec("projects", "项目支出预算表（本年预算）",
              _c("", "label", "合计", "一般公共预算", "政府性基金预算", "国有资本经营预算", "财政专户管理资金", "单位资金"),
              3, ()),
    TableSpec("projects_carry", "项目支出预算表（上年结转）",
              _c("", "label", "合计", "一般公共预算", "政府性基金预算", "国有资本经营预算"), 3, ()),
)

TITLE = re.compile(r"^(\d{4})年(\S*表(\([^)]*\))?)$")  # on NFKC text
TABLE_NO = re.compile(r"^(预算|部门)公开表(\d+)$")
EMPTY_NOTE = "注：本表无数据"
ORDINAL = re.compile(r"^([一二三四五六七八九十]+、|[①②③④⑤⑥⑦⑧⑨⑩])")


@dataclass
class Row:
    """One printed row (one side of it, in a two-sided table)."""

    row_no: int
    side: str
    code: str
    label: str
    item_no: str
    alt: str
    parent: str
    values: dict[str, Decimal | None]
    line: int
    printed: dict[str, str] = field(default_factory=dict)  # each value's cell text exactly as printed
    page: int | None = None
    code_parts: tuple[str, ...] = ()  # 类/款/项 as printed in separate columns


@dataclass
class Table:
    """A parsed table: title as printed, its unit, rows, and whether it is marked empty."""

    spec: TableSpec
    seq: int
    number: str
    title: str
    year: int
    unit: str
    line: int
    empty: bool = False
    rows: list[Row] = field(default_factory=list)
    page: int | None = None
    org: str = ""  # the 编制部门/编制单位 it names


def spec_for(title: str) -> TableSpec | None:
    """The spec whose title the printed title (without year) is."""
    for spec in SPECS:
        if squash(spec.title) == title:
            return spec
    return None


def is_title(line: Line) -> bool:
    """Whether a line is a table title ('2023年…表')."""
    return "\t" not in line.text.strip() and bool(TITLE.match(squash(line.text)))


def parse_tables(src: Source, lines: list[Line]) -> list[Table]:
    """Parse every table of 第二部分 from its lines; SourceError on anything unexpected."""
    tables: list[Table] = []
    number = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        text = squash(line.text)
        if line.blank:
            i += 1
            continue
        if m := TABLE_NO.match(text):
            number = m.group(0)
            i += 1
            continue
        m = TITLE.match(text) if "\t" not in line.text.strip() else None
        if not m:
            raise src.error(line.no, f"expected a table title (e.g. 2023年预算收支总表), found {line.text.strip()[:40]!r}")
        spec = spec_for(m.group(2))
        if spec is None:
            raise src.error(line.no, f"unknown table title {text!r}; expected one of: "
                            + "、".join(s.title for s in SPECS))
        end = i + 1
        while end < len(lines) and not is_title(lines[end]) and not TABLE_NO.match(squash(lines[end].text)):
            end += 1
        table = Table(spec, len(tables) + 1, number, line.text.strip(), int(m.group(1)), "", line.no)
        _parse_body(src, table, lines[i + 1:end], lines[end - 1].no if end > i + 1 else line.no)
        tables.append(table)
        number = ""
        i = end
    return tables


def _parse_body(src: Source, table: Table, body: list[Line], last_no: int) -> None:
    spec = table.spec
    content = [ln for ln in body if not ln.blank]
    while content and squash(content[0].text).startswith(("单位名称:", "单位:")):
        head = squash(content.pop(0).text)
        if head.startswith("单位:"):
            table.unit = head.split(":", 1)[1]
    if not table.unit:
        raise src.error(table.line, f"table {table.title}: expected a line '单位：万元' after the title")
    if content and squash(content[-1].text) == squash(EMPTY_NOTE):
        table.empty = True
        content.pop()
    if len(content) < spec.header_rows:
        raise src.error(last_no, f"table {table.title} is cut off: expected {spec.header_rows} header rows and data")
    header = "".join(squash(ln.text) for ln in content[: spec.header_rows])
    for side, name in spec.columns:
        if name not in ("code", "label", "alt") and squash(name) not in header:
            raise src.error(content[0].no, f"table {table.title}: expected column {name!r} in its header")
    parents: dict[str, str] = {}
    for row_no, ln in enumerate(content[spec.header_rows:], 1):
        table.rows.extend(_parse_row(src, table, ln, row_no, parents))
    labels = {r.label for r in table.rows}
    missing = [t for t in spec.total_labels if t not in labels]
    if missing:
        raise src.error(last_no, f"table {table.title} is cut off: expected a row {missing[0]!r}")
    if not table.rows and not table.empty:
        raise src.error(last_no, f"table {table.title} has no rows and no note '{EMPTY_NOTE}'")


def _parse_row(src: Source, table: Table, ln: Line, row_no: int, parents: dict[str, str]) -> list[Row]:
    spec = table.spec
    cells = ln.cells
    if len(cells) > len(spec.columns) and any(cells[len(spec.columns):]):
        raise src.error(ln.no, f"table {table.title}: more cells than its {len(spec.columns)} columns")
    cells += [""] * (len(spec.columns) - len(cells))
    rows = []
    for side in dict.fromkeys(s for s, _ in spec.columns):
        idx = [k for k, (s, _) in enumerate(spec.columns) if s == side]
        part = {spec.columns[k][1]: cells[k] for k in idx}
        if not any(part.values()):
            continue
        values = {name: parse_amount(src, ln, raw, f"column {name!r} of {table.title}")
                  for name, raw in part.items() if name not in ("code", "label", "alt")}
        printed = nospace(part.get("label", ""))
        code = squash(part.get("code", ""))
        if code and not code.isdigit() and not printed:  # a total row prints its name in the code column
            code, printed = "", nospace(part.get("code", ""))
        if code and not code.isdigit():
            raise src.error(ln.no, f"table {table.title}: expected a numeric 科目编码, found {code!r}")
        m = ORDINAL.match(printed)
        item_no = m.group(1).rstrip("、") if m else ""
        label = printed[m.end():] if m else printed
        if not label:
            raise src.error(ln.no, f"table {table.title}: a row with figures but no name")
        parent = _parent(table, side, code, label, item_no, part, parents)
        printed_cells = {name: raw.strip() for name, raw in part.items() if name not in ("code", "label", "alt")}
        rows.append(Row(row_no, side, code, label, item_no, squash(part.get("alt", "")), parent, values, ln.no,
                        printed_cells))
    return rows


def code_parent(code: str, label: str, parents: dict) -> str:
    """The label of the row a coded row belongs to (its 款 or 类, by code prefix); remembers this row's code."""
    parents[code] = label
    for n in (5, 3):
        if len(code) > n and code[:n] in parents:
            return parents[code[:n]]
    return ""


def _parent(table: Table, side: str, code: str, label: str, item_no: str, part: dict, parents: dict) -> str:
    """The row a row belongs to: by code prefix, by indentation-free markers (①, class rows), or by group."""
    key = table.spec.key
    if code:
        return code_parent(code, label, parents)
    if key == "basic_econ":
        if not part.get("alt") and label != "合计":
            parents["class"] = label
            return ""
        return parents.get("class", "") if label != "合计" else ""
    if key == "sangong":
        if item_no in "①②③④⑤" and item_no:
            return parents.get("group", "")
        parents["group"] = label
        return ""
    if side == "收入" and key == "fiscal_summary":
        if label.startswith("上年") and "结转" in label:
            parents["carry"] = label
            return ""
        if label in ("本年收入合计", "收入总计"):
            parents.pop("carry", None)
        return parents.get("carry", "") if item_no else ""
    return ""
