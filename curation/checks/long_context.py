"""Pre-flag for long-context samples: where in a long prompt the answer's support sits.

For a prompt over `min_prompt_chars`, the answer's key phrases (English word trigrams, Chinese character
4-grams, numbers) are looked up in the prompt, cut into `windows` equal parts; the window holding most of them
is the supporting span, and its centre places it at the `start`, `middle` or `end` third of the prompt. The
distribution per task_type (curation/special.py, and the Diversity page beside the length histograms) shows
whether the key information always sits at one end: a model trained on such data learns to read only the start
or the end. A sample whose answer shares almost nothing with its long prompt is flagged: the answer may ignore
the context it was given.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from ..text import CJK_CLASS
from .base import CHECKS, Check, Flag

POSITIONS = ("start", "middle", "end")
_EN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")
_CJK_RUN = re.compile(f"[{CJK_CLASS}]{{4,}}")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d{2,}")
_STOP = frozenset("""the a an and or of to in on at for with by from as is are was were be been it this that these
those there here its their they we you i he she his her them our your not no but so if then than also which who
what when where how can could would should will may might do does did has have had""".split())


@dataclass
class LongContextSettings:
    """Long prompts and where their answer's support sits."""

    min_prompt_chars: int = 4000  # prompts at least this long (all user and system turns) are long-context
    windows: int = 12  # the prompt is cut into this many equal parts; the best-matching one is the span
    min_hits: int = 3  # fewer distinct answer phrases found in the prompt: no supporting span (flagged)
    max_answer_phrases: int = 400  # phrases taken from a long answer (its first ones): bounds the cost


def _phrases(text: str, limit: int) -> list[str]:
    """Key phrases of an answer: English word trigrams (without stop-word-only ones), Chinese 4-grams, numbers."""
    out: list[str] = []
    words = [w.lower() for w in _EN_WORD.findall(text)]
    for i in range(len(words) - 2):
        tri = words[i:i + 3]
        if not all(w in _STOP for w in tri):
            out.append(" ".join(tri))
    for run in _CJK_RUN.findall(text):
        out.extend(run[i:i + 4] for i in range(0, len(run) - 3, 2))
    out.extend(n for n in _NUMBER.findall(text) if len(n) >= 3)
    return list(dict.fromkeys(out))[:limit]


def _normalise_en(text: str) -> str:
    return " ".join(w.lower() for w in _EN_WORD.findall(text))


def prompt_text(sample: dict) -> str:
    """System and user turns, and tool results, joined: the context the answer could draw on."""
    return "\n".join(m.get("content") or "" for m in sample.get("messages") or []
                     if isinstance(m, dict) and m.get("role") in ("system", "user", "tool"))


def final_answer(sample: dict) -> str:
    return next((m.get("content") or "" for m in reversed(sample.get("messages") or [])
                 if isinstance(m, dict) and m.get("role") == "assistant" and not m.get("tool_calls")), "")


def locate(prompt: str, answer: str, s: LongContextSettings) -> dict | None:
    """Where the answer's support sits in a long prompt: {position, relative (0..1), hits, window}; position is
    None when too few phrases are found (`judged` False: the answer is too short to tell). None when the prompt is
    not long."""
    if len(prompt) < s.min_prompt_chars or not answer.strip():
        return None
    phrases = _phrases(answer, s.max_answer_phrases)
    if len(phrases) < s.min_hits:  # a short answer ("7421", "巴黎"): look for the answer itself
        at = prompt.find(answer.strip().rstrip("。.!！"))
        if at < 0:
            return {"position": None, "relative": None, "hits": 0, "phrases": len(phrases), "window": None,
                    "judged": False}
        rel = at / len(prompt)
        return {"position": POSITIONS[bisect_right([1 / 3, 2 / 3], rel)], "relative": round(rel, 3), "hits": 1,
                "phrases": len(phrases), "window": min(s.windows - 1, int(rel * s.windows)), "judged": True}
    # English phrases are matched on the word-normalised prompt, with offsets mapped back by proportion
    en_prompt = _normalise_en(prompt)
    counts = [0] * s.windows
    hits = 0
    for p in phrases:
        hay, at = (en_prompt, en_prompt.find(p)) if p[:1].isascii() and " " in p else (prompt, prompt.find(p))
        if at < 0:
            continue
        hits += 1
        rel = at / max(1, len(hay))
        counts[min(s.windows - 1, int(rel * s.windows))] += 1
    if hits < s.min_hits:
        return {"position": None, "relative": None, "hits": hits, "phrases": len(phrases), "window": None,
                "judged": True}
    best = max(range(s.windows), key=lambda k: counts[k])
    rel = (best + 0.5) / s.windows
    return {"position": POSITIONS[bisect_right([1 / 3, 2 / 3], rel)], "relative": round(rel, 3), "hits": hits,
            "phrases": len(phrases), "window": best, "judged": True}


def position(sample: dict, s: LongContextSettings | None = None) -> dict | None:
    """`locate` for a sample's prompt and final answer."""
    s = s or LongContextSettings()
    turns = sample.get("messages") or []
    if sum(len(m.get("content") or "") for m in turns if isinstance(m, dict)) < s.min_prompt_chars:
        return None  # cheap exit before joining the text
    return locate(prompt_text(sample), final_answer(sample), s)


@CHECKS.register
class LongContextCheck(Check):
    """A long prompt whose answer shares (almost) nothing with it: no supporting span found."""

    name = "long_context"
    Settings = LongContextSettings

    def find(self, sample: dict, context: dict) -> list[Flag]:
        found = position(sample, self.settings)
        if found is None or found["position"] is not None or not found["judged"]:
            return []  # not long, located, or an answer too short to judge
        return [Flag(self.name, f"long prompt ({len(prompt_text(sample)):,} chars) but only {found['hits']} of the "
                                f"answer's {found['phrases']} key phrases occur in it: the answer may ignore its context",
                     f"answer «{final_answer(sample)[:80]}»")]
