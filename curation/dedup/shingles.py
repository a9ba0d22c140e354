"""Character n-gram shingles, hashed as numpy arrays.

Shingles are taken over Unicode code points of the *normalised* text, so one code path serves Chinese (no
word segmenter needed), English and mixed text. Each shingle is hashed with a 64-bit polynomial over its code
points followed by the MurmurHash3 64-bit finaliser; the polynomial is computed for all positions at once with
`n` shifted multiply-adds, which is what makes signature computation fast (no Python loop per shingle).

A text shorter than `n` characters is one shingle (the whole text) so short prompts still match each other.
The scalar `shingle_hash64` computes the same value for one shingle string; it exists to feed datasketch's
`MinHash.update` in tests and benchmarks, proving the vectorised signatures are bit-identical.
"""
from __future__ import annotations

import numpy as np

_P = np.uint64(0x100000001B3)  # FNV-64 prime: odd, so the polynomial map is well spread mod 2^64
_M64 = (1 << 64) - 1
_C1, _C2 = np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)


def _fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3 finaliser: spreads the polynomial's low-entropy bits over the whole word (in place)."""
    h ^= h >> _S33
    h *= _C1
    h ^= h >> _S33
    h *= _C2
    h ^= h >> _S33
    return h


def batch_shingle_hashes(texts: list[str], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Hash every n-gram of every text.

    Returns (hashes, counts): `hashes` is a flat uint64 array with the shingle hashes of text 0, then text 1,
    ...; `counts[i]` is how many shingles text i has (0 for an empty text). Duplicate shingles within a text are
    kept: MinHash takes a minimum, which duplicates cannot change, and deduplicating would cost a sort.
    """
    if n < 1:
        raise ValueError("shingle size n must be at least 1")
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    if not len(texts):
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    # Each text is followed by n-1 zero code points so windows never read into the next text and a short
    # text's single window is its characters padded with zeros.
    pad = "\0" * (n - 1)
    cps = np.frombuffer((pad.join(texts) + pad).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    counts = np.where(lengths >= n, lengths - n + 1, np.minimum(lengths, 1))
    total = int(counts.sum())
    win = len(cps) - n + 1
    h = cps[:win].copy()
    for j in range(1, n):
        h *= _P
        h += cps[j : j + win]
    # Window start positions that belong to a text (not to the padding after it).
    bases = np.concatenate(([0], np.cumsum(lengths + n - 1)[:-1]))
    first = np.repeat(bases - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
    starts = first + np.arange(total, dtype=np.int64)
    return _fmix64(h[starts]), counts


def shingle_hashes(text: str, n: int) -> np.ndarray:
    """The uint64 shingle hashes of one text (see batch_shingle_hashes)."""
    return batch_shingle_hashes([text], n)[0]


def shingle_hash64(shingle: str, n: int) -> int:
    """Scalar twin of the vectorised hash, for one shingle string (padded with zeros to n code points)."""
    h = 0
    for ch in shingle.ljust(n, "\0"):
        h = (h * int(_P) + ord(ch)) & _M64
    h ^= h >> 33
    h = (h * int(_C1)) & _M64
    h ^= h >> 33
    h = (h * int(_C2)) & _M64
    return h ^ (h >> 33)


def shingles(text: str, n: int) -> list[str]:
    """The n-gram strings of one text, in order (with repeats); the readable form of batch_shingle_hashes."""
    if not text:
        return []
    if len(text) < n:
        return [text]
    return [text[i : i + n] for i in range(len(text) - n + 1)]


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two shingle-hash arrays (treated as sets)."""
    ua, ub = np.unique(a), np.unique(b)
    if not len(ua) and not len(ub):
        return 1.0
    inter = len(np.intersect1d(ua, ub, assume_unique=True))
    return inter / (len(ua) + len(ub) - inter)
