"""Benchmark: LLM judge against reference reviews of the sample data, beside the pre-flag checks as a judge.

    python benchmarks/judge_agreement.py                              # tiny preset via `curation serve` (fast)
    python benchmarks/judge_agreement.py --base-model smollm2-135m --limit 12
    python benchmarks/judge_agreement.py --base-url https://dashscope.aliyuncs.com/compatible-mode/v1 \\
        --model qwen-plus --api-key-env DASHSCOPE_API_KEY          # a real judge endpoint

The sample data ships no human reviews, so the reference is `benchmarks/data/judge_reference_reviews.jsonl`: 44
demo samples (30 sound answers, the 14 planted answer flaws of sample_data/planted.json) scored on the review
dimensions by the author of this benchmark after reading each one. One rater: there is no human-human figure.

The store gets the demo data and the reference reviews (annotator `reference`); the judge runs over real HTTP
through the workbench's client and `curation.judge.judge_samples`; agreement comes from `curation.judge.calibration`.
The named baseline, in the same run on the same samples: the import's pre-flag checks used as a judge (a
flagged sample scores 2, an unflagged one 5) — what the workbench could tell without any LLM.
Prints one JSON document.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REFERENCE = ROOT / "benchmarks" / "data" / "judge_reference_reviews.jsonl"


def _error_kind(message: str) -> str:
    for key, kind in (("did not reply with a JSON object", "no JSON object"), ("does not parse", "JSON does not parse"),
                      ("has no", "a dimension missing"), ("not a whole number", "score out of 1-5"),
                      ("cut off", "cut off at max_tokens"), ("rationale", "no rationale"),
                      ("not zh", "wrong language"), ("not en", "wrong language"), ("empty answer", "empty answer")):
        if key in message:
            return kind
    return message[:60]


def _flag_baseline(store, ids: list[str]) -> dict:
    """The pre-flag checks as a judge: 2 for a flagged sample, 5 otherwise, against the reference overall."""
    from curation.agreement import BootstrapSettings, cohen_kappa, spearman
    from curation.judge import score_bin

    flagged = {i for i in ids if store.flags.list(i)}
    refs = {r["sample_id"]: r for r in store.review.list(annotator="reference")}
    human = [sum(refs[i][d] for d in ("accuracy", "completeness", "clarity", "consistency")) / 4 for i in ids]
    judge = [2.0 if i in flagged else 5.0 for i in ids]
    boot = BootstrapSettings(replicates=1000)
    return {"n": len(ids), "flagged": sum(i in flagged for i in ids),
            "kappa": cohen_kappa([score_bin(h) for h in human], [score_bin(j) for j in judge], "quadratic", [1, 2, 3],
                                 boot).to_dict(),
            "spearman": spearman(human, judge, boot).to_dict()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base-model", default="tiny", help="preset served locally when no --base-url (default tiny)")
    ap.add_argument("--base-url", help="a real OpenAI-compatible endpoint instead of a local server")
    ap.add_argument("--model", help="the model name at --base-url")
    ap.add_argument("--api-key-env", default="OPENAI_API_KEY")
    ap.add_argument("--limit", type=int, help="judge only the first N reference samples")
    ap.add_argument("--max-tokens", type=int, default=400)
    ap.add_argument("--concurrency", type=int, default=4)
    args = ap.parse_args()

    from curation.ingest import IngestSettings, ingest
    from curation.judge import CalibrationSettings, JudgeSettings, calibration, judge_samples
    from curation.llm import EndpointSettings
    from curation.store import SampleFilter, Store

    refs = [json.loads(line) for line in REFERENCE.read_text(encoding="utf-8").splitlines() if line.strip()]
    refs = refs[: args.limit] if args.limit else refs
    ids = [r["sample_id"] for r in refs]
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.duckdb") as store:
        ingest(store, [ROOT / "sample_data" / "demo.jsonl"], IngestSettings(dataset="demo"))
        for r in refs:
            sample = store.samples.get(r["sample_id"])
            store.review.add({**{k: r[k] for k in ("sample_id", "verdict", "accuracy", "completeness", "clarity",
                                                   "consistency", "difficulty", "note")},
                              "annotator": "reference", "sample_rev": sample["rev"],
                              "task_type": sample.get("task_type")})
        server = None
        if args.base_url:
            endpoint = EndpointSettings(base_url=args.base_url, model=args.model, api_key_env=args.api_key_env,
                                        concurrency=args.concurrency)
            where = args.base_url
        else:
            from training.serve import ServeSettings, start_server

            t0 = time.perf_counter()
            server = start_server(ServeSettings(base_model=args.base_model, port=0, device="cpu"),
                                  log=lambda m: None).start()
            load_s = time.perf_counter() - t0
            endpoint = EndpointSettings(base_url=server.base_url, model=server.model.name,
                                        concurrency=args.concurrency, timeout_s=1200)
            where = f"curation serve --base-model {args.base_model} (loaded in {load_s:.0f} s)"
        try:
            t0 = time.perf_counter()
            run = judge_samples(store, endpoint, SampleFilter(ids=ids), JudgeSettings(max_tokens=args.max_tokens))
            judge_s = time.perf_counter() - t0
        finally:
            if server is not None:
                server.stop()
        report = calibration(store, run["judge"], CalibrationSettings(replicates=1000)) if run["judged"] else None
        out = {
            "benchmark": "judge_agreement", "platform": platform.platform(), "judge": run["judge"],
            "endpoint": where, "reference": str(REFERENCE.relative_to(ROOT)), "samples": len(ids),
            "judged": run["judged"], "failed": run["n_failed"],
            "failure_kinds": dict(Counter(_error_kind(f["error"]) for f in run["failed"])),
            "judge_seconds": round(judge_s, 1), "prompt_tokens": run["prompt_tokens"],
            "completion_tokens": run["completion_tokens"],
            "judge_vs_reference": None if report is None else {
                "n": report["n_samples"],
                "per_dimension": {d: {"n": f["n"], "kappa": f["kappa"]["value"], "kappa_ci": f["kappa"]["ci"],
                                      "spearman": f["spearman"]["value"], "spearman_ci": f["spearman"]["ci"]}
                                  for d, f in report["overall"].items()},
                "trust": {t: v["trust"] for t, v in report["by_task_type"].items()}},
            "baseline_preflag_checks_vs_reference": _flag_baseline(store, ids),
        }
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
