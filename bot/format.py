"""Number formatting for Chinese readers (babel, zh_CN), with every formatted figure recorded as a fact."""
from __future__ import annotations

import string
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from functools import lru_cache

from babel import Locale
from babel.numbers import format_decimal as _babel_format

LOCALE = Locale.parse("zh_CN")


@lru_cache(maxsize=1 << 14)
def format_decimal(value: Decimal, pattern: str, locale: Locale = LOCALE) -> str:
    """babel's format_decimal, remembered (replies format the same figures over and over)."""
    return _babel_format(value, pattern, locale=locale)


def dec(value: float | int | Decimal, places: int = 2) -> Decimal:
    """A stored REAL as the Decimal it was published as (no float noise)."""
    return Decimal(repr(value) if isinstance(value, float) else str(value)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def amount(value: float | None) -> str:
    """万元 with two decimals and thousands separators: 1,036.43万元."""
    if value is None:
        return "0万元（未安排）"
    return format_decimal(dec(value), "#,##0.00", locale=LOCALE) + "万元"


def yuan(value: float | None) -> str:
    """A figure in 元: 300,000元."""
    if value is None:
        return "未填写"
    return format_decimal(dec(value, 0), "#,##0", locale=LOCALE) + "元"


def wan_in_yuan(value: float | None) -> str:
    """A 万元 figure restated in 元, exactly as a 元 table printed it: 60,000元, 84,024,865元."""
    if value is None:
        return yuan(None)
    exact = Decimal(repr(value) if isinstance(value, float) else str(value)) * 10000
    places = 0 if exact == exact.to_integral() else 2
    return format_decimal(exact.quantize(Decimal(1).scaleb(-places)), "#,##0.##", locale=LOCALE) + "元"


def pct(value: float | None) -> str:
    """A percentage with two decimals: 21.51%."""
    if value is None:
        return "—"
    return format_decimal(dec(value), "0.00", locale=LOCALE) + "%"


def number(value: float | None) -> str:
    """A count or measure as printed: 5,158 or 43.4."""
    if value is None:
        return "—"
    d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    d = d.normalize()
    if d == d.to_integral():
        return format_decimal(d.quantize(Decimal(1)), "#,##0", locale=LOCALE)
    return format_decimal(d, "#,##0.##", locale=LOCALE)


def text(value: object) -> str:
    """Text as stored; an empty field said plainly."""
    return "（未填写）" if value in (None, "") else str(value)


FORMATS = {"amount": amount, "yuan": yuan, "wan_in_yuan": wan_in_yuan, "pct": pct, "number": number, "text": text}
UNITS = {"amount": "万元", "yuan": "元", "wan_in_yuan": "元", "pct": "%", "number": "", "text": ""}


@dataclass
class Fact:
    """A figure used in a reply, and where it came from."""

    label: str
    value: float | None
    unit: str
    source: str


_PARSED: dict[str, list] = {}


class _Blank(dict):
    """Template values where a missing field reads as empty."""

    def __missing__(self, key: str) -> str:
        return ""


class RowFormatter(string.Formatter):
    """str.format over one result row, applying each column's declared format and recording facts."""

    def __init__(self, formats: dict[str, str], source: str, facts: list[Fact],
                 sources: dict[str, str] | None = None) -> None:
        super().__init__()
        self.formats, self.source, self.facts = formats, source, facts
        self.sources = sources or {}  # a field's own source when it comes from another table than the row
        self.row: dict = {}

    def render(self, template: str, row: dict) -> str:
        """The template filled from the row (templates are parsed once: answering renders them thousands of times)."""
        self.row = row
        parts = _PARSED.get(template)
        if parts is None:
            parts = _PARSED[template] = list(self.parse(template))
        out = []
        for literal, name, spec, _ in parts:
            out.append(literal)
            if name is not None:
                value, _ = self.get_field(name, (), row)
                out.append(self.format_field(value, spec or ""))
        return "".join(out)

    def format_field(self, value: object, format_spec: str) -> str:
        """Fields arrive already formatted by get_field."""
        return format(value, format_spec) if format_spec else str(value)

    def get_field(self, field_name: str, args: tuple, kwargs: dict) -> tuple[object, str]:
        """The field's value, formatted by its declared kind (and recorded as a fact when it is a figure)."""
        value = kwargs.get(field_name)
        kind = self.formats.get(field_name)
        if kind in ("amount", "yuan", "wan_in_yuan", "pct", "number"):
            label = str(self.row.get("label") or "")
            label = f"{label}·{field_name}" if label else field_name
            shown = value * 10000 if kind == "wan_in_yuan" and value is not None else value  # the 元 it shows
            source = self.sources.get(field_name, "").format_map(_Blank(self.row)) or self.row.get("source") or self.source
            fact = Fact(label, shown, UNITS[kind], str(source))
            if fact not in self.facts:
                self.facts.append(fact)
            return FORMATS[kind](value), field_name
        if kind:
            return FORMATS[kind](value), field_name
        return ("" if value is None else value), field_name
