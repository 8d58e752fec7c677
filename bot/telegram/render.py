"""Turning Answers into Telegram messages: HTML-escaped text split under the limit, and button ids."""
from __future__ import annotations

import hashlib
import html

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
    """Short, stable ids for question buttons (callback_data is limited to 64 bytes)."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}

    def id_for(self, text: str) -> str:
        """A 12-character id for a question text, remembered so a press can be answered."""
        key = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
        self.texts[key] = text
        return key

    def text_for(self, key: str) -> str | None:
        """The question behind an id, or None if it is not known (e.g. made by an older version)."""
        return self.texts.get(key)


def question_buttons(ids: ButtonIds, questions: list[str], prefix: str = "q", per_row: int = 1) -> InlineKeyboardMarkup | None:
    """Inline buttons that ask the given questions when pressed."""
    if not questions:
        return None
    buttons = [InlineKeyboardButton(q[:60], callback_data=f"{prefix}:{ids.id_for(q)}") for q in questions]
    rows = [buttons[i:i + per_row] for i in range(0, len(buttons), per_row)]
    return InlineKeyboardMarkup(rows)
