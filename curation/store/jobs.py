"""The jobs table: one row per long operation (import, dedup, embedding, robustness detection, export, training,
evaluation), with its state, progress, checkpoint, heartbeat and outcome. `curation/jobs.py` runs them.

A chunk's results and the job's checkpoint are committed in one transaction (`commit_chunk`), so a job killed at
any moment has either both or neither: a resume never applies a chunk twice and never skips one.
"""
from __future__ import annotations

from collections.abc import Callable

from ..errors import UserError
from . import _sql

STATES = ("queued", "running", "done", "failed", "cancelled")
ACTIVE = ("queued", "running")
_JSON = ("settings", "checkpoint", "result")


class Jobs:
    """`add`, `get`, `list`, `update`, `progress`, `commit_chunk`, `active` over the jobs table."""

    def __init__(self, store):
        self._store = store

    def add(self, kind: str, settings: dict, author: str, input_revision: int | None = None,
            log_path: str | None = None) -> int:
        """Record a new queued job; returns its id."""
        with self._store._transaction() as cur:
            job_id = _sql.next_id(cur, "jobs_seq")
            _sql.insert(cur, "jobs", {"id": job_id, "kind": kind, "settings": settings, "state": "queued",
                                      "author": author, "created_at": _sql.now(), "done": 0, "total": None,
                                      "attempts": 0, "cancel_requested": False, "input_revision": input_revision,
                                      "log_path": log_path}, _JSON)
        return job_id

    def get(self, job_id: int) -> dict:
        """One job; UserError when there is none."""
        rows = self._select("WHERE id = ?", [int(job_id)])
        if not rows:
            raise UserError(f"no job {job_id}; `curation jobs` lists them")
        return rows[0]

    def list(self, state: str | None = None, kind: str | None = None, limit: int | None = None) -> list[dict]:
        """Jobs, newest first, optionally of one state or kind."""
        w = _sql.Where().eq("state", state).eq("kind", kind)
        tail = f"WHERE {w.sql()} ORDER BY id DESC" + (" LIMIT ?" if limit is not None else "")
        return self._select(tail, w.params + ([int(limit)] if limit is not None else []))

    def active(self) -> list[dict]:
        """Queued and running jobs (what a restarted app must re-attach to or mark failed)."""
        return self._select("WHERE list_contains(?, state) ORDER BY id", [list(ACTIVE)])

    def update(self, job_id: int, cur=None, **fields) -> None:
        """Set columns of one job (settings, checkpoint and result as JSON)."""
        if not fields:
            return
        unknown = set(fields) - _COLUMNS
        if unknown:
            raise ValueError(f"not job columns: {sorted(unknown)}")
        sets = ", ".join(f"{k} = ?" for k in fields)
        values = [_sql.dump(v) if k in _JSON and v is not None else v for k, v in fields.items()]
        with self._store._write_lock:
            (cur or self._store._cur()).execute(f"UPDATE jobs SET {sets} WHERE id = ?", values + [int(job_id)])

    def progress(self, job_id: int, done: int, total: int | None, message: str | None = None) -> None:
        """Progress and heartbeat of a running job (no checkpoint: nothing was committed)."""
        fields = {"done": int(done), "total": None if total is None else int(total), "heartbeat": _sql.now()}
        if message is not None:
            fields["message"] = message
        self.update(job_id, **fields)

    def commit_chunk(self, job_id: int, checkpoint, done: int, total: int | None,
                     apply: Callable[[], object] | None = None, message: str | None = None):
        """Run `apply()` (the chunk's writes through the store) and record `checkpoint` (a dict, or a function of
        what apply returned) in one transaction; returns (apply's result, the checkpoint). A kill before the commit
        leaves neither, after it both."""
        with self._store._transaction() as cur:
            out = apply() if apply is not None else None
            checkpoint = checkpoint(out) if callable(checkpoint) else checkpoint
            fields = {"checkpoint": checkpoint, "done": int(done), "heartbeat": _sql.now(),
                      "total": None if total is None else int(total)}
            if message is not None:
                fields["message"] = message
            self.update(job_id, cur=cur, **fields)
        return out, checkpoint

    def cancel_requested(self, job_id: int) -> bool:
        """Whether someone asked the job to stop."""
        rows = self._store._q("SELECT cancel_requested FROM jobs WHERE id = ?", [int(job_id)])
        return bool(rows and rows[0][0])

    def imported_rows(self, ingest_id: int) -> tuple[int, int]:
        """(samples, untyped samples) an import stored: a resumed import counts what its killed attempt
        committed."""
        return tuple(self._store._q(
            "SELECT count(*), count(*) FILTER (WHERE task_l1 IS NULL OR task_l2 IS NULL) FROM samples "
            "WHERE ingest_id = ?", [int(ingest_id)])[0])

    def _select(self, tail: str, params: list) -> list[dict]:
        return _sql.dicts(self._store._cur(), f"SELECT * FROM jobs {tail}", params, _JSON)


_COLUMNS = {"kind", "settings", "state", "author", "created_at", "started_at", "finished_at", "heartbeat", "pid",
            "done", "total", "attempt_done", "message", "checkpoint", "result", "error", "attempts",
            "cancel_requested", "input_revision", "log_path"}
