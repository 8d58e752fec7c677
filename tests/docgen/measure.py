"""Text widths and line wrapping for CJK prose (a Latin/number run is never split)."""
from __future__ import annotations

import re
from functools import lru_cache

from fontTools.ttLib import TTFont

from .fonts import source_font

LATIN = re.compile(r"[A-Za-z0-9.,%+\-/=<>~#&_:;'\"()\[\]]+|.", re.S)
NO_LINE_START = set("，。、；：？！）》】”’％%,.;:)")
NO_LINE_END = set("（《【“‘")
QUOTES = set("“”")


def is_latin(token: str) -> bool:
    """True for a token of ASCII letters, digits and number punctuation."""
    return token.isascii() and not token.isspace()


_ADVANCE: dict[int, float] = {}


def _advances() -> dict[int, float]:
    """Advance widths (per 1000 em) of every character of the source font, read once."""
    if not _ADVANCE:
        font = TTFont(str(source_font()), lazy=True)
        scale = 1000.0 / font["head"].unitsPerEm
        metrics = font["hmtx"].metrics
        for code, glyph in font.getBestCmap().items():
            _ADVANCE[code] = metrics[glyph][0] * scale
        font.close()
    return _ADVANCE


@lru_cache(maxsize=200_000)
def _text_width(text: str) -> float:
    table = _advances()
    return sum(table.get(ord(ch), 1000.0) for ch in text)


def width(text: str, size: float, gap: bool = False) -> float:
    """The printed width of `text`; with gap, a quarter em between CJK and Latin runs (Word's autospace)."""
    total = _text_width(text) * size / 1000.0
    if gap:
        total += sum(1 for _, g in segments(text) if g) * 0.25 * size
    return total


def _ideograph(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def segments(text: str) -> list[tuple[str, bool]]:
    """The text cut where Latin and CJK meet; True where Word's autospace puts a gap before the piece
    (an ASCII letter or digit next to an ideograph, never next to punctuation)."""
    out: list[tuple[str, bool]] = []
    for token in LATIN.findall(text):
        if out:
            prev = out[-1][0]
            if is_latin(prev[-1]) == is_latin(token[0]):
                out[-1] = (prev + token, out[-1][1])
                continue
            a, b = prev[-1], token[0]
            gap = (a.isascii() and a.isalnum() and _ideograph(b)) or (_ideograph(a) and b.isascii() and b.isalnum())
            out.append((token, gap))
        else:
            out.append((token, False))
    return out


def wrap(text: str, size: float, avail: float, first_indent: float = 0.0, gap: bool = False) -> list[str]:
    """Greedy line breaking at CJK characters; closing punctuation stays on the line before."""
    if not gap and "\n" not in text and width(text, size) <= avail - first_indent:
        return [text]
    lines: list[str] = []
    for para in text.split("\n"):
        tokens = LATIN.findall(para)
        line = ""
        limit = avail - (first_indent if not lines else 0.0)
        for token in tokens:
            trial = line + token
            if line and width(trial, size, gap) > limit and token[0] not in NO_LINE_START:
                carry = ""
                while line and line[-1] in NO_LINE_END:
                    line, carry = line[:-1], line[-1] + carry
                lines.append(line)
                line = carry + token.lstrip(" ")
                limit = avail
            else:
                line = trial
        lines.append(line)
    return lines
