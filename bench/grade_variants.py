"""Grade the reader on document variants it has never seen (made by bench/make_variants.py).

    python bench/make_variants.py /tmp/variants && python bench/grade_variants.py /tmp/variants

For every variant: does it load (or is it refused, for the non-disclosures), is its identity right (unit, year,
预算/决算, 部门/单位), is every planted cell in the database with its value in 万元 and page, and how many of
its questions are answered right (graded as ../shared/tools/eval-answers grades). Prints one line per variant.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(folder: Path) -> int:
    """Grade every variant in folder; exit 1 if any variant fails to load or reads a planted cell wrong."""
    from bot.ingest.build import build
    from bot.ingest.source import SourceError

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    questions = [json.loads(x) for x in (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines() if x]
    work = Path(tempfile.mkdtemp())
    bad = 0
    loaded: list[Path] = []
    for doc in manifest["documents"]:
        path = folder / doc["file"]
        db = work / (doc["id"] + ".db")
        t = time.perf_counter()
        try:
            build([path], db)
        except SourceError as exc:
            ok = doc["kind"] != "disclosure"
            bad += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {doc['id']:28s} refused: {exc.message[:90]}")
            continue
        secs = time.perf_counter() - t
        if doc["kind"] != "disclosure":
            bad += 1
            print(f"FAIL {doc['id']:28s} loaded, but it is not a disclosure")
            continue
        loaded.append(path)
        ident, cells = _grade_db(db, doc)
        bad += bool(ident or cells[0] < cells[1])
        print(f"{'ok  ' if not ident and cells[0] == cells[1] else 'FAIL'} {doc['id']:28s} {secs:5.2f}s "
              f"cells {cells[0]}/{cells[1]} {'; '.join(ident)}")
    if loaded:
        db = work / "all.db"
        build(loaded, db)
        env = dict(os.environ, BUDGETBOT_DB=str(db))
        qfile = work / "q.jsonl"
        qfile.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in questions) + "\n", encoding="utf-8")
        grader = ROOT.parent / "shared" / "tools" / "eval-answers"
        out = subprocess.run([sys.executable, str(grader), str(qfile)], env=env, capture_output=True, text=True)
        print(out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr[-300:])
    return 1 if bad else 0


def _grade_db(db: Path, doc: dict) -> tuple[list[str], tuple[int, int]]:
    import sqlite3

    conn = sqlite3.connect(db)
    unit, year, stage, scope = conn.execute("select unit, year, stage, scope from documents").fetchone()
    wrong = [f"{k}={got!r} want {want!r}" for k, got, want in
             (("unit", unit, doc["unit"]), ("year", year, doc["year"]), ("stage", stage, doc["stage"]),
              ("scope", scope, doc["scope"])) if got != want]
    right = total = 0
    for table in doc.get("tables", []):
        for cell in table.get("cells", []):
            total += 1
            rows = conn.execute("select c.value, c.page from cells c join budget_tables t on t.id = c.table_id "
                                "where (c.row_label = ? or c.row_code = ? or ? in ('总计', '三公', '本年合计')) "
                                "and c.printed = ?",
                                (cell["row_label"], cell["row"], cell["row_label"], cell["printed"])).fetchall()
            if any(v is not None and abs(v - cell["wan"]) < 0.006 and p in table["pages"] for v, p in rows):
                right += 1
            elif len(wrong) < 4:
                wrong.append(f"cell {table['title'][:18]}|{cell['row_label']}|{cell['column']}={cell['printed']} "
                             f"not found")
    return wrong, (right, total)


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/variants")))
