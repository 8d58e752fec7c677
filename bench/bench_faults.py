"""Faults and floods through `budgetbot serve` and the local fake Bot API server (issue 18).

`python bench/bench_faults.py` measures this checkout; `python bench/bench_faults.py OTHER_CHECKOUT` runs OTHER's
`bot` package instead (e.g. the commit before a change), with this fake server.

- chats_50k: 50,000 chats each send a question at once (long polling). Peak resident memory of the serve process
  while it takes them in and answers for 20 s (Telegram's 30 messages a second: the rest waits), then after a
  restart with that backlog waiting, for another 20 s; how long until an update sent during the backlog is
  confirmed (polled), in both runs.
- inline_flood: 1,000 inline queries, then a chat's question: seconds from the question to its answer
  (3 runs), and how many of the inline queries were answered first.
- chart_flood: 60 /chart requests from 60 chats, then a question: the same.
- chats_50k_webhook: the 50,000 chats' updates posted to the webhook, 16 connections at a time: peak memory.
- chat_states_1m: a restart with a million chats' saved states in the inbox: time to the first answer, memory.
Loopback only; bounded in count and time.
"""
from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
from bench_load import rss_kb, serve_env  # noqa: E402
from fake_telegram import FakeTelegram  # noqa: E402

CHATS = 50_000
DRAIN_S = 20.0


def start(fake: FakeTelegram, base: str, env: dict | None = None) -> tuple[subprocess.Popen, dict]:
    """A `budgetbot serve` against the fake (reusing env, i.e. its inbox, if given)."""
    env = env or serve_env(fake, base)
    if len(sys.argv) > 1:
        env["PYTHONPATH"] = str(Path(sys.argv[1]).resolve())
    cwd = sys.argv[1] if len(sys.argv) > 1 else str(ROOT)
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    return proc, env


async def watch_peak(proc: subprocess.Popen, seconds: float) -> int:
    """The peak resident memory (kB) of proc after `seconds` (the kernel's high-water mark)."""
    await asyncio.sleep(seconds)
    return rss_kb(proc.pid)[1]


async def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    while proc.poll() is None:
        await asyncio.sleep(0.05)


async def confirmed_within(fake: FakeTelegram, chat: int) -> float | None:
    """Seconds until an update sent now is confirmed by the bot's next getUpdates offset (None: over a minute)."""
    uid = fake.send_text(chat, "取暖费多少")
    t0 = time.monotonic()
    try:
        await fake.wait_for(lambda: fake.confirmed > uid, timeout=60)
    except AssertionError:
        return None  # not within a minute
    return round(time.monotonic() - t0, 2)


async def chats_50k() -> dict:
    """Peak memory with 50 k chats, while taking them in and at a restart with the backlog."""
    fake = FakeTelegram()
    base = await fake.start()
    try:
        proc, env = start(fake, base)
        await fake.wait_for(lambda: fake.count("getUpdates") > 0, timeout=60)
        idle = rss_kb(proc.pid)[0]
        for k in range(CHATS):
            fake.send_text(1_000_000 + k, "三公经费多少")
        t0 = time.monotonic()
        try:
            await fake.wait_for(lambda: not fake.updates, timeout=120)
            intake_s = round(time.monotonic() - t0, 1)
        except AssertionError:
            intake_s = None  # not all taken in within two minutes
        polled_during = await confirmed_within(fake, 7)
        peak_first = await watch_peak(proc, DRAIN_S)
        answered = len(fake.sent)
        await stop(proc)
        proc, _ = start(fake, base, env)
        await fake.wait_for(lambda: fake.count("getUpdates") > 1, timeout=120)
        polled_restart = await confirmed_within(fake, 8)
        peak_restart = await watch_peak(proc, DRAIN_S)
        await stop(proc)
        return {"chats": CHATS, "idle_rss_mb": round(idle / 1024), "intake_s": intake_s,
                "answered_in_first_run": answered, "peak_rss_mb": round(peak_first / 1024),
                "peak_rss_after_restart_mb": round(peak_restart / 1024),
                "new_update_confirmed_s": polled_during, "new_update_confirmed_at_restart_s": polled_restart}
    finally:
        await fake.stop()


async def chats_50k_webhook() -> dict:
    """Peak memory while 50 k chats' updates are posted to the webhook (16 connections at a time)."""
    import aiohttp
    from test_serve import _free_port, _wait_listening

    fake = FakeTelegram()
    base = await fake.start()
    port = _free_port()
    env = {**serve_env(fake, base), "WEBHOOK_URL": "https://bench.example.org", "PORT": str(port),
           "WEBHOOK_SECRET": "s"}
    try:
        proc, _ = start(fake, base, env)
        await fake.wait_for(lambda: fake.webhook, timeout=60)
        await _wait_listening(port)
        idle = rss_kb(proc.pid)[0]
        for k in range(CHATS):
            fake.send_text(1_000_000 + k, "三公经费多少")
        updates, fake.updates = fake.updates, []
        statuses: dict[int, int] = {}

        async def poster(share: list[dict]) -> None:
            async with aiohttp.ClientSession() as s:
                for update in share:
                    r = await s.post(f"http://127.0.0.1:{port}/telegram", json=update,
                                     headers={"X-Telegram-Bot-Api-Secret-Token": "s"})
                    statuses[r.status] = statuses.get(r.status, 0) + 1

        t0 = time.monotonic()
        await asyncio.gather(*(poster(updates[k::16]) for k in range(16)))
        intake_s = round(time.monotonic() - t0, 1)
        peak = await watch_peak(proc, DRAIN_S)
        await stop(proc)
        return {"chats": CHATS, "idle_rss_mb": round(idle / 1024), "intake_s": intake_s, "http": statuses,
                "answered": len(fake.sent), "peak_rss_mb": round(peak / 1024)}
    finally:
        await fake.stop()


async def chat_states_1m() -> dict:
    """Start-up with a million chats' saved states in the inbox: time to the first answer, and memory."""
    import sqlite3

    fake = FakeTelegram()
    base = await fake.start()
    env = serve_env(fake, base)
    try:
        proc, _ = start(fake, base, env)  # creates the inbox
        await fake.wait_for(lambda: fake.count("getUpdates") > 0, timeout=60)
        await stop(proc)
        conn = sqlite3.connect(env["BUDGETBOT_INBOX"])
        state = json.dumps({"context": {"subject": "econ|取暖费", "items": [], "document": None}})
        with conn:
            conn.executemany("INSERT INTO chats (chat_key, data, touched) VALUES (?, ?, ?)",
                             ((str(5_000_000 + k), state, time.time()) for k in range(1_000_000)))
        conn.close()
        fake.send_text(5_000_001, "那去年呢？")  # a chat whose state is among the million
        t0 = time.monotonic()
        proc, _ = start(fake, base, env)
        await fake.wait_for(lambda: fake.messages(5_000_001), timeout=120)
        first = round(time.monotonic() - t0, 2)
        rss, peak = rss_kb(proc.pid)
        await stop(proc)
        return {"chat_states": 1_000_000, "start_to_first_answer_s": first, "rss_mb": round(rss / 1024),
                "peak_rss_mb": round(peak / 1024)}
    finally:
        await fake.stop()


async def flood(kind: str, runs: int = 3) -> dict:
    """Seconds from a question to its answer behind a flood of inline queries or charts."""
    delays, first = [], []
    for run in range(runs):
        fake = FakeTelegram()
        base = await fake.start()
        proc, _ = start(fake, base)
        try:
            await fake.wait_for(lambda: fake.count("getUpdates") > 0, timeout=60)
            if kind == "inline":
                for k in range(1000):
                    fake.inline(200_000 + k, ["三公经费", "取暖", "项目支出", "培训费"][k % 4])
            else:
                for k in range(60):
                    fake.send_text(300_000 + k, "/chart 支出结构")
            t0 = time.monotonic()
            fake.send_text(9, "三公经费多少")
            await fake.wait_for(lambda: fake.messages(9), timeout=300)
            delays.append(time.monotonic() - t0)
            first.append(sum(1 for m in fake.sent if "inline_query_id" in m) if kind == "inline"
                         else fake.count("sendPhoto"))
        finally:
            await stop(proc)
            await fake.stop()
    return {"question_delay_s": [round(d, 2) for d in delays], "median_s": round(statistics.median(delays), 2),
            ("inline_answered_first" if kind == "inline" else "charts_sent_first"): first}


async def main() -> dict:
    """All the measurements (the million saved chat states only for this checkout: its inbox schema)."""
    out = {"inline_flood": await flood("inline"), "chart_flood": await flood("chart"), "chats_50k": await chats_50k(),
           "chats_50k_webhook": await chats_50k_webhook()}
    if len(sys.argv) == 1:
        out["chat_states_1m"] = await chat_states_1m()
    return out


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
