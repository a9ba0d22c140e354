"""`SampleFilter`, the one query language over samples, and its translation into a WHERE clause."""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field

from ._sql import Where, in_list
from .schema import NOT_CURATED, UNTYPED


@dataclass
class SampleFilter:
    """Which samples a view, step or export works on. Empty fields mean "any"."""

    dataset: str | list[str] | None = None
    task_type: str | list[str] | None = None  # "L1", "L1/L2", or UNTYPED
    status: str | list[str] | None = None
    exclude_status: list[str] = field(default_factory=list)
    split: str | None = None
    tag: str | None = None  # exact tag, or a prefix ending in "*" ("robustness:*")
    search: str | None = None  # case-insensitive substring of a turn's content (never of roles or JSON syntax)
    language: str | None = None
    ids: list[str] | None = None
    limit: int | None = None
    offset: int = 0

    def to_dict(self) -> dict:
        """The filter as recorded in manifests and results (empty fields left out)."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v not in (None, [], 0)}


def curated_filter(**kw) -> SampleFilter:
    """The default selection for export and training: everything not rejected and not a duplicate."""
    return SampleFilter(exclude_status=list(NOT_CURATED), **kw)


def curated(f: SampleFilter) -> SampleFilter:
    """`f` limited to the curated selection, unless it names review statuses itself (then it means them)."""
    if f.status:
        return f
    excluded = list(f.exclude_status or [])
    return dataclasses.replace(f, exclude_status=excluded + [s for s in NOT_CURATED if s not in excluded])


def _as_list(v) -> list:
    return v if isinstance(v, list) else [v]


def like_pattern(text: str) -> str:
    """An ILIKE pattern matching `text` anywhere, with the pattern characters escaped (use with ESCAPE '\\')."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# The turns' contents of the stored messages JSON; only they are searched.
_CONTENTS_TYPE = '[{"content": "VARCHAR"}]'


def search_condition(text: str) -> list:
    """[SQL, params...]: some turn's content contains `text`, case-insensitively.

    The stored conversation is JSON, so searching its raw text would match role names and keys ("assistant"
    matches every sample) and miss text with a quote (stored as \\"). The raw text is only a cheap first pass, with
    the search text escaped as JSON writes it; the contents are then parsed and compared for the rows it leaves.
    """
    escaped = json.dumps(text, ensure_ascii=False)[1:-1]
    return ["messages ILIKE ? ESCAPE '\\' AND len(list_filter(from_json(messages, '" + _CONTENTS_TYPE + "'), "
            "lambda m: contains(lower(m.content), lower(?)))) > 0", like_pattern(escaped), text]


def sample_where(f: SampleFilter | None) -> tuple[str, list]:
    """Translate a filter into a WHERE clause over `samples` with bound parameters."""
    w = Where()
    if f is None:
        return w.render()
    if f.dataset:
        ds = _as_list(f.dataset)
        w.add(f"dataset IN ({in_list(len(ds))})", *ds)
    if f.task_type:
        parts, params = [], []
        for t in _as_list(f.task_type):
            if t == UNTYPED:
                parts.append("(task_l1 IS NULL OR task_l2 IS NULL)")
            elif "/" in t:
                l1, l2 = (s.strip() for s in t.split("/", 1))
                parts.append("(task_l1 = ? AND task_l2 = ?)")
                params.extend([l1, l2])
            else:
                parts.append("task_l1 = ?")
                params.append(t.strip())
        w.add("(" + " OR ".join(parts) + ")", *params)
    if f.status:
        st = _as_list(f.status)
        w.add(f"status IN ({in_list(len(st))})", *st)
    if f.exclude_status:
        w.add(f"status NOT IN ({in_list(len(f.exclude_status))})", *f.exclude_status)
    if f.split:
        if f.split == "none":
            w.add("split IS NULL")
        else:
            w.add("split = ?", f.split)
    if f.tag:
        if f.tag.endswith("*"):
            w.add("len(list_filter(tags, lambda t: starts_with(t, ?))) > 0", f.tag[:-1])
        else:
            w.add("list_contains(tags, ?)", f.tag)
    if f.search:
        w.add(*search_condition(f.search))
    if f.language:
        w.add("language = ?", f.language)
    if f.ids is not None:
        w.add("list_contains(?, id)", list(f.ids))
    return w.render()


def parse_task_type(value: str | None) -> tuple[str | None, str | None]:
    """`"reasoning / math"` -> ("reasoning", "math"); empty -> (None, None)."""
    if value is None or not str(value).strip():
        return None, None
    parts = [p.strip() for p in str(value).split("/", 1)]
    return parts[0] or None, (parts[1] or None) if len(parts) > 1 else None


def task_type_label(l1: str | None, l2: str | None) -> str | None:
    """`L1/L2` for display and export; None for untyped."""
    if not l1:
        return None
    return f"{l1}/{l2}" if l2 else l1
