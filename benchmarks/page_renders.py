"""Benchmark: first render and re-render of the Overview, Browse and Diversity pages on 100,000 samples, with
Streamlit's AppTest, for this checkout and for a baseline commit, in one run. Prints one JSON document.

    python benchmarks/page_renders.py                    # baseline: the newest commit whose pages used pandas
    python benchmarks/page_renders.py --base main~3 --rounds 5

The baseline's code is the `git archive` of the base commit, unpacked into a temporary folder. Each side renders in
its own child process (its own `curation` and `pages` on the path), alternating over the rounds so that machine load
falls on both alike; the report gives each page's median over the rounds, every round's timings, the load average
at start and end, and the ratio after/before. Both sides read
the same store (benchmarks/out/, generated once by stats_data.build_store, its statistics prepared as after an
import). A first render clears st.cache_data and st.cache_resource; a re-render is the next run of the same AppTest.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

PAGES = ("overview", "browse", "diversity")


def base_commit() -> str:
    """The newest commit (by date) whose pages/overview.py still imports pandas: the before side of issue 14 item 6,
    including whatever else the pages gained up to then."""
    revs = subprocess.run(["git", "rev-list", "--date-order", "--max-count=2000", "HEAD"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout.split()
    for rev in revs:
        found = subprocess.run(["git", "grep", "-q", "-F", "import pandas as pd", rev, "--", "pages/overview.py"],
                               cwd=ROOT, check=False)
        if found.returncode == 0:
            return rev
    raise SystemExit("no commit's pages/overview.py imports pandas; pass --base")


def unpack(rev: str, into: Path) -> Path:
    """The tree of a commit, as files in a folder (no git worktree, nothing changes in the repository)."""
    archive = into / "base.tar"
    with open(archive, "wb") as f:
        subprocess.run(["git", "archive", "--format=tar", rev], cwd=ROOT, stdout=f, check=True)
    tree = into / "tree"
    with tarfile.open(archive) as t:
        t.extractall(tree, filter="data")
    return tree


def render_side(tree: Path, db: str) -> dict:
    """In the child: time each page's first render and re-render (seconds) with the code in `tree`."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    os.environ["CURATION_DB"] = db
    # Streamlit's start-up and the imports shared by all pages come once in a running app: a throwaway Overview run
    # pays them outside the timings, and later AppTests reuse its component manager (as benchmarks/stats.py does).
    landing = AppTest.from_file(str(tree / "pages" / "overview.py"), default_timeout=600)
    landing.run()
    out = {}
    for page in PAGES:
        st.cache_resource.clear()
        st.cache_data.clear()
        at = AppTest.from_file(str(tree / "pages" / f"{page}.py"), default_timeout=600)
        at._bidi_component_manager = landing._bidi_component_manager
        t = time.perf_counter()
        at.run()
        first = time.perf_counter() - t
        if at.exception:
            raise SystemExit(f"{page} failed: {at.exception[0].message}")
        t = time.perf_counter()
        at.run()
        out[page] = {"first_render_s": round(first, 3), "rerender_s": round(time.perf_counter() - t, 3)}
    st.cache_resource.clear()
    return out


def run_side(tree: Path, db: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", str(tree), str(db)],
                          cwd=tree, env=env, capture_output=True, text=True, check=False)
    if proc.returncode:
        raise SystemExit(f"render in {tree} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def median_of(rounds: list[dict]) -> dict:
    return {p: {k: round(statistics.median(r[p][k] for r in rounds), 3) for k in ("first_render_s", "rerender_s")}
            for p in PAGES}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--base", help="baseline commit (default: the last commit whose pages used pandas)")
    ap.add_argument("--child", nargs=2, metavar=("TREE", "DB"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(render_side(Path(args.child[0]), args.child[1])))
        return
    sys.path.insert(0, str(ROOT))
    from stats_data import OUT, build_store

    from curation.store import Store
    db = build_store(OUT / f"stats_{args.samples}.duckdb", args.samples)
    with Store(db) as s:
        s.stats.prepare()  # as `curation ingest` leaves the store
    base = args.base or base_commit()
    base_sha = subprocess.run(["git", "rev-parse", base], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    head_sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    before, after = [], []
    load_start = [round(x, 1) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory() as tmp:
        tree = unpack(base_sha, Path(tmp))
        for i in range(args.rounds):
            sides = [(before, tree), (after, ROOT)]
            for acc, t in (sides if i % 2 == 0 else sides[::-1]):
                acc.append(run_side(t, db))
    load_end = [round(x, 1) for x in os.getloadavg()]
    b, a = median_of(before), median_of(after)
    ratio = {p: {k: round(a[p][k] / b[p][k], 2) if b[p][k] else None for k in a[p]} for p in PAGES}
    print(json.dumps({"benchmark": "pages", "samples": args.samples, "rounds": args.rounds,
                      "cpu_count": os.cpu_count(), "load_avg_start_end": [load_start, load_end],
                      "before": {"commit": base_sha, **b, "each_round": before},
                      "after": {"commit": head_sha, "worktree_changes_included": True, **a, "each_round": after},
                      "ratio_after_over_before": ratio}, indent=1))


if __name__ == "__main__":
    main()
