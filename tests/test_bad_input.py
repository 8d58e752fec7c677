"""Bad sources stop the build with one clear message; the previous database stays intact."""
from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys

import pytest

from bot.ingest.build import build
from bot.ingest.source import SourceError
from conftest import SOURCE


def write(tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "bad.txt"
    path.write_bytes(text.encode(encoding))
    return path


def lines_of(source_text: str) -> list[str]:
    return source_text.split("\n")


def error_for(tmp_path, text: str, encoding: str = "utf-8") -> SourceError:
    with pytest.raises(SourceError) as exc:
        build([write(tmp_path, text, encoding)], tmp_path / "out.db")
    assert "bad.txt" in str(exc.value)
    assert not (tmp_path / "out.db").exists()
    assert not list(tmp_path.glob("out.db.*"))
    return exc.value


def test_missing_file(tmp_path):
    with pytest.raises(SourceError, match="not found"):
        build([tmp_path / "nope.txt"], tmp_path / "out.db")


def test_empty_file(tmp_path):
    assert "empty" in str(error_for(tmp_path, "\n \n"))


def test_non_utf8_file(tmp_path, source_text):
    err = error_for(tmp_path, source_text, "gb18030")
    assert "UTF-8" in str(err) and err.line == 3


def test_truncated_file(tmp_path, source_text):
    err = error_for(tmp_path, "\n".join(lines_of(source_text)[:390]))
    assert "第三部分" in err.message


def test_table_cut_off(tmp_path, source_text):
    lines = lines_of(source_text)
    assert lines[397].startswith("合计\t6.00")
    del lines[397]
    err = error_for(tmp_path, "\n".join(lines))
    assert "cut off" in err.message and "三公" in err.message


def test_text_in_an_amount_cell(tmp_path, source_text):
    lines = lines_of(source_text)
    assert lines[325].startswith("取暖费")
    lines[325] = lines[325].replace("23.86", "二十三点八六", 1)
    err = error_for(tmp_path, "\n".join(lines))
    assert err.line == 326 and "expected an amount" in err.message and "二十三点八六" in err.message


def test_unknown_table_title(tmp_path, source_text):
    text = source_text.replace("2023年机关运行经费预算财政拨款情况统计表\n", "2023年机关运行经费预算神秘统计表\n")
    err = error_for(tmp_path, text)
    assert "unknown table title" in err.message and err.line == 400


def test_a_failed_build_keeps_the_previous_database(tmp_path, source_text):
    out = tmp_path / "out.db"
    build([SOURCE], out)
    before = hashlib.sha256(out.read_bytes()).hexdigest()
    with pytest.raises(SourceError):
        build([write(tmp_path, source_text.replace("1,036.43", "1,O36.43", 1))], out)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == before
    assert sqlite3.connect(out).execute("select count(*) from facts").fetchone()[0] > 100
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("out.db")] == ["out.db"]


def test_cli_reports_one_clear_line(tmp_path, source_text):
    bad = write(tmp_path, source_text.replace("23.86", "abc", 1))
    proc = subprocess.run([sys.executable, "-m", "bot", "build", "--source", str(bad), "--db", str(tmp_path / "x.db")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "bad.txt:326" in proc.stderr and "expected an amount" in proc.stderr


def test_a_database_from_another_schema_version_is_rebuilt(tmp_path):
    import os
    import sqlite3 as sq

    from bot import store

    db = tmp_path / "budget.db"
    build([SOURCE], db)
    assert not store.is_stale(db, [SOURCE])
    with sq.connect(db) as conn:
        conn.execute("PRAGMA user_version = 0")
    os.utime(db)  # newer than the source, but from an older schema
    assert store.is_stale(db, [SOURCE])
    db.write_bytes(b"not a database")
    assert store.is_stale(db, [SOURCE])
