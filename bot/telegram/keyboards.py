"""Inline keyboards whose callback_data is a short key into server-side state (≤ 64 bytes by construction).

Callback data formats (every key is fixed-length, so no answer, question or query id ever reaches Telegram):

    q:<12 hex>      ask a question (ButtonIds)            c:<12 hex>   a clarify choice (ButtonIds)
    v+:<8>  v-:<8>  👍 / 👎 on an answer (VoteBook)        r:<8>:<n>    what was wrong, after 👎
    ch:<12 hex>     draw a chart topic                    n            nothing (a "thanks" label)
"""
from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass, field

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from .render import ButtonIds, button_label, rows_of

CALLBACK_LIMIT = 64  # bytes, Telegram's limit on callback_data
NOOP = "n"
REASONS = ("数字不对", "答非所问", "没有回答")
# A list reply that shows part of a longer list: the question whose answer is the whole list, and its button.
FULL_LISTS = {"function_structure": "全部功能科目", "function_children": "全部功能科目"}
FULL_LABEL = "全部科目（类、款、项）"


@dataclass
class VoteContext:
    """What a 👍/👎 pair is about, kept on the server: the question, the answer's query id(s), who voted."""

    question: str
    query: str | None
    voters: set[int] = field(default_factory=set)
    down: set[int] = field(default_factory=set)       # voted 👎 and may still say why
    explained: set[int] = field(default_factory=set)  # said why


class VoteBook:
    """A bounded LRU of vote contexts keyed by a short random id (8 url-safe characters)."""

    def __init__(self, limit: int = 20_000) -> None:
        self.items: OrderedDict[str, VoteContext] = OrderedDict()
        self.limit = limit

    def add(self, question: str, query: str | None) -> str:
        """Remember a vote context; returns its key."""
        key = secrets.token_urlsafe(6)
        while key in self.items:
            key = secrets.token_urlsafe(6)
        self.items[key] = VoteContext(question, query)
        while len(self.items) > self.limit:
            self.items.popitem(last=False)
        return key

    def get(self, key: str) -> VoteContext | None:
        """The context behind a key, or None for an unknown (expired or forged) key."""
        ctx = self.items.get(key)
        if ctx is not None:
            self.items.move_to_end(key)
        return ctx


def vote_markup(key: str) -> InlineKeyboardMarkup:
    """👍/👎 under an answer."""
    return InlineKeyboardMarkup([[InlineKeyboardButton("👍 有用", callback_data=f"v+:{key}"),
                                  InlineKeyboardButton("👎 不对/没用", callback_data=f"v-:{key}")]])


def full_list_markup(ids: ButtonIds, query: str | None) -> InlineKeyboardMarkup | None:
    """Under a list that shows part of a longer one (the 类 of the 功能科目): a button for the whole list."""
    question = FULL_LISTS.get(query or "")
    if question is None:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(FULL_LABEL, callback_data=f"q:{ids.id_for(question)}")]])


def joined(*markups: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """Keyboards one under the other (None when there are none)."""
    rows = [list(row) for m in markups if m is not None for row in m.inline_keyboard]
    return InlineKeyboardMarkup(rows) if rows else None


def reason_markup(key: str) -> InlineKeyboardMarkup:
    """After 👎: what was wrong, in one tap."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(r, callback_data=f"r:{key}:{k}") for k, r in enumerate(REASONS)]])


def note_markup(text: str) -> InlineKeyboardMarkup:
    """A single inert button carrying a short note ("谢谢反馈"), replacing buttons already pressed."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(button_label(text), callback_data=NOOP)]])


def chart_key(topic: str) -> str:
    """The callback data of a chart topic button."""
    return f"ch:{ButtonIds.key(topic)}"


def chart_markup(topics: list[str]) -> InlineKeyboardMarkup:
    """The chart topics as buttons."""
    return InlineKeyboardMarkup(rows_of([InlineKeyboardButton(button_label(t), callback_data=chart_key(t))
                                         for t in topics], per_row=2))


def topic_for(data: str, topics: list[str]) -> str | None:
    """The chart topic behind a chart button's callback data."""
    return next((t for t in topics if chart_key(t) == data), None)


def all_callback_data(markup: InlineKeyboardMarkup | None) -> list[str]:
    """Every callback_data of a keyboard (for checks and tests)."""
    if markup is None:
        return []
    return [b.callback_data for row in markup.inline_keyboard for b in row if b.callback_data is not None]
