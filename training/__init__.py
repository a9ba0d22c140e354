"""LoRA training backend: audit an export, launch a background run, watch it, cancel or resume it.

Importing this package is cheap (no torch); the heavy libraries load inside the functions that use them.

    run_dir = training.launch("exports/demo", "tiny", "runs", {"max_steps": 20})
    training.status(run_dir)["state"]      # queued | running | succeeded | failed | cancelled
    training.cancel(run_dir)
    report = training.audit("exports/demo", "tiny")   # AuditReport; report.ok, report.fatal, report.warnings
"""
from __future__ import annotations

from .config import TINY, TrainSettings, apply_overrides, default_settings, setting_reasons


def launch(export_dir, base_model: str, out_dir, overrides=None):
    """Audit the export and start a background LoRA run; returns the run folder (Path)."""
    from .jobs import launch as _launch

    return _launch(export_dir, base_model, out_dir, overrides)


def status(run_dir) -> dict:
    """State (queued/running/succeeded/failed/cancelled), reason, step/total and the latest metrics."""
    from .jobs import status as _status

    return _status(run_dir)


def cancel(run_dir, force: bool = False) -> dict:
    """Stop a run (it finishes the current step and records "cancelled")."""
    from .jobs import cancel as _cancel

    return _cancel(run_dir, force)


def resume(run_dir):
    """Restart a stopped run from its newest checkpoint."""
    from .jobs import resume as _resume

    return _resume(run_dir)


def audit(export_dir, base_model: str, settings=None):
    """The launch audit of an export for a base model, without launching; `settings` is a TrainSettings,
    a dict of overrides or a list of "key=value" strings."""
    from .jobs import prepare

    if isinstance(settings, TrainSettings):
        import dataclasses

        settings = dataclasses.asdict(settings)
    return prepare(export_dir, base_model, settings)[1]


__all__ = ["TINY", "TrainSettings", "apply_overrides", "audit", "cancel", "default_settings", "launch", "resume",
           "setting_reasons", "status"]
