"""`curation generate PRODUCER|runs|rejections|suggestions|accept|reject`: a thin shell over curation.producers.

One subcommand per registered producer (`PRODUCERS`), each with an option per setting (generated from its
settings dataclass, the comment as help), the endpoint options and what the run is about (--task-type, --count,
the sample filter, --prompts)."""
from __future__ import annotations

import argparse
import dataclasses

from ..producers import PRODUCERS
from ..steps import form_fields
from .args import add_endpoint_args, add_filter_args, author_of, endpoint_from_args, filter_from_args, open_store, positive_int

_RUN_OPTIONS = {"task_type", "count", "prompts", "dataset"}


def register(sub, common) -> None:
    """Add the `generate` command group to the `curation` parser."""
    top = sub.add_parser("generate", parents=[common], help="produce data with a model: Self-Instruct, "
                                                           "Evol-Instruct, answers, prompt rewrites")
    gsub = top.add_subparsers(dest="generate_command", required=True, metavar="PRODUCER|ACTION")
    for name in PRODUCERS:
        step = PRODUCERS[name]
        p = gsub.add_parser(name, parents=[common], help=(step.__doc__ or name).strip().splitlines()[0])
        add_endpoint_args(p)
        if name == "self-instruct":
            p.add_argument("--task-type", dest="fill_type", help="the task_type L1/L2 to fill (required)")
        else:
            add_filter_args(p)
        p.add_argument("--count", type=positive_int,
                       help="how many (self-instruct: new samples, default the type's missing count against its "
                            "target; others: inputs to use, default all)")
        if name == "answers":
            p.add_argument("--prompts", help="source prompts: a .txt (one prompt a line) or .jsonl file to answer")
        p.add_argument("--to-dataset", help="dataset of the new samples (default: their parents', else 'generated')")
        p.add_argument("--dry-run", action="store_true", help="ask the model and report; store nothing")
        _add_settings_args(p, step.Settings())
        p.set_defaults(func=cmd_produce, producer=name)

    p = gsub.add_parser("runs", parents=[common], help="list production runs")
    p.add_argument("--limit", type=positive_int, default=20)
    p.set_defaults(func=cmd_runs)
    p = gsub.add_parser("rejections", parents=[common], help="list thrown-away candidates with their reasons")
    p.add_argument("--run", type=positive_int, help="of this run only")
    p.add_argument("--rule", help="of this rule only (e.g. template_leak, near_copy)")
    p.add_argument("--limit", type=positive_int, default=50)
    p.set_defaults(func=cmd_rejections)
    p = gsub.add_parser("suggestions", parents=[common], help="list prompt-rewrite suggestions")
    p.add_argument("--state", default="open", choices=["open", "accepted", "rejected", "superseded", "all"])
    p.add_argument("--limit", type=positive_int, default=50)
    p.set_defaults(func=cmd_suggestions)
    for action in ("accept", "reject"):
        p = gsub.add_parser(action, parents=[common], help=f"{action} prompt-rewrite suggestions by id")
        p.add_argument("ids", nargs="+", type=positive_int, help="suggestion ids")
        p.set_defaults(func=cmd_decide, action=action)


def _endpoint(args, needs_model: bool):
    """The endpoint of the shared options (cli/args.py), or None for a producer that runs without a model and was
    given none (the rule-based rewrite)."""
    if not needs_model and not args.model:
        return None
    return endpoint_from_args(args)


def _add_settings_args(p: argparse.ArgumentParser, settings) -> None:
    for field, value, help_text, choices in form_fields(settings):
        flag = "--" + field.replace("_", "-")
        text = (f"{help_text} (default {value})" if help_text else f"default {value}").replace("%", "%%")
        if isinstance(value, bool):
            p.add_argument(flag, dest=f"set_{field}", action=argparse.BooleanOptionalAction, default=None, help=text)
        else:
            p.add_argument(flag, dest=f"set_{field}", type=type(value) if value is not None else str,
                           choices=list(choices) or None, default=None, help=text, metavar=field.upper())


def settings_from_args(name: str, args):
    """The producer's settings with the options given on the command line."""
    step = PRODUCERS.get_step(name)
    fields = [f.name for f in dataclasses.fields(step.Settings)]
    return PRODUCERS.make_settings(name, **{f: getattr(args, f"set_{f}", None) for f in fields})


def cmd_produce(args) -> dict:
    from .. import jobs
    from ..llm.progress import StderrProgress
    from ..producers.answers import read_prompts
    from ..producers.runner import RunInput, produce

    name = args.producer
    if getattr(args, "prompts", None) and getattr(args, "set_source", None) is None:
        args.set_source = "prompts"  # --prompts alone means: answer these
    settings = settings_from_args(name, args)
    run = RunInput(filter=None if name == "self-instruct" else filter_from_args(args),
                   task_type=getattr(args, "fill_type", None) or _one_type(args), count=args.count,
                   prompts=read_prompts(args.prompts) if getattr(args, "prompts", None) else None,
                   dataset=args.to_dataset)
    bars: dict[str, StderrProgress] = {}

    def progress(stage: str, done: int, total: int, eta) -> None:
        bars.setdefault(stage, StderrProgress(stage))(done, total, eta)

    endpoint = _endpoint(args, PRODUCERS.build([name], {name: settings})[0].needs_endpoint)
    with open_store(args) as store:
        if args.dry_run:  # a report that stores nothing: not a job
            return produce(store, name, endpoint, settings, run, author=author_of(args), dry_run=True,
                           on_progress=None if getattr(args, "json", False) else progress)
        # a durable job: killed, `curation jobs resume ID` finishes it, asking the model only for what it had not
        # answered (every paid response is in the LLM cache)
        job_id = jobs.start(store, "generation", {"producer": name, "endpoint": endpoint, "settings": settings,
                                                  "run": run}, author_of(args), background=False,
                            on_progress=None if getattr(args, "json", False) else _bar(StderrProgress(name)))
        return jobs.raise_if_failed(store.jobs.get(job_id))["result"]


def _bar(bar):
    """A job's progress(done, total) on a stderr bar (the job knows no ETA of its own to pass on)."""
    return lambda done, total: bar(done, total, None)


def _one_type(args) -> str | None:
    """The answers producer labels bare prompts with the filter's task_type when exactly one is given."""
    types = getattr(args, "task_type", None) or []
    return types[0] if len(types) == 1 and "/" in types[0] else None


def cmd_runs(args) -> dict:
    with open_store(args) as store:
        runs = store.generation.runs.list(args.limit)
        return {"count": len(runs), "runs": runs}


def cmd_rejections(args) -> dict:
    with open_store(args) as store:
        rows = store.generation.rejections(args.run, args.rule, args.limit)
        counts = store.generation.rejection_counts(args.run) if args.run else None
        return {"count": len(rows), "by_rule": counts, "rejections": rows}


def cmd_suggestions(args) -> dict:
    with open_store(args) as store:
        rows = store.generation.suggestions(None if args.state == "all" else args.state, limit=args.limit)
        return {"count": len(rows), "suggestions": rows}


def cmd_decide(args) -> dict:
    from ..producers.rewrite import accept, reject
    with open_store(args) as store:
        author = author_of(args)
        done = [accept(store, i, author) if args.action == "accept" else reject(store, i, author) for i in args.ids]
        return {"decided": len(done), "suggestions": done}
