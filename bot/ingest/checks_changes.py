"""The prose against itself: changes (增加/减少 with their rate), shares (占), 完成率 and 大于/小于.

Each is arithmetic on figures the prose prints: "X万元，比上年增加Δ万元，增长p%" implies p = Δ ÷ (X − Δ);
"A万元，占p%" of the total its paragraph opens with; "完成年初预算的p%" = 决算 ÷ 年初预算; "决算数小于预算数" the
two figures before it. A reversed word (增加↔减少, 大于↔小于) or a changed figure breaks the arithmetic.
Paragraphs about one 功能 item are left to checks_items (they name the item).
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from .amounts import clean
from .checks import ZERO, Check, Index, fmt_pct, money, one_unit, page, pct, title
from .checks_prose import resolve, section_name, subject

if TYPE_CHECKING:  # pragma: no cover
    from .narrative import Statement
    from .reader import Disclosure as Document

UP, DOWN = ("增加", "增长", "上升", "大于", "超过"), ("减少", "下降", "降低", "小于", "低于")
VERB = re.compile(r"(增加|减少|增长|下降|上升|降低)$")
BEFORE_CHANGE = re.compile(r"(比|较|与)\S*?(增加|减少|增长|下降|上升|降低)$|(增加|减少|增长|下降|上升|降低)$")
WHOLE_AFTER = re.compile(r"^[,，:：]?(其中|主要用于|主要包括|包括)")
COMPARE = re.compile(r"决算数?(大于|小于|超过|低于|等于|同预算数持平|与预算数持平|持平)(预算数?)?")
RATE = re.compile(r"完成(年初|调整)?预算(数)?的$|预算完成率$|完成率$")


def sign(word: str) -> int:
    """+1 for a rise, −1 for a fall, 0 for 持平/等于."""
    return 1 if word in UP else -1 if word in DOWN else 0


def _word(sentence: str, value: Decimal, unit: str) -> str | None:
    """The change word printed right before a figure ("增长12.08%"); None when two contradict ("下降（增长）")."""
    num = re.escape(f"{value:f}")
    m = re.search(rf"(增加|减少|增长|下降|上升|降低)((?:[(（][^)）]{{0,4}}[)）])?)了?\s*{num}\s*{re.escape(unit)}",
                  clean(sentence).replace(",", ""))
    if not m or m.group(2):
        return None
    return m.group(1)


def _item_lines(doc: Document) -> set[int]:
    return {i.line for i in doc.items}


def changes(doc: Document, index: Index) -> list[Check]:
    """增加/减少 Δ with 增长/下降 p%: the rate follows from Δ and the figure changed; the words agree."""
    out = []
    sts = doc.statements
    items = _item_lines(doc)
    for k, d in enumerate(sts):
        label = clean(d.label)
        if d.unit != "万元" or not VERB.search(label) or d.line in items:
            continue
        verb_d = _word(d.sentence, d.value, "万元") or VERB.search(label).group(1)
        p = next((x for x in sts[k + 1:k + 2] if x.unit == "%" and x.sentence == d.sentence), None)
        name = subject(BEFORE_CHANGE.sub("", label), doc.unit)
        base = next((b for b in reversed(sts[:k]) if b.section == d.section and b.unit == "万元"
                     and subject(b.label, doc.unit) == name and not VERB.search(clean(b.label))), None)
        where = section_name(doc, d.section)
        s_d = sign(verb_d)
        now, said = (base.value, f"{name}{base.value}万元") if base is not None else _from_table(doc, index, name)
        if p is not None:
            verb_p = _word(p.sentence, p.value, "%")
            if now is not None and s_d and now - s_d * d.value:
                expected = pct(s_d * d.value, now - s_d * d.value)
                actual = (sign(verb_p) if verb_p else s_d) * p.value
                out.append(Check("narrative", f"{where}：{name}的变动幅度", expected, actual,
                                 f"{where}写{said}，{verb_d}{d.value}万元，{verb_p or ''}{p.value}%；"
                                 f"按前两个数应为{'增长' if expected >= 0 else '下降'}{fmt_pct(abs(expected))}%"
                                 f"{page(p.page)}", tolerance=one_unit(p.value)))
            elif verb_p and s_d and p.value:
                out.append(Check("narrative", f"{where}：{name}的变动方向", Decimal(s_d), Decimal(sign(verb_p)),
                                 f"{where}写{name}{verb_d}{d.value}万元，又写{verb_p}{p.value}%{page(p.page)}",
                                 tolerance=Decimal("0.5")))
        if base is not None and s_d > 0:
            before = base.value - d.value
            out.append(Check("narrative", f"{where}：{name}的上年数不为负", max(before, ZERO), before,
                             f"{where}写{name}{base.value}万元，比上年{verb_d}{d.value}万元，上年就成了{money(before)}"
                             f"{page(d.page)}", tolerance=Decimal("0.005")))
    return out


def _from_table(doc: Document, index: Index, name: str) -> tuple[Decimal | None, str]:
    """The figure that changed, from the table that prints it when the prose does not repeat it."""
    found = resolve(index, doc.stage, name)
    if found is None or found[1] is None:
        return None, ""
    t, value, label, col, _ = found
    return value, f"{name}（{title(t)}“{label}”行“{col}”为{money(value)}）"


def shares(doc: Document, index: Index) -> list[Check]:
    """"A万元，占p%": p = A ÷ the total its paragraph opens with ("X万元，其中：…") or the total it names."""
    out = []
    sts = doc.statements
    for k, s in enumerate(sts):
        label = clean(s.label)
        if s.unit != "%" or "占" not in label or k == 0:
            continue
        part = sts[k - 1]
        if part.unit != "万元" or part.sentence != s.sentence:
            continue
        named = label.split("占", 1)[1].removesuffix("的")
        if named:
            whole = next((w for w in reversed(sts[:k]) if w.unit == "万元" and subject(w.label, doc.unit) == named), None)
        else:
            whole = next((w for w in reversed(sts[:k - 1]) if w.section == s.section and w.unit == "万元"
                          and WHOLE_AFTER.match(_after(w))), None)
        if whole is None or whole is part:
            continue
        expected = pct(part.value, whole.value)
        if expected is None:
            continue
        where = section_name(doc, s.section)
        out.append(Check("narrative", f"{where}：{subject(part.label, doc.unit)}所占比例", expected, s.value,
                         f"{where}写{clean(part.label)}{part.value}万元占{s.value}%，按{clean(whole.label)}{whole.value}"
                         f"万元计算应为{fmt_pct(expected)}%{page(s.page)}", tolerance=one_unit(s.value)))
    return out


def _after(st: Statement) -> str:
    """What the sentence prints right after a statement's figure (the one after its label)."""
    text = clean(st.sentence).replace(",", "")
    figure = f"{st.value:f}{st.unit}"
    at = text.find(figure, max(text.find(clean(st.label)), 0))
    return text[at + len(figure):] if at >= 0 else ""


def _pair(doc: Document, index: Index, k: int) -> tuple[Decimal, Decimal, str] | None:
    """(年初预算, 决算, what) for the figure before statement k: the two printed before it, or the table's."""
    sts = doc.statements
    final = sts[k - 1] if k else None
    if final is None or final.unit != "万元" or "决算" not in clean(final.label):
        return None
    budget = sts[k - 2] if k > 1 else None
    if budget is not None and budget.unit == "万元" and "预算" in clean(budget.label) \
            and "决算" not in clean(budget.label) and budget.section == final.section:
        return budget.value, final.value, subject(budget.label, doc.unit).removesuffix("年初预算")
    what = subject(final.label, doc.unit)
    base = re.sub(r"(支出)?决算(数)?$", "", what)
    found = resolve(index, doc.stage, base + "年初预算")
    if found is None or found[1] is None:
        return None
    return found[1], final.value, base


def rates(doc: Document, index: Index) -> list[Check]:
    """"完成年初预算的p%" = 决算 ÷ 年初预算 (outside the per-item paragraphs)."""
    out = []
    items = _item_lines(doc)
    for k, s in enumerate(doc.statements):
        if s.unit != "%" or not RATE.search(clean(s.label)) or s.line in items:
            continue
        found = _pair(doc, index, k)
        if found is None or not found[0]:
            continue
        budget, final, what = found
        what = what or _topic(doc, s)
        expected = pct(final, budget)
        where = section_name(doc, s.section)
        out.append(Check("narrative", f"{where}：{what}完成率", expected, s.value,
                         f"{where}写{what}年初预算{budget}万元、决算{final}万元，完成{s.value}%；"
                         f"按两数应为{fmt_pct(expected)}%{page(s.page)}", tolerance=one_unit(s.value)))
    return out


def _topic(doc: Document, st: Statement) -> str:
    """What a bare figure is of: the item its heading names, else the item paragraph before it."""
    if m := re.search(r"([^()]+)\(项\)", clean(st.topic)):
        return m.group(1)
    before = [i for i in doc.items if i.line <= st.line]
    return before[-1].name if before else "支出"


def directions(doc: Document, index: Index) -> list[Check]:
    """"决算数小于预算数" against the 年初预算 and 决算 printed before it (outside the per-item paragraphs)."""
    out = []
    items = {i.line: i for i in doc.items}
    sts = doc.statements
    for sent in doc.sentences:
        m = COMPARE.search(clean(sent.text))
        if not m:
            continue
        owner = max((line for line in items if line <= sent.line), default=None)
        if owner is not None and clean(sent.text) in items[owner].text:
            continue  # a per-item paragraph
        found = None
        if "三公" in sent.text:
            found = resolve(index, doc.stage, "三公经费年初预算"), resolve(index, doc.stage, "三公经费决算")
            found = (found[0][1], found[1][1], "“三公”经费") if all(f and f[1] is not None for f in found) else None
        else:
            k = max((n for n, x in enumerate(sts) if x.section == sent.section and x.line <= sent.line
                     and x.unit == "万元" and "决算" in clean(x.label)), default=None)
            found = _pair(doc, index, k + 1) if k is not None else None
        if found is None:
            continue
        budget, final, what = found
        what = what or _topic(doc, next((x for x in sts if x.line <= sent.line and x.section == sent.section
                                         and "决算" in clean(x.label)), sts[0]))
        expected = Decimal((final > budget) - (final < budget))
        where = section_name(doc, sent.section)
        out.append(Check("narrative", f"{where}：{what}决算数与预算数的大小", expected, Decimal(sign(m.group(1))),
                         f"{where}写“{m.group(0)}”，而{what}年初预算为{budget}万元、决算为{final}万元{page(sent.page)}",
                         tolerance=Decimal("0.5")))
    return out

