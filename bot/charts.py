"""PNG charts of the canned queries' rows, with Chinese labels in a CJK font that comes from PyPI.

No Telegram here: a chart is PNG bytes and a plain-text caption, drawn from the engine's rows. Each image says
whose figures it shows and what they are (title: the document's unit, year and 预算/决算, then the topic; the
total), has the unit on its axis and its source (document, table, page) at the bottom, and is drawn at 2×
resolution (≥ 1,600 px wide) with labels sized to be read on a phone.

A topic's query reads one kind of document; for the other kind the query of that kind with the same subject draws
it (a 决算's 三公 from sangong_final, whose rows carry `total` and `grand` as the 决算数). The total a chart states
is the figure the text reply gives: when the table the bars come from covers only part of it (a 决算's 基本支出
table lists 一般公共预算财政拨款 only), the rows carry the whole as `other_<total>` and the rest is one grey bar.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from decimal import Decimal

from .engine import Engine
from .engine.view import DocView
from .format import amount, dec, pct

DEFAULT = "支出结构"
UNIT = "万元"
WIDTH_IN, DPI = 5.6, 300          # 1,680 px wide
BAR_IN, FRAME_IN = 0.46, 1.8      # height per bar, and for title, subtitle, axis and source
LINE_IN = 0.26                    # height of each further line of title, subtitle or source
LABEL_WRAP = 12                   # characters per line of a category label
SUBTITLE_WRAP = 25                # wide characters per line of the subtitle (it starts where the bars do)
BAR_COLOR, OTHER_COLOR, ZERO_COLOR, GREY = "#3b6ea8", "#9aa5b1", "#b34700", "#555555"
ZERO_LABEL = "0（未安排）"
ZERO_WORDS = {"预算": "未安排", "决算": "无支出"}  # what a zero means: nothing budgeted, or nothing spent
CLOSING, OPENING = "”’）》」，、。：；,)", "“‘（《「("


REST_LABEL = "其他资金（未分科目）"
STAGE_WORDS = ("预算", "决算")
MATCH = Decimal("0.005")  # 万元: a table's own total and the sum of its bars agree within the printed rounding


@dataclass(frozen=True)
class Chart:
    """A rendered chart: PNG bytes, a caption (under Telegram's 1,024 characters), its title and stated total."""

    png: bytes
    caption: str
    topic: str
    title: str = ""
    total: Decimal | None = None
    bars: tuple = ()
    subtitle: str = ""   # as drawn, on several lines
    source: str = ""
    zero: str = ZERO_LABEL


@dataclass(frozen=True)
class Bar:
    """One category: its label and amount in 万元 (None: nothing budgeted)."""

    label: str
    value: Decimal | None
    other: bool = False


def chart_topic(engine: Engine | DocView, text: str) -> str | None:
    """The chart a /chart argument asks for (the default when empty), or None if none fits.

    An exact topic name wins; otherwise the longest word found, so "基本支出" is not taken by 支出结构's "支出".
    """
    charts = engine.words.get("charts", {})
    text = (text or "").strip()
    if not text:
        return DEFAULT
    if text in charts:
        return text
    best: tuple[int, int] | None = None
    found = None
    for order, (name, spec) in enumerate(charts.items()):
        for word in [name, *spec.get("words", [])]:
            if word in text and (best is None or (len(word), -order) > best):
                best, found = (len(word), -order), name
    return found


def bars(spec: dict, rows: list[dict]) -> list[Bar]:
    """The bars a topic draws from its rows: top-level rows only if asked, zeros kept if asked, top N plus 其他."""
    if spec.get("top_level"):
        rows = [r for r in rows if not r.get("parent")]
    if not spec.get("keep_zero"):
        rows = [r for r in rows if r.get("total")]
    out = [Bar(str(r["label"]), dec(r["total"]) if r.get("total") is not None else None) for r in rows]
    top = int(spec.get("top") or 0)  # the vocabulary loader reads every scalar as text
    if top and len(out) > top:
        rest = out[top - 1:]
        total = sum((b.value or Decimal(0) for b in rest), Decimal(0))
        out = out[:top - 1] + [Bar(f"其他{len(rest)}项", total, other=True)]
    return out


def source_line(engine: DocView, rows: list[dict]) -> str:
    """Where the figures come from: the document, the table, and the page when the rows carry one."""
    doc = engine.row
    name = doc.get("title") or f"{doc['unit']}{doc['year']}年度单位{doc['stage']}公开"
    table = str(rows[0].get("source") or "") if rows else ""
    page = rows[0].get("page") if rows else None
    return f"来源：《{name}》\n{table}" + (f"，第{page}页" if page not in (None, "") else "")


def _font() -> str:
    """The CJK font file shipped by the cvttf-notosanscjk-regular package, registered with matplotlib."""
    import cvttf_NotoSansCJK_Regular
    from matplotlib import font_manager

    path = cvttf_NotoSansCJK_Regular.get_TTF_path()
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def wrap_label(label: str, width: int = LABEL_WRAP) -> str:
    """A category label on balanced lines of at most `width` characters, never splitting a number."""
    if len(label) <= width:
        return label
    n = -(-len(label) // width)
    size = -(-len(label) // n)
    lines, rest = [], label
    while len(rest) > size:
        cut = size
        while 0 < cut < len(rest) and rest[cut - 1].isdigit() and rest[cut].isdigit():
            cut -= 1
        cut = cut or size
        if rest[cut] in CLOSING and cut < width:
            cut += 1  # a closing mark stays with what it closes
        elif rest[cut - 1] in OPENING and cut > 1:
            cut -= 1  # an opening mark goes with what it opens
        lines.append(rest[:cut])
        rest = rest[cut:]
    return "\n".join(lines + [rest])


WRAP_ATOM = re.compile(r"[-−]?\d[\d,]*(?:\.\d+)?(?:万元|元|%)?|.")


def wrap_text(text: str, width: float = SUBTITLE_WRAP) -> str:
    """Text on greedy lines of about `width` wide characters (digits count half), never splitting a number with
    its unit, and never starting a line with a closing mark."""
    lines, line, used = [], "", 0.0
    for atom in WRAP_ATOM.findall(text):
        size = sum(0.55 if ch.isascii() else 1.0 for ch in atom)
        if line and used + size > width and atom not in CLOSING:
            lines.append(line)
            line, used = "", 0.0
        line += atom
        used += size
    return "\n".join(lines + [line])


def _value_text(bar: Bar, total: Decimal | None, zero: str = ZERO_LABEL) -> str:
    if bar.value is None or bar.value == 0:
        return zero
    text = amount(bar.value).removesuffix(UNIT)
    if total:
        text += f"（{pct(bar.value / total * 100)}）"
    return text


def _draw(title: str, subtitle: str, source: str, items: list[Bar], total: Decimal | None,
          zero: str = ZERO_LABEL) -> bytes:
    """A horizontal bar chart, largest first, as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    family = _font()
    with matplotlib.rc_context({"font.family": family, "font.size": 11, "axes.unicode_minus": False}):
        lines = title.count("\n") + subtitle.count("\n") + source.count("\n")
        fig = Figure(figsize=(WIDTH_IN, BAR_IN * max(len(items), 3) + FRAME_IN + LINE_IN * lines), dpi=DPI,
                     layout="constrained")
        ax = fig.add_subplot()
        labels = [wrap_label(b.label) for b in items][::-1]
        values = [float(b.value or 0) for b in items][::-1]
        colors = [ZERO_COLOR if not b.value else OTHER_COLOR if b.other else BAR_COLOR for b in items][::-1]
        drawn = ax.barh(range(len(items)), values, color=colors, height=0.62)
        ax.set_yticks(range(len(items)), labels, fontsize=11)
        peak = max(values) if any(values) else 1.0
        for bar, item in zip(drawn, items[::-1]):
            ax.text(bar.get_width() + peak * 0.015, bar.get_y() + bar.get_height() / 2, _value_text(item, total, zero),
                    va="center", fontsize=10.5, color=ZERO_COLOR if not item.value else "#222222")
        ax.set_xlim(0, peak * 1.42)
        ax.set_ylim(-0.6, len(items) - 0.4)
        ax.set_xlabel(f"金额（{UNIT}）", fontsize=10.5, color=GREY)
        ax.tick_params(axis="x", labelsize=9.5, colors=GREY)
        ax.tick_params(axis="y", length=0)
        ax.xaxis.grid(True, color="#e3e6ea", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.spines[["top", "right"]].set_visible(False)
        fig.suptitle(title, fontsize=15, x=0.02, ha="left")
        ax.set_title(subtitle, fontsize=11, loc="left", color=GREY)
        fig.supxlabel(source, fontsize=8.5, x=0.02, ha="left", color=GREY)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", facecolor="white")
    return buf.getvalue()


def topic_query(engine: DocView, spec: dict):
    """The query that draws a topic for this document: the spec's own, or for a document of the other kind (决算)
    the query of that kind about the same subject that lists rows (None when there is none)."""
    query = engine.queries[spec["query"]]
    stage = engine.doc.stage
    if stage in query.stages:
        return query
    return next((q for q in engine.queries.values() if stage in q.stages and spec["subject"] in q.subject
                 and "list" in q.aspects and not q.fallback), None)


def _rows(engine: DocView, spec: dict) -> list[dict]:
    query = topic_query(engine, spec)
    return engine.rows(query, engine.topic(spec["subject"])) if query is not None else []


def has_data(engine: DocView, topic: str) -> bool:
    """Whether the engine's document has the rows a chart topic draws (another template may not)."""
    spec = engine.words["charts"][topic]
    return any(b.value for b in bars(spec, _rows(engine, spec)))


def topics(engine: DocView) -> list[str]:
    """The chart topics this document can draw, in the order of the vocabulary."""
    return [t for t in engine.words.get("charts", {}) if has_data(engine, t)]


def chart_title(engine: DocView, spec: dict) -> str:
    """Whose figures and what: "普陀区社会福利院2024年预算：“三公”经费（万元）"."""
    what = spec["title"].replace("{year}年", "").strip()
    for word in STAGE_WORDS:
        what = what.removesuffix(word)
    return f"{engine.doc.short}：{what}（{UNIT}）"


def _whole(spec: dict, rows: list[dict], items: list[Bar]) -> tuple[Decimal | None, list[Bar], list[str]]:
    """The total the chart states, its bars (with the part no bar shows as one more), and what the subtitle adds."""
    field = spec.get("total", "")
    printed = rows[0].get(field) if rows else None
    total = dec(printed) if printed is not None else None
    whole = rows[0].get(f"other_{field}") if rows else None
    if whole is None or total is None or abs(dec(whole) - total) < MATCH:
        return total, items, []
    whole = dec(whole)
    rest = whole - total
    plain = lambda v: amount(v).removesuffix(UNIT)  # noqa: E731
    notes = [f"分科目的明细合计{amount(total)}（见来源表）",
             f"其余{amount(rest)}（{plain(whole)} − {plain(total)}）未分科目"]
    return whole, items + [Bar(REST_LABEL, rest, other=True)], notes


def plan_chart(engine: DocView, topic: str) -> Chart:
    """What one chart topic shows, without drawing it: title, total, bars and caption (png empty)."""
    spec = engine.words["charts"][topic]
    rows = _rows(engine, spec)
    drawn = bars(spec, rows)
    total, items, notes = _whole(spec, rows, drawn)
    title = chart_title(engine, spec)
    label = spec.get("subtitle", "合计") + ("（决算数）" if engine.doc.stage == "决算" else "")
    subtitle = f"{label}：{amount(total)}" if total is not None else ""
    budget = rows[0].get(f"{spec.get('total', '')}_budget") if rows and total is not None else None
    if budget is not None:
        notes.insert(0, f"年初预算{amount(budget)}")
    topn = f"前{len(drawn) - 1}项及其他" if any(b.other for b in drawn) else ""
    zero = ZERO_WORDS.get(engine.doc.stage, ZERO_WORDS["预算"])
    source = source_line(engine, rows)
    lines = [title] + ["；".join(p for p in [subtitle, topn, *notes] if p)]
    lines += [f"· {b.label}：{amount(b.value) if b.value else amount(None).replace('未安排', zero)}" for b in items]
    caption = "\n".join(line for line in lines if line)[:900] + "\n" + source.replace("\n", "")
    shown = "\n".join(wrap_text(p) for p in [subtitle, topn, *notes] if p)
    return Chart(b"", caption, topic, title, total, tuple(items), shown, source, ZERO_LABEL.replace("未安排", zero))


def render_chart(engine: DocView, topic: str) -> Chart:
    """Draw one chart topic as a horizontal bar chart from its query's rows, with a caption listing the figures."""
    plan = plan_chart(engine, topic)
    png = _draw(plan.title.replace("：", "\n", 1), plan.subtitle, plan.source, list(plan.bars), plan.total, plan.zero)
    return replace(plan, png=png)
