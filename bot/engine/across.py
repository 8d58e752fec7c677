"""Questions over several loaded documents: side by side, a difference between two, a ranking, or a choice."""
from __future__ import annotations

import re
from typing import Callable

from ..answers import Answer
from ..compose import cap, main_value
from ..format import Fact, amount
from ..understand import Context
from .resolve import Resolution
from .view import MAX_REPLY, DocView

RANKING = re.compile(r"(哪个|哪家|哪一个|什么)(单位|部门|街道|文件)|(各|每个|所有)(单位|部门|文件)|谁(最|的|多|少|高|低)|"
                     r"哪个(多|少|高|低|大|小)|哪家(多|少|高|低)|排(个|一下)?名|排序|排行")
COMPARE = re.compile(r"比|相差|差多少|差额|差距|增加多少|减少多少|增长多少|多了多少|少了多少|变化")
SIDE_BY_SIDE = re.compile(r"分别|各|和|与|跟|及|对比|比较|(几个|[两三四五六七八九十]个|这些|所有|全部)[\u4e00-\u9fff]{0,4}?(单位|部门|文件)")
SHAPE = re.compile(r"(哪个|哪家|哪一个|什么)(单位|部门|街道|文件)|(各|每个|所有|全部|这些|几个|[两三四五六七八九十]个)[\u4e00-\u9fff]{0,4}?(单位|部门|文件)|"
                   r"最多|最少|最高|最低|谁(多|少|高|低)|哪(个|家)(多|少|高|低|大|小)|的?比较|排(个|一下)?名|排序|排行|"
                   r"谁最|分别|各自|对比|比较|(?<=\d年)(和|与|跟|及)|^(和|与|跟|及)|比[^，。？]*$|(19|20)\d\d年度?")
LEAST = re.compile(r"最少|最低|最小")


def subject_question(text: str) -> str:
    """What to ask each document: the question without its units, years and the comparison itself."""
    rest = SHAPE.sub("", text)
    return rest.strip("，,。？?的 ") or text


def across(views: list[DocView], text: str, res: Resolution, ask: Callable[[DocView, str], Answer]) -> Answer:
    """Answer over several documents, or ask which one when the question does not say."""
    several = res.named and (len(res.units) >= 2 or len(set(res.years)) >= 2 or RANKING.search(text)
                             or SIDE_BY_SIDE.search(text))
    if not several:
        probe = ask(views[0], text)
        if probe.status == "unknown":  # "上海最低工资": no document answers it, whichever is meant
            return probe
        options = [f"{v.doc.short}{without_place(subject_question(text), v.doc)}" for v in views][:8]
        return Answer("clarify", "这个问题可能涉及几份已载入的文件，您问的是哪一份？", suggestions=options,
                      tier="clarify")
    question = subject_question(text)
    answers = [(v, ask(v, question)) for v in views]
    answered = [(v, a) for v, a in answers if a.status == "answer"]
    if not answered:
        return Answer("unknown", f"这几份文件都没有“{question}”的数据：" + "、".join(v.doc.label for v in views) + "。",
                      tier="unknown")
    values = [(v, a, main_value(a.facts)) for v, a in answered]
    lines: list[str] = []
    facts: list[Fact] = []
    ranked: tuple[int, ...] = ()
    if RANKING.search(text) and all(x is not None for _, _, x in values):
        values.sort(key=lambda t: t[2], reverse=not LEAST.search(text))
        lines.append(f"{question}（按金额排列，{len(values)}份文件）：")
        for k, (v, a, x) in enumerate(values, 1):
            lines.append(f"{k}. {v.doc.label}：{amount(x)}")
            facts.append(next(f for f in a.facts if f.unit == "万元"))
        ranked = tuple(v.doc.id for v, _, _ in values)
    else:
        values = _in_question_order(values, text, res)
        for v, a, _ in values:
            first = re.sub(r"[，,]?(其中|如下|明细)?[：:]$", "", a.body.split("\n")[0])
            lines.append(f"【{v.doc.label}】{first}" + (f"（来源：{a.source}）" if a.source else ""))
            facts += a.facts
        if len(values) == 2 and COMPARE.search(text) and None not in (values[0][2], values[1][2]):
            (va, _, xa), (vb, _, xb) = values
            d = xa - xb
            word = "多" if d >= 0 else "少"
            lines.append(f"相差：{amount(xa)} − {amount(xb)} = {amount(d)}（{va.doc.short}比{vb.doc.short}{word}"
                         f"{amount(abs(d))}，由以上数字相减）")
            facts.append(Fact(f"{va.doc.short}−{vb.doc.short}", float(d), "万元", "由以上数字相减"))
    missing = [v.doc.label for v, a in answers if a.status != "answer"]
    if missing:
        lines.append("以下文件没有这项数据：" + "、".join(missing) + "。")
    return Answer("answer", cap("\n".join(lines), MAX_REPLY), ",".join(a.query or "" for _, a, _ in values), {},
                  100.0, facts, document="；".join(v.doc.label for v, _, _ in values), tier="across",
                  ranked=ranked, documents=tuple(v.doc.id for v, _, _ in values),
                  subject=values[0][1].subject)


def without_place(text: str, doc) -> str:
    """The question without the place names its option's document already carries (普陀区…)."""
    for name in sorted(doc.regions, key=len, reverse=True):
        text = text.replace(name, "")
    return text.strip("的 ") or text


def _in_question_order(values: list, text: str, res: Resolution) -> list:
    """The documents in the order the question names them (units first, then years: "2024年…比2023年")."""
    def pos(t) -> tuple[int, int]:
        doc = t[0].doc
        unit = next((k for k, group in enumerate(res.units) if doc.id in group), len(res.units))
        year = text.find(str(doc.year))
        return unit, year if year >= 0 else len(text)
    return sorted(values, key=pos)


def follow_context(ans: Answer, ctx: Context) -> Context:
    """What a cross-document answer leaves for the next question."""
    return Context(ans.subject, (), ctx.document, ans.ranked, ans.query)
