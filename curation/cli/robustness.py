"""`curation robustness detect|suggestions|confirm|reject|tag|untag|augment|share|check`: a thin shell over
curation.robustness (registered by curation/cli/__init__.py)."""
from __future__ import annotations

from ..errors import UserError
from ..robustness.detectors import default_detectors, detect_text, detector_names
from ..robustness.generation import PERTURBATIONS, GenerationSettings
from ..robustness.tagging import (augment, decide_many, share_by_task_type, suggestions, tag_samples,
                                  untag_samples)
from .args import (add_filter_args, author_of, filter_from_args, fraction, non_negative_int, open_store,
                   positive_int)


def register(sub, common) -> None:
    """Add the `robustness` command group to the `curation` parser."""

    kinds = detector_names()
    top = sub.add_parser("robustness", parents=[common], help="detect, tag, generate and protect robustness data")
    rsub = top.add_subparsers(dest="robustness_command", required=True, metavar="ACTION")

    p = rsub.add_parser("detect", parents=[common], help="run the detectors over a filter; store suggestions")
    p.add_argument("--kind", action="append", choices=kinds, help="only these detectors (repeatable)")
    add_filter_args(p)
    p.set_defaults(func=cmd_detect)

    p = rsub.add_parser("suggestions", parents=[common], help="list stored suggestions")
    p.add_argument("--kind", choices=kinds)
    p.add_argument("--state", default="open", choices=["open", "confirmed", "rejected", "all"])
    p.add_argument("--limit", type=non_negative_int, default=50)
    p.set_defaults(func=cmd_suggestions)

    for name, verdict in (("confirm", "confirm"), ("reject", "reject")):
        p = rsub.add_parser(name, parents=[common], help=f"{name} suggestions (by sample id, or all open ones)")
        p.add_argument("ids", nargs="*", help="sample ids")
        p.add_argument("--kind", choices=kinds, help="which suggestion (required with ids)")
        p.add_argument("--all-open", action="store_true", help=f"{name} every open suggestion (of --kind if given)")
        p.add_argument("--min-confidence", type=fraction, default=0.0, help="with --all-open: only at least this sure")
        p.set_defaults(func=cmd_decide, verdict=verdict)

    for name in ("tag", "untag"):
        p = rsub.add_parser(name, parents=[common], help=f"{'set' if name == 'tag' else 'remove'} a confirmed "
                                                         "robustness tag by hand")
        p.add_argument("ids", nargs="+", help="sample ids")
        p.add_argument("--kind", required=True, choices=kinds)
        p.add_argument("--note", help="why (kept in the sample's history)")
        p.set_defaults(func=cmd_tag, untag=name == "untag")

    p = rsub.add_parser("augment", parents=[common], help="generate robustness variants of clean samples")
    p.add_argument("--perturbation", action="append", choices=list(PERTURBATIONS),
                   help="perturbations to use (repeatable; default all)")
    p.add_argument("--rate", type=fraction, help="share of eligible clean samples per task_type to vary (default 0.1)")
    p.add_argument("--target-share", type=fraction, help="stop at this robustness share per task_type (default 0.08)")
    p.add_argument("--no-target", action="store_true", help="ignore the target share")
    p.add_argument("--variants-per-sample", type=positive_int, help="variants per parent (default 1)")
    p.add_argument("--turn", choices=["first", "last"], help="user turn to perturb (default last)")
    p.add_argument("--seed", type=int, help="random seed (default 42)")
    p.add_argument("--dry-run", action="store_true", help="show what would be generated; store nothing")
    add_filter_args(p)
    p.set_defaults(func=cmd_augment)

    p = rsub.add_parser("share", parents=[common], help="robustness share per task_type against the target")
    p.add_argument("--target", type=fraction, help="target share (default: the generator's 0.08)")
    add_filter_args(p)
    p.set_defaults(func=cmd_share)

    p = rsub.add_parser("check", parents=[common], help="run the detectors on a prompt given on the command line")
    p.add_argument("text")
    p.set_defaults(func=cmd_check)


def cmd_detect(args) -> dict:
    with open_store(args) as store:
        # a durable job: killed, it is resumed with `curation jobs resume ID` after its last committed chunk
        from .. import jobs

        default_detectors(args.kind)  # an unknown detector is refused before a job is recorded
        job_id = jobs.start(store, "robustness", {"filter": filter_from_args(args).to_dict(), "kinds": args.kind},
                            author_of(args), background=False)
        return jobs.raise_if_failed(store.jobs.get(job_id))["result"]


def cmd_suggestions(args) -> dict:
    with open_store(args) as store:
        rows = suggestions(store, None if args.state == "all" else args.state, args.kind, limit=args.limit)
        return {"count": len(rows), "suggestions": rows}


def cmd_decide(args) -> dict:
    with open_store(args) as store:
        if args.all_open:
            if args.ids:
                raise UserError("give sample ids or --all-open, not both")
            rows = [r for r in suggestions(store, "open", args.kind) if r["confidence"] >= args.min_confidence]
            decisions = [(r["sample_id"], r["tag"], args.verdict) for r in rows]
        else:
            if not args.ids or not args.kind:
                raise UserError(f"{args.verdict} needs sample ids and --kind (or --all-open)")
            decisions = [(i, args.kind, args.verdict) for i in args.ids]
        return decide_many(store, decisions, author_of(args))


def cmd_tag(args) -> dict:
    with open_store(args) as store:
        fn = untag_samples if args.untag else tag_samples
        return fn(store, args.ids, args.kind, author_of(args), args.note)


def cmd_augment(args) -> dict:
    s = GenerationSettings()
    overrides = {"rate": args.rate, "target_share": args.target_share, "variants_per_sample": args.variants_per_sample,
                 "turn": args.turn, "seed": args.seed,
                 "perturbations": tuple(args.perturbation) if args.perturbation else None}
    for key, value in overrides.items():
        if value is not None:
            setattr(s, key, value)
    if args.no_target:
        s.target_share = None
    with open_store(args) as store:
        return augment(store, filter_from_args(args, default_curated=True), s, dry_run=args.dry_run)


def cmd_share(args) -> dict:
    if args.target is not None and not 0 <= args.target <= 1:
        raise UserError(f"--target must be between 0 and 1, got {args.target}")
    with open_store(args) as store:
        return {"rows": share_by_task_type(store, filter_from_args(args), args.target)}


def cmd_check(args) -> dict:
    return {"text": args.text, "detections": [d.to_dict() for d in detect_text(args.text)]}
