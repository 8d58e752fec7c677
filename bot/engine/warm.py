"""A cold start without its slow part.

Before its first answer the engine parses the canned queries and word lists, reads the character tables and the
shared vocabulary from the database and reduces each phrasing to its skeleton. All of that depends only on those
files, the database file and this code, so it is kept in one file in the bot's state folder, keyed by all of them,
and read back in milliseconds. A missing, stale or unreadable file is simply rebuilt; a folder that cannot be
written is no error (the engine then computes at every start).
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path

from .. import paths

log = logging.getLogger(__name__)

FORMAT = 1  # bump when what is kept changes shape
KEEP = 4  # cache files kept (one per database and code version in use)
# The code whose output is kept: a change to any of these makes the kept state stale.
CODE = ("catalog.py", "vocab.py", "match.py", "normalize.py", "phonetics.py", "names.py", "engine/shared.py",
        "engine/core.py", "engine/view.py", "engine/warm.py")


def key(db: Path, queries: Path) -> str:
    """What the kept state depends on: the database file, every query and word file, and the code that reads them."""
    h = hashlib.sha256(f"{FORMAT}".encode())
    package = Path(__file__).resolve().parent.parent
    files = [Path(db)] + sorted(queries.rglob("*.yaml")) + [package / c for c in CODE]
    for f in files:
        try:
            st = f.stat()
        except OSError:
            h.update(f"{f}|missing".encode())
            continue
        h.update(f"{f.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:24]


def folder() -> Path:
    """Where kept states live: a cache folder in the bot's state folder."""
    return paths.state_dir() / "cache"


def load(name: str) -> dict | None:
    """The state kept under this key, or None."""
    path = folder() / f"engine-{name}.pickle"
    try:
        with open(path, "rb") as f:
            state = pickle.load(f)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError):
        return None
    return state if isinstance(state, dict) and state.get("format") == FORMAT else None


def save(name: str, state: dict) -> None:
    """Keep a state under this key (atomically, readable by this user only); drop the oldest beyond KEEP."""
    where = folder()
    try:
        where.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".engine-", dir=where)
        with os.fdopen(fd, "wb") as f:
            pickle.dump(dict(state, format=FORMAT), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, where / f"engine-{name}.pickle")
        kept = sorted(where.glob("engine-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError as exc:  # a read-only deployment: compute at each start instead
        log.debug("engine state not kept: %s", exc)
