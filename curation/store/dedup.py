"""`store.dedup` (runs, scored pairs, proposed clusters, reviewer decisions) and `store.embeddings` (the vector
cache shared with the diversity page, keyed by model and the content hash of the embedded text).

Marking a sample duplicate is not here: it is a status change through `store.samples.update`, so it has a revision
and can be undone.
"""
from __future__ import annotations

from . import _sql
from .runs import RunLog


class Dedup:
    """Dedup runs and what they found."""

    def __init__(self, store):
        self._store = store
        self.runs = RunLog(store, "dedup_runs", "dedup_runs_seq", "dedup run", json_cols=("settings", "filter", "stats"),
                           empty=dict)

    def add_run(self, method: str, key: str, settings: dict, filter_: dict, n_samples: int, threshold: float,
                floor: float, stats: dict, author: str, pairs: tuple[list[str], list[str], list[float]],
                clusters: list[tuple[int, str, bool, bool, str]]) -> int:
        """Store a dedup run: its settings, every scored pair (a ids, b ids, similarities) and its proposed
        clusters (cluster number, sample id, is keeper, protected, reason), in one transaction. Returns the run id."""
        with self._store._transaction() as cur:
            run_id = self.runs.add(cur=cur, author=author, method=method, key=key, settings=settings,
                                   filter=filter_, n_samples=n_samples, threshold=threshold, floor=floor, stats=stats)
            a, b, sim = pairs
            _sql.insert_arrow(cur, "dedup_pairs", {"run_id": [run_id] * len(a), "a": list(a), "b": list(b),
                                                   "similarity": [float(x) for x in sim]})
            if clusters:
                cols = list(zip(*clusters))
                _sql.insert_arrow(cur, "dedup_clusters", {
                    "run_id": [run_id] * len(clusters), "cluster": list(cols[0]), "sample_id": list(cols[1]),
                    "is_keeper": list(cols[2]), "protected": list(cols[3]), "reason": list(cols[4])})
        return run_id

    def pairs(self, run_id: int, min_similarity: float | None = None) -> list[tuple[str, str, float]]:
        """A run's scored pairs (a, b, similarity), most similar first."""
        return self._store._q("SELECT a, b, similarity FROM dedup_pairs WHERE run_id = ? AND similarity >= ? "
                              "ORDER BY similarity DESC, a, b",
                              [run_id, -1.0 if min_similarity is None else min_similarity])

    def clusters(self, run_id: int) -> list[dict]:
        """The clusters a run proposed at its own threshold (one row per member)."""
        return _sql.dicts(self._store._cur(), "SELECT cluster, sample_id, is_keeper, protected, reason "
                          "FROM dedup_clusters WHERE run_id = ? ORDER BY cluster, NOT is_keeper, sample_id", [run_id])

    def add_decision(self, run_id: int, kind: str, a: str, b: str | None, author: str, note: str | None = None) -> int:
        """Record a reviewer decision on a run (not_duplicate a-b, keeper a, marked a dup of b, unmarked a)."""
        with self._store._write_lock:
            cur = self._store._cur()
            did = _sql.next_id(cur, "dedup_decisions_seq")
            _sql.insert(cur, "dedup_decisions", {"id": did, "run_id": run_id, "decided_at": _sql.now(),
                                                 "author": author, "kind": kind, "a": a, "b": b, "note": note})
        return did

    def decisions(self, run_id: int) -> list[dict]:
        """Every decision on a run, oldest first."""
        return _sql.dicts(self._store._cur(), "SELECT * FROM dedup_decisions WHERE run_id = ? ORDER BY id", [run_id])


class Embeddings:
    """The embedding cache: (model, content hash) -> float32 vector."""

    def __init__(self, store):
        self._store = store

    def get(self, model: str, hashes: list[str]) -> dict:
        """Cached vectors (float32 numpy arrays) for the given content hashes of one model."""
        import numpy as np
        if not hashes:
            return {}
        rows = self._with_hashes(hashes, "SELECT e.content_hash, e.vector FROM embeddings e JOIN _want w "
                                         "ON e.content_hash = w.h WHERE e.model = ?", [model])
        return {h: np.frombuffer(v, dtype=np.float32) for h, v in rows}

    def count(self, model: str, hashes: list[str]) -> int:
        """How many of the given content hashes are cached for a model."""
        if not hashes:
            return 0
        return self._with_hashes(hashes, "SELECT count(*) FROM embeddings e JOIN _want w ON e.content_hash = w.h "
                                         "WHERE e.model = ?", [model])[0][0]

    def dim(self, model: str) -> int | None:
        """The vector dimension cached for a model (None when it has no vectors)."""
        row = self._store._q("SELECT max(dim) FROM embeddings WHERE model = ?", [model])
        return row[0][0] if row and row[0][0] is not None else None

    def per_model(self, hashes: list[str] | None = None) -> list[dict]:
        """Per cached model: vectors, dimension and (when hashes are given) how many of those hashes it holds."""
        if hashes is None:
            rows = self._store._q("SELECT model, count(*), max(dim), 0 FROM embeddings GROUP BY model ORDER BY model")
        else:
            rows = self._with_hashes(list(dict.fromkeys(hashes)),
                                     "SELECT e.model, count(*), max(e.dim), count(w.h) FROM embeddings e LEFT JOIN "
                                     "_want w ON e.content_hash = w.h GROUP BY e.model ORDER BY e.model", [])
        return [{"model": m, "vectors": n, "dim": d, "selected": k} for m, n, d, k in rows]

    def delete(self, model: str) -> int:
        """Delete every cached vector of a model; returns how many were deleted."""
        with self._store._write_lock:
            cur = self._store._cur()
            n = cur.execute("SELECT count(*) FROM embeddings WHERE model = ?", [model]).fetchone()[0]
            cur.execute("DELETE FROM embeddings WHERE model = ?", [model])
        return n

    def has_model(self, model: str) -> bool:
        """Whether the cache holds any vector of a model."""
        return bool(self._store._q("SELECT EXISTS (SELECT 1 FROM embeddings WHERE model = ?)", [model])[0][0])

    def add(self, model: str, items: list) -> None:
        """Cache (content hash, vector) pairs for a model; hashes already cached are left as they are."""
        if not items:
            return
        import numpy as np
        import pyarrow as pa
        vecs = [np.asarray(v, dtype=np.float32) for _, v in items]
        now = _sql.now()
        with self._store._write_lock:
            _sql.insert_arrow(self._store._cur(), "embeddings", {
                "model": [model] * len(items), "content_hash": [h for h, _ in items], "dim": [len(v) for v in vecs],
                "vector": pa.array([v.tobytes() for v in vecs], type=pa.binary()),
                "created_at": pa.array([now] * len(items), pa.timestamp("us"))}, on_conflict="ON CONFLICT DO NOTHING")

    def _with_hashes(self, hashes: list[str], sql: str, params: list) -> list[tuple]:
        import pyarrow as pa
        cur = self._store._cur()
        cur.register("_want", pa.table({"h": list(hashes)}))
        try:
            return cur.execute(sql, params).fetchall()
        finally:
            cur.unregister("_want")
