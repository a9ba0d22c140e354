"""Evaluation sets: the export's eval split, benchmark files, and the optional general (forgetting) set.

Everything becomes a list of items in one shape, so the same code scores all of them:
    {"id", "task_type", "messages" (ending with the reference answer), "tools", "prompt", "reference"}
A benchmark file may be messages JSONL (canonical or ShareGPT-style `conversations`) or question/answer JSONL
such as GSM8K's test file (`question` / `answer`, and the other field pairs `curation.decontam` knows); a JSON
array of such records works too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from curation.errors import UserError
from curation.formats import load_records

SUITE_KINDS = ("eval", "benchmark", "general")
_ROLE_ALIASES = {"human": "user", "gpt": "assistant", "bot": "assistant", "observation": "tool"}


@dataclass
class Suite:
    """A named set of items scored together (one report section)."""

    name: str  # "eval", "benchmark-<file stem>", "general"
    kind: str  # eval | benchmark | general
    source: str  # where the items came from
    items: list[dict] = field(default_factory=list)
    metric: str | None = None  # declared metric for every item (benchmarks); None = per task_type
    skipped: list[dict] = field(default_factory=list)  # {"id"/"line", "reason"} for records that cannot be used


def item_from_sample(sample: dict, default_type: str | None = None) -> dict | None:
    """A canonical sample as an eval item; None when it does not end with an assistant answer."""
    msgs = sample.get("messages") or []
    if not msgs or msgs[-1].get("role") != "assistant" or not (msgs[-1].get("content") or "").strip():
        return None
    users = [m.get("content") or "" for m in msgs if m.get("role") == "user"]
    if not users:
        return None
    return {"id": str(sample.get("id")), "task_type": sample.get("task_type") or default_type,
            "messages": msgs, "tools": sample.get("tools") or None, "prompt": users[-1],
            "reference": msgs[-1]["content"]}


def split_suite(samples: list[dict], name: str = "eval", kind: str = "eval", source: str = "") -> Suite:
    """A suite from canonical samples (the export's eval split, or a general set in messages form)."""
    suite = Suite(name, kind, source)
    for s in samples:
        item = item_from_sample(s)
        if item is None:
            suite.skipped.append({"id": s.get("id"), "reason": "does not end with a non-empty assistant answer"})
        else:
            suite.items.append(item)
    return suite


def load_file_suite(path, kind: str = "benchmark", metric: str | None = None, name: str | None = None) -> Suite:
    """A benchmark or general set from a file: messages JSONL, question/answer JSONL, or a JSON array."""
    from .metrics import check_metrics

    p = Path(path).expanduser()
    if not p.is_file():
        raise UserError(f"{kind} file {p} does not exist" if not p.exists() else f"{p} is not a file")
    check_metrics([metric])
    stem = re.sub(r"[^\w.-]+", "-", p.stem).strip("-") or "file"
    suite = Suite(name or (f"benchmark-{stem}" if kind == "benchmark" else kind), kind, str(p), metric=metric)
    default_type = f"{kind}/{stem}"
    for n, rec in enumerate(load_records(p), 1):
        item, reason = _item_from_record(rec, n, stem, default_type)
        if item is None:
            suite.skipped.append({"line": n, "reason": reason})
        else:
            suite.items.append(item)
    if not suite.items:
        first = suite.skipped[0]["reason"] if suite.skipped else "the file is empty"
        raise UserError(f"{p}: no usable items ({len(suite.skipped)} records; first problem: {first}). Each line "
                        f"needs `messages` ending with an assistant answer, or question/answer fields")
    return suite


def _item_from_record(rec, n: int, stem: str, default_type: str) -> tuple[dict | None, str]:
    if isinstance(rec, Exception):
        return None, str(rec)
    if not isinstance(rec, dict):
        return None, "not a JSON object"
    rid = str(rec.get("id", f"{stem}:{n}"))
    msgs = rec.get("messages") or rec.get("conversations")
    if isinstance(msgs, list):
        sample = {"id": rid, "task_type": rec.get("task_type"), "messages": _canonical_turns(msgs),
                  "tools": rec.get("tools") if isinstance(rec.get("tools"), list) else None}
        item = item_from_sample(sample, default_type)
        return item, "messages do not end with a non-empty assistant answer"
    question, answer = _qa(rec)
    if not question or not answer:
        return None, "no messages and no question/answer fields"
    messages = [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
    sample = {"id": rid, "task_type": rec.get("task_type") or default_type, "messages": messages}
    return item_from_sample(sample, default_type), ""


def _canonical_turns(msgs: list) -> list[dict]:
    out = []
    for m in msgs:
        if not isinstance(m, dict):
            continue
        role = m.get("role") or m.get("from")
        turn = {"role": _ROLE_ALIASES.get(role, role), "content": m.get("content", m.get("value"))}
        if m.get("tool_calls"):
            turn["tool_calls"] = m["tool_calls"]
        if m.get("tool_call_id"):
            turn["tool_call_id"] = m["tool_call_id"]
        out.append(turn)
    return out


def _qa(rec: dict) -> tuple[str | None, str | None]:
    from curation.decontam import QA_FIELDS

    for q, a in QA_FIELDS:
        if a and isinstance(rec.get(q), str) and isinstance(rec.get(a), str) and rec[q].strip():
            extra = rec.get("input") if q == "instruction" and isinstance(rec.get("input"), str) else ""
            return rec[q] + ("\n" + extra if extra else ""), rec[a]
    return None, None


def cap_per_type(items: list[dict], max_per_type: int) -> list[dict]:
    """At most `max_per_type` items of each task_type, chosen by id so base and tuned, and reruns, see the
    same items (0 = no cap)."""
    if not max_per_type:
        return list(items)
    by_type: dict[str, list[dict]] = {}
    for it in sorted(items, key=lambda i: i["id"]):
        by_type.setdefault(it["task_type"] or "", []).append(it)
    keep = {it["id"] for group in by_type.values() for it in group[:max_per_type]}
    return [it for it in items if it["id"] in keep]
