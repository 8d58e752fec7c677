"""Time to first reply for a cold start: a question waits at the fake Bot API, then `budgetbot serve` starts.

Measures from process start to the reply's sendMessage (database already built). Loopback only; bounded.
"""
from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
from bench_load import serve_env  # noqa: E402
from fake_telegram import FakeTelegram  # noqa: E402


async def once() -> float:
    """Seconds from starting `budgetbot serve` to its first reply."""
    fake = FakeTelegram()
    env = serve_env(fake, await fake.start())
    fake.send_text(1, "三公经费多少")
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        await fake.wait_for(lambda: fake.messages(1), timeout=60)
        return time.monotonic() - t0
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        await fake.stop()


def main(runs: int = 5) -> None:
    """Print median and max over runs."""
    times = [asyncio.run(once()) for _ in range(runs)]
    print(f"cold start to first reply: median {statistics.median(times):.2f} s, max {max(times):.2f} s ({runs} runs)")


if __name__ == "__main__":
    main()
