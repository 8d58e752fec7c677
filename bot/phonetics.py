"""Sounds of Chinese characters, folded so near-homophones compare equal (zh/z, -ng/-n, l/n).

Neutral ground: the reader stores the sound of each unit name and the engine encodes questions the same way, from
the character table built into the database (charmap).
"""
from __future__ import annotations

import re

FOLD = ((r"^zh", "z"), (r"^ch", "c"), (r"^sh", "s"), (r"ng$", "n"), (r"^l", "n"))


class Phonetics:
    """Per-character pinyin (from the database), folded so near-homophones (zh/z, -ng/-n, l/n) compare equal."""

    def __init__(self, charmap: dict[str, str]) -> None:
        codes: dict[str, str] = {}
        for py in set(charmap.values()):
            folded = py
            for pat, rep in FOLD:
                folded = re.sub(pat, rep, folded)
            codes[py] = folded
        symbols: dict[str, str] = {}
        self.code = {ch: symbols.setdefault(codes[py], chr(0xE000 + len(symbols))) for ch, py in charmap.items() if py}

    def encode(self, text: str) -> str:
        """The text with each Chinese character replaced by its sound's code."""
        return "".join(map(self._one, text))

    def _one(self, c: str) -> str:
        return self.code.get(c, c)
