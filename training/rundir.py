"""The run folder: the only channel between a training process and the app (no shared database, no locks).

    config.json        what was asked for: export, base model, settings (written at launch)
    audit.json         the launch audit
    status.json        state (queued/running/succeeded/failed/cancelled), reason, step/total, device, pid
    metrics.jsonl      one line per step ({"kind": "train", ...}) and per evaluation ({"kind": "eval", ...})
    generations.jsonl  answers to fixed eval prompts at every checkpoint
    log.txt            the process's stdout and stderr
    checkpoints/step-000020/  adapter + optimiser state, for resuming
    adapter/           the final adapter (safetensors) and tokenizer
    run.json           the full record: resolved settings, export hashes, library versions, device, results;
                       "finished": false until the final evaluation is written (a kill leaves it incomplete)
    merged/            optional full model with the adapter merged in
    eval/<suite>/      report.json and items.jsonl of each evaluated suite (written by training.evaluate)
    cancel             present when a cancel was requested

Writers replace whole JSON files atomically; readers tolerate a half-written last JSONL line.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

STATES = ("queued", "running", "succeeded", "failed", "cancelled")
ACTIVE = ("queued", "running")


def wait_until_done(status, path, timeout: float | None = None, poll: float = 1.0) -> dict:
    """Poll `status(path)` until its state leaves queued/running (or `timeout` seconds pass); return the status."""
    import time
    end = None if timeout is None else time.time() + timeout
    while True:
        st = status(path)
        if st["state"] not in ACTIVE or (end is not None and time.time() > end):
            return st
        time.sleep(poll)


class RunFolder:
    """Paths and small read/write helpers for one run."""

    def __init__(self, path):
        self.path = Path(path)
        self.config = self.path / "config.json"
        self.audit = self.path / "audit.json"
        self.status_file = self.path / "status.json"
        self.metrics = self.path / "metrics.jsonl"
        self.generations = self.path / "generations.jsonl"
        self.log = self.path / "log.txt"
        self.checkpoints = self.path / "checkpoints"
        self.adapter = self.path / "adapter"
        self.record = self.path / "run.json"
        self.merged = self.path / "merged"
        self.cancel_file = self.path / "cancel"
        self.pid_file = self.path / "pid"
        self.eval = self.path / "eval"

    def eval_suite(self, suite: str) -> Path:
        """The folder of one evaluated suite: report.json and items.jsonl."""
        return self.eval / suite

    def eval_reports(self) -> list[dict]:
        """Every suite's report.json, in folder order ([] before the first evaluation)."""
        if not self.eval.is_dir():
            return []
        return [r for p in sorted(self.eval.iterdir()) if (r := read_json(p / "report.json"))]

    def read_status(self) -> dict:
        return read_json(self.status_file) or {}

    def write_status(self, state: str, **fields) -> dict:
        """Merge `fields` into status.json with the new state."""
        assert state in STATES, state
        current = self.read_status()
        current.update(fields, state=state, updated_at=time.time())
        write_json(self.status_file, current)
        return current

    def latest_checkpoint(self) -> Path | None:
        """The newest complete checkpoint folder (state.json is written last)."""
        if not self.checkpoints.is_dir():
            return None
        done = sorted(p for p in self.checkpoints.glob("step-*") if (p / "state.json").exists())
        return done[-1] if done else None


def write_json(path: Path, obj) -> None:
    """Atomic replace, so a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(obj, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def append_jsonl(path: Path, rec: dict) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(rec, ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> list[dict]:
    """All complete lines; a line still being written is skipped."""
    out = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
    except FileNotFoundError:
        pass
    return out


def keep_lines(path: Path, keep) -> None:
    """Rewrite a JSONL file atomically with only the lines for which `keep(record)` is true."""
    rows = [r for r in read_jsonl(path) if keep(r)]
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    os.replace(tmp, path)
