"""Durable jobs: every long operation (import and its checks, dedup, embedding, robustness detection, export,
generation, judging, training, evaluation) is a row of the store's jobs table that outlives the page, the browser and the process.

Two ways a job runs:
- in the process that holds the store (the app, or `curation jobs resume` on the command line), on a thread of
  its own, so a page's script run, a reload or a closed browser never stops it. DuckDB admits one writing
  process, so the heavy steps keep their own worker processes (`curation.workers`), which hand their results back
  to this process; it writes them chunk by chunk, each chunk with the job's checkpoint in one transaction;
- detached, in a process of its own (training and evaluation, `training/background.py`), which writes its run
  folder, never the store; the job row follows the folder.

`reattach` (run when the app opens the store) settles what a dead process left: a running job of a process that
is gone (the single-writer lock means any other process that ran an in-process job no longer holds the store) is
marked `failed` with a reason, and `resume` continues it from its last committed chunk.
"""
from __future__ import annotations

import dataclasses
import importlib
import os
import tempfile
import contextvars
import threading
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

from .chunks import Cancelled
from .errors import UserError
from .store.jobs import STATES  # noqa: F401  (the states a job row can be in)

# kind -> "module:class" of its JobKind, imported on first use (training's kinds pull in nothing heavy, but live
# in the training package, which curation never imports at start)
KINDS = {
    "import": "curation.job_kinds:ImportJob",
    "dedup": "curation.job_kinds:DedupJob",
    "embedding": "curation.job_kinds:EmbeddingJob",
    "robustness": "curation.job_kinds:RobustnessJob",
    "export": "curation.job_kinds:ExportJob",
    "generation": "curation.job_kinds:GenerationJob",
    "judging": "curation.job_kinds:JudgingJob",
    "log-import": "curation.job_kinds:LogImportJob",
    "training": "training.job_kinds:TrainingJob",
    "evaluation": "training.job_kinds:EvaluationJob",
}
HEARTBEAT_S = 1.0  # progress is written at most this often (each committed chunk is written at once)
_threads: dict[tuple[str, int], threading.Thread] = {}  # (store path, job id) -> the thread running it here
_lock = threading.Lock()


class JobKind:
    """One kind of job. In-process kinds implement `run(ctx) -> result`; detached ones (`detached = True`)
    implement `launch`, `poll`, `cancel` and `resume` over the folder their process writes."""

    name = ""
    detached = False

    def check(self, store, settings: dict) -> dict:
        """Validate (and complete) the settings before the job is recorded; UserError when they are bad."""
        return settings

    def run(self, ctx: "JobContext") -> dict:
        raise NotImplementedError


def kind(name: str) -> JobKind:
    """The JobKind called `name`; UserError naming the kinds for an unknown one."""
    if name not in KINDS:
        raise UserError(f"unknown job kind {name!r}; choose one of {', '.join(KINDS)}")
    module, cls = KINDS[name].split(":")
    return getattr(importlib.import_module(module), cls)()


class JobContext:
    """What a running in-process job sees: its settings, its last checkpoint, progress, commits and its log.

    It is the `chunks` argument of the chunked library steps (curation/chunks.py): `commit` writes a chunk's
    results and the new checkpoint together; both raise Cancelled when someone asked the job to stop."""

    def __init__(self, store, job: dict, listener=None):
        self.store, self.job_id, self.settings = store, job["id"], job["settings"]
        self.listener = listener  # progress(done, total) of whoever waits on the job here (the CLI's bar)
        self.checkpoint = job["checkpoint"]
        self.author = job["author"]
        self.log_path = Path(job["log_path"])
        self._last = 0.0

    def progress(self, done: int, total: int | None, message: str | None = None) -> None:
        """Report progress (written at most every HEARTBEAT_S); raises Cancelled when a cancel was asked."""
        if self.listener is not None and total:
            self.listener(done, total)
        now = time.monotonic()
        if now - self._last >= HEARTBEAT_S or (total and done >= total):  # the last tick is always written
            self._last = now
            self.store.jobs.progress(self.job_id, done, total, message)
            self._check_cancel()

    def commit(self, checkpoint, done: int, total: int | None, apply=None, message: str | None = None,
               returns: str = "result"):
        """Commit one chunk: `apply()`'s writes and `checkpoint` in one transaction (see store.jobs)."""
        self._check_cancel()
        out, self.checkpoint = self.store.jobs.commit_chunk(self.job_id, checkpoint, done, total, apply, message)
        self._last = time.monotonic()
        return self.checkpoint if returns == "checkpoint" else out

    def log(self, message: str) -> None:
        """Append a timestamped line to the job's log."""
        append_log(self.log_path, message)

    def _check_cancel(self) -> None:
        if self.store.jobs.cancel_requested(self.job_id):
            raise Cancelled()


# ------------------------------------------------------------------ starting, running, resuming
def start(store, kind_name: str, settings: dict, author: str, background: bool = True, on_progress=None) -> int:
    """Record a job and start it: on a thread of this process (`background`), in the foreground (the CLI, which
    may follow it with `on_progress(done, total)`), or as its own process for detached kinds. Returns the job id;
    bad settings raise UserError before anything runs."""
    k = kind(kind_name)
    settings = k.check(store, dict(settings))
    job_id = store.jobs.add(kind_name, settings, author, input_revision=store.revision())
    log = log_path(store, job_id)
    store.jobs.update(job_id, log_path=str(log))
    append_log(log, f"job {job_id} ({kind_name}) queued by {author}")
    if k.detached:
        _launch_detached(store, k, store.jobs.get(job_id))
    elif background:
        _start_thread(store, job_id)
    else:
        run(store, job_id, on_progress)
    return job_id


def find(store, kind_name: str, settings: dict, states: tuple[str, ...] = ("queued", "running")) -> dict | None:
    """The newest job of this kind, in one of `states`, started with these settings (as `check` records them)."""
    checked = kind(kind_name).check(store, dict(settings))
    return next((j for j in store.jobs.list(None, kind_name, 50)
                 if j["state"] in states and j["settings"] == checked), None)


def start_or_find(store, kind_name: str, settings: dict, author: str) -> int:
    """A page button's job: the queued or running job of this kind with the same settings (pressed twice, or on
    two tabs: the work runs once), else the newest failed or cancelled one, resumed from its checkpoint, else a
    new one. All run in the background; returns the job id."""
    job = find(store, kind_name, settings) or find(store, kind_name, settings, ("failed", "cancelled"))
    if job is None:
        return start(store, kind_name, settings, author)
    if job["state"] in ("failed", "cancelled"):
        resume(store, job["id"])
    return job["id"]


def run(store, job_id: int, on_progress=None) -> dict:
    """Run an in-process job to its end on this thread; returns the job row (done, failed or cancelled)."""
    job = store.jobs.get(job_id)
    k = kind(job["kind"])
    store.jobs.update(job_id, state="running", pid=os.getpid(), started_at=_now(), heartbeat=_now(),
                      attempt_done=job["done"] or 0, attempts=(job["attempts"] or 0) + 1, error=None)
    ctx = JobContext(store, store.jobs.get(job_id), on_progress)
    ctx.log(f"attempt {(job['attempts'] or 0) + 1} started in process {os.getpid()}"
            + (f", from checkpoint {_brief(job['checkpoint'])}" if job["checkpoint"] else ""))
    try:
        result = k.run(ctx)
    except Cancelled:
        ctx.log("cancelled by the user")
        store.jobs.update(job_id, state="cancelled", finished_at=_now(), error="cancelled by the user")
    except UserError as e:
        ctx.log(f"failed: {e}")
        # a page shows its own wording of the message (UserError.ui), the CLI the message
        store.jobs.update(job_id, state="failed", finished_at=_now(), error=str(e),
                          result={"error_ui": e.ui} if e.ui else None)
    except Exception as e:  # noqa: BLE001 (any crash of a step is the job's error, shown on the Jobs page)
        ctx.log("crashed:\n" + traceback.format_exc())
        store.jobs.update(job_id, state="failed", finished_at=_now(), error=f"{type(e).__name__}: {e}")
    else:
        ctx.log("done")
        total = store.jobs.get(job_id)["total"]
        store.jobs.update(job_id, state="done", finished_at=_now(), result=_jsonable(result), message="done",
                          **({"done": total} if total else {}))
    return store.jobs.get(job_id)


def resume(store, job_id: int, background: bool = True, on_progress=None, **options) -> dict:
    """Continue a failed or cancelled job from its last committed chunk. `options` go to detached kinds
    (training's `allow_export_change`)."""
    job = store.jobs.get(job_id)
    if job["state"] in ("queued", "running") and is_alive(store, job):
        raise UserError(f"job {job_id} is still {job['state']}; nothing to resume")
    if job["state"] == "done":
        raise UserError(f"job {job_id} already finished")
    k = kind(job["kind"])
    store.jobs.update(job_id, state="queued", cancel_requested=False, error=None, finished_at=None)
    append_log(Path(job["log_path"]), f"resume asked ({'background' if background else 'foreground'})")
    if k.detached:
        try:
            info = k.resume(store.jobs.get(job_id), **options) or {}
        except UserError as e:
            store.jobs.update(job_id, state=job["state"], error=str(e))
            raise
        store.jobs.update(job_id, settings={**job["settings"], **info}, state="running", started_at=_now(),
                          attempt_done=job["done"] or 0, attempts=(job["attempts"] or 0) + 1)
        _sync(store, store.jobs.get(job_id))
    elif background:
        _start_thread(store, job_id)
    else:
        run(store, job_id, on_progress)
    return store.jobs.get(job_id)


def cancel(store, job_id: int) -> dict:
    """Ask a job to stop: a running one stops at its next chunk (its committed chunks stay, so it can be
    resumed); one that is not running here is marked cancelled at once."""
    job = store.jobs.get(job_id)
    if job["state"] not in ("queued", "running"):
        raise UserError(f"job {job_id} is {job['state']}; only a queued or running job can be cancelled")
    store.jobs.update(job_id, cancel_requested=True)
    append_log(Path(job["log_path"]), "cancel asked")
    k = kind(job["kind"])
    if k.detached:
        k.cancel(job)
        _sync(store, store.jobs.get(job_id))
    elif not is_alive(store, job):
        store.jobs.update(job_id, state="cancelled", finished_at=_now(), error="cancelled by the user")
    return store.jobs.get(job_id)


def raise_if_failed(job: dict) -> dict:
    """The job when it is done; its own error as a UserError otherwise (the command line's message, as when the
    work ran outside a job), naming the resume when it has committed chunks to resume from."""
    if job["state"] == "done":
        return job
    hint = (f" (job {job['id']} keeps what it committed: `curation jobs resume {job['id']}`)"
            if job["checkpoint"] and job["state"] in ("failed", "cancelled") else "")
    ui = (job.get("result") or {}).get("error_ui")
    raise UserError(f"{job['error']}{hint}", ui=f"{ui}{hint}" if ui else None)


def wait(store, job_id: int, timeout: float | None = None, poll: float = 0.2) -> dict:
    """Block until the job leaves queued/running (or `timeout` passes); returns it."""
    end = None if timeout is None else time.monotonic() + timeout
    while True:
        job = show(store, job_id, log_chars=0)
        if job["state"] not in ("queued", "running") or (end is not None and time.monotonic() > end):
            return job
        time.sleep(poll)


# ------------------------------------------------------------------ watching
def reattach(store) -> list[dict]:
    """Settle the queued and running jobs when a process opens the store: a detached job follows its folder (its
    process may still run: it is re-attached); an in-process job not running in this process lost its worker
    and is marked failed with a reason (resumable). Returns the jobs it marked failed."""
    if store.read_only:
        return []
    failed = []
    for job in store.jobs.active():
        if job["kind"] not in KINDS:  # written by another version of the workbench: nothing here can run it
            store.jobs.update(job["id"], state="failed", finished_at=_now(),
                              error=f"unknown job kind {job['kind']!r}; this workbench runs {', '.join(KINDS)}")
            failed.append(store.jobs.get(job["id"]))
        elif kind(job["kind"]).detached:
            _sync(store, job)
        elif not is_alive(store, job):
            where = (f"after {job['done']:,} of {job['total']:,}" if job.get("total") else "before its first chunk"
                     if not job["checkpoint"] else f"after {job['done']:,}")
            reason = (f"the process that ran it (pid {job['pid']}) stopped {where} (killed or crashed); resume "
                      "continues from its last committed chunk" if job["pid"] else
                      "the process that queued it stopped before it started; resume starts it")
            store.jobs.update(job["id"], state="failed", finished_at=_now(), error=reason)
            append_log(Path(job["log_path"]) if job["log_path"] else log_path(store, job["id"]), f"failed: {reason}")
            failed.append(store.jobs.get(job["id"]))
    return failed


def list_jobs(store, state: str | None = None, kind_name: str | None = None, limit: int | None = 200) -> list[dict]:
    """Jobs, newest first, with `eta_s`, `alive` and `resumable`; detached jobs synced with their folders."""
    return [_decorate(store, _sync(store, j) if _detached(j) else j)
            for j in store.jobs.list(state, kind_name, limit)]


def show(store, job_id: int, log_chars: int = 20_000) -> dict:
    """One job with its log's end (`log`)."""
    job = store.jobs.get(job_id)
    job = _decorate(store, _sync(store, job) if _detached(job) else job)
    if log_chars:
        job["log"] = log_tail(job, log_chars)
    return job


def is_alive(store, job: dict) -> bool:
    """Whether the job's worker runs: its thread in this process, or its detached process."""
    if _detached(job):
        return bool(kind(job["kind"]).poll(job).get("alive"))
    t = _threads.get((str(store.path), job["id"]))
    return t is not None and t.is_alive() and job.get("pid") == os.getpid()


def eta_seconds(job: dict) -> float | None:
    """Seconds left at this attempt's rate (None until it has progressed)."""
    if job["state"] != "running" or not job.get("total") or not job.get("started_at"):
        return None
    made = (job["done"] or 0) - (job.get("attempt_done") or 0)
    elapsed = (_now() - job["started_at"]).total_seconds()
    if made <= 0 or elapsed <= 0:
        return None
    return max(0.0, (job["total"] - job["done"]) * elapsed / made)


def log_path(store, job_id: int) -> Path:
    """Where a job's log goes: `<store>.jobs/<id>.log` beside the store file (a temporary folder for an
    in-memory store)."""
    base = (Path(tempfile.gettempdir()) / f"curation-jobs-{os.getpid()}" if str(store.path) == ":memory:"
            else Path(str(store.path) + ".jobs"))
    base.mkdir(parents=True, exist_ok=True)
    return base / f"{job_id}.log"


def append_log(path: Path, message: str) -> None:
    """One timestamped line (or block) at the end of a job log."""
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"{stamp} {message}\n")


def log_tail(job: dict, max_chars: int = 20_000) -> str:
    """The end of a job's log (a detached job's is its run folder's log)."""
    paths = [Path(p) for p in (job.get("log_path"), (job.get("settings") or {}).get("log")) if p]
    out = []
    for p in paths:
        if p.exists():
            with open(p, "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - max_chars))
                out.append(f.read().decode("utf-8", errors="replace"))
    return "\n".join(out)


# ------------------------------------------------------------------ internals
def _start_thread(store, job_id: int) -> None:
    key = (str(store.path), job_id)
    with _lock:
        old = _threads.get(key)
        if old is not None and old.is_alive():
            raise UserError(f"job {job_id} is already running")
        # the starter's context: the engine its page chose (curation.executors.using) applies in the job too
        t = threading.Thread(target=contextvars.copy_context().run, args=(_thread_main, store, job_id),
                             name=f"job-{job_id}", daemon=True)
        _threads[key] = t
        store.jobs.update(job_id, pid=os.getpid())
        t.start()


def _thread_main(store, job_id: int) -> None:
    try:
        run(store, job_id)
    except Exception:  # noqa: BLE001 (the store went away, e.g. closed at exit: nothing left to record into)
        pass


def _launch_detached(store, k: JobKind, job: dict) -> None:
    try:
        info = k.launch(job)
    except UserError as e:
        store.jobs.update(job["id"], state="failed", finished_at=_now(), error=str(e))
        append_log(Path(job["log_path"]), f"failed to start: {e}")
        raise
    store.jobs.update(job["id"], settings={**job["settings"], **info}, state="running", started_at=_now(),
                      attempts=1, heartbeat=_now())
    _sync(store, store.jobs.get(job["id"]))


def _sync(store, job: dict) -> dict:
    """Bring a detached job's row up to date with its folder (state, progress, pid, result or error)."""
    if job["state"] not in ("queued", "running") and not job.get("cancel_requested"):
        return job
    if not (job.get("settings") or {}).get("folder"):
        return job
    seen = kind(job["kind"]).poll(job)
    fields = {k: seen[k] for k in ("state", "done", "total", "message", "pid", "error", "result") if k in seen}
    if fields.get("state") not in (None, "queued", "running") and job["state"] in ("queued", "running"):
        fields["finished_at"] = _now()
    fields["heartbeat"] = _now()
    if not store.read_only:
        store.jobs.update(job["id"], **fields)
        return store.jobs.get(job["id"])
    return {**job, **fields}


def _decorate(store, job: dict) -> dict:
    job = dict(job)
    job["eta_s"] = eta_seconds(job)
    job["alive"] = job["state"] in ("queued", "running") and is_alive(store, job)
    job["resumable"] = job["state"] in ("failed", "cancelled")
    return job


def _detached(job: dict) -> bool:
    return job["kind"] in KINDS and kind(job["kind"]).detached


def settings_from_dict(cls, values: dict):
    """A settings dataclass rebuilt from its recorded `dataclasses.asdict` form (nested settings included), so a
    resumed job runs with exactly the settings it was started with."""
    import typing

    hints = typing.get_type_hints(cls)
    kw = {}
    for f in dataclasses.fields(cls):
        if f.name not in values:
            continue
        v, t = values[f.name], hints.get(f.name)
        kw[f.name] = settings_from_dict(t, v) if dataclasses.is_dataclass(t) and isinstance(v, dict) else v
    return cls(**kw)


def _brief(checkpoint: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in checkpoint.items() if isinstance(v, (int, float, str)))[:200]


def _jsonable(result):
    if dataclasses.is_dataclass(result):
        result = dataclasses.asdict(result)
    return result


def _now():
    return datetime.now(timezone.utc).replace(tzinfo=None)
