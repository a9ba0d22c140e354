"""The default two-level task_type taxonomy: abilities and vertical domains."""
from __future__ import annotations

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
