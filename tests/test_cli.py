"""The budgetbot command: ask, --json, --jsonl (one reply per line, in order, bad lines included), chat."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


SEED = Path(__file__).resolve().parent.parent / "data" / "disclosures" / "xinzhou-rsj-2023-budget.txt"


def run(*args: str, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True, timeout=60,
                          env={**__import__("os").environ, **(env or {})})


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
    out = run("chat", stdin="三公经费多少\n养老保险\nq\n", env={"USAGE_LOG": "0"})
    assert out.returncode == 0
    assert "6.00万元" in out.stdout and "[1]" in out.stdout


def test_main_job_without_token_is_the_terminal_chat(monkeypatch):
    env_run = subprocess.run([sys.executable, "-m", "bot"], input="取暖费\n", capture_output=True, text=True, timeout=60,
                             env={**{k: v for k, v in __import__("os").environ.items() if k != "TELEGRAM_BOT_TOKEN"},
                                  "USAGE_LOG": "0"})
    assert env_run.returncode == 0 and "23.86" in env_run.stdout


# -- issue 10: hostile bytes and CLI edges ------------------------------------------------------------------------
import csv  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import sqlite3  # noqa: E402

import pytest  # noqa: E402

from bot.normalize import CONTROL, strip_controls  # noqa: E402
from bot.usage import UsageLog  # noqa: E402

BIDI = "\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u202e\u200e\u200f"


def run_bytes(*args: str, stdin: bytes = b"", env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, timeout=60,
                          env={**os.environ, **(env or {})})


@pytest.mark.parametrize("locale", ["C.UTF-8", "C"])
def test_jsonl_invalid_utf8_gives_one_valid_json_line_per_line(locale):
    lines = [b"\xff\xfe\xfa", "三公经费多少".encode(), b"\xe5\x8f", "取暖费".encode("gbk"), b"\x80abc\xc0\xaf",
             "取暖费".encode()]
    out = run_bytes("ask", "--jsonl", stdin=b"\n".join(lines) + b"\n",
                    env={"LC_ALL": locale, "LANG": locale, "PYTHONIOENCODING": ""})
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode("utf-8")  # strict: the output is valid UTF-8
    replies = [json.loads(line) for line in text.splitlines()]
    assert len(replies) == len(lines)
    assert replies[1]["status"] == "answer" and "23.86" in replies[5]["text"]
    assert b"Traceback" not in out.stderr


def test_ask_with_undecodable_argument_prints_valid_utf8():
    out = subprocess.run([sys.executable.encode(), b"-m", b"bot", b"ask", b"\xff\xfe\xe4\xb8"], capture_output=True,
                         timeout=60, env={**os.environ, "LC_ALL": "C"})
    assert out.returncode == 0
    out.stdout.decode("utf-8")


def test_bidi_controls_do_not_survive_normalisation_nor_replies():
    from bot.engine import get_engine
    from bot.normalize import normalize

    assert not any(c in normalize(f"三公{BIDI}经费", {}).raw for c in BIDI)
    engine = get_engine()
    for question in ["\u2066三公经费\u2069多少", "局长\u2067是\u202e谁", f"{BIDI}明天下雨吗"]:
        ans = engine.answer(question)
        assert not any(c in ans.text + "".join(ans.suggestions) for c in BIDI), question
    assert engine.answer("\u2066三公经费\u2069多少").status == "answer"
    assert strip_controls("a\x1b[2Jb\u2066c\nd") == "a[2Jbc\nd"  # ESC gone: the rest is inert text
    assert not CONTROL.search(strip_controls("\x07\u200b\u2060\u206f\ufeff", keep=""))


def test_misses_strips_terminal_escapes_and_bidi(tmp_path):
    path = tmp_path / "usage.db"
    log = UsageLog(path, enabled=True)
    log.question("\x1b]0;owned\x07\x1b[2J局长\u202e是谁\u2066", "unknown", None)
    log.close()
    out = run_bytes("misses", env={"BUDGETBOT_USAGE_DB": str(path)})
    text = out.stdout.decode("utf-8")
    assert "局长是谁" in text and "]0;owned" in text  # the printable rest is shown
    assert not CONTROL.search(text.replace("\n", "")), ascii(text)


def test_chat_questions_show_up_in_misses_and_ask_only_with_log(tmp_path):
    env = {"BUDGETBOT_USAGE_DB": str(tmp_path / "usage.db")}
    run_bytes("chat", stdin="局长是谁\n三公经费多少\nq\n".encode(), env=env)
    run_bytes("ask", "明天下雨吗", env=env)
    run_bytes("ask", "--jsonl", stdin="后天下雨吗\n".encode(), env=env)
    run_bytes("ask", "--log", "大后天下雨吗", env=env)
    rows = sqlite3.connect(tmp_path / "usage.db").execute("select question, channel from events order by id").fetchall()
    assert rows == [("局长是谁", "chat"), ("三公经费多少", "chat"), ("大后天下雨吗", "ask")]
    out = run_bytes("misses", env=env).stdout.decode()
    assert "局长是谁" in out and "大后天下雨吗" in out
    only_chat = run_bytes("misses", "--channel", "chat", env=env).stdout.decode()
    assert "局长是谁" in only_chat and "大后天下雨吗" not in only_chat


def test_usage_db_from_before_channels_gets_the_column(tmp_path):
    path = tmp_path / "usage.db"
    conn = sqlite3.connect(path)
    conn.execute("create table events (id integer primary key, ts real not null, kind text not null, question text "
                 "not null, status text, query text, vote integer, user_id integer, chat_id integer)")
    conn.execute("insert into events (ts, kind, question, status) values (1, 'question', '旧问题', 'unknown')")
    conn.commit()
    conn.close()
    assert [q for q, _, _ in UsageLog(path, enabled=True, read_only=True).misses(channel="telegram")] == ["旧问题"]
    log = UsageLog(path, enabled=True)
    log.question("新问题", "unknown", None, channel="chat")
    assert [q for q, _, _ in log.misses(channel="chat")] == ["新问题"]


def test_help_says_what_a_bare_budgetbot_does():
    out = run("--help")
    assert out.returncode == 0
    flat = " ".join(out.stdout.split())
    assert "TELEGRAM_BOT_TOKEN" in flat and "serve" in flat and "chat" in flat and "Without a command" in flat


def test_build_check_says_failed_checks_are_the_documents_own_and_exits_0(tmp_path):
    out = run("build", "--check", "--source", str(SEED), "--db", str(tmp_path / "budget.db"))
    assert out.returncode == 0
    assert "document's own arithmetic" in out.stdout and "not a failure of the build" in out.stdout
    fails = [line for line in out.stdout.splitlines() if line.startswith("FAIL")]
    assert len(fails) == 2 and all("忻州市人力资源和社会保障局2023" in line for line in fails), fails


def test_build_of_a_missing_source_fails_non_zero(tmp_path):
    out = run("build", "--source", str(tmp_path / "nope.txt"), "--db", str(tmp_path / "budget.db"))
    assert out.returncode != 0 and "Traceback" not in out.stderr


def test_export_csv_to_stdout_has_a_bom_the_checks_and_trailing_zeros():
    out = run_bytes("export", "--format", "csv")
    assert out.returncode == 0 and out.stdout.startswith(b"\xef\xbb\xbf")
    text = out.stdout.decode("utf-8-sig")
    facts, _, checks = text.partition("\r\n\r\n")
    fact_rows = list(csv.DictReader(io.StringIO(facts)))
    values = {r["value"] for r in fact_rows}
    assert {"3.90", "150.00", "23.86"} <= values and "3.9" not in values and "150.0" not in values
    check_rows = list(csv.DictReader(io.StringIO(checks)))
    assert len(check_rows) > 300 and check_rows[0]["passed"] == "0" and "expected" in check_rows[0]


def test_export_into_a_closed_pipe_prints_no_traceback():
    proc = subprocess.Popen([sys.executable, "-m", "bot", "export", "--format", "csv"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()  # like `| head` that has read enough before the export writes
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
