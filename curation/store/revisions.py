"""`store.revisions`: the append-only history of every sample (who, when, before, after), and restoring it."""
from __future__ import annotations

from ..errors import UserError
from . import _sql
from .filters import task_type_label
from .schema import TRACKED


class Revisions:
    """The revisions table. Revision 0 of a sample, the import, is implicit."""

    def __init__(self, store):
        self._store = store

    def list(self, sample_id: str) -> list[dict]:
        """Every revision of a sample, oldest first (before and after parsed)."""
        return _sql.dicts(self._store._cur(), "SELECT * FROM revisions WHERE sample_id = ? ORDER BY rev", [sample_id],
                          ("before", "after"))

    def sample_at(self, sample_id: str, rev: int) -> dict:
        """The sample as it was at revision `rev` (0 = as imported), rebuilt by undoing later revisions."""
        s = self._store.samples.get(sample_id)
        if rev < 0 or rev > s["rev"]:
            raise UserError(f"sample {sample_id} has revisions 0..{s['rev']}, not {rev}")
        for r in reversed(self.list(sample_id)):
            if r["rev"] <= rev:
                break
            s.update(r["before"])
        s["rev"] = rev
        s["task_type"] = task_type_label(s.get("task_l1"), s.get("task_l2"))
        return s

    def restore(self, sample_id: str, rev: int, author: str, note: str | None = None) -> dict:
        """Make revision `rev` current again, as a new revision (history is never rewritten)."""
        old = self.sample_at(sample_id, rev)
        changes = {k: old[k] for k in TRACKED}
        return self._store.samples.update(sample_id, changes, author, "restore", note or f"restored revision {rev}")

    def _add(self, cur, sample_id, rev, at, author, action, before, after, note) -> None:
        """Append one revision row (inside the caller's transaction)."""
        _sql.insert(cur, "revisions", {"sample_id": sample_id, "rev": rev, "changed_at": at, "author": author,
                                       "action": action, "before": before, "after": after, "note": note},
                    json_cols=("before", "after"))
