"""Where the project's data lives (overridable by environment for deployments and tests)."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _folder(env: str, name: str) -> Path:
    """$env, else the checkout's folder (editable install), else ./name (run from a checkout)."""
    if os.environ.get(env):
        return Path(os.environ[env])
    for base in (ROOT, Path.cwd()):
        if (base / name).is_dir():
            return base / name
    return ROOT / name


DATA = _folder("BUDGETBOT_DATA", "data")
QUERIES = _folder("BUDGETBOT_QUERIES", "queries")


# The document questions go to when they name none (the project's seed disclosure), by file name.
DEFAULT_SOURCE = os.environ.get("BUDGETBOT_DEFAULT_SOURCE", "xinzhou-rsj-2023-budget.txt")


def db_path() -> Path:
    """The disclosure database (BUDGETBOT_DB overrides)."""
    return Path(os.environ.get("BUDGETBOT_DB", DATA / "budget.db"))


def sources() -> list[Path]:
    """The disclosures the database is built from: every .txt and .pdf in data/disclosures (seed text first)."""
    folder = DATA / "disclosures"
    return sorted(folder.glob("*.txt")) + sorted(folder.glob("*.pdf"))
