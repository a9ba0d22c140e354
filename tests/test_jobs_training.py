"""Training as a durable job, on the tiny model: the app that started it is killed (the run goes on and a restarted
app re-attaches to it), then the run's own process is killed (the job fails with a reason) and resumed from its
checkpoint; the run is tracked in TensorBoard and MLflow along the way."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from curation import jobs
from curation.store import Store
from tests.helpers import ROOT
from tests.test_training_runs import QUICK, train_steps, wait_for, write_export

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny_model():
    from training.tiny import ensure_tiny

    return ensure_tiny()


def test_training_job_outlives_a_killed_app_and_resumes_after_its_own_kill(tiny_model, tmp_path, monkeypatch):
    mlflow = pytest.importorskip("mlflow")
    uri = (tmp_path / "mlruns").as_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    export = write_export(tmp_path / "export")
    db = tmp_path / "app.duckdb"
    settings = {"export_dir": str(export), "base_model": "tiny", "out_dir": str(tmp_path / "runs"),
                "overrides": {**QUICK, "max_steps": 14, "eval_prompts": 0}}
    app = subprocess.Popen([sys.executable, "-c", f"""
import json, sys, time
sys.path.insert(0, {str(ROOT)!r})
from curation.store import Store
from curation import jobs
store = Store({str(db)!r})
job = jobs.start(store, "training", json.loads({json.dumps(settings)!r}), "lead")
print(jobs.show(store, job)["settings"]["folder"], flush=True)
time.sleep(600)
"""], stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    run = None
    try:
        run = Path(app.stdout.readline().strip())
        wait_for(lambda: (run / "checkpoints" / "step-000002" / "state.json").exists(), 240, "the first checkpoint")
    finally:
        app.kill()  # kill -9 of the app: the run is in its own session and goes on
        app.wait()
    store = Store(db)
    assert jobs.reattach(store) == []
    (job,) = jobs.list_jobs(store)
    assert job["state"] == "running" and job["alive"] and job["kind"] == "training"  # re-attached

    pid = int((run / "pid").read_text())
    os.killpg(os.getpgid(pid), signal.SIGKILL)  # now the run itself dies
    job = wait_for(lambda: (j := jobs.show(store, job["id"]))["state"] == "failed" and j, 30, "the failed job")
    assert "resume continues from step" in job["error"] and job["resumable"]
    jobs.resume(store, job["id"])
    job = wait_for(lambda: (j := jobs.show(store, job["id"]))["state"] not in ("queued", "running") and j, 300,
                   "the resumed run")
    assert job["state"] == "done", (job["error"], (run / "log.txt").read_text()[-3000:])
    assert job["done"] == job["total"] == 14 and job["attempts"] == 2
    assert train_steps(run) == list(range(1, 15))

    from training.tracking import read_scalars
    scalars = read_scalars(run)
    assert [s for s, _ in scalars["train/loss"]] == list(range(1, 15))  # the killed attempt's later steps purged
    assert {s for s, _ in scalars["eval/eval_loss"]} >= {0, 14}
    state = json.loads((run / "tracking.json").read_text())
    client = mlflow.MlflowClient(tracking_uri=uri)
    mrun = client.get_run(state["mlflow_run_id"])
    assert mrun.info.status == "FINISHED" and mrun.data.params["base_model"] == "tiny"
    manifest_hash = json.loads((export / "manifest.json").read_text())["content_hash"]
    assert mrun.data.tags["export_content_hash"] == manifest_hash
    assert "adapter/adapter_model.safetensors" in [a.path for a in client.list_artifacts(mrun.info.run_id, "adapter")]
    assert max(m.step for m in client.get_metric_history(mrun.info.run_id, "train/loss")) == 14
