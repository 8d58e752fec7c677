"""The checks for a document: every group, for every template (a group that fails is reported, never raised)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import checks_changes, checks_contents, checks_cross, checks_items, checks_projects, checks_prose, checks_tables
from . import checks_text
from .checks import Check, Group, run

if TYPE_CHECKING:  # pragma: no cover
    from .reader import Disclosure

GROUPS: tuple[Group, ...] = (
    checks_prose.statements, checks_items.items, checks_changes.changes, checks_changes.shares,
    checks_changes.rates, checks_changes.directions, checks_prose.procurement, checks_prose.performance,
    checks_projects.purchases, checks_text.years, checks_contents.contents, checks_text.titles, checks_text.counts,
    checks_projects.projects, checks_cross.across, checks_tables.inside, checks_tables.fund_balance,
)


def checks_for(doc: Disclosure) -> list[Check]:
    """Every check the document's tables and prose imply, prose ones first (failures are recorded, never raised)."""
    return run(doc, GROUPS)
