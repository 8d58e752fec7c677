"""The checks for a document, by its template."""
from __future__ import annotations

from .checks import Check, run_checks
from .parse import Document


def checks_for(doc: Document) -> list[Check]:
    """The seed template's checks, or the data templates' generic checks."""
    if doc.template == "shanxi-unit-budget":
        return run_checks(doc)
    from .checks_generic import run_generic

    return run_generic(doc)
