"""`store.review`: annotator profiles, reviews, queues, assignments, task_type guidelines and lead adjudications
(curation/review.py).

Reviews and adjudications are append-only: an annotator's latest review of a sample is the one that counts. What a
verdict does to `status` is a revision through `store.samples.update`.
"""
from __future__ import annotations

from datetime import datetime

from . import _sql
from .filters import SampleFilter, sample_where

REVIEW_COLUMNS = ("id", "sample_id", "annotator", "sample_rev", "created_at", "verdict", "accuracy", "completeness",
                  "clarity", "consistency", "difficulty", "note", "task_type", "seconds", "source")
_CURRENT_REVIEWS = ("SELECT * FROM reviews QUALIFY row_number() OVER "
                    "(PARTITION BY sample_id, annotator ORDER BY id DESC) = 1")
# Samples whose current reviews (2+) differ in verdict or spread by >= ? points on a quality score, and that
# no lead adjudicated after the latest of those reviews.
_DISAGREEMENTS = f"""
    SELECT d.* FROM (
        SELECT sample_id, count(*) AS n_reviews, count(DISTINCT verdict) AS n_verdicts,
               greatest(coalesce(max(accuracy) - min(accuracy), 0), coalesce(max(completeness) - min(completeness), 0),
                        coalesce(max(clarity) - min(clarity), 0),
                        coalesce(max(consistency) - min(consistency), 0)) AS spread,
               max(created_at) AS last_review
        FROM ({_CURRENT_REVIEWS}) GROUP BY sample_id) d
    WHERE d.n_reviews >= 2 AND (d.n_verdicts > 1 OR d.spread >= ?)
      AND NOT EXISTS (SELECT 1 FROM adjudications a WHERE a.sample_id = d.sample_id
                      AND a.decided_at >= d.last_review)"""
_GUIDELINE = "SELECT task_type, version, body, author, updated_at FROM guidelines"


class Review:
    """Everything annotators and leads record about samples."""

    def __init__(self, store):
        self._store = store

    def _dicts(self, sql: str, params: list | tuple = ()) -> list[dict]:
        return _sql.dicts(self._store._cur(), sql, params)

    # ---- annotators ----
    def annotators(self) -> list[dict]:
        """Annotator profiles (name, role, created_at), by name."""
        return self._dicts("SELECT name, role, created_at FROM annotators ORDER BY name")

    def annotator(self, name: str) -> dict | None:
        """One profile, or None."""
        rows = self._dicts("SELECT name, role, created_at FROM annotators WHERE name = ?", [name])
        return rows[0] if rows else None

    def add_annotator(self, name: str, role: str) -> None:
        """Create a profile; an existing one is left as it is."""
        with self._store._write_lock:
            self._store._cur().execute("INSERT INTO annotators VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                                       [name, role, _sql.now()])

    def set_role(self, name: str, role: str) -> None:
        """Change a profile's role."""
        with self._store._write_lock:
            self._store._cur().execute("UPDATE annotators SET role = ? WHERE name = ?", [role, name])

    # ---- reviews ----
    def add(self, review: dict) -> int:
        """Append one review (keys as REVIEW_COLUMNS; id and created_at are filled in). Returns its id."""
        with self._store._write_lock:
            cur = self._store._cur()
            rid = _sql.next_id(cur, "reviews_seq")
            row = {**review, "id": rid, "created_at": review.get("created_at") or _sql.now()}
            _sql.insert(cur, "reviews", {c: row.get(c) for c in REVIEW_COLUMNS})
        return rid

    def list(self, sample_id: str | None = None, annotator: str | None = None, current: bool = True) -> list[dict]:
        """Reviews, oldest first; `current` keeps only each annotator's latest review of a sample."""
        w = _sql.Where().eq("sample_id", sample_id).eq("annotator", annotator)
        base = _CURRENT_REVIEWS if current else "SELECT * FROM reviews"
        return self._dicts(f"SELECT {', '.join(REVIEW_COLUMNS)} FROM ({base}) WHERE {w.sql()} ORDER BY id", w.params)

    def table(self) -> list[dict]:
        """Every current review with its sample's current task type and status (for agreement and dashboards)."""
        return self._dicts(f"SELECT c.{', c.'.join(REVIEW_COLUMNS)}, s.task_l1, s.task_l2, s.status "
                           f"FROM ({_CURRENT_REVIEWS}) c JOIN samples s ON s.id = c.sample_id ORDER BY c.id")

    def count(self, annotator: str | None = None, since: datetime | None = None) -> int:
        """How many reviews (every save counts) an annotator, or everyone, made since a moment."""
        return self._store._q("SELECT count(*) FROM reviews WHERE (? IS NULL OR annotator = ?) AND "
                              "(?::TIMESTAMP IS NULL OR created_at >= ?)", [annotator, annotator, since, since])[0][0]

    def disagreements(self, spread: int = 2) -> list[dict]:
        """Samples in the disagreement queue (see _DISAGREEMENTS), newest review first."""
        return self._dicts(f"{_DISAGREEMENTS} ORDER BY d.last_review DESC, d.sample_id", [spread])

    def reviewed_ids(self, ids: list[str]) -> set[str]:
        """Those of the given samples that have at least one review."""
        import pyarrow as pa
        cur = self._store._cur()
        cur.register("_queue_ids", pa.table({"id": pa.array(ids, type=pa.string())}))
        try:
            return {r[0] for r in cur.execute("SELECT DISTINCT r.sample_id FROM reviews r "
                                              "JOIN _queue_ids q ON q.id = r.sample_id").fetchall()}
        finally:
            cur.unregister("_queue_ids")

    def reviewed_since(self, since: datetime) -> set[str]:
        """Samples reviewed at or after a moment."""
        return {r[0] for r in self._store._q("SELECT DISTINCT sample_id FROM reviews WHERE created_at >= ?", [since])}

    # ---- queues: a SampleFilter plus review-specific conditions ----
    def _queue_where(self, f: SampleFilter | None, flagged: str | None, assigned_to: str | None,
                     disagreement: int | None, dedup_run: int | None, dedup_cluster: int | None,
                     unreviewed_by: str | None) -> tuple[str, list]:
        where, params = sample_where(f)
        w = _sql.Where().add(where, *params)
        if flagged:
            w.add("EXISTS (SELECT 1 FROM flags g WHERE g.sample_id = samples.id AND (? = '*' OR g.check_name = ?))",
                  flagged, flagged)
        if assigned_to:
            w.add("EXISTS (SELECT 1 FROM assignments a WHERE a.sample_id = samples.id AND a.annotator = ?)",
                  assigned_to)
        if disagreement is not None:
            w.add(f"samples.id IN (SELECT sample_id FROM ({_DISAGREEMENTS}))", disagreement)
        if dedup_run is not None:
            w.add("EXISTS (SELECT 1 FROM dedup_clusters c WHERE c.sample_id = samples.id AND c.run_id = ? "
                  "AND (?::INTEGER IS NULL OR c.cluster = ?))", dedup_run, dedup_cluster, dedup_cluster)
        if unreviewed_by:
            w.add("NOT EXISTS (SELECT 1 FROM reviews r WHERE r.sample_id = samples.id AND r.annotator = ?)",
                  unreviewed_by)
        return w.render()

    def queue(self, f: SampleFilter | None = None, *, flagged: str | None = None, assigned_to: str | None = None,
              disagreement: int | None = None, dedup_run: int | None = None, dedup_cluster: int | None = None,
              unreviewed_by: str | None = None, order: str = "flagged_first", seed: int = 0,
              limit: int | None = None) -> list[str]:
        """Sample ids of a review queue in order. `flagged` is a check name or "*"; `disagreement` the score
        spread that counts as disagreeing; order is flagged_first (most flags first), random (seeded), import or
        judge_worst (lowest judge score first)."""
        where, params = self._queue_where(f, flagged, assigned_to, disagreement, dedup_run, dedup_cluster,
                                          unreviewed_by)
        order_sql = {
            "flagged_first": "(SELECT count(*) FROM flags g WHERE g.sample_id = samples.id) DESC, created_at, id",
            "random": "hash(id || ?), id",
            "import": "created_at, id",
            # the latest judge review's overall score, worst first; samples no judge scored come last
            "judge_worst": "(SELECT j.overall FROM judge_reviews j WHERE j.sample_id = samples.id "
                           "ORDER BY j.id DESC LIMIT 1) ASC NULLS LAST, created_at, id",
        }[order]
        if order == "random":
            params = params + [str(seed)]
        sql, params = _sql.limited(f"SELECT id FROM samples WHERE {where} ORDER BY {order_sql}", params, limit)
        return [r[0] for r in self._store._q(sql, params)]

    def progress(self, f: SampleFilter | None = None, *, flagged: str | None = None, assigned_to: str | None = None,
                 disagreement: int | None = None, dedup_run: int | None = None,
                 dedup_cluster: int | None = None) -> tuple[int, int]:
        """(samples in the queue, how many of them have at least one review)."""
        where, params = self._queue_where(f, flagged, assigned_to, disagreement, dedup_run, dedup_cluster, None)
        return tuple(self._store._q(
            f"SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM reviews r WHERE r.sample_id = samples.id))"
            f" FROM samples WHERE {where}", params)[0])

    # ---- assignments ----
    def assignment_candidates(self, f: SampleFilter | None, seed: int, limit: int | None,
                              include_assigned: bool = False) -> list[str]:
        """Ids to hand out, in a seeded random order; samples already assigned are skipped unless asked."""
        where, params = sample_where(f)
        if not include_assigned:
            where += " AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.sample_id = samples.id)"
        sql, params = _sql.limited(f"SELECT id FROM samples WHERE {where} ORDER BY hash(id || ?), id",
                                   [*params, str(seed)], limit)
        return [r[0] for r in self._store._q(sql, params)]

    def add_assignments(self, pairs: list[tuple[str, str]], assigned_by: str) -> int:
        """Record (sample id, annotator) assignments as one batch; returns the batch number."""
        with self._store._write_lock:
            cur = self._store._cur()
            batch = _sql.next_id(cur, "assignments_batch_seq")
            if pairs:
                now = _sql.now()
                _sql.insert_arrow(cur, "assignments", {
                    "sample_id": [s for s, _ in pairs], "annotator": [a for _, a in pairs],
                    "assigned_at": [now] * len(pairs), "assigned_by": [assigned_by] * len(pairs),
                    "batch": [batch] * len(pairs)})
        return batch

    def assignments(self, annotator: str | None = None, sample_id: str | None = None) -> list[dict]:
        """Assignment rows, oldest first."""
        w = _sql.Where().eq("annotator", annotator).eq("sample_id", sample_id)
        return self._dicts(f"SELECT * FROM assignments WHERE {w.sql()} ORDER BY batch, sample_id, annotator", w.params)

    def assignment_load(self) -> list[dict]:
        """Per annotator: samples assigned and how many of those they have reviewed."""
        return self._dicts("""
            SELECT a.annotator, count(DISTINCT a.sample_id) AS assigned,
                   count(DISTINCT a.sample_id) FILTER (WHERE EXISTS (SELECT 1 FROM reviews r
                       WHERE r.sample_id = a.sample_id AND r.annotator = a.annotator)) AS done
            FROM assignments a GROUP BY a.annotator ORDER BY a.annotator""")

    # ---- guidelines (append-only versions per task type) ----
    def guideline(self, task_type: str) -> dict | None:
        """The latest guideline written for exactly this task type key, or None."""
        rows = self._dicts(f"{_GUIDELINE} WHERE task_type = ? ORDER BY version DESC LIMIT 1", [task_type])
        return rows[0] if rows else None

    def first_guideline(self, keys: list[str]) -> dict | None:
        """The latest guideline of the first key in `keys` that has one (one query for a fallback chain)."""
        rows = self._dicts(f"{_GUIDELINE} WHERE list_contains(?, task_type) "
                           "ORDER BY list_position(?, task_type), version DESC LIMIT 1", [keys, keys])
        return rows[0] if rows else None

    def add_guideline(self, task_type: str, body: str, author: str) -> int:
        """Save a new version of a task type's guideline; returns the version number (versions count per task
        type, under the write lock)."""
        with self._store._transaction() as cur:
            version = cur.execute("SELECT coalesce(max(version), 0) + 1 FROM guidelines WHERE task_type = ?",
                                  [task_type]).fetchall()[0][0]
            _sql.insert(cur, "guidelines", {"task_type": task_type, "version": version, "body": body,
                                            "author": author, "updated_at": _sql.now()})
        return version

    def guidelines(self) -> list[dict]:
        """The latest version of every guideline."""
        return self._dicts(f"{_GUIDELINE} QUALIFY row_number() OVER (PARTITION BY task_type ORDER BY version DESC) = 1 "
                           "ORDER BY 1")

    # ---- adjudications ----
    def add_adjudication(self, sample_id: str, lead: str, verdict: str, sample_rev: int, note: str | None) -> None:
        """Record a lead's final decision on a sample."""
        with self._store._write_lock:
            _sql.insert(self._store._cur(), "adjudications", {
                "sample_id": sample_id, "lead": lead, "decided_at": _sql.now(), "verdict": verdict,
                "sample_rev": sample_rev, "note": note})

    def adjudications(self, sample_id: str | None = None) -> list[dict]:
        """Adjudications, oldest first."""
        w = _sql.Where().eq("sample_id", sample_id)
        return self._dicts(f"SELECT * FROM adjudications WHERE {w.sql()} ORDER BY decided_at", w.params)
