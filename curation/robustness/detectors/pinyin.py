"""`robustness:pinyin`: Chinese written partly in pinyin ("我想去beijing kan chang cheng").

A Latin word is pinyin when the whole word splits into syllables of pypinyin's table and it is not better read
as English (see `latin.py` for how ambiguous words like "long" or "men" are settled by their neighbours).
A prompt without any Chinese characters counts too when it is a run of several pinyin words ("ni hao qing wen").
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import lexicon
from ..detection import Detection, Evidence, finding
from ..latin import LatinSettings, classify_turn
from ..prompt import TOKEN, Turn
from .base import DETECTORS, Detector


@dataclass
class PinyinSettings:
    """Settings of the pinyin detector."""

    min_cjk_chars: int = 2  # Chinese context needed around single pinyin words
    min_syllables_without_cjk: int = 3  # a prompt with no Chinese characters needs this many pinyin syllables
    min_share_without_cjk: float = 0.6  # ... and this share of its Latin words must be pinyin
    latin: LatinSettings = field(default_factory=LatinSettings)  # how Latin runs are told apart (latin.py)


def _may_be_all_pinyin(turn: Turn, s: PinyinSettings) -> bool:
    """Cheap test before classifying a prompt with no Chinese characters: some word must be pinyin that is no
    common English word, and enough words must parse as pinyin."""
    freq = lexicon.english_freq()
    parsed, certain = 0, False
    for m in TOKEN.finditer(turn.masked):
        w = m.group(0).lower()
        syl = lexicon.segment_pinyin(w) if w.isalpha() else None
        if syl:
            parsed += len(syl)
            certain = certain or freq.get(w, 0) < s.latin.english_min_freq_multi
    return certain and parsed >= s.min_syllables_without_cjk


@DETECTORS.register
class PinyinDetector(Detector):
    """Finds pinyin written in place of Chinese characters."""

    name = "pinyin"
    Settings = PinyinSettings

    def detect(self, turns: list[Turn]) -> Detection | None:
        evidence: list[Evidence] = []
        syllables = 0
        for turn in turns:
            found, n = self._turn(turn)
            evidence += found
            syllables += n
        if not evidence:
            return None
        return finding(self.name, self, evidence, min(0.95, 0.6 + 0.1 * syllables))

    def _turn(self, turn: Turn) -> tuple[list[Evidence], int]:
        s = self.settings
        if turn.cjk_count < s.min_cjk_chars and not _may_be_all_pinyin(turn, s):
            return [], 0
        classified = classify_turn(turn, s.latin)
        pinyin_runs = []
        for _, words in classified:
            group: list = []
            for w in words + [None]:  # contiguous pinyin words form one evidence span
                if w is not None and w.kind == "pinyin":
                    group.append(w)
                elif group:
                    pinyin_runs.append(group)
                    group = []
        if not pinyin_runs:
            return [], 0
        n_syllables = sum(len(w.syllables or ()) for run in pinyin_runs for w in run)
        if turn.cjk_count < s.min_cjk_chars:
            words = [w for _, ws in classified for w in ws if w.kind in ("pinyin", "english", "other")]
            n_pinyin = sum(len(r) for r in pinyin_runs)
            if n_syllables < s.min_syllables_without_cjk or n_pinyin < s.min_share_without_cjk * len(words):
                return [], 0
        evidence = []
        for run in pinyin_runs:
            start, end = run[0].token.start, run[-1].token.end
            reading = " ".join(" ".join(w.syllables or ()) for w in run)
            evidence.append(Evidence(turn.index, start, end, turn.text[start:end], reading))
        return evidence, n_syllables
