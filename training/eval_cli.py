"""`curation eval` and `curation compare`: thin shells over training/evaluate.py and training/compare.py."""
from __future__ import annotations

import sys

from curation.errors import UserError


def register(subparsers, common) -> None:
    """Add the eval and compare subcommands to the `curation` parser."""
    from curation.cli.args import non_negative_int, positive_int

    from .metrics import METRICS

    p = subparsers.add_parser(
        "eval", parents=[common], help="evaluate a finished run: base vs tuned, per task_type, with CIs",
        description="Score the base model and base + adapter on the export's eval split (and benchmark files) "
                    "with identical greedy decoding; paired bootstrap 95%% CIs; leaked items excluded.")
    p.add_argument("run_dir")
    p.add_argument("--benchmark", action="append", default=[], metavar="FILE",
                   help="benchmark file (messages JSONL or question/answer JSONL such as GSM8K test); repeatable")
    p.add_argument("--metric", action="append", default=[], choices=sorted(METRICS),
                   help="metric of the benchmark at the same position (one value applies to all)")
    p.add_argument("--type-metric", action="append", default=[], metavar="TASK_TYPE=METRIC",
                   help='metric for a task_type, its L1, or "*" (e.g. classification=exact_match); repeatable')
    p.add_argument("--general", metavar="FILE", help="general-ability set for the forgetting check")
    p.add_argument("--no-eval-split", action="store_true", help="score only the benchmark files")
    p.add_argument("--max-items", type=non_negative_int, default=100, help="items per task_type and set (0 = all)")
    p.add_argument("--max-new-tokens", type=non_negative_int, default=0, help="longest answer (0 = from the references)")
    p.add_argument("--batch-size", type=positive_int, default=8)
    p.add_argument("--include-contaminated", action="store_true",
                   help="score items that duplicate a training sample too (they are still flagged)")
    p.add_argument("--device", default="auto", choices=["auto", "cuda", "cpu"])
    p.add_argument("--threads", type=int, default=0,
                   help="torch CPU threads (0 = auto: the cores the load average leaves idle)")
    p.set_defaults(func=cmd_eval)

    p = subparsers.add_parser("compare", parents=[common], help="comparison table of one or several runs")
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR")
    p.add_argument("--suite", help="only this set (eval, benchmark-<name>, general)")
    p.add_argument("--send-regressions", action="store_true",
                   help="send the samples that got worse in the first run to review (flag and tag regression:<run>)")
    p.set_defaults(func=cmd_compare)

    from curation.cli.args import add_filter_args
    p = subparsers.add_parser("system-prompt", parents=[common], help="does each answer depend on its system "
                                                                      "prompt? likelihood with, without and with "
                                                                      "another sample's, per task_type")
    p.add_argument("--base-model", default="tiny", help="model that scores the answers (default tiny)")
    p.add_argument("--per-type", type=positive_int, default=50, help="samples per task_type (default 50)")
    p.add_argument("--device", default="auto", choices=["auto", "cuda", "cpu"])
    add_filter_args(p)
    p.set_defaults(func=cmd_system_prompt)


def eval_settings_from_args(args):
    """EvalSettings from the parsed options (bad values give one-line errors)."""
    from .evaluate import EvalSettings

    s = EvalSettings(max_items_per_type=args.max_items, max_new_tokens=args.max_new_tokens,
                     batch_size=args.batch_size, general_file=args.general or "", device=args.device,
                     threads=args.threads or None)
    if args.max_items < 0 or args.max_new_tokens < 0 or args.batch_size < 1 or args.threads < 0:
        raise UserError("--max-items, --max-new-tokens and --threads must be 0 or more, --batch-size at least 1")
    s.metrics = _type_metrics(args.type_metric)
    s.decontam.exclude = not args.include_contaminated
    return s


def _type_metrics(pairs: list[str]) -> dict:
    from .metrics import check_metrics

    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise UserError(f"--type-metric expects TASK_TYPE=METRIC, got {pair!r}")
        key, metric = (x.strip() for x in pair.rsplit("=", 1))
        check_metrics([metric], " in --type-metric")
        out[key] = metric
    return out


def _benchmarks(args):
    from .evaluate import Benchmark

    if args.metric and not args.benchmark:
        raise UserError("--metric goes with --benchmark FILE")
    if len(args.metric) > 1 and len(args.metric) != len(args.benchmark):
        raise UserError(f"{len(args.benchmark)} --benchmark files but {len(args.metric)} --metric values; give "
                        f"one metric for all, or one per file")
    metrics = args.metric * len(args.benchmark) if len(args.metric) == 1 else args.metric
    return [Benchmark(path, metrics[k] if metrics else None) for k, path in enumerate(args.benchmark)]


def cmd_eval(args) -> dict:
    from .evaluate import evaluate_run

    settings = eval_settings_from_args(args)
    benchmarks = _benchmarks(args)
    if args.no_eval_split and not benchmarks:
        raise UserError("--no-eval-split needs at least one --benchmark FILE")
    last = [None]

    def progress(message, fraction=None):
        if message != last[0]:
            print(message, file=sys.stderr, flush=True)
            last[0] = message

    result = evaluate_run(args.run_dir, settings, benchmarks, include_eval_split=not args.no_eval_split,
                          progress=progress)
    if not getattr(args, "json", False):  # a readable table; --json has the full structure
        from .compare import compare_runs, wide_table

        names = {r["suite"] for r in result["suites"]}
        table = [r for r in wide_table(compare_runs([result["run_dir"]])) if r["suite"] in names]
        return {"run_dir": result["run_dir"], "table": table,
                "counts": {r["suite"]: r["counts"] for r in result["suites"]},
                "degenerate": {r["suite"]: r["degeneracy"]["reasons"] for r in result["suites"]
                               if r["degeneracy"]["verdict"] == "degenerate"},
                "forgetting": [f for r in result["suites"] for f in r.get("forgetting") or []]}
    return {"run_dir": result["run_dir"], "suites": [_brief(r) for r in result["suites"]]}


def _brief(report: dict) -> dict:
    keep = ("suite", "kind", "source", "declared_metric", "counts", "contaminated", "rows", "forgetting",
            "degeneracy", "decoding", "device", "base_model")
    return {k: report[k] for k in keep if k in report}


def cmd_compare(args) -> dict:
    from .compare import compare_runs, send_regressions_to_review

    result = compare_runs(args.run_dirs, args.suite)
    if args.send_regressions:
        from curation.cli.args import author_of, open_store

        with open_store(args) as store:
            result["review"] = send_regressions_to_review(store, args.run_dirs[0], author_of(args),
                                                          args.suite or "eval")
    if not getattr(args, "json", False):  # a readable table; --json has the full structure
        from .compare import degenerate_runs, wide_table

        result = {"runs": [{k: r[k] for k in ("name", "base_model", "train_samples", "evaluated")}
                           for r in result["runs"]], "table": wide_table(result),
                  "degenerate": degenerate_runs(result), **(
            {"review": result["review"]} if "review" in result else {})}
    return result


def cmd_system_prompt(args) -> dict:
    from curation.cli.args import filter_from_args, open_store

    from .system_prompt import SystemLikelihoodSettings, system_prompt_likelihood

    s = SystemLikelihoodSettings(base_model=args.base_model, per_type=args.per_type, device=args.device)
    with open_store(args) as store:
        return system_prompt_likelihood(store.samples.iter(filter_from_args(args)), s)
