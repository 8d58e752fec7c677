"""PNG charts of the canned queries' rows, with Chinese labels in a CJK font that comes from PyPI.

No Telegram here: a chart is PNG bytes and a plain-text caption, drawn from the engine's rows. Each image says
what it shows (title with year and unit, the total), has the unit on its axis and its source at the bottom, and is
drawn at 2× resolution (≥ 1,600 px wide) with labels sized to be read on a phone.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from .engine import Engine
from .engine.view import DocView
from .format import amount, dec, pct

DEFAULT = "支出结构"
UNIT = "万元"
WIDTH_IN, DPI = 5.6, 300          # 1,680 px wide
BAR_IN, FRAME_IN = 0.46, 2.0      # height per bar, and for title, subtitle, axis and source
LABEL_WRAP = 12                   # characters per line of a category label
BAR_COLOR, OTHER_COLOR, ZERO_COLOR, GREY = "#3b6ea8", "#9aa5b1", "#b34700", "#555555"
ZERO_LABEL = "0（未安排）"
CLOSING, OPENING = "”’）》」，、。：；,)", "“‘（《「("


@dataclass(frozen=True)
class Chart:
    """A rendered chart: PNG bytes and a caption (under Telegram's 1,024 characters)."""

    png: bytes
    caption: str
    topic: str


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


def _value_text(bar: Bar, total: Decimal | None) -> str:
    if bar.value is None or bar.value == 0:
        return ZERO_LABEL
    text = amount(bar.value).removesuffix(UNIT)
    if total:
        text += f"（{pct(bar.value / total * 100)}）"
    return text


def _draw(title: str, subtitle: str, source: str, items: list[Bar], total: Decimal | None) -> bytes:
    """A horizontal bar chart, largest first, as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    family = _font()
    with matplotlib.rc_context({"font.family": family, "font.size": 11, "axes.unicode_minus": False}):
        fig = Figure(figsize=(WIDTH_IN, BAR_IN * max(len(items), 3) + FRAME_IN), dpi=DPI, layout="constrained")
        ax = fig.add_subplot()
        labels = [wrap_label(b.label) for b in items][::-1]
        values = [float(b.value or 0) for b in items][::-1]
        colors = [ZERO_COLOR if not b.value else OTHER_COLOR if b.other else BAR_COLOR for b in items][::-1]
        drawn = ax.barh(range(len(items)), values, color=colors, height=0.62)
        ax.set_yticks(range(len(items)), labels, fontsize=11)
        peak = max(values) if any(values) else 1.0
        for bar, item in zip(drawn, items[::-1]):
            ax.text(bar.get_width() + peak * 0.015, bar.get_y() + bar.get_height() / 2, _value_text(item, total),
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


def has_data(engine: DocView, topic: str) -> bool:
    """Whether the engine's document has the rows a chart topic draws (another template may not)."""
    spec = engine.words["charts"][topic]
    query = engine.queries[spec["query"]]
    return engine.doc.stage in query.stages and bool(engine.rows(query, engine.topic(spec["subject"])))


def render_chart(engine: DocView, topic: str) -> Chart:
    """Draw one chart topic as a horizontal bar chart from its query's rows, with a caption listing the figures."""
    spec = engine.words["charts"][topic]
    query = engine.queries[spec["query"]]
    rows = engine.rows(query, engine.topic(spec["subject"]))
    items = bars(spec, rows)
    whole = rows[0].get(spec.get("total", "")) if rows else None
    total = dec(whole) if whole is not None else None
    year = engine.row.get("year", "")
    title = spec["title"].format(year=year) + f"（{UNIT}）"
    subtitle = f"{spec.get('subtitle', '合计')}：{amount(total)}" if total is not None else ""
    if any(b.other for b in items):
        subtitle += f"；前{len(items) - 1}项及其他"
    source = source_line(engine, rows)
    png = _draw(title, subtitle, source, items, total)
    lines = [title] + ([subtitle] if subtitle else [])
    lines += [f"· {b.label}：{amount(b.value) if b.value else amount(None)}" for b in items]
    caption = "\n".join(lines)[:900] + "\n" + source.replace("\n", "")
    return Chart(png, caption, topic)
