"""Benchmark: a bulk change of n samples (relabel, status, tag), set-based, against the per-sample path.

    python benchmarks/bulk.py                      # 50,000 samples; baseline on 2,000 of them
    python benchmarks/bulk.py --samples 5000 --baseline-samples 500   # quick check

Issue 15 item 22: a bulk relabel of 46,732 samples held the store's write lock for 611 s, one UPDATE and one
revision INSERT per sample. `store.samples.update_many` is now one UPDATE and one INSERT for the selection. The
named baseline, measured in the same run on a copy of the same store, is that per-sample path
(`store.samples._update_each`, still used for content changes, which recompute derived columns); it runs on
`--baseline-samples` samples (the whole set would take minutes) and is reported per sample and extrapolated to n.
Each change writes one revision per changed sample; the script checks the revision counts. Prints one JSON document.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.stats_data import OUT, build_store  # noqa: E402


def _timed(fn) -> tuple[float, int]:
    t = time.perf_counter()
    n = fn()
    return time.perf_counter() - t, n


def run(samples: int, baseline_samples: int) -> dict:
    from curation.store import SampleFilter, Store
    cached = build_store(OUT / f"stats_{samples}.duckdb", samples)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bulk.duckdb"
        shutil.copy(cached, path)
        with Store(path) as store:
            everything = SampleFilter()
            revisions = store._q("SELECT count(*) FROM revisions")[0][0]
            results = {}
            for name, fn in (
                ("relabel", lambda: store.samples.update_many(everything, {"task_type": "bench/relabelled"}, "bench",
                                                              "relabel")),
                ("status", lambda: store.samples.update_many(everything, {"status": "accepted"}, "bench", "status")),
                ("tag", lambda: store.samples.add_tag_many(everything, "bench:bulk", "bench")),
            ):
                seconds, changed = _timed(fn)
                written = store._q("SELECT count(*) FROM revisions")[0][0] - revisions
                revisions += written
                assert changed == written == samples, (name, changed, written)
                results[name] = {"seconds": round(seconds, 3), "changed": changed, "revisions_written": written,
                                 "us_per_sample": round(1e6 * seconds / changed, 1)}
            # The baseline: the per-sample path on the first baseline_samples samples (a different label, so each
            # of them changes).
            first = SampleFilter(limit=baseline_samples)
            seconds, changed = _timed(lambda: store.samples._update_each(first, {"task_l1": "bench", "task_l2": "each"},
                                                                         "bench", "relabel", None))
            assert changed == baseline_samples
            per = seconds / changed
            baseline = {"seconds": round(seconds, 3), "changed": changed, "us_per_sample": round(1e6 * per, 1),
                        f"extrapolated_seconds_for_{samples}": round(per * samples, 1)}
    bulk_relabel = results["relabel"]["seconds"]
    return {
        "benchmark": "bulk change (issue 15 item 22)",
        "samples": samples,
        "set_based": results,
        "baseline_per_sample_path": baseline,
        "speedup_relabel_vs_baseline": round(per * samples / bulk_relabel, 1),
        "target": "seconds for 50k samples",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=50_000, help="samples in the store, all changed in bulk")
    ap.add_argument("--baseline-samples", type=int, default=2_000, help="samples the per-sample baseline changes")
    args = ap.parse_args()
    print(json.dumps(run(args.samples, args.baseline_samples), indent=1))


if __name__ == "__main__":
    main()
