"""The synthetic disclosure generator (tests/docgen) runs, and its PDFs open in pdfplumber with the planted truth
extractable where the manifest says it is."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pdfplumber
import pytest

from docgen.ledger import Ledger
from docgen.manifest import build
from docgen.render import lay_out
from docgen.units import make_unit
from docgen.variants import VARIANTS, big_compilation

QUICK = ["base-final", "total-row-next-page", "quotes-displaced", "missing-table-pages", "cover-year-own-line",
         "other-statistics-bulletin"]
FULL = ["base-final", "total-row-next-page"]  # every table and fact checked page by page (extraction is slow)
LINES = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


def squeeze(text: str | None) -> str:
    """Text without any whitespace (extraction breaks lines anywhere)."""
    return re.sub(r"\s+", "", text or "")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    """A handful of variants rendered once."""
    folder = tmp_path_factory.mktemp("variants")
    build(folder, QUICK)
    return folder


@pytest.fixture(scope="module")
def manifest(out: Path) -> dict[str, dict]:
    """The manifest's documents by id."""
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {d["id"]: d for d in data["documents"]}


class Pages:
    """Page texts as pdfplumber extracts them, read on demand (extraction is the slow part)."""

    def __init__(self, out: Path, manifest: dict[str, dict]) -> None:
        self.out = out
        self.manifest = manifest
        self.pdfs: dict[str, pdfplumber.PDF] = {}
        self.cache: dict[tuple[str, int], str] = {}

    def pdf(self, doc_id: str) -> pdfplumber.PDF:
        """The opened file (kept open for the module)."""
        if doc_id not in self.pdfs:
            self.pdfs[doc_id] = pdfplumber.open(self.out / self.manifest[doc_id]["file"])
        return self.pdfs[doc_id]

    def __call__(self, doc_id: str, page: int) -> str:
        """The text of a 1-based page."""
        if (doc_id, page) not in self.cache:
            self.cache[doc_id, page] = self.pdf(doc_id).pages[page - 1].extract_text() or ""
        return self.cache[doc_id, page]

    def count(self, doc_id: str) -> int:
        """How many pages the file has."""
        return len(self.pdf(doc_id).pages)

    def close(self) -> None:
        for pdf in self.pdfs.values():
            pdf.close()


@pytest.fixture(scope="module")
def pages(out: Path, manifest: dict[str, dict]):
    """The rendered documents' page texts."""
    reader = Pages(out, manifest)
    yield reader
    reader.close()


def test_every_file_is_written(out: Path, manifest: dict[str, dict]) -> None:
    assert sorted(manifest) == sorted(QUICK)
    for entry in manifest.values():
        assert (out / entry["file"]).stat().st_size > 1000
    assert (out / "questions.jsonl").exists()


def test_pdfs_open_and_text_extracts(manifest: dict[str, dict], pages: Pages) -> None:
    for doc_id, entry in manifest.items():
        assert pages.count(doc_id) == entry["pages"]
        for n in (1, 2, entry["pages"]):
            assert pages(doc_id, n).strip(), (doc_id, n)
        if entry["kind"] == "disclosure":
            first = squeeze(pages(doc_id, 1))
            assert squeeze(entry["unit"]) in first or entry["short_names"][0] in first


@pytest.mark.parametrize("doc_id", FULL)
def test_tables_are_where_the_manifest_says(doc_id: str, manifest: dict[str, dict], pages: Pages) -> None:
    for table in manifest[doc_id]["tables"]:
        if table.get("missing"):
            assert table["pages"] == []
            continue
        text = squeeze("".join(pages(doc_id, p) for p in table["pages"]))
        title = table.get("extracted_title", table["title"])
        if title != "(form)":
            assert squeeze(title) in squeeze(pages(doc_id, table["pages"][0])), (doc_id, title)
        for cell in table["cells"]:
            assert squeeze(cell["printed"]) in text, (doc_id, table["key"], cell)


@pytest.mark.parametrize("doc_id", FULL + ["other-statistics-bulletin"])
def test_facts_are_on_their_pages(doc_id: str, manifest: dict[str, dict], pages: Pages) -> None:
    for fact in manifest[doc_id]["facts"]:
        span = range(fact["page"], fact.get("continues_on_page", fact["page"]) + 1)
        assert squeeze(fact["text"]) in squeeze("".join(pages(doc_id, p) for p in span)), (doc_id, fact)


def test_questions_jsonl(out: Path, manifest: dict[str, dict]) -> None:
    rows = [json.loads(line) for line in (out / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    for doc_id, entry in manifest.items():
        mine = [r for r in rows if r["doc"] == doc_id]
        assert len(mine) == entry["questions"] and 8 <= len(mine) <= 15, doc_id
        assert sum(r["want"] == "unknown" for r in mine) >= 2
        for r in mine:
            assert set(r) == {"q", "want", "nums", "texts", "doc"}
            assert r["want"] in ("answer", "unknown")
            assert all(isinstance(alts, list) and alts for alts in r["nums"] + r["texts"])
            if r["want"] == "answer":
                assert r["nums"] or r["texts"]


def test_total_row_alone_on_next_page(out: Path, manifest: dict[str, dict]) -> None:
    entry = manifest["total-row-next-page"]
    income = next(t for t in entry["tables"] if t["key"] == "income")
    with pdfplumber.open(out / entry["file"], pages=income["pages"][-2:]) as pdf:
        before = pdf.pages[0].find_tables(LINES)[0].extract()
        last = pdf.pages[1].find_tables(LINES)[0].extract()
    assert len(last) == 1 and last[0][0] == "合计"
    assert len(last[0]) < len(before[-1])  # the 合计 cell spans the 类/款/项 and 名称 columns


def test_displaced_quotes(pages: Pages, manifest: dict[str, dict]) -> None:
    entry = manifest["quotes-displaced"]
    sangong = next(t for t in entry["tables"] if t["key"] == "final_sangong")
    lines = pages("quotes-displaced", sangong["pages"][0]).splitlines()
    assert lines[0].replace(" ", "") == "“”"
    assert lines[1] == "财政拨款 三公 经费支出决算表"
    assert "七、财政拨款 三公 经费支出决算表" in pages("quotes-displaced", 2)


def test_missing_table_is_still_in_the_contents(pages: Pages, manifest: dict[str, dict]) -> None:
    entry = manifest["missing-table-pages"]
    econ = next(t for t in entry["tables"] if t["key"] == "basic_econ")
    assert econ["missing"] and econ["pages"] == []
    assert "一般公共预算基本支出部门预算经济分类预算表" in squeeze(pages("missing-table-pages", 2))
    sangong = next(t for t in entry["tables"] if t["key"] == "sangong")["pages"][0]
    soe = next(t for t in entry["tables"] if t["key"] == "soe")["pages"][0]
    assert sangong == soe + 1  # the pages between them are gone
    assert f"-{soe + 4}-" in squeeze(pages("missing-table-pages", sangong))  # and the page numbers jump


def test_cover_year_extracts_after_the_title(pages: Pages) -> None:
    assert pages("cover-year-own-line", 1).splitlines() == ["上海市北岭区体育局", "年度部门决算", "2024"]


@pytest.mark.parametrize("kind,stage", [("culture", "预算"), ("health", "决算"), ("street", "预算")])
def test_ledgers_add_up(kind: str, stage: str) -> None:
    _, led = make_unit(kind, 2024, "测试区", seed=5, stage=stage)
    assert isinstance(led, Ledger)
    assert sum(led.econ.values()) == led.basic() == led.personnel() + led.public()
    assert led.total() == led.fiscal() + led.other()
    assert led.sangong.reception == led.econ["30217"] and led.sangong.car_run == led.econ["30231"]
    if stage == "决算":
        assert all(i.basic % 100 == 0 and i.project % 100 == 0 for i in led.items)


def test_every_variant_builds_and_the_big_one_is_500_pages() -> None:
    for vid, make in VARIANTS.items():
        if vid != "big-500-pages":
            doc = make()
            assert doc.id == vid and doc.blocks and 8 <= len(doc.questions) <= 15
    assert len(lay_out(big_compilation()).pages) == 500
