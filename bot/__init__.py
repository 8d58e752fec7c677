"""budgetbot: answers Chinese questions about a government budget disclosure, with sources."""
from __future__ import annotations

__all__ = ["Answer", "answer"]


def __getattr__(name: str):
    # Lazy, so `budgetbot build` does not load the engine (and the engine does not load sqlite-utils).
    if name in ("answer", "Answer"):
        from . import engine as module

        return getattr(module, name)
    raise AttributeError(name)
