"""Which files a build reads, refused with one line when they cannot be; file names made safe to print."""
from __future__ import annotations

import errno
import os
import stat
import unicodedata
from pathlib import Path

from .limits import KINDS, Limits, check_file, check_pdf, is_pdf, why_unreadable
from .source import SourceError

SUFFIXES = (".pdf", ".txt")
# Unicode categories never printed raw: controls (ESC, newline, C1), format characters (bidi overrides, zero
# widths), surrogates (undecodable bytes of a file name) and the line/paragraph separators.
UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(name: str | os.PathLike) -> str:
    """A file name (or a line holding one) safe for a terminal or log: control, escape and bidi characters shown
    as \\n, \\x1b, \\u202e …; an undecodable byte of the name as \\xNN."""
    text = os.fspath(name)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    out = []
    for ch in text:
        if unicodedata.category(ch) not in UNPRINTABLE:
            out.append(ch)
        elif ch in ESCAPES:
            out.append(ESCAPES[ch])
        elif 0xDC80 <= ord(ch) <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
    return "".join(out)


def _check(path: Path, limits: Limits) -> None:
    """check_file (first: it never blocks on a FIFO); for a PDF check_pdf too (bombs, page count)."""
    check_file(path, limits)
    if is_pdf(path):
        check_pdf(path, limits)


def check_source(path: Path, limits: Limits | None = None) -> None:
    """The checks expand_sources makes on one file (for a file read later, when it has changed)."""
    _check(path, limits or Limits.from_env())


def _folder(folder: Path, limits: Limits | None) -> list[Path]:
    """Every .pdf/.txt in a folder (sorted, not recursive), each checked; SourceError if there is none."""
    try:
        with os.scandir(folder) as it:
            names = sorted(e.name for e in it)
    except OSError as exc:
        raise SourceError(folder, None, f"cannot list the folder: {exc.strerror or type(exc).__name__}") from None
    if not names:
        raise SourceError(folder, None, "folder is empty: no .pdf or .txt disclosure in it")
    found = []
    for name in names:
        path = folder / name
        if path.suffix.lower() not in SUFFIXES:
            continue
        try:
            if stat.S_ISDIR(os.stat(path).st_mode):
                continue  # a folder named like a file is not read (folders are not searched recursively)
        except OSError:
            pass  # check_file says what is wrong with it
        if limits is not None:
            _check(path, limits)
        found.append(path)
    if not found:
        raise SourceError(folder, None, f"directory holds no .pdf or .txt disclosure ({len(names)} other "
                                        f"entr{'y' if len(names) == 1 else 'ies'})")
    return found


def expand_sources(sources: list[Path], limits: Limits | None = None, check: bool = True) -> list[Path]:
    """Files as given; a directory stands for every .pdf/.txt in it (sorted); duplicates dropped.

    Each file is checked first (check_file; check_pdf for a PDF): a missing file, a FIFO, a socket, a symlink
    loop, an unreadable or too large file, a PDF over the limits, an empty folder or one without .pdf/.txt each
    stop the build with one SourceError line. check=False lists the files only (check_source checks one later).
    """
    limits = (limits or Limits.from_env()) if check else None
    out: list[Path] = []
    for s in map(Path, sources):
        try:
            mode = os.stat(s).st_mode
        except OSError as exc:
            if exc.errno == errno.ENOENT and os.path.islink(s):
                raise SourceError(s, None, "broken symbolic link (its target is missing)") from None
            raise SourceError(s, None, why_unreadable(exc)) from None
        if stat.S_ISDIR(mode):
            out += _folder(s, limits)
        elif stat.S_ISREG(mode):
            if limits is not None:
                _check(s, limits)
            out.append(s)
        else:
            kind = KINDS.get(stat.S_IFMT(mode), "not a regular file")
            raise SourceError(s, None, f"{kind}, not a file; expected a disclosure PDF or text file")
    return list(dict.fromkeys(out))
