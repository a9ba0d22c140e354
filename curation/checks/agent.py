"""Pre-flag for agent / function-call samples: calls checked against the tools the sample declares.

Flags: a tool declaration whose `parameters` is not a valid JSON Schema (reported, never crashed on); a call to a
tool the sample does not declare; arguments that are not JSON or do not validate against the declared schema
(`jsonschema`, the draft the schema names, Draft 2020-12 otherwise); a tool result that follows no call, or
names an id no call of the turn before carries (id mismatch); a call that never gets a result; a final answer
that uses nothing of the tool results it follows.

`profile(sample)` describes the sample's calls for the coverage report (curation/special.py): single or parallel
calls, calls followed by a final answer, or no call at all ("no tool needed").
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from .base import CHECKS, Check, Flag

_ATOM = re.compile(r"-?\d+(?:\.\d+)?|[A-Za-z][\w.@/-]{2,}|[\u3400-\u9fff]{2,}")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_TRIVIAL = frozenset({"true", "false", "null", "none", "error", "status", "success", "result", "data", "message",
                      "value", "type", "name", "id", "ok", "0", "1"})


@dataclass
class AgentSettings:
    """Function calls against their declared tools."""

    max_evidence_chars: int = 160  # how much of a schema error or an argument is quoted
    # a final answer sharing none of the tool result's values (numbers, names) ignores it; results with fewer
    # distinct values than this say too little to judge (an "ok" or an empty list)
    min_result_atoms: int = 2


@lru_cache(maxsize=4096)
def _validator(schema_json: str):
    """(validator, None) for a valid JSON Schema, (None, the error) otherwise; cached per schema text, because a
    data set repeats the same few tool declarations on every sample."""
    import jsonschema  # lazy: only samples with tools need it
    from jsonschema.exceptions import SchemaError

    try:
        schema = json.loads(schema_json)
    except ValueError as e:
        return None, f"not JSON ({e})"
    if not isinstance(schema, (dict, bool)):
        return None, f"a JSON Schema is an object or a boolean, not {type(schema).__name__}"
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(schema)
    except SchemaError as e:
        where = "/".join(str(p) for p in e.path)
        return None, f"{e.message}" + (f" (at {where})" if where else "")
    except Exception as e:  # a schema so broken the meta-validation itself fails: still a report, never a crash
        return None, f"{type(e).__name__}: {e}"
    return cls(schema), None


def declared_tools(sample: dict) -> dict[str, dict | None]:
    """name -> parameters schema (None when the declaration has none) of every declared tool."""
    out = {}
    for t in sample.get("tools") or []:
        fn = t.get("function", t) if isinstance(t, dict) else None
        if isinstance(fn, dict) and isinstance(fn.get("name"), str):
            out[fn["name"]] = fn.get("parameters")
    return out


def _calls(turn: dict) -> list[dict]:
    calls = turn.get("tool_calls") or []
    return [c for c in calls if isinstance(c, dict)] if isinstance(calls, list) else []


def _call_name(call: dict) -> str | None:
    fn = call.get("function")
    return fn.get("name") if isinstance(fn, dict) else None


def _call_args(call: dict):
    fn = call.get("function") if isinstance(call.get("function"), dict) else {}
    raw = fn.get("arguments")
    if isinstance(raw, (dict, list)):
        return raw, None
    if raw in (None, ""):
        return {}, None
    try:
        return json.loads(raw), None
    except (TypeError, ValueError) as e:
        return None, str(e)


def _atoms(text: str) -> set[str]:
    """The values of a tool result an answer would repeat: numbers, names, Chinese words. Ids (`rmd_301`,
    `evt_8f21`) and status fields are left out: a confirmation rightly does not read them back."""
    try:
        data = json.loads(text)
        text = " ".join(_leaves(data))
    except (TypeError, ValueError):
        pass
    return {a.casefold() for a in _ATOM.findall(text or "") if a.casefold() not in _TRIVIAL and not _ID.fullmatch(a)}


_ID = re.compile(r"(?=[\w-]*[A-Za-z])(?=[\w-]*\d)[\w-]+|[\w]+_[\w]+")  # letters and digits mixed, or snake_case
_QUIET_KEYS = re.compile(r"(?i)(?:^|_)(?:id|ids|uuid|status|state|code|success|ok|error_code)$")


def _leaves(data) -> list[str]:
    if isinstance(data, dict):
        return [x for k, v in data.items() if not _QUIET_KEYS.search(str(k)) for x in _leaves(v)]
    if isinstance(data, list):
        return [x for v in data for x in _leaves(v)]
    return [] if data is None or isinstance(data, bool) else [str(data)]


def _used(atoms: set[str], answer: str) -> bool:
    folded = answer.casefold()
    if any(a in folded for a in atoms):
        return True
    # Chinese values are rephrased around their words ("现在播放爵士音乐" -> "现在为你播放爵士音乐"): any shared run
    # of three ideographs counts as use
    grams = {a[i:i + 3] for a in atoms if _CJK_RUN.fullmatch(a) for i in range(len(a) - 2)}
    if any(g in folded for g in grams):
        return True
    # numbers are often reformatted (3.50 -> 3.5, 1500 -> 1,500): compare them as numbers
    nums = {float(a) for a in atoms if re.fullmatch(r"-?\d+(?:\.\d+)?", a)}
    found = {float(x.replace(",", "")) for x in re.findall(r"-?\d[\d,]*(?:\.\d+)?", answer) if x.replace(",", "")
             .lstrip("-").replace(".", "", 1).isdigit()}
    return bool(nums & found)


@CHECKS.register
class AgentCallCheck(Check):
    """Tool calls against the sample's tool declarations: schema validity, undeclared tools, arguments, result
    order and ids, and answers that ignore the tool result."""

    name = "agent_calls"
    Settings = AgentSettings

    def find(self, sample: dict, context: dict) -> list[Flag]:
        turns = sample.get("messages") or []
        if not sample.get("tools") and not any(_calls(t) for t in turns if isinstance(t, dict)):
            return []  # not an agent sample: the cheap exit for almost every sample
        tools = declared_tools(sample)
        flags = self._schemas(tools)
        flags += self._turns(turns, tools)
        return flags

    def _quote(self, text: str) -> str:
        n = self.settings.max_evidence_chars
        return text if len(text) <= n else text[:n] + "…"

    def _schemas(self, tools: dict) -> list[Flag]:
        flags = []
        for name, schema in tools.items():
            if schema is None:
                continue
            _, err = _validator(json.dumps(schema, sort_keys=True))
            if err:
                flags.append(Flag(self.name, f"tool {name!r}: parameters is not a valid JSON Schema",
                                  self._quote(err)))
        return flags

    def _turns(self, turns: list, tools: dict) -> list[Flag]:
        flags, pending, results, prev_calls = [], {}, [], None
        for i, t in enumerate(turns, 1):
            if not isinstance(t, dict):
                continue
            role = t.get("role")
            if role == "assistant" and _calls(t):
                flags += self._unanswered(pending)
                pending, results = {}, []
                prev_calls = _calls(t)
                for c in prev_calls:
                    flags += self._call(i, c, tools)
                    pending[c.get("id")] = (i, _call_name(c))
            elif role == "tool":
                flags += self._result(i, t, pending, prev_calls)
                results.append(t.get("content") or "")
            elif role == "assistant":
                flags += self._unanswered(pending)
                if results:
                    flags += self._ignored(i, t.get("content") or "", results)
                pending, results, prev_calls = {}, [], None
            elif role == "user":
                flags += self._unanswered(pending)
                pending, results, prev_calls = {}, [], None
        return flags + self._unanswered(pending)

    def _call(self, turn: int, call: dict, tools: dict) -> list[Flag]:
        name = _call_name(call)
        if not name:
            return [Flag(self.name, "tool call without a function name", f"turn {turn}: {self._quote(str(call))}")]
        if name not in tools:
            declared = ", ".join(sorted(tools)) or "none"
            return [Flag(self.name, f"call to undeclared tool {name!r}", f"turn {turn}; declared: {declared}")]
        args, err = _call_args(call)
        if err:
            return [Flag(self.name, f"arguments of {name!r} are not JSON", f"turn {turn}: {self._quote(err)}")]
        schema = tools[name]
        if schema is None:
            return []
        validator, schema_err = _validator(json.dumps(schema, sort_keys=True))
        if validator is None:
            return []  # reported once as an invalid schema
        errors = sorted(validator.iter_errors(args), key=lambda e: list(e.path))
        if not errors:
            return []
        first = errors[0]
        where = "/".join(str(p) for p in first.path) or "(top level)"
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        return [Flag(self.name, f"arguments of {name!r} do not match its schema: {first.message}{more}",
                     f"turn {turn}, at {where}: {self._quote(json.dumps(args, ensure_ascii=False))}")]

    def _result(self, turn: int, t: dict, pending: dict, prev_calls) -> list[Flag]:
        call_id = t.get("tool_call_id")
        if prev_calls is None:
            return [Flag(self.name, "tool result that follows no tool call", f"turn {turn}: the turn before has no "
                                                                            "tool_calls (a call written as text?)")]
        if call_id in pending:
            pending.pop(call_id)
            return []
        if call_id is None and len(pending) == 1:
            pending.clear()  # a single call and an unnamed result: ShareGPT-style data pairs them by position
            return []
        ids = ", ".join(str(k) for k in pending) or "none left"
        return [Flag(self.name, f"tool result id {call_id!r} matches no call of the turn before",
                     f"turn {turn}; open call ids: {ids}")]

    def _unanswered(self, pending: dict) -> list[Flag]:
        return [Flag(self.name, f"call to {name!r} never gets a tool result", f"turn {turn}, id {cid!r}")
                for cid, (turn, name) in pending.items()]

    def _ignored(self, turn: int, answer: str, results: list[str]) -> list[Flag]:
        atoms = set().union(*(_atoms(r) for r in results))
        if len(atoms) < self.settings.min_result_atoms or _used(atoms, answer):
            return []
        shown = ", ".join(sorted(atoms)[:5])
        return [Flag(self.name, "final answer uses nothing of the tool result",
                     f"turn {turn}: result values {shown} … not in «{self._quote(answer)}»")]


def profile(sample: dict) -> dict:
    """How a sample uses tools: calls, call turns, parallel turns, and whether a final answer follows them."""
    turns = [t for t in sample.get("messages") or [] if isinstance(t, dict)]
    call_turns = [len(_calls(t)) for t in turns if t.get("role") == "assistant" and _calls(t)]
    last_call = max((i for i, t in enumerate(turns) if t.get("role") == "assistant" and _calls(t)), default=None)
    final = last_call is not None and any(t.get("role") == "assistant" and not _calls(t) and (t.get("content") or "")
                                          .strip() for t in turns[last_call + 1:])
    return {"declares_tools": bool(sample.get("tools")), "calls": sum(call_turns), "call_turns": len(call_turns),
            "parallel": any(n > 1 for n in call_turns), "single": bool(call_turns) and all(n == 1 for n in call_turns),
            "final_answer": final, "no_tool": not call_turns}
