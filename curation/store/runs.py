"""The one run-log API: every kind of run is a row of its own log table, added, fetched and listed the same way.

Kinds: imports (`store.ingests`), exports (`store.exports`), dedup runs (`store.dedup.runs`), check runs
(`store.flags.runs`), robustness detection and generation runs (`store.robustness.runs`) and decontamination
reports (`store.decontam`). Each row has an id from the log's sequence and a creation time; the other columns are
the kind's own.
"""
from __future__ import annotations

from ..errors import UserError
from . import _sql


class RunLog:
    """A log table of runs of one kind: `add(**fields) -> id`, `get(id)`, `list(limit)` (newest first)."""

    def __init__(self, store, table: str, sequence: str, noun: str, json_cols: tuple[str, ...] = (),
                 decode_json: bool = True, empty=None):
        self._store = store
        self.table = table
        self._sequence = sequence
        self._noun = noun  # names the run in the error for an unknown id ("no dedup run 7")
        self._json_cols = json_cols  # written as JSON text
        self._decoded = json_cols if decode_json else ()  # parsed again on read
        self._empty = empty

    def new_id(self, cur=None) -> int:
        """Reserve an id for a run whose row is added later (an import tags its samples with it first)."""
        return _sql.next_id(cur or self._store._cur(), self._sequence)

    def peek_id(self) -> int:
        """The id the next run would get, without taking it (a dry run reports it and stores nothing)."""
        return self._store._q("SELECT coalesce(last_value + increment_by, start_value) FROM duckdb_sequences() "
                              "WHERE sequence_name = ?", [self._sequence])[0][0]

    def add(self, *, cur=None, id: int | None = None, **fields) -> int:
        """Log one run; `cur` writes inside the caller's transaction. Returns the run id."""
        with self._store._write_lock:
            cur = cur or self._store._cur()
            run_id = self.new_id(cur) if id is None else id
            _sql.insert(cur, self.table, {"id": run_id, "created_at": _sql.now(), **fields}, self._json_cols)
        return run_id

    def get(self, run_id: int) -> dict:
        """One run; UserError when there is none."""
        rows = self._select("WHERE id = ?", [run_id])
        if not rows:
            raise UserError(f"no {self._noun} {run_id}")
        return rows[0]

    def list(self, limit: int | None = None) -> list[dict]:
        """Runs, newest first."""
        return self._select("ORDER BY id DESC" + (" LIMIT ?" if limit is not None else ""),
                            [] if limit is None else [int(limit)])

    def _select(self, tail: str, params: list) -> list[dict]:
        return _sql.dicts(self._store._cur(), f"SELECT * FROM {self.table} {tail}", params, self._decoded,
                          self._empty)
