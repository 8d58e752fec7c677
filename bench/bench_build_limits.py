"""Bounded builds: peak RSS and time of `budgetbot build` on a 200-page dense PDF and on hostile PDFs.

Each run is a fresh child process; its peak RSS comes from wait4. Two ways in for every file:
`build`   the whole command (`budgetbot build --source FILE`), whichever PDF reader the build uses, and
`reader`  the pdfplumber reader alone (read_source → read_pdf: open_pdf + iter_pages), without the check
          that `build` runs before any reader (so pdfminer's own caps are what stops it).

    python bench/bench_build_limits.py [pages]     # pages of the dense PDF, 200 by default
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from test_build_limits import FONT, bomb, dense_page, flate, make_pdf, pdf_file, text  # noqa: E402

READER = ("import sys\nfrom bot.ingest.source import read_source, SourceError\n"
          "try:\n    s = read_source(sys.argv[1])\n    print(f'read {s.pages} pages, {len(s.lines)} lines')\n"
          "except SourceError as e:\n    print(e, file=sys.stderr); sys.exit(2)\n")


def font_map_bomb() -> bytes:
    """A ToUnicode map of one range over 4 billion codes."""
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap 1 begincodespacerange <0000> <FFFF> "
            b"endcodespacerange 1 beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange endcmap end end")
    font = FONT.replace(b"/DescendantFonts", b"/ToUnicode 6 0 R /DescendantFonts")
    return pdf_file([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>", font,
                     b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R "
                     b"/Resources << /Font << /F1 3 0 R >> >> >>", flate(text(72, 700, "预算")), flate(cmap)])


def files(folder: Path, pages: int) -> dict[str, Path]:
    """The dense PDF and the hostile ones, written to `folder`."""
    made = {
        f"dense-{pages}p": make_pdf([dense_page(n) for n in range(1, pages + 1)]),
        "flate-bomb-1MB-to-1GB": make_pdf([], compressed=[bomb(1024)]),
        "flate-bomb-bad-checksum": make_pdf([], compressed=[bomb(1024, checksum=False)]),
        "12-bombs-of-24MB": make_pdf([], compressed=[bomb(24)] * 12),
        "20000-pages-one-stream": make_pdf([dense_page(1)], pages=20_000),
        "font-map-bomb": font_map_bomb(),
        "path-bomb-1MB": make_pdf([b"0 0 m " + b"1 1 l " * 170_000 + b"S\n" + text(72, 700, "预算")]),
        "nesting-bomb-1MB": make_pdf([b"[" * 1_000_000 + b"\n" + text(72, 700, "预算")]),
    }
    out = {}
    for name, data in made.items():
        out[name] = folder / f"{name}.pdf"
        out[name].write_bytes(data)
    return out


def measured(cmd: list[str]) -> dict:
    """Seconds, peak RSS (MB, from wait4 in a wrapper), exit status and last line printed of one child process."""
    wrapper = ("import os, subprocess, sys, json, time\n"
               "t = time.perf_counter(); p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, "
               "stderr=subprocess.PIPE)\n"
               "out, err = p.stdout.read(), p.stderr.read(); _, status, ru = os.wait4(p.pid, 0)\n"
               "text = (out + err).decode('utf-8', 'replace').strip()\n"
               "print(json.dumps({'seconds': round(time.perf_counter() - t, 1), 'peak_mb': ru.ru_maxrss // 1024, "
               "'rc': os.waitstatus_to_exitcode(status), 'lines': text.count(chr(10)) + 1 if text else 0, "
               "'said': text.splitlines()[-1][:170] if text else ''}, ensure_ascii=False))\n")
    proc = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True, cwd=ROOT)
    return json.loads(proc.stdout)


def main(pages: int = 200) -> list[dict]:
    """Measure every file both ways; print one JSON object per run."""
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in files(Path(tmp), pages).items():
            size = path.stat().st_size
            for way, cmd in (("build", [sys.executable, "-m", "bot", "build", "--source", str(path),
                                        "--db", str(Path(tmp) / "out.db")]),
                             ("reader", [sys.executable, "-c", READER, str(path)])):
                r = {"file": name, "bytes": size, "way": way, **measured(cmd)}
                results.append(r)
                print(json.dumps(r, ensure_ascii=False), flush=True)
    return results


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
