"""Open data: CSV/JSON export, Datasette metadata generated from queries/, and `budgetbot misses`."""
from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys

import pytest
import yaml

from bot import paths
from bot.datasette import metadata
from bot.engine import get_engine
from bot.engine.readings import readings
from bot.usage import UsageLog


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_export_csv_writes_facts_and_checks(tmp_path):
    out = tmp_path / "facts.csv"
    assert run("export", "--format", "csv", "--out", str(out)).returncode == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    heat = [r for r in rows if r["row_label"] == "取暖费" and r["column_label"] == "合计"]
    assert heat and heat[0]["value"] == "23.86" and heat[0]["source_line"] == "326"
    checks = list(csv.DictReader((tmp_path / "facts-checks.csv").open(encoding="utf-8-sig")))
    assert checks[0]["passed"] == "0" and len(checks) > 300


def test_export_json_to_stdout():
    data = json.loads(run("export", "--format", "json").stdout)
    assert {"facts", "checks"} <= set(data)
    assert any(f["value"] == 1036.43 for f in data["facts"])


def test_datasette_metadata_queries_all_run():
    meta = metadata()
    assert meta["title"] and meta["license"] and meta["source"]
    db = meta["databases"]["budget"]
    assert "facts" in db["tables"] and db["tables"]["facts"]["columns"]["source_line"]
    engine = get_engine()
    assert set(db["queries"]) == set(engine.queries)
    for qid, spec in db["queries"].items():
        query = engine.queries[qid]
        assert spec["sql"] == query.sql
        if query.fallback:
            continue  # never chosen by a phrasing; test_catalog runs it
        # Some queries read what only some templates print (per-item prose): one loaded document must have rows.
        found = False
        for doc in [engine.doc, *engine.docs]:
            if doc.stage not in query.stages:
                continue
            view = engine.view(doc.id)
            for entity in {r.hit.entity.key: r.hit.entity for p in query.phrasings
                           for r in readings(view, view.normalize(p))[0] if r.query.id == qid}.values():
                found = found or bool(view.shared.conn.execute(spec["sql"], view.params(query, entity)).fetchall())
            if found:
                break
        assert found, qid


def test_build_writes_metadata_beside_the_database(tmp_path):
    db = tmp_path / "budget.db"
    assert run("build", "--db", str(db)).returncode == 0
    meta = yaml.safe_load((tmp_path / "metadata.yml").read_text(encoding="utf-8"))
    assert len(meta["databases"]["budget"]["queries"]) == len(get_engine().queries)


def test_datasette_serves_the_canned_queries(tmp_path):
    pytest.importorskip("datasette")
    meta = tmp_path / "metadata.yml"
    meta.write_text(yaml.safe_dump(metadata(), allow_unicode=True), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "datasette", str(paths.db_path()), "-m", str(meta), "--get",
                          "/budget/econ_item.json?doc=1&name=取暖费&_shape=array"], capture_output=True, text=True)
    assert json.loads(out.stdout)[0]["total"] == 23.86


def test_misses_cli(tmp_path):
    path = tmp_path / "usage.db"
    log = UsageLog(path, enabled=True)
    for q, status in [("局长是谁", "unknown"), ("局长是谁", "unknown"), ("养老保险", "clarify"), ("取暖费", "answer")]:
        log.question(q, status, None)
    log.vote("三公经费多少", "sangong_total", -1)
    log.close()
    out = run("misses", "--top", "5", env={"BUDGETBOT_USAGE_DB": str(path)}).stdout.splitlines()
    assert out[0].split()[0] == "2" and out[0].endswith("局长是谁")
    assert len(out) == 3 and not any("取暖费" in line for line in out)


def test_usage_log_off_and_private_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("USAGE_LOG", "0")
    off = UsageLog(tmp_path / "off.db")
    off.question("x", "unknown", None, user_id=1)
    assert not (tmp_path / "off.db").exists()
    monkeypatch.delenv("USAGE_LOG")
    on = UsageLog(tmp_path / "on.db")
    on.question("x", "unknown", None, user_id=7, chat_id=8)
    monkeypatch.setenv("USAGE_LOG_USERS", "1")
    named = UsageLog(tmp_path / "on.db")
    named.question("y", "unknown", None, user_id=7, chat_id=8)
    rows = sqlite3.connect(tmp_path / "on.db").execute("select question, user_id, chat_id from events").fetchall()
    assert rows == [("x", None, None), ("y", 7, 8)]
