"""The budgetbot command: ask, --json, --jsonl (one reply per line, in order, bad lines included), chat."""
from __future__ import annotations

import json
import subprocess
import sys


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True, timeout=60)


def test_ask_prints_the_reply():
    out = run("ask", "三公经费多少")
    assert out.returncode == 0 and "6.00万元" in out.stdout and "来源：" in out.stdout


def test_ask_json():
    data = json.loads(run("ask", "--json", "取暖费").stdout)
    assert data["status"] == "answer" and data["query"] == "econ_item" and data["facts"]


def test_jsonl_one_object_per_line_in_order():
    lines = ["三公经费多少", "", "明天下雨吗", "\x00\x07", "取暖费", "税" * 50_000, "<b>x</b>"]
    out = run("ask", "--jsonl", stdin="\n".join(lines) + "\n")
    replies = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(replies) == len(lines)
    assert [r["status"] for r in replies][:3] == ["answer", "unknown", "unknown"]
    assert "23.86" in replies[4]["text"]
    assert all(set(r) >= {"status", "text"} for r in replies)


def test_chat_session():
    out = run("chat", stdin="三公经费多少\n养老保险\nq\n")
    assert out.returncode == 0
    assert "6.00万元" in out.stdout and "[1]" in out.stdout


def test_main_job_without_token_is_the_terminal_chat(monkeypatch):
    env_run = subprocess.run([sys.executable, "-m", "bot"], input="取暖费\n", capture_output=True, text=True, timeout=60,
                             env={k: v for k, v in __import__("os").environ.items() if k != "TELEGRAM_BOT_TOKEN"})
    assert env_run.returncode == 0 and "23.86" in env_run.stdout
