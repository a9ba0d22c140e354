"""`curation ab start|status|report|cancel`: did curation help? A thin shell over training.ab."""
from __future__ import annotations

import sys
import time


def register(subparsers, common) -> None:
    """Add `curation ab <action>` to the `curation` parser."""
    from curation.cli.args import add_filter_args

    p = subparsers.add_parser("ab", parents=[common], help="raw-vs-curated A/B: train both, compare with CIs")
    sub = p.add_subparsers(dest="ab_command", required=True, metavar="ACTION")
    q = sub.add_parser("start", parents=[common], help="train raw (as imported) and curated on the same eval set",
                       description="The scope is a filter without status (e.g. --dataset identity). Raw: every "
                                   "sample in it at revision 0; curated: not rejected, not duplicate, current.")
    add_filter_args(q)
    q.add_argument("--base-model", default="tiny", metavar="ID|PATH|PRESET")
    q.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides",
                   help="training setting for both runs; repeatable")
    q.add_argument("--eval-fraction", type=float, default=0.1, help="held out per task_type when none is marked "
                                                                     "split=eval (default 0.1)")
    q.add_argument("--seed", type=int, default=42)
    q.add_argument("--max-items", type=int, default=100, help="eval items per task_type (0 = all)")
    q.add_argument("--max-new-tokens", type=int, default=0, help="longest answer (0 = from the references)")
    q.add_argument("--type-metric", action="append", default=[], metavar="TASK_TYPE=METRIC")
    q.add_argument("--general", metavar="FILE", help="general-ability set scored in both runs")
    q.add_argument("--workspace", default=".", help="folder for ab/, pipelines/ and runs/ (default .)")
    q.add_argument("--wait", action="store_true", help="block until both runs end, then print the report")
    q.add_argument("--mentions", metavar="TEXT", help="with --wait: also score whether answers contain TEXT")
    q.set_defaults(func=cmd_start)
    for name, func, text in (("status", cmd_status, "state of both chains"),
                             ("report", cmd_report, "curated - raw per task_type with paired CIs"),
                             ("cancel", cmd_cancel, "stop both chains")):
        q = sub.add_parser(name, parents=[common], help=text)
        q.add_argument("ab_dir")
        if name == "report":
            q.add_argument("--items", type=int, default=0, help="also list this many items side by side")
            q.add_argument("--mentions", metavar="TEXT", help="also score whether each answer contains TEXT "
                                                              "(e.g. the name a find-and-replace put in)")
        q.set_defaults(func=func)


def cmd_start(args) -> dict:
    from curation.cli.args import filter_from_args, open_store

    from .ab import start_ab
    from .eval_cli import _type_metrics
    from .pipeline import PipelineSettings

    s = PipelineSettings(base_model=args.base_model, overrides=args.overrides,
                         eval_fraction=args.eval_fraction, seed=args.seed)
    s.eval.max_items_per_type, s.eval.max_new_tokens = args.max_items, args.max_new_tokens
    s.eval.metrics, s.eval.general_file = _type_metrics(args.type_metric), args.general or ""
    with open_store(args) as store:
        adir = start_ab(store, args.workspace, filter_from_args(args), s)
    if not args.wait:
        return {"ab_dir": str(adir), "next": f"curation ab report {adir}"}
    return _wait_and_report(adir, args.mentions)


def _wait_and_report(adir, mentions: str | None = None) -> dict:
    from .ab import ab_report, ab_status

    last = None
    while (st := ab_status(adir))["state"] == "running":
        line = "; ".join(f"{a}: {p.get('stage') or p['state']} "
                         f"{next((x['message'] for x in p['stages'] if x['name'] == p.get('stage')), '')}"
                         for a, p in st["arms"].items())
        if line != last:
            print(line, file=sys.stderr, flush=True)
            last = line
        time.sleep(2)
    if st["state"] != "succeeded":
        return {"ab_dir": str(adir), "state": st["state"], "_error": st["error"] or st["state"], "_exit": 2}
    return ab_report(adir, mentions)


def cmd_status(args) -> dict:
    from .ab import ab_status

    st = ab_status(args.ab_dir)
    return {"ab_dir": st["ab_dir"], "state": st["state"], "error": st["error"],
            "arms": [{"arm": a, "state": p["state"], "stage": p.get("stage"), "pipeline_dir": p["pipeline_dir"],
                      "run_dir": p.get("run_dir")} for a, p in st["arms"].items()]}


def cmd_report(args) -> dict:
    from .ab import ab_report, ab_side_by_side

    out = ab_report(args.ab_dir, args.mentions)
    if args.items:
        out["items"] = [{k: it[k] for k in ("id", "task_type", "prompt", "reference", "raw_output",
                                            "curated_output", "raw", "curated")}
                        for it in ab_side_by_side(args.ab_dir, limit=args.items)]
    return out


def cmd_cancel(args) -> dict:
    from .ab import cancel_ab

    st = cancel_ab(args.ab_dir)
    return {"ab_dir": st["ab_dir"], "state": st["state"]}
