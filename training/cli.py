"""`curation train`: launch (or audit, resume, watch, cancel) a LoRA run from the command line.

Registered through the `curation.commands` entry point (pyproject.toml); `curation` prints what `train_command`
returns.
"""
from __future__ import annotations

import sys
import time

from curation.errors import UserError

from .presets import TINY, presets_help


def register(subparsers, common) -> None:
    """The `curation.commands` entry point: `common` carries the options every command takes (--json, ...)."""
    add_train_parser(subparsers, common)


def add_train_parser(subparsers, common=None):
    """Register `train` on an argparse subparsers object (with --json unless `common` provides it)."""
    p = subparsers.add_parser(
        "train", parents=[common] if common is not None else [],
        help="train a LoRA adapter on an export (runs in the background)",
        description="Audit an export and launch a LoRA run in the background. Settings: --set key=value "
                    "(e.g. --set epochs=3 --set learning_rate=2e-4); see docs/training.md.")
    p.add_argument("--export", metavar="DIR", help="export folder (train.jsonl, eval.jsonl, manifest.json)")
    p.add_argument("--base-model", default=TINY, metavar="PRESET|ID|PATH",
                   help=f"an offline preset: {presets_help()} (default {TINY}); or a Hugging Face id or a local "
                        f"model folder")
    p.add_argument("--out", default="runs", metavar="RUNS_DIR", help="folder for run folders (default: runs)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides",
                   help="override a setting; repeatable")
    p.add_argument("--audit-only", action="store_true", help="run the launch audit and stop")
    p.add_argument("--wait", action="store_true", help="block until the run ends, progress on stderr")
    p.add_argument("--resume", metavar="RUN_DIR", help="restart a stopped run from its newest checkpoint")
    p.add_argument("--allow-export-change", action="store_true",
                   help="with --resume: continue even though the export was re-exported since the run used it "
                        "(both hashes are recorded); without it such a resume is refused")
    p.add_argument("--status", metavar="RUN_DIR", help="show a run's status")
    p.add_argument("--cancel", metavar="RUN_DIR", help="cancel a running run")
    if common is None:
        p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=train_command)
    return p


def train_command(args) -> dict:
    """Do what the parsed `train` arguments ask; returns the JSON-able result."""
    from . import jobs

    if args.status:
        return _brief(jobs.status(args.status))
    if args.cancel:
        return _brief(jobs.cancel(args.cancel))
    if args.resume:
        run_dir = jobs.resume(args.resume, allow_export_change=args.allow_export_change)
        return _finish(run_dir, args.wait)
    if not args.export:
        raise UserError("train needs --export DIR (or --resume / --status / --cancel RUN_DIR)")
    if args.audit_only:
        _, report = jobs.prepare(args.export, args.base_model, args.overrides)
        out = report.to_dict()
        out.pop("first_sample", None)
        return out
    run_dir = jobs.launch(args.export, args.base_model, args.out, args.overrides)
    print(f"launched {run_dir}", file=sys.stderr)
    return _finish(run_dir, args.wait)


def _finish(run_dir, wait: bool) -> dict:
    from . import jobs
    from .rundir import RunFolder, read_json

    if not wait:
        return _brief(jobs.status(run_dir))
    last = None
    while True:
        st = jobs.status(run_dir)
        latest = st.get("latest") or {}
        line = f"{st['state']} step {latest.get('step', 0)}/{latest.get('total', '?')} loss {latest.get('loss', '-')}"
        if line != last:
            print(line, file=sys.stderr)
            last = line
        if st["state"] not in ("queued", "running"):
            break
        time.sleep(2)
    out = _brief(st)
    out["record"] = read_json(RunFolder(run_dir).record)
    if st["state"] == "failed":
        raise UserError(f"run {run_dir} failed: {st.get('reason')}")
    return out


def _brief(st: dict) -> dict:
    keep = ("run_dir", "state", "reason", "step", "total_steps", "device", "precision", "resumable", "latest",
            "checkpoints")
    out = {k: st.get(k) for k in keep}
    out["eval_loss"] = [{"step": e["step"], "eval_loss": e["eval_loss"]} for e in st.get("eval", [])]
    return out
