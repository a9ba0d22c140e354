"""`curation jobs`: the durable jobs of the store (registered by curation/cli/__init__.py).

    curation jobs                       # every job, newest first: kind, state, progress, ETA, who, error
    curation jobs show 7                # one job with its settings, checkpoint, result and log
    curation jobs resume 7              # continue a failed or cancelled job from its last committed chunk
    curation jobs cancel 7              # stop a job (a queued one here; a detached training run anywhere)
    curation jobs start export --settings '{"out_dir": "exports/v3"}'   # run one kind as a job, here

The store admits one writing process: while the app holds it, start and follow jobs on the app's Jobs page; a job
the app was running when it died is resumed from here (or from that page once the app runs again).
"""
from __future__ import annotations

import json
import sys

from ..errors import UserError
from .args import author_of, open_store, positive_int


def register(sub, common) -> None:
    """Add the `jobs` command group to the `curation` parser."""
    from .. import jobs

    top = sub.add_parser("jobs", parents=[common], help="durable jobs: list, show, resume, cancel, start")
    top.add_argument("--state", choices=("queued", "running", "done", "failed", "cancelled"), help="only these")
    top.add_argument("--kind", choices=list(jobs.KINDS), help="only jobs of this kind")
    top.add_argument("--limit", type=positive_int, default=50, help="how many jobs to list (default 50)")
    top.set_defaults(func=cmd_list)
    jsub = top.add_subparsers(dest="jobs_command", metavar="ACTION")
    p = jsub.add_parser("show", parents=[common], help="one job with its settings, checkpoint, result and log")
    p.add_argument("id", type=positive_int)
    p.set_defaults(func=cmd_show)
    p = jsub.add_parser("resume", parents=[common], help="continue a failed or cancelled job where it stopped")
    p.add_argument("id", type=positive_int)
    p.add_argument("--allow-export-change", action="store_true",
                   help="training: resume even though the export changed since the run started")
    p.set_defaults(func=cmd_resume)
    p = jsub.add_parser("cancel", parents=[common], help="stop a queued or running job")
    p.add_argument("id", type=positive_int)
    p.set_defaults(func=cmd_cancel)
    p = jsub.add_parser("start", parents=[common], help="run one kind of job here, in the foreground")
    p.add_argument("kind", choices=list(jobs.KINDS))
    p.add_argument("--settings", default="{}", help="the job's settings as a JSON object (docs/jobs.md)")
    p.set_defaults(func=cmd_start)


def _row(j: dict) -> dict:
    progress = f"{j['done']:,}/{j['total']:,}" if j.get("total") else f"{j.get('done') or 0:,}"
    return {"id": j["id"], "kind": j["kind"], "state": j["state"], "progress": progress,
            "eta_s": None if j.get("eta_s") is None else round(j["eta_s"]), "author": j["author"],
            "created_at": j["created_at"], "message": j.get("message"), "error": j.get("error")}


def cmd_list(args) -> dict:
    from .. import jobs

    with open_store(args) as store:
        rows = jobs.list_jobs(store, args.state, args.kind, args.limit)
    return {"jobs": [_row(j) for j in rows]}


def cmd_show(args) -> dict:
    from .. import jobs

    with open_store(args) as store:
        return jobs.show(store, args.id)


def cmd_resume(args) -> dict:
    from .. import jobs

    with open_store(args) as store:
        job = store.jobs.get(args.id)
        print(f"resuming job {args.id} ({job['kind']}) from its last committed chunk…", file=sys.stderr)
        options = {"allow_export_change": True} if args.allow_export_change and job["kind"] == "training" else {}
        out = jobs.resume(store, args.id, background=False, **options)
        return _result(out)


def cmd_cancel(args) -> dict:
    from .. import jobs

    with open_store(args) as store:
        return _row(jobs.cancel(store, args.id))


def cmd_start(args) -> dict:
    from .. import jobs

    try:
        settings = json.loads(args.settings)
    except json.JSONDecodeError as e:
        raise UserError(f"--settings is not JSON: {e.msg} at character {e.pos}") from None
    if not isinstance(settings, dict):
        raise UserError("--settings must be a JSON object, like '{\"out_dir\": \"exports/v3\"}'")
    with open_store(args) as store:
        job_id = jobs.start(store, args.kind, settings, author_of(args), background=False)
        return _result(jobs.show(store, job_id, log_chars=0))


def _result(job: dict) -> dict:
    if job["state"] == "failed":
        raise UserError(f"job {job['id']} failed: {job['error']} (`curation jobs show {job['id']}` has its log)")
    return {**_row(job), "result": job.get("result")}
