"""`store.llm`: the LLM response cache and the log of LLM jobs with their token and cost totals (curation/llm).

A response is cached under its request hash the moment it arrives (one row, never replaced), so a job killed
halfway has kept every response it paid for, and running the same requests again reads them back for free.
A job row counts what its requests cost: responses it paid for (tokens, cost) apart from those it found cached.
No API key is ever written here: jobs record the settings, which name the key's environment variable only.
"""
from __future__ import annotations

from . import _sql
from .runs import RunLog

RESPONSE_COLUMNS = ("request_hash", "base_url", "model", "request", "text", "response_id", "response_model",
                    "finish_reason", "prompt_tokens", "completion_tokens", "cost", "seconds", "job_id", "created_at")
_COUNTERS = ("n_done", "n_cached", "n_failed", "prompt_tokens", "completion_tokens", "cost")


class LLM:
    """The response cache (`get_response`, `add_response`) and the job log (`store.llm.jobs`)."""

    def __init__(self, store):
        self._store = store
        self.jobs = RunLog(store, "llm_jobs", "llm_jobs_seq", "LLM job", json_cols=("settings",))

    # ---- response cache ----
    def get_response(self, request_hash: str) -> dict | None:
        """The cached response of a request, or None (request parsed back from JSON)."""
        rows = _sql.dicts(self._store._cur(), f"SELECT {', '.join(RESPONSE_COLUMNS)} FROM llm_responses "
                                              "WHERE request_hash = ?", [request_hash], ("request",))
        return rows[0] if rows else None

    def add_response(self, row: dict) -> bool:
        """Cache one response (keys as RESPONSE_COLUMNS; created_at filled in). A hash already cached is kept
        as it is (the first paid answer wins). Returns whether a row was written."""
        with self._store._write_lock:
            cur = self._store._cur()
            if cur.execute("SELECT 1 FROM llm_responses WHERE request_hash = ?", [row["request_hash"]]).fetchall():
                return False
            full = {c: row.get(c) for c in RESPONSE_COLUMNS}
            full["created_at"] = full["created_at"] or _sql.now()
            _sql.insert(cur, "llm_responses", full, json_cols=("request",))
        return True

    def count_responses(self, job_id: int | None = None) -> int:
        """Cached responses (those a job paid for, with `job_id`)."""
        w = _sql.Where().eq("job_id", job_id)
        return self._store._q(f"SELECT count(*) FROM llm_responses WHERE {w.sql()}", w.params)[0][0]

    # ---- jobs ----
    def add_job(self, *, kind: str, base_url: str, model: str, settings: dict, n_requests: int,
                author: str | None = None, note: str | None = None) -> int:
        """Log a new job (counters at zero, status running). Returns its id."""
        now = _sql.now()
        return self.jobs.add(updated_at=now, author=author, kind=kind, base_url=base_url, model=model,
                             settings=settings, n_requests=int(n_requests), n_done=0, n_cached=0, n_failed=0,
                             prompt_tokens=0, completion_tokens=0, cost=0.0, status="running", note=note)

    def count_in_job(self, job_id: int, **increments) -> None:
        """Add to a job's counters (n_done, n_cached, n_failed, prompt_tokens, completion_tokens, cost)."""
        unknown = set(increments) - set(_COUNTERS)
        if unknown:
            raise ValueError(f"unknown job counters {sorted(unknown)}")
        cols = [c for c in _COUNTERS if increments.get(c)]
        if not cols:
            return
        sets = ", ".join(f"{c} = {c} + ?" for c in cols)
        with self._store._write_lock:
            self._store._cur().execute(f"UPDATE llm_jobs SET {sets}, updated_at = ? WHERE id = ?",
                                       [increments[c] for c in cols] + [_sql.now(), int(job_id)])

    def set_job(self, job_id: int, *, status: str | None = None, n_requests: int | None = None,
                note: str | None = None) -> None:
        """Change a job's status (running | done | failed | interrupted), its request count or its note."""
        fields = {k: v for k, v in (("status", status), ("n_requests", n_requests), ("note", note)) if v is not None}
        if not fields:
            return
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self._store._write_lock:
            self._store._cur().execute(f"UPDATE llm_jobs SET {sets}, updated_at = ? WHERE id = ?",
                                       list(fields.values()) + [_sql.now(), int(job_id)])
