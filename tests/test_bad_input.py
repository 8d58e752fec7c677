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
    assert "目录" in err.message and "ends before" in err.message


def table_status(db_path, title_part: str) -> tuple:
    return sqlite3.connect(db_path).execute(
        "select key, status, reason from budget_tables where title like ?", (f"%{title_part}%",)).fetchone()


def test_table_cut_off_loads_partly_read(tmp_path, source_text):
    lines = lines_of(source_text)
    assert lines[397].startswith("合计\t6.00")
    del lines[397]
    build([write(tmp_path, "\n".join(lines))], tmp_path / "out.db")
    key, status, reason = table_status(tmp_path / "out.db", "三公")
    assert (key, status) == ("sangong", "partly") and "合计" in reason


def test_text_in_an_amount_cell_is_kept_as_printed(tmp_path, source_text):
    lines = lines_of(source_text)
    assert lines[325].startswith("取暖费")
    lines[325] = lines[325].replace("23.86", "二十三点八六", 1)
    out = tmp_path / "out.db"
    build([write(tmp_path, "\n".join(lines))], out)
    key, status, reason = table_status(out, "基本支出分经济科目表")
    assert (key, status) == ("basic_econ", "partly") and "二十三点八六" in reason
    cell = sqlite3.connect(out).execute("select value, printed from cells where row_label = '取暖费' "
                                        "and column_label = '合计'").fetchone()
    assert cell == (None, "二十三点八六")


def test_unknown_table_title_is_kept_and_queryable(tmp_path, source_text):
    text = source_text.replace("2023年机关运行经费预算财政拨款情况统计表\n", "2023年某项神秘情况统计表\n")
    out = tmp_path / "out.db"
    build([write(tmp_path, text)], out)
    key, status, reason = table_status(out, "神秘情况统计表")
    assert (key, status) == ("", "kept") and reason
    value = sqlite3.connect(out).execute("select c.value from cells c join budget_tables t on t.id = c.table_id "
                                         "where t.title like '%神秘%' and c.row_label = '部门合计' "
                                         "and c.column_label = '合计'").fetchone()
    assert value == (125.65,)


def test_a_failed_build_keeps_the_previous_database(tmp_path, source_text):
    out = tmp_path / "out.db"
    build([SOURCE], out)
    before = hashlib.sha256(out.read_bytes()).hexdigest()
    with pytest.raises(SourceError):
        build([write(tmp_path, "\n".join(lines_of(source_text)[:390]))], out)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == before
    assert sqlite3.connect(out).execute("select count(*) from facts").fetchone()[0] > 100
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("out.db")] == ["out.db"]


def test_cli_reports_one_clear_line(tmp_path, source_text):
    bad = write(tmp_path, "\n".join(lines_of(source_text)[:390]))
    proc = subprocess.run([sys.executable, "-m", "bot", "build", "--source", str(bad), "--db", str(tmp_path / "x.db")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "bad.txt" in proc.stderr and "ends before" in proc.stderr


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


# --- PDFs and structure: one line naming the file (and page), the database untouched --------------------------

def pdf_error_for(tmp_path, name: str, data: bytes) -> SourceError:
    path = tmp_path / name
    path.write_bytes(data)
    out = tmp_path / "out.db"
    with pytest.raises(SourceError) as exc:
        build([path], out)
    assert name in str(exc.value) and "\n" not in str(exc.value)
    assert not out.exists() and not list(tmp_path.glob("out.db.*"))
    return exc.value


def test_non_pdf_renamed_pdf(tmp_path, source_text):
    assert "not a PDF" in str(pdf_error_for(tmp_path, "fake.pdf", source_text.encode()))


def test_scanned_pdf_without_text(tmp_path):
    from conftest import tiny_pdf

    err = pdf_error_for(tmp_path, "scan.pdf", tiny_pdf(None))
    assert "no text layer" in err.message and err.page == 1 and "page 1" in str(err)


def test_encrypted_pdf(tmp_path):
    from conftest import tiny_pdf

    assert "encrypted" in pdf_error_for(tmp_path, "locked.pdf", tiny_pdf("secret", encrypted=True)).message


def test_pdf_that_is_not_a_budget_disclosure(tmp_path):
    from conftest import tiny_pdf

    err = pdf_error_for(tmp_path, "menu.pdf", tiny_pdf("Lunch menu: noodles"))
    assert "not a budget disclosure" in err.message and "page 1" in str(err)


def test_damaged_pdf(tmp_path):
    from conftest import tiny_pdf

    assert "PDF" in str(pdf_error_for(tmp_path, "cut.pdf", tiny_pdf("Hello")[:60]))


def test_shanghai_cover_but_no_table(tmp_path, twins):
    text = twins["welfare-home-2024-budget"].read_text(encoding="utf-8")
    cover = text.split("2024年预算单位财务收支预算总表")[0]
    err = error_for(tmp_path, cover)
    assert "not a budget disclosure" in err.message and "table" in err.message


def test_shanghai_document_cut_before_its_last_tables(tmp_path, twins):
    text = twins["wanli-street-2023-budget"].read_text(encoding="utf-8")
    err = error_for(tmp_path, text[:text.rindex("2023年部门一般公共预算基本支出部门预算经济分类预算表")])
    assert "目录 lists" in err.message and "ends before" in err.message and err.line > 5


def test_a_table_whose_pages_are_missing_loads_the_rest_and_is_reported(tmp_path, twins):
    pages = twins["welfare-home-2024-budget"].read_text(encoding="utf-8").split("\n\n")
    at = next(k for k, p in enumerate(pages) if "财政拨款收支预算总表" in p and "一般公共预算资金" in p)
    out = tmp_path / "out.db"
    build([write(tmp_path, "\n\n".join(pages[:at] + pages[at + 1:]))], out)
    problems = sqlite3.connect(out).execute("select problems from documents").fetchone()[0]
    assert "财政拨款收支预算总表" in problems and "缺页" in problems
    keys = {r[0] for r in sqlite3.connect(out).execute("select key from budget_tables")}
    assert "fiscal_summary" not in keys and {"summary", "basic_econ", "sangong"} <= keys


def test_final_accounts_cut_mid_sentence_stops(tmp_path, twins):
    text = twins["planning-2024-final-accounts"].read_text(encoding="utf-8")
    cut = text[:text.index("九、经营支出") + len("九、经营支出：指事业单位在专业业务活动")]
    err = error_for(tmp_path, cut)
    assert "stops at" in err.message and "cut" in err.message


def test_seed_cut_right_after_the_glossary_heading_stops(tmp_path, source_text):
    at = source_text.rindex("第四部分 名词解释")
    err = error_for(tmp_path, source_text[:at + len("第四部分 名词解释")])
    assert "名词解释" in err.message and "cut" in err.message


@pytest.mark.parametrize("digits", [16, 30])
def test_absurd_amount_stops_with_one_line(tmp_path, source_text, digits):
    bad = "9" * digits + ".00"
    err = error_for(tmp_path, source_text.replace("23.86", bad, 1))
    assert "digits" in err.message and err.line == 326


def test_amount_beyond_any_budget_in_yuan(tmp_path, twins):
    text = twins["welfare-home-2024-budget"].read_text(encoding="utf-8")
    err = error_for(tmp_path, text.replace("9,501,164", "9,501,164,000,000", 1))
    assert "beyond any budget" in err.message


def test_stale_temp_files_are_cleaned_at_the_next_build(tmp_path):
    import os
    import time

    out = tmp_path / "budget.db"
    old = [tmp_path / "budget.db.abc123.tmp", tmp_path / "budget.db.abc123.tmp-journal", tmp_path / "budget.db-journal"]
    fresh = tmp_path / "budget.db.fresh.tmp"
    for p in old + [fresh]:
        p.write_bytes(b"x")
    hour_ago = time.time() - 3600
    for p in old:
        os.utime(p, (hour_ago, hour_ago))
    build([SOURCE], out)
    assert not any(p.exists() for p in old)
    assert fresh.exists()  # possibly another build running now


def test_a_directory_source_means_every_pdf_and_txt_in_it(tmp_path):
    from bot.ingest.build import expand_sources
    from conftest import PDFS

    folder = tmp_path / "in"
    folder.mkdir()
    for p in [SOURCE, PDFS["welfare-home-2024-budget"]]:
        (folder / p.name).write_bytes(p.read_bytes())
    (folder / "notes.md").write_text("x")
    assert [p.name for p in expand_sources([folder])] == sorted([SOURCE.name, PDFS["welfare-home-2024-budget"].name])
    out = tmp_path / "dir.db"
    build([folder], out)
    assert sqlite3.connect(out).execute("select count(*) from documents").fetchone()[0] == 2
    with pytest.raises(SourceError, match="no .pdf or .txt"):
        build([tmp_path / "in" / ".." / "in" / "..", tmp_path / "empty"], out) if (tmp_path / "empty").mkdir() is None \
            else None
