"""The default two-level task_type taxonomy: abilities and vertical domains."""
from __future__ import annotations

from .errors import UserError

_ABILITIES = {
    "information extraction": ["structured output", "entity attributes", "relation extraction"],
    "reading comprehension": ["extractive QA", "multiple choice"],
    "creative writing": ["story", "poetry", "copywriting"],
    "role-play": ["character", "customer service"],
    "reasoning": ["common-sense", "multi-step CoT", "math"],
    "translation": ["zh→en", "en→zh", "other languages"],
    "classification": ["sentiment", "topic", "intent"],
    "NER": ["general", "domain-specific"],
    "summarization": ["news", "dialogue", "document"],
    "code": ["generation", "explanation", "debugging", "SQL"],
    "RAG": ["grounded QA", "citation"],
    "agent": ["function call", "planning"],
    "long context": ["long-document QA", "long summarization"],
    "complex instructions": ["multi-constraint", "format following"],
    "multi-turn chat": ["open chat", "clarification"],
}
_DOMAINS = {
    "education": ["tutoring", "knowledge QA", "grading"],
    "medical": ["knowledge QA", "consultation"],
    "finance": ["knowledge QA", "analysis"],
    "legal": ["knowledge QA", "consultation"],
    "e-commerce": ["customer service", "product copy"],
    "travel": ["planning", "knowledge QA"],
    "entertainment": ["recommendation", "knowledge QA"],
    "HR": ["recruiting", "policy QA"],
    "logistics": ["tracking", "knowledge QA"],
}

# (l1, l2, kind, description) rows seeded into a new store.
DEFAULT_TAXONOMY: list[tuple[str, str, str, str]] = (
    [(l1, l2, "ability", f"{l1} — {l2}") for l1, l2s in _ABILITIES.items() for l2 in l2s]
    + [(l1, l2, "domain", f"{l1} — {l2}") for l1, l2s in _DOMAINS.items() for l2 in l2s]
)

KINDS = ("ability", "domain")  # what a taxonomy entry describes: a skill, or a vertical domain


# ---------------------------------------------------------------- edits (the CLI and the Taxonomy page call these)
def two_levels(value: str | None) -> tuple[str, str]:
    """(L1, L2) of an "L1/L2" task type; a UserError when either level is missing."""
    from .store import parse_task_type
    l1, l2 = parse_task_type(value)
    if not l1 or not l2:
        raise UserError(f"task type {value!r} must have two levels, like 'reasoning/math'")
    return l1, l2


def add_type(store, value: str, kind: str = "ability", description: str | None = None) -> int:
    """Add one task type to the taxonomy; returns how many entries were new (0 or 1)."""
    if kind not in KINDS:
        raise UserError(f"unknown taxonomy kind {kind!r}; choose from {', '.join(KINDS)}")
    l1, l2 = two_levels(value)
    return store.taxonomy.add_many([(l1, l2, kind, description or f"{l1} — {l2}")])


def rename_type(store, old: str, new: str | None, author: str) -> int:
    """Rename a task type and relabel its samples (a revision each); returns how many were relabelled."""
    if not new:
        raise UserError("rename needs a new name NEW_L1/NEW_L2")
    return store.taxonomy.rename(two_levels(old), two_levels(new), author)


def set_target(store, value: str, share: float | None = None, count: int | None = None) -> None:
    """Set a task type's target: a share of the set (0..1) or a sample count (neither: no target)."""
    l1, l2 = two_levels(value)
    if share is not None and not 0 <= share <= 1:
        raise UserError(f"the target share must be between 0 and 1, got {share}")
    if count is not None and count < 0:
        raise UserError(f"the target count must be 0 or more, got {count}")
    store.taxonomy.set_target(l1, l2, share, count)


def remove_type(store, value: str) -> None:
    """Remove a task type from the taxonomy; its samples keep their label."""
    store.taxonomy.remove(*two_levels(value))
