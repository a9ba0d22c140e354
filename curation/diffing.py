"""Word-level diffs of sample text, for Chinese and English alike.

Chinese has no spaces, so a "word" there is one CJK character (no segmenter needed, and a one-character change
shows as exactly that); English words, numbers and identifiers are whole tokens; whitespace runs and each
punctuation mark are tokens of their own, so a changed comma is visible as a changed comma.
"""
from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"  # one CJK ideograph
    r"|[A-Za-z0-9_\u00c0-\u024f]+(?:['’][A-Za-z]+)?"  # a Latin word, number or identifier (with "don't")
    r"|\s+"  # a whitespace run
    r"|.",  # any other single character: punctuation, symbols, emoji
    re.S,
)
EQUAL, INSERT, DELETE = "equal", "insert", "delete"


def tokens(text: str) -> list[str]:
    """Split text into diff tokens (CJK characters, Latin words, whitespace runs, single marks)."""
    return _TOKEN.findall(text or "")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(op, text) pieces turning `old` into `new`; op is equal, insert or delete. Adjacent pieces of one op
    are merged, and a replacement is a delete followed by an insert."""
    a, b = tokens(old), tokens(new)
    ops: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            _push(ops, EQUAL, "".join(a[i1:i2]))
        else:
            if i2 > i1:
                _push(ops, DELETE, "".join(a[i1:i2]))
            if j2 > j1:
                _push(ops, INSERT, "".join(b[j1:j2]))
    return ops


def _push(ops: list[tuple[str, str]], op: str, text: str) -> None:
    if ops and ops[-1][0] == op:
        ops[-1] = (op, ops[-1][1] + text)
    else:
        ops.append((op, text))


def render_word_diff(ops: list[tuple[str, str]]) -> str:
    """Plain text in `git diff --word-diff` style: [-deleted-]{+inserted+}. Safe to show as code, not markup."""
    marks = {EQUAL: "{}", DELETE: "[-{}-]", INSERT: "{{+{}+}}"}
    return "".join(marks[op].format(text) for op, text in ops)


@dataclass
class TurnDiff:
    """How one turn changed between two versions of a conversation."""

    turn: int  # 1-based position in the newer version (or the older one for a removed turn)
    role: str
    change: str  # unchanged | edited | added | removed | role
    ops: list[tuple[str, str]]

    @property
    def inserted(self) -> int:
        return sum(len(tokens(t)) for op, t in self.ops if op == INSERT)

    @property
    def deleted(self) -> int:
        return sum(len(tokens(t)) for op, t in self.ops if op == DELETE)


def diff_messages(old: list[dict], new: list[dict]) -> list[TurnDiff]:
    """Turn-by-turn word diffs between two conversations.

    Turns are aligned by (role, content) so that inserting or removing a turn shows as one added/removed turn
    rather than shifting every later turn into an "edit".
    """
    def key(m):
        return m.get("role"), _text(m)

    old, new = [_as_turn(m) for m in old], [_as_turn(m) for m in new]
    out: list[TurnDiff] = []
    sm = difflib.SequenceMatcher(None, [key(m) for m in old], [key(m) for m in new], autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        pairs = list(zip(range(i1, i2), range(j1, j2))) if tag in ("equal", "replace") else []
        for i, j in pairs:
            out.append(_turn_diff(j + 1, old[i], new[j]))
        for i in range(i1 + len(pairs), i2):
            out.append(TurnDiff(i + 1, old[i]["role"], "removed", [(DELETE, _text(old[i]))]))
        for j in range(j1 + len(pairs), j2):
            out.append(TurnDiff(j + 1, new[j]["role"], "added", [(INSERT, _text(new[j]))]))
    return out


def _turn_diff(turn: int, a: dict, b: dict) -> TurnDiff:
    ops = word_diff(_text(a), _text(b))
    if a.get("role") != b.get("role"):
        return TurnDiff(turn, b["role"], "role", ops)
    changed = any(op != EQUAL for op, _ in ops)
    return TurnDiff(turn, b["role"], "edited" if changed else "unchanged", ops)


def _as_turn(m) -> dict:
    """A stored turn as diffing reads it. An older store may hold a turn that is not an object, or a role that is
    not text: the diff shows it as found ("?" for no role, JSON for content that is not text) instead of failing."""
    if not isinstance(m, dict):
        return {"role": "?", "content": m if isinstance(m, str) else json.dumps(m, ensure_ascii=False, default=str)}
    role = m.get("role")
    return m if isinstance(role, str) and role else {**m, "role": "?" if role in (None, "") else str(role)}


def _text(m: dict) -> str:
    """What a turn says: its content, plus its tool calls as text so edits to them show too."""
    content = m.get("content") or ""
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False, default=str)
    calls = m.get("tool_calls") or []
    for call in calls if isinstance(calls, list) else [calls]:
        fn = call.get("function") if isinstance(call, dict) else None
        text += f"\n{fn.get('name')}({fn.get('arguments')})" if isinstance(fn, dict) else f"\n{call}"
    return text


def _short(value, width: int) -> str:
    if value is None or value == "" or value == []:
        return "∅"
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def revision_changes(before: dict, after: dict, width: int = 60) -> list[str]:
    """One revision as "field: old → new" lines (History views). A relabel's two levels read as one task_type;
    a conversation edit names the turns it touched, with the diff tokens added and removed."""
    before, after = dict(before or {}), dict(after or {})
    for d in (before, after):
        if "task_l1" in d or "task_l2" in d:
            d["task_type"] = "/".join(x for x in (d.pop("task_l1", None), d.pop("task_l2", None)) if x) or None
    out = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if key == "messages" and isinstance(old, list) and isinstance(new, list):
            turns = [t for t in diff_messages(old, new) if t.change != "unchanged"]
            out.append("messages: " + ("; ".join(f"turn {t.turn} ({t.role}) {t.change}, +{t.inserted}/-{t.deleted} "
                                                  "tokens" for t in turns) or "unchanged"))
        else:
            out.append(f"{key}: {_short(old, width)} → {_short(new, width)}")
    return out
