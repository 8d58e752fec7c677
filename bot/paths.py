"""Where the project's data lives (overridable by environment for deployments and tests).

Read-only inputs — `queries/` and the disclosures — come from the checkout (an editable install, or the working
directory) and otherwise from the copies installed inside the package (`pip install .` ships them as package
data: bot/queries, bot/disclosures). Written files — budget.db, usage.db, inbox.db — go to BUDGETBOT_DATA, else
the checkout's data/, else the user's data directory (platformdirs), since an installed package's folder is
no place to write.
"""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent


def _checkout(name: str) -> Path | None:
    """The checkout's folder `name` (editable install), else ./name (run from a checkout), else None."""
    for base in (ROOT, Path.cwd()):
        if (base / name).is_dir():
            return base / name
    return None


def _packaged(name: str) -> Path:
    """A data folder installed inside the package."""
    return Path(str(resources.files("bot").joinpath(name)))


def user_data_dir() -> Path:
    """The user's data directory for budgetbot (e.g. ~/.local/share/budgetbot)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("budgetbot", appauthor=False))


def _data() -> Path:
    if os.environ.get("BUDGETBOT_DATA"):
        return Path(os.environ["BUDGETBOT_DATA"])
    return _checkout("data") or user_data_dir()


def _queries() -> Path:
    if os.environ.get("BUDGETBOT_QUERIES"):
        return Path(os.environ["BUDGETBOT_QUERIES"])
    return _checkout("queries") or _packaged("queries")


DATA = _data()
QUERIES = _queries()


def writable(folder: Path) -> bool:
    """Whether files can be created in folder (created if missing)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK | os.X_OK)


def state_dir() -> Path:
    """Where the bot writes its own files (usage.db, inbox.db): DATA if writable, else the user's data dir."""
    return DATA if writable(DATA) else user_data_dir()


def inbox_path() -> Path:
    """The update queue of `budgetbot serve`: BUDGETBOT_INBOX, else inbox.db in state_dir()."""
    return Path(os.environ.get("BUDGETBOT_INBOX") or state_dir() / "inbox.db")


def health_path(inbox: Path | None = None) -> Path:
    """The heartbeat file `budgetbot serve` writes and `serve --check-health` reads: beside the inbox."""
    inbox = inbox or inbox_path()
    return inbox.with_name(inbox.name + ".health")


def private_file(path: Path) -> None:
    """Create path mode 0600 if missing; tighten an existing one and its SQLite companions to 0600 (when ours)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    except OSError:
        return  # a read-only folder or file: whoever opens it reports that
    for each in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            if each.exists() and each.stat().st_mode & 0o077:
                each.chmod(0o600)
        except OSError:
            pass  # not ours to change


# The document questions go to when they name none (the project's seed disclosure), by file name.
DEFAULT_SOURCE = os.environ.get("BUDGETBOT_DEFAULT_SOURCE", "xinzhou-rsj-2023-budget.txt")


def db_path() -> Path:
    """The disclosure database (BUDGETBOT_DB overrides)."""
    return Path(os.environ.get("BUDGETBOT_DB") or DATA / "budget.db")


def disclosures() -> Path:
    """The folder of disclosure texts: DATA/disclosures if it exists, else the packaged copies."""
    folder = DATA / "disclosures"
    return folder if folder.is_dir() else _packaged("disclosures")


def sources() -> list[Path]:
    """The disclosures the database is built from: every .txt and .pdf in data/disclosures (seed text first)."""
    folder = disclosures()
    return sorted(folder.glob("*.txt")) + sorted(folder.glob("*.pdf"))
