"""Pairs of vectors with cosine similarity above a threshold, without an n x n matrix in memory.

- `blocked` (default): exact; rows are L2-normalised and multiplied block by block (BLAS sgemm), only the
  upper triangle of block pairs, so each pair is computed once. Memory: one block x n strip of floats.
- `faiss`: exact; faiss `IndexFlatIP.range_search`, query block by query block.
- `kmeans`: approximate, SemDeDup-style (Abbas et al., 2023): k-means partitions the vectors and pairs are
  searched only inside each partition, so cost falls from n^2 to about n^2/k. Pairs straddling two partitions
  are missed; the benchmark reports the recall this costs.
"""
from __future__ import annotations

import numpy as np


def normalise_rows(x: np.ndarray) -> np.ndarray:
    """float32 copy of x with unit-length rows (zero rows stay zero), so dot product = cosine."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1, norms)


def _collect(chunks_i: list, chunks_j: list, chunks_s: list) -> tuple[np.ndarray, np.ndarray]:
    if not chunks_i:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.float64)
    pairs = np.stack([np.concatenate(chunks_i), np.concatenate(chunks_j)], axis=1).astype(np.int64)
    return pairs, np.concatenate(chunks_s).astype(np.float64)


def blocked_pairs(x: np.ndarray, threshold: float, block: int = 2048, ids: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Exact pairs (i<j) with cosine >= threshold among unit rows of x; ids maps row -> output index."""
    n = len(x)
    ids = np.arange(n) if ids is None else ids
    ci, cj, cs = [], [], []
    # Square tiles of the upper triangle: a tile is block x block floats (16 MB at 2048), so the threshold
    # test stays cache-friendly and memory is bounded whatever n is.
    for i0 in range(0, n, block):
        q = x[i0:i0 + block]
        for j0 in range(i0, n, block):
            sims = q @ x[j0:j0 + block].T
            rows, cols = np.nonzero(sims >= threshold)
            keep = (cols + j0) > (rows + i0)
            rows, cols = rows[keep], cols[keep]
            ci.append(ids[rows + i0])
            cj.append(ids[cols + j0])
            cs.append(sims[rows, cols])
    pairs, sims = _collect(ci, cj, cs)
    if len(pairs):
        pairs.sort(axis=1)
    return pairs, sims


def faiss_pairs(x: np.ndarray, threshold: float, block: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """Exact pairs via faiss range search on an inner-product flat index."""
    import faiss

    index = faiss.IndexFlatIP(x.shape[1])
    index.add(x)
    ci, cj, cs = [], [], []
    for start in range(0, len(x), block):
        lims, dist, idx = index.range_search(x[start:start + block], threshold)
        counts = np.diff(lims)
        rows = np.repeat(np.arange(start, start + len(counts)), counts.astype(np.int64))
        upper = idx > rows
        ci.append(rows[upper])
        cj.append(idx[upper])
        cs.append(dist[upper])
    return _collect(ci, cj, cs)


def kmeans_pairs(x: np.ndarray, threshold: float, n_clusters: int, seed: int = 0, block: int = 2048
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Approximate pairs: k-means partitions, then exact blocked search inside each partition."""
    import faiss

    k = max(1, min(n_clusters, len(x) // 2))
    # Centroids only need to partition, not to be optimal: train on <= 64 points per centroid, 10 iterations
    # (faiss's defaults, 256 points and 20 iterations, made training the dominant cost at 100k vectors).
    km = faiss.Kmeans(x.shape[1], k, niter=10, seed=seed, spherical=True, verbose=False,
                      max_points_per_centroid=64)
    km.train(x)
    _, assign = km.index.search(x, 1)
    assign = assign.ravel()
    pc, sc = [], []
    for c in np.unique(assign):
        members = np.flatnonzero(assign == c)
        if len(members) > 1:
            p, s = blocked_pairs(x[members], threshold, block, ids=members)
            pc.append(p)
            sc.append(s)
    if not pc:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.float64)
    return np.concatenate(pc), np.concatenate(sc)


def neighbour_pairs(vectors: np.ndarray, threshold: float, search: str = "blocked", n_clusters: int = 0,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i<j) with cosine >= threshold using the chosen search (blocked | faiss | kmeans)."""
    x = normalise_rows(vectors)
    if len(x) < 2:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.float64)
    if search == "blocked":
        return blocked_pairs(x, threshold)
    if search == "faiss":
        return faiss_pairs(x, threshold)
    if search == "kmeans":
        return kmeans_pairs(x, threshold, n_clusters or max(1, int(np.sqrt(len(x)))), seed)
    raise ValueError(f"unknown neighbour search {search!r} (use blocked, faiss or kmeans)")
