"""The protection rule: robustness data is never cleaned away by an automatic step.

Robustness samples look like dirt on purpose (typos, cut-off prompts, pinyin), so every automatic step that can
remove a sample (dedup, quality checks, filters, export defaults, anything added later) must ask this module
first. A sample is protected when it carries a *confirmed* robustness tag (`robustness:<kind>`) or was generated
as a robustness variant (`robustness:generated:<kind>`). Detector suggestions are stored apart from tags and
protect nothing until an annotator confirms them.

Only an explicit human action on that very sample may reject it, mark it duplicate or exclude it, and that
action is recorded in the sample's history like every other change (store.samples.update).

The hook, for authors of automatic steps:

    from curation.protection import guard_automatic_change, split_protected

    keep, drop = split_protected(candidates)           # a batch step: never touch `keep`, report it
    guard_automatic_change(sample, "duplicate", actor)  # a single change: raises ProtectedSampleError

`actor` names who makes a change. Automatic steps use `auto:<step>` (e.g. `auto:dedup`); anything else is a
person. `store.samples.update` callers from automatic code must pass such an actor.
"""
from __future__ import annotations

from .errors import UserError
from .store.schema import NOT_CURATED

ROBUSTNESS_PREFIX = "robustness:"
GENERATED_PREFIX = "robustness:generated:"
# Statuses and actions that take a sample out of the training data.
REMOVING_STATUSES = frozenset(NOT_CURATED)
AUTOMATIC_PREFIX = "auto:"


class ProtectedSampleError(UserError):
    """An automatic step tried to remove a protected robustness sample."""


def protecting_tags(sample: dict) -> list[str]:
    """The tags that make a sample protected (confirmed or generated robustness tags)."""
    return [t for t in sample.get("tags") or [] if t.startswith(ROBUSTNESS_PREFIX)]


def is_protected(sample: dict) -> bool:
    """True when no automatic step may remove, reject or mark this sample duplicate."""
    return bool(protecting_tags(sample))


def protected_reason(sample: dict) -> str | None:
    """Why a sample is protected, for views and step reports ("protected: robustness:typo"); None if it isn't."""
    tags = protecting_tags(sample)
    if not tags:
        return None
    return "protected robustness data (" + ", ".join(tags) + "); only a person can remove it"


def is_automatic(actor: str | None) -> bool:
    """Automatic steps identify themselves as `auto:<step>`; a missing actor is treated as automatic too."""
    return not actor or actor.startswith(AUTOMATIC_PREFIX)


def removes(new_status: str | None) -> bool:
    """True when moving to this status takes a sample out of the training data."""
    return new_status in REMOVING_STATUSES


def guard_automatic_change(sample: dict, new_status: str | None, actor: str | None) -> None:
    """Raise ProtectedSampleError when an automatic actor would remove a protected sample.

    Every automatic step calls this (or `split_protected` for a batch) before it rejects, marks duplicate or
    drops a sample. People (any actor not starting with `auto:`) pass; their change is recorded as usual.
    """
    if removes(new_status) and is_automatic(actor) and is_protected(sample):
        raise ProtectedSampleError(
            f"{actor or 'an automatic step'} may not set sample {sample.get('id')} to {new_status}: "
            f"{protected_reason(sample)}")


def split_protected(samples):
    """Split a batch an automatic step wants to remove into (protected, removable)."""
    protected, removable = [], []
    for s in samples:
        (protected if is_protected(s) else removable).append(s)
    return protected, removable


def export_keeps(sample: dict, selected_by_filter: bool) -> bool:
    """Whether an export with default settings includes this sample.

    Protected samples are kept even when the export's default filter would leave them out (e.g. a generated
    variant still pending review), unless a person rejected them or marked them duplicate: the status of a
    protected sample can only have been set to those by a person (the guard refuses automatic actors).
    """
    if is_protected(sample):
        return sample.get("status") not in REMOVING_STATUSES
    return selected_by_filter
