"""Experiment tracking for training and evaluation runs: TensorBoard event files in the run folder, and MLflow
when MLFLOW_TRACKING_URI is set.

The run folder stays the source of truth (metrics.jsonl, run.json, eval/): tracking copies what it holds to the
tools people already watch. It is optional and failure-tolerant: a backend that is not installed or raises is
switched off with one line in the run's log, and the run goes on. Both libraries are imported lazily here.

- TensorBoard: tensorboardX writes `RUN/tensorboard/` (`tensorboard --logdir runs/`); a resumed run purges the
  steps after its checkpoint, as metrics.jsonl drops them.
- MLflow: params (the resolved settings, base model), tags (the export's manifest content hash), metrics, and the
  adapter folder as an artifact. The MLflow run id is kept in `RUN/tracking.json`, so a resume logs into the same
  MLflow run. Experiment: $MLFLOW_EXPERIMENT_NAME, default "sft-workbench".
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

DEFAULT_EXPERIMENT = "sft-workbench"
_PARAM_CHARS = 500  # MLflow refuses longer param values


class Tracker:
    """Sends a run's params, metrics and artifacts to TensorBoard and (optionally) MLflow, never raising."""

    def __init__(self, folder: Path, name: str, params: dict | None = None, tags: dict | None = None,
                 log: Callable[[str], None] = print, purge_step: int | None = None, tensorboard: bool = True):
        self.folder, self.name, self.say = Path(folder), name, log
        self.tb = self.mlflow = None
        self.notes: list[str] = []  # what went wrong, one line per backend
        if tensorboard:
            self._guard("tensorboard", self._open_tensorboard, purge_step)
        if os.environ.get("MLFLOW_TRACKING_URI"):
            self._guard("mlflow", self._open_mlflow, params or {}, tags or {})

    # ---- logging
    def metrics(self, values: dict, step: int, prefix: str = "") -> None:
        """Numeric values (nested dicts flattened with `/`) at `step`, under `prefix`."""
        flat = {f"{prefix}{k}": v for k, v in flatten(values).items()}
        if not flat:
            return
        if self.tb is not None:
            self._guard("tensorboard", self._add_scalars, flat, step)
        if self.mlflow is not None:
            self._guard("mlflow", self._log_metrics, flat, step)

    def artifact(self, path: Path, artifact_path: str | None = None) -> None:
        """A file or folder (the adapter) as an MLflow artifact of the run."""
        if self.mlflow is None or not Path(path).exists():
            return
        p = Path(path)
        log = self.client.log_artifacts if p.is_dir() else self.client.log_artifact
        self._guard("mlflow", lambda: log(self.run_id, str(p), artifact_path or p.name))

    def close(self, status: str = "FINISHED") -> None:
        """Flush TensorBoard; end the MLflow run with FINISHED, FAILED or KILLED."""
        if self.tb is not None:
            self._guard("tensorboard", self.tb.close)
            self.tb = None
        if self.mlflow is not None:
            self._guard("mlflow", lambda: self.client.set_terminated(self.run_id, status))
            self.mlflow = None

    # ---- backends
    def _open_tensorboard(self, purge_step: int | None) -> None:
        self.tb = EventFile(self.folder / "tensorboard", purge_step)

    def _add_scalars(self, flat: dict, step: int) -> None:
        self.tb.add_scalars(flat, step)

    def _open_mlflow(self, params: dict, tags: dict) -> None:
        import mlflow

        mlflow.set_tracking_uri(os.environ["MLFLOW_TRACKING_URI"])
        state_file = self.folder / "tracking.json"
        state = json.loads(state_file.read_text()) if state_file.exists() else {}
        client = mlflow.MlflowClient()
        run_id = state.get("mlflow_run_id")
        if run_id is None:
            name = os.environ.get("MLFLOW_EXPERIMENT_NAME") or DEFAULT_EXPERIMENT
            exp = client.get_experiment_by_name(name)
            exp_id = exp.experiment_id if exp is not None else client.create_experiment(name)
            run_id = client.create_run(exp_id, run_name=self.name, tags={k: str(v) for k, v in tags.items()}).info.run_id
            state_file.write_text(json.dumps({**state, "mlflow_run_id": run_id,
                                              "tracking_uri": os.environ["MLFLOW_TRACKING_URI"]}))
            from mlflow.entities import Param

            flat = [Param(_mlflow_key(k), str(v)[:_PARAM_CHARS]) for k, v in flatten(params, numeric=False).items()]
            for k in range(0, len(flat), 100):  # MLflow takes at most 100 params per batch
                client.log_batch(run_id, params=flat[k:k + 100])
        else:
            client.update_run(run_id, status="RUNNING")
        self.run_id, self.mlflow, self.client = run_id, mlflow, client

    def _log_metrics(self, flat: dict, step: int) -> None:
        import time

        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        self.client.log_batch(self.run_id, metrics=[Metric(_mlflow_key(k), v, now, step) for k, v in flat.items()])

    def _guard(self, backend: str, action, *args):
        """Run a backend call; on any error, note it once in the run's log and switch that backend off."""
        try:
            return action(*args)
        except Exception as e:  # noqa: BLE001 (tracking never stops a run, whatever its library raises)
            note = f"tracking: {backend} switched off ({type(e).__name__}: {str(e)[:200]}); the run goes on"
            self.notes.append(note)
            self.say(note)
            setattr(self, "tb" if backend == "tensorboard" else "mlflow", None)
            return None


class EventFile:
    """A TensorBoard event file, written and flushed at every call.

    Not tensorboardX's SummaryWriter: it hands events to a writer thread, and its flush() does not wait for that
    queue, so a run killed right after a step could lose the step's scalars (the kill -9 test lost step 4 of 14
    while metrics.jsonl kept it). A resumed run's writer starts with TensorBoard's purge event, a session START
    at the first step it will log, which hides the earlier files' steps from there on."""

    def __init__(self, logdir: Path, purge_step: int | None = None):
        import time

        import tensorboardX  # noqa: F401  first: without the package no folder is left behind
        from tensorboardX.event_file_writer import EventsWriter
        from tensorboardX.proto.event_pb2 import Event, SessionLog

        Path(logdir).mkdir(parents=True, exist_ok=True)
        # files are named by the second: the suffix keeps two writers of one second (a quick resume, the evaluation
        # after the run) from writing over each other
        self._w = EventsWriter(os.path.join(str(logdir), "events"), f".{time.time_ns()}")
        if purge_step is not None:
            self._w.write_event(Event(wall_time=time.time(), step=purge_step,
                                      session_log=SessionLog(status=SessionLog.START)))
        self._w.flush()

    def add_scalars(self, flat: dict, step: int) -> None:
        import time

        from tensorboardX.proto.event_pb2 import Event
        from tensorboardX.summary import scalar

        for k, v in flat.items():
            self._w.write_event(Event(wall_time=time.time(), step=int(step), summary=scalar(k, float(v))))
        self._w.flush()  # on disk before the caller goes on: a killed run keeps its steps up to the kill

    def close(self) -> None:
        self._w.close()


def flatten(values: dict, prefix: str = "", numeric: bool = True) -> dict:
    """{"a": {"b": 1}} -> {"a/b": 1}; with `numeric`, only int/float leaves (bools and None left out)."""
    out = {}
    for k, v in values.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, f"{key}/", numeric))
        elif not numeric:
            out[key] = json.dumps(v) if isinstance(v, (list, tuple)) else v
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out[key] = float(v)
    return out


def _mlflow_key(key: str) -> str:
    """MLflow names allow letters, digits, _ - . space : / ; anything else becomes _."""
    return "".join(c if c.isalnum() or c in "_-. :/" else "_" for c in key)


def read_scalars(folder: Path) -> dict[str, list[tuple[int, float]]]:
    """The scalars of a run's TensorBoard event files, {tag: [(step, value)]}, read with tensorboardX's own
    protobufs (no TensorFlow, no tensorboard server): how tests and scripts check what was logged. A writer's
    purge (the session start of a resumed run at step S) hides the earlier files' steps >= S, as TensorBoard does."""
    import struct

    from tensorboardX.proto import event_pb2

    out: dict[str, list[tuple[int, float]]] = {}
    for path in sorted((Path(folder) / "tensorboard").glob("events.out.tfevents.*")):
        data = path.read_bytes()
        pos = 0
        while pos + 12 <= len(data):
            (length,) = struct.unpack("<Q", data[pos:pos + 8])
            record = data[pos + 12:pos + 12 + length]  # after the length and its CRC; a CRC follows the record
            pos += 12 + length + 4
            event = event_pb2.Event()
            event.ParseFromString(record)
            if event.HasField("session_log") and event.session_log.status == event.session_log.START:
                out = {tag: [(s, v) for s, v in points if s < event.step] for tag, points in out.items()}
            for v in event.summary.value:
                out.setdefault(v.tag, []).append((event.step, v.simple_value))
    return out
