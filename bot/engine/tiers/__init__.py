"""The answer tiers after the canned queries: any cell of any table (tier 2), any sentence of the prose (tier 3).

Each tier takes the understood Question and returns an Answer it can stand behind, or None. Tier 4 — say what the
document does not hold, with related figures as buttons — is replies.uncovered / replies.unknown.
"""
from __future__ import annotations


def later_tiers(q) -> "object | None":
    """After the canned queries: the sentence that holds what was asked (tier 3), or None (tier 2, any cell,
    runs before the canned queries' rivals — see steps.a_cell)."""
    from .prior import last_year
    from .sentences import answer_sentence

    return last_year(q) or answer_sentence(q)
