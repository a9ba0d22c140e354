"""Sessions that span log files: the part a later file holds is merged into the candidate an earlier file made.

Logs rotate (daily files, size limits), so one conversation can start in `2024-03-15.jsonl` and end in
`2024-03-16.jsonl`. A session id seen before (in an earlier file of the same import, or in an earlier import)
continues that candidate: the two parts are put in time order (by their first and last timestamps, since a candidate
keeps no timestamp per turn), the turns both hold are kept once (an OpenAI log repeats the whole history in every
request), and the merged session replaces the earlier candidate, with a note naming the file that continued it.

A part is not merged, and the import reports why, when merging would guess: the parts' times interleave, the later
part starts more than `gap` after the earlier one ends (a session id used again), both have a turn of the same role
at the seam, the later part brings its own system prompt, they declare different tools, or the earlier candidate
was promoted or dismissed already.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass
class Part:
    """One side of a merge: a candidate row and its redactions (dicts with `turn`)."""

    row: dict
    redactions: list[dict]


def overlap(a: list[dict], b: list[dict]) -> int:
    """The largest k such that the last k turns of `a` are the first k of `b`."""
    for k in range(min(len(a), len(b)), 0, -1):
        if a[-k:] == b[:k]:
            return k
    return 0


def contains(big: list[dict], small: list[dict]) -> bool:
    """Whether `small` is a run of consecutive turns of `big` (a part merged before)."""
    n = len(small)
    return any(big[i:i + n] == small for i in range(len(big) - n + 1))


def nearest(rows: list[dict], row: dict) -> dict | None:
    """Of the candidates of one session id, the one whose time span is closest to `row`'s (the latest-ending one
    when times are missing): a session id used again on another day must not pull a part away from its own day."""
    if not rows:
        return None
    start, end = row["started_at"], row["ended_at"]
    if start is None or end is None:
        return rows[0]

    def distance(c: dict) -> float:
        if c["started_at"] is None or c["ended_at"] is None:
            return float("inf")
        if c["ended_at"] < start:
            return (start - c["ended_at"]).total_seconds()
        if end < c["started_at"]:
            return (c["started_at"] - end).total_seconds()
        return 0.0
    return min(rows, key=distance)


def order(existing: Part, new: Part) -> tuple[Part, Part]:
    """(earlier, later) by start time; the existing part first when a time is missing."""
    a, b = existing.row["started_at"], new.row["started_at"]
    return (new, existing) if a is not None and b is not None and b < a else (existing, new)


def refusal(first: Part, second: Part, k: int, gap: timedelta) -> str | None:
    """Why the two parts (in time order, `k` turns shared) cannot be one session, or None."""
    p, q = first.row, second.row
    if k == 0 and p["ended_at"] and q["started_at"]:
        if q["started_at"] < p["ended_at"]:
            return (f"its turns ({q['started_at']:%Y-%m-%d %H:%M:%S}…) interleave in time with candidate {p['id']}'s "
                    f"(…{p['ended_at']:%Y-%m-%d %H:%M:%S}), and candidates keep no timestamp per turn to order them")
        if q["started_at"] - p["ended_at"] > gap:
            hours = (q["started_at"] - p["ended_at"]).total_seconds() / 3600
            return (f"it starts {hours:,.1f} hours after candidate {p['id']} ends (more than the merge gap of "
                    f"{gap.total_seconds() / 3600:g} hours): a session id used again, not the same session")
    rest = q["messages"][k:]
    if rest and rest[0]["role"] == "system":
        return "the later part starts with its own system prompt"
    if rest and rest[0]["role"] == p["messages"][-1]["role"]:
        return (f"both parts have a {rest[0]['role']} turn at the seam (the earlier ends with one, the later starts "
                "with one), so the turns' order is a guess")
    if p.get("tools") and q.get("tools") and p["tools"] != q["tools"]:
        return "the two parts declare different tools"
    return None


def merged(first: Part, second: Part, k: int, base: dict) -> Part:
    """The session of both parts (in time order, `k` shared turns kept once) as the candidate `base` (the one
    that was there first: its id, file, import and state stay): its messages, feedback and redactions with the
    later part's turn numbers moved past the earlier part's."""
    p, q = first.row, second.row
    keep_id = base["id"]
    shift = len(p["messages"]) - k
    feedback = list(p["feedback"])
    for f in q["feedback"]:
        f = dict(f, turn=None if f.get("turn") is None else f["turn"] + shift)
        if f not in feedback:
            feedback.append(f)
    reds = [dict(r, candidate_id=keep_id) for r in first.redactions]
    seen = {(r["turn"], r["rule"], r["start"], r["length"]) for r in reds}
    for r in second.redactions:
        if r["turn"] is not None and r["turn"] < k:
            continue  # a shared turn: the earlier part's redaction of it is kept
        r = dict(r, candidate_id=keep_id, turn=None if r["turn"] is None else r["turn"] + shift)
        if (r["turn"], r["rule"], r["start"], r["length"]) not in seen:
            reds.append(r)
    starts = [t for t in (p["started_at"], q["started_at"]) if t is not None]
    ends = [t for t in (p["ended_at"], q["ended_at"]) if t is not None]
    row = dict(base, messages=p["messages"] + q["messages"][k:], feedback=feedback,
               tools=p.get("tools") or q.get("tools"), started_at=min(starts) if starts else None,
               ended_at=max(ends) if ends else None)
    return Part(row, reds)
