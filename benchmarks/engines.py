"""Benchmark: the same import, checks and MinHash dedup on the `local` engine (the process pool) and on `ray`
(a local Ray cluster started here), at 1, 2 and 4 workers where the machine has the cores.

    python benchmarks/engines.py                    # 200,000 samples (generated once by benchmarks/ingest.py)
    python benchmarks/engines.py --n 20000          # quick check
    python benchmarks/engines.py --workers 1 2 4 8  # on a bigger machine

Prints one JSON document. The baseline is the local engine at the same worker count, measured in the same run: each
configuration runs in a child process of its own on a fresh store, local and ray alternating at each worker count,
so both see the same load. Steps (timed apart): the import (parse, validate, insert), the import's pre-flag checks,
the diversity values, MinHash dedup (signatures, LSH, confirmation) and `ray_start` (ray.init of a local cluster;
part of `total_s`). Peak memory is the proportional set size (PSS, so Ray's shared object store is not counted once
per process) of the child and every process under it, Ray's raylet, GCS and workers included. The results must be
identical between engines (`same_results`); a difference stops the benchmark.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"


def _ingest_benchmark():
    """benchmarks/ingest.py as a module: its synthetic 200k-sample file is the input here too."""
    spec = importlib.util.spec_from_file_location("bench_ingest", ROOT / "benchmarks" / "ingest.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class TreeMemory:
    """Polls the summed PSS of this process and all its descendants (Ray's processes included) in a thread."""

    def __enter__(self):
        self.peak_kb, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _poll(self):
        while True:
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(p) for p in _tree(os.getpid())))
            if self._stop.wait(0.2):
                return


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            pass  # it ended meanwhile
    return out


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return next((int(line.split()[1]) for line in f if line.startswith("Pss:")), 0)
    except OSError:
        return 0


def child(engine: str, workers: int, path: str, db: str) -> None:
    """One configuration, in a child process of its own: prints its JSON line."""
    sys.path.insert(0, str(ROOT))
    from curation import executors
    from curation.checks import flag_ingest
    from curation.dedup.runs import run_dedup
    from curation.ingest import IngestSettings, ingest
    from curation.store import Store
    steps: dict[str, float] = {}
    with TreeMemory() as memory:
        t_all = time.perf_counter()
        t = time.perf_counter()
        ex = executors.RayExecutor(None, workers) if engine == "ray" else executors.LocalExecutor(workers)
        if engine == "ray":
            steps["ray_start"] = time.perf_counter() - t
        with Store(db) as store, executors.using(ex):
            t = time.perf_counter()
            report = ingest(store, [path], IngestSettings(dataset="bench", workers=workers, run_checks=False,
                                                          derive_stats=False))
            steps["import"] = time.perf_counter() - t
            t = time.perf_counter()
            flag_ingest(store, report, workers)
            steps["checks"] = time.perf_counter() - t
            t = time.perf_counter()
            derived = store.stats.prepare()
            steps["diversity_values"] = time.perf_counter() - t
            t = time.perf_counter()
            dedup = run_dedup(store, "minhash")
            steps["minhash_dedup"] = time.perf_counter() - t
            flags = store.flags.counts()
            pairs = store.dedup.pairs(dedup["run_id"])
        total = time.perf_counter() - t_all
    results = {"imported": report.imported, "rejected": report.rejected, "flags": sorted(map(list, flags)),
               "derived": derived, "pairs": len(pairs),
               "pairs_hash": hash(tuple(sorted((a, b, round(s, 12)) for a, b, s in pairs)))}
    print(json.dumps({"engine": engine, "workers": workers, "total_s": round(total, 2),
                      "steps_s": {k: round(v, 2) for k, v in steps.items()},
                      "peak_pss_mb": round(memory.peak_kb / 1024, 1), "results": results}))


def run(engine: str, workers: int, path: Path) -> dict:
    db = OUT / f"bench_engines_{engine}_{workers}.duckdb"
    for p in (db, db.with_name(db.name + ".wal")):
        p.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONHASHSEED": "0"}  # the pairs fingerprint uses hash()
    proc = subprocess.run([sys.executable, __file__, "--child", engine, str(workers), str(path), str(db)],
                          capture_output=True, text=True, env=env)
    for p in (db, db.with_name(db.name + ".wal")):
        p.unlink(missing_ok=True)
    if proc.returncode != 0:
        sys.exit(f"{engine} with {workers} workers failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=200_000, help="samples to import (default 200,000)")
    ap.add_argument("--workers", type=int, nargs="+", default=None,
                    help="worker counts (default: 1, 2 and 4, those the machine has the cores for)")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        engine, workers, path, db = args.child
        return child(engine, int(workers), path, db)
    cores = os.cpu_count() or 1
    counts = args.workers or [k for k in (1, 2, 4) if k <= cores]
    path = _ingest_benchmark().generate(args.n)
    load = os.getloadavg()[0]
    runs = []
    for k in counts:
        for engine in ("local", "ray"):
            runs.append(run(engine, k, path))
            print(f"{engine} x{k}: {runs[-1]['total_s']} s", file=sys.stderr)
    same = all(r["results"] == runs[0]["results"] for r in runs)
    if not same:
        sys.exit("the engines disagree: " + json.dumps([r["results"] for r in runs]))
    by = {(r["engine"], r["workers"]): r for r in runs}
    comparison = []
    for k in counts:
        local, ray = by[("local", k)], by[("ray", k)]
        comparison.append({
            "workers": k, "local_s": local["total_s"], "ray_s": ray["total_s"],
            "ray_over_local": round(ray["total_s"] / local["total_s"], 2),
            "ray_without_start_over_local": round((ray["total_s"] - ray["steps_s"]["ray_start"]) / local["total_s"], 2),
            "local_peak_pss_mb": local["peak_pss_mb"], "ray_peak_pss_mb": ray["peak_pss_mb"],
            "steps_ray_over_local": {s: round(ray["steps_s"][s] / max(local["steps_s"][s], 1e-3), 2)
                                     for s in local["steps_s"]}})
    scaling = {e: {k: round(by[(e, counts[0])]["total_s"] / by[(e, k)]["total_s"], 2) for k in counts}
               for e in ("local", "ray")}
    print(json.dumps({"n": args.n, "file_mb": round(path.stat().st_size / 1e6, 1), "cores": cores,
                      "load_average_at_start": round(load, 1), "python": platform.python_version(),
                      "ray": __import__("ray").__version__, "same_results": same, "results": runs[0]["results"],
                      "runs": runs, "comparison": comparison,
                      f"speedup_over_{counts[0]}_worker": scaling}, indent=1))


if __name__ == "__main__":
    main()
