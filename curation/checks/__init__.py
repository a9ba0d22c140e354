"""Automatic pre-flags: cheap checks that point reviewers at samples worth a look.

Each check is a `Check` step (curation/steps.py) with one job and a settings dataclass, registered in `CHECKS`;
it returns `Flag`s that carry a reason and the evidence (where, and the text around it). Checks never delete,
reject or relabel anything: a flag only moves a sample up a review queue ("flagged first") and is shown beside it
on the review screen. The built-in checks are in `builtin.py`; a new check is a new module of this package.

They run on import (`flag_ingest`, called at the end of `curation.ingest.ingest`) and on demand
(`run_checks`, from the Review page and `curation review checks`). A run replaces the flags of the checks it ran
on the samples it looked at, and records its settings in the store's check log.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field

from .. import executors
from ..messages import readable_turns
from ..store import SampleFilter, Store, decode_sample, sample_from_row
from .base import CHECKS, Check, Flag
from .builtin import (ArtefactCheck, ArtefactSettings, EchoCheck, EchoSettings, EmptyAnswerCheck, EmptyAnswerSettings,
                      PunctuationCheck, PunctuationSettings, RefusalCheck, RefusalSettings, TemplateLeftoverCheck,
                      TemplateSettings, TruncationCheck, TruncationSettings, VerbosityCheck, VerbositySettings,
                      length_stats)
from . import agent, instructions, long_context, rag  # noqa: E402,F401 (registered after the built-ins, in order)

__all__ = ["CHECKS", "ArtefactCheck", "ArtefactSettings", "Check", "CheckRunReport", "EchoCheck", "EchoSettings",
           "EmptyAnswerCheck", "EmptyAnswerSettings", "Flag", "PunctuationCheck", "PunctuationSettings",
           "RefusalCheck", "RefusalSettings", "TemplateLeftoverCheck", "TemplateSettings", "TruncationCheck",
           "TruncationSettings", "VerbosityCheck", "VerbositySettings", "build_checks", "check_sample",
           "finish_pending_checks", "flag_ingest", "length_stats", "recheck_sample", "run_checks"]

@dataclass
class CheckRunReport:
    """What a run of the checks found."""

    run_id: int
    trigger: str
    checks: list[str]
    samples: int
    flagged_samples: int
    flags: dict[str, int] = field(default_factory=dict)  # check -> samples flagged
    settings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def build_checks(names: Iterable[str] | None = None, settings: dict | None = None) -> list:
    """Check instances by name (all of them by default); `settings` maps a name to its settings object."""
    return CHECKS.build(names, settings)


def check_sample(sample: dict, checks: list, context: dict) -> list[Flag]:
    """Every flag the given checks raise on one sample. They read its turns through messages.readable_turns, so
    what an older store may hold never stops a run (`malformed_turns` flags it, from `stored_messages`)."""
    turns = readable_turns(sample.get("messages"))
    if turns is not sample.get("messages"):
        sample = {**sample, "messages": turns, "stored_messages": sample.get("messages")}
    return [f for c in checks for f in c.find(sample, context)]


def _run(store: Store, samples: Iterable[dict] | None, checks: list, trigger: str, author: str | None,
         ingest_id: int | None = None, workers: int = 0, f: SampleFilter | None = None) -> CheckRunReport:
    """Run `checks` on `samples`, or on the samples of import `ingest_id` or of filter `f` (by the current
    executor's workers: `workers` processes when above 1 on the local engine), and record the run."""
    context = {"lengths": length_stats(store)} if any(c.name == VerbosityCheck.name for c in checks) else {}
    names = [c.name for c in checks]
    settings = {c.name: dataclasses.asdict(c.settings) for c in checks}
    if samples is not None:
        results = ((s["id"], s["rev"], check_sample(s, checks, context)) for s in samples)
    else:
        ex = executors.current(workers)
        batches = (store.samples.iter_ingest_rows(ingest_id, arrow=ex.arrow_units) if ingest_id is not None
                   else store.samples.batches(f, columns=CHECKED_COLUMNS, arrow=ex.arrow_units))
        results = _checked_in_workers(ex, batches, names, {c.name: c.settings for c in checks}, context, workers)
    evaluated, rows = [], []
    per_check: dict[str, set] = {}
    for sample_id, rev, flags in results:
        evaluated.append(sample_id)
        for f in flags:
            rows.append((sample_id, f.check, f.reason, f.evidence, rev))
            per_check.setdefault(f.check, set()).add(sample_id)
    run_id = store.flags.replace(names, evaluated, rows, {"author": author, "trigger": trigger, "settings": settings})
    return CheckRunReport(run_id, trigger, names, len(evaluated), len({r[0] for r in rows}),
                          {k: len(v) for k, v in sorted(per_check.items())}, settings)


def _checked_in_workers(ex, batches, names: list[str], settings: dict, context: dict, workers: int):
    """(sample id, rev, flags) of stored sample rows, `(columns, rows)` or Arrow batches, checked by the
    executor's workers (pure Python checks over a million samples take minutes in one process); in order."""
    for _, results in ex.map(_check_batch, batches, names, settings, context, workers=workers, ahead=2):
        yield from results


def _check_batch(batch, names: list[str], settings: dict, context: dict) -> list:
    """(sample id, rev, flags) of one batch of sample rows, `(columns, rows)` or an Arrow record batch (in a
    worker)."""
    checks = build_checks(names, settings)
    if isinstance(batch, tuple):
        cols, rows = batch
        samples = (sample_from_row(cols, r) for r in rows)
    else:
        samples = (decode_sample(r) for r in batch.to_pylist())
    return [(s["id"], s["rev"], check_sample(s, checks, context)) for s in samples]


def run_checks(store: Store, f: SampleFilter | None = None, names: Iterable[str] | None = None,
               settings: dict | None = None, author: str | None = None) -> CheckRunReport:
    """Run checks on demand over the samples matching a filter; old flags of those checks are replaced. On a
    distributed engine (ray) the samples go to its workers in batches."""
    checks = build_checks(names, settings)
    if executors.current(workers=1).distributed:
        return _run(store, None, checks, "on demand", author, f=f or SampleFilter())
    return _run(store, store.samples.iter(f), checks, "on demand", author)


# What a check reads of a sample (the columns the import's checks get, `store.samples.iter_ingest_rows`)
CHECKED_COLUMNS = ("id", "messages", "tools", "task_l1", "task_l2", "rev")
_PARALLEL_MIN = 20_000  # imported samples from which the import's checks run in worker processes


def flag_ingest(store: Store, report, workers: int = 2) -> None:
    """Run every check on the samples one import added (the ingest hook), in up to `workers` processes for a big
    import; a notice says what was flagged."""
    if not report.imported:
        return
    workers = workers if report.imported >= _PARALLEL_MIN else 0  # (a distributed engine always distributes)
    result = _run(store, None, build_checks(), "import", None, ingest_id=report.ingest_id, workers=workers)
    if result.flagged_samples:
        detail = ", ".join(f"{k} {v}" for k, v in result.flags.items())
        report.notices.append({"file": None, "message": f"{result.flagged_samples} samples pre-flagged for review "
                                                        f"({detail}); see the Review page, queue 'flagged'"})


def finish_pending_checks(store: Store, workers: int = 0) -> list[int]:
    """Run the post-import checks of the imports whose checks did not finish (the importer crashed or was killed
    during them); returns those imports' ids. Cheap when nothing is pending: one read of the store's meta."""
    if store.read_only:
        return []
    pending = store.ingests.checks_pending()
    if not pending:
        return []
    imported = {i["id"]: i["imported"] for i in store.ingests.list()}
    for ingest_id in pending:
        if imported.get(ingest_id):
            _run(store, None, build_checks(), "import", None, ingest_id=ingest_id,
                 workers=workers if imported[ingest_id] >= _PARALLEL_MIN else 0)
        store.ingests.set_checks_pending([i for i in store.ingests.checks_pending() if i != ingest_id])
    return pending


def recheck_sample(store: Store, sample_id: str, author: str | None = None) -> list[dict]:
    """Re-run every check on one sample (after an edit) and return its current flags."""
    _run(store, [store.samples.get(sample_id)], build_checks(), "edit", author)
    return store.flags.list(sample_id)
