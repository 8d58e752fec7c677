"""Benchmark `budgetbot build`: the whole command (a fresh process each run), and reading + parsing each document."""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def per_document(runs: int) -> None:
    """Median and max seconds to read and recognise each disclosure in data/disclosures (text or PDF)."""
    from bot import paths
    from bot.ingest.recognise import parse_any
    from bot.ingest.source import read_source

    for src in paths.sources():
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            parse_any(read_source(src))
            times.append(time.perf_counter() - t0)
        print(f"  {src.name}: median {statistics.median(times):.2f} s, max {max(times):.2f} s")


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
