"""Candidate pairs from MinHash signatures by banding, then exact confirmation.

Banding: a signature of `b*r` values is cut into `b` bands of `r` rows; two documents are candidates when any
band is byte-identical. Two backends produce the *same* candidate set:

- `datasketch`: datasketch's `MinHashLSH` is the index; buckets are enumerated through its hash tables.
  Its Python dicts cost about 4 KB per document (measured: 0.8 GB per 200k docs), fine up to a few 100k docs.
- `numpy`: each band is hashed to 64 bits, sorted, and equal runs are verified byte-for-byte; O(n) memory
  (8 bytes per document per band), used for very large runs.

Candidates are then confirmed by exact Jaccard on the shingle sets (`confirm_pairs`), so LSH false positives
never reach users and the stored similarity is the true one, not an estimate.
"""
from __future__ import annotations

import numpy as np

from curation.dedup.minhash import EMPTY
from curation.dedup.shingles import batch_shingle_hashes

# "auto" backend: datasketch up to this many docs, numpy banding above (same candidates; measured at 100k docs on
# 2 cores: datasketch 20-50 s and ~0.4 GB for the index, numpy banding under 2 s).
DATASKETCH_MAX_DOCS = 100_000


def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) datasketch chooses for a threshold: minimises false positive + false negative area."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


class _Sig:
    """The two attributes MinHashLSH.insert reads, without building a full MinHash per document."""

    __slots__ = ("hashvalues",)
    scheme = "affine32"

    def __init__(self, hashvalues: np.ndarray):
        self.hashvalues = hashvalues

    def __len__(self) -> int:
        return len(self.hashvalues)


def _pairs_from_groups(groups: list[np.ndarray], max_bucket: int) -> list[np.ndarray]:
    """All i<j pairs inside each group; groups above max_bucket are linked as a star (first member to all)."""
    out = []
    for g in groups:
        g = np.sort(g)
        if len(g) > max_bucket:
            out.append(np.stack([np.full(len(g) - 1, g[0]), g[1:]], axis=1))
        else:
            i, j = np.triu_indices(len(g), k=1)
            out.append(np.stack([g[i], g[j]], axis=1))
    return out


def _unique_pairs(chunks: list[np.ndarray], n: int) -> np.ndarray:
    if not chunks:
        return np.zeros((0, 2), dtype=np.int64)
    p = np.concatenate(chunks).astype(np.int64)
    code = np.unique(p[:, 0] * n + p[:, 1])
    return np.stack([code // n, code % n], axis=1)


def _datasketch_groups(sig: np.ndarray, b: int, r: int) -> list[np.ndarray]:
    from datasketch import MinHashLSH

    lsh = MinHashLSH(num_perm=sig.shape[1], params=(b, r))
    for i in range(len(sig)):
        lsh.insert(i, _Sig(sig[i]), check_duplication=False)
    groups = []
    for table in lsh.hashtables:
        for h in table.keys():
            members = table.get(h)
            if len(members) > 1:
                groups.append(np.fromiter(members, dtype=np.int64, count=len(members)))
    return groups


def _numpy_groups(sig: np.ndarray, b: int, r: int, ex=None) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(groups, pair chunks): buckets of 3+ documents as groups; buckets of exactly 2 directly as pairs. With an
    executor, each band is a work unit of its own (`band_groups`), in band order."""
    bands = (np.ascontiguousarray(sig[:, band * r:(band + 1) * r]) for band in range(b))
    results = ex.map(band_groups, bands, workers=1) if ex is not None else ((None, band_groups(rows)) for rows in bands)
    groups, pairs = [], []
    for _, (g, p) in results:
        groups.extend(g)
        pairs.append(p)
    return groups, pairs


def band_groups(rows: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """The buckets of one band (n x r rows of the signatures): (groups of 3+ documents, m x 2 pairs of the buckets
    of exactly 2)."""
    r = rows.shape[1]
    groups = []
    mult = (np.arange(r, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)) | np.uint64(1)
    key = (rows.astype(np.uint64) * mult).sum(axis=1, dtype=np.uint64)
    key ^= key >> np.uint64(29)
    order = np.argsort(key, kind="stable")
    sk = key[order]
    starts = np.flatnonzero(np.concatenate(([True], sk[1:] != sk[:-1])))
    sizes = np.diff(np.concatenate((starts, [len(sk)])))
    # A 64-bit key collision must not invent a bucket datasketch would not have: verify the bytes, first
    # for all runs at once (every member equal to the run's first member), then split the rare others.
    member_pos = np.flatnonzero(np.repeat(sizes > 1, sizes))
    run_first = np.repeat(starts, sizes)[member_pos]
    same = (rows[order[member_pos]] == rows[order[run_first]]).all(axis=1)
    bad_runs = set(run_first[~same].tolist())
    two = (sizes == 2) & ~np.isin(starts, list(bad_runs))
    pairs = np.stack([order[starts[two]], order[starts[two] + 1]], axis=1)
    for s, size in zip(starts[sizes > 2].tolist(), sizes[sizes > 2].tolist()):
        if s not in bad_runs:
            groups.append(order[s:s + size].astype(np.int64))
    for s in bad_runs:
        members = order[s:s + sizes[np.searchsorted(starts, s)]]
        _, inv = np.unique(rows[members].view(f"V{4 * r}").ravel(), return_inverse=True)
        groups.extend(members[inv == v].astype(np.int64) for v in np.unique(inv) if (inv == v).sum() > 1)
    return groups, pairs


def candidate_pairs(sig: np.ndarray, threshold: float, backend: str = "auto", max_bucket: int = 2000,
                    ex=None) -> np.ndarray:
    """Pairs (i<j, as an m x 2 array) sharing at least one identical band of the LSH built at `threshold`.

    Empty signatures (texts with no shingles) never become candidates. With a distributed executor
    (`curation.executors`), "auto" bands with numpy, one band a work unit (the same candidates as datasketch's
    index, which lives in one process).
    """
    n, num_perm = sig.shape
    distributed = ex is not None and ex.distributed
    if backend == "auto":
        backend = "datasketch" if n <= DATASKETCH_MAX_DOCS and not distributed else "numpy"
    keep = np.flatnonzero(~(sig == EMPTY).all(axis=1))
    sub = sig[keep]
    b, r = lsh_params(threshold, num_perm)
    if backend == "datasketch":
        groups, direct = _datasketch_groups(sub, b, r), []
    elif backend == "numpy":
        groups, direct = _numpy_groups(sub, b, r, ex if distributed else None)
    else:
        raise ValueError(f"unknown LSH backend {backend!r} (use auto, datasketch or numpy)")
    direct = [np.sort(d, axis=1) for d in direct]
    pairs = _unique_pairs(direct + _pairs_from_groups(groups, max_bucket), max(len(sub), 1))
    return keep[pairs] if len(pairs) else pairs


def shingle_sets(texts: list[str], ngram: int) -> list[np.ndarray]:
    """Sorted unique shingle hashes of each text (the exact sets candidate confirmation compares)."""
    h, counts = batch_shingle_hashes(texts, ngram)
    bounds = np.concatenate(([0], np.cumsum(counts)))
    return [np.unique(h[bounds[i]:bounds[i + 1]]) for i in range(len(texts))]


def set_similarity(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(Jaccard, containment of a in b) of two sorted unique hash arrays."""
    if not len(a) or not len(b):
        return (1.0 if len(a) == len(b) else 0.0), 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter), inter / len(a)


def confirm_pairs(texts: list[str], pairs: np.ndarray, ngram: int, min_jaccard: float,
                  chunk: int = 50_000) -> tuple[np.ndarray, np.ndarray]:
    """Keep candidate pairs whose exact shingle Jaccard is >= min_jaccard; returns (pairs, jaccard).

    Shingle sets are built only for documents that appear in a candidate pair, a chunk of pairs at a time,
    so memory stays proportional to the candidates, not the corpus.
    """
    kept, sims = [], []
    for start in range(0, len(pairs), chunk):
        part = pairs[start:start + chunk]
        docs = np.unique(part)
        sets = dict(zip(docs.tolist(), shingle_sets([texts[d] for d in docs], ngram)))
        for i, j in part.tolist():
            jac = set_similarity(sets[i], sets[j])[0]
            if jac >= min_jaccard:
                kept.append((i, j))
                sims.append(jac)
    return np.array(kept, dtype=np.int64).reshape(-1, 2), np.array(sims, dtype=np.float64)
