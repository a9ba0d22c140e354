"""Training and evaluation as durable jobs (curation/jobs.py): detached kinds whose process writes a folder.

A training job is the run folder of `training.jobs` (its own process, in its own session: it outlives the app
and is re-attached when the app starts again); resume continues from the run's newest checkpoint. An evaluation
job is an evaluation pipeline (`training.pipeline.start_evaluation`); evaluation keeps no checkpoints, so a resume
starts the evaluation of the same run again in a new pipeline folder. Nothing here imports torch.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from curation.errors import UserError
from curation.jobs import JobKind

_STATES = {"queued": "running", "running": "running", "succeeded": "done", "failed": "failed",
           "cancelled": "cancelled"}


class TrainingJob(JobKind):
    """settings: export_dir, base_model, out_dir (where run folders go), overrides; then folder (the run)."""

    name = "training"
    detached = True

    def check(self, store, settings: dict) -> dict:
        for key in ("export_dir", "base_model", "out_dir"):
            if not settings.get(key):
                raise UserError(f"a training job needs {key}")
        return {k: settings.get(k) for k in ("export_dir", "base_model", "out_dir", "overrides", "folder")}

    def launch(self, job: dict) -> dict:
        from . import jobs

        s = job["settings"]
        if s.get("folder"):  # a run the Train page already started: the job follows it
            run_dir = Path(s["folder"])
        else:
            run_dir = jobs.launch(s["export_dir"], s["base_model"], s["out_dir"], s.get("overrides"))
        return {"folder": str(run_dir), "log": str(run_dir / "log.txt")}

    def poll(self, job: dict) -> dict:
        from . import background, jobs

        folder = Path(job["settings"]["folder"])
        st = jobs.status(folder)
        step, total = st.get("step") or 0, st.get("total_steps")
        out = {"state": _STATES.get(st["state"], "failed"), "done": step, "total": total, "alive": st["alive"],
               "pid": background.pid_of(folder / "pid"),
               "message": f"step {step:,} of {total:,}" if total else st["state"]}
        if out["state"] in ("failed", "cancelled"):
            out["error"] = st.get("reason") or st["state"]
        if out["state"] == "done":
            out["result"] = {"run_dir": str(folder), "latest": st.get("latest"), "checkpoints": st["checkpoints"]}
        return out

    def cancel(self, job: dict) -> None:
        from . import jobs

        jobs.cancel(job["settings"]["folder"])

    def resume(self, job: dict, allow_export_change: bool = False) -> dict:
        from . import jobs

        jobs.resume(job["settings"]["folder"], allow_export_change)
        return {}


class EvaluationJob(JobKind):
    """settings: run_dir, workspace, eval (EvalSettings fields), benchmarks, include_eval_split; then folder."""

    name = "evaluation"
    detached = True

    def check(self, store, settings: dict) -> dict:
        from .evaluate import EvalSettings

        if not settings.get("run_dir") or not settings.get("workspace"):
            raise UserError("an evaluation job needs run_dir and workspace")
        return {"run_dir": str(settings["run_dir"]), "workspace": str(settings["workspace"]),
                "eval": dataclasses.asdict(EvalSettings(**(settings.get("eval") or {}))),
                "benchmarks": settings.get("benchmarks") or [],
                "include_eval_split": settings.get("include_eval_split", True), "folder": settings.get("folder")}

    def launch(self, job: dict) -> dict:
        s = job["settings"]
        pdir = Path(s["folder"]) if s.get("folder") else _start(s)
        return {"folder": str(pdir), "log": str(pdir / "log.txt")}

    def poll(self, job: dict) -> dict:
        from .pipeline import _alive, pipeline_status

        folder = Path(job["settings"]["folder"])
        st = pipeline_status(folder)
        stages = [x for x in st["stages"] if x["state"] != "skipped"]
        finished = sum(x["state"] == "done" for x in stages)
        out = {"state": _STATES.get(st["state"], "failed"), "done": finished, "total": len(stages),
               "alive": _alive(folder), "message": st.get("stage") or st["state"]}
        if out["state"] in ("failed", "cancelled"):
            out["error"] = st.get("error") or st["state"]
        if out["state"] == "done":
            out["result"] = {"pipeline_dir": str(folder), "run_dir": st.get("run_dir")}
        return out

    def cancel(self, job: dict) -> None:
        from .pipeline import cancel_pipeline

        cancel_pipeline(job["settings"]["folder"])

    def resume(self, job: dict) -> dict:
        pdir = _start(job["settings"])
        return {"folder": str(pdir), "log": str(pdir / "log.txt")}


def _start(s: dict) -> Path:
    from .evaluate import Benchmark, EvalSettings
    from .pipeline import start_evaluation

    return start_evaluation(s["run_dir"], s["workspace"], EvalSettings(**s["eval"]),
                            [Benchmark(**b) for b in s["benchmarks"]], s["include_eval_split"])
