"""项目支出绩效目标申报表: header fields, funds and 绩效指标, read by structure (the PDF shifts columns)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .source import Line, Source, parse_amount, squash
from .model import Record as Row

FORM_TITLE = "项目支出绩效目标申报表"
TEXT_FIELDS = {
    "项目概况": "overview", "立项依据": "basis", "项目设立必要性": "necessity",
    "保证项目实施的制度、措施": "measures", "项目实施计划": "plan",
}
FUND_KEYS = {"实施期资金总额": "total", "中央财政资金": "central", "省级财政资金": "provincial",
             "市县(区)财政资金": "local", "单位自筹": "own", "其他资金": "other"}
CONTACT_KEYS = {"负责人": "leader", "经办人": "handler", "联系电话": "phone", "填报日期": "filed"}
LEVEL2 = {"数量指标": "产出指标", "质量指标": "产出指标", "时效指标": "产出指标", "成本指标": "产出指标",
          "经济效益指标": "效益指标", "社会效益指标": "效益指标", "生态效益指标": "效益指标",
          "可持续影响指标": "效益指标", "服务对象满意度指标": "满意度指标"}
LEVEL1 = {"产出指标", "效益指标", "满意度指标"}
TARGET_VALUE = re.compile(r"^(≥|≤|>|<|=)?(\d+(?:\.\d+)?)(.*)$")


@dataclass
class Target:
    """One 三级指标 with its value, for 实施期 or 年度."""

    period: str
    level1: str
    level2: str
    name: str
    value_text: str | None
    op: str
    value: Decimal | None
    unit: str
    line: int


@dataclass
class Project:
    """One 绩效目标申报表."""

    seq: int
    name: str
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    funds: list[tuple[str, str, Decimal | None, int]] = field(default_factory=list)
    goals: tuple[str, str] = ("", "")
    targets: list[Target] = field(default_factory=list)
    contact: dict[str, str] = field(default_factory=dict)
    budget_row: Row | None = None  # its row of 项目支出表, set by link_projects
    link: str = "unlinked"  # how that row was found


def split_forms(lines: list[Line]) -> tuple[list[Line], list[list[Line]]]:
    """Prose lines before the first form, and each form's lines (a form runs to the next one)."""
    prose: list[Line] = []
    forms: list[list[Line]] = []
    for ln in lines:
        if FORM_TITLE in ln.text:
            forms.append([ln])
        elif forms:
            forms[-1].append(ln)
        else:
            prose.append(ln)
    return prose, forms


def _strip_html(text: str) -> str:
    return re.sub(r"</?p>", "", text).strip()


def parse_form(src: Source, form: list[Line], seq: int) -> Project:
    """One form, read row by row by the labels in its cells."""
    rows = [ln for ln in form if not ln.blank]
    name_row = next((ln for ln in rows if ln.tokens and ln.tokens[0] == "项目名称"), None)
    if name_row is None or len(name_row.tokens) < 2:
        raise src.error(form[0].no, "绩效目标申报表: expected a row '项目名称' with the project's name")
    raw_name = [c.strip() for c in name_row.text.split("\t") if c.strip()][1]
    proj = Project(seq, raw_name, name_row.no)
    fund_seen: dict[str, int] = {}
    goal_start = target_start = None
    for k, ln in enumerate(rows):
        toks = ln.tokens
        if not toks:
            continue
        head = toks[0]
        if head == "主管部门及代码":
            proj.fields.update(_pairs(toks, {"主管部门及代码": "department", "实施单位": "implementer"}))
        elif head == "项目属性":
            proj.fields.update(_pairs(toks, {"项目属性": "attribute", "项目期": "period"}))
        elif head in TEXT_FIELDS:
            texts = [_strip_html(c) for c in ln.text.split("\t")[1:] if c.strip()]
            proj.fields[TEXT_FIELDS[head]] = texts[0] if texts else ""
        elif "实施期目标" in toks:
            goal_start = k
        elif "一级指标" in toks and "三级指标" in toks:
            target_start = k
        elif any(t.rstrip(":：") in CONTACT_KEYS for t in toks):
            proj.contact = _contact(toks)
        for t_idx, tok in enumerate(toks):
            key = _fund_key(tok)
            if key:
                n = fund_seen.get(key, 0)
                fund_seen[key] = n + 1
                val = toks[t_idx + 1] if t_idx + 1 < len(toks) and not _fund_key(toks[t_idx + 1]) else ""
                amount = parse_amount(src, ln, val, f"项目资金 {tok}")
                proj.funds.append(("实施期" if n == 0 else "年度", key, amount, ln.no))
    if goal_start is None or target_start is None:
        raise src.error(form[0].no, f"绩效目标申报表 {raw_name}: expected 实施期目标/年度目标 and a 绩效指标 header")
    goal_texts = []
    for ln in rows[goal_start + 1:target_start + 1]:
        goal_texts += [_strip_html(c) for c in ln.text.split("\t")
                       if c.strip() and squash(c) not in ("总体目标", "绩效指标", "一级指标", "二级指标", "三级指标", "指标值")]
    if goal_texts:
        proj.goals = (goal_texts[0], goal_texts[1] if len(goal_texts) > 1 else goal_texts[0])
    level = {"实施期": "", "年度": ""}
    for ln in rows[target_start + 1:]:
        if any(t.rstrip(":：") in CONTACT_KEYS for t in ln.tokens):
            break
        proj.targets += _targets(ln, level)
    if not proj.targets:
        raise src.error(form[0].no, f"绩效目标申报表 {raw_name}: expected 绩效指标 rows")
    if "total" not in fund_seen:
        raise src.error(form[0].no, f"绩效目标申报表 {raw_name}: expected 项目资金 实施期资金总额")
    return proj


def _fund_key(tok: str) -> str:
    t = tok.replace("其中", "").strip(":：")
    if t == "年度资金总额":
        return "total"
    return FUND_KEYS.get(t, "")


def _pairs(toks: list[str], keys: dict[str, str]) -> dict[str, str]:
    out = {}
    for i, t in enumerate(toks):
        if t in keys and i + 1 < len(toks) and toks[i + 1] not in keys:
            out[keys[t]] = toks[i + 1]
    return out


def _contact(toks: list[str]) -> dict[str, str]:
    out = {}
    for i, t in enumerate(toks):
        key = CONTACT_KEYS.get(t.rstrip(":："))
        if key and i + 1 < len(toks) and toks[i + 1].rstrip(":：") not in CONTACT_KEYS:
            out[key] = toks[i + 1]
    if re.fullmatch(r"\d{14}", out.get("filed", "")):
        d = out["filed"]
        out["filed"] = f"{d[:4]}-{d[4:6]}-{d[6:8]} {d[8:10]}:{d[10:12]}:{d[12:]}"
    return out


def _targets(ln: Line, level: dict[str, str]) -> list[Target]:
    toks = [t for t in ln.tokens if t not in ("绩效指标", "总体目标")]
    raw = [c.strip() for c in ln.text.split("\t") if c.strip() and squash(c) not in ("绩效指标", "总体目标")]
    if toks and toks[0] in LEVEL1:  # 一级 follows from 二级, so the printed one is only skipped
        toks, raw = toks[1:], raw[1:]
    l2_at = [i for i, t in enumerate(toks) if t in LEVEL2]
    if len(l2_at) >= 2:
        halves = [(toks[:l2_at[1]], raw[:l2_at[1]]), (toks[l2_at[1]:], raw[l2_at[1]:])]
    elif l2_at == [0]:
        rest, rraw = toks[1:], raw[1:]
        mid = (len(rest) + 1) // 2
        halves = [([toks[0]] + rest[:mid], [raw[0]] + rraw[:mid]), ([toks[0]] + rest[mid:], [raw[0]] + rraw[mid:])]
    else:
        mid = (len(toks) + 1) // 2
        halves = [(toks[:mid], raw[:mid]), (toks[mid:], raw[mid:])]
    out = []
    for period, (half, hraw) in zip(("实施期", "年度"), halves):
        if half and half[0] in LEVEL2:
            level[period] = half[0]
            half, hraw = half[1:], hraw[1:]
        if not half:
            continue
        l2 = level[period]
        value_text = hraw[1] if len(hraw) > 1 else None
        op, value, unit = "", None, ""
        if value_text and (m := TARGET_VALUE.match(squash(value_text).replace(",", ""))):
            op, value, unit = m.group(1) or "", Decimal(m.group(2)), m.group(3)
        out.append(Target(period, LEVEL2.get(l2, ""), l2, hraw[0], value_text, op, value, unit, ln.no))
    return out


def name_key(name: str) -> str:
    """A project name reduced for comparison: NFKC, no spaces, punctuation or leading year."""
    key = re.sub(r"[\s,，、“”\"'《》()（）·]", "", squash(name))
    return re.sub(r"^\d{4}年", "", key)


def link_projects(projects: list[Project], rows: list[Row]) -> None:
    """Link each form to its 项目支出表 row: same name, else closest name with the same amount."""
    from rapidfuzz import fuzz

    free = list(rows)
    for proj in projects:
        year_total = next((v for per, k, v, _ in proj.funds if per == "年度" and k == "total"), None)
        key = name_key(proj.name)
        exact = [r for r in free if name_key(r.label) == key]
        if exact:
            proj.budget_row, proj.link = exact[0], "same name"
        else:
            scored = sorted(((fuzz.ratio(key, name_key(r.label)), r) for r in free), key=lambda x: -x[0])
            same_amount = [(s, r) for s, r in scored
                           if s >= 80 and year_total is not None and r.values.get("合计") == year_total / 10000]
            if not same_amount:
                continue
            score, row = same_amount[0]
            proj.budget_row, proj.link = row, f"similar name ({score:.0f}%) and same amount"
        free.remove(proj.budget_row)
