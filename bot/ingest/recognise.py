"""Which template a disclosure follows, and parsing it by that template."""
from __future__ import annotations

from .parse import Document, parse_document
from .shanghai import parse_data_document, recognise
from .source import Source


def parse_any(src: Source) -> Document:
    """Parse a disclosure of any known template (the seed's four-part 单位预算公开 when no data template matches)."""
    hit = recognise(src)
    if hit is not None:
        return parse_data_document(src, *hit)
    return parse_document(src)
