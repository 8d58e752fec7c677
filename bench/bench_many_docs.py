"""Benchmark many documents in one database: the seed and the Shanghai text twins loaded again under other unit
names (100 documents in all), then build time, database size, answer median/p99 and cold start.

usage: python bench/bench_many_docs.py [N] [JOBS]   (needs ../shared/disclosures beside the project)
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "disclosures"
NAMES = "甲乙丙丁戊己庚辛壬癸"
# The unit names as each text prints them (the seed, and the Shanghai twins' units).
UNITS = {
    "xinzhou-rsj-2023-budget.txt": ["忻州市人力资源和社会保障局"],
    "shanghai-putuo-wanli-street-2023-budget.txt": ["上海市普陀区人民政府万里街道办事处", "万里街道"],
    "shanghai-putuo-welfare-home-2024-budget.txt": ["上海市普陀区社会福利院", "社会福利院"],
    "shanghai-putuo-planning-2024-final-accounts.txt": ["上海市普陀区规划和自然资源局", "规划和自然资源局"],
}


def tag_of(k: int, n: int) -> str:
    """A unique Chinese tag for copy k (two characters up to 100 copies, one more for each power of ten)."""
    width = max(2, len(str(max(n - 1, 1))))
    return "".join(NAMES[int(d)] for d in str(k).zfill(width))


def make_sources(folder: Path, n: int) -> list[Path]:
    """n disclosure texts: the four real ones, then copies whose unit is renamed (忻州市甲乙局, 甲乙街道 …)."""
    out = []
    texts = {name: (SHARED / name).read_text(encoding="utf-8") for name in UNITS}
    for name, text in texts.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        out.append(path)
    k = 0
    while len(out) < n:
        name = list(UNITS)[k % len(UNITS)]
        tag = tag_of(k, n)
        text = texts[name].replace("规划和自然\n资源局", "规划和自然资源局")  # the cover's name on one line, renamed too
        for old in UNITS[name]:
            new = old.replace("人力资源和社会保障", f"{tag}测试").replace("万里", tag).replace("社会福利", f"{tag}福利") \
                .replace("规划和自然资源", f"{tag}规划")
            text = text.replace(old, new)
        path = folder / f"copy{k:03d}-{name}"
        path.write_text(text, encoding="utf-8")
        out.append(path)
        k += 1
    return out


QUESTIONS = ["三公经费多少", "取暖费多少", "基本支出", "人员经费是多少", "项目支出占比", "万里街道2023年公用经费",
             "福利院2024年财政拨款收入", "规划资源局2024年三公经费决算数", "万里街道和福利院三公经费分别多少",
             "黄浦区财政局三公经费", "万里街道2025年预算", "会议费算不算三公经费", "项目支出前三名",
             "行政运行的项目支出", "规划局接待了几批次"]
RANKINGS = ["哪个单位三公经费最多", "哪个单位基本支出最多", "各单位公用经费排名", "哪个单位项目支出最少", "哪个单位人员经费最高"]


def named_questions(n: int, count: int) -> list[str]:
    """Questions that each name another copied document (so each is the first question to its document)."""
    out = []
    for k in range(min(count, max(0, n - 4))):
        tag = tag_of(k, n)
        kind = k % len(UNITS)
        out.append([f"忻州市{tag}测试局取暖费多少", f"{tag}街道2023年三公经费", f"{tag}福利院基本支出",
                    f"{tag}规划局三公经费决算"][kind])
    return out


def main(n: int = 100, jobs: int = 2) -> None:
    """Build n documents, rebuild after one changes, then time answers in one process and the cold start."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "disclosures"
        folder.mkdir()
        sources = make_sources(folder, n)
        db = Path(tmp) / "many.db"
        build = [sys.executable, "-m", "bot", "build", "--db", str(db), "--source", str(folder), "--jobs", str(jobs)]
        t0 = time.perf_counter()
        subprocess.run(build, check=True, capture_output=True, cwd=ROOT)
        build_s = time.perf_counter() - t0
        changed = sources[-1]
        changed.write_text(changed.read_text(encoding="utf-8").replace("三公", "三公", 1) + "\n", encoding="utf-8")
        t0 = time.perf_counter()
        subprocess.run(build, check=True, capture_output=True, cwd=ROOT)
        rebuild_s = time.perf_counter() - t0
        size = db.stat().st_size
        env = dict(os.environ, BUDGETBOT_DB=str(db))
        named = named_questions(n, 200)
        code = ("import json, resource, statistics, time\n"
                "from bot.engine import get_engine\n"
                f"qs = {QUESTIONS!r}\nnamed = {named!r}\nrankings = {RANKINGS!r}\n"
                "t0 = time.perf_counter(); e = get_engine(); start = time.perf_counter() - t0\n"
                "ts, first = [], []\n"
                "for q in named:\n"
                "    t = time.perf_counter(); e.answer(q); ts.append(time.perf_counter() - t); first.append(ts[-1])\n"
                "for k in range(20):\n"
                "    for q in qs:\n"
                "        t = time.perf_counter(); e.answer(q); ts.append(time.perf_counter() - t)\n"
                "        if k == 0: first.append(ts[-1])\n"
                "ranking = []\n"
                "for q in rankings:  # each asked once: never an answer kept from before\n"
                "    t = time.perf_counter(); a = e.answer(q); ranking.append(time.perf_counter() - t)\n"
                "ts.sort(); first.sort()\n"
                "print(json.dumps({'docs': e.library.count, 'engine_start_s': round(start, 3),\n"
                "                  'answers': len(ts), 'median_ms': round(statistics.median(ts) * 1000, 2),\n"
                "                  'p99_ms': round(ts[int(len(ts) * 0.99) - 1] * 1000, 2),\n"
                "                  'uncached_answers': len(first), 'uncached_median_ms': round(statistics.median(first) * 1000, 2),\n"
                "                  'uncached_p99_ms': round(first[int(len(first) * 0.99) - 1] * 1000, 2),\n"
                "                  'first_to_a_document_ms_max': round(max(ts) * 1000, 1),\n"
                "                  'ranking_all_docs_ms': round(statistics.median(ranking) * 1000, 1),\n"
                "                  'ranking_all_docs_ms_max': round(max(ranking) * 1000, 1),\n"
                "                  'ranking_lines': a.body.count('\\n'),\n"
                "                  'rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))\n")
        out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
        result = json.loads(out.stdout)
        cold = []
        for _ in range(5):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "bot", "ask", "三公经费多少"], env=env, cwd=ROOT, check=True,
                           capture_output=True)
            cold.append(time.perf_counter() - t0)
    result.update(build_s=round(build_s, 2), jobs=jobs, rebuild_one_changed_s=round(rebuild_s, 2),
                  db_mb=round(size / 1e6, 2), kb_per_doc=round(size / n / 1e3, 1),
                  cold_start_s_median=round(statistics.median(cold), 3), cold_start_s_max=round(max(cold), 3))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100, int(sys.argv[2]) if len(sys.argv) > 2 else 2)
