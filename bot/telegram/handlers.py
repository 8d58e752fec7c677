"""Telegram handlers: thin async wrappers that call the engine and send what it answers."""
from __future__ import annotations

import asyncio
import html
import logging
import traceback

import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ChatAction, ChatType, MessageEntityType
from telegram.ext import ContextTypes

from ..charts import chart_topic, render_chart
from ..engine import Answer, get_engine
from .render import CAPTION_LIMIT, ButtonIds, question_buttons, split_text, to_html

log = logging.getLogger(__name__)
INLINE_LIMIT = 50
TYPING_DELAY = 0.3


def _ids(context: ContextTypes.DEFAULT_TYPE) -> ButtonIds:
    return context.application.bot_data["ids"]


def _vote_buttons(ids: ButtonIds, question: str, ans: Answer) -> InlineKeyboardMarkup:
    key = f"{ids.id_for(question)}:{ans.query or ''}"
    return InlineKeyboardMarkup([[InlineKeyboardButton("👍 有用", callback_data=f"v:+:{key}"),
                                  InlineKeyboardButton("👎 不对/没用", callback_data=f"v:-:{key}")]])


async def send_answer(update: Update, context: ContextTypes.DEFAULT_TYPE, ans: Answer, question: str = "") -> None:
    """Send an Answer: its text in chunks under 4,096 characters; suggestions, or 👍/👎, as buttons on the last."""
    chat = update.effective_chat
    chunks = split_text(to_html(ans.text))
    if ans.suggestions:
        markup = question_buttons(_ids(context), ans.suggestions)
    elif ans.status == "answer" and question:
        markup = _vote_buttons(_ids(context), question, ans)
    else:
        markup = None
    for k, chunk in enumerate(chunks):
        await context.bot.send_message(chat.id, chunk, reply_markup=markup if k == len(chunks) - 1 else None)


async def _working(update: Update, context: ContextTypes.DEFAULT_TYPE, action: str, work):
    """Await work, showing a chat action if it takes noticeable time.

    Answers take a millisecond; an action for each would halve what Telegram's 30-requests-a-second limit
    leaves for replies, so it is sent only when the work is still running after TYPING_DELAY.
    """
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=TYPING_DELAY)
    if not done:
        await context.bot.send_chat_action(update.effective_chat.id, action)
    return await task


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    """Answer a question in a chat, following up on the chat's last subject, and record it."""
    ans = await _working(update, context, ChatAction.TYPING,
                         asyncio.to_thread(get_engine().answer, question, context.chat_data.get("subject")))
    if ans.subject:
        context.chat_data["subject"] = ans.subject
    user = update.effective_user
    context.application.bot_data["usage"].question(question, ans.status, ans.query, user and user.id,
                                                   update.effective_chat.id)
    await send_answer(update, context, ans, question)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say what the bot answers, with example questions as buttons."""
    engine = get_engine()
    doc = engine.vocab.document
    text = (f"您好！我回答关于《{doc['unit']}{doc['year']}年度单位{doc['stage']}公开》的问题，每个数字都注明出处。\n"
            "直接发问题即可，例如“三公经费多少”“取暖费预算多少”“项目支出有哪些”。可以接着问“那去年呢？”“占比呢？”“为什么？”。\n"
            "命令：/chart 图表　/sources 数据来源　/glossary 名词解释　/check 数据核对")
    examples = engine.words.get("help", {}).get("examples", [])
    await update.effective_message.reply_text(html.escape(text, quote=False),
                                              reply_markup=question_buttons(_ids(context), examples, per_row=2))


def addressed_text(update: Update, bot_username: str, bot_id: int) -> str | None:
    """The question in a message meant for the bot: any private text; in groups a mention or a reply to it."""
    msg = update.effective_message
    text = msg.text or ""
    if update.effective_chat.type == ChatType.PRIVATE:
        return text
    mention = f"@{bot_username}".lower()
    mentioned = any(text[e.offset:e.offset + e.length].lower() == mention
                    for e in msg.entities or () if e.type == MessageEntityType.MENTION)
    replied = msg.reply_to_message is not None and msg.reply_to_message.from_user is not None \
        and msg.reply_to_message.from_user.id == bot_id
    if not (mentioned or replied):
        return None  # group chatter not meant for the bot (Telegram's privacy-mode convention)
    return text.replace(f"@{bot_username}", "").strip()


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a text message meant for the bot."""
    question = addressed_text(update, context.bot.username, context.bot.id)
    if question is not None:
        await ask(update, context, question)


async def on_other_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos without text and the like: a short hint in private chats, nothing in groups."""
    if update.effective_chat and update.effective_chat.type == ChatType.PRIVATE:
        await update.effective_message.reply_text("请用文字提问，例如“三公经费多少”。")


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An unknown command: say which ones exist."""
    await update.effective_message.reply_text("没有这个命令。可用：/start /help /chart /sources /glossary /check")


async def ignore(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Edited messages and channel posts are ignored on purpose: the original was answered, channels are not chats."""


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the question behind a pressed button."""
    query = update.callback_query
    kind, _, key = (query.data or "").partition(":")
    if kind == "v":
        sign, _, rest = key.partition(":")
        qkey, _, query_id = rest.partition(":")
        question = _ids(context).text_for(qkey) or ""
        user = update.effective_user
        context.application.bot_data["usage"].vote(question, query_id or None, 1 if sign == "+" else -1,
                                                   user and user.id, update.effective_chat and update.effective_chat.id)
        await query.answer("谢谢反馈！" if sign == "+" else "谢谢，我们会据此改进。")
        return
    await query.answer()
    question = _ids(context).text_for(key)
    if question is None:
        await context.bot.send_message(update.effective_chat.id, "这个按钮已过期，请直接输入问题。")
        return
    await ask(update, context, question)


async def on_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer answer cards for an inline query (@bot 三公经费)."""
    text = (update.inline_query.query or "").strip()
    if not text:
        await update.inline_query.answer([], cache_time=5)
        return
    engine = get_engine()
    first = engine.answer(text)
    answers = [first] + [engine.answer(s) for s in first.suggestions]
    results = []
    for k, ans in enumerate(a for a in answers if a.status == "answer"):
        title = ans.text.split("\n", 1)[0][:64]
        results.append(InlineQueryResultArticle(
            id=f"{k}-{ans.query}"[:64], title=title, description=ans.text[len(title):][:120].strip(),
            input_message_content=InputTextMessageContent(split_text(to_html(ans.text))[0])))
    if not results:
        results.append(InlineQueryResultArticle(id="unknown", title="找不到对应内容", description=first.text[:120],
                                                input_message_content=InputTextMessageContent(to_html(first.text)[:4000])))
    await update.inline_query.answer(results[:INLINE_LIMIT], cache_time=60)


async def chart(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send a PNG chart: /chart [支出结构|三公经费|基本支出|项目支出]."""
    engine = get_engine()
    topic = chart_topic(engine, " ".join(context.args or []))
    if topic is None:
        names = "、".join(engine.words["charts"])
        await update.effective_message.reply_text(f"可以画的图：{names}。例如 /chart 三公经费")
        return
    # matplotlib is slow: draw in a thread so other chats keep moving, and show the upload action meanwhile.
    drawn = await _working(update, context, ChatAction.UPLOAD_PHOTO, asyncio.to_thread(render_chart, engine, topic))
    caption = to_html(drawn.caption)[:CAPTION_LIMIT]
    await context.bot.send_photo(update.effective_chat.id, drawn.png, caption=caption)


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the documents loaded, with sha256 and tables."""
    await _run_canned(update, "sources_list", "topic:document")


async def _run_canned(update: Update, query_id: str, subject_kind: str) -> None:
    engine = get_engine()
    ans = engine.run(engine.queries[query_id], engine.topic(subject_kind))
    for chunk in split_text(to_html(ans.text)):
        await update.effective_message.reply_text(chunk)


async def glossary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The 名词解释 terms as buttons."""
    questions = get_engine().glossary_questions()
    await update.effective_message.reply_text("名词解释（点按查看）：",
                                              reply_markup=question_buttons(_ids(context), questions, per_row=2))


async def check(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The data checks, failed ones first."""
    await _run_canned(update, "checks_summary", "topic:checks")


def admin_chats() -> set[int]:
    """Chat ids from ADMIN_CHAT_IDS (comma-separated)."""
    return {int(x) for x in os.environ.get("ADMIN_CHAT_IDS", "").replace(" ", "").split(",") if x.lstrip("-").isdigit()}


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """For admin chats: questions per day, answer/clarify/unknown rates, votes, top misses."""
    if update.effective_chat.id not in admin_chats():
        await update.effective_message.reply_text("这个命令仅供管理员使用。")
        return
    text = context.application.bot_data["usage"].stats_text()
    for chunk in split_text(html.escape(text, quote=False)):
        await update.effective_message.reply_text(chunk)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error first (never the token), then tell the user something went wrong."""
    token = context.bot.token if context.bot else ""
    trace = "".join(traceback.format_exception(context.error))
    log.error("update failed: %s", trace.replace(token, "<token>") if token else trace)
    if isinstance(update, Update) and update.effective_chat:
        try:
            await context.bot.send_message(update.effective_chat.id, "抱歉，处理这条消息时出错了，请稍后再试。")
        except Exception:  # the error may be the network itself
            log.warning("could not tell the user about the error")
