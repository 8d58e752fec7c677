"""Bounded builds: hostile PDFs and odd sources each stop with one line, within a memory bound.

The PDFs are made here by writing raw PDF bytes (no PDF library): many pages, one content stream shared by
20,000 pages, flate bombs, a font map bomb, dense ruled pages. Builds that could exhaust memory run in a child
process under RLIMIT_AS, so exceeding the bound fails the test; nothing here asserts on time.
"""
from __future__ import annotations

import gc
import os
import resource
import subprocess
import sys
import weakref
import zlib
from pathlib import Path

import pytest

from bot.ingest.files import expand_sources, printable
from bot.ingest.limits import (LimitExceeded, Limits, check_file, check_pdf, iter_pages, open_pdf)
from bot.ingest.source import SourceError, read_source
from conftest import pdf_file

ROOT = Path(__file__).resolve().parent.parent
MEMORY_BOUND = 768 << 20  # address space for a child build: a bomb inflated whole needs over 1 GB
CN = ("一般公共预算财政拨款支出基本工资津贴补贴社会保障缴费"
      "办公费印刷费差旅费会议费培训费公务接待费机关运行经费")

# --- making PDFs ----------------------------------------------------------------------------------------------------

FONT = (b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        b"/FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >> /DW 1000 >>] >>")


def flate(data: bytes, compressed: bytes | None = None, extra: bytes = b"") -> bytes:
    """A Flate stream object of `data` (or of bytes already compressed)."""
    body = zlib.compress(data) if compressed is None else compressed
    return b"<< /Length %d /Filter /FlateDecode%s >>\nstream\n" % (len(body), extra) + body + b"\nendstream"


def text(x: float, y: float, s: str, size: int = 9) -> bytes:
    """Drawing one string in the CJK font (UCS-2 codes)."""
    return b"BT /F1 %d Tf %.1f %.1f Td <%s> Tj ET\n" % (size, x, y, s.encode("utf-16-be").hex().encode())


def dense_page(no: int, rows: int = 45, cols: tuple[int, ...] = (40, 190, 290, 370, 450, 555)) -> bytes:
    """One A4 page's content: a title and a ruled table of `rows` rows with Chinese labels and amounts."""
    top, h = 790, 16
    ops = [text(200, 810, f"第{no}页 一般公共预算财政拨款支出决算表", 12)]
    ops += [b"%d %d m %d %d l S\n" % (cols[0], top - r * h, cols[-1], top - r * h) for r in range(rows + 1)]
    ops += [b"%d %d m %d %d l S\n" % (x, top, x, top - rows * h) for x in cols]
    for r in range(rows):
        y = top - (r + 1) * h + 4
        k = (no * rows + r) % (len(CN) - 10)
        ops.append(text(cols[0] + 3, y, CN[k:k + 10]))
        ops += [text(cols[c] + 3, y, f"{(no * 7919 + r * 104729 + c * 13) % 1000000 / 100:,.2f}")
                for c in range(1, len(cols) - 1)]
    return b"".join(ops)


def make_pdf(contents: list[bytes], pages: int | None = None, font: bytes = FONT,
             compressed: list[bytes] | None = None) -> bytes:
    """One page per content stream; with `pages`, that many pages all drawing the first content stream."""
    streams = [flate(c) for c in contents] + [flate(b"", c) for c in compressed or []]
    n = pages or len(streams)
    first_stream = 4 + n
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(n))
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n), font]
    objs += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
             b"/Resources << /Font << /F1 3 0 R >> >> >>" % (first_stream + (0 if pages else i)) for i in range(n)]
    return pdf_file(objs + streams)


def bomb(megabytes: int, checksum: bool = True) -> bytes:
    """A zlib stream of `megabytes` MB of zeros, about 1,000 times smaller (built without inflating it)."""
    chunk = b"\0" * (1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)  # the same bytes for every MB after a full flush
    adler = 1
    for _ in range(megabytes):
        adler = zlib.adler32(chunk, adler)
    return b"\x78\xda" + block * megabytes + c.flush() + (adler if checksum else adler ^ 1).to_bytes(4, "big")


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def one_line_build(source: Path, db: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """`budgetbot build --source` in a child whose address space is capped at MEMORY_BOUND."""
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BOUND, MEMORY_BOUND))

    proc = subprocess.run([sys.executable, "-m", "bot", "build", "--source", str(source), "--db", str(db)],
                          capture_output=True, text=True, preexec_fn=cap, cwd=ROOT,
                          env={**os.environ, **(env or {})})
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("budgetbot build: "), proc.stderr[-2000:]
    assert not db.exists()
    return proc


# --- the limits themselves --------------------------------------------------------------------------------------

def test_defaults_admit_real_disclosures_and_variables_override_them():
    limits = Limits.from_env({})
    assert limits == Limits() and limits.max_pages >= 300 and limits.max_file_bytes >= 50 << 20
    env = Limits.from_env({"BUDGETBOT_MAX_PAGES": "2000", "BUDGETBOT_MAX_STREAM_MB": "8", "BUDGETBOT_MAX_SECONDS": "90"})
    assert (env.max_pages, env.max_stream_bytes, env.max_seconds) == (2000, 8 << 20, 90.0)
    with pytest.raises(SourceError, match="BUDGETBOT_MAX_PAGES: expected a positive number"):
        Limits.from_env({"BUDGETBOT_MAX_PAGES": "lots"})
    for pdf in sorted((ROOT / "data" / "disclosures").glob("*.pdf")):
        check_pdf(pdf, limits)  # the real disclosures pass the check


def test_a_file_over_the_size_limit(tmp_path):
    path = write(tmp_path, "big.pdf", b"%PDF-1.7\n" + b"0" * 5000)
    with pytest.raises(LimitExceeded, match="BUDGETBOT_MAX_FILE_MB") as exc:
        check_file(path, Limits(max_file_bytes=4096))
    assert "big.pdf" in str(exc.value) and "\n" not in str(exc.value)


# --- hostile PDFs through the command: one line, memory bounded -------------------------------------------------

def test_a_flate_bomb_stops_at_once_within_the_memory_bound(tmp_path):
    path = write(tmp_path, "bomb.pdf", make_pdf([], compressed=[bomb(1024)]))  # 1 MB → 1 GB
    assert len(path.read_bytes()) < 1.1e6
    proc = one_line_build(path, tmp_path / "out.db")
    assert "bomb.pdf" in proc.stderr and "compression bomb" in proc.stderr and "BUDGETBOT_MAX_STREAM_MB" in proc.stderr


def test_one_content_stream_shared_by_20000_pages_is_refused_at_once(tmp_path):
    path = write(tmp_path, "shared.pdf", make_pdf([dense_page(1)], pages=20_000))
    assert 2e6 < len(path.read_bytes()) < 4e6
    proc = one_line_build(path, tmp_path / "out.db")
    assert "shared.pdf" in proc.stderr and "too many pages" in proc.stderr and "BUDGETBOT_MAX_PAGES" in proc.stderr


def test_many_small_bombs_stop_at_the_total(tmp_path):
    each = bomb(24)  # under the 32 MB a stream may have; 12 of them are over the 256 MB of a whole file
    path = write(tmp_path, "bombs.pdf", make_pdf([], compressed=[each] * 12))
    proc = one_line_build(path, tmp_path / "out.db")
    assert "bombs.pdf" in proc.stderr and "in all" in proc.stderr and "BUDGETBOT_MAX_DECODED_MB" in proc.stderr


def test_the_pdfplumber_reader_is_bounded_on_its_own(tmp_path):
    """read_pdf (open_pdf + iter_pages) without the check before it: pdfminer's own inflating is capped."""
    path = write(tmp_path, "bomb.pdf", make_pdf([], compressed=[bomb(1024, checksum=False)]))
    code = ("import sys; from bot.ingest.source import read_source, SourceError\n"
            "try: read_source(sys.argv[1])\n"
            "except SourceError as e: print(e); sys.exit(3)\n")
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BOUND, MEMORY_BOUND)))
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert "bomb.pdf: page 1: a stream decompresses to too much" in proc.stdout


# --- the pdfplumber reader's caps, in process ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def dense(tmp_path_factory) -> Path:
    """Four dense pages (a ruled table of Chinese labels and amounts each)."""
    return write(tmp_path_factory.mktemp("dense"), "dense.pdf", make_pdf([dense_page(n) for n in range(1, 5)]))


def test_pages_are_read_one_by_one_and_freed(dense):
    refs = []
    with open_pdf(dense, Limits()) as pdf:
        assert pdf.page_count == 4
        for page in iter_pages(pdf):
            assert len(page.chars) > 1000 and len(page.lines) > 40
            refs.append(weakref.ref(page.layout))
            assert sum(1 for r in refs if r() is not None) == 1  # only the page being read is held
        cached = [o for o, _ in pdf.doc._cached_objs.values() if getattr(o, "data", None) is not None]
        assert not cached  # no decoded stream is kept once its page is done
    del page
    gc.collect()
    assert all(r() is None for r in refs)
    src = read_source(dense)
    assert src.pages == 4 and "一般公共预算财政拨款支出决算表" in src.lines[0].text and "\t" in src.lines[1].text


@pytest.mark.parametrize("limits, words", [
    (Limits(max_page_objects=500), "too many objects"),
    (Limits(max_page_grid=100), "ruled lines cross 276 times"),
    (Limits(max_page_content_bytes=4096), "too many drawing commands"),
    (Limits(max_pages=3), "too many pages"),
    (Limits(max_stream_bytes=4096), "decompresses to too much"),
    (Limits(max_seconds=1e-9), "takes too long"),
])
def test_each_cap_names_the_file_page_and_variable(dense, limits, words):
    with pytest.raises(LimitExceeded) as exc:
        with open_pdf(dense, limits) as pdf:
            for _ in iter_pages(pdf):
                pass
    message = str(exc.value)
    assert words in message and "dense.pdf" in message and "BUDGETBOT_MAX_" in message and "\n" not in message
    if "pages" not in words:
        assert ": page 1: " in message


def test_a_font_map_bomb_is_refused(tmp_path):
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Bomb def "
            b"1 begincodespacerange <0000> <FFFF> endcodespacerange "
            b"1 beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange endcmap end end")  # 4 billion codes
    font = FONT.replace(b"/DescendantFonts", b"/ToUnicode 6 0 R /DescendantFonts")
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>", font,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R "
            b"/Resources << /Font << /F1 3 0 R >> >> >>", flate(text(72, 700, "预算")), flate(cmap)]
    path = write(tmp_path, "cmap.pdf", pdf_file(objs))
    with pytest.raises(LimitExceeded, match="map too many character codes.*BUDGETBOT_MAX_FONT_MAP_ENTRIES"):
        read_source(path)


def test_a_stream_with_a_bad_checksum_is_still_read(tmp_path):
    good = zlib.compress(dense_page(1))
    damaged = good[:-4] + bytes(b ^ 0xFF for b in good[-4:])  # pdfminer reads past a wrong Adler-32
    src = read_source(write(tmp_path, "crc.pdf", make_pdf([], compressed=[damaged])))
    assert src.pages == 1 and "一般公共预算财政拨款支出决算表" in src.lines[0].text


def test_a_pdf_that_is_not_a_disclosure_stops_on_its_first_pages(tmp_path):
    menu = [text(72, 700, f"第{n}页 午餐菜单 面条 饺子") for n in range(1, 41)]
    with pytest.raises(SourceError, match="first 3 pages never say 预算 or 决算") as exc:
        read_source(write(tmp_path, "menu.pdf", make_pdf(menu)))
    assert exc.value.page == 1


# --- odd sources: one line each -------------------------------------------------------------------------------------

def test_an_empty_folder_and_one_without_disclosures(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match="folder is empty: no .pdf or .txt"):
        expand_sources([tmp_path / "empty"])
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.md").write_text("x")
    with pytest.raises(SourceError, match="directory holds no .pdf or .txt disclosure"):
        expand_sources([tmp_path / "notes"])


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    for source in (fifo, tmp_path):  # given by name, or found in a folder
        with pytest.raises(SourceError, match="FIFO") as exc:
            expand_sources([source])
        assert "pipe.pdf" in str(exc.value)
    os.mkfifo(tmp_path / "other.txt.fifo")  # not a .pdf/.txt name in a folder: never opened
    fifo.unlink()
    with pytest.raises(SourceError, match="no .pdf or .txt"):
        expand_sources([tmp_path])


def test_symlink_loops_and_broken_links(tmp_path):
    loop = tmp_path / "loop.pdf"
    loop.symlink_to(loop)
    for source in (loop, tmp_path):
        with pytest.raises(SourceError, match="symbolic link loop"):
            expand_sources([source])
    loop.unlink()
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
    with pytest.raises(SourceError, match="broken symbolic link"):
        expand_sources([tmp_path])


def test_an_unreadable_file(tmp_path, monkeypatch):
    path = write(tmp_path, "locked.txt", b"x")
    real_open = os.open

    def denied(p, *args, **kwargs):
        if Path(p) == path:
            raise PermissionError(13, "Permission denied", str(p))
        return real_open(p, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)  # root reads any file: the denial is injected
    with pytest.raises(SourceError, match="locked.txt: cannot read the file: permission denied"):
        expand_sources([tmp_path])


def test_printable_names():
    assert printable("预算\n built x.db from 1 disclosure(s): 0 checks, 0 failed") == \
        "预算\\n built x.db from 1 disclosure(s): 0 checks, 0 failed"
    assert printable("a\x1b[2Kb\x9bc\tz") == "a\\x1b[2Kb\\x9bc\\tz"
    assert printable("evil\u202etxt.pdf") == "evil\\u202etxt.pdf"  # a bidi override
    assert printable(os.fsdecode(b"caf\xe9.pdf")) == "caf\\xe9.pdf"  # a byte that is not UTF-8
    assert printable(Path("一般 公共/预算.pdf")) == "一般 公共/预算.pdf"


def test_a_hostile_file_name_prints_as_one_line(tmp_path):
    name = "x\nbuilt budget.db from 1 disclosure(s): 0 checks, 0 failed\x1b[1A\x1b[2K.pdf"
    path = write(tmp_path, name, b"not a pdf")
    proc = one_line_build(path, tmp_path / "out.db")
    assert proc.stdout == "" and "\x1b" not in proc.stderr
    assert "x\\nbuilt budget.db" in proc.stderr and "\\x1b[1A" in proc.stderr and "not a PDF" in proc.stderr


def test_an_empty_folder_through_the_command_is_one_line(tmp_path):
    (tmp_path / "in").mkdir()
    proc = one_line_build(tmp_path / "in", tmp_path / "out.db")
    assert "folder is empty" in proc.stderr
