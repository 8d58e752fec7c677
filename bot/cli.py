"""The `budgetbot` command: a thin shell over the library (build, ask, chat, serve)."""
from __future__ import annotations

import argparse
import json
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
    if args.check:
        for c in sorted(checks, key=lambda c: c.passed):
            mark = "PASS" if c.passed else "FAIL"
            print(f"{mark}  [{c.kind}] {c.name}: expected {c.expected}, actual {c.actual}, difference {c.difference}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one subcommand."""
    parser = argparse.ArgumentParser(prog="budgetbot", description="忻州市人社局2023年预算公开问答机器人")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build", help="build data/budget.db from the disclosure text")
    p.add_argument("--source", action="append", default=[], help="a disclosure text file (repeatable)")
    p.add_argument("--db", default=str(paths.db_path()), help="where to write the database")
    p.add_argument("--check", action="store_true", help="print every data check, failed ones first")
    p.set_defaults(func=cmd_build)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
