"""`store.judge`: LLM judge reviews (curation/judge.py), in a table of their own so they never mix with human
reviews: an author is always `judge:<model>`, and nothing that reads `reviews` (queues, agreement, progress,
disagreements) sees them. Append-only like human reviews: a judge's latest review of a sample is the one that
counts.
"""
from __future__ import annotations

from . import _sql

JUDGE_COLUMNS = ("id", "sample_id", "sample_rev", "author", "created_at", "job_id", "request_hash", "rubric_language",
                 "task_type", "accuracy", "completeness", "conciseness", "consistency", "difficulty", "overall",
                 "rationales")
_CURRENT = ("SELECT * FROM judge_reviews QUALIFY row_number() OVER "
            "(PARTITION BY sample_id, author ORDER BY id DESC) = 1")


class JudgeReviews:
    """Judge reviews: `add`, `list`, `authors`, `revisions_judged`, `pairs` (judge beside human reviews)."""

    def __init__(self, store):
        self._store = store

    def add(self, row: dict) -> int:
        """Append one complete judge review (keys as JUDGE_COLUMNS; id and created_at filled in). Returns its id."""
        if not str(row.get("author") or "").startswith("judge:"):
            raise ValueError("a judge review's author is judge:<model>")
        with self._store._write_lock:
            cur = self._store._cur()
            rid = _sql.next_id(cur, "judge_reviews_seq")
            full = {c: row.get(c) for c in JUDGE_COLUMNS}
            full.update(id=rid, created_at=row.get("created_at") or _sql.now())
            _sql.insert(cur, "judge_reviews", full, json_cols=("rationales",))
        return rid

    def list(self, sample_id: str | None = None, author: str | None = None, current: bool = True) -> list[dict]:
        """Judge reviews, oldest first (rationales parsed); `current` keeps each judge's latest per sample."""
        w = _sql.Where().eq("sample_id", sample_id).eq("author", author)
        base = _CURRENT if current else "SELECT * FROM judge_reviews"
        return _sql.dicts(self._store._cur(), f"SELECT {', '.join(JUDGE_COLUMNS)} FROM ({base}) WHERE {w.sql()} "
                                              "ORDER BY id", w.params, ("rationales",), empty=dict)

    def authors(self) -> list[str]:
        """Every judge that has scored something, by name."""
        return [r[0] for r in self._store._q("SELECT DISTINCT author FROM judge_reviews ORDER BY author")]

    def count(self, author: str | None = None) -> int:
        w = _sql.Where().eq("author", author)
        return self._store._q(f"SELECT count(*) FROM ({_CURRENT}) WHERE {w.sql()}", w.params)[0][0]

    def revisions_judged(self, author: str, sample_ids: list[str]) -> dict[str, int]:
        """{sample_id: revision the judge last scored} for those of `sample_ids` it has scored."""
        if not sample_ids:
            return {}
        rows = self._store._q(f"SELECT sample_id, sample_rev FROM ({_CURRENT}) WHERE author = ? "
                              "AND list_contains(?, sample_id)", [author, list(sample_ids)])
        return dict(rows)

    def pairs(self, author: str) -> list[dict]:
        """Each current human review of a sample beside the judge's current review of it: sample_id, the
        sample's current task_l1/task_l2, annotator, the human's accuracy/completeness/clarity/consistency/
        difficulty, the judge's j_accuracy/.../j_difficulty/j_overall, and `content_changed` (the messages or
        tools were edited between the two reviewed revisions, so the two did not read the same sample)."""
        sql = f"""
            SELECT h.sample_id, s.task_l1, s.task_l2, h.annotator, h.accuracy, h.completeness, h.clarity,
                   h.consistency, h.difficulty, j.accuracy AS j_accuracy, j.completeness AS j_completeness,
                   j.conciseness AS j_conciseness, j.consistency AS j_consistency, j.difficulty AS j_difficulty,
                   j.overall AS j_overall,
                   EXISTS (SELECT 1 FROM revisions r WHERE r.sample_id = h.sample_id
                           AND r.rev > least(h.sample_rev, j.sample_rev) AND r.rev <= greatest(h.sample_rev, j.sample_rev)
                           AND (json_exists(r.after, '$.messages') OR json_exists(r.after, '$.tools')))
                       AS content_changed
            FROM (SELECT * FROM reviews QUALIFY row_number() OVER (PARTITION BY sample_id, annotator
                                                                    ORDER BY id DESC) = 1) h
            JOIN ({_CURRENT}) j ON j.sample_id = h.sample_id AND j.author = ?
            JOIN samples s ON s.id = h.sample_id
            ORDER BY h.sample_id, h.annotator"""
        return _sql.dicts(self._store._cur(), sql, [author])

    def latest_overall(self, author: str | None, sample_ids: list[str]) -> dict[str, float]:
        """{sample_id: overall score} of the judge's (any judge's when None) latest review of each sample."""
        if not sample_ids:
            return {}
        w = _sql.Where().eq("author", author).add("list_contains(?, sample_id)", list(sample_ids))
        rows = self._store._q(f"SELECT sample_id, overall FROM judge_reviews WHERE {w.sql()} "
                              "QUALIFY row_number() OVER (PARTITION BY sample_id ORDER BY id DESC) = 1", w.params)
        return dict(rows)
