"""What the robustness detectors look at: the user turns of a sample, with code, URLs and quotes masked.

Detectors judge how a *person* wrote, so text that was pasted or quoted (code blocks, inline code, URLs, e-mail
addresses, file paths, dotted identifiers, quoted sentences) is blanked out before they look. Masking replaces
characters with spaces instead of cutting them, so every offset still points into the original turn and evidence
spans can be shown in place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from ..messages import readable_turns

CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK = re.compile(f"[{CJK_CLASS}]")
# Chinese context around Latin words: ideographs and Chinese punctuation, except the colon, which introduces
# content ("复数形式：watch" quotes a word, it does not mix languages).
CJK_OR_PUNCT = re.compile(f"[{CJK_CLASS}\u3001\u3002\u3008-\u3011\uff01\uff08\uff09\uff0c\uff1b\uff1f“”‘’]")
# Letters a pinyin or English token may contain: ASCII, Latin-1/extended (pinyin tone marks: ā á ǎ à ü ǖ ǘ ǚ ǜ).
LATIN_LETTERS = "A-Za-z\u00c0-\u00ff\u0100-\u017f\u01cd-\u01dc"
# A Latin token: letters with inner apostrophes ("don't", "xi'an"), optionally digits/underscores (identifiers,
# tone numbers "ni3hao3") so those can be recognised and skipped as a whole.
TOKEN = re.compile(f"[{LATIN_LETTERS}0-9_]+(?:'[{LATIN_LETTERS}]+)*")

# (pattern, cheap test that must pass before the pattern is worth running): most prompts contain no URL, path or
# code at all, and the detectors must keep up with thousands of prompts per second.
_CODE_MASKS = [
    (re.compile(r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)", re.S), ("```", "~~~")),  # fenced code (unclosed: to the end)
    (re.compile(r"`[^`\n]+`"), ("`",)),  # inline code
]
_MASKS = [
    (re.compile(r"(?:https?|ftp)://\S+|www\.\S+", re.I), ("://", "www.")),  # URLs
    (re.compile(r"[A-Za-z0-9_.+-]+@[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+"), ("@",)),  # e-mail addresses
    (re.compile(r"\\[A-Za-z]+"), ("\\",)),  # LaTeX commands
    (re.compile(r"[@#][\w]+"), ("@", "#")),  # mentions and hashtags
    (re.compile(r"<[^<>\n]{1,80}>"), ("<",)),  # markup tags and placeholders <name>
    (re.compile(r"\{\{?[^{}\n]*\}?\}"), ("{",)),  # template fields {name}, {{name}}
]
# Code pasted without a fence: a line that starts or ends like a statement is masked whole.
_CODE_START = re.compile(
    r"[ \t]*(?:(?:def|class|return|import|from|for|while|elif|else:|try:|except|print\(|var|let|const|function|"
    r"public|private|static|int|float|double|void|String|#include|SELECT|INSERT|UPDATE|console\.)\b"
    r"|[}\]][;,)]*[ \t]*$|[A-Za-z_][\w.\[\]]*[ \t]*[+\-*/]?=[ \t]*[\w(\[\"'])")
_CODE_END = (";", "{", "):", "=>")
_CODE_HINTS = (";", "{", "}", "=", "):", "def ", "class ", "return", "import ", "print(")
# Quoted material is a mention, not the writer's own wording ("translate “Je suis …”"): masked for the
# word-level detectors, but kept for the bracket/quote balance check of the incomplete detector.
# Single quotes only when they cannot be apostrophes: not inside a word on the outer side ("don't ... it's").
_QUOTES = re.compile(r"“[^“”\n]*”|‘[^‘’\n]*’|「[^「」\n]*」|『[^『』\n]*』|\"[^\"\n]*\"|《[^《》\n]*》"
                     r"|(?<![A-Za-z])'[^'\n]{1,80}'(?![A-Za-z])")
_QUOTE_CHARS = ("“", "‘", "「", "『", '"', "《", "'")


def _blank(text: str, pattern: re.Pattern) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


# Paths, dotted names, versions and numbers: a run of name characters with a dot or slash *inside* it
# (a/b/c.py, C:\\x\\y, os.path, Math.random(), v1.2, 3.5, 1/3). Found from the separators outwards: a pattern
# with nested repetition tried at every position of every prompt would cost more than all detectors together.
_INNER_SEPARATOR = re.compile(r"[A-Za-z0-9_][./\\][A-Za-z0-9_(]")
_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:~/\\()-")


def _blank_names(text: str) -> str:
    spans = []
    for m in _INNER_SEPARATOR.finditer(text):
        if spans and m.start() < spans[-1][1]:
            continue
        a, b = m.start(), m.end()
        while a > 0 and text[a - 1] in _NAME_CHARS:
            a -= 1
        while b < len(text) and text[b] in _NAME_CHARS:
            b += 1
        spans.append((a, b))
    for a, b in spans:
        text = text[:a] + " " * (b - a) + text[b:]
    return text


def _apply(text: str, masks) -> str:
    for pattern, hints in masks:
        if any(h in text for h in hints):
            text = _blank(text, pattern)
    return _blank_names(text)


def _blank_code_lines(text: str) -> str:
    if not any(h in text for h in _CODE_HINTS):
        return text
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body.strip() and (_CODE_START.match(body) or body.rstrip().endswith(_CODE_END)):
            line = " " * len(body) + line[len(body):]
        out.append(line)
        pos += len(line)
    return "".join(out)


class Token:
    """A Latin-script token of a turn, with its offsets in the original text."""

    __slots__ = ("start", "end", "text")

    def __init__(self, start: int, end: int, text: str):
        self.start, self.end, self.text = start, end, text

    def __repr__(self) -> str:
        return f"Token({self.start}, {self.end}, {self.text!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Token) and (self.start, self.end, self.text) == (other.start, other.end, other.text)

    def __hash__(self) -> int:
        return hash((self.start, self.end, self.text))

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def is_plain_word(self) -> bool:
        """Letters only (apostrophes allowed): not an identifier, not a number with letters."""
        return self.text.replace("'", "").isalpha()

    @property
    def shape(self) -> str:
        """lower | title | upper | mixed: case carries meaning (acronyms, names, camelCase identifiers)."""
        t = self.text.replace("'", "")
        if t.islower():
            return "lower"
        if t.isupper():
            return "upper"
        if t[0].isupper() and t[1:].islower():
            return "title"
        return "mixed"


@dataclass
class Turn:
    """One user turn prepared for the detectors."""

    index: int  # position of the turn in `messages`
    text: str
    masked: str = field(init=False)
    masked_code_only: str = field(init=False)
    cache: dict = field(init=False, default_factory=dict, repr=False)  # per-turn results shared by detectors

    def __post_init__(self):
        code_only = _blank_code_lines(_apply(self.text, _CODE_MASKS))
        masked = _apply(code_only, _MASKS)
        self.masked_code_only = code_only
        self.masked = _blank(masked, _QUOTES) if any(q in masked for q in _QUOTE_CHARS) else masked

    @cached_property
    def tokens(self) -> list[Token]:
        """Latin tokens of the masked text."""
        return [Token(m.start(), m.end(), m.group(0)) for m in TOKEN.finditer(self.masked)
                if not m.group(0).isdigit()]

    @cached_property
    def _line_starts(self) -> list[int]:
        return [m.end() for m in re.finditer("\n", self.text)]

    def line_of(self, pos: int) -> int:
        """0-based line number of a character offset."""
        import bisect
        return bisect.bisect_right(self._line_starts, pos)

    @cached_property
    def cjk_count(self) -> int:
        """CJK ideographs outside code (quoted Chinese counts: it makes the prompt Chinese all the same)."""
        return len(CJK.findall(self.masked_code_only))

    def cjk_near(self, start: int, end: int, reach: int = 2) -> bool:
        """True when Chinese (an ideograph or full-width punctuation) sits next to [start, end), at most `reach`
        spaces away: the Latin words are part of a Chinese sentence."""
        left = self.text[max(0, start - reach - 1):start].rstrip(" ")
        right = self.text[end:end + reach + 1].lstrip(" ")
        return bool((left and CJK_OR_PUNCT.match(left[-1])) or (right and CJK_OR_PUNCT.match(right[0])))


def user_turns(messages: list[dict]) -> list[Turn]:
    """The user turns of a conversation (what robustness is about: the prompt, never the answer)."""
    # readable_turns keeps one turn per stored turn, so the positions stay those of the stored conversation
    return [Turn(i, m["content"]) for i, m in enumerate(readable_turns(messages))
            if m["role"] == "user" and m["content"].strip()]


def text_turns(text: str) -> list[Turn]:
    """A bare prompt string as a single turn (tests, benchmarks, the CLI's ad-hoc checks)."""
    return [Turn(0, text)] if text.strip() else []
