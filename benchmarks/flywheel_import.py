"""Benchmark: importing production logs as candidates against importing the same conversations as samples.

    python benchmarks/flywheel_import.py                 # 5,000 sessions of 4 turns (20,000 log lines)
    python benchmarks/flywheel_import.py --sessions 20000 --workers 0 2
    git archive 2979b6b | tar -x -C /tmp/before && python benchmarks/flywheel_import.py --before /tmp/before

`--before DIR` also times the log import of another copy of the code (a `git archive` of an earlier commit) on the
same file, in a subprocess, in the same run. Every figure has its wall-clock seconds and its CPU seconds (this
process's and its finished workers'): on a shared machine the wall clock measures the other jobs too, the CPU time
much less so.

Prints one JSON document. `flywheel` is `curation.flywheel.candidates.import_logs` on a turn-per-line log (group
by session, scrub every turn, dedup against the store, four value rules, store candidates and redactions); the
baseline, in the same run on the same conversations, is `ingest` of them as a messages JSONL file (the sample
import, without its post-import checks and statistics), which does no grouping, scrubbing or picking. One session in
ten carries an e-mail address, one in seven a "still wrong" follow-up.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = ("python csv pandas error list dict loop sort join split regex docker nginx sql index table 排序 报表 "
         "数据库 函数 接口 部署").split()


def conversations(n: int, seed: int = 1) -> list[list[dict]]:
    rng = random.Random(seed)
    out = []
    for s in range(n):
        turns = []
        for t in range(4):
            text = " ".join(rng.choice(WORDS) for _ in range(30))
            if t == 0 and s % 10 == 0:
                text += f" mail me at user{s}@qq.com"
            if t == 2 and s % 7 == 0:
                text += " 还是不对"
            turns.append({"role": "user" if t % 2 == 0 else "assistant", "content": text})
        out.append(turns)
    return out


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


_BEFORE = """
import json, os, sys, time
from pathlib import Path
from curation.flywheel.candidates import import_logs
from curation.store import Store
log, warm, tmp = map(Path, sys.argv[1:4])
def cpu():
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system
with Store(tmp / "before_warm.duckdb") as store:
    import_logs(store, [warm])
with Store(tmp / "before.duckdb") as store:
    w, c = time.perf_counter(), cpu()
    rep = import_logs(store, [log])
    print(json.dumps({"wall": time.perf_counter() - w, "cpu": cpu() - c, "candidates": rep.candidates,
                      "picked": rep.picked}))
"""


def _before(code: Path, log: Path, warm: Path, tmp: Path) -> dict:
    """The log import of another copy of the code, timed in a subprocess on the same file."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    out = subprocess.run([sys.executable, "-c", _BEFORE, str(log), str(warm), str(tmp)], env=env, cwd=code,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=5000)
    ap.add_argument("--workers", type=int, nargs="+", default=[0, 2],
                    help="worker counts of the flywheel import to time (0: in the importing process)")
    ap.add_argument("--before", type=Path, help="a copy of the code before (git archive COMMIT | tar -x -C DIR) "
                                                "whose log import is timed on the same file")
    args = ap.parse_args(argv)
    from curation.flywheel.candidates import LogImportSettings, import_logs
    from curation.ingest import IngestSettings, ingest
    from curation.store import Store
    convs = conversations(args.sessions)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        log, samples = tmp / "log.jsonl", tmp / "samples.jsonl"
        with log.open("w", encoding="utf-8") as f:
            for s, turns in enumerate(convs):
                for t, m in enumerate(turns):
                    f.write(json.dumps({"session_id": f"s{s}", **m, "timestamp": 1710000000 + 10 * s + t},
                                       ensure_ascii=False) + "\n")
        with samples.open("w", encoding="utf-8") as f:
            for turns in convs:
                f.write(json.dumps({"messages": turns}, ensure_ascii=False) + "\n")
        # Warm up both sides on a tiny copy first, so neither pays the first import of pyarrow, polars and the
        # rule modules (the earlier version of this script charged ~2 s of imports to the flywheel, timed first)
        warm_log, warm_samples = tmp / "warm.jsonl", tmp / "warm_samples.jsonl"
        warm_log.write_text("".join(log.open(encoding="utf-8").readline() for _ in range(1)), encoding="utf-8")
        warm_samples.write_text(samples.open(encoding="utf-8").readline(), encoding="utf-8")
        with Store(tmp / "w.duckdb") as store:
            import_logs(store, [warm_log])
            ingest(store, [warm_samples], IngestSettings(dataset="w", run_checks=False, derive_stats=False, workers=0))
        fly = {}
        for workers in args.workers:
            with Store(tmp / f"a{workers}.duckdb") as store:
                start, cpu = time.perf_counter(), _cpu()
                rep = import_logs(store, [log], LogImportSettings(workers=workers))
                fly[workers] = (time.perf_counter() - start, _cpu() - cpu, rep)
        with Store(tmp / "b.duckdb") as store:
            start, cpu = time.perf_counter(), _cpu()
            ingest(store, [samples], IngestSettings(dataset="logs", run_checks=False, derive_stats=False, workers=0))
            base, base_cpu = time.perf_counter() - start, _cpu() - cpu
        before = _before(args.before.resolve(), log, warm_log, tmp) if args.before else None
    lines = 4 * args.sessions
    runs = {}
    for workers, (secs, cpu, rep) in fly.items():
        runs[f"workers_{workers}"] = {
            "seconds": round(secs, 2), "cpu_seconds": round(cpu, 2), "sessions_per_s": round(args.sessions / secs),
            "sessions_per_cpu_s": round(args.sessions / cpu), "lines_per_s": round(lines / secs),
            "candidates": rep.candidates, "picked": rep.picked, "picks": rep.picks,
            "redactions": {k: v for k, v in rep.redactions.items() if v}, "over_baseline": round(secs / base, 2),
            "cpu_over_baseline": round(cpu / base_cpu, 2)}
    result = {"benchmark": "flywheel_import", "sessions": args.sessions, "log_lines": lines,
              "load_average_1m_5m": [round(x, 2) for x in os.getloadavg()[:2]], "cpus": os.cpu_count(),
              "flywheel": runs,
              "baseline_sample_ingest": {"seconds": round(base, 2), "cpu_seconds": round(base_cpu, 2),
                                         "sessions_per_s": round(args.sessions / base),
                                         "sessions_per_cpu_s": round(args.sessions / base_cpu)}}
    if before:
        result["before"] = {"code": str(args.before), "seconds": round(before["wall"], 2),
                            "cpu_seconds": round(before["cpu"], 2), "sessions_per_s": round(args.sessions / before["wall"]),
                            "sessions_per_cpu_s": round(args.sessions / before["cpu"]),
                            "candidates": before["candidates"], "picked": before["picked"]}
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return result


if __name__ == "__main__":
    main()
