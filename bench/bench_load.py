"""Load: 1,000 questions from 200 chats through `budgetbot serve` and the local fake Bot API server.

`python bench/bench_load.py` measures this checkout; `python bench/bench_load.py OTHER_CHECKOUT` runs OTHER's
`bot` package instead (e.g. the commit before a change), with this fake server and questions.

Reports throughput, p50/p99 from update to reply (rate limiter on), and the resident memory of the serve
process. Loopback only; bounded in count and time.
"""
from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from fake_telegram import FakeTelegram  # noqa: E402

QUESTIONS = ["三公经费多少", "取暖费预算多少", "项目支出有哪些", "内设机构几个", "机关运行经费比上年增加多少",
             "卫生健康支出占比", "法律顾问费", "什么是机关运行经费", "养老保险科编制", "政府采购预算"]


def rss_kb(pid: int) -> tuple[int, int]:
    """(current, peak) resident memory of a process in kB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def serve_env(fake: FakeTelegram, base: str) -> dict:
    """The environment for a `budgetbot serve` against the fake, with its own usage log and inbox."""
    state = tempfile.mkdtemp()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": base,
           "BUDGETBOT_USAGE_DB": os.path.join(state, "usage.db"), "BUDGETBOT_INBOX": os.path.join(state, "inbox.db")}
    env.pop("WEBHOOK_URL", None)
    return env


async def main(chats: int = 200, per_chat: int = 5, limit_s: float = 300) -> dict:
    """Run the load and return the figures."""
    fake = FakeTelegram()
    base = await fake.start()
    env = serve_env(fake, base)
    if len(sys.argv) > 1:
        env["PYTHONPATH"] = str(Path(sys.argv[1]).resolve())
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        await fake.wait_for(lambda: any(c[0] == "getUpdates" for c in fake.calls), timeout=60)
        pushed: dict[int, list[float]] = {}
        t0 = time.monotonic()
        for k in range(per_chat):
            for chat in range(1, chats + 1):
                fake.send_text(10_000 + chat, QUESTIONS[(chat + k) % len(QUESTIONS)])
                pushed.setdefault(10_000 + chat, []).append(time.monotonic())
        replied: dict[int, list[float]] = {}
        seen = 0
        deadline = t0 + limit_s
        while seen < chats * per_chat and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            for msg in fake.sent[seen:]:
                replied.setdefault(msg["chat"]["id"], []).append(time.monotonic())
            seen = len(fake.sent)
        elapsed = time.monotonic() - t0
        latencies = [r - p for chat, ps in pushed.items() for p, r in zip(sorted(ps), sorted(replied.get(chat, [])))]
        latencies.sort()
        # Then a steady trickle well under Telegram's limits: what one journalist waits.
        steady = []
        for k in range(50):
            chat = 90_000 + k
            t = time.monotonic()
            fake.send_text(chat, QUESTIONS[k % len(QUESTIONS)])
            await fake.wait_for(lambda: fake.messages(chat), timeout=30)
            steady.append(time.monotonic() - t)
            await asyncio.sleep(0.1)
        steady.sort()
        rss, peak = rss_kb(proc.pid)
        return {"steady_p50_ms": round(statistics.median(steady) * 1000), "steady_max_ms": round(max(steady) * 1000),"questions": chats * per_chat, "chats": chats, "replies": seen, "seconds": round(elapsed, 1),
                "throughput_per_s": round(seen / elapsed, 1),
                "p50_s": round(statistics.median(latencies), 2) if latencies else None,
                "p99_s": round(latencies[int(len(latencies) * 0.99) - 1], 2) if latencies else None,
                "rss_mb": round(rss / 1024, 1), "peak_rss_mb": round(peak / 1024, 1),
                "rejected": len(fake.rejected)}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        await fake.stop()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
