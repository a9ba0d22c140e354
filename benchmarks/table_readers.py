"""Benchmark: reading CSV and Parquet imports into row dicts, by the readers `curation.formats` could use, in one
run. Prints one JSON document.

    python benchmarks/table_readers.py            # 100,000 rows (question, answer, task_type, tags; zh and en)

CSV: the import's reader before issue 14 (Python's csv module, `formats._csv_module_rows`, kept as the fallback),
polars, DuckDB, and `curation.formats.read_csv` as it is now. Parquet, a flat table (question/answer columns) and
a nested one (a `messages` list of structs): pyarrow batches (the reader before), polars, DuckDB, and
`curation.formats.read_parquet`. Each reader turns the file into the records the import converts (one dict per
row, all strings for CSV), the part that differs between them. Every reader must yield the same rows
(`identical`). Rounds alternate the order of the readers; medians are reported.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_EN = ["Explain the difference between a process and a thread.", "Summarize the meeting notes, with owners.",
       "Translate the sentence into formal English.", "First convert both fractions to a common denominator."]
_ZH = ["请解释一下进程和线程的区别。", "请总结下面的会议纪要，并列出负责人。", "把这句话翻译成正式的英文。",
       "首先把两个分数通分，然后把分子相加。"]


def make_rows(n: int) -> list[dict]:
    rng = random.Random(0)
    rows = []
    for i in range(n):
        pool = _ZH if i % 3 == 0 else _EN
        q = " ".join(rng.choice(pool) for _ in range(rng.randint(1, 4)))
        a = "\n".join(rng.choice(pool) for _ in range(rng.randint(2, 8)))  # multi-line answers, quoted in CSV
        rows.append({"question": f"{q} #{i}", "answer": a, "task_type": f"t{i % 40}/sub{i % 3}",
                     "tags": "" if i % 5 else "typo, mixed"})
    return rows


def polars_csv(path: Path) -> list[dict]:
    import polars as pl
    return pl.read_csv(path, infer_schema=False).fill_null("").to_dicts()


def duckdb_csv(path: Path) -> list[dict]:
    import duckdb
    with duckdb.connect() as con:
        return con.read_csv(str(path), all_varchar=True, header=True).pl().fill_null("").to_dicts()


def pyarrow_parquet(path: Path) -> list[dict]:
    import pyarrow.parquet as pq
    out = []
    for batch in pq.ParquetFile(path).iter_batches(batch_size=10000):
        out.extend(batch.to_pylist())
    return out


def polars_parquet(path: Path) -> list[dict]:
    import polars as pl
    return pl.read_parquet(path).to_dicts()


def duckdb_parquet(path: Path) -> list[dict]:
    import duckdb
    with duckdb.connect() as con:
        return con.read_parquet(str(path)).pl().to_dicts()


def ours(reader):
    def run(path: Path) -> list[dict]:
        return [r.value for r in reader(path)]
    return run


def time_readers(path: Path, readers: dict, rounds: int) -> dict:
    times = {k: [] for k in readers}
    results = {}
    for i in range(rounds):
        order = list(readers) if i % 2 == 0 else list(readers)[::-1]
        for name in order:
            t = time.perf_counter()
            rows = readers[name](path)
            times[name].append(time.perf_counter() - t)
            results[name] = rows
    first = next(iter(results.values()))
    base = next(iter(readers)).split(" ")[0]
    base_key = next(iter(readers))
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"rows": len(first), "mb": round(path.stat().st_size / 1e6, 1),
            "seconds": {k: round(v, 3) for k, v in med.items()},
            "speedup_vs_" + base: {k: round(med[base_key] / v, 2) for k, v in med.items()},
            "identical": {k: v == first for k, v in results.items()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    import polars as pl

    from curation import formats
    rows = make_rows(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        csv_path, pq_path, nested_path = Path(tmp) / "t.csv", Path(tmp) / "t.parquet", Path(tmp) / "n.parquet"
        with open(csv_path, "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        pl.DataFrame(rows).write_parquet(pq_path)
        pl.DataFrame([{"messages": [{"role": "user", "content": r["question"]},
                                    {"role": "assistant", "content": r["answer"]}], "task_type": r["task_type"]}
                      for r in rows]).write_parquet(nested_path)
        del rows
        parquet_readers = {"pyarrow_batches (before)": pyarrow_parquet, "polars": polars_parquet,
                           "duckdb": duckdb_parquet, "curation.formats.read_parquet": ours(formats.read_parquet)}
        result = {"benchmark": "table_readers", "cpu_count": os.cpu_count(),
                  "load_avg_start": [round(x, 1) for x in os.getloadavg()],
                  "csv": time_readers(csv_path, {
                      "csv_module (before)": ours(lambda p: formats._csv_module_rows(p, "utf-8")),
                      "polars": polars_csv, "duckdb": duckdb_csv,
                      "curation.formats.read_csv": ours(lambda p: formats.read_csv(p, "utf-8"))}, args.rounds),
                  "parquet_flat": time_readers(pq_path, parquet_readers, args.rounds),
                  "parquet_nested": time_readers(nested_path, parquet_readers, args.rounds)}
        result["load_avg_end"] = [round(x, 1) for x in os.getloadavg()]
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
