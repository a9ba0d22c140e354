"""What counts as "the text" of a sample when looking for duplicates.

- `user`: every user turn, joined (two samples asking the same questions are duplicates whatever the answers).
- `assistant`: every assistant turn, joined, including tool calls (the answer-duplicate case: one generator
  writing the same answer for many prompts).
- `conversation`: every turn with its role, the system prompt and tool calls included.

Multi-turn samples join their turns in order with a newline, so a two-turn sample only matches a sample with
the same turns, not one that shares a single turn.
"""
from __future__ import annotations

import json

from ..messages import readable_turns

KEYS = ("user", "assistant", "conversation")


def _tool_calls_text(m: dict) -> str:
    calls = m.get("tool_calls") or []
    return "\n".join(f"{c.get('function', {}).get('name', '')}({c.get('function', {}).get('arguments', '')})"
                     for c in calls)


def _turn_text(m: dict) -> str:
    parts = [m.get("content") or "", _tool_calls_text(m)]
    return "\n".join(p for p in parts if p)


def key_text(messages: list[dict], key: str) -> str:
    """The text of a conversation that dedup compares, for key user|assistant|conversation. An older store's odd
    turns are read through readable_turns (a turn that is not an object counts as role-less text, so it is only
    part of the `conversation` key)."""
    messages = readable_turns(messages)
    if key == "user":
        return "\n".join(_turn_text(m) for m in messages if m.get("role") == "user")
    if key == "assistant":
        return "\n".join(_turn_text(m) for m in messages if m.get("role") == "assistant")
    if key == "conversation":
        return "\n".join(f"{m.get('role')}: {_turn_text(m)}" for m in messages)
    raise ValueError(f"unknown dedup key {key!r}: use one of {', '.join(KEYS)}")


def sample_key_text(sample: dict, key: str) -> str:
    """key_text of a stored sample (messages may still be a JSON string when read raw)."""
    msgs = sample["messages"]
    if isinstance(msgs, str):
        msgs = json.loads(msgs)
    return key_text(msgs, key)
