"""Project forms printed as tables (财政项目支出绩效目标填报表 and the like): fields by their labels, funds,
goals and 绩效指标 by the columns their header row names.

A form is a grid of label | value cells; its cells are read by what they say, not where they stand, so a form
laid out differently still reads. The seed's 申报表 (text) keep their own reader in projects.py.
"""
from __future__ import annotations

import re
from decimal import Decimal

from .amounts import amount, clean
from .model import Table
from .projects import LEVEL2, Project, Target, TARGET_VALUE

FORM_TITLE = re.compile(r"绩效目标(填报|申报)?表|项目支出绩效")
FIELDS = {"项目名称": "name", "主管部门": "department", "主管部门及代码": "department", "实施单位": "implementer",
          "项目性质": "attribute", "项目属性": "attribute", "项目类别": "category", "计划开始日期": "start",
          "计划完成日期": "end", "项目期": "period"}
FUNDS = {"项目资金总额": ("实施期", "total"), "实施期资金总额": ("实施期", "total"),
         "年度资金申请总额": ("年度", "total"), "年度资金总额": ("年度", "total"),
         "财政资金": ("实施期", "fiscal"), "当年财政拨款": ("年度", "fiscal"), "上年结转资金": ("年度", "carry"),
         "其他资金": ("", "other")}
TARGET_HEAD = ("一级指标", "二级指标", "三级指标")


def is_form(table: Table) -> bool:
    """Whether a table is a project form (by its title)."""
    return bool(FORM_TITLE.search(clean(table.title)))


def read_form(table: Table, seq: int) -> Project | None:
    """One form as a Project (None if it names no project)."""
    rows = table.header + [r.texts for r in table.rows]
    lines = [table.title_line] * len(table.header) + [r.line for r in table.rows]
    fields: dict[str, str] = {}
    funds: list[tuple[str, str, Decimal | None, int]] = []
    goals: list[str] = []
    targets: list[Target] = []
    head: dict[str, int] | None = None
    carry: dict[str, str] = {}
    seen_other = 0
    for k, (texts, line) in enumerate(zip(rows, lines)):
        cells = [clean(t).rstrip("：:") for t in texts]
        if head is not None:
            t = _target(texts, cells, head, carry, line)
            if t is not None:
                targets.append(t)
            continue
        if all(w in cells for w in TARGET_HEAD[1:]):
            head = {w: cells.index(w) for w in TARGET_HEAD if w in cells}
            head["value"] = next((i for i, c in enumerate(cells) if "指标值" in c), len(cells) - 1)
            continue
        if "项目总目标" in cells or "年度总体目标" in cells:
            if k + 1 < len(rows):
                goals = [t.strip() for t in rows[k + 1] if t.strip() and clean(t) not in ("项目绩效目标",)]
            continue
        for i, c in enumerate(cells):
            key = c.replace("其中", "").lstrip("：:")
            value = next((texts[j].strip() for j in range(i + 1, len(texts)) if texts[j].strip()), "")
            if key in FIELDS and value and clean(value).rstrip("：:") not in FIELDS:
                fields.setdefault(FIELDS[key], re.sub(r"\s+", "", value))
            elif key in FUNDS and value:
                period, source = FUNDS[key]
                if not period:
                    period = "实施期" if seen_other == 0 else "年度"
                    seen_other += 1
                funds.append((period, source, amount(value), line))
    name = fields.pop("name", "")
    if not name:
        return None
    proj = Project(seq, name, table.title_line)
    if "start" in fields or "end" in fields:
        proj.fields["period"] = f"{fields.pop('start', '')}至{fields.pop('end', '')}"
    category = fields.pop("category", "")
    proj.fields.update({k: v for k, v in fields.items() if k in ("department", "implementer", "attribute", "period")})
    if category:
        proj.fields["attribute"] = "，".join(x for x in (proj.fields.get("attribute"), category) if x)
    proj.funds = funds
    if goals:
        proj.goals = (goals[0], goals[1] if len(goals) > 1 else goals[0])
    proj.targets = targets
    proj.link = "form"
    return proj


def _target(texts: list[str], cells: list[str], head: dict[str, int], carry: dict[str, str], line: int) -> Target | None:
    def at(key: str) -> str:
        i = head.get(key)
        return re.sub(r"\s+", "", texts[i]) if i is not None and i < len(texts) else ""

    for key in ("一级指标", "二级指标"):
        if at(key):
            carry[key] = at(key)
    name = at("三级指标")
    value_text = at("value")
    if not name or name in TARGET_HEAD:
        return None
    op, value, unit = "", None, ""
    m = TARGET_VALUE.match(clean(value_text).replace(",", ""))
    if m:
        op, value, unit = m.group(1) or "", Decimal(m.group(2)), m.group(3).strip("()（）")
    level2 = carry.get("二级指标", "")
    level1 = carry.get("一级指标", "") or LEVEL2.get(level2, "")
    return Target("年度", level1, level2, name, value_text or None, op, value, unit, line)


def read_forms(tables: list[Table]) -> list[Project]:
    """Every project form among the tables, in order."""
    out: list[Project] = []
    for t in tables:
        if is_form(t) and (p := read_form(t, len(out) + 1)) is not None:
            out.append(p)
    return out
