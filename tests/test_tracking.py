"""Experiment tracking (training/tracking.py): TensorBoard event files in the run folder, MLflow with a file://
store when MLFLOW_TRACKING_URI is set, and no tracking error ever reaching the run."""
from __future__ import annotations

import json
import sys

import pytest

from training.tracking import Tracker, flatten, read_scalars


def test_tensorboard_scalars_land_in_the_run_folder_and_a_resume_purges_later_steps(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    t = Tracker(tmp_path, "run")
    for step in range(1, 6):
        t.metrics({"loss": 1.0 / step, "lr": 1e-4, "note": "text is left out", "ok": True}, step, "train/")
    t.metrics({"eval_loss": 0.5}, 4, "eval/")
    t.close()
    assert t.notes == []
    got = read_scalars(tmp_path)
    assert [s for s, _ in got["train/loss"]] == [1, 2, 3, 4, 5] and got["train/loss"][1][1] == pytest.approx(0.5)
    assert set(got) == {"train/loss", "train/lr", "eval/eval_loss"}
    resumed = Tracker(tmp_path, "run", purge_step=4)  # resumed from the checkpoint at step 3
    resumed.metrics({"loss": 0.3}, 4, "train/")
    resumed.close()
    assert [s for s, _ in read_scalars(tmp_path)["train/loss"]][-2:] == [3, 4]  # TensorBoard drops the old 4, 5


def test_every_step_is_on_disk_when_metrics_returns(tmp_path, monkeypatch):
    """A kill -9 right after a step must not lose it: tensorboardX's own writer queued events for a thread that its
    flush() did not wait for (the kill test lost step 4 of 14). Read back after every call, never closed."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    t = Tracker(tmp_path, "run")
    for step in range(1, 41):
        t.metrics({"loss": 1.0 / step}, step, "train/")
        assert read_scalars(tmp_path)["train/loss"][-1][0] == step


def test_flatten_keeps_numbers_and_nested_paths():
    assert flatten({"a": {"b": 1, "c": None, "d": True}, "e": 2.5, "f": "x"}) == {"a/b": 1.0, "e": 2.5}
    assert flatten({"s": {"lr": 1e-4, "targets": ["q", "v"]}}, numeric=False) == {"s/lr": 1e-4,
                                                                                 "s/targets": '["q", "v"]'}


def test_mlflow_file_store_gets_params_metrics_hash_and_the_adapter(tmp_path, monkeypatch):
    mlflow = pytest.importorskip("mlflow")
    uri = (tmp_path / "mlruns").as_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3 keeps the file store behind this switch
    run_dir = tmp_path / "run"
    (run_dir / "adapter").mkdir(parents=True)
    (run_dir / "adapter" / "adapter_config.json").write_text("{}")
    t = Tracker(run_dir, "run-1", params={"settings": {"lr": 2e-4, "rank": 8}, "base_model": "tiny"},
                tags={"export_content_hash": "abc123"}, tensorboard=False)
    t.metrics({"loss": 2.0}, 1, "train/")
    t.metrics({"loss": 1.5}, 2, "train/")
    t.artifact(run_dir / "adapter", "adapter")
    t.close("FINISHED")
    assert t.notes == []
    run_id = json.loads((run_dir / "tracking.json").read_text())["mlflow_run_id"]
    client = mlflow.MlflowClient(tracking_uri=uri)
    run = client.get_run(run_id)
    assert run.data.params == {"settings/lr": "0.0002", "settings/rank": "8", "base_model": "tiny"}
    assert run.data.tags["export_content_hash"] == "abc123" and run.info.status == "FINISHED"
    assert [m.value for m in client.get_metric_history(run_id, "train/loss")] == [2.0, 1.5]
    assert [a.path for a in client.list_artifacts(run_id, "adapter")] == ["adapter/adapter_config.json"]
    again = Tracker(run_dir, "run-1", tensorboard=False)  # a resumed run logs into the same MLflow run
    again.metrics({"loss": 1.0}, 3, "train/")
    again.close()
    assert len(client.get_metric_history(run_id, "train/loss")) == 3


def test_tracking_errors_never_stop_the_run(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboardX", None)  # not installed
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "nosuchscheme://nowhere")
    lines = []
    t = Tracker(tmp_path, "run", params={"a": 1}, log=lines.append)
    t.metrics({"loss": 1.0}, 1)
    t.artifact(tmp_path)
    t.close("FAILED")
    assert len(t.notes) == len(lines) >= 1 and all("the run goes on" in n for n in lines)
    assert any("tensorboard switched off" in n for n in lines)
    if "mlflow" in {m.split(".")[0] for m in sys.modules} or _has_mlflow():
        assert any("mlflow switched off" in n for n in lines)
    assert not (tmp_path / "tensorboard").exists()


def test_a_backend_that_fails_midway_is_switched_off_and_the_others_go_on(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    t = Tracker(tmp_path, "run")

    class Broken:
        def add_scalars(self, *a):
            raise OSError("disk full")

        def close(self):
            raise AssertionError("a switched-off backend is not called again")
    t.tb = Broken()
    t.metrics({"loss": 1.0}, 1)
    t.metrics({"loss": 0.5}, 2)
    t.close()
    assert t.notes == ["tracking: tensorboard switched off (OSError: disk full); the run goes on"]


def _has_mlflow() -> bool:
    import importlib.util
    return importlib.util.find_spec("mlflow") is not None


def test_an_evaluation_logs_each_suite_row_at_the_runs_last_step(tmp_path, monkeypatch):
    from training.evaluate import track_evaluation
    from training.rundir import RunFolder, write_json

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    rf = RunFolder(tmp_path)
    write_json(rf.record, {"total_steps": 40})
    rows = [{"task_type": "(overall)", "metric": "score", "n": 12, "base": 0.25, "tuned": 0.5, "delta": 0.25,
             "ci_low": 0.1, "ci_high": 0.4, "verdict": "better", "higher_is_better": True},
            {"task_type": "math/arithmetic", "metric": "loss", "n": 6, "base": 2.0, "tuned": 1.5, "delta": -0.5,
             "ci_low": None, "ci_high": None, "verdict": "too few", "higher_is_better": False}]
    track_evaluation(rf, [{"suite": "eval-split", "rows": rows}])
    got = read_scalars(tmp_path)
    assert got["evaluation/eval-split/overall/score/delta"] == [(40, pytest.approx(0.25))]
    assert got["evaluation/eval-split/math/arithmetic/loss/tuned"] == [(40, 1.5)]
    assert "evaluation/eval-split/math/arithmetic/loss/ci_low" not in got  # no CI: nothing logged
