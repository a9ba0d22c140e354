"""Relabelling: the rules for changing the task_type of many samples at once, shared by the CLI and the pages."""
from __future__ import annotations

import dataclasses

from .errors import UserError
from .store import SampleFilter, Store, parse_task_type

# Fields that narrow a selection. limit/offset page a view and exclude_status only trims one, so none of them
# makes "every sample of the store" a deliberate choice.
_NARROWING = ("dataset", "task_type", "status", "split", "tag", "search", "language", "ids")


def active_filters(f: SampleFilter) -> dict:
    """The narrowing fields a filter sets, as shown to the user before a bulk change ({} means: every sample)."""
    out = {}
    for name in _NARROWING:
        v = getattr(f, name)
        if isinstance(v, str):
            v = v.strip()
        if v not in (None, "", []):
            out[name] = v
    return out


def describe_filter(f: SampleFilter) -> str:
    """The active filters in one line, e.g. "dataset = a, b; task_type = reasoning/math" ("" for none)."""
    return "; ".join(f"{k} = {', '.join(map(str, v)) if isinstance(v, list) else v}"
                     for k, v in active_filters(f).items())


def relabel(store: Store, f: SampleFilter, to: str, author: str, note: str | None = None,
            allow_all: bool = False) -> dict:
    """Set the task_type of every sample matching `f` (each change a revision). Refuses an empty filter unless
    `allow_all`, so a cleared or forgotten filter can never relabel the whole store. Returns what it did."""
    l1, l2 = parse_task_type(to)
    if not l1 or not l2:
        raise UserError(f"--to {to!r} must have two levels, like 'reasoning/math'",
                        ui=f"the new task_type {to!r} must have two levels, like 'reasoning/math'")
    active = active_filters(f)
    if not active and not allow_all:
        raise UserError("relabel needs a filter (e.g. --task-type old/type) or --all",
                        ui="Relabel needs a filter: pick a dataset, task type, status, split or tag, or type a "
                           "search text. An empty filter would relabel every sample of the store.")
    whole = dataclasses.replace(f, limit=None, offset=0)
    n = store.samples.update_many(whole, {"task_l1": l1, "task_l2": l2}, author, "relabel", note)
    return {"relabelled": n, "task_type": f"{l1}/{l2}", "filter": whole.to_dict()}
