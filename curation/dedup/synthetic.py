"""Seeded zh+en corpora with planted near-duplicates, for dedup tests and benchmarks.

Documents are random sequences of English-like words or common Chinese characters (and some mixed), so
unrelated documents share few 5-gram shingles, like real text. A planted duplicate is a copy of a document with
a few small edits (substitute, insert or delete a word or character); its true Jaccard is computed exactly
afterwards, so recall and precision are measured against ground truth, not against the edit count.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_COMMON_CJK = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]


@dataclass
class PlantedCorpus:
    """texts[i]; planted[k] = (original index, duplicate index)."""

    texts: list[str]
    planted: list[tuple[int, int]]


def _vocab(rng: random.Random, size: int) -> list[str]:
    return ["".join(rng.choice(_LETTERS) for _ in range(rng.randint(2, 9))) for _ in range(size)]


def _doc(rng: random.Random, vocab: list[str], kind: str) -> list[str]:
    """A document as a list of units: words (joined by spaces) or characters (joined without)."""
    if kind == "en":
        return [rng.choice(vocab) for _ in range(rng.randint(25, 90))]
    if kind == "zh":
        return [rng.choice(_COMMON_CJK) for _ in range(rng.randint(50, 200))]
    units = []
    for _ in range(rng.randint(6, 14)):
        units += [rng.choice(_COMMON_CJK) for _ in range(rng.randint(4, 12))] + [" " + rng.choice(vocab) + " "]
    return units


def _join(units: list[str], kind: str) -> str:
    return " ".join(units) if kind == "en" else "".join(units)


def _edit(rng: random.Random, units: list[str], vocab: list[str], kind: str, n_edits: int) -> list[str]:
    units = list(units)
    for _ in range(n_edits):
        pick = (lambda: rng.choice(vocab)) if kind == "en" else (lambda: rng.choice(_COMMON_CJK))
        op, pos = rng.random(), rng.randrange(len(units))
        if op < 0.5:
            units[pos] = pick()
        elif op < 0.75:
            units.insert(pos, pick())
        elif len(units) > 5:
            del units[pos]
    return units


def planted_corpus(n: int, dup_share: float = 0.1, max_edits: int = 6, seed: int = 0) -> PlantedCorpus:
    """n documents of which about dup_share are edited copies of earlier ones (1..max_edits edits each)."""
    rng = random.Random(seed)
    vocab = _vocab(rng, 20_000)
    n_dups = int(n * dup_share)
    n_orig = n - n_dups
    kinds = [rng.choice(("en", "zh", "zh", "mixed")) for _ in range(n_orig)]
    units = [_doc(rng, vocab, k) for k in kinds]
    texts = [_join(u, k) for u, k in zip(units, kinds)]
    planted = []
    for _ in range(n_dups):
        i = rng.randrange(n_orig)
        dup = _edit(rng, units[i], vocab, kinds[i], rng.randint(1, max_edits))
        planted.append((i, len(texts)))
        texts.append(_join(dup, kinds[i]))
    return PlantedCorpus(texts, planted)
