"""Dedup before insertion: a produced prompt must not repeat the store, its seeds or another produced prompt.

Exact (after curation/dedup's normalisation) and near (character-shingle Jaccard by curation/dedup's MinHash LSH,
confirmed exactly) comparisons on the user text, the `user` key of `curation dedup`. Candidates are taken in
order: one that repeats an earlier *kept* candidate goes, the earlier one stays.
"""
from __future__ import annotations

import numpy as np

from ..dedup.keys import sample_key_text
from ..dedup.methods.builtin import MinHashSettings, minhash_pairs
from ..dedup.normalise import normalise
from .base import Rejection


def store_texts(store) -> tuple[list[str], list[str]]:
    """(ids, user texts) of every stored sample, rejected and duplicate ones included (a repeat of a rejected
    sample is still a repeat)."""
    ids, texts = [], []
    for s in store.samples.iter(columns=("id", "messages")):
        ids.append(s["id"])
        texts.append(sample_key_text(s, "user"))
    return ids, texts


def near_copies(candidates: list[str], references: list[str], threshold: float,
                ngram: int = 5) -> dict[int, tuple[str, int, float]]:
    """candidate index -> ("reference" | "candidate", index of what it copies, similarity), for each candidate
    that equals or nearly equals (Jaccard >= threshold) a reference or an earlier kept candidate."""
    texts = list(references) + list(candidates)
    n_ref = len(references)
    if not candidates:
        return {}
    result = minhash_pairs(texts, MinHashSettings(threshold=threshold, ngram=ngram))
    links: dict[int, list[tuple[int, float]]] = {}
    for (i, j), sim in zip(np.asarray(result.pairs).reshape(-1, 2).tolist(), np.asarray(result.sims).tolist()):
        if sim < threshold:
            continue
        i, j = min(i, j), max(i, j)
        if j >= n_ref:  # j is a candidate; i a reference or an earlier candidate
            links.setdefault(j - n_ref, []).append((i, sim))
    normed = [normalise(t) for t in texts]
    first: dict[str, int] = {}
    for k, t in enumerate(normed[:n_ref]):
        first.setdefault(t, k)
    out: dict[int, tuple[str, int, float]] = {}
    for c in range(len(candidates)):
        t = normed[n_ref + c]
        if t in first:  # exact repeat (also when MinHash skipped an empty or tiny text)
            k = first[t]
            out[c] = ("reference", k, 1.0) if k < n_ref else ("candidate", k - n_ref, 1.0)
            continue
        hits = [(i, sim) for i, sim in links.get(c, []) if i < n_ref or (i - n_ref) not in out]
        if hits:
            i, sim = max(hits, key=lambda h: h[1])
            out[c] = ("reference", i, sim) if i < n_ref else ("candidate", i - n_ref, sim)
            continue
        first[t] = n_ref + c
    return out


def drop_copies(candidates: list, texts_of, references: list[str], reference_ids: list[str], threshold: float,
                rule: str, what: str) -> tuple[list, list[Rejection]]:
    """Split candidates into (kept, rejections) by `near_copies` against `references` (named by reference_ids)."""
    texts = [texts_of(c) for c in candidates]
    copies = near_copies(texts, references, threshold)
    kept, rejected = [], []
    for k, c in enumerate(candidates):
        if k not in copies:
            kept.append(c)
            continue
        kind, i, sim = copies[k]
        other = f"{what} {reference_ids[i]}" if kind == "reference" else "another produced prompt"
        exact = "repeats" if sim >= 1.0 else f"is a near copy ({sim:.0%} shingle Jaccard) of"
        rejected.append(Rejection(rule, f"the produced prompt {exact} {other}", texts[k][:300],
                                  list(getattr(c, "parent_ids", []) or []), texts[k]))
    return kept, rejected
