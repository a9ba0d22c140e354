"""`store.flags`: the review pre-flags the checks raise (curation/checks.py), with the log of check runs.

Flags are derived data: a check run replaces the flags of its checks on the samples it evaluated.
"""
from __future__ import annotations

from . import _sql
from .filters import SampleFilter, sample_where
from .runs import RunLog


class Flags:
    """The flags table and the check-run log (`store.flags.runs`)."""

    def __init__(self, store):
        self._store = store
        self.runs = RunLog(store, "check_runs", "check_runs_seq", "check run", json_cols=("checks", "settings"))

    def replace(self, checks: list[str], evaluated: list[str], flags: list[tuple], run: dict) -> int:
        """Record a check run: drop the named checks' old flags on the evaluated samples, insert the new ones
        (sample_id, check_name, reason, evidence, sample_rev). Returns the run id."""
        import pyarrow as pa
        with self._store._transaction() as cur:
            run_id = self.runs.add(cur=cur, author=run.get("author"), trigger=run.get("trigger"), checks=checks,
                                   settings=run.get("settings", {}), n_samples=len(evaluated), n_flags=len(flags))
            cur.register("_evaluated", pa.table({"id": pa.array(evaluated, type=pa.string())}))
            try:
                cur.execute("DELETE FROM flags WHERE list_contains(?, check_name) AND sample_id IN "
                            "(SELECT id FROM _evaluated)", [checks])
            finally:
                cur.unregister("_evaluated")
            if flags:
                cols = list(zip(*flags))
                _sql.insert_arrow(cur, "flags", {
                    "sample_id": list(cols[0]), "check_name": list(cols[1]), "reason": list(cols[2]),
                    "evidence": list(cols[3]), "sample_rev": list(cols[4]), "run_id": [run_id] * len(flags)})
        return run_id

    def list(self, sample_id: str) -> list[dict]:
        """A sample's current pre-flags."""
        return _sql.dicts(self._store._cur(), "SELECT check_name, reason, evidence, sample_rev, run_id FROM flags "
                          "WHERE sample_id = ? ORDER BY check_name", [sample_id])

    def counts(self) -> list[tuple[str, int]]:
        """(check name, samples flagged) for every check with flags."""
        return self._store._q("SELECT check_name, count(DISTINCT sample_id) FROM flags GROUP BY 1 ORDER BY 2 DESC, 1")

    def sample_ids(self, checks: list[str], f: SampleFilter | None = None) -> list[str]:
        """Ids of the samples of a filter with a current flag (raised on their current revision) of any of the
        named checks, in import order: the answers a producer should replace."""
        where, params = sample_where(f)
        return [r[0] for r in self._store._q(
            f"SELECT id FROM samples WHERE {where} AND EXISTS (SELECT 1 FROM flags g WHERE g.sample_id = samples.id "
            "AND g.sample_rev = samples.rev AND list_contains(?, g.check_name)) ORDER BY created_at, id",
            params + [list(checks)])]
