"""Benchmark the answer engine: per-answer median/p99 over many questions, and the cold start of `budgetbot ask`."""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bot.engine import get_engine

ROOT = Path(__file__).resolve().parent.parent


def questions() -> list[str]:
    """Every phrasing of every query, the project's test questions, and variants with noise."""
    import yaml

    engine = get_engine()
    base = [p for q in engine.queries.values() for p in q.phrasings]
    extra = yaml.safe_load((ROOT / "tests" / "questions.yaml").read_text(encoding="utf-8"))
    base += [i["q"] for i in extra["answer"]] + extra["unknown"]
    noisy = [f"请问{q}？谢谢" for q in base] + [q + "呀！！" for q in base]
    return base + noisy + ["税" * 100_000, "", "😀" * 50]


def main() -> None:
    """Print per-answer timings and the CLI cold start."""
    engine = get_engine()
    qs = questions()
    times = []
    worst = (0.0, "")
    for q in qs:
        t0 = time.perf_counter()
        engine.answer(q)
        dt = time.perf_counter() - t0
        times.append(dt)
        worst = max(worst, (dt, q[:20]))
    times.sort()
    p99 = times[int(len(times) * 0.99) - 1]
    print(json.dumps({"questions": len(qs), "median_ms": round(statistics.median(times) * 1000, 2),
                      "p99_ms": round(p99 * 1000, 2), "max_ms": round(worst[0] * 1000, 2), "slowest": worst[1]},
                     ensure_ascii=False))
    cold = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "ask", "三公经费多少"], check=True, capture_output=True)
        cold.append(time.perf_counter() - t0)
    print(json.dumps({"cold_start_s_median": round(statistics.median(cold), 3), "cold_start_s_max": round(max(cold), 3)}))


if __name__ == "__main__":
    main()
