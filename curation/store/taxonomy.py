"""`store.taxonomy`: the two-level task_type taxonomy with its per-type targets."""
from __future__ import annotations

from . import _sql
from .filters import SampleFilter


class Taxonomy:
    """The taxonomy table: (l1, l2, kind, description, target_share, target_count)."""

    def __init__(self, store):
        self._store = store

    def list(self) -> list[dict]:
        """The task_type taxonomy with targets and how many samples each type has."""
        return _sql.dicts(self._store._cur(), """
            SELECT t.l1, t.l2, t.kind, t.description, t.target_share, t.target_count, count(s.id) AS samples
            FROM taxonomy t LEFT JOIN samples s ON s.task_l1 = t.l1 AND s.task_l2 = t.l2
            GROUP BY ALL ORDER BY t.kind, t.l1, t.l2""")

    def types(self) -> list[str]:
        """Every L1/L2 in the taxonomy (cheap: no sample counts)."""
        return [f"{a}/{b}" for a, b in self._store._q("SELECT l1, l2 FROM taxonomy ORDER BY l1, l2")]

    def has(self, l1: str, l2: str) -> bool:
        """True when L1/L2 is in the taxonomy."""
        return bool(self._store._q("SELECT 1 FROM taxonomy WHERE l1 = ? AND l2 = ?", [l1, l2]))

    def add_many(self, entries: list[tuple[str, str, str, str]]) -> int:
        """Add (l1, l2, kind, description) entries that are not there yet; returns how many were added."""
        with self._store._write_lock:
            cur = self._store._cur()
            existing = {(a, b) for a, b in cur.execute("SELECT l1, l2 FROM taxonomy").fetchall()}
            new = [(l1, l2, k, d) for l1, l2, k, d in entries if (l1, l2) not in existing]
            for l1, l2, kind, description in new:
                _sql.insert(cur, "taxonomy", {"l1": l1, "l2": l2, "kind": kind, "description": description})
        return len(new)

    def remove(self, l1: str, l2: str) -> None:
        """Drop a type from the taxonomy (samples keep their label; it shows up as off-taxonomy)."""
        self._store._cur().execute("DELETE FROM taxonomy WHERE l1 = ? AND l2 = ?", [l1, l2])

    def rename(self, old: tuple[str, str], new: tuple[str, str], author: str) -> int:
        """Rename a type in the taxonomy and relabel its samples (each relabel is a revision)."""
        with self._store._write_lock:
            self._store._cur().execute("UPDATE taxonomy SET l1 = ?, l2 = ? WHERE l1 = ? AND l2 = ?", [*new, *old])
            f = SampleFilter(task_type=f"{old[0]}/{old[1]}")
            return self._store.samples.update_many(f, {"task_l1": new[0], "task_l2": new[1]}, author, "relabel",
                                                   f"taxonomy rename {old[0]}/{old[1]} -> {new[0]}/{new[1]}")

    def set_target(self, l1: str, l2: str, share: float | None = None, count: int | None = None) -> None:
        """Set a type's target share (0..1) or count; harder types deserve more data, so targets differ."""
        self._store._cur().execute("UPDATE taxonomy SET target_share = ?, target_count = ? WHERE l1 = ? AND l2 = ?",
                                   [share, count, l1, l2])
