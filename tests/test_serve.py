"""`budgetbot serve` as a process: polling through SIGTERM and restart, webhook mode with its secret, no token."""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import aiohttp

from fake_telegram import FakeTelegram


def serve(fake: FakeTelegram, base: str, state: str | None = None, **env) -> subprocess.Popen:
    """`budgetbot serve` against the fake; `state` is the folder of its usage.db and inbox.db (kept across restarts)."""
    state = state or tempfile.mkdtemp()
    environ = {**os.environ, "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": base,
               "BUDGETBOT_USAGE_DB": os.path.join(state, "usage.db"), "BUDGETBOT_INBOX": os.path.join(state, "inbox.db"),
               **env}
    environ.pop("WEBHOOK_URL", None) if "WEBHOOK_URL" not in env else None
    return subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=environ, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


async def stop(proc: subprocess.Popen) -> float:
    """SIGTERM, then the seconds until the process exited."""
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    while proc.poll() is None:
        await asyncio.sleep(0.05)
        assert time.monotonic() - t0 < 10, "serve did not stop after SIGTERM"
    return time.monotonic() - t0


def test_without_a_token_serve_says_how_to_set_one():
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    out = subprocess.run([sys.executable, "-m", "bot", "serve"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in out.stderr and "budgetbot chat" in out.stderr
    assert out.stderr.strip().count("\n") == 0


def test_sigterm_mid_stream_and_restart_lose_nothing_and_repeat_nothing():
    async def main():
        fake = FakeTelegram()
        base = await fake.start()
        try:
            state = tempfile.mkdtemp()
            proc = serve(fake, base, state)
            chats = list(range(300, 340))
            for chat in chats[:20]:
                fake.send_text(chat, "三公经费多少")
            await fake.wait_for(lambda: len([c for c in chats if fake.messages(c)]) >= 5, timeout=60)
            for chat in chats[20:30]:  # arrive while it is answering
                fake.send_text(chat, "取暖费")
            took = await stop(proc)
            assert took < 5, took
            for chat in chats[30:]:  # arrive while it is down
                fake.send_text(chat, "项目支出有哪些")
            proc = serve(fake, base, state)
            await fake.wait_for(lambda: all(fake.messages(c) for c in chats), timeout=60)
            await asyncio.sleep(1.5)
            await stop(proc)
            counts = {c: len(fake.messages(c)) for c in chats}
            assert set(counts.values()) == {1}, counts
            token_leaks = [line for line in (proc.stderr.read() or "").splitlines() if fake.token in line]
            assert not token_leaks
        finally:
            await fake.stop()
    asyncio.run(main())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _wait_listening(port: int) -> None:
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise AssertionError("webhook server never listened")


def test_webhook_mode_checks_the_secret_token():
    async def main():
        fake = FakeTelegram()
        base = await fake.start()
        port = _free_port()
        proc = serve(fake, base, WEBHOOK_URL="https://bot.example.org", PORT=str(port), WEBHOOK_SECRET="s3cret")
        try:
            await fake.wait_for(lambda: fake.webhook, timeout=60)
            assert fake.webhook["url"] == "https://bot.example.org/telegram"
            assert fake.webhook["secret_token"] == "s3cret"
            update = {"update_id": 1, "message": {"message_id": 1, "date": int(time.time()),
                                                  "chat": {"id": 400, "type": "private"},
                                                  "from": fake.user(400), "text": "三公经费多少"}}
            await _wait_listening(port)
            async with aiohttp.ClientSession() as s:
                url = f"http://127.0.0.1:{port}/telegram"
                r = await s.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
                assert r.status == 403
                r = await s.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"})
                assert r.status == 200
            await fake.wait_for(lambda: fake.messages(400), timeout=30)
            assert "6.00万元" in fake.messages(400)[0]["text"] and len(fake.messages(400)) == 1
        finally:
            await stop(proc)
            await fake.stop()
    asyncio.run(main())
