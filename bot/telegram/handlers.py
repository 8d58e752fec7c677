"""Telegram handlers: thin async wrappers that call the engine and send what it answers."""
from __future__ import annotations

import asyncio
import html
import logging
import os
import traceback

from telegram import (CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, ReplyParameters,
                      Update)
from telegram.constants import ChatAction, ChatType, MessageEntityType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from .. import export
from ..charts import chart_topic, has_data, render_chart, topics as chart_topics
from ..engine import Answer, get_engine
from ..engine.view import DocView
from ..understand import Context
from . import inline, limits
from .chatdoc import answer_docs, chat_document, examples, headline, help_text as describe, stage_label
from .feedback import Dispute, disputed, subject_name
from .pipeline import CHART_POOL, INLINE_POOL, PoolBusy
from .keyboards import (NOOP, REASONS, VoteBook, chart_markup, full_list_markup, joined, note_markup, reason_markup,
                        topic_for, vote_markup)
from .render import CAPTION_LIMIT, ButtonIds, answer_html, question_buttons, split_text, to_html

log = logging.getLogger(__name__)
INLINE_LIMIT = 50
TYPING_DELAY = 0.3
EXPIRED = "这个按钮已失效，请直接输入问题。"
NO_CHAT = "请在与机器人的对话中提问。"
ALREADY = "这个问题已经回答过了，见下方。"
GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)
EXPORT_WORDS = ("导出", "导出数据", "导出csv", "导出表格", "下载数据")  # said alone, like /export
COMMANDS_HINT = "/start /help /doc /chart /sources /glossary /check /export"


def _ids(context: ContextTypes.DEFAULT_TYPE) -> ButtonIds:
    return context.application.bot_data["ids"]


def _votes(context: ContextTypes.DEFAULT_TYPE) -> VoteBook:
    return context.application.bot_data.setdefault("votes", VoteBook())


def answer_markup(ids: ButtonIds, votes: VoteBook, ans: Answer, question: str = "",
                  stage: str = "预算") -> InlineKeyboardMarkup | None:
    """The buttons under an answer: clarify choices or unknown's examples (labelled in the words of the document's
    kind), or 👍/👎 keyed to server-side state, with a "全部" button under a list that has a longer one."""
    label = lambda q: stage_label(q, stage)  # noqa: E731
    if ans.status == "clarify" and ans.suggestions:
        return question_buttons(ids, ans.suggestions, prefix="c", label=label)
    if ans.suggestions:
        return question_buttons(ids, ans.suggestions, label=label)
    if ans.status == "answer" and question:
        return joined(vote_markup(votes.add(question, ans.query)), full_list_markup(ids, ans.query))
    return None


def is_group(update: Update) -> bool:
    """Whether the update comes from a group (several people share the chat's document and see every answer)."""
    return update.effective_chat is not None and update.effective_chat.type in GROUPS


def reply_html(ans: Answer, here: DocView, switched: bool = False, quote: str = "") -> str:
    """An answer as the chat shows it: a headline naming its document(s) first, then the engine's reply."""
    engine = get_engine()
    docs = answer_docs(engine, ans, here)
    return headline(docs, switched, quote) + "\n" + answer_html(ans.status, ans.text, ans.suggestions, docs[0].stage)


def _remember(context: ContextTypes.DEFAULT_TYPE, sent: list[Message], kept: dict | None) -> None:
    """Keep what each sent answer was about, so that a reply to it follows it up (bounded, JSON-safe)."""
    if kept is None or context.chat_data is None:
        return
    book = context.chat_data.setdefault("answers", {})
    for msg in sent:
        if isinstance(msg, Message):
            book[str(msg.message_id)] = kept
    for old in list(book)[:max(0, len(book) - limits.ANSWERS_KEPT)]:
        del book[old]


async def send_answer(update: Update, context: ContextTypes.DEFAULT_TYPE, ans: Answer, question: str = "",
                      switched: bool = False, quote: str = "", reply_to: int | None = None,
                      kept: dict | None = None) -> list[Message]:
    """Send an Answer: a headline naming its document, its text in chunks under 4,096 characters; suggestions, or
    👍/👎, as buttons on the last. In a group it is sent as a reply to the question (reply_to)."""
    chat = update.effective_chat
    here = _chat_engine(context)
    chunks = split_text(reply_html(ans, here, switched, quote))
    stage = answer_docs(get_engine(), ans, here)[0].stage
    markup = answer_markup(_ids(context), _votes(context), ans, question, stage)
    sent = []
    for k, chunk in enumerate(chunks):
        target = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to and k == 0 else None
        last = k == len(chunks) - 1
        sent.append(await context.bot.send_message(chat.id, chunk, reply_markup=markup if last else None,
                                                   reply_parameters=target))
    _remember(context, sent, kept)
    return sent


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


def _replied_context(update: Update, context: ContextTypes.DEFAULT_TYPE) -> dict | None:
    """What the bot's answer a message replies to was about (its subject and document), if the bot still knows."""
    msg = update.message
    replied = msg.reply_to_message if msg is not None else None
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        return None
    return ((context.chat_data or {}).get("answers") or {}).get(str(replied.message_id))


def _keep(ans: Answer, previous: dict | None) -> dict | None:
    """What the chat carries after an answer: its subject and document; a choice or an unknown keeps the last
    subject, and a reply about several documents keeps the chat's document."""
    if not (ans.subject or ans.document_id):
        return None
    kept = ans.context
    previous = previous or {}
    if not ans.subject:
        kept.subject, kept.items = previous.get("subject"), tuple(previous.get("items") or ())
    if kept.document is None:
        kept.document = previous.get("document")
    return kept.to_dict()


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str, quote: str = "",
              reply_to: int | None = None) -> None:
    """Answer a question in a chat, following up on the answer it replies to (else the chat's document and last
    subject), and record it. The headline says when the chat's document changes; in a group the answer replies to
    the question."""
    engine = get_engine()
    before = chat_document(context.chat_data) or engine.default_id
    previous = _replied_context(update, context) or (context.chat_data or {}).get("context")
    if reply_to is None and update.message is not None and is_group(update):
        reply_to = update.message.message_id
    dispute = disputed(question)
    if dispute is not None:
        await _dispute(update, context, question, dispute, previous, reply_to)
        return
    ans = await _working(update, context, ChatAction.TYPING, asyncio.to_thread(engine.answer, question, previous))
    kept = _keep(ans, previous)
    if kept is not None and context.chat_data is not None:
        context.chat_data["context"] = kept
    user = update.effective_user
    context.application.bot_data["usage"].question(question, ans.status, ans.query, user and user.id,
                                                   update.effective_chat.id)
    switched = ans.document_id is not None and ans.document_id != before
    await send_answer(update, context, ans, question, switched, quote, reply_to, kept)


async def _dispute(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, dispute: Dispute,
                   previous: dict | None, reply_to: int | None) -> None:
    """"不对，办公费应该是581.18万元": the figure as printed, with its page, and a 👎 recorded with the user's figure."""
    what = dispute.what or subject_name(Context.of(previous).subject)
    chat = update.effective_chat
    if not what:
        await context.bot.send_message(chat.id, html.escape(
            f"请说明哪一项不对，例如“不对，办公费应该是{dispute.figure}”。", quote=False))
        return
    ans = await asyncio.to_thread(get_engine().answer, what, previous)
    user = update.effective_user
    usage = context.application.bot_data["usage"]
    usage.vote(what, ans.query, -1, user and user.id, chat.id)
    usage.reason(what, ans.query, f"数字不对：用户说应为{dispute.figure}", user and user.id, chat.id)
    kept = _keep(ans, previous)
    if kept is not None and context.chat_data is not None:
        context.chat_data["context"] = kept
    here = _chat_engine(context)
    docs = answer_docs(get_engine(), ans, here)
    if ans.status == "answer":
        note = f"已记下您的意见（您说应为{dispute.figure}），谢谢！文件中印的是："
        body = answer_html(ans.status, ans.text, [], docs[0].stage)
    else:
        note = f"已记下您的意见（您说应为{dispute.figure}），谢谢！但文件中没有找到“{what}”的数字："
        body = answer_html(ans.status, ans.text, ans.suggestions)
    text = headline(docs) + "\n" + html.escape(note, quote=False) + "\n" + body
    target = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
    sent = []
    for k, chunk in enumerate(split_text(text)):
        sent.append(await context.bot.send_message(chat.id, chunk, reply_parameters=target if k == 0 else None))
    _remember(context, sent, kept)


def _chat_engine(context: ContextTypes.DEFAULT_TYPE | None) -> DocView:
    """The view of the chat's current document (chosen with /doc or named in a question), else the default."""
    chosen = chat_document(context.chat_data) if context is not None and context.chat_data is not None else None
    return get_engine().view(chosen)


async def doc(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/doc: the loaded documents as buttons; a press makes one the chat's document (questions naming none go there).
    /doc NAME chooses the document NAME names."""
    engine = get_engine()
    current = _chat_engine(context).doc
    asked = " ".join(context.args or []).strip()
    if asked:
        found = engine.find_document(asked)
        if found is not None:
            await _choose(update, context, found)
            return
    rows = [[InlineKeyboardButton(("✓ " if d.id == current.id else "") + d.short[:30], callback_data=f"d:{d.id}")]
            for d in engine.docs[:50]]
    lead = f"没有找到“{asked}”对应的一份文件。" if asked else ""
    await update.effective_message.reply_text(
        html.escape(f"{lead}当前文件：{current.label}。没有点名单位的问题都问这份文件。选择另一份：", quote=False),
        reply_markup=InlineKeyboardMarkup(rows))


async def _choose(update: Update, context: ContextTypes.DEFAULT_TYPE, doc_id: int,
                  query: CallbackQuery | None = None) -> None:
    """Make a document the chat's: say so (by editing the picker), and in a group announce who changed it."""
    chosen = get_engine().view(doc_id).doc
    context.chat_data["context"] = {"subject": None, "items": [], "document": chosen.id}
    done = f"已选择：{chosen.label}。接下来的问题都问这份文件（问题里点名其他单位时除外）。"
    if query is not None:
        await _edit(query, html.escape(done, quote=False))
    elif not is_group(update):
        await update.effective_message.reply_text(html.escape(done, quote=False))
    if is_group(update):
        user = update.effective_user
        who = (user.full_name if user else "") or "有人"
        await context.bot.send_message(update.effective_chat.id, html.escape(
            f"📄 {who} 把本群的文件换成了：{chosen.label}。接下来没有点名单位的问题都问这份文件；发 /doc 可以再换。",
            quote=False))


async def _doc_button(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str) -> None:
    """Make the pressed document the chat's current one."""
    query = update.callback_query
    engine = get_engine()
    chosen = next((d for d in engine.docs if key.isdigit() and d.id == int(key)), None)
    if chosen is None or context.chat_data is None:
        await query.answer(EXPIRED)
        return
    await query.answer()
    await _choose(update, context, chosen.id, query)


async def _examples(context: ContextTypes.DEFAULT_TYPE | None = None) -> list[str]:
    """Example questions that the chat's document answers (tried once per document, in a thread)."""
    return await asyncio.to_thread(examples, get_engine(), _chat_engine(context))


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet and offer example questions about the chat's document as buttons."""
    here = _chat_engine(context)
    count = get_engine().library.count
    others = f"（共载入{count}份，发 /doc 换一份）" if count > 1 else ""
    text = (f"您好！我回答预算公开文件里的问题，每个数字都注明出处。\n现在问的是：{here.doc.label}{others}。\n"
            "直接发问题即可，也可以点下面的例子。想知道我能答什么、不能答什么，请发 /help。")
    found = await _examples(context)
    await update.effective_message.reply_text(html.escape(text, quote=False),
                                              reply_markup=question_buttons(_ids(context), found, per_row=2))


def help_text(context: ContextTypes.DEFAULT_TYPE | None = None) -> str:
    """What the bot can and cannot do now, for the chat's document, with examples."""
    return describe(get_engine(), _chat_engine(context))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say what the bot can and cannot answer, with examples."""
    found = await _examples(context)
    await update.effective_message.reply_text(html.escape(help_text(context), quote=False),
                                              reply_markup=question_buttons(_ids(context), found[:4], per_row=2))


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
    if question is not None and question.strip().lower() in EXPORT_WORDS:
        await export_command(update, context)
    elif question is not None:
        await ask(update, context, question)


async def on_other_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos without text and the like: a short hint in private chats, nothing in groups."""
    if update.effective_chat and update.effective_chat.type == ChatType.PRIVATE:
        await update.effective_message.reply_text("请用文字提问，例如“三公经费多少”。")


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An unknown command: say which ones exist, and a question the chat's document answers."""
    found = await _examples(context)
    hint = f"，或直接提问，例如“{found[0]}”" if found else ""
    await update.effective_message.reply_text(html.escape(f"没有这个命令。可用：{COMMANDS_HINT}{hint}。", quote=False))


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
    """Ask the question behind a button; a clarify choice first replaces the options with the choice made, and a
    clarify message answers once, however often its buttons are pressed."""
    query = update.callback_query
    question = _ids(context).text_for(key)
    if question is None:
        await query.answer(EXPIRED)
        return
    if update.effective_chat is None or query.message is None:  # a button on an inline message: no chat to answer in
        await query.answer(NO_CHAT)
        return
    if clarify:
        done = context.chat_data.setdefault("clarified", [])
        if query.message.message_id in done:
            await query.answer(ALREADY)
            return
        done.append(query.message.message_id)
        del done[:max(0, len(done) - limits.CLARIFIES_KEPT)]
    await query.answer()
    stage = _chat_engine(context).doc.stage
    if clarify:
        await _edit(query, html.escape(f"已选择：{stage_label(question, stage)}", quote=False))
    group = is_group(update)
    await ask(update, context, question, quote=stage_label(question, stage) if group else "",
              reply_to=query.message.message_id if group else None)


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
    """Send a PNG chart of the chat's document: /chart [支出结构|三公经费|基本支出|项目支出]; without a topic, or with
    one it cannot draw, the topics this document can draw as buttons."""
    here = _chat_engine(context)
    offered = chart_topics(here)
    asked = " ".join(context.args or []).strip()
    topic = chart_topic(here, asked) if asked else None
    if topic is not None and topic in offered:
        await send_chart(update, context, topic)
        return
    name = here.doc.short
    if not offered:
        await update.effective_message.reply_text(html.escape(f"《{name}》里没有可以画图的表格数据。", quote=False))
        return
    lead = (f"《{name}》里没有可以画“{topic}”的表格数据。" if topic else f"没有“{asked}”这张图。") if asked \
        else f"想看《{name}》的哪张图？"
    await update.effective_message.reply_text(
        html.escape(f"{lead}可以画的图：{'、'.join(offered)}。点下面的按钮，或发 /chart {offered[0]}", quote=False),
        reply_markup=chart_markup(offered))


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


async def export_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/export (or "导出"): the chat's document's figures (the facts, then the checks) as a CSV file, UTF-8 with a
    BOM so that Excel opens the Chinese correctly."""
    doc_ = _chat_engine(context).doc
    data = await asyncio.to_thread(export.document_csv, doc_.id)
    caption = (f"《{doc_.label}》的全部数字（每个表格单元格一行：表名、行、列、金额、页码），空一行后是数据核对结果。"
               "UTF-8 CSV，可用 Excel 打开。")
    await context.bot.send_document(update.effective_chat.id, InputFile(data, filename=f"{doc_.short}.csv"),
                                    caption=html.escape(caption, quote=False))


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the documents loaded, with sha256 and tables."""
    await _run_canned(update, "sources_list", "topic:document", context)


async def _run_canned(update: Update, query_id: str, subject_kind: str, context=None) -> None:
    engine = _chat_engine(context) if context is not None else get_engine().view()
    ans = engine.run(engine.queries[query_id], engine.topic(subject_kind))
    ans.document_id, ans.documents = engine.doc.id, (engine.doc.id,)
    text = headline([engine.doc]) + "\n" + to_html(ans.text)
    count = get_engine().library.count
    if query_id == "sources_list" and count > 1:
        text += "\n" + html.escape(f"另有{count - 1}份文件已载入，发 /doc 切换后再发 /sources 查看。", quote=False)
    for chunk in split_text(text):
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
