"""`curation judge ...`: score samples with an LLM judge, calibrate it against the human reviewers, list its
scores, and accept samples above a judge score where it is trusted. A thin shell over curation.judge."""
from __future__ import annotations

from ..judge import CalibrationSettings, JudgeSettings, accept_above, calibration, judge_samples
from .args import (add_endpoint_args, add_filter_args, author_of, endpoint_from_args, filter_from_args,
                   non_negative_int, open_store, positive_float, positive_int)


def register(sub, common) -> None:
    """Add `curation judge <action>` to the `curation` parser."""
    p = sub.add_parser("judge", parents=[common], help="LLM judge: score samples, calibrate against humans, accept")
    jsub = p.add_subparsers(dest="judge_command", required=True, metavar="ACTION")

    q = jsub.add_parser("run", parents=[common], help="score the selected samples with a judge model")
    add_endpoint_args(q)
    add_filter_args(q)
    q.add_argument("--limit", type=non_negative_int, help="at most this many samples")
    q.add_argument("--rubric-language", choices=("auto", "zh", "en"), default="auto",
                   help="auto (default): the Chinese rubric for zh and mixed samples, English otherwise")
    q.add_argument("--max-tokens", type=positive_int, default=JudgeSettings.max_tokens)
    q.add_argument("--rejudge", action="store_true", help="also samples this judge scored at their current revision")
    q.add_argument("--job", type=positive_int, help="resume this judge job (its paid answers come from the cache)")
    q.set_defaults(func=cmd_run)

    def calibration_args(q):
        q.add_argument("--judge", help="judge:<model> (default: the only judge in the store)")
        q.add_argument("--min-items", type=positive_int, default=CalibrationSettings.min_items,
                       help="shared samples a task_type needs before the judge can be trusted there")
        q.add_argument("--min-kappa", type=float, default=CalibrationSettings.min_kappa)
        q.add_argument("--min-spearman", type=float, default=CalibrationSettings.min_spearman)
        q.add_argument("--replicates", type=positive_int, default=CalibrationSettings.replicates)

    q = jsub.add_parser("calibrate", parents=[common], help="judge-human agreement per dimension and task_type")
    calibration_args(q)
    q.set_defaults(func=cmd_calibrate)

    q = jsub.add_parser("accept", parents=[common],
                        help="accept pending samples at or above a judge score, where the judge is trusted (lead)")
    calibration_args(q)
    q.add_argument("--threshold", type=positive_float, required=True, help="judge overall score (1-5)")
    q.add_argument("--task-type", action="append", help="only these task_types (each must be trusted)")
    q.add_argument("--dry-run", action="store_true", help="list what would be accepted, change nothing")
    q.set_defaults(func=cmd_accept)

    q = jsub.add_parser("scores", parents=[common], help="the judge's current scores with rationales")
    q.add_argument("--judge", help="judge:<model> (default: every judge)")
    q.add_argument("--sample", help="one sample id")
    q.set_defaults(func=cmd_scores)


def _calibration_settings(args) -> CalibrationSettings:
    return CalibrationSettings(min_items=args.min_items, min_kappa=args.min_kappa, min_spearman=args.min_spearman,
                               replicates=args.replicates)


def cmd_run(args) -> dict:
    from ..llm.progress import StderrProgress

    endpoint = endpoint_from_args(args)
    settings = JudgeSettings(rubric_language=args.rubric_language, max_tokens=args.max_tokens, rejudge=args.rejudge)
    progress = StderrProgress("judge")  # stderr: a --json document on stdout stays clean
    with open_store(args) as store:
        out = judge_samples(store, endpoint, filter_from_args(args), settings, author_of(args), progress, args.job)
    if out["n_failed"]:
        out["_error"] = (f"{out['n_failed']} of {out['selected'] - out['already_judged']} judgements failed and "
                         f"stored nothing (see failed); first: {out['failed'][0]['error']}")
        out["_exit"] = 2 if not out["judged"] else 0
    return out


def cmd_calibrate(args) -> dict:
    with open_store(args) as store:
        return calibration(store, args.judge, _calibration_settings(args))


def cmd_accept(args) -> dict:
    with open_store(args) as store:
        return accept_above(store, author_of(args), args.threshold, args.judge, args.task_type,
                            _calibration_settings(args), args.dry_run)


def cmd_scores(args) -> dict:
    with open_store(args) as store:
        rows = store.judge.list(args.sample, args.judge)
    return {"count": len(rows), "scores": rows}
