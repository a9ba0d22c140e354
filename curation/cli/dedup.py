"""`curation dedup`, `curation dedup-unmark` and `curation decontaminate`: thin shells over curation.dedup and
curation.decontam (registered by curation/cli/__init__.py)."""
from __future__ import annotations

import dataclasses
import sys

from ..dedup.methods import DEDUP_METHODS
from ..embedding_models import DEFAULT_MODEL, MODELS
from ..errors import UserError
from .args import add_filter_args, author_of, filter_from_args, fraction, open_store, positive_int


# Method settings with their own option: setting -> argparse dest. A method takes those its settings have.
METHOD_OPTIONS = {"num_perm": "num_perm", "ngram": "ngram", "model": "model", "search": "neighbour_search"}


def register(sub, common) -> None:
    """Add the dedup and decontamination commands to the `curation` parser."""
    p = sub.add_parser("dedup", parents=[common], help="find duplicate clusters (exact, MinHash LSH, semantic)")
    p.add_argument("--method", default="minhash", choices=DEDUP_METHODS.names())
    p.add_argument("--key", default="user", choices=["user", "assistant", "conversation"],
                   help="which text is compared: user turns, assistant turns or the whole conversation")
    p.add_argument("--threshold", type=fraction, help="similarity for a duplicate (minhash 0.8; semantic: the "
                                                          "model's calibrated default, see `curation embeddings --models`)")
    p.add_argument("--num-perm", type=positive_int, help="MinHash permutations (default 128)")
    p.add_argument("--ngram", type=positive_int, help="character shingle size (default 5)")
    p.add_argument("--model", help="embedding model (semantic): one of " + ", ".join(MODELS) + " (default "
                   f"{DEFAULT_MODEL}) or a sentence-transformers name or local path")
    p.add_argument("--neighbour-search", dest="neighbour_search", choices=["auto", "blocked", "faiss", "kmeans"],
                   help="semantic neighbour search (default auto: exact up to 50k texts, k-means partitions above)")
    p.add_argument("--keeper", help="keeper rule, comma-separated, e.g. accepted,protected,quality,longest_answer,"
                                    "earliest")
    p.add_argument("--apply", action="store_true",
                   help="mark proposed removals duplicate (a revision each; protected samples never)")
    add_filter_args(p)
    p.set_defaults(func=cmd_dedup)

    p = sub.add_parser("dedup-unmark", parents=[common], help="undo a duplicate mark (status back to before)")
    p.add_argument("ids", nargs="+")
    p.add_argument("--run", type=positive_int, help="dedup run the decision belongs to")
    p.set_defaults(func=cmd_unmark)

    p = sub.add_parser("decontaminate", parents=[common],
                       help="find eval/benchmark items that leak into the data (exact and MinHash)")
    p.add_argument("--benchmark", help="benchmark file (JSONL question/answer, messages, ...); "
                                       "without it the eval split is checked against the train split")
    p.add_argument("--key", default="user", choices=["user", "assistant"],
                   help="compare questions with prompts (user) or answers with answers (assistant)")
    p.add_argument("--threshold", type=fraction, default=0.7, help="MinHash Jaccard for a match")
    p.add_argument("--method", action="append", choices=["exact", "minhash"], help="default: both")
    add_filter_args(p)
    p.set_defaults(func=cmd_decontaminate)


def _progress(done: int, total: int) -> None:
    print(f"\rembedding {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)


def cmd_dedup(args) -> dict:
    from curation.dedup.keeper import KeeperRule
    from curation import jobs
    from curation.dedup.runs import apply_cluster, clusters_at, make_settings

    method = DEDUP_METHODS.get_step(args.method)
    fields = {f.name for f in dataclasses.fields(method.Settings)}
    given = {name: getattr(args, dest) for name, dest in METHOD_OPTIONS.items() if getattr(args, dest) is not None}
    stray = ["--" + METHOD_OPTIONS[name].replace("_", "-") for name in given if name not in fields]
    if stray:
        raise UserError(f"{' and '.join(stray)} do not apply to --method {args.method}")
    settings = make_settings(args.method, key=args.key, threshold=args.threshold, **given)
    rule = KeeperRule(order=[c.strip() for c in args.keeper.split(",") if c.strip()]) if args.keeper else None
    author = author_of(args)
    with open_store(args) as store:  # a durable job: killed, it is finished with `curation jobs resume ID`
        job_id = jobs.start(store, "dedup", {"method": args.method, "settings": settings,
                                             "filter": filter_from_args(args, default_curated=True).to_dict(),
                                             "keeper": rule.order if rule else None}, author,
                            background=False, on_progress=_progress if method.embeds else None)
        report = jobs.raise_if_failed(store.jobs.get(job_id))["result"]["report"]
        for w in report["warnings"]:
            print(f"warning: {w}", file=sys.stderr)
        if args.apply:
            marked = []
            for c in clusters_at(store, report["run_id"], keeper_rule=rule):
                marked += apply_cluster(store, report["run_id"], c, author, automatic=True)
            report["applied"] = marked
    return report


def cmd_unmark(args) -> dict:
    from curation.dedup.runs import unmark

    with open_store(args) as store:
        done = [unmark(store, i, author_of(args), args.run) for i in args.ids]
    return {"unmarked": [{"id": s["id"], "status": s["status"]} for s in done]}


def cmd_decontaminate(args) -> dict:
    from curation.decontam import DecontamSettings, decontaminate

    if not 0 < args.threshold <= 1:
        raise UserError(f"--threshold must be in (0, 1], got {args.threshold}")
    settings = DecontamSettings(key=args.key, threshold=args.threshold, methods=args.method or ["exact", "minhash"])
    f = filter_from_args(args)
    has_filter = any([f.dataset, f.task_type, f.status, f.split, f.tag, f.search, f.language])
    with open_store(args) as store:
        return decontaminate(store, args.benchmark, settings, f if has_filter else None, author_of(args))
