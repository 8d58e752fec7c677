"""Wiring: one function builds the Application; run() starts it by polling or as a webhook, through the inbox."""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import signal
import sqlite3
import time
from pathlib import Path

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (AIORateLimiter, Application, CallbackQueryHandler, CommandHandler, ContextTypes, Defaults,
                          InlineQueryHandler, MessageHandler, filters)
from telegram.request import HTTPXRequest

from .. import paths
from ..engine import get_engine
from ..usage import UsageLog
from . import handlers, limits
from .inbox import Inbox
from .pipeline import JournalBot, PerChatProcessor, Pipeline, current_handling, is_undeliverable, webhook_server
from .render import ButtonIds

log = logging.getLogger(__name__)
DEFAULT_API_URL = "https://api.telegram.org/bot"
COMMANDS = [("start", "开始：例子"), ("help", "帮助：能答什么、不能答什么"), ("chart", "图表：支出结构、三公经费、基本支出、项目支出"),
            ("doc", "选择文件（单位、年度）"), ("sources", "数据来源"), ("glossary", "名词解释"), ("check", "数据核对"),
            ("export", "导出本文件的数字（CSV）")]
ADMIN_COMMANDS = [("stats", "使用统计（管理员）")]


async def _post_init(app: Application) -> None:
    """Command menus: everyone's without /stats; each admin's private chat (ADMIN_USER_IDS) also gets /stats."""
    await app.bot.set_my_commands([BotCommand(c, d) for c, d in COMMANDS])
    for chat_id in sorted(handlers.admin_users()):  # a private chat's id is its user's id
        try:
            await app.bot.set_my_commands([BotCommand(c, d) for c, d in COMMANDS + ADMIN_COMMANDS],
                                          scope=BotCommandScopeChat(chat_id))
        except TelegramError as err:  # e.g. a chat the bot has not met yet: /stats still works there
            log.warning("no admin command menu for chat %s: %s", chat_id, err)


def build_application(token: str, base_url: str | None = None, max_retries: int = 5,
                      usage: UsageLog | None = None) -> Application:
    """The bot with all its handlers, HTML defaults, a retrying rate limiter, and per-chat ordered updates."""
    engine = get_engine()
    default = engine if hasattr(engine, "all_suggestions") else engine.view()  # the default document's view
    ids = ButtonIds()
    for question in default.all_suggestions() + default.glossary_questions():
        ids.register(question)
    base_url = base_url or DEFAULT_API_URL
    bot = JournalBot(token, base_url=base_url, base_file_url=base_url.replace("/bot", "/file/bot"),
                     request=HTTPXRequest(connection_pool_size=256), get_updates_request=HTTPXRequest(),
                     defaults=Defaults(parse_mode=ParseMode.HTML), rate_limiter=AIORateLimiter(max_retries=max_retries))
    app = (Application.builder().bot(bot).concurrent_updates(PerChatProcessor()).post_init(_post_init).build())
    app.bot_data["ids"] = ids
    app.bot_data["usage"] = usage if usage is not None else UsageLog()
    app.add_handler(MessageHandler(filters.UpdateType.EDITED | filters.UpdateType.CHANNEL_POSTS, handlers.ignore))
    app.add_handler(CommandHandler("start", handlers.start))
    app.add_handler(CommandHandler("help", handlers.help_command))
    app.add_handler(CommandHandler("chart", handlers.chart))
    app.add_handler(CommandHandler("doc", handlers.doc))
    app.add_handler(CommandHandler("sources", handlers.sources))
    app.add_handler(CommandHandler("glossary", handlers.glossary))
    app.add_handler(CommandHandler("check", handlers.check))
    app.add_handler(CommandHandler("export", handlers.export_command))
    app.add_handler(CommandHandler("stats", handlers.stats))
    app.add_handler(MessageHandler(filters.COMMAND, handlers.on_unknown_command))
    app.add_handler(MessageHandler(filters.TEXT, handlers.on_text))
    app.add_handler(MessageHandler(filters.ALL, handlers.on_other_message))
    app.add_handler(CallbackQueryHandler(handlers.on_button))
    app.add_handler(InlineQueryHandler(handlers.on_inline))
    app.add_error_handler(on_error)
    return app


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Errors of the pipeline's own kinds stay quiet: a passing fault is retried (no apology, no traceback), a
    reply that can never arrive (the user blocked the bot) is recorded; anything else goes to handlers.on_error."""
    handling = current_handling()
    if handling is not None and handling.transient is not None:
        return
    if handling is not None and is_undeliverable(context.error):
        handling.undelivered = str(context.error)[:100]  # Telegram's own words, e.g. "Forbidden: bot was blocked…"
        log.info("a reply could not be delivered (%s)", handling.undelivered)
        return
    await handlers.on_error(update, context)


def open_inbox(path: Path | None = None) -> Inbox:
    """The durable update queue: BUDGETBOT_INBOX, else inbox.db in the data folder (or the user's data dir)."""
    path = path or paths.inbox_path()
    try:
        return Inbox(path)
    except (sqlite3.Error, OSError) as exc:
        log.warning("cannot write %s (%s): updates are kept in memory only, so a crash may lose some",
                    path, type(exc).__name__)
        return Inbox(":memory:")


async def serve(app: Application, inbox: Inbox, webhook: dict | None = None, stop: asyncio.Event | None = None,
                health_file: Path | None = None) -> None:
    """Run until SIGTERM/SIGINT (or `stop` is set): intake stops at once, and it returns within STOP_BUDGET seconds."""
    if stop is None:
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    usage: UsageLog = app.bot_data["usage"]
    pipeline = Pipeline(app, inbox, grace=limits.STOP_BUDGET / 3, health_file=health_file)
    app.bot_data["pipeline"] = pipeline
    usage.status_lines.append(pipeline.status_text)
    server = None
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        await pipeline.start(polling=webhook is None)
        if webhook is not None:
            server = webhook_server(pipeline, webhook["secret"])
            server.listen(webhook["port"], webhook["listen"])
            app.bot_data["webhook_server"] = server
            await app.bot.set_webhook(webhook["url"], secret_token=webhook["secret"],
                                      allowed_updates=Update.ALL_TYPES)
        log.info("budgetbot is running (%s)", "webhook" if webhook else "long polling")
        await stop.wait()
        log.info("stopping")
        if server is not None:
            server.stop()
        await pipeline.stop()
    finally:
        try:
            await asyncio.wait_for(_close(app), timeout=limits.STOP_BUDGET / 3)
        except (asyncio.TimeoutError, Exception) as exc:  # never let a slow close hold the exit
            log.warning("closing took too long (%s)", type(exc).__name__)
        inbox.close()


async def _close(app: Application) -> None:
    if app.running:
        await app.stop()
    await app.shutdown()


def run() -> None:
    """Run from the environment: TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL, and WEBHOOK_URL/PORT for webhook mode."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry the token in the URL
    token = os.environ["TELEGRAM_BOT_TOKEN"]
    app = build_application(token, os.environ.get("TELEGRAM_API_URL") or DEFAULT_API_URL)
    webhook = None
    if os.environ.get("WEBHOOK_URL"):
        webhook = {"url": os.environ["WEBHOOK_URL"].rstrip("/") + "/telegram", "listen": "0.0.0.0",
                   "port": int(os.environ.get("PORT", "8443")),
                   "secret": os.environ.get("WEBHOOK_SECRET") or hashlib.sha256(token.encode()).hexdigest()[:32]}
    path = paths.inbox_path()
    asyncio.run(serve(app, open_inbox(path), webhook, health_file=paths.health_path(path)))


def check_health(path: Path | None = None, max_stall: float | None = None, now: float | None = None) -> tuple[int, str]:
    """`budgetbot serve --check-health`: 0 and a line when serve's heartbeat is fresh and nothing has been stalled
    longer than max_stall seconds (default MAX_STALL); 1 and what is wrong otherwise."""
    path = path or paths.health_path()
    max_stall = limits.MAX_STALL if max_stall is None else max_stall
    now = time.time() if now is None else now
    try:
        beat = json.loads(path.read_text())
        age, stalled = now - float(beat["time"]), beat.get("stalled_since")
    except FileNotFoundError:
        return 1, f"unhealthy: no heartbeat at {path} (is budgetbot serve running?)"
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return 1, f"unhealthy: cannot read {path} ({type(exc).__name__})"
    if beat.get("stopped"):
        return 1, "unhealthy: budgetbot serve has stopped"
    if age > limits.HEARTBEAT_STALE:
        return 1, f"unhealthy: last heartbeat {age:.0f} s ago (the process is stuck, gone, or cannot write)"
    if stalled is not None and now - stalled > max_stall:
        return 1, f"unhealthy: stalled for {now - stalled:.0f} s ({beat.get('reason', '')})"
    note = f"; failing for {now - stalled:.0f} s ({beat.get('reason', '')})" if stalled is not None else ""
    return 0, f"healthy: {beat.get('mode', 'serve')}, {beat.get('pending', 0)} update(s) pending{note}"
