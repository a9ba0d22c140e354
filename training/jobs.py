"""Launching, watching and cancelling training runs (the app's and the CLI's side; no torch here).

A run is a separate OS process in its own session, so the Streamlit app stays responsive and closing the browser
(or the app) does not stop it. Everything the app shows is read from the run folder.
"""
from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from curation.errors import UserError

from . import background
from .config import TrainSettings, apply_overrides, default_settings
from .rundir import ACTIVE, RunFolder, read_json, read_jsonl, wait_until_done, write_json


class AuditRefused(UserError):
    """The launch audit found a fatal problem; `report` holds the full audit."""

    def __init__(self, report):
        super().__init__(report.summary())
        self.report = report


def prepare(export_dir, base_model: str, overrides=None):
    """Settings, export, tokenizer and audit for a launch, without starting anything.

    Returns (settings, audit_report). Bad settings, a bad export or an unloadable model raise UserError.
    """
    from .audits import run_audit
    from .exports import general_mix, load_export
    from .models import load_tokenizer

    settings = apply_overrides(default_settings(base_model), overrides)
    export = load_export(export_dir)
    tok = load_tokenizer(base_model)
    general = general_mix(len(export.train), settings.general_data_file, settings.general_data_share,
                          settings.seed)
    report, train, _ = run_audit(export, tok, settings, general, base_model)
    if train:
        report.plan = _plan(settings, train, base_model)
    return settings, report


def _plan(settings: TrainSettings, train, base_model: str) -> dict:
    """The planned steps and estimated duration, as the runner will size them (training/plan.py)."""
    from .config import resolve
    from .models import pick_device
    from .plan import describe, epoch_steps, size_run

    s = resolve(settings, len(train))
    device = pick_device(s.device, s.precision)[0]
    plan = size_run(s, *epoch_steps([len(e) for e in train], s), base_model, device)
    return {**plan, "device": device, "threads": s.threads, "text": describe(plan)}


def launch(export_dir, base_model: str, out_dir, overrides=None) -> Path:
    """Audit, then start a background training process; returns the new run folder.

    Raises AuditRefused (a UserError) when the audit finds a fatal problem, before any compute is spent.
    """
    run_dir = create_run(export_dir, base_model, out_dir, overrides)
    _spawn(RunFolder(run_dir), TrainSettings(**read_json(RunFolder(run_dir).config)["settings"]))
    return run_dir


def create_run(export_dir, base_model: str, out_dir, overrides=None) -> Path:
    """Audit and write a queued run folder (config.json, audit.json, status.json) without starting it.

    `python -m training.runner RUN_DIR` (or `training.runner.run`) then trains it.
    """
    settings, report = prepare(export_dir, base_model, overrides)
    if not report.ok:
        raise AuditRefused(report)
    rf = RunFolder(_new_run_dir(Path(out_dir).expanduser(), base_model))
    write_json(rf.config, {"export_dir": str(Path(export_dir).expanduser().resolve()), "base_model": base_model,
                           "settings": dataclasses.asdict(settings), "overrides": _jsonable(overrides),
                           "export_content_hash": report.export["content_hash"], "created_at": time.time()})
    write_json(rf.audit, report.to_dict())
    rf.write_status("queued", reason=None, step=0, total_steps=None)
    return rf.path


def resume(run_dir, allow_export_change: bool = False) -> Path:
    """Start the process again for a run that stopped (crash, kill, cancel); it continues from its newest
    checkpoint.

    A resume whose export changed since the launch (re-exported, so another content hash) is refused: the
    remaining steps would silently train on different data. `allow_export_change` accepts the new export; the
    change (both hashes) is recorded in config.json and run.json.
    """
    rf = _existing(run_dir)
    st = status(rf.path)
    if st["state"] in ACTIVE and st.get("alive"):
        raise UserError(f"run {rf.path.name} is still {st['state']}; nothing to resume")
    if st["state"] == "succeeded":
        raise UserError(f"run {rf.path.name} already finished")
    config = read_json(rf.config)
    _accept_export(rf, config, allow_export_change)
    rf.cancel_file.unlink(missing_ok=True)
    rf.write_status("queued", reason=None)
    _spawn(rf, TrainSettings(**config["settings"]))
    return rf.path


def export_change(config: dict, current_hash: str) -> str | None:
    """Why the run's export is not the one it trains on (None when it is): its content hash differs from the
    launch's and from any change accepted on an earlier resume."""
    launched = config.get("export_content_hash")
    accepted = config.get("accepted_export_hash") or launched
    if not launched or current_hash == accepted:
        return None
    return (f"the export {config.get('export_dir')} changed since this run used it (content hash "
            f"{accepted[:12]} -> {current_hash[:12]}); resuming would train the remaining steps on different data")


def _accept_export(rf: RunFolder, config: dict, allow: bool) -> None:
    from .exports import load_export

    current = load_export(config["export_dir"]).content_hash
    problem = export_change(config, current)
    if problem is None:
        return
    if not allow:
        raise UserError(f"{problem}. Launch a new run on the new export, or resume with --allow-export-change "
                        f"(Train page: \"Resume even if the export changed\") to accept it")
    config.setdefault("export_changes", []).append(
        {"from": config.get("accepted_export_hash") or config["export_content_hash"], "to": current,
         "at": time.time()})
    config["accepted_export_hash"] = current
    write_json(rf.config, config)


def cancel(run_dir, force: bool = False) -> dict:
    """Ask the run to stop (cancel file + SIGTERM to its process group); `force` kills it at once."""
    rf = _existing(run_dir)
    rf.cancel_file.write_text(str(time.time()))
    pid = _pid(rf)
    if pid and _alive(pid, rf):
        background.stop(pid, force)
    if force or not (pid and _alive(pid, rf)):
        if rf.read_status().get("state") in ACTIVE:
            rf.write_status("cancelled", reason="cancelled by the user")
    return status(rf.path)


def wait(run_dir, timeout: float | None = None, poll: float = 1.0) -> dict:
    """Block until the run leaves queued/running (or `timeout` seconds pass); returns its status."""
    return wait_until_done(status, run_dir, timeout, poll)


def status(run_dir) -> dict:
    """State, reason, progress and latest metrics of a run; a dead process shows as failed (resumable)."""
    rf = _existing(run_dir)
    st = rf.read_status() or {"state": "queued"}
    pid = _pid(rf)
    alive = bool(pid) and _alive(pid, rf)
    st["alive"] = alive
    if st.get("state") in ACTIVE and pid and not alive and rf.cancel_file.exists():
        st["state"], st["reason"], st["resumable"] = "cancelled", "cancelled by the user", True
    elif st.get("state") in ACTIVE and pid and not alive:
        ckpt = rf.latest_checkpoint()
        where = f"step {read_json(ckpt / 'state.json')['step']}" if ckpt else "the start"
        st["state"] = "failed"
        st["reason"] = (f"the training process stopped without finishing (killed or crashed; see log.txt); "
                        f"resume continues from {where}")
        st["resumable"] = True
    elif st.get("state") in ("failed", "cancelled"):
        st["resumable"] = True
    trains = [m for m in read_jsonl(rf.metrics) if m.get("kind") == "train"]
    evals = [m for m in read_jsonl(rf.metrics) if m.get("kind") == "eval"]
    st["latest"] = trains[-1] if trains else None
    st["eval"] = evals
    st["run_dir"] = str(rf.path)
    st["checkpoints"] = sorted(p.name for p in rf.checkpoints.glob("step-*")) if rf.checkpoints.is_dir() else []
    return st


def metrics(run_dir) -> list[dict]:
    """Every metrics line (train steps and evaluations)."""
    return read_jsonl(_existing(run_dir).metrics)


def generations(run_dir) -> list[dict]:
    """Checkpoint generations: {step, sample_id, task_type, prompt, reference, output}."""
    return read_jsonl(_existing(run_dir).generations)


def log_tail(run_dir, max_chars: int = 20_000) -> str:
    """The end of the run's log."""
    path = _existing(run_dir).log
    if not path.exists():
        return ""
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(max(0, size - max_chars))
        return f.read().decode("utf-8", errors="replace")


def list_runs(runs_dir) -> list[dict]:
    """Runs under a folder, newest first: {run_dir, name, state, base_model, created_at}."""
    root = Path(runs_dir).expanduser()
    if not root.is_dir():
        return []
    out = []
    for d in root.iterdir():
        cfg = read_json(d / "config.json") if d.is_dir() else None
        if cfg:
            out.append({"run_dir": str(d), "name": d.name, "state": status(d)["state"],
                        "base_model": cfg.get("base_model"), "created_at": cfg.get("created_at")})
    return sorted(out, key=lambda r: r["created_at"] or 0, reverse=True)


# ------------------------------------------------------------ process handling

def runner_command(run_dir: Path, settings: TrainSettings) -> list[str]:
    """`python -m training.runner RUN_DIR`, or torchrun over the GPUs when more than one is used."""
    gpus = _gpu_count() if settings.device != "cpu" else 0
    n = min(gpus, settings.num_gpus) if settings.num_gpus else gpus
    if n > 1:
        return [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={n}",
                "-m", "training.runner", str(run_dir)]
    return [sys.executable, "-m", "training.runner", str(run_dir)]


def _gpu_count() -> int:
    """Visible CUDA devices, counted without importing torch (nvidia-smi), honouring CUDA_VISIBLE_DEVICES."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        return len([v for v in visible.split(",") if v.strip() and v.strip() != "-1"])
    try:
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10)
        return sum(1 for line in out.stdout.splitlines() if line.startswith("GPU "))
    except (OSError, subprocess.SubprocessError):
        return 0


def _spawn(rf: RunFolder, settings: TrainSettings) -> None:
    background.spawn(rf.path, runner_command(rf.path.resolve(), settings), rf.log, rf.pid_file)


def _pid(rf: RunFolder) -> int | None:
    return background.pid_of(rf.pid_file)


def _alive(pid: int, rf: RunFolder) -> bool:
    return background.alive(rf.path, pid)


def _existing(run_dir) -> RunFolder:
    rf = RunFolder(Path(run_dir).expanduser())
    if not rf.config.exists():
        raise UserError(f"{rf.path} is not a run folder (no config.json)")
    return rf


def _new_run_dir(out_dir: Path, base_model: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9.-]+", "-", Path(base_model).name or base_model).strip("-")[:40] or "model"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out_dir.mkdir(parents=True, exist_ok=True)
    for k in range(1000):
        d = out_dir / (f"{stamp}-{slug}" + (f"-{k}" if k else ""))
        try:
            d.mkdir()
            return d
        except FileExistsError:
            continue
    raise UserError(f"could not create a run folder in {out_dir}")


def _jsonable(overrides):
    if overrides is None:
        return None
    return dict(overrides) if isinstance(overrides, dict) else list(overrides)
