"""Duplicate pairs -> clusters (union-find), at any threshold, from stored pair similarities.

Clustering is cheap and deterministic, so the review page re-clusters on every slider move from the pairs a
run stored instead of recomputing signatures or embeddings; a fresh run at the new threshold gives the same
clusters as long as the new threshold is not below the floor the run stored pairs down to.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np


class UnionFind:
    """Disjoint sets over 0..n-1 with path halving and union by size."""

    def __init__(self, n: int):
        self.parent = list(range(n))
        self.size = [1] * n

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]


def cluster_indices(n: int, pairs: np.ndarray, sims: np.ndarray, threshold: float,
                    cut: Iterable[tuple[int, int]] = ()) -> list[list[int]]:
    """Groups of 2+ items linked by pairs with similarity >= threshold, largest first.

    `cut` holds pairs a reviewer marked "not duplicates"; they never link two items, even at similarity 1.
    Members are sorted; ties in size are ordered by their first member, so the result is deterministic.
    """
    banned = {(min(a, b), max(a, b)) for a, b in cut}
    uf = UnionFind(n)
    for (a, b), s in zip(pairs.tolist(), sims.tolist()):
        if s >= threshold and (min(a, b), max(a, b)) not in banned:
            uf.union(a, b)
    groups: dict[int, list[int]] = {}
    for i in {x for p in pairs.tolist() for x in p}:
        groups.setdefault(uf.find(i), []).append(i)
    out = [sorted(g) for g in groups.values() if len(g) > 1]
    out.sort(key=lambda g: (-len(g), g[0]))
    return out


def cluster_ids(pairs: list[tuple[str, str, float]], threshold: float,
                cut: Iterable[tuple[str, str]] = ()) -> list[list[str]]:
    """cluster_indices over sample ids: pairs are (id_a, id_b, similarity)."""
    ids = sorted({x for a, b, _ in pairs for x in (a, b)})
    index = {s: i for i, s in enumerate(ids)}
    arr = np.array([(index[a], index[b]) for a, b, _ in pairs], dtype=np.int64).reshape(-1, 2)
    sims = np.array([s for _, _, s in pairs], dtype=np.float64)
    cut_idx = [(index[a], index[b]) for a, b in cut if a in index and b in index]
    return [[ids[i] for i in g] for g in cluster_indices(len(ids), arr, sims, threshold, cut_idx)]


def similarity_histogram(sims: np.ndarray, floor: float, bins: int = 20) -> list[dict]:
    """Counts of pair similarities in equal bins from floor to 1 (for the page and the JSON report)."""
    edges = np.linspace(floor, 1.0, bins + 1)
    counts, _ = np.histogram(np.clip(sims, floor, 1.0), bins=edges)
    return [{"from": float(edges[i]), "to": float(edges[i + 1]), "pairs": int(c)} for i, c in enumerate(counts)]
