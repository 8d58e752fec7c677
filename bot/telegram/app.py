"""Wiring: one function builds the Application; run() starts it by polling or as a webhook."""
from __future__ import annotations

import hashlib
import logging
import os

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (AIORateLimiter, Application, CallbackQueryHandler, CommandHandler, Defaults,
                          InlineQueryHandler, MessageHandler, filters)

from ..engine import get_engine
from ..usage import UsageLog
from . import handlers
from .render import ButtonIds

log = logging.getLogger(__name__)
DEFAULT_API_URL = "https://api.telegram.org/bot"
COMMANDS = [("start", "开始：例子"), ("help", "帮助：能答什么、不能答什么"), ("chart", "图表：支出结构、三公经费、基本支出、项目支出"),
            ("sources", "数据来源"), ("glossary", "名词解释"), ("check", "数据核对")]
ADMIN_COMMANDS = [("stats", "使用统计（管理员）")]


async def _post_init(app: Application) -> None:
    """Command menus: everyone's without /stats; each admin chat (ADMIN_CHAT_IDS) also gets /stats."""
    await app.bot.set_my_commands([BotCommand(c, d) for c, d in COMMANDS])
    for chat_id in sorted(handlers.admin_chats()):
        try:
            await app.bot.set_my_commands([BotCommand(c, d) for c, d in COMMANDS + ADMIN_COMMANDS],
                                          scope=BotCommandScopeChat(chat_id))
        except TelegramError as err:  # e.g. a chat the bot has not met yet: /stats still works there
            log.warning("no admin command menu for chat %s: %s", chat_id, err)


def build_application(token: str, base_url: str | None = None, max_retries: int = 5,
                      usage: UsageLog | None = None) -> Application:
    """The bot with all its handlers, HTML defaults, a retrying rate limiter and concurrent updates."""
    engine = get_engine()
    ids = ButtonIds()
    for question in engine.all_suggestions() + engine.glossary_questions():
        ids.register(question)
    builder = (Application.builder().token(token).defaults(Defaults(parse_mode=ParseMode.HTML))
               .rate_limiter(AIORateLimiter(max_retries=max_retries)).concurrent_updates(True).post_init(_post_init))
    if base_url:
        builder = builder.base_url(base_url).base_file_url(base_url.replace("/bot", "/file/bot"))
    app = builder.build()
    app.bot_data["ids"] = ids
    app.bot_data["usage"] = usage if usage is not None else UsageLog()
    app.add_handler(MessageHandler(filters.UpdateType.EDITED | filters.UpdateType.CHANNEL_POSTS, handlers.ignore))
    app.add_handler(CommandHandler("start", handlers.start))
    app.add_handler(CommandHandler("help", handlers.help_command))
    app.add_handler(CommandHandler("chart", handlers.chart))
    app.add_handler(CommandHandler("sources", handlers.sources))
    app.add_handler(CommandHandler("glossary", handlers.glossary))
    app.add_handler(CommandHandler("check", handlers.check))
    app.add_handler(CommandHandler("stats", handlers.stats))
    app.add_handler(MessageHandler(filters.COMMAND, handlers.on_unknown_command))
    app.add_handler(MessageHandler(filters.TEXT, handlers.on_text))
    app.add_handler(MessageHandler(filters.ALL, handlers.on_other_message))
    app.add_handler(CallbackQueryHandler(handlers.on_button))
    app.add_handler(InlineQueryHandler(handlers.on_inline))
    app.add_error_handler(handlers.on_error)
    return app


def run() -> None:
    """Run from the environment: TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL, and WEBHOOK_URL/PORT for webhook mode."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry the token in the URL
    token = os.environ["TELEGRAM_BOT_TOKEN"]
    app = build_application(token, os.environ.get("TELEGRAM_API_URL") or DEFAULT_API_URL)
    webhook = os.environ.get("WEBHOOK_URL")
    if webhook:
        secret = os.environ.get("WEBHOOK_SECRET") or hashlib.sha256(token.encode()).hexdigest()[:32]
        app.run_webhook(listen="0.0.0.0", port=int(os.environ.get("PORT", "8443")), url_path="telegram",
                        webhook_url=webhook.rstrip("/") + "/telegram", secret_token=secret,
                        allowed_updates=Update.ALL_TYPES)
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
