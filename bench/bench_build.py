"""Benchmark `budgetbot build`: the whole command (a fresh process each run), and reading, checking and turning
into rows each document."""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def per_document(runs: int) -> None:
    """Median and max seconds to read each disclosure in data/disclosures (text or PDF), then to check it and turn it
    into rows (what a build's worker does per document)."""
    from bot import paths
    from bot.ingest.build import read_file
    from bot.ingest.rows import rows_of
    from bot.ingest.verify import checks_for

    for src in paths.sources():
        reads, rest = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            doc = read_file(src)
            t1 = time.perf_counter()
            rows_of(doc, checks_for(doc))
            reads.append(t1 - t0)
            rest.append(time.perf_counter() - t1)
        print(f"  {src.name}: read median {statistics.median(reads):.3f} s, max {max(reads):.3f} s; "
              f"checks and rows median {statistics.median(rest):.3f} s")


def main(runs: int = 7) -> None:
    """Run the build command `runs` times into a temporary database and print median and max; then per document."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "bot", "build", "--db", str(db)], check=True, capture_output=True)
            times.append(time.perf_counter() - t0)
    print(f"budgetbot build: median {statistics.median(times):.2f} s, max {max(times):.2f} s over {runs} runs")
    per_document(runs)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
