"""The overview every page header and `curation stats` starts from: what is in the store."""
from __future__ import annotations

from .store import SampleFilter, Store, UNTYPED, task_type_label


def overview(store: Store, f: SampleFilter | None = None) -> dict:
    """Totals and counts by dataset, status, split, language and task_type (untyped flagged)."""
    by_type = [{"task_type": task_type_label(l1, l2) or UNTYPED, "samples": n}
               for l1, l2, n in store.samples.counts_by("task_type", f)]
    untyped = sum(r["samples"] for r in by_type if r["task_type"] == UNTYPED)
    return {
        "total": store.samples.count(f),
        "untyped": untyped,
        "by_dataset": dict(store.samples.counts_by("dataset", f)),
        "by_status": dict(store.samples.counts_by("status", f)),
        "by_split": {k or "unassigned": v for k, v in store.samples.counts_by("split", f)},
        "by_language": dict(store.samples.counts_by("language", f)),
        "by_task_type": by_type,
        "quarantined": len(store.quarantine.list()),
        "store_revision": store.revision(),
        "filter": (f or SampleFilter()).to_dict(),
    }
