"""Checking a figure the question states ("三公经费是6万吗", "收入涨了21.51%对吗"): 是 or 不是, with the printed
figure. The question without its figure is answered as usual; the verdict compares the figure stated with the
figures that answer rests on, within the rounding the question used."""
from __future__ import annotations

import re
from decimal import Decimal

from ..answers import Answer
from ..format import amount, pct

STATED = re.compile(r"(?:是|为)?\s*(\d[\d,]*(?:\.\d+)?)\s*(万元|万|亿元|亿|元|块|%)")
ASKS = re.compile(r"(对吗|对不对|是不是|是吗|准确吗|属实吗|没错吧|真的吗|没错吗|是真的吗|对么|正确吗|吗)\s*[?？]?\s*$")
TO_WAN = {"万元": Decimal(1), "万": Decimal(1), "亿元": Decimal(10000), "亿": Decimal(10000), "元": Decimal("0.0001"),
          "块": Decimal("0.0001")}


def stated_figure(question: str) -> tuple[Decimal, str, str] | None:
    """(value, kind 'wan'|'pct', the question without the figure) when it asks whether a figure is right."""
    if not ASKS.search(question):
        return None
    m = STATED.search(question)
    if m is None:
        return None
    value = Decimal(m.group(1).replace(",", ""))
    kind = "pct" if m.group(2) == "%" else "wan"
    if kind == "wan":
        value *= TO_WAN[m.group(2)]
    rest = (question[:m.start()] + question[m.end():]).strip()
    rest = ASKS.sub("", rest).rstrip("，,的 ") or rest
    return value, kind, rest


def verdict(ans: Answer, value: Decimal, kind: str) -> Answer:
    """The answer with 是/不是 in front, comparing the stated figure with the answer's own."""
    unit = "%" if kind == "pct" else "万元"
    figures = [Decimal(str(f.value)) for f in ans.facts if f.value is not None and f.unit == unit]
    if ans.status != "answer" or not figures:
        return ans
    places = -value.as_tuple().exponent if value.as_tuple().exponent < 0 else 0
    step = Decimal(1).scaleb(-places) / 2
    close = [f for f in figures if abs(f - value) <= step]
    shown = pct(float(value)) if kind == "pct" else amount(float(value))
    if close:
        head = f"是。文件印的是{pct(float(close[0])) if kind == 'pct' else amount(float(close[0]))}。"
    else:
        main = figures[0]
        printed = pct(float(main)) if kind == "pct" else amount(float(main))
        head = f"不是。文件印的是{printed}，不是{shown}。"
    ans.body = head + "\n" + ans.body
    return ans
