"""Where the project's data lives (overridable by environment for deployments and tests)."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("BUDGETBOT_DATA", ROOT / "data"))
QUERIES = Path(os.environ.get("BUDGETBOT_QUERIES", ROOT / "queries"))


def db_path() -> Path:
    """The disclosure database (BUDGETBOT_DB overrides)."""
    return Path(os.environ.get("BUDGETBOT_DB", DATA / "budget.db"))


def sources() -> list[Path]:
    """The disclosure texts the database is built from."""
    return sorted((DATA / "disclosures").glob("*.txt"))
