"""Shared pieces of the demo-data content modules: the Draft record and message builders.

The content modules (``content_*.py``) each return a list of :class:`Draft`. ``build_sample_data.py`` plants
duplicates into them, shuffles them with a fixed seed, assigns ``demo-NNNN`` ids and writes the files.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field


@dataclass
class Draft:
    """One demo sample before it gets an id.

    ``plants`` and ``key`` are bookkeeping for the README / planted.json and never reach demo.jsonl: the
    workbench's detectors must find planted samples on their own.
    """

    task_type: str | None  # "L1/L2", or None for a deliberately untyped sample
    messages: list[dict]
    tools: list[dict] | None = None
    plants: list[str] = field(default_factory=list)  # e.g. "robustness:typo", "gsm8k", "same_answer"
    key: str = ""  # stable handle that planting specs refer to


def text(block: str) -> str:
    """Dedent a triple-quoted block and drop the blank lines around it (keeps inner indentation, e.g. code)."""
    return textwrap.dedent(block).strip("\n")


def _is_cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


def prose(block: str) -> str:
    """Dedent a triple-quoted block and unwrap its paragraphs.

    Source lines are wrapped for the editor; real prose is not. Lines inside a paragraph are joined with a space,
    or with nothing where a Chinese character is on either side; paragraphs stay separated by a blank line.
    """
    paragraphs = []
    for paragraph in textwrap.dedent(block).strip().split("\n\n"):
        joined = ""
        for line in (ln.strip() for ln in paragraph.splitlines()):
            if joined and not (_is_cjk(joined[-1]) or _is_cjk(line[:1])):
                joined += " "
            joined += line
        paragraphs.append(joined)
    return "\n\n".join(paragraphs)


def convo(task_type: str | None, turns: list[str], system: str | None = None, key: str = "",
          plants: tuple[str, ...] | list[str] = ()) -> Draft:
    """A plain chat: ``turns`` alternate user, assistant, user, assistant ... and end with the assistant."""
    if len(turns) % 2:
        raise ValueError(f"conversation {key or turns[0][:30]!r} must end with an assistant turn")
    messages = [{"role": "system", "content": system}] if system else []
    for i, content in enumerate(turns):
        messages.append({"role": "user" if i % 2 == 0 else "assistant", "content": content})
    return Draft(task_type, messages, plants=list(plants), key=key)


def qa(task_type: str | None, prompt: str, answer: str, system: str | None = None, key: str = "",
       plants: tuple[str, ...] | list[str] = ()) -> Draft:
    """A single-turn sample."""
    return convo(task_type, [prompt, answer], system=system, key=key, plants=plants)


def tool_spec(name: str, description: str, properties: dict, required: list[str]) -> dict:
    """An OpenAI-style function tool definition."""
    return {"type": "function", "function": {
        "name": name, "description": description,
        "parameters": {"type": "object", "properties": properties, "required": required}}}


def call(call_id: str, name: str, **arguments) -> dict:
    """One entry of an assistant turn's ``tool_calls`` (arguments are a JSON string, as in the OpenAI API)."""
    return {"id": call_id, "type": "function",
            "function": {"name": name, "arguments": json.dumps(arguments, ensure_ascii=False)}}


def calls_turn(*calls: dict, content: str = "") -> dict:
    """An assistant turn that requests tool calls."""
    return {"role": "assistant", "content": content, "tool_calls": list(calls)}


def tool_turn(call_id: str, payload) -> dict:
    """The tool's answer to one call."""
    return {"role": "tool", "tool_call_id": call_id, "content": json.dumps(payload, ensure_ascii=False)}


def user_msg(content: str) -> dict:
    return {"role": "user", "content": content}


def assistant_msg(content: str) -> dict:
    return {"role": "assistant", "content": content}


def system_msg(content: str) -> dict:
    return {"role": "system", "content": content}
