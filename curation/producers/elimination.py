"""Evol-Instruct's elimination rules (WizardLM, arXiv:2304.12244, section 3.3), each returning the reason it
throws an evolution away, or None.

1. no information gain: the evolved prompt adds (almost) nothing to the original;
2. the evolved prompt's answer (or the evolved prompt itself) is a refusal, or says "sorry" and little else, while
   short (WizardLM: "sorry" and under 80 words);
3. the evolved prompt or its answer is only punctuation or stop words;
4. the evolved prompt copies words of the evolving template ("#Rewritten Prompt#", "given prompt", 给定提示).

WizardLM asks ChatGPT whether two prompts are equal for rule 1; here it is measured: the evolved prompt must bring
at least `min_new_tokens` content tokens (words, or Chinese characters) the original lacks, and must not be almost
the same text (character-shingle Jaccard at or above `max_similarity`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..checks.builtin import _EN_STOP, _ZH_STOP, EmptyAnswerCheck, RefusalCheck, RefusalSettings
from ..dedup.lsh import set_similarity, shingle_sets
from ..dedup.normalise import normalise

RULES = ("template_leak", "stop_words", "no_information_gain", "refusal")
_LEAK = re.compile(
    r"#\s*(?:given|rewritten|created|new)\s+prompt\s*#|\b(?:the\s+)?(?:given|rewritten|created|original)\s+prompt\b"
    r"|\bprompt\s+rewriter\b|\bprompt\s+creator\b"
    r"|#\s*(?:给定|改写后的|重写后的|新的?|创作的)提示\s*#|给定(?:的)?提示|改写后的提示|重写后的提示|原(?:始)?提示|新创作的提示|提示改写者",
    re.I)
_TOKEN = re.compile(r"[A-Za-z0-9]+|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ZH_STOP_CHARS = frozenset("".join(_ZH_STOP))
_EMPTY = EmptyAnswerCheck()


@dataclass
class EliminationSettings:
    """Where the elimination rules draw their lines (EvolSettings carries the same fields; the rules read either)."""

    min_new_tokens: int = 3  # an evolution must add this many new words (or Chinese characters) to the original
    max_similarity: float = 0.9  # an evolution this similar to the original (shingle Jaccard) adds nothing
    sorry_max_words: int = 80  # WizardLM's rule: an answer that says "sorry" in fewer words is a refusal
    # an apology followed by fewer letters than this is a refusal ("Sorry, I can't write that."); more is a polite
    # answer that goes on to help (the import pre-flag allows 12: imported answers are not evolutions)
    sorry_help_chars: int = 40


def template_leak(evolved: str) -> str | None:
    """Rule 4: words of the evolving template leaked into the evolved prompt."""
    m = _LEAK.search(evolved)
    return None if m is None else f"the evolved prompt copies the template's words «{m.group(0)}»"


def only_stop_words(text: str, what: str) -> str | None:
    """Rule 3: empty, punctuation only or stop words only (the pre-flag check's rule, at any length)."""
    kind = _EMPTY._kind(text)
    if kind is None:
        tokens = _content_tokens(text)
        kind = "stop-word-only" if not tokens else None
    return None if kind is None else f"the {what} is {kind.replace('-only', ' only').replace('-', ' ')}"


def no_information_gain(original: str, evolved: str, s: EliminationSettings) -> str | None:
    """Rule 1: the evolution adds fewer than `min_new_tokens` new content tokens, or is nearly the same text."""
    a, b = normalise(original), normalise(evolved)
    if a == b:
        return "the evolved prompt is the original prompt"
    new = _content_tokens(evolved) - _content_tokens(original)
    if len(new) < s.min_new_tokens:
        shown = ", ".join(sorted(new)[:5]) or "none"
        return f"the evolved prompt adds {len(new)} new word(s) to the original ({shown}); at least {s.min_new_tokens}"
    sa, sb = shingle_sets([a, b], 5)
    jac = set_similarity(sa, sb)[0]
    if jac >= s.max_similarity:
        return f"the evolved prompt is {jac:.0%} the same text as the original (shingle Jaccard)"
    return None


def refusal(answer: str, s: EliminationSettings, what: str = "answer to the evolved prompt") -> str | None:
    """Rule 2: the text declines, or says sorry and offers little else, within `sorry_max_words` words.

    WizardLM's literal rule (contains "sorry", under 80 words) also throws away helpful answers that open with an
    apology ("Sorry I can't make Thursday; would Friday at 10 work?"); the review pre-flag's refusal rule tells
    the two apart: an apology counts only when little text follows it (curation/checks/builtin.py)."""
    refusals = RefusalCheck(RefusalSettings(max_chars=s.sorry_max_words * 7,  # ~7 characters a word, zh or en
                                            min_help_chars=s.sorry_help_chars))
    flags = refusals.find({"messages": [{"role": "user", "content": "-"}, {"role": "assistant", "content": answer}]},
                          {})
    if flags and len(_TOKEN.findall(answer)) < s.sorry_max_words:
        return f"the {what} is a refusal: {flags[0].reason}"
    return None


def prompt_reasons(original: str, evolved: str, s: EliminationSettings) -> tuple[str, str] | None:
    """(rule, reason) of the first rule an evolved prompt breaks, before it is answered; None if it passes."""
    for rule, reason in (("template_leak", template_leak(evolved)),
                         ("stop_words", only_stop_words(evolved, "evolved prompt")),
                         ("refusal", refusal(evolved, s, "evolved prompt")),  # the rewriter declined to rewrite
                         ("no_information_gain", no_information_gain(original, evolved, s))):
        if reason:
            return rule, reason
    return None


def answer_reasons(answer: str, s: EliminationSettings) -> tuple[str, str] | None:
    """(rule, reason) of the first rule the answer to an evolved prompt breaks; None if it passes."""
    for rule, reason in (("stop_words", only_stop_words(answer, "answer")), ("refusal", refusal(answer, s))):
        if reason:
            return rule, reason
    return None


def _content_tokens(text: str) -> set[str]:
    out = set()
    for t in _TOKEN.findall(text.casefold()):
        if t in _EN_STOP or t in _ZH_STOP_CHARS:
            continue
        out.add(t)
    return out
