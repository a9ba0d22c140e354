"""The columns a sample's content determines, computed by one rule for every way a sample enters or changes.

Import, an edit of messages or tools, and a generated robustness variant all store `derived_fields(sample)`, so a
sample's derived columns never depend on how it got into the store (before, `has_tools` and `language` followed
three different rules).
"""
from __future__ import annotations

from ..messages import content_hash, readable_turns
from ..text import answer_text, detect_language, prompt_text

# The derived columns of the samples table (see schema.SAMPLE_COLUMNS).
DERIVED_COLUMNS = ("content_hash", "n_turns", "has_system", "has_tools", "prompt_chars", "answer_chars", "language")
LANGUAGE_CHARS = 4000  # the language is detected on the first this-many characters of the prompts and of the answers


def language_text(prompt: str, answer: str) -> str:
    """The text a sample's language is detected from: the head of its prompts and of its answers (a long answer
    would otherwise cost more than the rest of the import, and its head says as much about the language)."""
    return prompt[:LANGUAGE_CHARS] + "\n" + answer[:LANGUAGE_CHARS]


def derived_fields(sample: dict, language: bool = True) -> dict:
    """The derived columns of a sample with `messages` (and optionally `tools`): content hash, user turns,
    whether a system prompt opens it, whether it has tools (a tool list or a tool call), prompt and answer
    lengths, and its language (`curation.text.detect_language`; left out with language=False, for a caller that
    detects the languages of many samples at once from `language_text`)."""
    raw, tools = sample["messages"], sample.get("tools")
    msgs = readable_turns(raw)  # an older store's odd turns count as what they can be read as (never a crash)
    prompt, answer = prompt_text(msgs), answer_text(msgs)
    out = {"content_hash": content_hash(raw, tools), "n_turns": sum(m.get("role") == "user" for m in msgs),
           "has_system": bool(msgs) and msgs[0]["role"] == "system",
           "has_tools": bool(tools) or any(m.get("tool_calls") for m in msgs),
           "prompt_chars": len(prompt), "answer_chars": len(answer)}
    if language:
        out["language"] = detect_language(language_text(prompt, answer))
    return out
