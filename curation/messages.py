"""The canonical sample: OpenAI chat messages. Validation and conversion from the other SFT formats."""
from __future__ import annotations

import hashlib
import json

import orjson

ROLES = ("system", "user", "assistant", "tool")
# Keys kept on a message; anything else on a turn is vendor noise that trainers ignore.
_MESSAGE_KEYS = ("role", "content", "tool_calls", "tool_call_id", "name")
_PLAIN_KEYS = _MESSAGE_KEYS[:2]


def canonical_json(obj) -> str:
    """Stable JSON text (sorted keys, no spaces, real unicode) used for hashing and storage."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(messages: list[dict], tools: list | None = None) -> str:
    """Hash of what a sample says; two samples with equal hashes are exact duplicates."""
    return hashlib.sha1(orjson.dumps([messages, tools or []], option=orjson.OPT_SORT_KEYS)).hexdigest()


def validate_messages(messages) -> list[str]:
    """Return every rule the conversation breaks (empty list when valid).

    Rules: an optional single system turn first; then user / assistant alternating, where an assistant turn
    with tool_calls is followed by tool turns and another assistant turn; ends with an assistant answer;
    no empty content except an assistant turn that only calls tools.
    """
    if isinstance(messages, list) and _plain_and_valid(messages):
        return []
    if not isinstance(messages, list):
        return [f"messages must be a list of turns, got {type(messages).__name__}"]
    if not messages:
        return ["messages is empty: need at least one user turn and one assistant turn"]
    problems = []
    for i, m in enumerate(messages, 1):
        problems += _turn_problems(i, m)
    if problems:
        return problems
    problems = _order_problems(messages)
    if not problems and len(_VALID_ORDERS) < 10_000 and all("tool_calls" not in m for m in messages):
        _VALID_ORDERS.add(tuple(m["role"] for m in messages))
    return problems


def plain_turns(messages) -> tuple[list[str], list[str], bool] | None:
    """The user contents, the assistant contents and whether a system turn opens, of a conversation whose turns
    are all plain {role, content} dicts in a role order already found valid, read in one pass (import speed).
    None means "not that simple": clean and validate it the long way."""
    if type(messages) is not list:
        return None
    users, answers, roles = [], [], []
    for m in messages:
        if type(m) is not dict or tuple(m) != _PLAIN_KEYS:
            return None
        role, content = m["role"], m["content"]
        if type(role) is not str or type(content) is not str or not content or content.isspace():
            return None
        roles.append(role)
        if role == "user":
            users.append(content)
        elif role == "assistant":
            answers.append(content)
    return (users, answers, roles[0] == "system") if tuple(roles) in _VALID_ORDERS else None


# Role sequences of valid conversations without tool calls. A million-sample file has a few dozen distinct ones,
# so remembering them lets the common case skip the full rules (import speed).
_VALID_ORDERS: set[tuple[str, ...]] = set()


def _plain_and_valid(messages: list) -> bool:
    """True when every turn has a string role, non-blank string content and no tool calls, and the role sequence
    is one already found valid. False only means "apply the full rules"."""
    roles = []
    for m in messages:
        if type(m) is not dict or "tool_calls" in m:
            return False
        role, content = m.get("role"), m.get("content")
        if type(role) is not str or type(content) is not str or not content or content.isspace():
            return False
        roles.append(role)
    return tuple(roles) in _VALID_ORDERS


def _turn_problems(i: int, m) -> list[str]:
    if not isinstance(m, dict):
        return [f"turn {i}: must be an object with role and content, got {type(m).__name__}"]
    role = m.get("role")
    if role not in ROLES:
        return [f"turn {i}: role {role!r} is not one of {', '.join(ROLES)}"]
    content = m.get("content")
    if content is not None and not isinstance(content, str):
        return [f"turn {i} ({role}): content must be a string, got {type(content).__name__}"]
    calls_tools = role == "assistant" and bool(m.get("tool_calls"))
    if not calls_tools and not (content or "").strip():
        return [f"turn {i} ({role}): empty content"]
    if calls_tools and not isinstance(m["tool_calls"], list):
        return [f"turn {i} (assistant): tool_calls must be a list"]
    return []


def _order_problems(messages: list[dict]) -> list[str]:
    roles = [m["role"] for m in messages]
    start = 1 if roles[0] == "system" else 0
    if "system" in roles[start:]:
        at = roles.index("system", start) + 1
        return [f"turn {at}: a system turn may only appear once, as the first turn"]
    expected = "user"
    for i in range(start, len(messages)):
        role, m = roles[i], messages[i]
        if expected == "tool_or_assistant":
            expected = "tool" if role == "tool" else "assistant"
        if role == "tool" and expected != "tool":
            return [f"turn {i + 1}: a tool result must follow an assistant tool call, but follows a plain "
                    f"{roles[i - 1]!r} turn"]
        if role != expected:
            want = "tool" if expected == "tool" else expected
            prev = roles[i - 1] if i > 0 else "the start"
            return [f"turn {i + 1}: expected {want!r} after {prev!r}, got {role!r}"]
        if role == "user":
            expected = "assistant"
        elif role == "assistant":
            expected = "tool" if m.get("tool_calls") else "user"
        else:  # tool: more tool results or the assistant's next turn
            expected = "tool_or_assistant"
    if roles[-1] != "assistant" or messages[-1].get("tool_calls"):
        return ["missing assistant turn: the conversation must end with an assistant answer"]
    return []


def clean_message(m: dict) -> dict:
    """Keep only the keys trainers understand, in a fixed order."""
    # Most turns already are exactly {role, content} in that order: keep the dict rather than copy it (import speed).
    if tuple(m) == _PLAIN_KEYS and m["role"] is not None and m["content"] is not None:
        return m
    return {k: m[k] for k in _MESSAGE_KEYS if k in m and m[k] is not None}


def normalize_tools(tools) -> list | None:
    """Accept tools as a JSON string or list, bare function specs or OpenAI `{type, function}` entries."""
    if tools is None or tools == "" or tools == []:
        return None
    if isinstance(tools, str):
        try:
            tools = json.loads(tools)
        except json.JSONDecodeError as e:
            raise ValueError(f"tools is not valid JSON: {e.msg} at position {e.pos}") from None
    if isinstance(tools, dict):
        tools = [tools]
    if not isinstance(tools, list):
        raise ValueError(f"tools must be a list, got {type(tools).__name__}")
    out = []
    for t in tools:
        if not isinstance(t, dict):
            raise ValueError("each tool must be an object")
        out.append(t if t.get("type") == "function" and "function" in t else {"type": "function", "function": t})
    return out


def from_alpaca(rec: dict) -> list[dict]:
    """Alpaca `instruction`/`input`/`output` (+ optional `system`, `history`) to messages."""
    messages = []
    if rec.get("system"):
        messages.append({"role": "system", "content": rec["system"]})
    for pair in rec.get("history") or []:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ValueError("history must be a list of [prompt, answer] pairs")
        messages += [{"role": "user", "content": pair[0]}, {"role": "assistant", "content": pair[1]}]
    instruction, extra = rec.get("instruction") or "", rec.get("input") or ""
    prompt = f"{instruction}\n\n{extra}" if instruction and extra else instruction or extra
    messages += [{"role": "user", "content": prompt}, {"role": "assistant", "content": rec.get("output")}]
    return messages


_SHAREGPT_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant",
                   "system": "system", "observation": "tool", "tool": "tool", "function_call": "function_call"}


def from_sharegpt(rec: dict) -> list[dict]:
    """ShareGPT `conversations` (from/value, with function_call and observation turns) to messages."""
    turns = rec.get("conversations")
    if not isinstance(turns, list):
        raise ValueError("conversations must be a list of {from, value} turns")
    messages = [{"role": "system", "content": rec["system"]}] if rec.get("system") else []
    call_ids: list[str] = []
    for i, t in enumerate(turns, 1):
        if not isinstance(t, dict):
            raise ValueError(f"turn {i}: must be an object with from and value")
        speaker = t.get("from")
        role = _SHAREGPT_ROLES.get(speaker)
        if role is None:
            raise ValueError(f"turn {i}: 'from' value {speaker!r} is not one of {', '.join(_SHAREGPT_ROLES)}")
        value = t.get("value")
        if role == "function_call":
            call = _parse_function_call(i, value, len(call_ids))
            call_ids.append(call["id"])
            messages.append({"role": "assistant", "content": "", "tool_calls": [call]})
        elif role == "tool":
            tool_call_id = call_ids[-1] if call_ids else None
            messages.append({"role": "tool", "content": value, "tool_call_id": tool_call_id})
        else:
            messages.append({"role": role, "content": value})
    return [clean_message(m) for m in messages]


def _parse_function_call(i: int, value, n: int) -> dict:
    try:
        call = json.loads(value) if isinstance(value, str) else value
    except json.JSONDecodeError as e:
        raise ValueError(f"turn {i}: function_call value is not valid JSON ({e.msg})") from None
    if not isinstance(call, dict) or "name" not in call:
        raise ValueError(f"turn {i}: function_call must be a JSON object with a name")
    args = call.get("arguments", {})
    if not isinstance(args, str):
        args = json.dumps(args, ensure_ascii=False)
    return {"id": f"call_{n}", "type": "function", "function": {"name": call["name"], "arguments": args}}


def to_sharegpt(messages: list[dict], tools: list | None) -> dict:
    """Messages to ShareGPT as LLaMA-Factory reads it (system as a field, tools as a JSON string)."""
    out: dict = {"conversations": []}
    for m in messages:
        role = m["role"]
        if role == "system":
            out["system"] = m["content"]
        elif role == "assistant" and m.get("tool_calls"):
            for call in m["tool_calls"]:
                fn = call.get("function", {})
                args = fn.get("arguments", "{}")
                try:
                    args = json.loads(args) if isinstance(args, str) else args
                except json.JSONDecodeError:
                    pass
                value = json.dumps({"name": fn.get("name"), "arguments": args}, ensure_ascii=False)
                out["conversations"].append({"from": "function_call", "value": value})
        else:
            speaker = {"user": "human", "assistant": "gpt", "tool": "observation"}[role]
            out["conversations"].append({"from": speaker, "value": m.get("content") or ""})
    if tools:
        out["tools"] = json.dumps([t.get("function", t) for t in tools], ensure_ascii=False)
    return out


def to_alpaca(messages: list[dict]) -> dict | None:
    """Messages to Alpaca (earlier pairs go to history). None when the sample has tool turns Alpaca can't hold."""
    if any(m["role"] == "tool" or m.get("tool_calls") for m in messages):
        return None
    out: dict = {}
    turns = messages
    if turns[0]["role"] == "system":
        out["system"], turns = turns[0]["content"], turns[1:]
    pairs = [(turns[i]["content"], turns[i + 1]["content"]) for i in range(0, len(turns), 2)]
    out.update(instruction=pairs[-1][0], input="", output=pairs[-1][1])
    if len(pairs) > 1:
        out["history"] = [list(p) for p in pairs[:-1]]
    return out
