"""Small text helpers shared by import, stats and checks: language, prompt/answer extraction."""
from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def detect_language(text: str) -> str:
    """Classify text as zh, en, mixed or other from its script mix.

    Counting CJK characters against Latin words is enough for a zh/en workbench and needs no model;
    a text is `mixed` when the minority script is a real share, not a stray acronym.
    """
    cjk = len(_CJK.findall(text))
    latin = sum(len(w) for w in _LATIN_WORD.findall(text))
    if cjk == 0 and latin == 0:
        return "other"
    # One CJK character carries about as much as 2-3 Latin letters; weigh them comparably.
    zh_weight, en_weight = cjk * 2.5, latin
    total = zh_weight + en_weight
    if zh_weight / total >= 0.85:
        return "zh"
    if en_weight / total >= 0.85:
        return "en" if cjk == 0 or en_weight / total >= 0.97 else "mixed"
    return "mixed"


def has_cjk(text: str) -> bool:
    """True when the text contains at least one CJK ideograph."""
    return bool(_CJK.search(text))


def prompt_text(messages: list[dict]) -> str:
    """All user turns joined: what robustness detectors and prompt stats look at."""
    return "\n".join(m.get("content") or "" for m in messages if m.get("role") == "user")


def answer_text(messages: list[dict]) -> str:
    """All assistant turns joined: what the model learns."""
    return "\n".join(m.get("content") or "" for m in messages if m.get("role") == "assistant")


def conversation_text(messages: list[dict]) -> str:
    """Every turn as `role: content` lines, for full-conversation keys and search."""
    return "\n".join(f"{m.get('role')}: {m.get('content') or ''}" for m in messages)


_PROTECTED = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]+\$)", re.DOTALL)


def markdown_with_literal_html(text: str) -> str:
    """Markdown in which anything that looks like an HTML tag shows as the literal text it is.

    Markdown renderers silently drop raw HTML they won't render, which would hide part of a sample from the
    person reviewing it; a backslash before `<` makes it plain text. Code and LaTeX spans are left alone, since
    a backslash there would show up verbatim.
    """
    parts = _PROTECTED.split(text)
    return "".join(p if i % 2 else p.replace("<", "\\<") for i, p in enumerate(parts))
