"""Benchmark: what durability costs. The same import, robustness detection and export, run directly (as before
issue 19: no job row, no chunk checkpoints) and as durable jobs (chunk results and checkpoint committed together,
export files flushed and fsynced per chunk), side by side in one run on one store.

    python benchmarks/jobs.py              # 20,000 samples (detection on 5,000)
    python benchmarks/jobs.py --n 2000     # quick check

Prints one JSON document: wall and CPU seconds of each way and their ratio (job / direct). On a shared machine the
wall-clock ratio moves with the load; the CPU-time ratio beside it moves less.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROMPTS = ["wo xiang zhidao zenme zuo hongshaorou {i}", "我想learn一下python的用法和debug技巧 {i}",
           "How do I recieve teh package from teh store {i}", "Please explain the following {i}:",
           "What is the capital of country number {i}? Answer briefly and cite a source."]


def write_data(path: Path, n: int) -> Path:
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"messages": [
                {"role": "user", "content": PROMPTS[i % len(PROMPTS)].format(i=i)},
                {"role": "assistant", "content": f"Here is a careful answer for item {i}. " * 4}],
                "task_type": ["qa/general", "chat/zh", "code/python"][i % 3]}, ensure_ascii=False) + "\n")
    return path


def timed(fn) -> dict:
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    return {"wall_s": round(time.perf_counter() - t0, 3), "cpu_s": round(time.process_time() - c0, 3)}


def side_by_side(direct: dict, job: dict) -> dict:
    return {"direct": direct, "job": job, "wall_ratio": round(job["wall_s"] / max(direct["wall_s"], 1e-9), 3),
            "cpu_ratio": round(job["cpu_s"] / max(direct["cpu_s"], 1e-9), 3)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--detect-n", type=int, default=5_000)
    args = ap.parse_args()

    from curation import jobs
    from curation.export import ExportSettings, export_selection
    from curation.ingest import IngestSettings, ingest
    from curation.robustness.tagging import detect_into_store
    from curation.store import SampleFilter, Store

    tmp = Path(tempfile.mkdtemp(prefix="bench-jobs-"))
    data = write_data(tmp / "data.jsonl", args.n)
    fast = {"run_checks": False, "derive_stats": False, "workers": 0}
    out = {"n": args.n, "detect_n": args.detect_n}
    a, b = Store(tmp / "direct.duckdb"), Store(tmp / "job.duckdb")
    out["import"] = side_by_side(
        timed(lambda: ingest(a, [data], IngestSettings(**fast))),
        timed(lambda: jobs.start(b, "import", {"paths": [str(data)], "ingest": fast}, "bench", background=False)))
    f = SampleFilter(limit=args.detect_n)
    sub = {"ids": [r["id"] for r in a.samples.list(f, columns=("id",))]}
    out["robustness_detection"] = side_by_side(
        timed(lambda: detect_into_store(a, SampleFilter(**sub), chunk_size=10**9)),  # one chunk: as before
        timed(lambda: jobs.start(b, "robustness", {"filter": sub, "chunk_size": 500}, "bench", background=False)))
    out["export"] = side_by_side(
        timed(lambda: export_selection(a, tmp / "direct-export", settings=ExportSettings(), chunk_size=10**9)),
        timed(lambda: jobs.start(b, "export", {"out_dir": str(tmp / "job-export"), "chunk_size": 2000}, "bench",
                                 background=False)))
    same = (tmp / "direct-export" / "train.jsonl").read_bytes() == (tmp / "job-export" / "train.jsonl").read_bytes()
    out["export"]["identical_files"] = same
    out["jobs"] = [{k: j[k] for k in ("id", "kind", "state", "done", "total", "attempts")} for j in b.jobs.list()]
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
