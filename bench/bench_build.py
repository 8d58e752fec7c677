"""Benchmark `budgetbot build`: wall time of the whole command (a fresh process each run)."""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main(runs: int = 7) -> None:
    """Run the build command `runs` times into a temporary database and print median and max."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "bot", "build", "--db", str(db)], check=True, capture_output=True)
            times.append(time.perf_counter() - t0)
    print(f"budgetbot build: median {statistics.median(times):.2f} s, max {max(times):.2f} s over {runs} runs")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
