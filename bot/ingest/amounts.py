"""Printed amounts: recognising and reading them, leniently (a cell that is not a number is text, never an error)."""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

AMOUNT = re.compile(r"^[-−]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
PAREN_NEGATIVE = re.compile(r"^\((\d[\d,]*(\.\d+)?)\)$")
BLANKS = {"", "-", "—", "－", "--", "——", "/", "／", "…", "0.00-", "–"}
MAX_DIGITS = 15  # no budget figure needs more; a longer one is a broken cell, not an amount
TO_WAN = {"万元": Decimal(1), "元": Decimal(10000), "亿元": Decimal("0.0001"), "千元": Decimal(10)}


SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1 << 16)
def clean(cell: str) -> str:
    """NFKC, no white space (cached: documents repeat their cells and lines)."""
    return SPACE.sub("", unicodedata.normalize("NFKC", cell or ""))


def is_blank(cell: str) -> bool:
    """Whether a value cell prints nothing (empty, a dash)."""
    return clean(cell) in BLANKS


@lru_cache(maxsize=1 << 16)
def is_amount(cell: str) -> bool:
    """Whether a cell prints a number."""
    text = clean(cell)
    return bool(AMOUNT.match(text) or PAREN_NEGATIVE.match(text)) and sum(c.isdigit() for c in text) <= MAX_DIGITS


def amount(cell: str) -> Decimal | None:
    """The number a cell prints, or None (blank, a dash, or text)."""
    text = clean(cell)
    m = PAREN_NEGATIVE.match(text)
    if m:
        text = "-" + m.group(1)
    if not is_amount(text):
        return None
    try:
        return Decimal(text.replace(",", "").replace("−", "-"))
    except InvalidOperation:  # pragma: no cover - the regex admits only numbers
        return None


def to_wan(value: Decimal | None, unit: str) -> Decimal | None:
    """A value in the table's unit, in 万元."""
    return None if value is None else value / TO_WAN.get(unit, Decimal(1))
