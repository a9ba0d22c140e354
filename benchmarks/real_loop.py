"""The whole loop on a real chat model (`smollm2-135m`), on CPU: prints one JSON document.

1. loop: the sample data (sample_data/demo.jsonl, as the app loads it) through the one-click chain
   (training/pipeline.py: export -> audit -> train -> evaluate -> compare) with the preset's defaults. Reports the
   wall time of every stage and the before/after per task_type with paired bootstrap CIs; the baseline is the
   base model itself, scored in the same run on the same items with the same decoding.
2. ab: the public identity data (../shared/corpora/llamafactory_identity.json, 91 Alpaca samples with
   {{name}} / {{author}} placeholders), the placeholders replaced by find-and-replace, then the raw-vs-curated
   A/B (training/ab.py). Reports curated - raw per task_type with CIs, the share of answers naming the product
   (raw is the baseline of curated), the counts and a few answers side by side.

    nice -n 5 python benchmarks/real_loop.py [--part loop|ab|all] [--workspace DIR] [--out FILE]

Both parts train for real: minutes each on 2 cores (the measured numbers are in docs/training.md). The runner
and the evaluation choose their torch thread count from the idle cores (training/threads.py); the JSON records
the threads each used and the load average sampled during the run, since on a shared machine the load decides
the wall time. The model's one-time conversion to safetensors is timed apart (`convert_s`), before the loop.
"""
from __future__ import annotations

import argparse
import os
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MODEL = "smollm2-135m"
PRODUCT, AUTHOR = "SFT Workbench", "the SFT Workbench team"
IDENTITY = ROOT.parent / "shared" / "corpora" / "llamafactory_identity.json"


def stage_times(status: dict) -> dict:
    return {s["name"]: (round(s["finished_at"] - s["started_at"], 1) if s.get("finished_at") and s.get("started_at")
                        else None) for s in status["stages"]}


def load1() -> float:
    return round(os.getloadavg()[0], 2)


def wait_sampling(status_of, folder, poll: float = 5.0) -> tuple[dict, dict]:
    """Wait for a pipeline (or an A/B) to end, sampling the 1-minute load average; (status, load summary)."""
    from training.rundir import ACTIVE

    loads = []
    while True:
        status = status_of(folder)
        loads.append(load1())
        if status["state"] not in ACTIVE:
            break
        time.sleep(poll)
    return status, {"start": loads[0], "end": loads[-1], "mean": round(sum(loads) / len(loads), 2),
                    "max": max(loads), "samples": len(loads)}


def threads_used(run_dir: str) -> dict:
    """The torch threads the training (run.json) and the evaluation (its report) chose."""
    run = json.loads((Path(run_dir) / "run.json").read_text(encoding="utf-8"))
    reports = sorted((Path(run_dir) / "eval").glob("*/report.json"))
    ev = json.loads(reports[0].read_text(encoding="utf-8")) if reports else {}
    return {"train": run.get("torch_threads"), "eval": ev.get("threads")}


def cpu_seconds(status: dict) -> dict:
    """CPU seconds per stage, what the wall time would be on an idle core: the pipeline process's own stages
    (status.json) and the training process (its run.json)."""
    out = {s["name"]: s.get("process_cpu_s") for s in status["stages"]}
    run = json.loads((Path(status["run_dir"]) / "run.json").read_text(encoding="utf-8"))
    out["train"] = run.get("process_cpu_s")
    return out


def loop(ws: Path, max_steps: int = 0, max_items: int = 0, max_new_tokens: int = 0) -> dict:
    """The one-click chain on the sample data with the preset's defaults (`max_steps` > 0 caps the training,
    `max_items` > 0 the eval items per task_type)."""
    from curation.ingest import IngestSettings, ingest
    from curation.store import Store
    from training.compare import compare_runs, side_by_side
    from training.pipeline import PipelineSettings, pipeline_status, start_pipeline

    t0 = time.time()
    with Store(ws / "loop.duckdb") as store:
        ingest(store, [ROOT / "sample_data" / "demo.jsonl", ROOT / "sample_data" / "invalid.jsonl"],
               IngestSettings(dataset="demo"))
        t_import = time.time() - t0
        t1 = time.time()
        overrides = {"max_steps": max_steps, "save_every": 0, "eval_prompts": 0} if max_steps else {}
        settings = PipelineSettings(base_model=MODEL, overrides=overrides)
        if max_items:
            settings.eval.max_items_per_type = max_items
        settings.eval.max_new_tokens = max_new_tokens
        pdir = start_pipeline(store, ws, settings=settings)
    status, loads = wait_sampling(pipeline_status, pdir)
    wall = time.time() - t1
    out = {"pipeline_dir": str(pdir), "state": status["state"], "error": status.get("error"), "max_steps": max_steps,
           "max_items_per_type": max_items, "max_new_tokens": max_new_tokens,
           "import_s": round(t_import, 1), "one_click_wall_s": round(wall, 1), "stages_s": stage_times(status),
           "load_average": loads}
    if status["state"] != "succeeded":
        return out
    out["threads"] = threads_used(status["run_dir"])
    out["cpu_s"] = cpu_seconds(status)
    comparison = compare_runs([status["run_dir"]], suite="eval")
    run = comparison["runs"][0]
    out.update(run_dir=status["run_dir"], train_samples=run["train_samples"], eval_samples=run["eval_samples"],
               total_steps=run["total_steps"], counts=run["suites"]["eval"]["counts"])
    out["rows"] = [{"task_type": r["task_type"], "metric": r["metric"], **{k: r["runs"][0][k] for k in (
        "base", "tuned", "delta", "ci_low", "ci_high", "n", "verdict")}} for r in comparison["rows"]]
    better = [r for r in out["rows"] if r["verdict"] == "better" and r["metric"] != "loss"
              and r["task_type"] != "(overall)"]
    out["improved_beyond_ci"] = sorted({r["task_type"] for r in better})
    out["examples"] = {t: [{k: it[k] for k in ("prompt", "reference")} | {
        "base": it["base"]["output"], "tuned": it["tuned"]["output"]}
        for it in side_by_side(status["run_dir"], task_type=t)[-2:]] for t in out["improved_beyond_ci"][:4]}
    return out


AB_OVERRIDES = {"max_steps": 20, "save_every": 0, "eval_prompts": 0, "eval_max_samples": 0}


def ab(ws: Path, concurrent: bool = False, steps: int = 20) -> dict:
    """Find-and-replace on the identity data, then the raw-vs-curated A/B."""
    from curation.ingest import IngestSettings, ingest
    from curation.replace import ReplaceSettings, apply
    from curation.store import SampleFilter, Store
    from training.ab import ab_report, ab_side_by_side, start_ab, wait_ab
    from training.pipeline import PipelineSettings

    if not IDENTITY.exists():
        return {"skipped": f"{IDENTITY} is not present"}
    scope = SampleFilter(dataset="identity")
    with Store(ws / "ab.duckdb") as store:
        ingest(store, [IDENTITY], IngestSettings(dataset="identity", task_type="identity/self"))
        edits = [apply(store, scope, ReplaceSettings(find, to), "benchmark")["changed"]
                 for find, to in (("{{name}}", PRODUCT), ("{{author}}", AUTHOR))]
        t0 = time.time()
        # 20% held out: 18 of the 91 items, enough for a paired CI (at least 10 are needed). Both runs get the
        # same short schedule, without checkpoint evaluations (only the final before/after counts here).
        settings = PipelineSettings(base_model=MODEL, eval_fraction=0.2, overrides=AB_OVERRIDES | {"max_steps": steps})
        adir = start_ab(store, ws, scope, settings, one_after_the_other=not concurrent)
    status = wait_ab(adir, poll=5)
    out = {"ab_dir": str(adir), "state": status["state"], "error": status["error"],
           "wall_s": round(time.time() - t0, 1),
           "replaced": {"{{name}}": edits[0], "{{author}}": edits[1]}, "overrides": AB_OVERRIDES | {"max_steps": steps},
           "concurrent": concurrent,
           "stages_s": {a: stage_times(p) for a, p in status["arms"].items()}}
    if status["state"] != "succeeded":
        return out
    report = ab_report(adir, mentions=PRODUCT)
    out.update({k: report[k] for k in ("rows", "counts", "eval", "changes", "steps")})
    out["examples"] = [{k: it[k] for k in ("prompt", "reference", "base_output", "raw_output", "curated_output")}
                       for it in ab_side_by_side(adir)[:4]]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["loop", "ab", "all"], default="all")
    parser.add_argument("--workspace", help="keep the stores, pipelines and runs here (default: a temp folder)")
    parser.add_argument("--out", help="also write the JSON here")
    parser.add_argument("--loop-max-steps", type=int, default=0, help="cap the loop's training (0 = the defaults)")
    parser.add_argument("--loop-max-new-tokens", type=int, default=0, help="cap the loop's answers (0 = auto)")
    parser.add_argument("--ab-steps", type=int, default=20, help="optimiser steps of each A/B run (default 20)")
    parser.add_argument("--concurrent", action="store_true",
                        help="run the A/B's two chains at once (a shared, busy machine) instead of one after the other")
    parser.add_argument("--loop-max-items", type=int, default=0, help="cap the loop's eval items per task_type")
    args = parser.parse_args()
    ws = Path(args.workspace or tempfile.mkdtemp(prefix="real_loop-"))
    ws.mkdir(parents=True, exist_ok=True)
    result = {"model": MODEL, "workspace": str(ws), "cores": _cores(), "load_average_at_start": load1()}
    t0 = time.time()
    from training.presets import ensure_preset
    ensure_preset(MODEL)  # the one-time GGUF -> safetensors conversion (seconds when already cached)
    result["convert_s"] = round(time.time() - t0, 1)
    parts = {"ab": lambda w: ab(w, args.concurrent, args.ab_steps),
             "loop": lambda w: loop(w, args.loop_max_steps, args.loop_max_items, args.loop_max_new_tokens)}
    for part, fn in parts.items():
        if args.part in (part, "all"):
            result[part] = fn(ws)
            if args.out:
                Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


if __name__ == "__main__":
    main()
