"""Pre-flag for complex instructions: the answer breaks a checkable constraint of its prompt.

Constraints come from `curation.constraints.extract_constraints` (lengths in 字/words/sentences/lines, item and
paragraph counts, output language, JSON or a table, required and forbidden words, in Chinese and English); each
violation is one flag naming the constraint and the measured value ("asks length >= 200 chars; answer has 152").
"""
from __future__ import annotations

from dataclasses import dataclass

from ..constraints import Constraint, Verdict, extract_constraints, verify
from .base import CHECKS, Check, Flag


@dataclass
class InstructionSettings:
    """Answers against the checkable constraints of their prompts."""

    max_prompt_chars: int = 20_000  # constraints sit in the instruction; a pasted document after it is not read
    # kinds that are checked (all of them by default; drop one that a data set uses loosely, e.g. "items")
    kinds: str = "length,items,paragraphs,language,format,keyword,forbidden"


def exchanges(sample: dict) -> list[tuple[int, str, str]]:
    """(turn number of the answer, prompt, answer) of every user turn and the final answer that follows it."""
    out, prompt = [], None
    for i, m in enumerate(sample.get("messages") or [], 1):
        if not isinstance(m, dict):
            continue
        if m.get("role") == "user":
            prompt = m.get("content") or ""
        elif m.get("role") == "assistant" and not m.get("tool_calls") and prompt is not None:
            out.append((i, prompt, m.get("content") or ""))
            prompt = None
    return out


def verdicts(sample: dict, settings: InstructionSettings | None = None) -> list[tuple[int, Constraint, Verdict]]:
    """(answer turn, constraint, verdict) for every constraint of every prompt of a sample."""
    s = settings or InstructionSettings()
    kinds = {k.strip() for k in s.kinds.split(",") if k.strip()}
    out = []
    for turn, prompt, answer in exchanges(sample):
        for c in extract_constraints(prompt[: s.max_prompt_chars]):
            if c.kind in kinds:
                out.append((turn, c, verify(c, answer)))
    return out


def describe_violation(c: Constraint, v: Verdict) -> str:
    """"asks length >= 200 chars; answer has 152" and the like."""
    if c.kind in ("keyword", "forbidden"):
        return (f"asks to include «{c.value}»; the answer never does" if c.kind == "keyword" else
                f"forbids «{c.value}»; the answer uses it {v.measured}×")
    if c.kind == "language":
        return f"asks for an answer in {c.value}; the answer is {v.measured}"
    if c.kind == "format":
        return f"asks for {c.value.upper() if c.value == 'json' else 'a table'}; {c.value} {v.measured}"
    return f"asks {c.describe()}; answer has {v.measured}"


@CHECKS.register
class InstructionCheck(Check):
    """The answer breaks a checkable constraint of its prompt (length, items, paragraphs, language, JSON or table,
    required or forbidden words), zh and en."""

    name = "instruction_constraints"
    Settings = InstructionSettings

    def find(self, sample: dict, context: dict) -> list[Flag]:
        return [Flag(self.name, describe_violation(c, v), f"turn {turn}: prompt says «{c.source[:60]}»")
                for turn, c, v in verdicts(sample, self.settings) if not v.ok]
