"""`robustness:code_mix`: Chinese sentences with English words mixed in ("帮我check一下这个report").

Counted: ordinary English words written inside a Chinese clause (a Chinese character right beside the word).
Not counted, by decision (docs/robustness.md): acronyms in capitals (API, GPU), capitalised names (Python, John),
mixed-case names (iPhone), words naturalised in Chinese writing (ok, app, wifi, email; see `latin.LOANWORDS`),
code, URLs and quoted text (masked before detection), and longer English passages (a sentence to translate
is content, not mixing; see `max_run_words`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import lexicon
from ..detection import Detection, Evidence, finding
from ..latin import LatinSettings, classify_turn
from ..prompt import Turn
from .base import DETECTORS, Detector


@dataclass
class CodeMixSettings:
    """Settings of the code-mix detector."""

    min_cjk_chars: int = 4  # the prompt must be Chinese to be mixed with English
    max_run_words: int = 4  # a longer English run is a quoted/pasted passage, not words mixed into a sentence
    min_english_freq: int = 500  # rarer dictionary "words" are mostly noise of the spell checker's corpus
    latin: LatinSettings = field(default_factory=LatinSettings)  # how Latin runs are told apart (latin.py)


@DETECTORS.register
class CodeMixDetector(Detector):
    """Finds English words mixed into Chinese sentences."""

    name = "code_mix"
    Settings = CodeMixSettings

    def detect(self, turns: list[Turn]) -> Detection | None:
        evidence: list[Evidence] = []
        for turn in turns:
            if turn.cjk_count >= self.settings.min_cjk_chars:
                evidence += self._turn(turn)
        if not evidence:
            return None
        return finding(self.name, self, evidence, min(0.95, 0.65 + 0.1 * len(evidence)))

    def _turn(self, turn: Turn) -> list[Evidence]:
        s = self.settings
        freq = lexicon.english_freq()
        out = []
        for run, words in classify_turn(turn, s.latin):
            plain = [w for w in words if w.kind in ("english", "other", "pinyin")]
            if len(plain) > s.max_run_words or not turn.cjk_near(run[0].start, run[-1].end):
                continue
            english = [w for w in words if w.kind == "english" and freq.get(w.token.lower, 0) >= s.min_english_freq]
            if english:
                start, end = english[0].token.start, english[-1].token.end
                out.append(Evidence(turn.index, start, end, turn.text[start:end],
                                    " ".join(w.token.text for w in english)))
        return out
