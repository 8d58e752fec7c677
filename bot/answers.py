"""What the engine replies: a status, the text, and what it rests on."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .format import Fact
from .understand import Context


@dataclass
class Answer:
    """A reply: status answer|clarify|unknown, its text, and what it rests on."""

    status: str
    text: str
    query: str | None = None
    params: dict = field(default_factory=dict)
    score: float = 0.0
    facts: list[Fact] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    subject: str | None = None
    items: tuple[str, ...] = ()  # the subjects a list reply named, in order, for "第二个呢"
    document: str = ""  # the document answered from: unit, year, 预算|决算
    document_id: int | None = None

    def to_dict(self) -> dict:
        """The answer as plain JSON-ready data."""
        return asdict(self)

    @property
    def context(self) -> Context:
        """What a conversation keeps after this answer, to pass back with the next question."""
        return Context(self.subject, self.items, self.document_id)
