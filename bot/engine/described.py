"""A project named by what it does: "技能大赛" is nowhere a project's name, but one project's form describes it.

When a question names no project, a stretch of it (four characters or more) that one project's own text (概况,
立项依据, 必要性, 实施计划, 目标) uses far more than any other's names that project — as a weaker hit than a name,
so any name the question does give wins.
"""
from __future__ import annotations

import re

from ..match import Hit

MIN_RUN = 4  # characters: shorter stretches are everyday words
MAX_RUN = 12
SCORE = 86.0  # below a name said outright (90) or shortened (85–95): a description only decides when nothing else does
DOMINANT = 2  # the project must use the stretch this many times as often as the next one
FIELDS = ("overview", "basis", "necessity", "measures", "plan", "goal_period", "goal_year")
CJK_RUN = re.compile(r"[\u4e00-\u9fff]{%d,}" % MIN_RUN)


def project_texts(view) -> list[tuple[str, str]]:
    """(project name, all its printed text) for the view's document, read once."""
    cached = getattr(view, "_project_texts", None)
    if cached is None:
        cols = ", ".join(f"coalesce({f}, '')" for f in FIELDS)
        with view.shared.lock:
            rows = view.shared.conn.execute(
                f"select p.name, {cols}, coalesce((select group_concat(t.name || coalesce(t.value_text, ''), ' ') "
                "from targets t where t.project_id = p.id), '') from projects p where p.document_id = ?",
                (view.doc.id,)).fetchall()
        cached = [(r[0], " ".join(r[1:])) for r in rows]
        view._project_texts = cached
    return cached


def described_project(view, text: str, hits: list[Hit], skip: set[str]) -> Hit | None:
    """A hit on the project whose own text uses a stretch of the question the most, if one clearly does."""
    taken = [False] * len(text)
    for h in hits:
        if h.surface and h.score >= 85:
            for k in range(h.start, h.end):
                taken[k] = True
    free = "".join("\x00" if taken[k] else c for k, c in enumerate(text))
    texts = project_texts(view)
    if not texts:
        return None
    for run in CJK_RUN.finditer(free):
        best = _longest_used(run.group(), texts, skip)
        if best is None:
            continue
        stretch, counts = best
        ranked = sorted(counts, key=lambda nc: -nc[1])
        if len(ranked) > 1 and ranked[0][1] < DOMINANT * ranked[1][1]:
            continue
        entity = view.vocab.by_key.get(f"project|{ranked[0][0]}")
        if entity is not None:
            start = run.start() + run.group().find(stretch)
            return Hit(entity, stretch, start, start + len(stretch), SCORE)
    return None


def _longest_used(run: str, texts: list[tuple[str, str]], skip: set[str]) -> tuple[str, list] | None:
    """The longest piece of run (not an asking word) that some project's text uses, with each project's count."""
    for size in range(min(len(run), MAX_RUN), MIN_RUN - 1, -1):
        for i in range(len(run) - size + 1):
            piece = run[i:i + size]
            if any(w in piece for w in skip):
                continue
            counts = [(name, body.count(piece)) for name, body in texts if piece in body]
            if counts:
                return piece, counts
    return None
