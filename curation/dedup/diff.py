"""Character-level diff of two near-duplicate texts, as plain text a reviewer can read.

Rendered as a word-diff style string (`[-removed-]{+added+}`) so pages can show it with st.code/st.text: sample
content is data, never markup, so no HTML colouring is needed or allowed.
"""
from __future__ import annotations

import difflib

MAX_DIFF_CHARS = 20_000  # longer texts are compared on their first characters; SequenceMatcher is quadratic


def char_diff(a: str, b: str) -> list[tuple[str, str, str]]:
    """Opcodes (op, text in a, text in b) with op in equal | replace | delete | insert."""
    a, b = a[:MAX_DIFF_CHARS], b[:MAX_DIFF_CHARS]
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [(op, a[i1:i2], b[j1:j2]) for op, i1, i2, j1, j2 in sm.get_opcodes()]


def inline_diff(a: str, b: str) -> str:
    """b relative to a: `[-x-]` was only in a, `{+y+}` is only in b, everything else is shared."""
    out = []
    for op, x, y in char_diff(a, b):
        if op == "equal":
            out.append(x)
        else:
            if x:
                out.append(f"[-{x}-]")
            if y:
                out.append(f"{{+{y}+}}")
    return "".join(out)


def diff_summary(a: str, b: str) -> str:
    """`n chars changed of m` for a cluster member compared with its keeper."""
    changed = sum(max(len(x), len(y)) for op, x, y in char_diff(a, b) if op != "equal")
    return f"{changed} chars differ of {max(len(a), len(b))}"
