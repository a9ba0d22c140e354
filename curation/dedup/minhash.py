"""Vectorised MinHash signatures, bit-identical to datasketch's default `affine32` scheme.

datasketch's `MinHash.update` hashes one token and permutes it in Python; at ~500 docs/s that is far too slow
for a million samples. Here the shingle hashes of a whole chunk of documents are permuted as one array
operation per permutation and reduced per document with `np.minimum.reduceat`. The permutation parameters are
drawn exactly as datasketch draws them (`np.random.RandomState(seed)`, odd `a`), the input hash is pre-mixed
with the same 32-bit MurmurHash3 finaliser, and `a*h + b` wraps mod 2^32 the same way, so for the same 32-bit
input hash a signature equals `datasketch.MinHash(num_perm, seed, hashfunc=...)` value for value.

The optional `rensa` backend (Rust) feeds the same shingle hashes to rensa's flat-hash API; its signatures are
a different (equally valid) MinHash family, so signatures from the two backends must never be mixed.
"""
from __future__ import annotations

import numpy as np

from curation.dedup.shingles import batch_shingle_hashes

_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))
EMPTY = np.uint32(0xFFFFFFFF)  # datasketch's value for "no token seen"
CHUNK_SHINGLES = 1 << 18  # shingles permuted per block: 256k x 4 B = 1 MB fits in L2, so each pass is cache-hot


def permutations(num_perm: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) affine32 permutation parameters datasketch draws for (num_perm, seed)."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(h: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2, s3 = _FMIX32
    h ^= h >> s1
    h *= m1
    h ^= h >> s2
    h *= m2
    h ^= h >> s3
    return h


def hash32(shingle_hashes64: np.ndarray) -> np.ndarray:
    """The 32-bit token hash MinHash consumes: the low half of the 64-bit shingle hash."""
    return (shingle_hashes64 & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def signatures_from_hashes(h32: np.ndarray, counts: np.ndarray, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """MinHash signatures (n_docs x num_perm, uint32) from flat 32-bit token hashes and per-doc counts.

    A document with no tokens gets datasketch's empty signature (all 0xFFFFFFFF).
    """
    a, b = permutations(num_perm, seed)
    sig = np.full((len(counts), num_perm), EMPTY, dtype=np.uint32)
    nonempty = np.flatnonzero(counts > 0)
    if not len(nonempty):
        return sig
    hv = _fmix32(h32.astype(np.uint32, copy=True))
    ends = np.cumsum(counts)
    # Walk the documents in blocks of about CHUNK_SHINGLES tokens (a block always holds whole documents).
    doc = 0
    while doc < len(nonempty):
        start_tok = ends[nonempty[doc]] - counts[nonempty[doc]]
        last = int(np.searchsorted(ends[nonempty], start_tok + CHUNK_SHINGLES, side="right"))
        last = max(last, doc + 1)
        docs = nonempty[doc:last]
        stop_tok = ends[docs[-1]]
        block = hv[start_tok:stop_tok]
        seg = (ends[docs] - counts[docs]) - start_tok
        buf = np.empty_like(block)
        out = np.empty((num_perm, len(docs)), dtype=np.uint32)
        for k in range(num_perm):
            np.multiply(block, a[k], out=buf)
            buf += b[k]
            out[k] = np.minimum.reduceat(buf, seg)
        sig[docs] = out.T
        doc = last
    return sig


def signatures(texts: list[str], ngram: int = 5, num_perm: int = 128, seed: int = 1, backend: str = "numpy") -> np.ndarray:
    """MinHash signatures of already-normalised texts (n x num_perm, uint32), shingled as char n-grams."""
    h64, counts = batch_shingle_hashes(texts, ngram)
    if backend == "rensa":
        return _rensa_signatures(h64, counts, num_perm, seed)
    if backend != "numpy":
        raise ValueError(f"unknown MinHash backend {backend!r} (use numpy or rensa)")
    return signatures_from_hashes(hash32(h64), counts, num_perm, seed)


def _rensa_signatures(h64: np.ndarray, counts: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """Signatures from rensa's Rust flat-hash API (optional dependency)."""
    try:
        import rensa
    except ImportError as exc:  # pragma: no cover - depends on the environment
        from curation.errors import UserError

        raise UserError("MinHash backend 'rensa' needs the rensa package: pip install rensa") from exc
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.uint64)
    matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(h64, offsets, num_perm, seed)
    sig = np.asarray(matrix.to_rows(), dtype=np.uint32).reshape(len(counts), num_perm)
    sig[counts == 0] = EMPTY
    return sig


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """MinHash estimate of Jaccard similarity: the share of equal signature positions."""
    return float(np.mean(sig_a == sig_b))
