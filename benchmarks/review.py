"""Benchmark: time from pressing Accept on the Review page to the next sample being rendered, via AppTest.

    python benchmarks/review.py                 # 100,000-sample store (built once, cached in benchmarks/out)
    python benchmarks/review.py --samples 5000 --accepts 10   # quick check

Prints one JSON document with the median and p95 of accept -> next sample (target: median <= 300 ms). The named
baseline, measured in the same run on the same page and store, is `rerun_without_action`: a plain rerun of the
review screen (what Streamlit does on any widget change), i.e. the floor an accept cannot go below. The accept
adds the review row, the status revision and moving to the next sample.

The store is filled directly through store.samples.add (the import path has its own benchmark), then the
pre-flag checks run over it so the queue is ordered flagged-first as it would be after a real import.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "out"
GENERATOR_VERSION = 1  # bump when the generated store changes, so a cached one is rebuilt
TARGET_MEDIAN_MS = 300.0

_EN = ["Explain the difference between a process and a thread.", "The revenue grew by 12 percent this quarter.",
       "First convert both fractions to a common denominator.", "Keep the answer under two hundred words.",
       "The train from Shanghai to Hangzhou takes about one hour.", "Use a dictionary to count the words.",
       "Photosynthesis turns light energy into chemical energy.", "Therefore the answer is 42."]
_ZH = ["请解释一下进程和线程的区别。", "本季度营收同比增长百分之十二。", "首先把两个分数通分，然后相加。",
       "请把回答控制在两百字以内。", "上海到杭州的高铁大约一个小时。", "用字典统计每个词出现的次数。",
       "光合作用把光能转化为化学能。", "所以答案是四十二。"]
_TYPES = [("reasoning", "math"), ("code", "generation"), ("translation", "zh→en"), ("summarization", "news"),
          ("creative writing", "story"), ("classification", "sentiment"), ("RAG", "grounded QA"),
          ("multi-turn chat", "open chat"), ("education", "tutoring"), ("finance", "analysis")]


def _sample(i: int, rng: random.Random) -> tuple[list[dict], str]:
    pool = _ZH if rng.random() < 0.5 else _EN
    sep = "" if pool is _ZH else " "
    prompt = sep.join(rng.choices(pool, k=rng.randint(1, 3)))
    answer = sep.join(rng.choices(pool, k=rng.randint(2, 12)))
    if rng.random() < 0.03:  # a few pre-flag positives so flagged-first has something to put first
        answer = answer.replace("。", ",", 1) if pool is _ZH else answer + " {{name}}"
    return [{"role": "user", "content": f"{prompt} (#{i})"}, {"role": "assistant", "content": answer}], \
        "zh" if pool is _ZH else "en"


def build_store(path: Path, n: int, seed: int = 0) -> None:
    """A store of n two-turn samples across ten task types, inserted in batches."""
    import pyarrow as pa

    from curation.checks import run_checks
    from curation.messages import content_hash
    from curation.store import SAMPLE_COLUMNS, Store, sample_arrow_schema
    rng = random.Random(seed)
    store = Store(path)
    now = datetime(2025, 1, 1)
    for start in range(0, n, 20_000):
        rows = {c: [] for c in SAMPLE_COLUMNS}
        for i in range(start, min(n, start + 20_000)):
            msgs, lang = _sample(i, rng)
            l1, l2 = _TYPES[i % len(_TYPES)]
            h = content_hash(msgs)
            row = {"id": f"s_{i:08d}", "dataset": "bench", "messages": json.dumps(msgs, ensure_ascii=False),
                   "tools": None, "task_l1": l1, "task_l2": l2, "language": lang, "tags": [], "status": "pending",
                   "split": None, "content_hash": h, "source_hash": h, "source": f"bench:{i}", "ingest_id": 1,
                   "parent_id": None, "n_turns": 1, "has_system": False, "has_tools": False,
                   "prompt_chars": len(msgs[0]["content"]), "answer_chars": len(msgs[1]["content"]), "rev": 0,
                   "created_at": now, "updated_at": now}
            for c in SAMPLE_COLUMNS:
                rows[c].append(row.get(c))
        store.samples.add(pa.table({c: rows[c] for c in SAMPLE_COLUMNS}, schema=sample_arrow_schema()))
    store.ingests.add(dataset="bench", files=["generated"], format="messages", imported=n,
                      rejected=0, already_present=0, settings={"generator": GENERATOR_VERSION})
    run_checks(store)
    store.close()


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def measure(db: Path, accepts: int, warmup: int) -> dict:
    """Open the default queue as a fresh annotator, then time Accept -> next sample, and plain reruns."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from curation.review import create_profile
    from curation.store import Store
    name = f"bench-{os.getpid()}-{time.time_ns()}"
    with Store(db) as s:
        create_profile(s, name, "annotator")
    os.environ["CURATION_DB"] = str(db)
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "pages" / "review.py"), default_timeout=120)
    at.session_state["user"] = name
    at.run()
    at.button(key="rvq_open").click().run()
    _check(at)

    def current_id() -> str:
        return at.text[0].value.split(" · ")[0]

    accept_ms, rerun_ms = [], []
    for i in range(warmup + accepts):
        before = current_id()
        t = time.perf_counter()
        at.button(key="rv_v_accept").click().run()
        ms = (time.perf_counter() - t) * 1000
        _check(at)
        if current_id() == before:
            raise SystemExit(f"accept did not move to the next sample (still {before})")
        if i >= warmup:
            accept_ms.append(ms)
    for i in range(warmup + accepts):
        t = time.perf_counter()
        at.run()
        if i >= warmup:
            rerun_ms.append((time.perf_counter() - t) * 1000)
    return {"accept": accept_ms, "rerun": rerun_ms}


def _check(at) -> None:
    if at.exception:
        raise SystemExit("the review page raised: " + "; ".join(e.message for e in at.exception))
    if at.error:
        raise SystemExit("the review page showed an error: " + "; ".join(e.value for e in at.error))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=100_000)
    ap.add_argument("--accepts", type=int, default=30, help="timed accepts (and timed plain reruns)")
    ap.add_argument("--warmup", type=int, default=3)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    cached = OUT / f"review_{args.samples}_v{GENERATOR_VERSION}.duckdb"
    t = time.perf_counter()
    if not cached.exists():
        tmp = cached.with_suffix(".building")
        tmp.unlink(missing_ok=True)
        build_store(tmp, args.samples)
        tmp.rename(cached)
    build_s = time.perf_counter() - t
    work = Path(tempfile.mkdtemp(prefix="review_bench_"))
    try:
        db = work / "store.duckdb"
        shutil.copy(cached, db)  # accepts change the store; the cached copy stays pristine
        times = measure(db, args.accepts, args.warmup)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    acc, rer = times["accept"], times["rerun"]
    result = {
        "benchmark": "review: accept -> next sample rendered (AppTest)",
        "samples": args.samples, "accepts": len(acc), "warmup": args.warmup,
        "accept_ms": {"median": round(statistics.median(acc), 1), "p95": round(_pct(acc, 0.95), 1),
                      "min": round(min(acc), 1), "max": round(max(acc), 1)},
        "baseline": {"name": "rerun_without_action", "median": round(statistics.median(rer), 1),
                     "p95": round(_pct(rer, 0.95), 1)},
        "accept_over_baseline_ms": round(statistics.median(acc) - statistics.median(rer), 1),
        "target_median_ms": TARGET_MEDIAN_MS,
        "meets_target": statistics.median(acc) <= TARGET_MEDIAN_MS,
        "store_build_s": round(build_s, 1),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "load_avg_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None},
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
