"""Turning Answers into Telegram messages: HTML-escaped text split under the limit, short labels, button ids."""
from __future__ import annotations

import hashlib
import html
import re
from collections import OrderedDict

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
BUTTON_LABEL_LIMIT = 30   # characters on a button, so it fits a phone screen
SHORT_LABEL = 12          # buttons this short may share a row
SOURCE_PREFIX = "来源："
# A figure with its unit: the headline of an answer is its first one.
AMOUNT = re.compile(r"[-−]?\d[\d,]*(?:\.\d+)?(?:万元|元|%)")
# In a 决算, the headline figure is the one said of 决算 (决算数0.39万元, 支出决算为0.39万元).
FINAL_AMOUNT = re.compile(r"决算[数为是：:]{0,2}(" + AMOUNT.pattern + ")")
# A number with what follows it as one unit; shortening never cuts inside one.
NUMBER_UNIT = re.compile(r"[-−]?\d[\d,]*(?:\.\d+)?(?:万元|元|%|年|个|人|项|次|行|页)?")


# What an over-long line is cut between, never inside: a tag, an HTML entity (&amp;), or one character.
ATOM = re.compile(r"<[^<>]*>|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);|.", re.S)
TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^<>]*>")


def _cut_line(line: str, limit: int) -> list[str]:
    """Cut one over-long line of HTML into pieces under the limit, never inside a tag or an entity; tags open at
    a cut are closed at the end of the piece and opened again at the start of the next."""
    pieces: list[str] = []
    stack: list[tuple[str, str]] = []  # open tags: (name, the opening tag as written)
    piece, has_text = "", False
    for atom in ATOM.findall(line):
        tag = TAG.fullmatch(atom)
        after = (stack + [(tag.group(2), atom)] if not tag.group(1) else stack[:-1]) if tag else stack
        closing = sum(len(name) + 3 for name, _ in after)
        if has_text and len(piece) + len(atom) + closing > limit:
            pieces.append(piece + "".join(f"</{name}>" for name, _ in reversed(stack)))
            piece, has_text = "".join(opening for _, opening in stack), False
        piece += atom
        has_text = has_text or not tag
        stack = after
    return pieces + [piece]


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split at line boundaries into chunks under the limit (a single over-long line is cut between tags and
    entities, never inside one)."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        if len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            *whole, line = _cut_line(line, limit)
            chunks += whole
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return chunks


def shorten(text: str, limit: int) -> str:
    """Text cut to at most `limit` characters with "…", never inside a number and its unit (cut before it)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = limit - 1
    for m in NUMBER_UNIT.finditer(text):
        if m.start() < cut < m.end():
            cut = m.start()
            break
        if m.start() >= cut:
            break
    return text[:cut].rstrip(" ，、：:（(") + "…"


def tidy(text: str) -> str:
    """Collapse runs of blank lines to one, and drop blank lines before a source line and at the ends."""
    out: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            if out and out[-1]:
                out.append("")
            continue
        if line.startswith(SOURCE_PREFIX):
            while out and not out[-1]:
                out.pop()
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def to_html(text: str) -> str:
    """Plain reply text as Telegram HTML: everything escaped, the source line in italics, blank runs collapsed."""
    lines = []
    for line in tidy(text).split("\n"):
        escaped = html.escape(line, quote=False)
        lines.append(f"<i>{escaped}</i>" if line.startswith(SOURCE_PREFIX) else escaped)
    return "\n".join(lines)


def bold_headline(html_text: str, stage: str = "预算") -> str:
    """The headline figure of the first line in bold: its first amount (number with 万元/元/%), or in a 决算 the
    first amount said of 决算 ("支出决算为0.39万元", not the 年初预算 before it). The text is already escaped."""
    first, sep, rest = html_text.partition("\n")
    if first.startswith("<i>"):
        return html_text
    final = FINAL_AMOUNT.search(first) if stage == "决算" else None
    if final:
        first = first[:final.start(1)] + f"<b>{final.group(1)}</b>" + first[final.end(1):]
    else:
        first = AMOUNT.sub(lambda m: f"<b>{m.group(0)}</b>", first, count=1)
    return first + sep + rest


def reply_text(status: str, text: str, suggestions: list[str] | None = None) -> str:
    """An answer's text as the user should read it: a clarify prompt without the options its buttons repeat."""
    if status == "clarify" and suggestions:
        options = set(suggestions)
        text = "\n".join(line for line in text.split("\n")
                         if not (line.startswith("· ") and line[2:].strip() in options))
    return tidy(text)


def answer_html(status: str, text: str, suggestions: list[str] | None = None, stage: str = "预算") -> str:
    """An engine answer as Telegram HTML: escaped, source in italics, headline figure in bold for answers."""
    body = to_html(reply_text(status, text, suggestions))
    return bold_headline(body, stage) if status == "answer" else body


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


def button_label(text: str, limit: int = BUTTON_LABEL_LIMIT) -> str:
    """A button's label: the text shortened to fit a phone screen."""
    return shorten(text, limit)


def rows_of(buttons: list[InlineKeyboardButton], per_row: int = 2) -> list[list[InlineKeyboardButton]]:
    """Lay buttons out for a phone: short labels (≤ 12 characters) up to per_row a row, longer ones alone."""
    rows: list[list[InlineKeyboardButton]] = []
    for b in buttons:
        short = len(b.text) <= SHORT_LABEL
        if rows and short and len(rows[-1]) < per_row and all(len(x.text) <= SHORT_LABEL for x in rows[-1]):
            rows[-1].append(b)
        else:
            rows.append([b])
    return rows


def question_buttons(ids: ButtonIds, questions: list[str], prefix: str = "q", per_row: int = 1,
                     label=None) -> InlineKeyboardMarkup | None:
    """Inline buttons that ask the given questions when pressed (callback data: prefix and a 12-character id);
    label(question) words a button differently from the question it asks (a 决算's "决算数" for "预算")."""
    if not questions:
        return None
    buttons = [InlineKeyboardButton(button_label(label(q) if label else q), callback_data=f"{prefix}:{ids.id_for(q)}")
               for q in questions]
    return InlineKeyboardMarkup(rows_of(buttons, per_row))
