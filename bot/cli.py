"""The `budgetbot` command: a thin shell over the library (build, ask, chat, serve)."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import paths


def cmd_build(args: argparse.Namespace) -> int:
    """Build the database; print the checks with --check."""
    from .ingest.build import build
    from .ingest.source import SourceError

    sources = [Path(s) for s in args.source] or paths.sources()
    try:
        checks = build(sources, Path(args.db))
    except SourceError as exc:
        print(f"budgetbot build: {exc}", file=sys.stderr)
        return 2
    failed = [c for c in checks if not c.passed]
    print(f"built {args.db} from {len(sources)} disclosure(s): {len(checks)} checks, {len(failed)} failed")
    from .datasette import write_metadata

    write_metadata(Path(args.db).with_name("metadata.yml"))
    if args.check:
        for c in sorted(checks, key=lambda c: c.passed):
            mark = "PASS" if c.passed else "FAIL"
            print(f"{mark}  [{c.kind}] {c.name}: expected {c.expected}, actual {c.actual}, difference {c.difference}")
    return 0


def _reply_json(ans, full: bool) -> str:
    data = ans.to_dict() if full else {"status": ans.status, "text": ans.text, "query": ans.query,
                                       "suggestions": ans.suggestions}
    return json.dumps(data, ensure_ascii=False, default=str)


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question, or (--jsonl) one question per stdin line."""
    from .engine import answer

    if args.jsonl:
        for line in sys.stdin:
            try:
                ans = answer(line.rstrip("\n"))
                print(_reply_json(ans, False), flush=True)
            except Exception as exc:  # a bad line must not stop the stream
                print(json.dumps({"status": "unknown", "text": f"无法处理这一行：{type(exc).__name__}"},
                                 ensure_ascii=False), flush=True)
        return 0
    question = " ".join(args.question)
    ans = answer(question)
    print(_reply_json(ans, True) if args.json else ans.text)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """An interactive terminal session with the same replies as the bot."""
    from .engine import answer, get_engine

    doc = get_engine().vocab.document
    print(f"预算问答（{doc['unit']}{doc['year']}年度单位{doc['stage']}公开）。输入问题，回车提问；输入 q 退出。")
    previous = None
    while True:
        try:
            question = input("问> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if question.strip().lower() in ("q", "quit", "exit", "退出"):
            return 0
        ans = answer(question, previous)
        previous = ans.subject or previous
        print(ans.text)
        for k, s in enumerate(ans.suggestions, 1):
            print(f"  [{k}] {s}")
        print()


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the Telegram bot (long polling, or a webhook when WEBHOOK_URL is set)."""
    if not os.environ.get("TELEGRAM_BOT_TOKEN"):
        print("budgetbot serve: set TELEGRAM_BOT_TOKEN (from @BotFather) to run the Telegram bot; "
              "`budgetbot chat` answers in the terminal without one.", file=sys.stderr)
        return 2
    from .telegram.app import run

    run()
    return 0


def cmd_misses(args: argparse.Namespace) -> int:
    """List the most frequent unanswered or disliked questions from data/usage.db."""
    from .usage import UsageLog, usage_path

    if not usage_path().exists():
        print(f"no usage recorded yet ({usage_path()})")
        return 0
    log = UsageLog(enabled=True)
    rows = log.misses(args.top)
    for question, n, why in rows:
        print(f"{n:5d}  {why:12s}  {question}")
    if not rows:
        print("no unanswered or disliked questions recorded")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the facts view and the checks as CSV or JSON."""
    from .export import export

    written = export(args.format, Path(args.out) if args.out else None)
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
    parser = argparse.ArgumentParser(prog="budgetbot", description="忻州市人社局2023年预算公开问答机器人")
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("build", help="build data/budget.db from the disclosure text")
    p.add_argument("--source", action="append", default=[], help="a disclosure text file (repeatable)")
    p.add_argument("--db", default=str(paths.db_path()), help="where to write the database")
    p.add_argument("--check", action="store_true", help="print every data check, failed ones first")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("ask", help="answer one question (or --jsonl: one per stdin line)")
    p.add_argument("question", nargs="*")
    p.add_argument("--json", action="store_true", help="print the whole Answer as JSON")
    p.add_argument("--jsonl", action="store_true", help="read questions from stdin, write one JSON object per line")
    p.set_defaults(func=cmd_ask)
    p = sub.add_parser("chat", help="chat in the terminal (no Telegram token needed)")
    p.set_defaults(func=cmd_chat)
    p = sub.add_parser("misses", help="most frequent unanswered or disliked questions")
    p.add_argument("--top", type=int, default=20)
    p.set_defaults(func=cmd_misses)
    p = sub.add_parser("export", help="write the facts view and checks for spreadsheets")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--out", help="file to write (csv: the checks go beside it as NAME-checks.csv); default stdout")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("metadata", help="write Datasette metadata generated from queries/")
    p.add_argument("--out", default=str(paths.DATA / "metadata.yml"))
    p.set_defaults(func=cmd_metadata)
    p = sub.add_parser("serve", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    p.set_defaults(func=cmd_serve)
    args = parser.parse_args(argv)
    if args.command is None:  # the main job: the bot when a token is set, else the terminal chat
        return cmd_serve(args) if os.environ.get("TELEGRAM_BOT_TOKEN") else cmd_chat(args)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
