"""What a dedup method is: key texts in, scored pairs out, registered in `DEDUP_METHODS`.

A method takes the key texts of the samples (see keys.py) and returns a `PairResult`: index pairs (i<j) with a
similarity, down to a `floor` below the threshold so a reviewer can explore lower thresholds without a rerun.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from curation.errors import UserError
from curation.steps import Registry

# Every module of the curation.dedup.methods package is imported on first use, so its @register classes count.
DEDUP_METHODS = Registry("dedup method", "curation.dedup.methods")


@dataclass
class PairResult:
    """Scored pairs over the input texts (indices into them), the floor they go down to, and run stats."""

    pairs: np.ndarray  # m x 2 int64, i < j
    sims: np.ndarray  # m float64
    floor: float
    stats: dict = field(default_factory=dict)
    skipped: dict = field(default_factory=dict)  # index -> reason it was not compared


class DedupMethod:
    """A dedup method: `name`, a `Settings` dataclass (with at least `key` and `threshold`, and a `floor`), and
    `pairs(texts, embed)`. The docstring's first line is its help text in the CLI and on the page."""

    name: ClassVar[str]
    Settings: ClassVar[type]
    embeds: ClassVar[bool] = False  # scores sentence embeddings: the store's cache and a language warning apply
    fixed_threshold: ClassVar[bool] = False  # the threshold is not a choice (exact matches only)

    def __init__(self, settings=None):
        self.settings = settings if settings is not None else self.Settings()

    def check(self) -> None:
        """Raise UserError for settings the method cannot run with."""
        from curation.dedup.keys import KEYS
        s = self.settings
        if s.key not in KEYS:
            raise UserError(f"unknown key {s.key!r}: use one of {', '.join(KEYS)}")
        if not 0.0 < s.threshold <= 1.0:
            raise UserError(f"threshold must be in (0, 1], got {s.threshold}")

    def pairs(self, texts: list[str], embed: Callable[[list[str]], np.ndarray] | None = None) -> PairResult:
        """Scored pairs over `texts`; `embed` maps texts to vectors (the store's cache) for embedding methods."""
        raise NotImplementedError


def empty_skips(normed: list[str]) -> dict:
    """index -> reason, for the texts that are empty under the method's normalisation."""
    return {i: "empty text for this key" for i, t in enumerate(normed) if not t}


def exact_groups(normed: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(representative index per text, pairs linking each repeat to its first occurrence)."""
    first: dict[str, int] = {}
    rep = np.empty(len(normed), dtype=np.int64)
    for i, t in enumerate(normed):
        rep[i] = first.setdefault(t, i) if t else i
    dup = np.flatnonzero(rep != np.arange(len(normed)))
    return rep, np.stack([rep[dup], dup], axis=1)
