"""The answer tiers after the canned queries: any cell of any table (tier 2), any sentence of the prose (tier 3).

Each tier takes the understood Question and returns an Answer it can stand behind, or None. Tier 4 — say what the
document does not hold, with related figures as buttons — is replies.uncovered / replies.unknown.
"""
from __future__ import annotations


def later_tiers(q) -> "object | None":
    """After the canned queries: last year's figure from this year's and the stated change, the sentence that
    holds what was asked (tier 3), a row named alone from its table's total column (tier 2), or None (tier 2 with
    a column named runs before the canned queries' rivals — see steps.a_cell)."""
    from .cells import answer_cell
    from .prior import last_year
    from .sentences import answer_sentence

    return last_year(q) or answer_sentence(q) or answer_cell(q, total_column=True)
