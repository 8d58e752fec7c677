"""What every document builder shares: the block list and the ground truth collected alongside."""
from __future__ import annotations

from .spec import Block, CellFact, Fact, Heading, Paragraph, Question


class DocBuilder:
    """Collects blocks, planted cells, facts and questions."""

    heading_size: float = 18.0

    def __init__(self, doc_id: str) -> None:
        self.id = doc_id
        self.blocks: list[Block] = []
        self.cells: list[CellFact] = []
        self.facts: list[Fact] = []
        self.questions: list[Question] = []

    def heading(self, text: str, tag: str | None = None, new_page: bool = True, **kw) -> None:
        """A part title (a new page by default)."""
        kw.setdefault("space_after", 20)
        self.blocks.append(Heading(text, kw.pop("size", self.heading_size), tag=tag, new_page=new_page, **kw))

    def para(self, text: str, tag: str | None = None, **kw) -> None:
        """A prose paragraph."""
        self.blocks.append(Paragraph(text, tag=tag, **kw))

    def fact(self, key: str, value: float | int | str, tag: str, needle: str) -> None:
        """Plant a prose fact found in the paragraph `tag` at `needle`."""
        self.facts.append(Fact(key, value, tag, needle))

    def ask(self, q: str, nums: list | None = None, texts: list | None = None, want: str = "answer") -> None:
        """Add a question."""
        self.questions.append(Question(q, want, nums or [], texts or []))
