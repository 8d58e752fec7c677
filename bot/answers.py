"""What the engine replies: a status, the body and its source, and what it rests on. Rendered once, by the shell."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

from .format import Fact
from .understand import Context

Status = Literal["answer", "clarify", "unknown"]
STATUSES = ("answer", "clarify", "unknown")


@dataclass
class Answer:
    """A reply: status answer|clarify|unknown, its body, its source, and what it rests on.

    The body never holds the source line; `text` joins them as every shell shows them."""

    status: Status
    body: str
    query: str | None = None
    params: dict = field(default_factory=dict)
    score: float = 0.0
    facts: list[Fact] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    subject: str | None = None
    items: tuple[str, ...] = ()  # the subjects a list reply named, in order, for "第二个呢"
    document: str = ""  # the document answered from: unit, year, 预算|决算
    document_id: int | None = None
    source: str = ""  # where the figures were printed: document, table or section, page
    tier: str = ""  # which tier answered: canned, cell, sentence, unknown (or a special reply's name)
    ranked: tuple[int, ...] = ()  # the documents a ranking listed, in order, for "第二名是谁" and "那公用经费呢"
    documents: tuple[int, ...] = ()  # every document the reply used
    url: str = ""  # where the document was published, when known

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {self.status!r}")

    @property
    def text(self) -> str:
        """The reply as shown: the body, then its source line."""
        return self.body + (f"\n来源：{self.source}" if self.source else "")

    def to_dict(self) -> dict:
        """The answer as plain JSON-ready data (with `text`)."""
        data = asdict(self)
        data["text"] = self.text
        return data

    @property
    def context(self) -> Context:
        """What a conversation keeps after this answer, to pass back with the next question."""
        return Context(self.subject, self.items, self.document_id, self.ranked, self.query)
