"""`curation review ...`: review queues, offline review files, pre-flag checks, assignment, adjudication and
agreement from the command line. A thin shell over curation.review, curation.checks and curation.agreement."""
from __future__ import annotations

from ..checks import CHECKS, run_checks
from ..errors import UserError
from ..review import (ORDERS, ROLES, AgreementSettings, AssignSettings, QueueSpec, adjudicate, agreement_report,
                      annotator_dashboard, assign, build_queue, create_profile, disagreement_queue, export_reviews,
                      import_reviews, queue_progress, set_role)
from .args import (add_filter_args, add_force_arg, author_of, filter_from_args, fraction, non_negative_int,
                   open_store, output_path, positive_int)


def register(sub, common) -> None:
    """Add `curation review <action>` to the `curation` parser."""
    p = sub.add_parser("review", parents=[common], help="human review: queues, offline files, checks, agreement")
    rsub = p.add_subparsers(dest="review_command", required=True, metavar="ACTION")

    def queue_args(q):
        add_filter_args(q)
        q.add_argument("--flagged", help='only samples flagged by this check ("*" for any check)')
        q.add_argument("--assigned-to", help="only samples assigned to this annotator")
        q.add_argument("--disagreement", action="store_true", help="only samples whose reviewers disagree")
        q.add_argument("--spread", type=non_negative_int, default=2, help="score spread that counts as disagreement (default 2)")
        q.add_argument("--dedup-run", type=positive_int, help="only members of this dedup run's clusters")
        q.add_argument("--dedup-cluster", type=non_negative_int, help="only this cluster of --dedup-run")
        q.add_argument("--hide-reviewed-by", help="leave out samples this annotator already reviewed")
        q.add_argument("--order", default="flagged_first", choices=list(ORDERS),
                       help="judge_worst: lowest LLM-judge score first (`curation judge run`)")
        q.add_argument("--seed", type=int, default=0, help="seed for --order random")

    q = rsub.add_parser("queue", parents=[common], help="list a review queue and its progress")
    queue_args(q)
    q.add_argument("--limit", type=non_negative_int, default=50, help="ids listed (progress counts the whole queue)")
    q.set_defaults(func=cmd_queue)

    q = rsub.add_parser("export", parents=[common], help="write a queue as JSONL to review offline")
    q.add_argument("out", help="JSONL file to write")
    add_force_arg(q)
    queue_args(q)
    q.add_argument("--annotator", help="prefill each line with this annotator's current review")
    q.add_argument("--limit", type=non_negative_int, help="at most this many samples")
    q.set_defaults(func=cmd_export)

    q = rsub.add_parser("import", parents=[common], help="merge an offline review file back (edits + reviews)")
    q.add_argument("file")
    q.add_argument("--annotator", help="whose reviews these are (default: --author / $USER)")
    q.set_defaults(func=cmd_import)

    q = rsub.add_parser("agreement", parents=[common], help="inter-annotator agreement with n and CIs")
    q.add_argument("--replicates", type=positive_int, default=1000, help="bootstrap resamples (default 1000)")
    q.add_argument("--seed", type=int, default=0)
    q.add_argument("--min-items", type=positive_int, default=2, help="items rated by 2+ annotators a figure needs")
    q.add_argument("--no-by-task-type", action="store_true", help="only the overall figures")
    q.set_defaults(func=cmd_agreement)

    q = rsub.add_parser("checks", parents=[common], help="run the pre-flag checks on demand")
    add_filter_args(q)
    q.add_argument("--only", help=f"comma-separated check names (default: all of {', '.join(CHECKS)})")
    q.set_defaults(func=cmd_checks)

    q = rsub.add_parser("assign", parents=[common], help="assign samples to annotators (lead), with overlap")
    add_filter_args(q)
    q.add_argument("--annotators", required=True, help="comma-separated profile names")
    q.add_argument("--n", type=positive_int, help="number of samples (default: every unassigned match)")
    q.add_argument("--overlap", type=fraction, default=0.2, help="share of samples given to k annotators")
    q.add_argument("--k", type=positive_int, default=2, help="annotators per overlapping sample")
    q.add_argument("--seed", type=int, default=42)
    q.add_argument("--include-assigned", action="store_true", help="also hand out already assigned samples")
    q.set_defaults(func=cmd_assign)

    q = rsub.add_parser("profile", parents=[common], help="list, add or change annotator profiles")
    q.add_argument("action", choices=["list", "add", "role"])
    q.add_argument("name", nargs="?")
    q.add_argument("--role", choices=list(ROLES), default="annotator")
    q.set_defaults(func=cmd_profile)

    q = rsub.add_parser("disagreements", parents=[common], help="the disagreement queue with every review")
    q.add_argument("--spread", type=non_negative_int, default=2)
    q.set_defaults(func=cmd_disagreements)

    q = rsub.add_parser("adjudicate", parents=[common], help="a lead's final verdict on a sample")
    q.add_argument("id")
    q.add_argument("verdict", choices=["accept", "needs_fix", "reject"])
    q.add_argument("--note")
    q.add_argument("--rev", type=non_negative_int, help="the revision you decided on (refused if the content changed since)")
    q.set_defaults(func=cmd_adjudicate)

    q = rsub.add_parser("dashboard", parents=[common], help="per-annotator throughput, acceptance, agreement")
    q.set_defaults(func=cmd_dashboard)


def _spec(args):
    return QueueSpec(filter=filter_from_args(args), flagged=args.flagged, assigned_to=args.assigned_to,
                     disagreement=args.disagreement, spread=args.spread, dedup_run=args.dedup_run,
                     dedup_cluster=args.dedup_cluster, hide_reviewed_by=args.hide_reviewed_by, order=args.order,
                     seed=args.seed)


def cmd_queue(args) -> dict:
    spec = _spec(args)
    with open_store(args) as store:
        ids = build_queue(store, spec, args.limit)
        return {**queue_progress(store, spec, author_of(args)), "ids": ids}


def cmd_export(args) -> dict:
    output_path(args, args.out, "review export file")  # never the store, no silent overwrite
    with open_store(args) as store:
        return export_reviews(store, args.out, _spec(args), args.annotator, args.limit)


def cmd_import(args) -> dict:
    with open_store(args) as store:
        out = import_reviews(store, args.file, args.annotator or author_of(args))
    refused = len(out["conflicts"]) + len(out["errors"])
    if refused:
        out["_exit"] = 2
        out["_error"] = (f"{refused} of {out['lines']} lines not applied ({len(out['conflicts'])} conflicts with "
                         f"newer saves, {len(out['errors'])} invalid); see conflicts/errors")
    return out


def cmd_agreement(args) -> dict:
    settings = AgreementSettings(min_items=args.min_items, by_task_type=not args.no_by_task_type,
                                 replicates=args.replicates, seed=args.seed)
    with open_store(args) as store:
        return agreement_report(store, settings)


def cmd_checks(args) -> dict:
    names = [n.strip() for n in args.only.split(",") if n.strip()] if args.only else None
    with open_store(args) as store:
        return run_checks(store, filter_from_args(args), names, author=author_of(args)).to_dict()


def cmd_assign(args) -> dict:
    names = [n.strip() for n in args.annotators.split(",") if n.strip()]
    settings = AssignSettings(annotators=names, n_samples=args.n, overlap=args.overlap, k=args.k, seed=args.seed,
                              include_assigned=args.include_assigned)
    with open_store(args) as store:
        return assign(store, filter_from_args(args), settings, author_of(args))


def cmd_profile(args) -> dict:
    with open_store(args) as store:
        if args.action == "list":
            return {"profiles": store.review.annotators()}
        if not args.name:
            raise UserError(f"profile {args.action} needs a NAME")
        if args.action == "add":
            if store.review.annotator(args.name):
                raise UserError(f"profile {args.name!r} already exists")
            return {"profile": create_profile(store, args.name, args.role)}
        set_role(store, author_of(args), args.name, args.role)
        return {"profile": store.review.annotator(args.name)}


def cmd_disagreements(args) -> dict:
    with open_store(args) as store:
        rows = disagreement_queue(store, args.spread)
    return {"count": len(rows), "disagreements": rows}


def cmd_adjudicate(args) -> dict:
    with open_store(args) as store:
        s = adjudicate(store, args.id, author_of(args), args.verdict, args.note, args.rev)
    return {"id": s["id"], "status": s["status"], "rev": s["rev"]}


def cmd_dashboard(args) -> dict:
    with open_store(args) as store:
        return {"annotators": annotator_dashboard(store)}
