"""The core `curation` commands: ingest, samples, show, restore, relabel, set-status, stats, taxonomy,
quarantine and export. Thin shells over the library; `register` adds them to the parser."""
from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from .. import taxonomy
from ..errors import UserError
from ..labels import relabel
from ..store import STATUSES
from .args import (add_filter_args, add_force_arg, author_of, filter_from_args, fraction, non_negative_int,
                   open_fraction, open_store, output_path, positive_float, positive_int)
from .args import jsonable as _jsonable
from .stats import add_stats_args, run_stats


# ---------------------------------------------------------------- commands
def cmd_ingest(args) -> dict:
    from ..formats import parse_mapping
    from .. import jobs
    from ..ingest import IngestReport, IngestSettings, ingest
    settings = IngestSettings(dataset=args.dataset, format=args.format, task_type=args.task_type,
                              task_type_field=args.task_type_field, mapping=parse_mapping(args.map),
                              encoding=args.encoding, max_line_mb=args.max_line_mb,
                              run_checks=not args.no_checks, derive_stats=not args.no_stats,
                              skip_present=not args.keep_present)
    with open_store(args) as store, _progress() as tick:
        if settings.dry_run:
            report = ingest(store, args.paths, settings, progress=tick)
        else:  # a durable job: killed, it is resumed with `curation jobs resume ID`
            job_id = jobs.start(store, "import", {"paths": args.paths, "ingest": dataclasses.asdict(settings)},
                                author_of(args), background=False, on_progress=tick)
            report = IngestReport(**jobs.raise_if_failed(store.jobs.get(job_id))["result"])
    out = report.to_dict()
    if report.file_errors and report.imported == 0 and report.already_present == 0:
        out["_exit"] = 2
        out["_error"] = "; ".join(f"{e['file']}: {e['reason']}" for e in report.file_errors)
    return out


class _progress:
    """A tqdm bar on stderr driven by ingest's byte counter."""

    def __enter__(self):
        from tqdm import tqdm
        self.bar = tqdm(total=0, unit="B", unit_scale=True, desc="import", file=sys.stderr, disable=None)
        return self

    def __call__(self, done: int, total: int) -> None:
        if self.bar.total != total:
            self.bar.total = total
        self.bar.update(done - self.bar.n)

    def __exit__(self, *exc):
        self.bar.close()


def cmd_samples(args) -> dict:
    with open_store(args) as store:
        f = filter_from_args(args)
        rows = store.samples.list(f)
        return {"total": store.samples.count(f), "samples": [_jsonable(s) for s in rows]}


def cmd_show(args) -> dict:
    with open_store(args) as store:
        s = store.revisions.sample_at(args.id, args.rev) if args.rev is not None else store.samples.get(args.id)
        return {"sample": _jsonable(s), "history": [_jsonable(r) for r in store.revisions.list(args.id)]}


def cmd_restore(args) -> dict:
    with open_store(args) as store:
        return {"sample": _jsonable(store.revisions.restore(args.id, args.rev, author_of(args)))}


def cmd_relabel(args) -> dict:
    with open_store(args) as store:
        return relabel(store, filter_from_args(args), args.to, author_of(args), args.note, allow_all=args.all)


def cmd_set_status(args) -> dict:
    with open_store(args) as store:
        s = store.samples.update(args.id, {"status": args.status}, author_of(args), "status", args.note)
        return {"sample": _jsonable(s)}


def cmd_stats(args) -> dict:
    with open_store(args) as store:
        return run_stats(args, store)


def cmd_taxonomy(args) -> dict:
    with open_store(args) as store:
        if args.action == "list":
            return {"taxonomy": store.taxonomy.list()}
        l1, l2 = taxonomy.two_levels(args.type)
        if args.action == "add":
            added = taxonomy.add_type(store, args.type, args.kind, args.description)
            return {"added": added, "task_type": f"{l1}/{l2}"}
        if args.action == "remove":
            taxonomy.remove_type(store, args.type)
            return {"removed": f"{l1}/{l2}"}
        if args.action == "rename":
            if not args.to:
                raise UserError("rename needs --to NEW_L1/NEW_L2")
            n = taxonomy.rename_type(store, args.type, args.to, author_of(args))
            return {"renamed": f"{l1}/{l2}", "to": args.to, "relabelled": n}
        if args.share is None and args.count is None:
            raise UserError("target needs --share (0..1) or --count")
        taxonomy.set_target(store, args.type, args.share, args.count)
        return {"task_type": f"{l1}/{l2}", "target_share": args.share, "target_count": args.count}


def cmd_quarantine(args) -> dict:
    if args.clear is not None:
        from ..ingest import clear_quarantine
        with open_store(args) as store:
            return {"cleared": clear_quarantine(store, args.clear, author_of(args), args.note), "ingest": args.clear}
    path = output_path(args, args.out) if args.out else None
    with open_store(args) as store:
        rows = store.quarantine.list(args.ingest, args.limit)
    if path:
        with open(path, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(_jsonable(r), ensure_ascii=False) + "\n")
    return {"count": len(rows), "records": [_jsonable(r) for r in rows], "written_to": args.out}


def cmd_export(args) -> dict:
    from .. import jobs
    from ..export import ExportSettings
    settings = ExportSettings(format=args.format, eval_fraction=args.eval_fraction, seed=args.seed,
                              overwrite=args.overwrite)
    with open_store(args) as store:  # a durable job: killed, it is resumed with `curation jobs resume ID`
        job_id = jobs.start(store, "export", {"out_dir": str(args.out_dir), "export": dataclasses.asdict(settings),
                                              "filter": filter_from_args(args, default_curated=True).to_dict()},
                            author_of(args), background=False)
        out = Path(jobs.raise_if_failed(store.jobs.get(job_id))["result"]["out_dir"])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {k: v for k, v in manifest.items() if k not in ("ids", "tags")} | {"out_dir": str(args.out_dir)}


# ---------------------------------------------------------------- parser
def register(sub, common) -> None:
    """Add the core commands to the `curation` parser (`common`: the options every command takes)."""
    p = sub.add_parser("ingest", parents=[common], help="import JSONL / JSON / CSV / Parquet files")
    p.add_argument("paths", nargs="+")
    p.add_argument("--dataset", help="dataset name (default: the file name)")
    p.add_argument("--format", default="auto", choices=["auto", "messages", "alpaca", "sharegpt", "csv", "parquet"])
    p.add_argument("--task-type", help='one "L1/L2" for every record')
    p.add_argument("--task-type-field", default="task_type", help="record field holding L1/L2")
    p.add_argument("--map", help="column mapping for tables, e.g. question=user,answer=assistant")
    p.add_argument("--encoding", help="force a text encoding (default: UTF-8, falling back to GBK)")
    p.add_argument("--max-line-mb", type=positive_float, default=32.0, help="longer JSONL lines are quarantined")
    p.add_argument("--keep-present", action="store_true",
                   help="also import records without an id whose content is already stored (default: skip them)")
    p.add_argument("--no-checks", action="store_true",
                   help="skip the review pre-flags after the import (run `curation review checks` later)")
    p.add_argument("--no-stats", action="store_true",
                   help="skip deriving the diversity statistics' values (the first `curation stats` does it)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("samples", parents=[common], help="list samples matching a filter")
    add_filter_args(p)
    p.add_argument("--limit", type=non_negative_int, default=20)
    p.add_argument("--offset", type=non_negative_int, default=0)
    p.set_defaults(func=cmd_samples)

    p = sub.add_parser("show", parents=[common], help="one sample with its revision history")
    p.add_argument("id")
    p.add_argument("--rev", type=non_negative_int, help="show the sample as it was at this revision (0 = as imported)")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("restore", parents=[common], help="make an earlier revision current (as a new revision)")
    p.add_argument("id")
    p.add_argument("rev", type=non_negative_int)
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("relabel", parents=[common], help="set the task_type of every sample matching a filter")
    add_filter_args(p)
    p.add_argument("--to", required=True, help='new "L1/L2"')
    p.add_argument("--all", action="store_true", help="allow relabelling without a filter")
    p.add_argument("--note")
    p.set_defaults(func=cmd_relabel)

    p = sub.add_parser("set-status", parents=[common], help="set one sample's review status")
    p.add_argument("id")
    p.add_argument("status", choices=STATUSES)
    p.add_argument("--note")
    p.set_defaults(func=cmd_set_status)

    p = sub.add_parser("stats", parents=[common], help="diversity per task_type: balance vs targets, lengths, "
                       "shape, languages, answer/prompt monotony, semantic coverage")
    add_filter_args(p)
    add_stats_args(p)
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("taxonomy", parents=[common], help="list or edit the task_type taxonomy")
    p.add_argument("action", choices=["list", "add", "remove", "rename", "target"])
    p.add_argument("type", nargs="?", help='"L1/L2"')
    p.add_argument("--to", help="new name for rename")
    p.add_argument("--kind", default="ability", choices=list(taxonomy.KINDS))
    p.add_argument("--description")
    p.add_argument("--share", type=fraction, help="target share of the set (0..1)")
    p.add_argument("--count", type=non_negative_int, help="target number of samples")
    p.set_defaults(func=cmd_taxonomy)

    p = sub.add_parser("quarantine", parents=[common], help="invalid records kept from imports")
    p.add_argument("--ingest", type=positive_int, help="only this ingest run")
    p.add_argument("--limit", type=non_negative_int)
    p.add_argument("--out", help="write them to this JSONL file")
    add_force_arg(p)
    p.add_argument("--clear", type=positive_int, metavar="INGEST",
                   help="remove this import's quarantine rows (a lead; recorded in the quarantine_clears history)")
    p.add_argument("--note", help="why the rows are cleared (with --clear)")
    p.set_defaults(func=cmd_quarantine)

    p = sub.add_parser("export", parents=[common], help="write the curated selection for training")
    p.add_argument("out_dir")
    add_filter_args(p)
    p.add_argument("--format", default="messages", choices=["messages", "alpaca", "sharegpt"])
    p.add_argument("--eval-fraction", type=open_fraction, default=0.1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--overwrite", action="store_true")
    p.set_defaults(func=cmd_export)
