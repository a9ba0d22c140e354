"""Text normalisation for duplicate matching: two texts that differ only in width, case, spacing or
punctuation style are the same text for dedup purposes.

Applied before exact hashing and before shingling, so every method sees the same canonical form.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Punctuation that NFKC leaves alone but that writers use interchangeably with an ASCII form.
# NFKC already folds full-width ASCII (，！？：；（）０-９Ａ-Ｚ) and the ellipsis; these are the rest:
# CJK sentence punctuation, curly quotes, corner/angle brackets and the dash family.
_PUNCT_VARIANTS = {
    "\u3001": ",",  # 、 ideographic comma
    "\u3002": ".",  # 。 ideographic full stop
    "\uff61": ".",  # ｡ half-width ideographic full stop
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
    "\u300c": '"', "\u300d": '"', "\u300e": '"', "\u300f": '"',  # 「」『』
    "\u300a": '"', "\u300b": '"', "\u3008": '"', "\u3009": '"',  # 《》〈〉
    "\u3010": "[", "\u3011": "]", "\u3014": "[", "\u3015": "]",  # 【】〔〕
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-",
    "\u00b7": ".", "\u30fb": ".",  # middle dots
    "\u301c": "~", "\uff5e": "~",
}
_PUNCT_TABLE = str.maketrans(_PUNCT_VARIANTS)
_WS = re.compile(r"\s+")
# Repeated ASCII punctuation ("!!!", "。。。" after folding) carries no content.
_REPEATED_PUNCT = re.compile(r"([!-/:-@\[-`{-~])\1+")
# Whitespace between two CJK characters is layout, not content ("你 好" == "你好").
_CJK_GAP = re.compile(r"(?<=[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]) (?=[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")


@dataclass
class NormaliseSettings:
    """What normalisation folds. Defaults fold everything that does not change meaning."""

    nfkc: bool = True  # Unicode NFKC: full-width -> half-width ASCII, compatibility forms, ligatures
    casefold: bool = True  # "Hello" == "hello" (casefold also handles ß, Greek final sigma)
    fold_punctuation: bool = True  # 。、“”「」—… -> ASCII equivalents; squeeze runs like "!!!"
    collapse_whitespace: bool = True  # runs of spaces/newlines -> one space; none between CJK characters


def normalise(text: str, settings: NormaliseSettings | None = None) -> str:
    """Canonical form of `text` for duplicate matching (see NormaliseSettings for what is folded)."""
    s = settings or _DEFAULT
    if s.nfkc:
        text = unicodedata.normalize("NFKC", text)
    if s.casefold:
        text = text.casefold()
    if s.fold_punctuation:
        text = _REPEATED_PUNCT.sub(r"\1", text.translate(_PUNCT_TABLE))
    if s.collapse_whitespace:
        text = _CJK_GAP.sub("", _WS.sub(" ", text).strip())
    return text


_DEFAULT = NormaliseSettings()
