"""Small text helpers shared by import, stats and checks: language, prompt/answer extraction."""
from __future__ import annotations

import html
import re

import numpy as np

from .messages import readable_turns

CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs, as a regex class body (stats SQL too)
_CJK = re.compile(f"[{CJK_CLASS}]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def detect_language(text: str) -> str:
    """Classify text as zh, en, mixed or other from its script mix.

    Counting CJK characters against Latin words is enough for a zh/en workbench and needs no model;
    a text is `mixed` when the minority script is a real share, not a stray acronym.
    """
    return _classify(len(_CJK.findall(text)), sum(len(w) for w in _LATIN_WORD.findall(text)))


# Script of every code point: 1 = ASCII letter, 2 = CJK ideograph (the ranges of _CJK), 0 = anything else.
_SCRIPT = np.zeros(0x110000, np.uint8)
_SCRIPT[ord("A"):ord("Z") + 1] = _SCRIPT[ord("a"):ord("z") + 1] = 1
for _lo, _hi in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)):
    _SCRIPT[_lo:_hi + 1] = 2


def detect_languages(texts: list[str], chunk_chars: int = 1 << 22) -> list[str]:
    """`detect_language` of many texts, same answers, counted in vectorised passes (the import's hot path).

    Two regex scans per text cost more than parsing the JSON; a table lookup over the code points of a few
    thousand texts at once costs a few nanoseconds per character. `chunk_chars` bounds the arrays' memory.
    """
    # An ASCII-only text (Python knows without scanning it) has no CJK: it is English as soon as it has a Latin word
    out = ["other" if t.isascii() and not _LATIN_WORD.search(t) else "en" if t.isascii() else "" for t in texts]
    rest = [t for t in texts if not t.isascii()]
    found: list[str] = []
    start = size = 0
    for i, t in enumerate(rest):
        size += len(t) + 1
        if size >= chunk_chars or i == len(rest) - 1:
            cjk, latin = _script_counts(rest[start:i + 1])
            found += map(_classify, cjk, latin)
            start, size = i + 1, 0
    found.reverse()
    return [lang or found.pop() for lang in out]


def _script_counts(texts: list[str]) -> tuple[list[int], list[int]]:
    """Per text: CJK characters, and letters in runs of 2+ ASCII letters (what `_LATIN_WORD` matches)."""
    joined = "\n".join(texts) + "\n"  # each text ends with a separator, so no run spans two texts
    script = _SCRIPT[np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), np.uint32)]
    letter = script == 1
    neighbour = np.zeros_like(letter)
    neighbour[1:] |= letter[:-1]
    neighbour[:-1] |= letter[1:]
    starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
    cjk = np.add.reduceat(script == 2, starts, dtype=np.int64)
    latin = np.add.reduceat(letter & neighbour, starts, dtype=np.int64)
    return cjk.tolist(), latin.tolist()


def _classify(cjk: int, latin: int) -> str:
    """zh / en / mixed / other from the CJK character and Latin letter counts."""
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
    return "\n".join([m["content"] for m in readable_turns(messages) if m["role"] == "user"])


def answer_text(messages: list[dict]) -> str:
    """All assistant turns joined: what the model learns."""
    return "\n".join([m["content"] for m in readable_turns(messages) if m["role"] == "assistant"])


def conversation_text(messages: list[dict]) -> str:
    """Every turn as `role: content` lines, for full-conversation keys and search."""
    return "\n".join(f"{m['role']}: {m['content']}" for m in readable_turns(messages))


_PROTECTED = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]+\$)", re.DOTALL)


_IMAGE = re.compile(r"!\[([^\]\n]*)\]")


def markdown_with_literal_html(text: str) -> str:
    """Sample content as markdown that shows everything it holds and fetches nothing.

    Markdown renderers silently drop raw HTML they won't render, which would hide part of a sample from the
    person reviewing it; a backslash before `<` makes it plain text. An image (`![alt](url)`, or by reference)
    would load from whatever host the sample names, telling it who reads what: it becomes a visible link,
    loaded only if the reader clicks it. Code and LaTeX spans are left alone, since a backslash there would show
    up verbatim.
    """
    parts = _PROTECTED.split(text)
    return "".join(p if i % 2 else _IMAGE.sub(r"🖼 [image: \1]", p.replace("<", "\\<"))
                   for i, p in enumerate(parts))


_MD_PUNCT = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def markdown_literal(text) -> str:
    """Any value (a sample id, a task_type, a file name, a reason) as markdown that shows exactly its text.

    Metadata comes from the imported files, so it is data too: every ASCII punctuation mark is backslash-escaped
    (CommonMark allows that for all of them), so no link, image, emphasis, heading or autolink can form."""
    return _MD_PUNCT.sub(r"\\\1", str(text)).replace("\n", " ")


def plotly_label(text) -> str:
    """A label for a Plotly chart: Plotly renders a subset of HTML in text (`<a href>` becomes a live link), so
    the characters that form tags and entities are escaped."""
    return html.escape(str(text), quote=False)


def quoted(text: str, limit: int = 80) -> str:
    """A short quote of sample text for a message: its line breaks shown as ⏎ (a repr would print a literal
    backslash-n), cut at `limit` characters."""
    t = " ⏎ ".join(line.strip() for line in str(text).splitlines() if line.strip())
    return f"“{t if len(t) <= limit else t[:limit - 1] + '…'}”"


def plural(count: int, noun: str) -> str:
    """ "1 annotator", "2 annotators", "1,200 reviews": a count with its noun in the right number."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")
