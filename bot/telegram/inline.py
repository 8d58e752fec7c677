"""Inline mode (@bot 三公经费): which answers to offer, best first, and the cards that show them."""
from __future__ import annotations

import hashlib
from functools import lru_cache

from telegram import InlineQueryResultArticle, InputTextMessageContent
from telegram.constants import ParseMode

from ..engine import Answer, Engine
from ..engine.library import Doc
from .chatdoc import answer_docs, headline
from .render import answer_html, reply_text, shorten, split_text, to_html

TITLE_LIMIT = 64
DESCRIPTION_LIMIT = 120
MAX_CARDS = 8
MAX_COMPLETIONS = 5
NOT_FOUND_TITLE = "本文件（{name}）中没有这项内容"


@lru_cache(maxsize=4)
def _names(engine: Engine) -> tuple[str, ...]:
    return tuple(dict.fromkeys(e.name for e in engine.view().vocab.entities))


@lru_cache(maxsize=4)
def _suggestions(engine: Engine) -> tuple[str, ...]:
    return tuple(engine.view().all_suggestions())


def completions(engine: Engine, text: str) -> list[str]:
    """What the text typed so far may become: the document's names that contain it, shortest and earliest first
    ("取暖" → 取暖费), then the questions the engine itself offers that contain it."""
    if len(text) < 2:
        return []
    names = sorted((n.find(text), len(n), n) for n in _names(engine) if text in n)
    asked = sorted((s.find(text), k, s) for k, s in enumerate(_suggestions(engine)) if text in s)
    return list(dict.fromkeys([n for *_, n in names][:MAX_COMPLETIONS] + [s for *_, s in asked][:MAX_COMPLETIONS]))


def inline_answers(engine: Engine, text: str) -> tuple[list[Answer], Answer | None]:
    """The answers to offer for an inline query, best first, or no answers and the engine's `unknown`.

    The engine's own answer comes first; a clarify offers each reading; text the engine cannot answer yet,
    typed on the way to a question ("取暖"), offers the engine's questions that contain it; else `unknown`.
    """
    first = engine.answer(text)
    if first.status == "answer":
        return [first], None
    questions = first.suggestions if first.status == "clarify" else completions(engine, text)
    answers: list[Answer] = []
    seen: set[tuple] = set()
    for q in questions:
        ans = engine.answer(q)
        if ans.status == "answer" and (ans.query, ans.subject) not in seen:
            seen.add((ans.query, ans.subject))
            answers.append(ans)
    return (answers[:MAX_CARDS], None) if answers else ([], first)


def _card_id(k: int, ans: Answer) -> str:
    digest = hashlib.sha1(f"{ans.query}|{ans.subject}".encode()).hexdigest()[:16]
    return f"{k}-{digest}"


def _docs(engine: Engine, ans: Answer) -> list[Doc]:
    return answer_docs(engine, ans, engine.view(ans.document_id))


def answer_card(k: int, ans: Answer, docs: list[Doc]) -> InlineQueryResultArticle:
    """One answer as a card: whose figure and its first line as the title, the document and the rest as the
    description, the reply with its headline as the message."""
    lines = reply_text(ans.status, ans.text, ans.suggestions).split("\n")
    body = " ".join(line for line in lines[1:] if line.strip())
    names = "、".join(d.short for d in docs[:2])
    stage = docs[0].stage if docs else "预算"
    message = headline(docs) + "\n" + answer_html(ans.status, ans.text, ans.suggestions, stage)
    return InlineQueryResultArticle(
        id=_card_id(k, ans), title=shorten(f"{names}：{lines[0]}", TITLE_LIMIT),
        description=shorten(f"{names}｜{body}" if body else names, DESCRIPTION_LIMIT),
        input_message_content=InputTextMessageContent(split_text(message)[0], parse_mode=ParseMode.HTML))


def not_found_card(unknown: Answer, docs: list[Doc]) -> InlineQueryResultArticle:
    """The one card for a question the document does not answer, with the engine's one-line reason."""
    reason = reply_text(unknown.status, unknown.text).split("\n", 1)[0]
    names = "、".join(d.short for d in docs[:2])
    return InlineQueryResultArticle(
        id="not-found", title=shorten(NOT_FOUND_TITLE.format(name=names), TITLE_LIMIT),
        description=shorten(reason, DESCRIPTION_LIMIT),
        input_message_content=InputTextMessageContent(split_text(headline(docs) + "\n" + to_html(unknown.text))[0],
                                                      parse_mode=ParseMode.HTML))


def cards(engine: Engine, text: str) -> list[InlineQueryResultArticle]:
    """The inline result cards for a query, best first (never empty)."""
    answers, unknown = inline_answers(engine, text)
    if unknown is not None:
        return [not_found_card(unknown, _docs(engine, unknown))]
    return [answer_card(k, a, _docs(engine, a)) for k, a in enumerate(answers)]
