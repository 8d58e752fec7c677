"""Render a Document to PDF with reportlab, and report where its tables and facts landed."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from .fonts import FONT_NAME, truetype_for
from .layout import Laid, Layout, PageOut, RuleOp, TextOp
from .spec import Cover, Document, Heading, Paragraph, Table, Toc

RULE = 0.96  # thickness of a table rule (the WPS exports' thin rectangles are ~0.96 pt)
_REGISTERED: dict[str, tuple[str, set[str]]] = {}


@dataclass
class Rendered:
    """Where things landed in the written PDF (1-based pages)."""

    path: Path
    pages: int
    table_pages: dict[str, list[int]] = field(default_factory=dict)
    fact_pages: dict[str, list[int]] = field(default_factory=dict)  # first and last page of the fact's phrase
    tag_pages: dict[str, list[int]] = field(default_factory=dict)


def doc_chars(doc: Document) -> str:
    """Every character the document prints."""
    parts: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Cover):
            parts.extend(run.text for _, runs in block.lines for run in runs)
        elif isinstance(block, Toc):
            parts.append(block.title)
            parts.extend(e.text for e in block.entries)
        elif isinstance(block, (Heading, Paragraph)):
            parts.append(block.text)
        elif isinstance(block, Table):
            parts.extend([block.title, block.supertitle or "", block.meta_left, block.meta_right, *block.notes])
            for row in block.header + block.rows:
                parts.extend(c if isinstance(c, str) else c.text for c in row)
    return "".join(parts) + "0123456789-"


def use_font(chars: str) -> str:
    """A registered TrueType font covering `chars` (one already registered if it does); its reportlab name."""
    wanted = set(chars)
    for name, covered in _REGISTERED.values():
        if wanted <= covered:
            return name
    path = truetype_for(chars)
    if str(path) not in _REGISTERED:
        name = f"{FONT_NAME}-{len(_REGISTERED)}"
        pdfmetrics.registerFont(TTFont(name, str(path)))
        _REGISTERED[str(path)] = (name, wanted)
    return _REGISTERED[str(path)][0]


def lay_out(doc: Document) -> Laid:
    """Layout, twice when the 目录 prints page numbers (the second pass knows them)."""
    laid = Layout(doc).run()
    if any(isinstance(b, Toc) and b.page_numbers for b in doc.blocks):
        numbers = {k: v[0] + 1 for k, v in {**laid.table_pages, **laid.tag_pages}.items() if v}
        laid = Layout(doc, numbers).run()
    return laid


def kept(doc: Document, laid: Laid) -> list[int]:
    """Indexes of the pages that go into the PDF (a "missing" table's own pages are left out)."""
    return [i for i, p in enumerate(laid.pages) if not (p.owners and p.owners <= doc.missing)]


def _merge(segments: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Collinear touching segments (key, start, end) joined into one."""
    out: list[tuple[float, float, float]] = []
    for key, a, b in sorted(segments):
        if out and abs(out[-1][0] - key) < 0.05 and a <= out[-1][2] + 0.05:
            out[-1] = (out[-1][0], out[-1][1], max(out[-1][2], b))
        else:
            out.append((key, a, b))
    return out


def _rule_ops(page: PageOut, rules: list[RuleOp], style: str) -> list[str]:
    """PDF operators for the merged rules: thin filled rectangles (WPS/Excel) or stroked lines (Word)."""
    horiz = _merge([(round(r.y0, 2), r.x0, r.x1) for r in rules if r.y0 == r.y1])
    vert = _merge([(round(r.x0, 2), r.y0, r.y1) for r in rules if r.x0 == r.x1])
    h = page.height
    if style == "line":
        out = ["0.5 w"]
        out += [f"{a:.2f} {h - y:.2f} m {b:.2f} {h - y:.2f} l S" for y, a, b in horiz]
        out += [f"{x:.2f} {h - a:.2f} m {x:.2f} {h - b:.2f} l S" for x, a, b in vert]
        return out
    half = RULE / 2
    out = [f"{a - half:.2f} {h - y - half:.2f} {b - a + RULE:.2f} {RULE:.2f} re f" for y, a, b in horiz]
    out += [f"{x - half:.2f} {h - b - half:.2f} {RULE:.2f} {b - a + RULE:.2f} re f" for x, a, b in vert]
    return out


class _TextWriter:
    """Emits text operators directly (reportlab's drawString is slow for tens of thousands of strings)."""

    def __init__(self, c: canvas.Canvas, font: str) -> None:
        self.c = c
        self.font = pdfmetrics.getFont(font)
        self.pieces: dict[str, list[tuple[int, str]]] = {}

    def split(self, text: str) -> list[tuple[int, str]]:
        """The text cut into font subsets, escaped (cached)."""
        if text not in self.pieces:
            doc = self.c._doc
            self.pieces[text] = [(subset, self.c._escape(chunk)) for subset, chunk in self.font.splitString(text, doc)]
        return self.pieces[text]

    def ops(self, page: PageOut, texts: list[TextOp]) -> list[str]:
        """One page's text as a BT…ET block."""
        out = ["BT"]
        current: tuple[int, float] | None = None
        for op in texts:
            out.append(f"1 0 0 1 {op.x:.2f} {page.height - op.baseline:.2f} Tm")
            for subset, chunk in self.split(op.text):
                if current != (subset, op.size):
                    name = self.font.getSubsetInternalName(subset, self.c._doc)
                    out.append(f"{name} {op.size:g} Tf")
                    current = (subset, op.size)
                out.append(f"({chunk}) Tj")
        out.append("ET")
        return out


def _draw_page(c: canvas.Canvas, writer: _TextWriter, page: PageOut, rule_style: str, number: bool) -> None:
    c.setPageSize((page.width, page.height))
    texts = [op for op in page.ops if isinstance(op, TextOp)]
    if number and "cover" not in page.owners:
        label = f"- {page.number} -"
        w = c.stringWidth(label, writer.font.fontName, 10.5)
        texts.append(TextOp((page.width - w) / 2, page.height - 28, label, 10.5))
    rules = [op for op in page.ops if isinstance(op, RuleOp)]
    code = writer.ops(page, texts) if texts else []
    if rules:
        code += _rule_ops(page, rules, rule_style)
    c._code.extend(code)
    c.showPage()


def render(doc: Document, path: Path, font: str | None = None) -> Rendered:
    """Write the PDF; the returned page map counts pages of the written file."""
    font = font or use_font(doc_chars(doc))
    laid = lay_out(doc)
    keep = kept(doc, laid)
    c = canvas.Canvas(str(path), invariant=1, pageCompression=1)
    c.setTitle(doc.meta.unit and f"{doc.meta.unit}{doc.meta.year}年{doc.meta.scope}{doc.meta.stage}" or doc.id)
    writer = _TextWriter(c, font)
    for i in keep:
        _draw_page(c, writer, laid.pages[i], doc.style.rule, doc.style.page_numbers)
    c.save()
    return _page_map(doc, laid, keep, Path(path))


def _page_map(doc: Document, laid: Laid, keep: list[int], path: Path) -> Rendered:
    new = {old: n + 1 for n, old in enumerate(keep)}
    out = Rendered(path, len(keep))
    out.table_pages = {k: [new[p] for p in v if p in new] for k, v in laid.table_pages.items()}
    out.tag_pages = {k: [new[p] for p in v if p in new] for k, v in laid.tag_pages.items()}
    for fact in doc.facts:
        out.fact_pages[fact.key] = _fact_pages(fact.tag, fact.needle, laid, new)
    return out


def _fact_pages(tag: str, needle: str, laid: Laid, new: dict[int, int]) -> list[int]:
    """The pages where `needle` starts and ends in the paragraph tagged `tag` ([0, 0] if not printed)."""
    text = laid.para_text.get(tag, "")
    lines = laid.para_lines.get(tag, [])
    at = text.find(needle)
    if at < 0 or not lines:
        raise ValueError(f"fact needle {needle!r} not in paragraph {tag!r}")

    def page_at(pos: int) -> int:
        """The page of a character offset."""
        page = lines[0][1]
        for offset, p in lines:
            if offset <= pos:
                page = p
        return new.get(page, 0)

    return [page_at(at), page_at(at + len(needle) - 1)]
