"""`store.robustness`: detector suggestions and the log of detection and generation runs (curation/robustness).

Suggestions are kept apart from tags, since only a suggestion an annotator confirms counts (it then becomes a tag
through `store.samples.add_tag`, a revision). Decided suggestions are kept, so a new detection run does not offer
a rejected suggestion again while the sample's content is unchanged. Generated variants are ordinary samples with
a parent_id (`store.samples.add_rows`).
"""
from __future__ import annotations

from ..errors import UserError
from . import _sql
from .runs import RunLog

_COLUMNS = ("sample_id", "tag", "confidence", "reason", "evidence", "detector", "content_hash", "run_id",
            "created_at", "state", "decided_at", "decided_by")


class Robustness:
    """Suggestions (`robustness_suggestions`) and runs (`store.robustness.runs`)."""

    def __init__(self, store):
        self._store = store
        self.runs = RunLog(store, "robustness_runs", "robustness_runs_seq", "robustness run",
                           json_cols=("filter", "settings"), decode_json=False)

    def add_suggestions(self, run_id: int, rows: list[dict]) -> int:
        """Store open suggestions (sample_id, tag, confidence, reason, evidence, detector, content_hash).

        An open suggestion for the same sample and tag is replaced; one already decided for the same content is
        not offered again. Returns how many were stored.
        """
        now, n = _sql.now(), 0
        with self._store._transaction() as cur:
            for r in rows:
                decided = cur.execute(
                    "SELECT 1 FROM robustness_suggestions WHERE sample_id = ? AND tag = ? AND content_hash = ? "
                    "AND state <> 'open'", [r["sample_id"], r["tag"], r["content_hash"]]).fetchall()
                if decided:
                    continue
                cur.execute("DELETE FROM robustness_suggestions WHERE sample_id = ? AND tag = ? AND state = 'open'",
                            [r["sample_id"], r["tag"]])
                _sql.insert(cur, "robustness_suggestions", {
                    **{k: r[k] for k in ("sample_id", "tag", "confidence", "reason", "evidence", "detector",
                                         "content_hash")},
                    "run_id": run_id, "created_at": now, "state": "open"}, json_cols=("evidence",))
                n += 1
        return n

    def suggestions(self, state: str | None = "open", tag: str | None = None, sample_ids: list[str] | None = None,
                    limit: int | None = None, offset: int = 0) -> list[dict]:
        """Suggestions (evidence parsed), most confident first."""
        w = _sql.Where().eq("state", state or None).eq("tag", tag or None).any_of("sample_id", sample_ids)
        sql = (f"SELECT {', '.join(_COLUMNS)} FROM robustness_suggestions WHERE {w.sql()} "
               "ORDER BY confidence DESC, sample_id, tag")
        params = list(w.params)
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [int(limit), int(offset)]
        return _sql.dicts(self._store._cur(), sql, params, ("evidence",), empty=list)

    def suggestion_counts(self) -> list[tuple[str, str, int]]:
        """(state, tag, count) over all suggestions."""
        return self._store._q("SELECT state, tag, count(*) FROM robustness_suggestions GROUP BY ALL ORDER BY 1, 2")

    def decide(self, sample_id: str, tag: str, state: str, author: str) -> int:
        """Close the open suggestion of a sample and tag as `confirmed` or `rejected`; returns rows changed."""
        if state not in ("confirmed", "rejected"):
            raise UserError(f"a suggestion is confirmed or rejected, not {state!r}")
        with self._store._write_lock:
            cur = self._store._cur()
            n = cur.execute("SELECT count(*) FROM robustness_suggestions "
                            "WHERE sample_id = ? AND tag = ? AND state = 'open'", [sample_id, tag]).fetchall()[0][0]
            cur.execute("UPDATE robustness_suggestions SET state = ?, decided_at = ?, decided_by = ? "
                        "WHERE sample_id = ? AND tag = ? AND state = 'open'", [state, _sql.now(), author, sample_id, tag])
        return n
