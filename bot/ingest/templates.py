"""Templates as data: how each published template titles its tables, what its columns mean, its units and codes.

A new template is new data here plus a test. Table keys and column labels are the seed's wherever the meaning
matches, so one canned query serves every document. Column roles in a layout:

- ``code`` (one column, 3/5/7-digit code), ``code1 code2 code3`` (类/款/项 printed in separate columns, joined),
- ``label`` (the row's name), ``skip`` (printed but not a figure, e.g. 序号),
- anything else: a value column, named by its canonical label.

``收入:`` / ``支出:`` (or any word and a colon) start a side of a two-sided table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .source import squash


@dataclass(frozen=True)
class Layout:
    """One printed column layout of a table family, picked by its width and the header words it needs."""

    columns: tuple[tuple[str, str], ...]  # (side, role)
    header_rows: int
    needs: tuple[str, ...] = ()  # printed header words that must appear (squashed) for this layout


@dataclass(frozen=True)
class Wide:
    """A one-row table printed across: each column becomes a row of some table (key, row, parent, column, printed)."""

    cells: tuple[tuple[str, str, str, str, str], ...]
    header_rows: int
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Family:
    """A table family: its key, its printed titles (without year and 部门/单位 prefix) and its layouts."""

    key: str
    titles: tuple[str, ...]
    layouts: tuple[Layout | Wide, ...]
    totals: tuple[str, ...] = ()  # row labels a complete (non-empty) table must have


@dataclass(frozen=True)
class Template:
    """A document template: how to recognise it, its stage and scope, its table families and its parts."""

    id: str
    name: str
    stage: str  # 预算 | 决算
    families: tuple[Family, ...]
    parts: dict[str, str] = field(default_factory=dict)  # part → regex for its heading (squashed text)
    glossary_terms: tuple[str, ...] = ()  # terms its 名词解释 must define (a cut file loses them)


def L(spec: str, header_rows: int, *needs: str) -> Layout:
    """A layout from a compact spec: 'code1 code2 code3 label 合计 基本支出 项目支出' or '收入: label 合计 支出: …'."""
    side, cols = "", []
    for tok in spec.split():
        if tok.endswith(":"):
            side = tok[:-1]
        else:
            cols.append((side, tok))
    return Layout(tuple(cols), header_rows, needs)


SPLIT_FUNC = "code1 code2 code3 label"
SG = "公务用车购置及运行费"

SHANGHAI_BUDGET = Template(
    id="shanghai-budget",
    name="上海市区级部门/单位预算",
    stage="预算",
    families=(
        Family("summary", ("财务收支预算总表",), (
            L("收入: label 合计 支出: label 合计", 2, "本年收入", "本年支出", "预算数"),
            L("收入: label 合计 支出: label 合计 人员经费 公用经费 项目支出", 4, "本年收入", "人员经费", "公用经费"),
        ), ("收入总计", "支出总计")),
        Family("income", ("收入预算总表",), (
            L(f"{SPLIT_FUNC} 合计 财政拨款收入 事业收入 事业单位经营收入 其他收入", 3, "收入预算", "财政拨款收入"),
        ), ("合计",)),
        Family("expenditure", ("支出预算总表",), (
            L(f"{SPLIT_FUNC} 合计 基本支出 项目支出", 3, "支出预算", "基本支出", "项目支出"),
        ), ("合计",)),
        Family("fiscal_summary", ("财政拨款收支预算总表",), (
            L("收入: label 金额 支出: label 小计 一般公共预算 政府性基金预算 国有资本经营预算", 2,
              "财政拨款收入", "财政拨款支出", "一般公共预算"),
        ), ("收入总计", "支出总计")),
        Family("gpb_expenditure", ("一般公共预算支出功能分类预算表",), (
            L(f"{SPLIT_FUNC} 合计 基本支出 项目支出", 3, "一般公共预算支出", "基本支出"),
        ), ("合计",)),
        Family("gov_fund_expenditure", ("政府性基金预算支出功能分类预算表",), (
            L(f"{SPLIT_FUNC} 合计 基本支出 项目支出", 3, "政府性基金预算支出"),
        )),
        Family("state_capital", ("国有资本经营预算支出功能分类预算表",), (
            L(f"{SPLIT_FUNC} 合计 基本支出 项目支出", 3, "国有资本经营"),
        )),
        Family("basic_econ", ("一般公共预算基本支出部门预算经济分类预算表",), (
            L("code1 code2 label 合计 人员经费 公用经费", 3, "一般公共预算基本支出", "人员经费", "公用经费"),
        ), ("合计",)),
        Family("sangong", ("“三公”经费和机关运行经费预算表",), (
            Wide((("sangong", "合计", "", "合计", "合计"),
                  ("sangong", "因公出国（境）费", "", "合计", "因公出国(境)费"),
                  ("sangong", "公务接待费", "", "合计", "公务接待费"),
                  ("sangong", SG, "", "合计", "小计"),
                  ("sangong", "公务用车购置费", SG, "合计", "购置费"),
                  ("sangong", "公务用车运行维护费", SG, "合计", "运行费"),
                  ("jiguan", "部门合计", "", "合计", "机关运行经费预算数")),
                 3, ("“三公”经费预算数", "因公出国(境)费", "公务接待费", "购置费", "运行费", "机关运行经费预算数")),
        )),
    ),
    parts={
        "duties": r"^\S{0,30}主要职能$",
        "structure": r"^\S{0,30}机构设置$",
        "glossary": r"^名词解释$",
        "explain": r"^(\d{4}年)?(部门|单位)预算编制说明$",
        "other": r"^其他相关情况说明$",
        "project": r"^项目经费情况说明$",
    },
    glossary_terms=("基本支出预算", "项目支出预算", "三公经费", "机关运行经费"),
)

FINAL_TWO_SIDED = "收入: label 决算数 支出: label 合计"

NATIONAL_FINAL = Template(
    id="national-final-accounts",
    name="部门决算（全国统一样张）",
    stage="决算",
    families=(
        Family("summary", ("收入支出决算总表",), (
            L("收入: label 合计 支出: label 合计", 2, "收入", "支出", "决算数"),
        ), ("本年收入合计", "本年支出合计", "总计")),
        Family("income", ("收入决算表",), (
            L("code label 合计 财政拨款收入 上级补助收入 事业收入 经营收入 附属单位上缴收入 其他收入", 2,
              "本年收入合计", "财政拨款收入", "上级补助收入"),
        ), ("合计",)),
        Family("expenditure", ("支出决算表",), (
            L("code label 合计 基本支出 项目支出 上缴上级支出 经营支出 对附属单位补助支出", 2,
              "本年支出合计", "基本支出", "项目支出"),
        ), ("合计",)),
        Family("fiscal_summary", ("财政拨款收入支出决算总表",), (
            L("收入: label 金额 支出: label 小计 一般公共预算 政府性基金预算 国有资本经营预算", 2,
              "收入", "支出", "一般公共预算财政拨款"),
        ), ("本年收入合计", "本年支出合计", "总计")),
        Family("gpb_expenditure", ("一般公共预算财政拨款支出决算表",), (
            L("code label 合计 基本支出 项目支出", 2, "合计", "基本支出", "项目支出"),
        ), ("合计",)),
        Family("basic_econ", ("一般公共预算财政拨款基本支出决算表",), (
            L("人员经费: code label 合计 公用经费: code label 合计", 1, "经济分类科目编码", "决算数"),
        ), ("人员经费合计", "公用经费合计")),
        Family("sangong", ("财政拨款“三公”经费支出决算表",), (
            Wide(tuple((("sangong", label, parent, col, printed)
                        for label, parent, printed in (("合计", "", "合计"), ("因公出国（境）费", "", "因公出国（境）费"),
                                                       (SG, "", "公务用车购置及运行维护费"),
                                                       ("公务用车购置费", SG, "公务用车购置费"),
                                                       ("公务用车运行维护费", SG, "公务用车运行维护费"),
                                                       ("公务接待费", "", "公务接待费"))
                        for col in ("预算数", "决算数"))),
                 4, ("预算数", "决算数", "因公出国（境）费", "公务接待费")),
        )),
        Family("gov_fund", ("政府性基金预算财政拨款收入支出决算表",), (
            L("code label 年初结转和结余 本年收入 合计 基本支出 项目支出 年末结转和结余", 3, "年初结转和结余", "本年收入"),
        )),
        Family("state_capital", ("国有资本经营预算财政拨款收入支出决算表",), (
            L("code label 年初结转和结余 本年收入 合计 基本支出 项目支出 年末结转和结余", 3, "年初结转和结余", "本年收入"),
        )),
    ),
    parts={
        "duties": r"^第一部分\S*概况$",
        "tables": r"^第二部分\S*",
        "narrative": r"^第三部分\S*",
        "glossary": r"^第四部分名词解释$",
    },
    glossary_terms=("基本支出", "项目支出", "三公经费", "机关运行经费"),
)

TEMPLATES: tuple[Template, ...] = (SHANGHAI_BUDGET, NATIONAL_FINAL)

# How a document names itself on its cover: template id, regex over the first lines joined (squashed).
COVERS: tuple[tuple[str, re.Pattern], ...] = (
    ("shanghai-budget", re.compile(r"^(?P<title>(?P<region>\S*?)(?P<year>\d{4})年(区级)?(?P<scope>部门|单位)预算)"
                                   r"(预算主管部门|预算单位)[:：](?P<unit>\S+?)目录")),
    ("national-final-accounts", re.compile(r"^(?P<title>(?P<unit>\S+?)(?P<year>\d{4})年度(?P<scope>部门|单位)决算)目录")),
)

TITLE_PREFIX = re.compile(r"^(\d{4}年度?)?(部门|预算单位|单位)?")


def title_key(text: str) -> str:
    """A printed table title reduced for matching: NFKC, no spaces, no leading year or 部门/单位."""
    return TITLE_PREFIX.sub("", squash(text), count=1)


def family_for(template: Template, text: str) -> Family | None:
    """The family whose title the printed line is (exactly, once year and prefix are dropped)."""
    key = title_key(text)
    for fam in template.families:
        if any(key == squash(t) for t in fam.titles):
            return fam
    return None


def by_id(template_id: str) -> Template:
    """The template with this id."""
    return next(t for t in TEMPLATES if t.id == template_id)
