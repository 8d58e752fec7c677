"""Tampered copies of real documents: a row deleted, a total changed, a year changed in the prose, a direction
reversed (增加↔减少, 大于↔小于), a rate or figure changed in the prose. Each copy must fail more checks than the
genuine document, and each new failure must name its table, row or sentence and its page."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import pytest

from bot.ingest.build import read_file
from bot.ingest.verify import checks_for

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "disclosures"
SOURCES = {
    "决算": SHARED / "shanghai-putuo-planning-2024-final-accounts.txt",
    "万里": SHARED / "shanghai-putuo-wanli-street-2023-budget.txt",
    "seed": ROOT / "data" / "disclosures" / "xinzhou-rsj-2023-budget.txt",
}


def _replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert text.count(old) == 1, old
        return text.replace(old, new)
    return edit


def _drop(line: str, after: str = "") -> Callable[[str], str]:
    """Delete a table row: the first line equal to line after the table's title (after)."""
    def edit(text: str) -> str:
        lines = text.split("\n")
        start = lines.index(after) if after else 0
        at = lines.index(line, start)
        return "\n".join(lines[:at] + lines[at + 1:])
    return edit


# (source, what was done, the edit, words every new failure's line must hold, words one of them must hold)
TAMPERS = {
    "决算 row deleted": ("决算", _drop("2080505\t机关事业单位基本养老保险缴费支出\t446.11\t446.11\t0.00", "一般公共预算财政拨款支出决算表"),
                       ("《一般公共预算财政拨款支出决算表》", "行政事业单位养老支出"), ("308.64", "第14页", "没有这一科目")),
    "决算 total changed in the prose": ("决算", _replace("本年支出合计 9759.38 万元，其中", "本年支出合计 9795.38 万元，其中"),
                                     ("支出决算情况说明", "9795.38", "第2"), ("《收入支出决算总表》", "9759.38万元")),
    "决算 year changed in the prose": ("决算", _replace("与 2023 年度相比，收入支出总计", "与 2021 年度相比，收入支出总计"),
                                    ("收入支出决算总体情况说明", "2021年", "第20页"), ("比较的年度应为2023年",)),
    "决算 增加 → 减少": ("决算", _replace("收入支出总计增加 1062.85", "收入支出总计减少 1062.85"),
                      ("收入支出总计", "减少1062.85万元", "第20页"), ("下降9.73%",)),
    "决算 item 小于 → 大于": ("决算", _replace("98.61%。决算数小于预算数", "98.61%。决算数大于预算数"),
                         ("机关事业单位基本养老保险缴费支出", "大于", "第22页"), ("452.40万元", "446.11万元")),
    "决算 total 小于 → 大于": ("决算", _replace("95.45%。决算数小于", "95.45%。决算数大于"),
                          ("决算数大于", "10210.34万元", "第2"), ("一般公共预算财政拨款支出",)),
    "决算 完成率 changed": ("决算", _replace("完成年初预算的 95.45%", "完成年初预算的 96.45%"),
                        ("完成率", "96.45%", "第21页"), ("95.46%",)),
    "决算 item figure changed": ("决算", _replace("支出决算为 40.35 万元", "支出决算为 41.35 万元"),
                             ("行政单位医疗", "41.35", "第22页"), ("“2101101 行政单位医疗”行合计为40.35万元", "96.77%")),
    "预算 row deleted": ("万里", _drop("208\t05\t01\t行政单位离退休\t177,240\t177,240\t0", "2023年部门支出预算总表"),
                       ("《2023年部门支出预算总表》", "第1"), ("208 05 行政事业单位养老支出", "行政单位离退休")),
    "预算 table total changed": ("万里", _replace("合计\t\t\t99,406,297\t84,024,865\t15,381,432",
                                              "合计\t\t\t99,406,297\t84,024,866\t15,381,432"),
                             ("《2023年部门一般公共预算基本支出部门预算经济分类预算表》", "“合计”", "第27页"), ("8402.4866万元",)),
    "预算 year changed in the prose": ("万里", _replace("2023年，上海市普陀区人民政府万里街道办事处收入预算",
                                                   "2025年，上海市普陀区人民政府万里街道办事处收入预算"),
                                    ("部门预算编制说明", "2025年", "第6页"), ("本文件是2023年",)),
    "预算 增加 → 减少": ("万里", _replace("比2022年预算执行数增加77.70 %", "比2022年预算执行数减少77.70 %"),
                      ("统计管理", "1.48万元", "2.63万元", "第6页"), ("减少77.70%",)),
    "预算 prose figure changed": ("万里", _replace("“三公”经费预算数为22.91万元", "“三公”经费预算数为23.91万元"),
                              ("23.91万元", "22.91万元", "第29页"), ("《2023年部门“三公”经费和机关运行经费预算表》",)),
    "seed 增加 → 减少": ("seed", _replace("局本级机关运行经费125.65万元，比上年增加1.41万元",
                                        "局本级机关运行经费125.65万元，比上年减少1.41万元"),
                       ("机关运行经费", "减少1.41万元", "第22页"), ("增长1.13%",)),
    "seed year changed": ("seed", _replace("截至2022年底，局本级车辆编制数", "截至2020年底，局本级车辆编制数"),
                          ("国有资产占有使用情况", "2020年", "第39页"), ("所述年度应为2022或2023年",)),
}


def _failures(path: Path) -> set[tuple[str, str]]:
    return {(c.name, c.detail) for c in checks_for(read_file(path)) if not c.passed}


@pytest.fixture(scope="module")
def genuine() -> dict[str, set[tuple[str, str]]]:
    """The genuine documents' failed checks, each read once."""
    missing = [p for p in SOURCES.values() if not p.exists()]
    if missing:
        pytest.skip(f"text twins not found: {missing}")
    return {key: _failures(path) for key, path in SOURCES.items()}


@pytest.mark.parametrize("case", TAMPERS)
def test_a_tampered_copy_fails_more_checks_each_naming_where(case, genuine, tmp_path):
    source, edit, every, some = TAMPERS[case]
    text = SOURCES[source].read_text(encoding="utf-8")
    changed = edit(text)
    path = tmp_path / SOURCES[source].name  # the same file name: the copy is read as the same document
    path.write_text(changed, encoding="utf-8")
    after = _failures(path)
    new = after - genuine[source]
    assert len(after) > len(genuine[source]), case
    assert new, case
    for name, detail in new:
        line = f"{name}：{detail}"
        assert re.search(r"第\d+页", detail), line
        for word in every:
            assert word in line, (word, line)
    for word in some:
        assert any(word in f"{n}：{d}" for n, d in new), (word, sorted(new))


def test_the_planted_prose_edits_in_a_final_account_are_each_flagged_as_prose(genuine, tmp_path):
    """Every prose edit (figure, rate, year, direction) in the 决算 is a new failed 'narrative' check."""
    text = SOURCES["决算"].read_text(encoding="utf-8")
    prose = [k for k in TAMPERS if k.startswith("决算") and "row deleted" not in k]
    for case in prose:
        _, edit, _, _ = TAMPERS[case]
        text = edit(text)
    path = tmp_path / SOURCES["决算"].name
    path.write_text(text, encoding="utf-8")
    checks = [c for c in checks_for(read_file(path)) if not c.passed]
    new = [c for c in checks if (c.name, c.detail) not in genuine["决算"]]
    assert {c.kind for c in new} == {"narrative"}
    for word in ("9795.38", "2021年", "减少1062.85万元", "决算数大于预算数", "96.45%", "41.35"):
        assert any(word in c.detail for c in new), word
