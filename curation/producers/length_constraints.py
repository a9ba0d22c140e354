"""Numeric length constraints in a prompt ("at least 200 words", `不少于200字`, "no more than 3 paragraphs"):
find them, measure an answer against them, and rewrite the figure to what an answer actually did.

Small and self-contained on purpose: a handful of English and Chinese phrasings cover most complex-instruction
data (IFEval's length_constraints, the Chinese `不少于/不超过/以内/左右` forms). Anything else is not a constraint
here; nothing is guessed.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

KINDS = ("at_least", "at_most", "exactly", "about")
UNITS = ("words", "chars", "characters", "sentences", "paragraphs", "items")

_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_NUM = r"(\d[\d,]*|[零〇一二两三四五六七八九十百千万]+)"

_EN_UNIT = (r"(words?|sentences?|paragraphs?|characters?|letters?|bullet points?|bullets?|items?|points?|lines?)")
_EN_QUALIFIERS = {
    "at_least": r"at least|no less than|no fewer than|not less than|not fewer than|a minimum of|minimum of|min\.?",
    "at_most": r"at most|no more than|not more than|fewer than|less than|under|not exceed(?:ing)?|not to exceed|"
               r"a maximum of|maximum of|max\.?|up to|within",
    "exactly": r"exactly|precisely",
    "about": r"about|around|approximately|roughly",
}
_EN = [(kind, re.compile(rf"\b(?:{q})\s+{_NUM}\s+{_EN_UNIT}\b", re.I)) for kind, q in _EN_QUALIFIERS.items()]
_EN_AFTER = [("at_least", re.compile(rf"\b{_NUM}\s+{_EN_UNIT}\s+or more\b", re.I)),
             ("at_most", re.compile(rf"\b{_NUM}\s+{_EN_UNIT}\s+or (?:less|fewer)\b", re.I))]
_ZH_UNIT = r"(?:个)?(字|词|句话|句|段落|段|条|点|行)"
_ZH_BEFORE = {
    "at_least": r"不少于|不低于|不小于|至少|最少|起码",
    "at_most": r"不超过|不多于|不得超过|不要超过|最多|至多|少于|控制在",
}
_ZH = [(kind, re.compile(rf"(?:{q})\s*{_NUM}\s*{_ZH_UNIT}")) for kind, q in _ZH_BEFORE.items()]
_ZH_AFTER = [("at_most", re.compile(rf"{_NUM}\s*{_ZH_UNIT}(?:以内|之内|以下)")),
             ("at_least", re.compile(rf"{_NUM}\s*{_ZH_UNIT}(?:以上)")),
             ("about", re.compile(rf"{_NUM}\s*{_ZH_UNIT}(?:左右)"))]
_UNIT_NAMES = {"word": "words", "sentence": "sentences", "paragraph": "paragraphs", "character": "characters",
               "letter": "characters", "bullet point": "items", "bullet": "items", "item": "items", "point": "items",
               "line": "items", "字": "chars", "词": "words", "句": "sentences", "句话": "sentences", "段": "paragraphs",
               "段落": "paragraphs", "条": "items", "点": "items", "行": "items"}

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")
_SENTENCE_END = re.compile(r"[.!?。！？]+[\"'”’)）]*")
_ITEM = re.compile(r"^\s*(?:[-*•·]|\d+[.)、]|[（(]?\d+[)）]|[一二三四五六七八九十]+、)\s*\S", re.M)


@dataclass(frozen=True)
class Constraint:
    """One numeric constraint of a prompt: `kind` `value` `unit`, found at `number_span` in the prompt."""

    kind: str  # at_least | at_most | exactly | about
    value: int
    unit: str  # words | chars (Chinese 字) | characters | sentences | paragraphs | items
    phrase: str  # the matched text, as written
    number_span: tuple[int, int]  # where the figure is in the prompt (what a rewrite replaces)

    def describe(self) -> str:
        return f"{self.kind.replace('_', ' ')} {self.value} {self.unit}"


def parse_number(text: str) -> int | None:
    """An Arabic ("1,200") or simple Chinese ("两百", "一千五百", "三十") whole number; None otherwise."""
    text = text.replace(",", "")
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _ZH_DIGITS:
            current = _ZH_DIGITS[ch]
        elif ch in _ZH_UNITS:
            unit = _ZH_UNITS[ch]
            if unit == 10000:
                total, current = (total + current) * unit, 0
            else:
                total += (current or 1) * unit
                current = 0
        else:
            return None
    return total + current


def parse_constraints(prompt: str) -> list[Constraint]:
    """Every numeric length constraint of a prompt, in order of appearance (one per figure)."""
    found: dict[int, Constraint] = {}
    for kind, pattern in _EN + _EN_AFTER + _ZH + _ZH_AFTER:
        for m in pattern.finditer(prompt):
            value = parse_number(m.group(1))
            if value is None or m.start(1) in found:
                continue
            unit = _UNIT_NAMES.get(re.sub(r"s$", "", m.group(2).lower()), _UNIT_NAMES.get(m.group(2)))
            if unit is None:
                continue
            found[m.start(1)] = Constraint(kind, value, unit, m.group(0), (m.start(1), m.end(1)))
    return [found[k] for k in sorted(found)]


def measure(answer: str, unit: str) -> int:
    """The answer's length in `unit`. Chinese 字 (`chars`) counts ideographs plus Latin words, as word processors
    count Chinese; English `words` count Latin words, or ideographs plus words when the answer is Chinese."""
    text = answer.strip()
    if unit in ("chars", "words"):
        cjk = len(_CJK.findall(text))
        return cjk + len(_WORD.findall(_CJK.sub(" ", text)))
    if unit == "characters":
        return len(re.sub(r"\s", "", text))
    if unit == "sentences":
        return len([s for s in _SENTENCE_END.split(text) if s.strip()])
    if unit == "paragraphs":
        return len([p for p in re.split(r"\n\s*\n", text) if p.strip()])
    if unit == "items":
        return len(_ITEM.findall(text))
    raise ValueError(f"unknown unit {unit!r}")


def satisfied(c: Constraint, actual: int, about_tolerance: float = 0.1) -> bool:
    """Whether a measured length meets the constraint ("about" allows ±about_tolerance of the figure)."""
    if c.kind == "at_least":
        return actual >= c.value
    if c.kind == "at_most":
        return actual <= c.value
    if c.kind == "exactly":
        return actual == c.value
    return abs(actual - c.value) <= about_tolerance * c.value


def matching_figure(c: Constraint, actual: int, round_to: int = 1) -> int:
    """The figure that makes the constraint true of an answer of length `actual`: rounded down to `round_to` for
    "at least", up for "at most", the exact count otherwise."""
    step = max(1, int(round_to))
    if c.kind == "at_least":
        return max(1, (actual // step) * step) if actual >= step else actual
    if c.kind == "at_most":
        return int(math.ceil(actual / step) * step)
    return actual


def rewrite(prompt: str, c: Constraint, figure: int) -> str:
    """The prompt with the constraint's figure replaced (every other character unchanged)."""
    start, end = c.number_span
    return prompt[:start] + str(figure) + prompt[end:]
