"""The `budgetbot` command: a thin shell over the library (build, ask, chat, serve)."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import paths

MAIN_JOB = ("Without a command, budgetbot runs the main job: `serve` (the Telegram bot) when TELEGRAM_BOT_TOKEN is "
            "set, otherwise `chat` (questions in the terminal).")


def _text(value: str) -> str:
    """Command-line text as valid Unicode: bytes that were not UTF-8 become U+FFFD."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


MAX_REPORT_LINES = 50


def build_report(conn) -> list[str]:
    """One line per document: its tables read, partly read, kept unmapped and empty, and what is missing."""
    out = []
    rows = conn.execute(
        "select d.id, d.unit || d.year || '年' || d.stage, d.source_file, coalesce(d.problems, ''), "
        "sum(t.status = 'read'), sum(t.status = 'partly'), sum(t.status = 'kept'), sum(t.status = 'empty') "
        "from documents d left join budget_tables t on t.document_id = d.id group by d.id order by d.id").fetchall()
    for _, label, name, problems, read, partly, kept, empty in rows:
        line = (f"{label} ({name}): tables {read or 0} read, {partly or 0} partly read, {kept or 0} kept unmapped, "
                f"{empty or 0} empty")
        if problems:
            line += "; " + problems.replace("\n", "; ")
        out.append(line)
    return out


def cmd_build(args: argparse.Namespace) -> int:
    """Build the database; print the checks with --check. Any refusal is one line with printable names."""
    from .ingest.files import expand_sources, printable
    from .ingest.source import SourceError

    from .store import build_into

    db = Path(args.db)
    try:
        sources = expand_sources([Path(s) for s in args.source], check=False) if args.source else paths.sources()
        urls = {str(Path(args.source[-1])): args.url} if args.url and args.source else {}
        build_into(sources, db, jobs=max(1, args.jobs), urls=urls, full=args.full)
    except SourceError as exc:  # a bad disclosure or one over a build limit (bot/ingest/limits.py)
        print(f"budgetbot build: {printable(str(exc))}", file=sys.stderr)
        return 2
    except MemoryError:
        print("budgetbot build: out of memory reading the disclosures; lower the build limits (BUDGETBOT_MAX_… "
              "in bot/ingest/limits.py) or give the build more memory", file=sys.stderr)
        return 2
    except OSError as exc:  # a read-only folder, a full disk: one line, not a traceback
        print(f"budgetbot build: cannot write {printable(db)}: {exc.strerror or type(exc).__name__} "
              "(choose another place with --db, or set BUDGETBOT_DATA)", file=sys.stderr)
        return 2
    import sqlite3

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        report = build_report(conn)
        n_docs, n_checks, n_failed = conn.execute(
            "select (select count(*) from documents), count(*), coalesce(sum(passed = 0), 0) from checks").fetchone()
    failed = [None] * n_failed
    for line in report[:MAX_REPORT_LINES]:
        print(printable(line))
    if len(report) > MAX_REPORT_LINES:
        print(f"… and {len(report) - MAX_REPORT_LINES} more documents (budgetbot sources lists them all)")
    print(f"built {printable(db)} from {n_docs} disclosure(s): {n_checks} checks, {n_failed} failed")
    from .datasette import write_metadata

    try:
        write_metadata(db.with_name("metadata.yml"))
    except OSError as exc:
        print(f"budgetbot build: metadata.yml not written: {exc.strerror or type(exc).__name__}", file=sys.stderr)
    if failed:
        print(f"The {len(failed)} failed check(s) are the document's own arithmetic (its printed figures do not add "
              "up), not a failure of the build: the database holds the figures as published.")
    if args.check:
        import sqlite3

        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            rows = conn.execute("select c.passed, d.unit || d.year || '年' || d.stage, c.kind, c.name, c.expected, "
                                "c.actual, c.difference from checks c join documents d on d.id = c.document_id "
                                "order by c.passed, c.document_id, c.id").fetchall()
        for passed, doc, kind, name, expected, actual, difference in rows:
            print(printable(f"{'PASS' if passed else 'FAIL'}  {doc} [{kind}] {name}: expected {expected}, "
                            f"actual {actual}, difference {difference}"))
    return 0


def _reply_json(ans, full: bool) -> str:
    data = ans.to_dict() if full else {"status": ans.status, "text": ans.text, "query": ans.query,
                                       "suggestions": ans.suggestions}
    return json.dumps(data, ensure_ascii=False, default=str)


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question, or (--jsonl) one question per stdin line."""
    from .engine import answer
    from .normalize import strip_controls

    log = _usage(args.log)
    previous = _chosen_document(getattr(args, "doc", None))
    if previous is False:
        return 2
    if args.jsonl:
        # Bytes in, bytes out: any input line (invalid UTF-8 too) gives one valid UTF-8 JSON line, whatever the locale.
        out = sys.stdout.buffer
        for raw in sys.stdin.buffer:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            try:
                ans = answer(line, previous)
                reply = _reply_json(ans, False)
                if log:
                    log.question(line, ans.status, ans.query, channel="ask")
            except Exception as exc:  # a bad line must not stop the stream
                reply = json.dumps({"status": "unknown", "text": f"无法处理这一行：{type(exc).__name__}"},
                                   ensure_ascii=False)
            out.write(reply.encode("utf-8", "replace") + b"\n")
            out.flush()
        return 0
    question = _text(" ".join(args.question))
    ans = answer(question, previous)
    if log:
        log.question(question, ans.status, ans.query, channel="ask")
    print(_reply_json(ans, True) if args.json else strip_controls(_with_url(ans)))
    return 0


def _with_url(ans) -> str:
    """A reply as the terminal shows it: the text, then where its document was published, when known."""
    return ans.text + (f"\n原文：{ans.url}" if getattr(ans, "url", "") else "")


def _chosen_document(name: str | None):
    """The Context for --doc NAME (None without it; False, after saying why, when NAME picks no single document)."""
    if not name:
        return None
    from .engine import get_engine
    from .understand import Context

    engine = get_engine()
    doc_id = engine.find_document(_text(name))
    if doc_id is None:
        loaded = "; ".join(d.label for d in engine.docs)
        print(f"budgetbot: --doc {name!r} does not pick one loaded document (loaded: {loaded})", file=sys.stderr)
        return False
    return Context(document=doc_id)


def _usage(enabled: bool):
    """The usage log for a terminal command, or None (USAGE_LOG=0 turns it off)."""
    if not enabled:
        return None
    from .usage import UsageLog

    log = UsageLog()
    return log if log.enabled else None


def cmd_chat(args: argparse.Namespace) -> int:
    """An interactive terminal session with the same replies as the bot."""
    from .engine import answer, get_engine
    from .normalize import strip_controls

    log = _usage(True)
    previous = _chosen_document(getattr(args, "doc", None))
    if previous is False:
        return 2
    engine = get_engine()
    here = engine.view(previous.document).doc if previous else engine.doc
    others = f"；另载入{len(engine.docs) - 1}份文件，问题里点名单位即可" if len(engine.docs) > 1 else ""
    print(f"预算问答（当前文件：{here.label}{others}）。输入问题，回车提问；输入 q 退出。")
    while True:
        try:
            question = input("问> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if question.strip().lower() in ("q", "quit", "exit", "退出"):
            return 0
        question = _text(question)
        ans = answer(question, previous)
        if ans.subject or ans.document_id:
            kept = ans.context
            if not ans.subject and previous:  # a choice or an unknown keeps the last subject
                kept.subject, kept.items = previous.subject, previous.items
            previous = kept
        if log and question.strip():
            log.question(question, ans.status, ans.query, channel="chat")
        print(strip_controls(_with_url(ans)))
        for k, s in enumerate(ans.suggestions, 1):
            print(f"  [{k}] {strip_controls(s)}")
        print()


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the Telegram bot (long polling, or a webhook when WEBHOOK_URL is set); --check-health probes a running one."""
    if getattr(args, "check_health", False):
        from .telegram.app import check_health

        code, line = check_health(max_stall=args.max_stall)
        print(line, file=sys.stdout if code == 0 else sys.stderr)
        return code
    if not os.environ.get("TELEGRAM_BOT_TOKEN"):
        print("budgetbot serve: set TELEGRAM_BOT_TOKEN (from @BotFather) to run the Telegram bot; "
              "`budgetbot chat` answers in the terminal without one.", file=sys.stderr)
        return 2
    from .telegram.app import run

    run()
    return 0


def cmd_misses(args: argparse.Namespace) -> int:
    """List the most frequent unanswered or disliked questions from data/usage.db."""
    from .normalize import strip_controls
    from .usage import UsageLog, usage_path

    path = usage_path()
    if not path.exists():
        print(f"no usage recorded yet ({strip_controls(str(path))})")
        return 0
    log = UsageLog(path, enabled=True, read_only=True)
    if log.conn is None:
        print(f"budgetbot misses: cannot read {strip_controls(str(path))}", file=sys.stderr)
        return 2
    rows = log.misses(args.top, args.channel)
    for question, n, why in rows:  # what people typed: never let it drive the terminal (escapes, bidi)
        print(f"{n:5d}  {strip_controls(why or '', keep=''):12s}  {strip_controls(question, keep='')}")
    if not rows:
        print("no unanswered or disliked questions recorded")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the facts view and the checks as CSV or JSON."""
    from .export import export

    try:
        written = export(args.format, Path(args.out) if args.out else None)
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            raise
        print(f"budgetbot export: cannot write {args.out}: {exc.strerror or type(exc).__name__}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    return 0


def cmd_metadata(args: argparse.Namespace) -> int:
    """Write Datasette metadata (title, source, licence, columns, canned queries) generated from queries/."""
    from .datasette import write_metadata

    print(f"wrote {write_metadata(Path(args.out))}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one subcommand."""
    parser = argparse.ArgumentParser(prog="budgetbot", description=f"预算/决算公开问答机器人（默认文件：忻州市人社局2023年单位预算）. {MAIN_JOB}")
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("build", help="build data/budget.db from the disclosures (PDF or text)")
    p.add_argument("--source", action="append", default=[], help="a disclosure PDF or text file, or a folder of them (repeatable)")
    p.add_argument("--db", default=str(paths.db_path()), help="where to write the database")
    p.add_argument("--jobs", type=int, default=1, help="read documents in this many processes (one per core)")
    p.add_argument("--url", help="where the (last) --source file was published, given in replies and /sources")
    p.add_argument("--full", action="store_true", help="rebuild everything (default: read only new or changed files)")
    p.add_argument("--check", action="store_true",
                   help="print every data check, failed ones first (a failed check is the document's own arithmetic; "
                        "the exit status is non-zero only when the build itself fails)")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("ask", help="answer one question (or --jsonl: one per stdin line)")
    p.add_argument("question", nargs="*")
    p.add_argument("--json", action="store_true", help="print the whole Answer as JSON")
    p.add_argument("--jsonl", action="store_true", help="read questions from stdin, write one JSON object per line")
    p.add_argument("--log", action="store_true", help="record the questions in the usage log (channel 'ask')")
    p.add_argument("--doc", help="the document questions that name none go to (a unit's name or short name, a year)")
    p.set_defaults(func=cmd_ask)
    p = sub.add_parser("chat", help="chat in the terminal (no Telegram token needed)")
    p.add_argument("--doc", help="the document questions that name none go to (a unit's name or short name, a year)")
    p.set_defaults(func=cmd_chat)
    p = sub.add_parser("misses", help="most frequent unanswered or disliked questions")
    p.add_argument("--top", type=int, default=20)
    p.add_argument("--channel", choices=["telegram", "chat", "ask"], help="only questions asked there")
    p.set_defaults(func=cmd_misses)
    p = sub.add_parser("export", help="write the facts view and checks for spreadsheets")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--out", help="file to write (csv: the checks go beside it as NAME-checks.csv); default stdout "
                                 "(csv: the facts, an empty line, then the checks)")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("metadata", help="write Datasette metadata generated from queries/")
    p.add_argument("--out", default=str(paths.DATA / "metadata.yml"))
    p.set_defaults(func=cmd_metadata)
    p = sub.add_parser("serve", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    p.add_argument("--check-health", action="store_true",
                   help="do not serve: exit 0 if the running serve's heartbeat is fresh and its intake not stalled, "
                        "else 1 with the reason (for a container HEALTHCHECK or a systemd watchdog)")
    p.add_argument("--max-stall", type=float, default=None, metavar="SECONDS",
                   help="with --check-health: how long intake may fail before it counts as unhealthy (default 60)")
    p.set_defaults(func=cmd_serve)
    args = parser.parse_args(argv)
    for stream in (sys.stdout, sys.stderr, sys.stdin):  # never die on a byte the terminal cannot take
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    if args.command is None:  # the main job: the bot when a token is set, else the terminal chat
        args.func = cmd_serve if os.environ.get("TELEGRAM_BOT_TOKEN") else cmd_chat
    try:
        code = args.func(args)
        sys.stdout.flush()
        return code
    except BrokenPipeError:  # `budgetbot export | head`: the reader has gone; stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
