"""Sample text as safe Markdown with the evidence spans highlighted, for the Robustness page.

Sample content is data, never markup: every character Markdown (or Streamlit's directives such as
`:red[...]`, and LaTeX `$...$`) could interpret is backslash-escaped, and the evidence is then wrapped in
`:red-background[...]`. No HTML is produced or allowed.
"""
from __future__ import annotations

import re

# CommonMark lets any ASCII punctuation be escaped with a backslash; escaping all of it is the safe choice.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&\"'=^%@/,;?])")


def escape_markdown(text: str) -> str:
    """Text that renders literally in st.markdown (line breaks kept)."""
    escaped = _SPECIAL.sub(r"\\\1", text)
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")


def highlight_markdown(text: str, spans: list[tuple[int, int]], color: str = "red") -> str:
    """`text` escaped, with each (start, end) span wrapped in a background highlight; overlaps are merged."""
    merged: list[list[int]] = []
    for a, b in sorted((max(0, a), min(len(text), b)) for a, b in spans if b > a):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out, pos = [], 0
    for a, b in merged:
        out.append(escape_markdown(text[pos:a]))
        inner = escape_markdown(text[a:b]).replace("  \n", " ")  # a directive cannot span lines
        out.append(f":{color}-background[**{inner}**]" if inner.strip() else inner)
        pos = b
    out.append(escape_markdown(text[pos:]))
    return "".join(out)


def excerpt(text: str, spans: list[tuple[int, int]], width: int = 400) -> tuple[str, list[tuple[int, int]]]:
    """A window of a long text around its spans (about `width` characters each side), spans shifted to it."""
    if len(text) <= 3 * width or not spans:
        return text, spans
    lo = max(0, min(a for a, _ in spans) - width)
    hi = min(len(text), max(b for _, b in spans) + width)
    head, tail = ("…" if lo else ""), ("…" if hi < len(text) else "")
    shift = lo - len(head)
    return head + text[lo:hi] + tail, [(a - shift, b - shift) for a, b in spans]
