"""Composing replies from query rows: templates, rankings, yes/no verdicts, arithmetic between figures."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .catalog import Query
from .format import Fact, RowFormatter, amount, dec, pct
from .understand import Rank

OPTIONAL = re.compile(r"\[\[(.*?)\]\]", re.S)
FIELD = re.compile(r"{(\w+)")
SUM = re.compile(r"一共|合计|总共|加起来|加上|共计|总和|相加|之和|(?<!增|参|追)加(?!总)")
DIFF = re.compile(r"相差|差多少|差额|差距")
ORDER_WORDS = {"max": "最大", "min": "最小"}


@dataclass
class Composed:
    """A reply body, its source line and the facts its figures rest on."""

    body: str
    source: str
    facts: list[Fact]


def _with(row: dict, year: str) -> dict:
    """A row with the document's year, the year before and its kind, for templates ("{year}年{stage}")."""
    y, _, stage = year.partition("|")
    return dict(row, year=y, last=str(int(y) - 1) if y.isdigit() else "上", stage=stage or "预算")


def quoted(name: str) -> str:
    """A name in Chinese quotes, unless it carries its own (“三公”经费)."""
    return name if "“" in name else f"“{name}”"


def fill(fmt: RowFormatter, template: str, row: dict) -> str:
    """Render a template left to right (so facts keep reading order); a [[…]] part is dropped when a field
    inside it is empty."""
    out = []
    for k, part in enumerate(OPTIONAL.split(template)):
        optional = k % 2 == 1
        if optional and any(row.get(f) in (None, "") for f in FIELD.findall(part)):
            continue
        out.append(fmt.render(part, row))
    return "".join(out)


def cap(text: str, limit: int) -> str:
    """The text cut at a line boundary to fit limit characters, saying it was cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 20]
    return cut[: cut.rfind("\n")] + "\n……（内容较长，已截断）" if "\n" in cut else cut + "……"


def rows_reply(query: Query, rows: list[dict], name: str, year: str) -> Composed:
    """The query's own template over all its rows."""
    facts: list[Fact] = []
    fmt = RowFormatter(query.formats, "", facts, query.field_sources)
    first = _with(rows[0], year) if rows else {}
    fmt.source = fill(fmt, query.source, first) if rows else ""
    parts = []
    if not rows:
        parts.append(fill(fmt, query.template.get("empty", "本文件中没有{name}的数据。"), {"name": quoted(name)}))
    else:
        if query.template.get("header"):
            parts.append(fill(fmt, query.template["header"], first))
        if query.template.get("row"):
            parts += [fill(fmt, query.template["row"], _with(r, year)) for r in rows]
        if query.template.get("footer"):
            parts.append(fill(fmt, query.template["footer"], first))
    return Composed(_lines(parts), fmt.source, facts)


def _lines(parts: list[str]) -> str:
    """Parts joined one per line: no empty lines an optional part leaves behind, no sentence said twice."""
    out: list[str] = []
    for line in (line for p in parts for line in p.split("\n")):
        head, _, rest = line.partition("：")
        core = (rest.strip(" 。，；;") or head).strip(" 。，；;")
        if core and not (len(core) >= 16 and any(core in seen for seen in out)):
            out.append(line)
    return "\n".join(out)


def attribute_reply(query: Query, rows: list[dict], asked: list[tuple[str, str]], yes_no: bool, year: str,
                    name: str, exists: bool = False) -> Composed:
    """Only the attributes asked ("实施单位", "项目期", "是新增的吗"), each with a 是/不是 verdict for yes/no."""
    facts: list[Fact] = []
    fmt = RowFormatter(query.formats, "", facts, query.field_sources)
    row = _with(rows[0], year)
    fmt.source = fill(fmt, query.source, row)
    lines = []
    for key, word in asked:
        spec = query.attributes[key]
        line = fill(fmt, spec["template"], row)
        if not line.strip():
            line = f"本文件没有列出{quoted(name)}的{spec.get('label', '这一项')}。"
        elif (yes_no or exists) and ("yes_if" in spec or "yes_contains" in spec):
            if "yes_if" in spec:
                yes = row.get(spec["yes_if"]) not in (None, "", 0)
            else:
                yes = word in str(row.get(spec["yes_contains"]) or "")
            line = (("有。" if yes else "没有。") if exists else ("是。" if yes else "不是。")) + line
        lines.append(line)
    return Composed("\n".join(lines), fmt.source, facts)


def bigrams(text: str) -> set[str]:
    """The text's two-character pieces."""
    return {text[k:k + 2] for k in range(len(text) - 1)}


def pick_reply(query: Query, rows: list[dict], asked: str, subject: set[str], year: str) -> Composed | None:
    """The rows of a long form whose names the question names ("建设成本上限" → 活动阵地建设成本), alone.

    subject: the names of what the form is about, whose words pick nothing."""
    key = query.template.get("pick")
    if not key or len(rows) < 2:
        return None
    want = bigrams(asked) - {b for s in subject for b in bigrams(s)}
    scored = [(len(want & bigrams(str(r.get(key) or ""))), r) for r in rows]
    best = max(s for s, _ in scored)
    chosen = list({str(r.get(key)): r for s, r in scored if s == best}.values())
    unit = re.search(r"(?:多少|几)个?(人|次|个|份|天|家|辆|户|场|期|项|名|所|批)", asked)
    if (best < 2 or len(chosen) > 3) and unit:
        # "招多少人": the row counted in that unit (招聘人数 ≤60人), not the whole form.
        chosen = [r for r in rows if re.search(rf"\d{unit.group(1)}$", str(r.get("value_text") or ""))]
        best = 2 if 1 <= len(chosen) <= 3 else 0
    if best < 2 or len(chosen) > 3:
        return None
    facts: list[Fact] = []
    fmt = RowFormatter(query.formats, "", facts, query.field_sources)
    fmt.source = fill(fmt, query.source, _with(rows[0], year))
    template = query.template.get("picked") or query.template["row"]
    return Composed(_lines([fill(fmt, template, _with(r, year)) for r in chosen]), fmt.source, facts)


def rank_reply(query: Query, rows: list[dict], rank: Rank, year: str) -> Composed | None:
    """The top (or bottom) item(s) of a list query, briefly, with their place among all items."""
    spec = query.template.get("rank")
    key = query.template.get("rank_by", "total")
    ranked = [r for r in rows if r.get(key) is not None]
    if not spec or len(ranked) < 2:
        return None
    if rank.order == "min":
        ranked = ranked[::-1]
    chosen = ranked[rank.first - 1: rank.first - 1 + rank.count]
    if not chosen:
        return None
    facts: list[Fact] = []
    fmt = RowFormatter(query.formats, "", facts, query.field_sources)
    fmt.source = fill(fmt, query.source, _with(rows[0], year))
    what = query.template.get("rank_what", "项")
    word = ORDER_WORDS[rank.order]
    if rank.count == 1 and rank.first == 1:
        head = f"金额{word}的{what}是"
    elif rank.count == 1:
        head = f"按金额从{'高到低' if rank.order == 'max' else '低到高'}排第{rank.first}的{what}是"
    else:
        head = f"金额{word}的{len(chosen)}个{what}："
    items = [fill(fmt, spec, _with(r, year)) for r in chosen]
    if len(items) == 1:
        body = head + items[0] + "。"
    else:
        body = head + "\n" + "\n".join(f"{rank.first + k}. {t}" for k, t in enumerate(items))
    body += f"\n（共{len(ranked)}个{what}，完整清单见下方按钮）"
    return Composed(body, fmt.source, facts)


def combine(values: list[Decimal], names: list[str], question_text: str, between: str) -> tuple[str, Fact] | None:
    """A difference, ratio or sum of the parts' main figures when the question asks for one, with its arithmetic."""
    if len(values) == 2 and "倍" in question_text and values[1]:
        times = (values[0] / values[1]).quantize(Decimal("0.01"))
        line = f"倍数：{amount(values[0])} ÷ {amount(values[1])} = {times}倍（{names[0]}是{names[1]}的{times}倍）"
        return line, Fact(f"{names[0]}/{names[1]}", float(times), "倍", "由以上数字相除")
    if len(values) == 2 and ("比" in between or DIFF.search(question_text)):
        big, small = (0, 1) if values[0] >= values[1] else (1, 0)
        d = values[big] - values[small]
        line = (f"相差：{amount(values[big])} − {amount(values[small])} = {amount(d)}"
                f"（{names[big]}比{names[small]}多）")
        return line, Fact(f"{names[big]}−{names[small]}", float(d), "万元", "由以上数字相减")
    if len(values) == 2 and "占" in between and values[1]:
        share = (values[0] / values[1] * 100).quantize(Decimal("0.01"))
        line = f"占比：{amount(values[0])} ÷ {amount(values[1])} = {pct(share)}（{names[0]}占{names[1]}）"
        return line, Fact(f"{names[0]}/{names[1]}", float(share), "%", "由以上数字相除")
    if SUM.search(question_text):
        total = sum(values)
        line = "合计：" + " + ".join(amount(v) for v in values) + f" = {amount(total)}（由以上数字相加）"
        return line, Fact("＋".join(names), float(total), "万元", "由以上数字相加")
    return None


def main_value(facts: list[Fact]) -> Decimal | None:
    """A reply's main figure: its first 万元 fact (an empty one, 未安排, counts as 0)."""
    f = next((f for f in facts if f.unit == "万元"), None)
    if f is None:
        return None
    return dec(f.value) if f.value is not None else Decimal("0.00")


def premise(row: dict, asked: str | None, label: str) -> str:
    """A correction when a question assumes the wrong direction of change ("为什么减少" when it increased)."""
    actual = row.get("direction")
    if not asked or not actual or asked == actual:
        return ""
    delta = row.get("delta")
    figure = f"{amount(delta)}" if isinstance(delta, (int, float)) else ""
    return f"{label}并未{asked}，而是{actual}{figure}。"
