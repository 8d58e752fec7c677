"""Telegram handlers: thin async wrappers that call the engine and send what it answers."""
from __future__ import annotations

import asyncio
import html
import logging
import os
import traceback

from telegram import InlineKeyboardButton, CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, ChatType, MessageEntityType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from ..charts import chart_topic, has_data, render_chart
from ..engine import Answer, get_engine
from . import inline
from .pipeline import CHART_POOL, INLINE_POOL, PoolBusy
from .keyboards import (NOOP, REASONS, VoteBook, chart_markup, note_markup, reason_markup, topic_for,
                        vote_markup)
from .render import CAPTION_LIMIT, ButtonIds, answer_html, question_buttons, split_text, to_html

log = logging.getLogger(__name__)
INLINE_LIMIT = 50
TYPING_DELAY = 0.3
EXPIRED = "这个按钮已失效，请直接输入问题。"
NO_CHAT = "请在与机器人的对话中提问。"


def _ids(context: ContextTypes.DEFAULT_TYPE) -> ButtonIds:
    return context.application.bot_data["ids"]


def _votes(context: ContextTypes.DEFAULT_TYPE) -> VoteBook:
    return context.application.bot_data.setdefault("votes", VoteBook())


def answer_markup(ids: ButtonIds, votes: VoteBook, ans: Answer, question: str = "") -> InlineKeyboardMarkup | None:
    """The buttons under an answer: clarify choices, unknown's examples, or 👍/👎 keyed to server-side state."""
    if ans.status == "clarify" and ans.suggestions:
        return question_buttons(ids, ans.suggestions, prefix="c")
    if ans.suggestions:
        return question_buttons(ids, ans.suggestions)
    if ans.status == "answer" and question:
        return vote_markup(votes.add(question, ans.query))
    return None


async def send_answer(update: Update, context: ContextTypes.DEFAULT_TYPE, ans: Answer, question: str = "") -> None:
    """Send an Answer: its text in chunks under 4,096 characters; suggestions, or 👍/👎, as buttons on the last."""
    chat = update.effective_chat
    chunks = split_text(answer_html(ans.status, ans.text, ans.suggestions))
    markup = answer_markup(_ids(context), _votes(context), ans, question)
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
    """Answer a question in a chat, following up on the chat's document and last subject, and record it."""
    previous = context.chat_data.get("context")
    ans = await _working(update, context, ChatAction.TYPING,
                         asyncio.to_thread(get_engine().answer, question, previous))
    if ans.subject or ans.document_id:
        kept = ans.context
        if not ans.subject and previous:  # a choice or an unknown keeps the last subject
            kept.subject, kept.items = previous.get("subject"), tuple(previous.get("items") or ())
        context.chat_data["context"] = kept.to_dict()
    user = update.effective_user
    context.application.bot_data["usage"].question(question, ans.status, ans.query, user and user.id,
                                                   update.effective_chat.id)
    await send_answer(update, context, ans, question)


def _document_name(context: ContextTypes.DEFAULT_TYPE | None = None) -> str:
    engine = get_engine()
    docs = engine.docs
    if len(docs) > 1 and context is None:
        return f"已载入的{len(docs)}份预算公开文件（{'、'.join(d.label for d in docs[:4])}{'等' if len(docs) > 4 else ''}）"
    return f"《{_chat_engine(context).doc.label}》" if context else f"《{engine.doc.label}》"


def _chat_engine(context: ContextTypes.DEFAULT_TYPE):
    """The engine for the chat's current document (chosen with /doc or named in a question), else the default."""
    engine = get_engine()
    chosen = (context.chat_data or {}).get("context", {}).get("document") if context.chat_data is not None else None
    return engine.view(chosen if isinstance(chosen, int) else None)


async def doc(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/doc: the loaded documents as buttons; a press makes one the chat's document (questions naming none go there)."""
    engine = get_engine()
    current = _chat_engine(context).doc
    rows = [[InlineKeyboardButton(("✓ " if d.id == current.id else "") + d.short[:30], callback_data=f"d:{d.id}")]
            for d in engine.docs[:50]]
    await update.effective_message.reply_text(
        html.escape(f"当前文件：{current.label}。没有点名单位的问题都问这份文件。选择另一份：", quote=False),
        reply_markup=InlineKeyboardMarkup(rows))


async def _doc_button(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str) -> None:
    """Make the pressed document the chat's current one."""
    query = update.callback_query
    engine = get_engine()
    chosen = next((d for d in engine.docs if key.isdigit() and d.id == int(key)), None)
    if chosen is None or context.chat_data is None:
        await query.answer(EXPIRED)
        return
    await query.answer()
    context.chat_data["context"] = {"subject": None, "items": [], "document": chosen.id}
    await _edit(query, html.escape(f"已选择：{chosen.label}。接下来的问题都问这份文件（问题里点名其他单位时除外）。",
                                   quote=False))


def _examples() -> list[str]:
    return get_engine().words.get("help", {}).get("examples", [])


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet and offer example questions as buttons."""
    text = (f"您好！我回答关于{_document_name()}的问题，每个数字都注明出处。\n"
            "直接发问题即可，也可以点下面的例子。想知道我能答什么、不能答什么，请发 /help。")
    await update.effective_message.reply_text(html.escape(text, quote=False),
                                              reply_markup=question_buttons(_ids(context), _examples(), per_row=2))


def help_text() -> str:
    """What the bot can and cannot do, one line each, with examples."""
    examples = "、".join(f"“{q}”" for q in _examples()[:4])
    return "\n".join([
        "我能做的：",
        f"✅ 数字和内容：{_document_name()}里的金额、占比、增减、项目、机构，每个数字都注明来源表格",
        "✅ 接着问：“那去年呢？”“占比呢？”“为什么？”针对上一个问题",
        "✅ 图表 /chart　数据来源 /sources　名词解释 /glossary　数据核对 /check",
        "我不能做的：",
        "❌ 其他单位、其他年份或决算数字（没有载入的文件）",
        "❌ 评价和观点（如“花得多不多”“合不合理”）",
        "❌ 政策解读和办事流程（如怎么参保、怎么申领）",
        f"例如：{examples}",
    ])


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say what the bot can and cannot answer, with examples."""
    await update.effective_message.reply_text(html.escape(help_text(), quote=False),
                                              reply_markup=question_buttons(_ids(context), _examples()[:4], per_row=2))


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


def _record_reason(context: ContextTypes.DEFAULT_TYPE, question: str, query: str | None, reason: str,
                   user_id: int | None, chat_id: int | None) -> None:
    """Record what was wrong with a 👎'd answer, beside the vote (not counted as another vote)."""
    context.application.bot_data["usage"].reason(question, query, reason, user_id, chat_id)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handle a button press: a question, a clarify choice, a chart, or feedback on an answer."""
    query = update.callback_query
    data = query.data or ""
    kind, _, key = data.partition(":")
    if kind in ("v+", "v-"):
        await _vote(update, context, key, +1 if kind == "v+" else -1)
    elif kind == "r":
        await _reason(update, context, key)
    elif kind == "ch":
        await _chart_button(update, context, data)
    elif kind == "d":
        await _doc_button(update, context, key)
    elif kind in ("q", "c"):
        await _question_button(update, context, key, clarify=kind == "c")
    elif data == NOOP:
        await query.answer()
    else:
        await query.answer(EXPIRED)


async def _edit(query: CallbackQuery, text: str | None = None, markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit the pressed message's text (removing its keyboard) or only its keyboard; a failed edit is only logged."""
    try:
        if text is not None:
            await query.edit_message_text(text)
        else:
            await query.edit_message_reply_markup(markup)
    except TelegramError as err:  # e.g. "message is not modified", or a message too old to edit
        log.warning("could not edit a message after a button press: %s", err)


async def _vote(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str, sign: int) -> None:
    """👍/👎: record once per user and answer, then replace the buttons (👎: with what was wrong)."""
    query = update.callback_query
    ctx = _votes(context).get(key)
    user_id = query.from_user.id if query.from_user else None
    if ctx is None:
        await query.answer(EXPIRED)
        return
    if user_id in ctx.voters:
        await query.answer("您已经反馈过了，谢谢！")
        return
    ctx.voters.add(user_id)
    chat = update.effective_chat
    context.application.bot_data["usage"].vote(ctx.question, ctx.query, sign, user_id, chat and chat.id)
    if sign > 0:
        await query.answer("谢谢反馈！")
        await _edit(query, markup=note_markup("✓ 谢谢反馈"))
    else:
        ctx.down.add(user_id)
        await query.answer("谢谢！哪里不对？点一下告诉我们。")
        await _edit(query, markup=reason_markup(key))


async def _reason(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str) -> None:
    """What was wrong with a 👎'd answer: record it once, then show a short thanks."""
    query = update.callback_query
    vote_key, _, n = key.partition(":")
    ctx = _votes(context).get(vote_key)
    user_id = query.from_user.id if query.from_user else None
    if ctx is None or not n.isdigit() or int(n) >= len(REASONS) or user_id not in ctx.down:
        await query.answer(EXPIRED)
        return
    if user_id in ctx.explained:
        await query.answer("已经记录了，谢谢！")
        return
    ctx.explained.add(user_id)
    reason = REASONS[int(n)]
    chat = update.effective_chat
    _record_reason(context, ctx.question, ctx.query, reason, user_id, chat and chat.id)
    await query.answer("谢谢，已记录。")
    await _edit(query, markup=note_markup(f"✓ 已记录：{reason}"))


async def _question_button(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str, clarify: bool) -> None:
    """Ask the question behind a button; a clarify choice first replaces the options with the choice made."""
    query = update.callback_query
    question = _ids(context).text_for(key)
    if question is None:
        await query.answer(EXPIRED)
        return
    if update.effective_chat is None:  # a button on an inline message: there is no chat to answer in
        await query.answer(NO_CHAT)
        return
    await query.answer()
    if clarify:
        await _edit(query, html.escape(f"已选择：{question}", quote=False))
    await ask(update, context, question)


async def _chart_button(update: Update, context: ContextTypes.DEFAULT_TYPE, data: str) -> None:
    """Draw the chart topic behind a button."""
    query = update.callback_query
    topic = topic_for(data, list(get_engine().words.get("charts", {})))
    if topic is None:
        await query.answer(EXPIRED)
        return
    if update.effective_chat is None:
        await query.answer(NO_CHAT)
        return
    await query.answer()
    await send_chart(update, context, topic)


async def on_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer answer cards for an inline query (@bot 三公经费), the engine's own answer first."""
    text = (update.inline_query.query or "").strip()
    if not text:
        await update.inline_query.answer([], cache_time=5)
        return
    results = await INLINE_POOL.run(inline.cards, get_engine(), text)  # its own threads: questions never wait
    await update.inline_query.answer(results[:INLINE_LIMIT], cache_time=60)


async def chart(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send a PNG chart: /chart [支出结构|三公经费|基本支出|项目支出]; without a topic, the topics as buttons."""
    engine = get_engine()
    topics = list(engine.words.get("charts", {}))
    asked = " ".join(context.args or []).strip()
    topic = chart_topic(engine, asked) if asked else None
    if topic is None:
        lead = "可以画的图" if asked else "想看哪张图？可以画的图"
        await update.effective_message.reply_text(f"{lead}：{'、'.join(topics)}。点下面的按钮，或发 /chart 三公经费",
                                                  reply_markup=chart_markup(topics))
        return
    await send_chart(update, context, topic)


async def send_chart(update: Update, context: ContextTypes.DEFAULT_TYPE, topic: str) -> None:
    """Draw a chart of the chat's document in a thread (showing the upload action meanwhile) and send it."""
    engine = _chat_engine(context)
    if not has_data(engine, topic):
        await context.bot.send_message(update.effective_chat.id, html.escape(
            f"《{engine.doc.label}》里没有可以画“{topic}”的表格数据。", quote=False))
        return
    try:  # charts have their own bounded pool: a flood of them never delays questions (nor floods chat actions)
        work = CHART_POOL.submit(render_chart, engine, topic)
        drawn = await (work if CHART_POOL.waits() else _working(update, context, ChatAction.UPLOAD_PHOTO, work))
    except PoolBusy:
        await context.bot.send_message(update.effective_chat.id, "现在画图的请求较多，请稍后再试。")
        return
    caption = split_text(to_html(drawn.caption), CAPTION_LIMIT)[0]
    await context.bot.send_photo(update.effective_chat.id, drawn.png, caption=caption)


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the documents loaded, with sha256 and tables."""
    await _run_canned(update, "sources_list", "topic:document", context)


async def _run_canned(update: Update, query_id: str, subject_kind: str, context=None) -> None:
    engine = _chat_engine(context) if context is not None else get_engine().view()
    ans = engine.run(engine.queries[query_id], engine.topic(subject_kind))
    for chunk in split_text(to_html(ans.text)):
        await update.effective_message.reply_text(chunk)


async def glossary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The 名词解释 terms as buttons."""
    questions = _chat_engine(context).glossary_questions()
    await update.effective_message.reply_text("名词解释（点按查看）：",
                                              reply_markup=question_buttons(_ids(context), questions, per_row=2))


async def check(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The data checks, failed ones first."""
    await _run_canned(update, "checks_summary", "topic:checks", context)


def admin_users() -> set[int]:
    """User ids from ADMIN_USER_IDS (comma-separated); the older ADMIN_CHAT_IDS counts only for private chats,
    whose id is the user's (a group's id never makes its members admins)."""
    ids = {int(x) for x in os.environ.get("ADMIN_USER_IDS", "").replace(" ", "").split(",") if x.isdigit()}
    return ids | {int(x) for x in os.environ.get("ADMIN_CHAT_IDS", "").replace(" ", "").split(",") if x.isdigit()}


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """For admins (by user id): questions per day, answer/clarify/unknown rates, votes, top misses, intake health."""
    user = update.effective_user
    if user is None or user.id not in admin_users():
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
