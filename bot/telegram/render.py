"""Turning Answers into Telegram messages: HTML-escaped text split under the limit, and button ids."""
from __future__ import annotations

import hashlib
import html
from collections import OrderedDict

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split at line boundaries into chunks under the limit (a single over-long line is cut)."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return chunks


def to_html(text: str) -> str:
    """Plain reply text as Telegram HTML: everything escaped, the source line in italics."""
    lines = []
    for line in text.split("\n"):
        escaped = html.escape(line, quote=False)
        lines.append(f"<i>{escaped}</i>" if line.startswith("来源：") else escaped)
    return "\n".join(lines)


class ButtonIds:
    """Short, stable ids for question buttons (callback_data is limited to 64 bytes).

    Ids are a hash of the question, so the questions registered at start-up (examples, every suggestion the
    engine can make, the glossary) keep working across restarts. Questions people typed (for 👍/👎) are kept
    for the most recent `recent` of them only, so memory stays bounded.
    """

    def __init__(self, recent: int = 20_000) -> None:
        self.fixed: dict[str, str] = {}
        self.recent: OrderedDict[str, str] = OrderedDict()
        self.limit = recent

    @staticmethod
    def key(text: str) -> str:
        """The 12-character id of a question text."""
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]

    def register(self, text: str) -> str:
        """Remember a question for good (start-up set)."""
        key = self.key(text)
        self.fixed[key] = text
        return key

    def id_for(self, text: str) -> str:
        """An id for a question, remembered so a press can be answered."""
        key = self.key(text)
        if key not in self.fixed:
            self.recent[key] = text
            self.recent.move_to_end(key)
            while len(self.recent) > self.limit:
                self.recent.popitem(last=False)
        return key

    def text_for(self, key: str) -> str | None:
        """The question behind an id, or None if it is not known (e.g. from before a restart)."""
        return self.fixed.get(key) or self.recent.get(key)


def question_buttons(ids: ButtonIds, questions: list[str], prefix: str = "q", per_row: int = 1) -> InlineKeyboardMarkup | None:
    """Inline buttons that ask the given questions when pressed."""
    if not questions:
        return None
    buttons = [InlineKeyboardButton(q[:60], callback_data=f"{prefix}:{ids.id_for(q)}") for q in questions]
    rows = [buttons[i:i + per_row] for i in range(0, len(buttons), per_row)]
    return InlineKeyboardMarkup(rows)
