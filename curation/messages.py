"""The canonical sample: OpenAI chat messages. Validation and conversion from the other SFT formats."""
from __future__ import annotations

import hashlib
import json

import orjson

ROLES = ("system", "user", "assistant", "tool")
# Keys kept on a message; anything else on a turn is vendor noise that trainers ignore.
# `reasoning` holds a turn's thinking apart from its content (LLaMA-Factory v1 `reasoning` parts, the
# `reasoning_content` of OpenAI-compatible servers): chat templates read `content`, so it is never trained on unless
# a user puts it there.
_MESSAGE_KEYS = ("role", "content", "reasoning", "tool_calls", "tool_call_id", "name")
_PLAIN_KEYS = _MESSAGE_KEYS[:2]
_TEXT_PARTS = ("text", "input_text", "output_text")  # content parts that are plain text
_REASONING_PARTS = ("reasoning", "thinking")
_TOOL_CALL_PARTS = ("tool_call", "function_call")


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
    if m.get("reasoning") is not None and not isinstance(m["reasoning"], str):
        return [f"turn {i} ({role}): reasoning must be a string, got {type(m['reasoning']).__name__}"]
    calls_tools = role == "assistant" and bool(m.get("tool_calls"))
    if not calls_tools and not (content or "").strip():
        return [f"turn {i} ({role}): empty content"]
    if "tool_calls" in m and role != "assistant":
        return [f"turn {i} ({role}): only an assistant turn may carry tool_calls"]
    if calls_tools:
        return tool_call_problems(i, m["tool_calls"])
    return []


def tool_call_problems(i: int, calls) -> list[str]:
    """What makes an assistant turn's tool_calls break the OpenAI schema: a list of
    {id: str, type: "function", function: {name: str, arguments: JSON text}}."""
    if not isinstance(calls, list):
        return [f"turn {i} (assistant): tool_calls must be a list, got {type(calls).__name__}"]
    for j, call in enumerate(calls, 1):
        where = f"turn {i} (assistant): tool call {j}"
        if not isinstance(call, dict):
            return [f"{where} must be an object with id, type and function, got {_kind(call)}"]
        if not isinstance(call.get("id"), str) or not call["id"]:
            return [f"{where} needs a string id (the tool turn's tool_call_id), got {_kind(call.get('id'))}"]
        if call.get("type") != "function":
            return [f"{where}: type must be 'function', got {_kind(call.get('type'))}"]
        fn = call.get("function")
        if not isinstance(fn, dict):
            return [f"{where}: function must be an object with name and arguments, got {_kind(fn)}"]
        if not isinstance(fn.get("name"), str) or not fn["name"].strip():
            return [f"{where}: function.name must be a non-empty string, got {_kind(fn.get('name'))}"]
        args = fn.get("arguments")
        if not isinstance(args, str):
            return [f"{where} ({fn['name']}): arguments must be a JSON string, got {_kind(args)}"]
        try:
            orjson.loads(args)
        except orjson.JSONDecodeError:
            return [f"{where} ({fn['name']}): arguments are not valid JSON: {args[:80]!r}"]
    return []


def _kind(value) -> str:
    """How a wrong value reads in a reason: its type, and the value itself when short."""
    if value is None:
        return "nothing"
    text = repr(value)
    return f"{type(value).__name__} {text}" if len(text) <= 40 else type(value).__name__


def _order_problems(messages: list[dict]) -> list[str]:
    roles = [m["role"] for m in messages]
    start = 1 if roles[0] == "system" else 0
    if "system" in roles[start:]:
        at = roles.index("system", start) + 1
        return [f"turn {at}: a system turn may only appear once, as the first turn"]
    expected, call_ids = "user", set()
    for i in range(start, len(messages)):
        role, m = roles[i], messages[i]
        if role == "tool" and expected in ("tool", "tool_or_assistant") and m.get("tool_call_id") not in call_ids:
            return [f"turn {i + 1} (tool): tool_call_id {m.get('tool_call_id')!r} matches no call of the assistant "
                    f"turn before it (ids: {', '.join(sorted(call_ids))})"]
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
            call_ids = {c["id"] for c in m.get("tool_calls") or ()}
        else:  # tool: more tool results or the assistant's next turn
            expected = "tool_or_assistant"
    if roles[-1] != "assistant" or messages[-1].get("tool_calls"):
        return ["missing assistant turn: the conversation must end with an assistant answer"]
    return []


def clean_message(m: dict, i: int = 0) -> dict:
    """Keep only the keys trainers understand, in a fixed order; content given as a list of parts becomes text
    (see `content_from_parts`). Raises ValueError for parts a text-only set cannot use. `i`: the turn's number."""
    # Most turns already are exactly {role, content} in that order: keep the dict rather than copy it (import speed).
    if tuple(m) == _PLAIN_KEYS and type(m["role"]) is str and type(m["content"]) is str:
        return m
    out = {k: m[k] for k in _MESSAGE_KEYS if k in m and m[k] is not None}
    if "reasoning" not in out and isinstance(m.get("reasoning_content"), str) and m["reasoning_content"]:
        out["reasoning"] = m["reasoning_content"]
    if isinstance(out.get("content"), list):
        text, reasoning, calls = content_from_parts(i, out["content"])
        out["content"] = text
        if reasoning:
            out["reasoning"] = "\n".join(filter(None, [out.get("reasoning"), reasoning]))
        if calls and isinstance(out.get("tool_calls", []), list):  # a wrong tool_calls is left to validation
            out["tool_calls"] = out.get("tool_calls", []) + calls
        out = {k: out[k] for k in _MESSAGE_KEYS if k in out}
    return out


def content_from_parts(i: int, parts: list) -> tuple[str, str, list]:
    """(text, reasoning, tool calls) of a content given as parts: OpenAI `{"type": "text", "text": ...}`,
    LLaMA-Factory v1 `{"type": "text" | "reasoning" | "tool_call", "value": ...}`. Text parts are joined; a part
    that is not text (an image, audio) raises ValueError naming it, since this set is text-only."""
    texts, thoughts, calls = [], [], []
    for j, part in enumerate(parts, 1):
        if isinstance(part, str):
            texts.append(part)
            continue
        kind = part.get("type") if isinstance(part, dict) else None
        value = part.get("text", part.get("value")) if isinstance(part, dict) else None
        if kind in _TOOL_CALL_PARTS:
            calls.append(_part_call(i, j, value))
            continue
        if kind not in _TEXT_PARTS + _REASONING_PARTS:
            what = f"of type {kind!r}" if kind else f"a {type(part).__name__}, not a typed part"
            raise ValueError(f"turn {i}: content part {j} is {what}; only text, reasoning and tool_call parts can "
                             "be imported into a text-only set")
        if not isinstance(value, str):
            raise ValueError(f"turn {i}: content part {j} ({kind}) must hold a string, got {_kind(value)}")
        (thoughts if kind in _REASONING_PARTS else texts).append(value)
    return "\n".join(texts), "\n".join(thoughts), calls


def _part_call(i: int, j: int, value) -> dict:
    """A tool_call part (`{"name", "arguments"}` as JSON text or an object) as an OpenAI tool call; its id is
    given later, by position (`number_tool_calls`)."""
    try:
        call = orjson.loads(value) if isinstance(value, str) else value
    except orjson.JSONDecodeError:
        raise ValueError(f"turn {i}: tool_call part {j} is not valid JSON: {value[:80]!r}") from None
    if not isinstance(call, dict) or not isinstance(call.get("name"), str):
        raise ValueError(f"turn {i}: tool_call part {j} must be an object with a string name, got {_kind(call)}")
    args = call.get("arguments", {})
    if not isinstance(args, str):
        args = orjson.dumps(args).decode()
    return {"id": None, "type": "function", "function": {"name": call["name"], "arguments": args}}


def number_tool_calls(messages: list) -> list:
    """Give tool calls made from content parts (id None) the ids `call_0`, `call_1`, ... and the tool turns after
    them, in order, the tool_call_id of the call they answer (LLaMA-Factory v1 tool turns carry none)."""
    n, pending = 0, []
    for m in messages:
        if not isinstance(m, dict):
            continue
        calls = m.get("tool_calls")
        if m.get("role") == "assistant" and isinstance(calls, list):
            pending = []
            for call in calls:
                if isinstance(call, dict) and "id" in call and call["id"] is None:
                    call["id"] = f"call_{n}"
                    n += 1
                    pending.append(call["id"])
        elif m.get("role") == "tool" and pending and m.get("tool_call_id") is None:
            m["tool_call_id"] = pending.pop(0)
    return messages


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


def readable_turns(messages) -> list[dict]:
    """The stored turns as every reader can take them, whatever an older store or a direct write holds: a turn
    that is not an object becomes {"role": None, "content": its text}, a role that is not a string None, content
    that is not text its JSON (None: ""), tool_calls a list of {"type", "function": {"name", "arguments"}} objects
    (a bare-string call is its name). Unknown role names are kept as stored: readers match the roles they know.
    A turn that is already clean is the same object; messages that are not a list read as no turns."""
    if not isinstance(messages, list):
        return []
    out = [m if _is_clean(m) else _readable(m) for m in messages]
    return messages if all(a is b for a, b in zip(out, messages)) else out


def _is_clean(m) -> bool:
    return (type(m) is dict and type(m.get("role")) is str and type(m.get("content")) is str
            and ("tool_calls" not in m or _clean_calls(m["tool_calls"])))


def _clean_calls(calls) -> bool:
    return type(calls) is list and all(
        type(c) is dict and type(c.get("function")) is dict and type(c["function"].get("name")) is str
        and type(c["function"].get("arguments")) is str for c in calls)


def _readable(m) -> dict:
    if not isinstance(m, dict):
        return {"role": None, "content": _text(m)}
    out = {**m, "role": m.get("role") if isinstance(m.get("role"), str) else None, "content": _text(m.get("content"))}
    if "tool_calls" in m:
        calls = m["tool_calls"]
        calls = [] if calls is None else calls if isinstance(calls, list) else [calls]
        out["tool_calls"] = [_readable_call(c) for c in calls]
    return out


def _readable_call(call) -> dict:
    fn = call.get("function") if isinstance(call, dict) else None
    if not isinstance(fn, dict):
        fn = {"name": _text(call if not isinstance(call, dict) else fn)}
    args = fn.get("arguments")
    name = fn.get("name")
    return {**(call if isinstance(call, dict) else {}), "type": "function",
            "function": {"name": name if isinstance(name, str) else _text(name),
                         "arguments": args if isinstance(args, str) else _text(args)}}


def structural_problem(messages) -> str | None:
    """Why the stored turns cannot be read as a conversation at all (messages not a list, a turn that is not an
    object, a missing or unknown role, content that is not text), or None. Narrower than validate_messages: a
    malformed tool call or a wrong turn order still reads as turns."""
    if not isinstance(messages, list):
        return f"messages must be a list of turns, got {type(messages).__name__}"
    for i, m in enumerate(messages, 1):
        if not isinstance(m, dict):
            return f"turn {i}: must be an object with role and content, got {type(m).__name__}"
        if m.get("role") not in ROLES:
            return f"turn {i}: role {m.get('role')!r} is not one of {', '.join(ROLES)}"
        if m.get("content") is not None and not isinstance(m["content"], str):
            return f"turn {i} ({m['role']}): content must be a string, got {type(m['content']).__name__}"
    return None


def first_prompt(messages) -> str:
    """The first user turn's text, for a table column; "" when there is none. Never fails on what an older
    store may hold (a turn that is not an object, content that is not text: then its JSON)."""
    for m in messages if isinstance(messages, list) else []:
        if isinstance(m, dict) and m.get("role") == "user":
            content = m.get("content")
            return content if isinstance(content, str) else json.dumps(content, ensure_ascii=False, default=str)
    return ""


def to_sharegpt(messages: list[dict], tools: list | None) -> dict:
    """Messages to ShareGPT as LLaMA-Factory reads it (system as a field, tools as a JSON string).

    Stored samples passed validation, but a store written before tool calls were checked may hold malformed
    ones: they are written as well as they can be rather than stopping the export."""
    out: dict = {"conversations": []}
    for m in readable_turns(messages):
        role = m.get("role")
        if role == "system":
            out["system"] = _text(m.get("content"))
        elif role == "assistant" and m.get("tool_calls"):
            calls = m["tool_calls"] if isinstance(m["tool_calls"], list) else [m["tool_calls"]]
            for call in calls:
                fn = call.get("function") if isinstance(call, dict) else None
                fn = fn if isinstance(fn, dict) else {"name": str(call)}
                args = fn.get("arguments", "{}")
                try:
                    args = json.loads(args) if isinstance(args, str) else args
                except json.JSONDecodeError:
                    pass
                value = json.dumps({"name": fn.get("name"), "arguments": args}, ensure_ascii=False, default=str)
                out["conversations"].append({"from": "function_call", "value": value})
        else:
            speaker = {"user": "human", "assistant": "gpt", "tool": "observation"}.get(role, str(role))
            out["conversations"].append({"from": speaker, "value": _text(m.get("content"))})
    if tools:
        out["tools"] = json.dumps([t.get("function", t) if isinstance(t, dict) else t for t in tools],
                                  ensure_ascii=False, default=str)
    return out


def _text(content) -> str:
    """A turn's content as text, whatever a malformed sample holds there."""
    if content is None:
        return ""
    return content if isinstance(content, str) else json.dumps(content, ensure_ascii=False, default=str)


def to_alpaca(messages: list[dict]) -> dict | None:
    """Messages to Alpaca (earlier pairs go to history). None when the sample has tool turns Alpaca can't hold,
    or is not a plain user/assistant alternation (a malformed stored sample)."""
    if any(not isinstance(m, dict) or m.get("role") == "tool" or m.get("tool_calls") for m in messages):
        return None
    out: dict = {}
    turns = messages
    if turns and turns[0].get("role") == "system":
        out["system"], turns = _text(turns[0].get("content")), turns[1:]
    if not turns or len(turns) % 2 or [m.get("role") for m in turns] != ["user", "assistant"] * (len(turns) // 2):
        return None
    pairs = [(_text(turns[i].get("content")), _text(turns[i + 1].get("content"))) for i in range(0, len(turns), 2)]
    out.update(instruction=pairs[-1][0], input="", output=pairs[-1][1])
    if len(pairs) > 1:
        out["history"] = [list(p) for p in pairs[:-1]]
    return out
