"""`robustness:typo`: misspelled English words and wrong Chinese characters in the prompt.

English: a word unknown to pyspellchecker's dictionary that is one edit (insert, drop, swap, replace) away from a
common word. Precision matters more than recall here (a reviewer loses trust in a noisy queue), so anything that
may be a name, an acronym, an identifier, a foreign sentence, pinyin or a cut-off last word is left alone, and
so is a word real text uses often (wordfreq: "tech", "css", "bio", "admin"). What remains gets a probability
of being a typo from a noisy-channel score (how much more common the correction is than the word as written),
calibrated on labelled suggestions (see `TYPO_CALIBRATION`).

Chinese: a character that forms no word with its neighbours while a same-sound character (or a known confusion
partner: 的/得/地, 在/再, 已/以 ...) would form a frequent word of jieba's dictionary ("以经" -> "已经").
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from .. import lexicon
from ..detection import Detection, Evidence, finding
from ..prompt import CJK_CLASS, TOKEN, Token, Turn
from .base import DETECTORS, Detector

# Chat shorthand and unit abbreviations are informal, not misspelled.
SHORTHAND = frozenset("""pls plz thx thnx lol btw imo imho asap fyi idk tbh omg brb afaik np ty ok okay
kgs lbs hrs mins secs yrs mos mph kph ozs pcs qty approx etc app apps todo""".split())
# Words a prompt sentence typically starts with: a capitalised unknown word one edit away from one of these is a
# typo ("Waht", "Teh"), while any other capitalised unknown word may be a name ("Weng", "Natalia") and is skipped.
SENTENCE_STARTERS = frozenset("""
the a an what how why when where which who whom whose is are was were do does did can could would should will
shall may might please write explain give tell list describe find calculate compute create make generate suggest
summarize translate i my we our you your this that these those there they it if in on for after before at given
""".split())
TITLE_NAME_ZIPF = 2.5  # a capitalised unknown word at least this common in real text is taken as a name
_CJK_RUN = re.compile(f"[{CJK_CLASS}]+")
# 的 where 得 belongs: between a one-character verb and a degree word ("跑的很快", "说的太对了"). Narrow on purpose:
# "我的很多朋友" has 的 before 很 too, after a pronoun rather than a verb.
_DE_FOR_DEI = re.compile("(?<![我你他她它们谁])([跑走说写做吃睡唱跳学长笑哭玩飞游讲干想看听来去]的)(?=很|非常|太|真|特别|挺|好|不错)")


# Probability that an English suggestion is a real typo: logistic in (intercept, gap, zipf, short, slip), where
# gap is how many Zipf units more common the correction is than the word as written, zipf the word's own Zipf
# value (0: never seen), short 1 for words of three letters (abbreviations: "orc", "iso", "mpg"), slip 1 when the
# edit is one people make (`lexicon.plausible_slip`: a dropped, doubled or swapped letter, a neighbouring key,
# a vowel for a vowel). Fitted by
# `python benchmarks/robustness.py --calibrate` (logistic regression on labelled suggestions: the hand-written
# prompts, typos the generator put into dev-half corpus prompts, and every suggestion on the dev half of the
# real corpora, labelled by hand in benchmarks/data/typo_real_labels.jsonl); the benchmark reports how well the
# probabilities match the observed precision on the test half.
TYPO_CALIBRATION = (-0.75, 2.614, -2.503, -0.868, 2.796)


def typo_probability(gap: float, zipf: float, short: bool, slip: bool) -> float:
    """Calibrated probability that a suggestion is a real typo (see `TYPO_CALIBRATION`)."""
    b0, b_gap, b_zipf, b_short, b_slip = TYPO_CALIBRATION
    return 1 / (1 + math.exp(-(b0 + b_gap * gap + b_zipf * zipf + b_short * short + b_slip * slip)))


def typo_features(word: str, intended: str) -> tuple[float, float, bool, bool]:
    """(gap, zipf, short, slip) of a lower-case word and its correction: what `typo_probability` weighs."""
    zipf = lexicon.english_zipf(word)
    return lexicon.english_zipf(intended) - zipf, zipf, len(word) <= 3, lexicon.plausible_slip(word, intended)


@dataclass
class TypoSettings:
    """Settings of the typo detector (defaults favour precision)."""

    english: bool = True  # look for misspelled English words
    chinese: bool = True  # look for wrong Chinese characters
    min_word_len: int = 3  # shorter unknown tokens are mostly abbreviations ("im", "ur")
    min_intended_freq: int = 1000  # the intended word must be this common in pyspellchecker's corpus
    known_zipf: float = 3.3  # a word this common in real text (wordfreq Zipf) is written as meant ("tech", "css")
    seen_zipf: float = 2.0  # a word real text uses this often (wordfreq Zipf) ...
    seen_gap: float = 2.0  # ... is a typo only when its correction is this many powers of ten more common
    unlikely_slip_gap: float = 3.5  # an edit people rarely make ("mocktail": m for c) needs this gap
    min_probability: float = 0.5  # suggestions less likely than this to be a real typo are not reported
    foreign_line_share: float = 0.25  # a line with this share of unknown, uncorrectable words is another language
    zh_min_word_freq: int = 500  # the word the corrected character forms must be this common in jieba's corpus
    zh_ratio: float = 300.0  # the corrected sentence must be this many times likelier (word unigram model)
    zh_max_cover: int = 500  # a character inside a word at least this frequent is taken as written
    zh_zipf_gap: float = 4.0  # the corrected word must be this many Zipf units (powers of ten) more common


@DETECTORS.register
class TypoDetector(Detector):
    """Finds misspelled English words and wrong Chinese characters."""

    name = "typo"
    Settings = TypoSettings

    def detect(self, turns: list[Turn]) -> Detection | None:
        found: list[tuple[Evidence, float]] = []
        for turn in turns:
            if self.settings.english:
                found += self._english(turn)
            if self.settings.chinese and turn.cjk_count >= 2:
                found += [(e, ZH_PROBABILITY) for e in self._chinese(turn)]
        if not found:
            return None
        return finding(self.name, self, [e for e, _ in found], _sample_confidence(found))

    # ---- English ----
    def _english(self, turn: Turn) -> list[tuple[Evidence, float]]:
        return [(Evidence(turn.index, tok.start, tok.end, tok.text, f"{tok.text} → {intended} (p={p:.2f})"), p)
                for tok, intended, p in self.english_candidates(turn) if p >= self.settings.min_probability]

    def english_candidates(self, turn: Turn) -> list[tuple[Token, str, float]]:
        """(token, correction, probability of a real typo) for every unknown word the filters let through."""
        s = self.settings
        freq = lexicon.english_freq()
        # Fast path: most words of most prompts are in the dictionary; only the others are looked at closely.
        suspects = [Token(m.start(), m.end(), m.group(0)) for m in TOKEN.finditer(turn.masked)
                    if len(m.group(0)) >= s.min_word_len and m.group(0).lower() not in freq]
        suspects = [t for t in suspects if t.is_plain_word and t.text.isascii() and t.lower not in SHORTHAND
                    and t.shape in ("lower", "title")]
        if not suspects:
            return []
        foreign_lines = _foreign_lines(turn, freq, s)
        pinyin_context = bool(turn.cjk_count) or _mostly_pinyin(turn)
        out = []
        for tok in suspects:
            w = tok.lower
            if turn.line_of(tok.start) in foreign_lines:
                continue
            if pinyin_context and lexicon.segment_pinyin(w):
                continue  # pinyin (inside Chinese text, or a prompt written in pinyin) is the pinyin detector's
            if _cut_off_last_word(turn, tok):
                continue  # a word cut off by truncation is the incomplete detector's finding
            if (_in_code_like_compound(turn.masked, tok) or lexicon.english_derivation(w)
                    or lexicon.known_without_accents(w)):
                continue
            if _written_as_meant(turn, tok, s):
                continue
            intended = _intended(w, s.min_intended_freq)
            if intended is None:
                continue
            if tok.shape == "title" and not _typo_at_sentence_start(turn, tok, intended):
                continue
            gap, zipf, short, slip = typo_features(w, intended)
            if (zipf >= s.seen_zipf and gap < s.seen_gap) or (not slip and gap < s.unlikely_slip_gap):
                continue  # a word real text uses ("faire", "fundraise"), or no slip makes it ("mocktail")
            out.append((tok, intended, typo_probability(gap, zipf, short, slip)))
        return out

    # ---- Chinese ----
    def _chinese(self, turn: Turn) -> list[Evidence]:
        words = lexicon.zh_words()
        out = [Evidence(turn.index, m.start(1), m.end(1), m.group(1), f"{m.group(1)} → {m.group(1)[0]}得")
               for m in _DE_FOR_DEI.finditer(turn.masked)
               if turn.masked[max(0, m.start(1) - 1):m.start(1) + 1] not in words]  # 冥想的好处: 想 is in 冥想
        for m in _CJK_RUN.finditer(turn.masked):
            if len(m.group(0)) >= 2:
                for a, b, fix in _wrong_characters(m.group(0), self.settings):
                    start, end = m.start() + a, m.start() + b
                    out.append(Evidence(turn.index, start, end, turn.text[start:end],
                                        f"{turn.text[start:end]} → {fix}"))
        return out


def _written_as_meant(turn: Turn, tok: Token, s: TypoSettings) -> bool:
    """Words that are unknown to the spell checker but not misspelled: common in real text (abbreviations,
    technical terms, brands: "tech", "css", "admin"), a possessive or contraction of a known word ("women's",
    "doesn’t" with a curly apostrophe), or a Latin word inside Chinese prose (an identifier or a file type:
    "数组arr", "gif格式"; mixing is the code_mix detector's business)."""
    w = tok.lower
    if lexicon.english_zipf(w) >= s.known_zipf:
        return True
    if turn.text[tok.end:tok.end + 1] in ("'", "’") or "'" in w:
        base = w.split("'")[0]
        return base in lexicon.english_freq() or lexicon.english_zipf(base) >= s.known_zipf or "'" not in w
    return turn.cjk_near(tok.start, tok.end) or _identifier_context(turn.text, tok)


_CODE_NOUN = re.compile(r"\s+(?:function|method|class|hook|decorator|component|variable|parameter|module|"
                        r"package|library|command|algorithm)s?\b", re.I)


def _identifier_context(text: str, tok: Token) -> bool:
    """A name used as code: "arr = [2, 3]", "call fetchData(", "the .venv folder", "a debounce function"."""
    after = text[tok.end:tok.end + 3].lstrip(" ")
    return (after[:1] in ("=", "(", "[") or text[max(0, tok.start - 1):tok.start] == "."
            or _CODE_NOUN.match(text, tok.end) is not None)


def _sample_confidence(found: list[tuple[Evidence, float]]) -> float:
    """Probability that the prompt has at least one typo: 1 - prod(1 - p) over its distinct suggestions
    (English ones carry their calibrated p; a Chinese finding counts as `ZH_PROBABILITY`)."""
    miss = 1.0
    for p in {e.text.lower(): p for e, p in found}.values():  # "macarons" six times is one suggestion
        miss *= 1 - p
    return 1 - miss


# Observed precision of Chinese suggestions on the labelled sets (benchmarks/robustness.py reports it).
ZH_PROBABILITY = 0.8


def _mostly_pinyin(turn: Turn) -> bool:
    """A prompt written in pinyin ("zhe jian yifu you mei you"): most of its words parse as pinyin."""
    words = [t.lower for t in turn.tokens if t.is_plain_word]
    return len(words) >= 3 and sum(1 for w in words if lexicon.segment_pinyin(w)) >= 0.6 * len(words)


def _sentence_start(text: str, pos: int) -> bool:
    """True when only spaces separate `pos` from the start of the text or of a sentence."""
    before = text[max(0, pos - 40):pos].rstrip(" \t")
    return not before or before[-1] in ".!?。！？\n:：\"“"


def _typo_at_sentence_start(turn: Turn, tok: Token, intended: str) -> bool:
    """A capitalised unknown word is a typo only at a sentence start, only when it is never used capitalised
    mid-sentence (then it is a name: "Weng earns ..."), and only for a typical first word ("Waht", "Teh")."""
    if intended not in SENTENCE_STARTERS or not _sentence_start(turn.text, tok.start):
        return False
    if lexicon.english_zipf(tok.lower) >= TITLE_NAME_ZIPF:
        return False  # real text uses it: a name ("Tye", "Theo"), not "Waht"
    return not any(t.text == tok.text and not _sentence_start(turn.text, t.start) for t in turn.tokens)


def _foreign_lines(turn: Turn, freq: dict, s: TypoSettings) -> set[int]:
    """Lines in another language: a pasted French sentence is not a row of typos.

    A line is foreign when a large share of its words is unknown with no common word one edit away (typos have
    one, foreign words rarely do), or when it has accented Latin words (très, aquí) next to unknown ones.
    """
    per_line: dict[int, list[bool]] = {}
    accented: set[int] = set()
    for tok in turn.tokens:
        if tok.is_plain_word:
            line = turn.line_of(tok.start)
            w = tok.lower
            strange = w not in freq and (not w.isascii() or _intended(w, s.min_intended_freq) is None)
            per_line.setdefault(line, []).append(strange)
            if not w.isascii():
                accented.add(line)
    return {ln for ln, strange in per_line.items()
            if (len(strange) >= 4 and sum(strange) / len(strange) >= s.foreign_line_share)
            or (ln in accented and sum(strange) > 1)}


def _in_code_like_compound(masked: str, tok) -> bool:
    """Part of a compound the dictionary cannot judge: hyphenated ("sci-fi", "iso-8859-1") or a file extension
    (".jpeg")."""
    left, right = masked[max(0, tok.start - 1):tok.start], masked[tok.end:tok.end + 2]
    before = masked[max(0, tok.start - 2):tok.start - 1]
    return (left == "-" and before.isalnum()) or (right[:1] == "-" and right[1:2].isalnum()) or left == "."


def _cut_off_last_word(turn: Turn, tok) -> bool:
    """The turn ends inside this token and the token starts a known word ("How many does she sel")."""
    if turn.text[tok.end:].strip():
        return False
    return lexicon.completes_english_word(tok.lower)


@lru_cache(maxsize=65536)
def _intended(word: str, min_freq: int) -> str | None:
    """The most frequent dictionary word one edit away, if it is common enough to be what was meant; a word one
    plausible slip away comes first ("acount" -> "account", not "count")."""
    freq = lexicon.english_freq()
    best, best_key = None, (False, 0)
    for cand in lexicon.english().edit_distance_1(word):
        f = freq.get(cand, 0)
        key = (f >= min_freq and lexicon.plausible_slip(word, cand), f)
        if f >= min_freq and key > best_key:
            best, best_key = cand, key
    return best


def _coverage(run: str, words: dict[str, int]) -> list[int]:
    """For each character: the frequency of the most frequent 2-4 character word containing it (0 for none)."""
    cov = [0] * len(run)
    n = len(run)
    for a in range(n - 1):
        for b in range(a + 2, min(a + 4, n) + 1):
            f = words.get(run[a:b], 0)
            if f:
                for i in range(a, b):
                    if f > cov[i]:
                        cov[i] = f
    return cov


def _wrong_characters(run: str, s: TypoSettings) -> list[tuple[int, int, str]]:
    """(start, end, corrected word) for characters a same-sound character would fit much better."""
    words = lexicon.zh_words()
    common = lexicon.common_chars()
    if sum(ch not in common for ch in run) > 0.15 * len(run):
        return []  # traditional characters or rare names: their simplified homophones are not corrections
    cov = _coverage(run, words)
    found = []
    i = 0
    while i < len(run):
        best = _best_replacement(run, i, cov[i], words, s)
        if best is None:
            i += 1
            continue
        found.append(best)
        i = best[1]  # one finding per word
    return found


def _best_replacement(run: str, i: int, covered: int, words: dict, s: TypoSettings):
    """The word a replacement of run[i] would form, when the sentence reads much better with it.

    First, same-sound characters that would form a frequent word where the text forms none are looked up in
    `lexicon.sound_index`. A candidate's word must not tear apart a word of the text's own segmentation
    ("数据集划分" must not become "数据计划分"); then the two readings of the neighbourhood are compared as a
    whole (best segmentation under jieba's word frequencies) and the candidate must win by `zh_ratio`.
    """
    if covered >= s.zh_max_cover or run[i] not in lexicon.common_chars():
        return None
    candidates = _sound_candidates(run, i, words, s)
    if not candidates:
        return None
    lo, hi = max(0, i - 4), min(len(run), i + 5)
    base, spans = _segment_spans(run, lo, hi)
    best, best_gain = None, math.log(s.zh_ratio)
    for c in candidates:
        window = _untorn_window(run, i, c, words, s, spans)
        if window is None or not _much_more_common(run[window[0]:window[1]], window[2], s):
            continue
        gain = lexicon.zh_segment(run[lo:i] + c + run[i + 1:hi])[0] - base
        if gain > best_gain:
            best, best_gain = window, gain
    return best


def _much_more_common(written: str, fixed: str, s: TypoSettings) -> bool:
    """The correction is far more common in real text than what is written (wordfreq, which knows words jieba's
    dictionary lacks: "用例", "表名", "一词" are written as meant; "以经" is seen too, 10^4 times less than "已经")."""
    return lexicon.chinese_zipf(fixed) - lexicon.chinese_zipf(written) >= s.zh_zipf_gap


def _sound_candidates(run: str, i: int, words: dict, s: TypoSettings) -> list[str]:
    """Same-sound characters that form a frequent 2-4 character word at position i where the text forms none."""
    index = lexicon.sound_index(s.zh_min_word_freq)
    keys = lexicon.sound_keys(run[i])
    found: dict[str, None] = {}
    for a in range(max(0, i - 3), i + 1):
        for b in range(max(i + 1, a + 2), min(a + 4, len(run)) + 1):
            if run[a:b] in words:
                continue
            prefix, suffix = run[a:i], run[i + 1:b]
            for key in keys:
                for w, _ in index.get((prefix, key, suffix), ()):
                    if w[i - a] != run[i]:
                        found[w[i - a]] = None
    return list(found)


def _segment_spans(run: str, lo: int, hi: int) -> tuple[float, list[tuple[int, int]]]:
    """Log-probability and word spans (offsets in `run`) of the best segmentation of run[lo:hi]."""
    logp, segs = lexicon.zh_segment(run[lo:hi])
    spans, pos = [], lo
    for w in segs:
        spans.append((pos, pos + len(w)))
        pos += len(w)
    return logp, spans


def _untorn_window(run, i, c, words, s, spans):
    """The most frequent word the replacement forms whose window cuts no multi-character word of the text
    except the one containing position i."""
    best = None
    for a in range(max(0, i - 3), i + 1):
        for b in range(max(i + 1, a + 2), min(a + 4, len(run)) + 1):
            w = run[a:i] + c + run[i + 1:b]
            f = words.get(w, 0)
            if f < s.zh_min_word_freq or run[a:b] in words or (best and f <= words[best[2]]):
                continue
            torn = any(e - st >= 2 and not st <= i < e and (st < a < e or st < b < e) for st, e in spans)
            if not torn:
                best = (a, b, w)
    return best
