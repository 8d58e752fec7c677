"""Crash and shutdown: 1,000 questions through `budgetbot serve`, SIGKILLed mid-backlog and restarted.

Reports messages lost, doubled and out of order, and the seconds from SIGTERM to exit with the backlog
waiting. Loopback only (the local fake Bot API); bounded in count and time.
"""
from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from test_reliability_serve import kill_and_restart  # noqa: E402


def main(chats: int = 200, per_chat: int = 5, kills: int = 3) -> dict:
    """SIGKILL `kills` times during a chats × per_chat backlog, then SIGTERM once during another."""
    crash = asyncio.run(kill_and_restart(chats, per_chat, kills=kills, signum=signal.SIGKILL))
    term = asyncio.run(kill_and_restart(chats, per_chat, kills=1, signum=signal.SIGTERM))
    keys = ("messages", "lost", "doubled", "out_of_order_chats", "rejected")
    return {"sigkill": {k: crash[k] for k in keys} | {"kills": kills},
            "sigterm": {k: term[k] for k in keys} | {"stop_seconds": term["stop_seconds"],
                                                     "getupdates_after_signal": term["getupdates_after_signal"]}}


if __name__ == "__main__":
    print(json.dumps(main()))
