"""Special data per task_type: agent / function-call coverage, the four RAG cases, where long prompts keep their
key information, and how often answers meet the checkable constraints of complex instructions.

The per-sample logic lives in the special checks (curation/checks/agent.py, rag.py, long_context.py,
instructions.py), which also raise the review pre-flags on import and on demand; this module aggregates the
same findings over a selection, per task_type, with warnings (`special_report`). A reviewer confirms or rejects
a detected RAG case with `confirm_rag_case` (a tag, so a revision); the report counts confirmed cases as
present and rejected ones as absent, whatever the heuristic says.
"""
from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .checks.agent import AgentCallCheck, AgentSettings, profile as agent_profile
from .checks.instructions import InstructionSettings, verdicts
from .checks.long_context import POSITIONS, LongContextSettings, position
from .checks.rag import CASE_TITLES, CASES, RagCheck, RagSettings, detect_cases
from .errors import UserError
from .messages import readable_turns
from .store import UNTYPED, SampleFilter, Store

ALL = "(all)"
CONFIRMED, REJECTED = "rag:", "rag-rejected:"


@dataclass
class SpecialSettings:
    """What the special-data report counts, and when it warns."""

    # task_types (L1 or L2, case-insensitive substring) whose samples are agent data, tools or not; samples
    # that declare tools count as agent data whatever their type
    agent_types: str = "agent,tool,function"
    lopsided_share: float = 0.7  # warn when this share of a type's long prompts keep their key info in one third
    min_samples: int = 10  # fewer samples of a type: too few to warn about its distribution
    agent: AgentSettings = field(default_factory=AgentSettings)
    rag: RagSettings = field(default_factory=RagSettings)
    long_context: LongContextSettings = field(default_factory=LongContextSettings)
    instructions: InstructionSettings = field(default_factory=InstructionSettings)


def is_agent_type(task_type: str | None, pattern: str) -> bool:
    """True when the task_type names agent data (a word of `pattern` in its L1 or L2)."""
    words = [w.strip().lower() for w in pattern.split(",") if w.strip()]
    return bool(task_type) and any(w in task_type.lower() for w in words)


class _Tally:
    """The per-task_type counters of one report."""

    def __init__(self):
        self.samples = Counter()
        self.agent = {}
        self.rag = {}
        self.long = {}
        self.constraints = {}

    def group(self, table: dict, key: str, factory) -> dict | Counter:
        if key not in table:
            table[key] = factory()
        return table[key]


def _rag_counts():
    return {"samples": 0, **{c: Counter() for c in CASES}}


def analyse(samples: Iterable[dict], settings: SpecialSettings | None = None) -> dict:
    """The special-data report of samples (dicts with messages, tools, task_type, tags): the library behind
    `special_report`, usable on any iterable."""
    s = settings or SpecialSettings()
    agent_check, rag_check = AgentCallCheck(s.agent), RagCheck(s.rag)
    t = _Tally()
    for sample in map(_readable, samples):
        tt = sample.get("task_type") or UNTYPED
        for key in (tt, ALL):
            t.samples[key] += 1
        _agent(t, tt, sample, s, agent_check)
        _rag(t, tt, sample, rag_check)
        _long(t, tt, sample, s)
        _constraints(t, tt, sample, s)
    return _report(t, s)


def _readable(sample: dict) -> dict:
    """The sample with its turns as messages.readable_turns reads them: what an older store may hold (a turn that
    is not an object, content that is not text, a bare-string tool call) is counted as what it can be read as, and
    never stops the report. The malformed_turns check flags such a sample for review."""
    turns = readable_turns(sample.get("messages"))
    return sample if turns is sample.get("messages") else {**sample, "messages": turns}


def _both(tt: str):
    return (tt, ALL)


def _agent(t: _Tally, tt: str, sample: dict, s: SpecialSettings, check: AgentCallCheck) -> None:
    if not sample.get("tools") and not is_agent_type(tt, s.agent_types) and not any(
            isinstance(m, dict) and m.get("tool_calls") for m in sample.get("messages") or []):
        return
    p = agent_profile(sample)
    flags = check.find(sample, {})
    for key in _both(tt):
        c = t.group(t.agent, key, Counter)
        c["samples"] += 1
        c.update(k for k in ("declares_tools", "single", "parallel", "final_answer", "no_tool") if p[k])
        c["calls"] += p["calls"]
        c["multi_step"] += p["call_turns"] > 1
        c["flagged"] += bool(flags)
        for f in flags:
            c["problem:" + re.sub(r"'[^']*'", "…", f.reason.split(":")[0])] += 1


def _rag(t: _Tally, tt: str, sample: dict, check: RagCheck) -> None:
    ctx = check.context(sample)
    tags = set(sample.get("tags") or [])
    if ctx is None and not any(x.startswith(CONFIRMED) for x in tags):
        return
    found = detect_cases(ctx, check.settings) if ctx is not None else dict.fromkeys(CASES)
    for key in _both(tt):
        g = t.group(t.rag, key, _rag_counts)
        g["samples"] += 1
        for case in CASES:
            verdict, c = found[case], g[case]
            confirmed, rejected = CONFIRMED + case in tags, REJECTED + case in tags
            c["detected"] += verdict is not None
            c["confirmed"] += confirmed
            c["rejected"] += rejected
            present = confirmed or (verdict is not None and not rejected)
            c["present"] += present
            c["mishandled"] += present and verdict not in (None, "ok")


def _long(t: _Tally, tt: str, sample: dict, s: SpecialSettings) -> None:
    found = position(sample, s.long_context)
    if found is None:
        return
    for key in _both(tt):
        c = t.group(t.long, key, Counter)
        c["samples"] += 1
        c[found["position"] or ("unlocated" if found["judged"] else "too_short")] += 1


def _constraints(t: _Tally, tt: str, sample: dict, s: SpecialSettings) -> None:
    found = verdicts(sample, s.instructions)
    if not found:
        return
    for key in _both(tt):
        c = t.group(t.constraints, key, Counter)
        c["samples"] += 1
        c["violating_samples"] += any(not v.ok for _, _, v in found)
        for _, con, v in found:
            c[f"{con.kind}:checked"] += 1
            c[f"{con.kind}:violated"] += not v.ok


def _share(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _report(t: _Tally, s: SpecialSettings) -> dict:
    warnings: list[dict] = []
    agent = [_agent_row(k, c) for k, c in sorted(t.agent.items(), key=_order)]
    for r in agent:
        if r["task_type"] != ALL and r["samples"] >= s.min_samples and r["no_tool"] == 0:
            warnings.append(_warn("agent", r["task_type"], "no \"no tool needed\" samples: a model trained on it "
                                                           "calls a tool for every request"))
        if r["task_type"] != ALL and r["samples"] >= s.min_samples and r["parallel"] == 0:
            warnings.append(_warn("agent", r["task_type"], "no parallel calls (several calls in one turn)"))
    rag = [_rag_row(k, g) for k, g in sorted(t.rag.items(), key=_order)]
    for r in rag:
        missing = [c for c in CASES if not r[f"{c}_present"]]
        if r["task_type"] != ALL and r["samples"] >= s.min_samples and missing:
            warnings.append(_warn("rag", r["task_type"], "missing case(s): " + ", ".join(missing)))
    long_rows = [_long_row(k, c) for k, c in sorted(t.long.items(), key=_order)]
    for r in long_rows:
        located = sum(r[p] for p in POSITIONS)
        top = max(POSITIONS, key=lambda p: r[p])
        if r["task_type"] != ALL and located >= s.min_samples and r[top] / located >= s.lopsided_share:
            warnings.append(_warn("long_context", r["task_type"],
                                  f"{r[top] / located:.0%} of long prompts keep the answer's support at the {top}: "
                                  f"a model learns to read only the {top}"))
    cons = [_constraint_row(k, c) for k, c in sorted(t.constraints.items(), key=_order)]
    return {"samples": dict(t.samples), "agent": agent, "rag": rag, "rag_cases": CASE_TITLES,
            "long_context": long_rows, "constraints": cons, "warnings": warnings,
            "settings": dataclasses.asdict(s)}


def _order(item):
    return (item[0] == ALL, item[0])


def _warn(section: str, task_type: str, message: str) -> dict:
    return {"section": section, "task_type": task_type, "message": message}


def _agent_row(tt: str, c: Counter) -> dict:
    n = c["samples"]
    problems = {k.split(":", 1)[1]: v for k, v in c.items() if k.startswith("problem:")}
    return {"task_type": tt, "samples": n, "declares_tools": c["declares_tools"], "calls": c["calls"],
            "single": c["single"], "parallel": c["parallel"], "multi_step": c["multi_step"],
            "final_answer": c["final_answer"], "no_tool": c["no_tool"], "no_tool_share": _share(c["no_tool"], n),
            "flagged": c["flagged"], "flagged_share": _share(c["flagged"], n),
            "problems": dict(sorted(problems.items(), key=lambda kv: -kv[1]))}


def _rag_row(tt: str, g: dict) -> dict:
    row = {"task_type": tt, "samples": g["samples"]}
    for case in CASES:
        c = g[case]
        row.update({f"{case}_present": c["present"], f"{case}_share": _share(c["present"], g["samples"]),
                    f"{case}_detected": c["detected"], f"{case}_confirmed": c["confirmed"],
                    f"{case}_rejected": c["rejected"], f"{case}_mishandled": c["mishandled"]})
    return row


def _long_row(tt: str, c: Counter) -> dict:
    located = sum(c[p] for p in POSITIONS)
    return {"task_type": tt, "samples": c["samples"], **{p: c[p] for p in POSITIONS},
            **{f"{p}_share": _share(c[p], located) for p in POSITIONS},
            "unlocated": c["unlocated"], "too_short": c["too_short"]}


def _constraint_row(tt: str, c: Counter) -> dict:
    kinds = sorted({k.split(":")[0] for k in c if k.endswith(":checked")})
    return {"task_type": tt, "samples": c["samples"], "violating_samples": c["violating_samples"],
            "violating_share": _share(c["violating_samples"], c["samples"]),
            **{f"{k}_checked": c[f"{k}:checked"] for k in kinds},
            **{f"{k}_violated": c[f"{k}:violated"] for k in kinds}}


def special_report(store: Store, f: SampleFilter | None = None, settings: SpecialSettings | None = None) -> dict:
    """The special-data report of a selection of the store, per task_type (see `analyse`)."""
    return analyse(store.samples.iter(f), settings)


def rag_case_samples(store: Store, f: SampleFilter | None, case: str, settings: RagSettings | None = None,
                     limit: int = 200) -> list[dict]:
    """The samples of a selection where a RAG case is detected or confirmed: id, task_type, the heuristic's
    verdict and the reviewer's (confirmed / rejected / None), for the confirmation table."""
    _check_case(case)
    check = RagCheck(settings)
    out = []
    for s in map(_readable, store.samples.iter(f)):
        ctx = check.context(s)
        tags = set(s.get("tags") or [])
        verdict = detect_cases(ctx, check.settings)[case] if ctx is not None else None
        if verdict is None and CONFIRMED + case not in tags:
            continue
        review = "confirmed" if CONFIRMED + case in tags else "rejected" if REJECTED + case in tags else None
        out.append({"id": s["id"], "task_type": s.get("task_type") or UNTYPED,
                    "heuristic": verdict or "not detected", "reviewer": review,
                    "documents": len(ctx.docs) if ctx else None, "answer": (ctx.answer if ctx else "")[:120]})
        if len(out) >= limit:
            break
    return out


def _check_case(case: str) -> None:
    if case not in CASES:
        raise UserError(f"unknown RAG case {case!r}; choose from {', '.join(CASES)}")


def confirm_rag_case(store: Store, sample_ids: list[str], case: str, author: str, reject: bool = False) -> int:
    """A reviewer's verdict on a RAG case: tag `rag:<case>` (confirmed) or `rag-rejected:<case>` (not this case),
    replacing the opposite tag; each change is a revision. Returns how many samples changed."""
    _check_case(case)
    if not sample_ids:
        raise UserError("no samples given to confirm or reject")
    add, drop = (REJECTED + case, CONFIRMED + case) if reject else (CONFIRMED + case, REJECTED + case)
    changed = 0
    for sid in sample_ids:
        before = store.samples.get(sid)["tags"]
        store.samples.remove_tag(sid, drop, author, note=f"RAG case {case}: reviewer verdict")
        after = store.samples.add_tag(sid, add, author, note=f"RAG case {case}: reviewer verdict")["tags"]
        changed += sorted(before) != sorted(after)
    return changed
