"""Issue 18 §4: the webhook cannot be exhausted without the secret, nor by slow connections, nor at the fd limit.

The secret is checked from the headers before the body is read; bodies are capped at MAX_BODY; headers, bodies
and idle connections time out; connections are capped; at the cap or the open-file limit accepting pauses
instead of spinning. Real `budgetbot serve` processes where memory, the log or the fd limit is measured; the
loop in this process (with short timeouts) for the timing rules.
"""
from __future__ import annotations

import asyncio
import os
import resource
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.telegram import limits
from fake_telegram import FakeTelegram, serving, until
from test_serve import _free_port, _wait_listening
from test_telegram import scenario

SECRET = "s3cret"
MB = 1024 * 1024


def serve_webhook(fake: FakeTelegram, base: str, state: Path, port: int, fd_limit: int | None = None):
    """`budgetbot serve` in webhook mode on 127.0.0.1:port, its log in state/serve.log."""
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": base, "WEBHOOK_URL": "https://x.org",
           "PORT": str(port), "WEBHOOK_SECRET": SECRET, "BUDGETBOT_INBOX": str(state / "inbox.db"),
           "BUDGETBOT_USAGE_DB": str(state / "usage.db")}

    def limit_fds() -> None:
        if fd_limit:
            resource.setrlimit(resource.RLIMIT_NOFILE, (fd_limit, fd_limit))

    log = (state / "serve.log").open("w")
    return subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT,
                            preexec_fn=limit_fds)


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM in kB and CPU seconds (user + system) of a process."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    ticks = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(ticks[11]) + int(ticks[12])) / os.sysconf("SC_CLK_TCK")
    return {"rss": int(fields["VmRSS"].split()[0]), "peak": int(fields["VmHWM"].split()[0]), "cpu": cpu}


async def post_big(port: int, size: int, secret: str) -> str:
    """POST size bytes to /telegram, streaming the body; returns the status line, or how the server cut it off."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (f"POST /telegram HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n"
            f"X-Telegram-Bot-Api-Secret-Token: {secret}\r\n\r\n").encode()
    try:
        writer.write(head)
        chunk = b"x" * MB
        for _ in range(size // MB):
            writer.write(chunk)
            await writer.drain()
        line = await asyncio.wait_for(reader.readline(), 30)
        return line.decode().strip() or "closed"
    except (ConnectionError, OSError):
        return "closed"
    finally:
        writer.close()


async def post_update(port: int, update: dict) -> int:
    async with aiohttp.ClientSession() as s:
        r = await s.post(f"http://127.0.0.1:{port}/telegram", json=update,
                         headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        return r.status


def test_wrong_secret_large_bodies_are_refused_from_the_headers_and_cost_no_memory(tmp_path):
    async def main():
        fake = FakeTelegram()
        base = await fake.start()
        port = _free_port()
        proc = serve_webhook(fake, base, tmp_path, port)
        try:
            await fake.wait_for(lambda: fake.webhook, timeout=60)
            await _wait_listening(port)
            before = proc_status(proc.pid)
            answers = await asyncio.gather(*[post_big(port, 50 * MB, "wrong") for _ in range(10)])
            assert all(a.startswith("HTTP/1.1 403") or a == "closed" for a in answers), answers
            after = proc_status(proc.pid)
            assert after["peak"] - before["peak"] < 64 * 1024, (before, after)  # 10 × 50 MB read would be 500 MB+
            too_big = await post_big(port, 5 * MB, SECRET)  # the right secret, but over the 1 MB cap
            assert too_big.startswith("HTTP/1.1 413") or too_big == "closed", too_big
            fake.send_text(70, "三公经费多少")
            assert await post_update(port, fake.updates.pop()) == 200
            await fake.wait_for(lambda: fake.messages(70), timeout=30)
        finally:
            proc.terminate()
            proc.wait(timeout=15)
            await fake.stop()
        log = (tmp_path / "serve.log").read_text()
        assert "Traceback" not in log and len(log) < 20_000
    asyncio.run(main())


@pytest.fixture()
def short_timeouts(monkeypatch):
    monkeypatch.setattr(limits, "HEADER_TIMEOUT", 0.5)
    monkeypatch.setattr(limits, "BODY_TIMEOUT", 0.5)


async def closed_by_server(reader: asyncio.StreamReader) -> bool:
    """Whether the server closes the connection (reads until EOF; generous, never the thing measured)."""
    try:
        while await asyncio.wait_for(reader.read(65536), 20):
            pass
        return True
    except asyncio.TimeoutError:
        return False
    except ConnectionError:
        return True


def webhook_config(port: int) -> dict:
    return {"url": "https://x.org/telegram", "listen": "127.0.0.1", "port": port, "secret": SECRET}


@scenario
async def test_slow_headers_slow_bodies_and_idle_connections_are_closed(fake, base, tmp_path, short_timeouts):
    port = _free_port()
    async with serving(fake, base, tmp_path, webhook=webhook_config(port)):
        slow_head = await asyncio.open_connection("127.0.0.1", port)
        slow_head[1].write(b"POST /telegram HTTP/1.1\r\nHost: x\r\n")  # and never the rest of the headers
        slow_body = await asyncio.open_connection("127.0.0.1", port)
        slow_body[1].write(f"POST /telegram HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                           f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\n\r\n{{\"upd".encode())
        idle = await asyncio.open_connection("127.0.0.1", port)
        idle[1].write(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")  # one request, then silence on a keep-alive
        assert (await idle[0].readline()).startswith(b"HTTP/1.1 200")
        results = await asyncio.gather(*(closed_by_server(r) for r, _ in (slow_head, slow_body, idle)))
        assert results == [True, True, True]
        for _, writer in (slow_head, slow_body, idle):
            writer.close()


@scenario
async def test_connections_are_capped_and_a_real_update_gets_through_after_idle_ones_time_out(fake, base, tmp_path,
                                                                                              monkeypatch):
    monkeypatch.setattr(limits, "MAX_CONNECTIONS", 20)
    monkeypatch.setattr(limits, "HEADER_TIMEOUT", 1.0)
    port = _free_port()
    async with serving(fake, base, tmp_path, webhook=webhook_config(port)) as pipe:
        server = pipe.app.bot_data["webhook_server"]
        clients = [await asyncio.open_connection("127.0.0.1", port) for _ in range(60)]  # idle: a slowloris
        await until(lambda: server.open_connections() == 20, what="the first 20 connections to be accepted")
        seen = []
        for _ in range(10):
            await asyncio.sleep(0.05)
            seen.append(server.open_connections())
        assert max(seen) <= 20, seen
        fake.send_text(71, "三公经费多少")
        assert await post_update(port, fake.updates.pop()) == 200  # waits in the backlog, then is served
        await fake.wait_for(lambda: fake.messages(71), timeout=30)
        for _, writer in clients:
            writer.close()


def test_at_the_open_file_limit_accepting_pauses_without_spinning_or_flooding_the_log(tmp_path):
    async def main():
        fake = FakeTelegram()
        base = await fake.start()
        port = _free_port()
        proc = serve_webhook(fake, base, tmp_path, port, fd_limit=96)
        clients = []
        try:
            await fake.wait_for(lambda: fake.webhook, timeout=60)
            await _wait_listening(port)
            for _ in range(160):  # more than its files allow: accept() fails with EMFILE
                clients.append(socket.create_connection(("127.0.0.1", port)))
            await asyncio.sleep(0.5)
            before = proc_status(proc.pid)
            await asyncio.sleep(2.0)
            after = proc_status(proc.pid)
            assert after["cpu"] - before["cpu"] < 1.0, (before, after)  # a spinning accept loop burns ~2 s here
            assert "open-file limit" in (tmp_path / "serve.log").read_text()  # it did reach the limit
            for client in clients:
                client.close()
            clients.clear()
            fake.send_text(72, "三公经费多少")
            update = fake.updates.pop()
            status = 0
            for _ in range(50):  # the server frees its side of the closed connections as it notices them
                try:
                    status = await post_update(port, update)
                    break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.2)
            assert status == 200
            await fake.wait_for(lambda: fake.messages(72), timeout=30)
        finally:
            for client in clients:
                client.close()
            proc.terminate()
            proc.wait(timeout=15)
            await fake.stop()
        log = (tmp_path / "serve.log").read_text()
        assert log.count("open-file limit") <= 2 and len(log) < 20_000 and "Traceback" not in log, log[-3000:]
    asyncio.run(main())

