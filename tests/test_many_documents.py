"""A second disclosure of the same template loads beside the first with no schema change."""
from __future__ import annotations

import sqlite3

from bot.ingest.build import build
from conftest import SOURCE


def test_two_documents(tmp_path, source_text):
    other = tmp_path / "other-unit.txt"
    text = source_text.replace("忻州市人力资源和社会保障局", "忻州市测试示范局")
    text = text.replace("取暖费\t办公经费\t23.86\t\t23.86", "取暖费\t办公经费\t33.86\t\t33.86")
    other.write_text(text, encoding="utf-8")
    out = tmp_path / "two.db"
    checks = build([SOURCE, other], out)
    db = sqlite3.connect(out)
    docs = db.execute("select id, unit, sha256 from documents order by id").fetchall()
    assert [d[1] for d in docs] == ["忻州市人力资源和社会保障局", "忻州市测试示范局"]
    assert docs[0][2] != docs[1][2]
    heat = db.execute("select document_id, unit_name, value from facts where row_label = '取暖费' "
                      "and column_label = '合计' order by document_id").fetchall()
    assert heat == [(1, "忻州市人力资源和社会保障局", 23.86), (2, "忻州市测试示范局", 33.86)]
    assert db.execute("select count(*) from projects group by document_id").fetchall() == [(10,), (10,)]
    # The changed figure breaks its own document's sums, not the first document's.
    failed = db.execute("select document_id, count(*) from checks where passed = 0 group by document_id").fetchall()
    assert failed[0] == (1, 2) and failed[1][0] == 2 and failed[1][1] > 2
    assert len(checks) == db.execute("select count(*) from checks").fetchone()[0]
