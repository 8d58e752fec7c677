"""PNG charts of the canned queries' rows, with Chinese labels in a CJK font that comes from PyPI."""
from __future__ import annotations

import io
from dataclasses import dataclass

from .engine import Engine
from .format import amount

DEFAULT = "支出结构"


@dataclass(frozen=True)
class Chart:
    """A rendered chart: PNG bytes and a caption (under Telegram's 1,024 characters)."""

    png: bytes
    caption: str
    topic: str


def chart_topic(engine: Engine, text: str) -> str | None:
    """The chart a /chart argument asks for (the default when empty), or None if none fits."""
    charts = engine.words.get("charts", {})
    text = (text or "").strip()
    if not text:
        return DEFAULT
    if text in charts:
        return text
    # The longest word found wins ("基本支出" over 支出结构's "支出"); on a tie, the first topic listed.
    best: tuple[int, int] | None = None
    name_found = None
    for order, (name, spec) in enumerate(charts.items()):
        for word in [name, *spec.get("words", [])]:
            if word in text and (best is None or (len(word), -order) > best):
                best, name_found = (len(word), -order), name
    return name_found


def _font():
    """The CJK font file shipped by the cvttf-notosanscjk-regular package, registered with matplotlib."""
    import cvttf_NotoSansCJK_Regular
    from matplotlib import font_manager

    path = cvttf_NotoSansCJK_Regular.get_TTF_path()
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def render_chart(engine: Engine, topic: str) -> Chart:
    """Draw one chart topic as a horizontal bar chart from its query's rows."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    spec = engine.words["charts"][topic]
    query = engine.queries[spec["query"]]
    rows = [r for r in engine.rows(query, engine.topic(spec["subject"])) if r.get("total")]
    labels = [str(r["label"]) for r in rows][::-1]
    values = [float(r["total"]) for r in rows][::-1]
    family = _font()
    fig = Figure(figsize=(8, 0.55 * len(rows) + 1.6), dpi=110)
    ax = fig.add_subplot()
    bars = ax.barh(labels, values, color="#3b6ea8")
    for bar, v in zip(bars, values):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, " " + amount(v), va="center", fontsize=9,
                family=family)
    ax.set_title(spec["title"], family=family, fontsize=12)
    for label in ax.get_yticklabels():
        label.set_fontfamily(family)
    ax.set_xlim(0, max(values) * 1.3 if values else 1)
    ax.margins(y=0.01)
    ax.tick_params(axis="x", labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    source = rows[0].get("source") if rows else ""
    lines = [spec["title"]] + [f"{lab}：{amount(v)}" for lab, v in zip(labels[::-1], values[::-1])]
    caption = "\n".join(lines)
    caption = caption[:900] + f"\n来源：{source}"
    return Chart(buf.getvalue(), caption, topic)
