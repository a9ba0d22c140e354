"""Scoring functions for generated answers: pure, deterministic, no model and no I/O.

- `extract_answer` / `normalise_number` / `exact_match`: the final numeric answer, GSM8K-style.
- `rouge_l`: LCS F-measure over words (Latin) and single characters (CJK), so it works for Chinese.
- `char_f1`: bag-of-characters F1 (SQuAD-style F1 with characters as tokens; the usual Chinese QA metric).
- Readable metrics, right or wrong per item, so a score reads as "7 of 11 answers": `exact_text` (the answer is
  the reference, up to case, width and spacing), `contains_expected` (the reference's words appear in order in
  the answer), `label_accuracy` (the answer starts with the reference label). Short fixed-answer task types
  (identity, fixed-label classification, fixed formats, short extraction) default to them (`metrics_for`).

Every metric takes (prediction, reference) and returns a score in [0, 1]; `METRICS` maps names to them.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

# ---------------------------------------------------------------- numbers
# A number as people write it: sign, thousands groups ("1,234"), decimals, and an optional "/denominator".
# Thousands groups must be exactly three digits, so "3,4,5" is a list of three numbers, not 345.
_NUMBER = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s*/\s*(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)?|[-+]?\.\d+"
_NUMBER_RE = re.compile(rf"(?<![\w.])(?:{_NUMBER})(?!\d)")
_LATEX_FRAC = re.compile(r"\\d?frac\{\s*([-+]?[\d.,]+)\s*\}\{\s*([-+]?[\d.,]+)\s*\}")
_CALC_ANNOTATION = re.compile(r"<<[^<>]*>>")  # GSM8K's calculator notes: "<<48/2=24>>24"
_BOXED = re.compile(r"\\boxed\{([^{}]*)\}")
_HASHES = re.compile(r"####\s*(.+)")
# Phrases that announce the final answer, English and Chinese; the text after the last one holds the answer.
_ANSWER_PHRASE = re.compile(
    r"(?:final\s+)?answer\s*(?:is|=|:|：)\s*[:：]?"  # the verb is required: "to answer this, 5 + 3 = 8" is not one
    r"|(?:最终|最后的?)?答案\s*(?:是|为|應為|应为|应该是|:|：|=)\s*[:：]?"
    r"|(?:结果|結果)\s*(?:是|为|:|：|=)\s*"
    r"|(?:所以|因此|故)[^。\n\d]{0,12}(?:是|为|等于|有|共)\s*",
    re.IGNORECASE)
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_CN_NUMBER_RE = re.compile(r"[零〇一二两兩三四五六七八九十百千万萬亿億]+")


def _clean(text: str) -> str:
    """Fold full-width digits and signs (NFKC) and the Unicode minus, drop calculator annotations."""
    text = unicodedata.normalize("NFKC", text or "").replace("\u2212", "-")
    text = _CALC_ANNOTATION.sub("", text)
    return _LATEX_FRAC.sub(r"\1/\2", text)


def parse_number(token: str) -> Fraction | None:
    """'1,234.5' -> 2469/2, '3/4' -> 3/4, '-.5' -> -1/2; None when it is not a number (or divides by zero)."""
    token = token.replace(",", "").replace(" ", "")
    try:
        if "/" in token:
            num, den = token.split("/", 1)
            return None if Fraction(den) == 0 else Fraction(num) / Fraction(den)
        return Fraction(token)
    except (ValueError, ZeroDivisionError):
        return None


def parse_chinese_number(text: str) -> Fraction | None:
    """'十八' -> 18, '一百零五' -> 105, '两万三千' -> 23000; None when it is not a Chinese numeral."""
    if not text or not _CN_NUMBER_RE.fullmatch(text):
        return None
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]  # "十八": a bare 十 means 10
            digit = None
        else:  # 万 / 亿 close a section
            total = (total + section + (digit or 0)) * _CN_BIG[ch]
            section, digit = 0, None
    return Fraction(total + section + (digit or 0))


def _numbers(text: str) -> list[Fraction]:
    values = (parse_number(m.group(0)) for m in _NUMBER_RE.finditer(text))
    return [v for v in values if v is not None]


def _first_number(text: str) -> Fraction | None:
    """The first number in a short answer span: Arabic digits, else a Chinese numeral."""
    found = _numbers(text)
    if found:
        return found[0]
    m = _CN_NUMBER_RE.search(text)
    return parse_chinese_number(m.group(0)) if m else None


def extract_answer(text: str) -> Fraction | None:
    """The final numeric answer of a worked solution, or None.

    Tried in order: GSM8K's "#### 18"; LaTeX \\boxed{18}; the text after the last answer phrase ("the answer
    is 18", "答案是 18", "所以一共是十八"); else the last number in the text. Thousands separators, currency signs,
    percent signs and units fall away because only the number itself is read; "3/4" and \\frac{3}{4} are
    fractions, so 0.75 matches 3/4.
    """
    text = _clean(text)
    for m in reversed(list(_HASHES.finditer(text))):
        value = _first_number(m.group(1))
        if value is not None:
            return value
    for m in reversed(list(_BOXED.finditer(text))):
        value = _first_number(m.group(1))
        if value is not None:
            return value
    for m in reversed(list(_ANSWER_PHRASE.finditer(text))):
        value = _first_number(text[m.end():m.end() + 40].split("\n")[0])
        if value is not None:
            return value
    found = _numbers(text)
    return found[-1] if found else None


def format_number(value: Fraction | None) -> str | None:
    """Canonical text of an extracted answer: '18', '0.75', '1/3' (exact; no float rounding)."""
    if value is None:
        return None
    if value.denominator == 1:
        return str(value.numerator)
    d = value.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d == 1:  # a terminating decimal: write it out exactly
        return _decimal(value)
    return f"{value.numerator}/{value.denominator}"


def _decimal(value: Fraction) -> str:
    sign = "-" if value < 0 else ""
    value = abs(value)
    whole, rest = divmod(value.numerator, value.denominator)
    digits = ""
    while rest:
        rest *= 10
        q, rest = divmod(rest, value.denominator)
        digits += str(q)
    return f"{sign}{whole}.{digits}"


def normalise_number(text: str) -> str | None:
    """The canonical final answer in `text` ('#### 1,234' -> '1234', '答案是 3/4' -> '0.75'), or None."""
    return format_number(extract_answer(text))


def exact_match(prediction: str, reference: str) -> float:
    """1.0 when the final numbers agree exactly (as fractions); with no number in the reference, the
    normalised texts must be equal instead (for short non-numeric answers like 'B' or 'yes')."""
    ref = extract_answer(reference)
    if ref is None:
        return float(_normalise_text(prediction) == _normalise_text(reference) != "")
    pred = extract_answer(prediction)
    return float(pred is not None and pred == ref)


# ---------------------------------------------------------------- text overlap
_CJK_CHAR = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN_RE = re.compile(rf"[{_CJK_CHAR}]|[^\W{_CJK_CHAR}_]+", re.UNICODE)


def _normalise_text(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def tokens(text: str) -> list[str]:
    """Words for alphabetic scripts, one token per CJK character; case, width and punctuation folded away."""
    return _TOKEN_RE.findall(unicodedata.normalize("NFKC", text or "").casefold())


def lcs_length(a: list, b: list) -> int:
    """Length of the longest common subsequence, bit-parallel (Hyyrö 2004): O(len(a) * len(b) / wordsize).

    Each bit of `v` stands for a position of `a`; Python's big integers make the row update one addition,
    so a 2,000 x 2,000 comparison costs microseconds instead of a 4-million-cell Python loop.
    """
    if not a or not b:
        return 0
    masks: dict = {}
    for i, x in enumerate(a):
        masks[x] = masks.get(x, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for y in b:
        u = v & masks.get(y, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - bin(v).count("1")


def _f1(overlap: int, n_pred: int, n_ref: int) -> float:
    if overlap == 0 or n_pred == 0 or n_ref == 0:
        return 0.0
    p, r = overlap / n_pred, overlap / n_ref
    return 2 * p * r / (p + r)


def rouge_l(prediction: str, reference: str) -> float:
    """ROUGE-L F1: precision and recall of the longest common token subsequence (see `tokens`)."""
    pred, ref = tokens(prediction), tokens(reference)
    if not pred and not ref:
        return 1.0
    return _f1(lcs_length(pred, ref), len(pred), len(ref))


def _chars(text: str) -> list[str]:
    """Characters that carry content: letters, digits and CJK; whitespace and punctuation dropped."""
    return [c for c in unicodedata.normalize("NFKC", text or "").casefold()
            if not c.isspace() and not unicodedata.category(c).startswith(("P", "S", "C"))]


def char_f1(prediction: str, reference: str) -> float:
    """Character-level F1: overlap of the two multisets of content characters (works without word breaks)."""
    pred, ref = _chars(prediction), _chars(reference)
    if not pred and not ref:
        return 1.0
    overlap = sum((Counter(pred) & Counter(ref)).values())
    return _f1(overlap, len(pred), len(ref))


# ---------------------------------------------------------------- readable (right or wrong) metrics
_SPACE_AROUND_PUNCT = re.compile(r"\s*([^\w\s])\s*")
_EDGE = "\"'`“”‘’「」『』*"  # quotes and markdown emphasis around a short answer carry no content
_END_PUNCT = ".!。！"  # a closing full stop is style, not content: "Lisbon." is "Lisbon"
_LABEL_PREFIX = re.compile(r"^(?:the\s+)?(?:label|answer|topic|category|class|sentiment|标签|答案|类别)\s*"
                           r"(?:is\b|:|：|=|-)?\s*", re.IGNORECASE)


def normalise_answer(text: str) -> str:
    """A short answer as compared by `exact_text`: NFKC, case folded, whitespace collapsed, no space around
    punctuation, surrounding quotes and one closing full stop dropped. Punctuation inside is kept, so a format
    such as "NAME | ITEM | QTY" still has to be written with its bars."""
    t = " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())
    t = _SPACE_AROUND_PUNCT.sub(r"\1", t).strip(_EDGE + " ")
    return t[:-1].rstrip(_EDGE + " ") if t and t[-1] in _END_PUNCT else t


def exact_text(prediction: str, reference: str) -> float:
    """1.0 when the answer is the reference text (see `normalise_answer`): "Lisbon." = "lisbon", but
    "The city is Lisbon." is not; an empty reference never matches."""
    ref = normalise_answer(reference)
    return float(ref != "" and normalise_answer(prediction) == ref)


def _contains_run(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def contains_expected(prediction: str, reference: str) -> float:
    """1.0 when the reference's words (see `tokens`: case and punctuation folded) appear in the answer as one
    contiguous run: "Sure! I am SFT Workbench, an AI assistant ..." contains "I am SFT Workbench, an AI ..."."""
    ref = tokens(reference)
    return float(bool(ref) and _contains_run(tokens(prediction), ref))


def label_accuracy(prediction: str, reference: str) -> float:
    """1.0 when the answer starts with the reference label, after an optional "Label:" / "Topic:" / "答案：":
    "Sports.", "Label: sports" and "The topic is sports" are "sports"; "It is about sports" is not an answer in the
    label set's form, and "sports, or maybe business" counts as "sports" (only the first words are read)."""
    ref = tokens(reference)
    pred = tokens(_LABEL_PREFIX.sub("", unicodedata.normalize("NFKC", prediction or "").strip(_EDGE + " "), 1))
    return float(bool(ref) and pred[:len(ref)] == ref)


# ---------------------------------------------------------------- registry
METRICS = {"exact_match": exact_match, "rouge_l": rouge_l, "char_f1": char_f1, "exact_text": exact_text,
           "contains_expected": contains_expected, "label_accuracy": label_accuracy}
# Metrics whose score is a share of right answers (each item scores 0 or 1): a person reads them directly.
READABLE = ("exact_match", "exact_text", "contains_expected", "label_accuracy")
# Task types whose answers are a final number: scored by exact match unless the user configures otherwise.
NUMERIC_HINTS = ("math", "arithmetic", "numeric", "calculation", "gsm8k", "数学", "计算")


def is_numeric_task(task_type: str | None) -> bool:
    """True for task types whose answer is a number (math, arithmetic, ...)."""
    t = (task_type or "").casefold()
    return any(h in t for h in NUMERIC_HINTS)


def check_metrics(names, where: str = "") -> None:
    """Raise a UserError naming the first of `names` that is not a metric (None entries mean "the default")."""
    unknown = [n for n in names if n is not None and n not in METRICS]
    if unknown:
        from curation.errors import UserError
        raise UserError(f"unknown metric {unknown[0]!r}{where}; choose from {', '.join(METRICS)}")


# Short fixed-answer task types, by their L1 (or an L2 that names a label): scored right or wrong first, with
# ROUGE-L beside it so the text overlap stays visible. "information extraction" (structured JSON) is not "extraction".
READABLE_L1 = {"identity": "contains_expected", "身份": "contains_expected",  # the answer must say who it is
               "formatting": "exact_text", "格式": "exact_text",  # one fixed output format, written exactly
               "extraction": "exact_text", "抽取": "exact_text"}  # one short span read out of the text
LABEL_HINTS = ("label", "标签")  # "classification/topic label": one label from a fixed set


def readable_default(task_type: str | None) -> str | None:
    """The readable metric a task type defaults to (see READABLE_L1 / LABEL_HINTS), or None."""
    l1, _, l2 = (task_type or "").casefold().partition("/")
    if l1.strip() in READABLE_L1:
        return READABLE_L1[l1.strip()]
    return "label_accuracy" if any(h in l2 for h in LABEL_HINTS) else None


def metrics_for(task_type: str | None, overrides: dict[str, list[str] | str] | None = None) -> list[str]:
    """Metric names for a task type: an override (exact type, then its L1, then "*") or the default
    (exact_match for numeric types; a readable metric then ROUGE-L for short fixed-answer types, see
    `readable_default`; ROUGE-L and char F1 for everything else)."""
    overrides = overrides or {}
    label = task_type or "(untyped)"
    for key in (label, label.split("/")[0], "*"):
        if key in overrides:
            chosen = overrides[key]
            names = [chosen] if isinstance(chosen, str) else list(chosen)
            check_metrics(names, f" for {key}")
            return names
    if is_numeric_task(task_type):
        return ["exact_match"]
    readable = readable_default(task_type)
    return [readable, "rouge_l"] if readable else ["rouge_l", "char_f1"]


def metric_overrides(per_type: dict, other: str | None = None) -> dict:
    """`EvalSettings.metrics` from choices per task_type (None = that type's default) and one metric for every
    other task_type (None = defaults), e.g. the Compare page's form.

    When `other` is set, listed types left at their default are written out with that default, so the "*"
    entry never changes a type whose default the user saw and kept.
    """
    check_metrics([*per_type.values(), other])
    out = {t: m for t, m in per_type.items() if m is not None}
    if other is not None:
        out.update({t: metrics_for(t) for t, m in per_type.items() if m is None})
        out["*"] = other
    return out


def score(metric: str, prediction: str, reference: str) -> float:
    """One metric by name."""
    return METRICS[metric](prediction, reference)


# ---------------------------------------------------------------- degenerate output
# A model that loops ("the the the ..."), answers nothing, or never stops can still score on overlap metrics:
# ROUGE-L and char F1 reward every common word or character a reference shares. These metrics say so.
GAMEABLE = {
    "rouge_l": "ROUGE-L rewards common words: a repeated 'the' scores against any English reference",
    "char_f1": "char F1 rewards common characters: repetitive or padded output can score",
    "contains_expected": "contains-expected rewards long answers: one that lists many candidates contains the "
                         "right one",
}


@dataclass
class DegeneracySettings:
    """When an output, and a set of outputs, counts as degenerate. Recorded in every eval report."""

    ngram: int = 3  # repetition is measured on n-grams of tokens (words; one token per CJK character)
    min_tokens: int = 6  # shorter outputs are never called repetitive (a short answer may repeat a word)
    max_repetition: float = 0.5  # an output whose n-grams are more than half repeats of earlier ones loops
    one_token_share: float = 0.6  # an output where one token makes up 60% or more is "one repeated token"
    # A run (or task_type) whose tuned outputs are degenerate (empty, one repeated token, looping) this often
    # gets the verdict "degenerate" instead of better/worse: its scores measure the failure, not the skill.
    max_degenerate_share: float = 0.2
    max_runaway_share: float = 0.5  # ... or whose answers mostly hit max_new_tokens without an end of turn
    # ... or whose outputs are far less varied than the references: distinct bigrams across all outputs below
    # this share of the references' (the same generic answer to every prompt). Relative to the references, so
    # a fixed-label task (every answer "positive" or "negative") is not flagged.
    min_distinct_ratio: float = 0.25


def output_degeneracy(text: str, runaway: bool | None = None, settings: DegeneracySettings | None = None) -> dict:
    """How degenerate one output is: repetition (share of repeated n-grams), top token share, and the flags
    empty / one_token / repetitive / runaway (hit max_new_tokens without an end-of-turn; None = unknown), and
    `degenerate` when it is empty, one repeated token or repetitive."""
    s = settings or DegeneracySettings()
    toks = tokens(text)
    grams = _ngrams(toks, s.ngram)
    repetition = 1 - len(set(grams)) / len(grams) if grams else 0.0
    top = max(Counter(toks).values()) / len(toks) if toks else 0.0
    long_enough = len(toks) >= s.min_tokens
    flags = {"empty": not (text or "").strip(), "one_token": long_enough and top >= s.one_token_share,
             "repetitive": long_enough and repetition > s.max_repetition}
    return {"tokens": len(toks), "repetition": round(repetition, 4), "top_token_share": round(top, 4), **flags,
            "runaway": runaway, "degenerate": any(flags.values())}


def _ngrams(toks: list[str], n: int) -> list[tuple]:
    return [tuple(toks[i:i + n]) for i in range(len(toks) - n + 1)]


def distinct_n(texts: list[str], n: int) -> float | None:
    """Distinct-n across outputs: unique n-grams / all n-grams of the texts together (None when there are none)."""
    grams = [g for t in texts for g in _ngrams(tokens(t), n)]
    return round(len(set(grams)) / len(grams), 4) if grams else None


def degeneracy_summary(per_item: list[dict], outputs: list[str], references: list[str],
                       settings: DegeneracySettings | None = None) -> dict:
    """Per-set degeneracy of one model's outputs (`per_item` from `output_degeneracy`): the shares of empty,
    one-token, repetitive, runaway and degenerate outputs, mean repetition, distinct-1/2 of the outputs and of
    the references, and `reasons` (empty unless the set crosses a threshold of `settings`)."""
    s = settings or DegeneracySettings()
    n = len(per_item)
    if n == 0:
        return {"n": 0, "reasons": []}

    def share(key: str) -> float:
        return round(sum(bool(d.get(key)) for d in per_item) / n, 4)

    out = {"n": n, **{f"{k}_share": share(k) for k in ("empty", "one_token", "repetitive", "runaway",
                                                         "degenerate")},
           "repetition": round(sum(d["repetition"] for d in per_item) / n, 4),
           "distinct_1": distinct_n(outputs, 1), "distinct_2": distinct_n(outputs, 2),
           "reference_distinct_2": distinct_n(references, 2)}
    reasons = []
    if out["degenerate_share"] >= s.max_degenerate_share:
        reasons.append(f"{out['degenerate_share']:.0%} of outputs are degenerate (empty {out['empty_share']:.0%}, "
                       f"one repeated token {out['one_token_share']:.0%}, looping {out['repetitive_share']:.0%})")
    if out["runaway_share"] >= s.max_runaway_share:
        reasons.append(f"{out['runaway_share']:.0%} of outputs ran to max_new_tokens without ending the turn")
    ref2, out2 = out["reference_distinct_2"], out["distinct_2"]
    if ref2 and out2 is not None and out2 < s.min_distinct_ratio * ref2:
        reasons.append(f"outputs are far less varied than the references (distinct-2 {out2:.2f} vs {ref2:.2f})")
    out["reasons"] = reasons
    return out
