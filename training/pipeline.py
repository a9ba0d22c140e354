"""One click, the whole chain: export the curated selection -> audit -> train -> evaluate base and tuned -> compare.

The export runs in the caller's process, because the store (one DuckDB file) belongs to the app or the CLI and
a second process could not open it. Everything after it runs in a background process of its own session
(`python -m training.pipeline PIPELINE_DIR`), like training runs, so the app stays responsive and closing the
browser stops nothing. Progress lives in PIPELINE_DIR/status.json: every stage with its state, message and
fraction; a failure names the stage where it happened and why.

    PIPELINE_DIR/config.json      what was asked for (base model, overrides, eval settings, stages)
    PIPELINE_DIR/status.json      state, current stage, per-stage progress, run_dir, error
    PIPELINE_DIR/export/          the export (train.jsonl, eval.jsonl, manifest.json)
    PIPELINE_DIR/comparison.json  the final comparison table
    PIPELINE_DIR/log.txt          the background process's output
"""
from __future__ import annotations

import dataclasses
import os
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from curation.errors import UserError

from . import background
from .evaluate import EvalSettings
from .rundir import ACTIVE, read_json, wait_until_done, write_json

STAGES = ("export", "audit", "train", "evaluate", "compare")
POLL_S = 2.0  # how often the pipeline reads the training run's status
EXPORT_TIMEOUT_S = 1800  # an export (in the caller's process) silent for this long is taken as dead


@dataclass
class PipelineSettings:
    """What one click runs."""

    base_model: str = "tiny"  # offline preset by default, so the chain works without a download
    overrides: dict = field(default_factory=dict)  # training settings (see training/config.py)
    eval_fraction: float = 0.1  # share of each task_type held out for the before/after comparison
    seed: int = 42  # fixes the split (and is the training seed unless overridden)
    eval: EvalSettings = field(default_factory=EvalSettings)
    benchmarks: list = field(default_factory=list)  # [{"path": ..., "metric": ...}] scored besides the eval split
    include_eval_split: bool = True  # False when only benchmark files are (re)scored


def settings_from_dict(d: dict) -> PipelineSettings:
    """Rebuild PipelineSettings (with its nested eval settings) from config.json."""
    ev = dict(d.get("eval") or {})
    # every nested settings dataclass (decontam, bootstrap, degeneracy, ...) comes back from its dict, so a new
    # one added to EvalSettings cannot reach the evaluation as a plain dict
    defaults = EvalSettings()
    for f in dataclasses.fields(EvalSettings):
        nested = getattr(defaults, f.name)
        if dataclasses.is_dataclass(nested) and isinstance(ev.get(f.name), dict):
            ev[f.name] = type(nested)(**ev[f.name])
    return PipelineSettings(**{**d, "eval": EvalSettings(**ev)})


class SettingsError(UserError):
    """The settings cannot work (a missing or unreadable file, an unknown metric); nothing was started."""


# ---------------------------------------------------------------- starting (caller's process)
def check_settings(s: PipelineSettings) -> None:
    """Raise SettingsError for settings that would fail later in the background: unknown metrics, and a
    general-ability set or benchmark file that is missing, not JSON, or without one usable item."""
    from .eval_sets import load_file_suite
    from .metrics import check_metrics

    named = [s.eval.general_metric] + [b.get("metric") for b in s.benchmarks]
    for value in s.eval.metrics.values():
        named += [value] if isinstance(value, str) else list(value)
    try:
        check_metrics(named)
        if s.eval.general_file:
            load_file_suite(s.eval.general_file, "general", s.eval.general_metric, name="general")
        for b in s.benchmarks:
            load_file_suite(b["path"], "benchmark", b.get("metric"))
    except UserError as e:
        raise SettingsError(str(e)) from None


def resolve_workspace_file(workspace, text: str) -> Path:
    """A user-typed file path (relative to the workspace, or absolute) that must lie inside the workspace."""
    root = Path(workspace).resolve()
    path = (root / Path(text.strip()).expanduser()).resolve()
    if path != root and root not in path.parents:
        raise SettingsError(f"{text.strip()!r} is outside the workspace {root}; put the file inside it, or "
                            f"upload it")
    if not path.is_file():
        raise SettingsError(f"{path} does not exist or is not a file" if not path.exists() else
                            f"{path} is a folder; name a JSONL or JSON file")
    return path


def selection_task_types(store, filter_=None) -> list[str]:
    """The task_types of the selection one click would export (default: the curated one), sorted."""
    from curation.store import UNTYPED, curated_filter, task_type_label

    rows = store.samples.counts_by("task_type", filter_ or curated_filter())
    return sorted({task_type_label(l1, l2) or UNTYPED for l1, l2, _ in rows})


def start_pipeline(store, workspace, filter_=None, settings: PipelineSettings | None = None) -> Path:
    """Export the selection (default: the curated one) here, then run the rest in the background.

    Returns the pipeline folder. Unusable settings raise SettingsError before anything starts; an export
    problem (e.g. an empty selection) is recorded as a failure of the export stage and raised as the
    UserError it is.
    """
    from curation.export import ExportSettings, export_selection
    from curation.store import curated_filter

    s = settings or PipelineSettings()
    return start_with_export(workspace, s, lambda out: export_selection(
        store, out, filter_ or curated_filter(), ExportSettings(eval_fraction=s.eval_fraction, seed=s.seed)))


def start_with_export(workspace, s: PipelineSettings, write_export, message: str = "exporting the curated selection",
                      after=None, label: str | None = None) -> Path:
    """The one-click chain with its export written by `write_export(out_dir) -> manifest` (here, in the
    caller's process); the rest runs in the background. `after`: a pipeline folder this one waits for before
    it trains, so two chains (an A/B) share the CPU one after the other instead of halving it."""
    check_settings(s)
    ws = Path(workspace)
    pdir = _new_dir(ws / "pipelines")
    _write_config(pdir, s, stages=STAGES, runs_dir=ws / "runs",
                  extra={"after": str(Path(after).resolve()) if after else None, "label": label})
    status = _initial_status(pdir, STAGES)
    _stage(pdir, status, "export", "running", message)
    try:
        manifest = write_export(pdir / "export")
    except UserError as e:
        _fail(pdir, status, "export", str(e))
        raise
    total = manifest["total"]
    _stage(pdir, status, "export", "done", f"{total['train']} train and {total['eval']} eval samples, "
                                           f"content hash {manifest['content_hash'][:12]}", 1.0)
    status["export_dir"] = str(pdir / "export")
    write_json(pdir / "status.json", status)
    _spawn(pdir)
    return pdir


def start_evaluation(run_dir, workspace, eval_settings: EvalSettings | None = None, benchmarks=(),
                     include_eval_split: bool = True) -> Path:
    """Evaluate (and compare) an existing run in the background; returns the pipeline folder.

    `benchmarks` are Benchmark(path, metric) files scored as their own sets.
    """
    from .evaluate import build_suites

    s = PipelineSettings(eval=eval_settings or EvalSettings(), include_eval_split=include_eval_split,
                         benchmarks=[dataclasses.asdict(b) for b in benchmarks])
    check_settings(s)
    config = read_json(Path(run_dir).expanduser() / "config.json")
    if not config:
        raise UserError(f"{run_dir} is not a run folder (no config.json)")
    build_suites(config, s.eval, list(benchmarks), include_eval_split)  # bad files fail here, not in the background
    pdir = _new_dir(Path(workspace) / "pipelines")
    _write_config(pdir, s, stages=("evaluate", "compare"), runs_dir=Path(run_dir).parent)
    status = _initial_status(pdir, STAGES)
    for name in ("export", "audit", "train"):
        status["stages"][_index(name)]["state"] = "skipped"
    status["run_dir"] = str(Path(run_dir).expanduser().resolve())
    write_json(pdir / "status.json", status)
    _spawn(pdir)
    return pdir


def _new_dir(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for k in range(1000):
        d = root / (stamp + (f"-{k}" if k else ""))
        try:
            d.mkdir()
            return d
        except FileExistsError:
            continue
    raise UserError(f"could not create a pipeline folder in {root}")


def _write_config(pdir: Path, s: PipelineSettings, stages, runs_dir: Path, extra: dict | None = None) -> None:
    write_json(pdir / "config.json", {"settings": dataclasses.asdict(s), "stages": list(stages),
                                      "runs_dir": str(Path(runs_dir).resolve()), "created_at": time.time(),
                                      **(extra or {})})


def _initial_status(pdir: Path, stages) -> dict:
    status = {"state": "queued", "stage": None, "failed_stage": None, "error": None, "run_dir": None,
              "export_dir": None, "created_at": time.time(),
              "stages": [{"name": n, "state": "pending", "message": "", "fraction": None, "started_at": None,
                          "finished_at": None} for n in stages]}
    write_json(pdir / "status.json", status)
    return status


def _spawn(pdir: Path) -> None:
    background.spawn(pdir, [sys.executable, "-m", "training.pipeline", str(pdir.resolve())], pdir / "log.txt",
                     pdir / "pid")


# ---------------------------------------------------------------- watching and cancelling
def pipeline_status(pdir) -> dict:
    """status.json, with a dead background process shown as a failure of the stage it was in."""
    pdir = Path(pdir)
    status = read_json(pdir / "status.json")
    if status is None:
        raise UserError(f"{pdir} is not a pipeline folder (no status.json)")
    if status["state"] in ACTIVE and not _alive(pdir):
        stage = status.get("stage") or "start"
        cancelled = (pdir / "cancel").exists()
        status.update(state="cancelled" if cancelled else "failed", failed_stage=None if cancelled else stage,
                      error="cancelled by the user" if cancelled else
                      f"the pipeline process stopped during {stage} (killed or crashed; see log.txt)")
    status["pipeline_dir"] = str(pdir)
    return status


def list_pipelines(workspace) -> list[dict]:
    """Pipelines under the workspace, newest first."""
    root = Path(workspace) / "pipelines"
    if not root.is_dir():
        return []
    out = [pipeline_status(d) for d in sorted(root.iterdir(), reverse=True) if (d / "status.json").exists()]
    return out


def cancel_pipeline(pdir) -> dict:
    """Stop the pipeline and the training run it started."""
    pdir = Path(pdir)
    (pdir / "cancel").write_text(str(time.time()))
    status = read_json(pdir / "status.json") or {}
    if status.get("run_dir") and status.get("stage") == "train":
        from . import jobs

        try:
            jobs.cancel(status["run_dir"])
        except UserError:
            pass
    pid = _pid(pdir)
    if pid and _alive(pdir):
        background.stop(pid)
    return pipeline_status(pdir)


def wait_pipeline(pdir, timeout: float | None = None, poll: float = 1.0) -> dict:
    """Block until the pipeline ends (or `timeout` seconds pass); returns its status."""
    return wait_until_done(pipeline_status, pdir, timeout, poll)


def _pid(pdir: Path) -> int | None:
    return background.pid_of(pdir / "pid")


def _alive(pdir: Path) -> bool:
    pid = _pid(pdir)
    if pid is None:  # still exporting in the caller's process; an export older than this has died with it
        status = read_json(pdir / "status.json") or {}
        return time.time() - status.get("updated_at", status.get("created_at", 0)) < EXPORT_TIMEOUT_S
    return background.alive(pdir, pid)


# ---------------------------------------------------------------- the background process
class Cancelled(Exception):
    """The user cancelled the pipeline."""


def run(pdir: Path) -> int:
    """Run the remaining stages of a pipeline folder; returns the exit code."""
    config = read_json(pdir / "config.json")
    status = read_json(pdir / "status.json")
    s = settings_from_dict(config["settings"])

    def on_term(signum, frame):
        raise Cancelled()

    signal.signal(signal.SIGTERM, on_term)
    status.update(state="running", pid=os.getpid())
    write_json(pdir / "status.json", status)
    stage = None
    try:
        for stage in [n for n in config["stages"] if n != "export"]:
            _check_cancel(pdir)
            _stage(pdir, status, stage, "running", "starting")
            message = STAGE_FUNCTIONS[stage](pdir, status, s, config)
            _stage(pdir, status, stage, "done", message, 1.0)
        status.update(state="succeeded", stage=None)
        write_json(pdir / "status.json", status)
        return 0
    except Cancelled:
        if stage == "train" and status.get("run_dir"):  # the run is its own process: stop it too
            from . import jobs

            jobs.cancel(status["run_dir"])
        status.update(state="cancelled", error="cancelled by the user")
        write_json(pdir / "status.json", status)
        return 0
    except UserError as e:
        _fail(pdir, status, stage, str(e))
        return 1
    except Exception as e:  # a bug or an environment problem: the trace goes to log.txt, one line to the UI
        traceback.print_exc()
        first = (str(e).strip().splitlines() or [""])[0][:300]
        _fail(pdir, status, stage, f"{type(e).__name__}: {first} (see log.txt)")
        return 1


def _wait_for(pdir: Path, status: dict, config: dict) -> None:
    """Hold this chain until the pipeline it was started after has finished; fail if that one did not succeed."""
    other = Path(config["after"])
    while (st := pipeline_status(other))["state"] in ACTIVE:
        _check_cancel(pdir)
        _stage(pdir, status, "audit", "running", f"waiting for pipeline {other.name} to finish ({st.get('stage')})")
        time.sleep(POLL_S)
    if st["state"] != "succeeded":
        raise UserError(f"pipeline {other.name}, which this one runs after, {st['state']}: {st.get('error')}")


def _audit(pdir: Path, status: dict, s: PipelineSettings, config: dict) -> str:
    from .jobs import prepare

    if config.get("after"):
        _wait_for(pdir, status, config)

    _, report = prepare(status["export_dir"], s.base_model, s.overrides)
    write_json(pdir / "audit.json", report.to_dict())
    if not report.ok:
        raise UserError(report.summary())
    share = report.tokens["trained_share"]
    warn = f"; {len(report.warnings)} warnings" if report.warnings else ""
    plan = f"; plan: {report.plan['text']}" if report.plan else ""
    return f"{report.counts['train']} samples, {share:.0%} of tokens trained{warn}{plan}"


def _train(pdir: Path, status: dict, s: PipelineSettings, config: dict) -> str:
    from . import jobs

    run_dir = jobs.launch(status["export_dir"], s.base_model, config["runs_dir"], s.overrides)
    status["run_dir"] = str(run_dir)
    write_json(pdir / "status.json", status)
    while True:
        if (pdir / "cancel").exists():
            jobs.cancel(run_dir)
            raise Cancelled()
        st = jobs.status(run_dir)
        latest = st.get("latest") or {}
        if latest:
            total = latest.get("total") or 1
            _stage(pdir, status, "train", "running",
                   f"step {latest['step']}/{total}, loss {latest.get('loss')}", latest["step"] / total)
        if st["state"] == "succeeded":
            return f"{st.get('total_steps')} steps; adapter in {Path(run_dir).name}"
        if st["state"] in ("failed", "cancelled"):
            raise UserError(f"training {st['state']}: {st.get('reason')}")
        time.sleep(POLL_S)


def _evaluate(pdir: Path, status: dict, s: PipelineSettings, config: dict) -> str:
    from .evaluate import evaluate_run

    def progress(message, fraction=None):
        _check_cancel(pdir)
        _stage(pdir, status, "evaluate", "running", message, fraction)

    from .evaluate import Benchmark

    benchmarks = [Benchmark(**b) for b in s.benchmarks]
    result = evaluate_run(status["run_dir"], s.eval, benchmarks, s.include_eval_split, progress=progress)
    return "; ".join(f"{r['suite']}: {r['counts']['scored']} items scored, {r['counts']['contaminated']} "
                     f"contaminated (excluded: {r['counts']['excluded']})" for r in result["suites"])


def _compare(pdir: Path, status: dict, s: PipelineSettings, config: dict) -> str:
    from .compare import compare_runs

    comparison = compare_runs([status["run_dir"]])
    write_json(pdir / "comparison.json", comparison)
    overall = [r for r in comparison["rows"] if r["task_type"] == "(overall)" and r["suite"] == "eval"]
    parts = [f"{r['metric']}: {r['runs'][0]['verdict']}" for r in overall if r["runs"][0]]
    return "; ".join(parts) or "comparison written"


STAGE_FUNCTIONS = {"audit": _audit, "train": _train, "evaluate": _evaluate, "compare": _compare}


def _index(name: str) -> int:
    return STAGES.index(name)


def _stage(pdir: Path, status: dict, name: str, state: str, message: str = "", fraction: float | None = None) -> None:
    entry = status["stages"][_index(name)]
    now = time.time()
    if state == "running" and entry["started_at"] is None:
        entry["started_at"], entry["cpu_at_start"] = now, time.process_time()
    if state in ("done", "failed"):
        entry["finished_at"] = now
        # CPU seconds this process spent in the stage (the evaluation runs here; training in its own process,
        # whose CPU time its run.json records)
        entry["process_cpu_s"] = round(time.process_time() - entry.pop("cpu_at_start", time.process_time()), 1)
    entry.update(state=state, message=message, fraction=fraction)
    status["stage"] = name
    if status["state"] == "queued":
        status["state"] = "running"
    status["updated_at"] = now
    write_json(pdir / "status.json", status)


def _fail(pdir: Path, status: dict, stage: str | None, error: str) -> None:
    if stage:
        _stage(pdir, status, stage, "failed", error)
    status.update(state="failed", failed_stage=stage, error=error)
    write_json(pdir / "status.json", status)
    print(f"failed at {stage}: {error}", flush=True)


def _check_cancel(pdir: Path) -> None:
    if (pdir / "cancel").exists():
        raise Cancelled()


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m training.pipeline PIPELINE_DIR", file=sys.stderr)
        return 2
    return run(Path(argv[0]))


if __name__ == "__main__":
    sys.exit(main())
