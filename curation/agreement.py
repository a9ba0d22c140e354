"""Inter-annotator agreement: Cohen's kappa (pairs), Fleiss' kappa (nominal, many raters) and Krippendorff's
alpha (nominal / ordinal / interval, any number of raters, missing ratings allowed), each with n and a
bootstrap confidence interval over items.

Pure numpy; no store access. `curation/review.py` turns stored reviews into the inputs these functions take.
Every statistic is computed from per-item contributions, so a bootstrap replicate is a weighted sum of those
contributions (a multinomial resample of items) rather than a Python loop over items.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class BootstrapSettings:
    """How confidence intervals are computed."""

    replicates: int = 1000  # bootstrap resamples of the items; 1000 gives stable 95% bounds
    confidence: float = 0.95  # two-sided percentile interval
    seed: int = 0  # same seed, same interval


@dataclass
class Agreement:
    """One agreement figure: the value, how many items it rests on, and its confidence interval."""

    method: str  # cohen_kappa | weighted_kappa | fleiss_kappa | krippendorff_alpha
    value: float | None  # None when undefined (fewer than 2 items, or no variation at all)
    n: int  # items (units) that entered the computation
    ci_low: float | None = None
    ci_high: float | None = None
    level: str | None = None  # nominal | ordinal | interval for alpha; weights for kappa
    note: str | None = None
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"method": self.method, "value": _r(self.value), "n": self.n, "ci": [_r(self.ci_low), _r(self.ci_high)],
                "level": self.level, "note": self.note, **self.extra}


def _r(x):
    return None if x is None or not np.isfinite(x) else round(float(x), 4)


def _categories(values) -> list:
    """The distinct non-missing values, sorted (numbers numerically, anything else as text)."""
    vals = {v for v in values if v is not None and not (isinstance(v, float) and np.isnan(v))}
    try:
        return sorted(vals)
    except TypeError:
        return sorted(vals, key=str)


def _bootstrap(stat, contrib: np.ndarray, settings: BootstrapSettings) -> tuple[float | None, float | None]:
    """Percentile interval of `stat(summed contributions)` over multinomial resamples of the items.

    `stat` takes a batch of summed contributions (replicates x ...) and returns one value per replicate.
    """
    n = contrib.shape[0]
    if n < 2 or settings.replicates <= 0:
        return None, None
    rng = np.random.default_rng(settings.seed)
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=settings.replicates).astype(np.float64)
    sums = (weights @ contrib.reshape(n, -1)).reshape((settings.replicates,) + contrib.shape[1:])
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.asarray(stat(sums), dtype=np.float64)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return None, None
    tail = (1 - settings.confidence) / 2 * 100
    lo, hi = np.percentile(values, [tail, 100 - tail])
    return float(lo), float(hi)


# ---------------------------------------------------------------- Cohen's kappa
def _kappa_weights(k: int, weights: str | None) -> np.ndarray:
    idx = np.arange(k)
    if weights in (None, "none"):
        return (idx[:, None] != idx[None, :]).astype(np.float64)
    if weights == "linear":
        return np.abs(idx[:, None] - idx[None, :]).astype(np.float64)
    if weights == "quadratic":
        return ((idx[:, None] - idx[None, :]) ** 2).astype(np.float64)
    raise ValueError(f"unknown kappa weights {weights!r}: use none, linear or quadratic")


def _kappa_batch(tables: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Kappa of each confusion table in a batch (b x k x k); NaN where undefined."""
    total = tables.sum(axis=(1, 2))[:, None, None]
    p = tables / total
    expected = p.sum(axis=2)[:, :, None] * p.sum(axis=1)[:, None, :]
    return 1 - (w * p).sum(axis=(1, 2)) / (w * expected).sum(axis=(1, 2))


def _one(batch_stat, summed: np.ndarray) -> float:
    """A batch statistic applied to a single summed contribution."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(batch_stat(summed[None])[0])


def cohen_kappa(a: list, b: list, weights: str | None = None, categories: list | None = None,
                bootstrap: BootstrapSettings | None = None) -> Agreement:
    """Cohen's kappa between two raters over the items both rated (None = not rated).

    `weights` none (nominal), linear or quadratic (ordinal categories, in the order of `categories`).
    """
    if len(a) != len(b):
        raise ValueError("both raters need one rating per item (None where they gave none)")
    pairs = [(x, y) for x, y in zip(a, b) if x is not None and y is not None]
    cats = categories or _categories([v for p in pairs for v in p])
    method = "cohen_kappa" if weights in (None, "none") else "weighted_kappa"
    if len(pairs) < 2 or len(cats) < 1:
        return Agreement(method, None, len(pairs), level=weights or "none", note="fewer than 2 items rated by both")
    index = {c: i for i, c in enumerate(cats)}
    k = len(cats)
    contrib = np.zeros((len(pairs), k, k))
    for n, (x, y) in enumerate(pairs):
        contrib[n, index[x], index[y]] = 1.0
    w = _kappa_weights(k, weights)
    value = _one(lambda t: _kappa_batch(t, w), contrib.sum(axis=0))
    note = None if np.isfinite(value) else "no variation: both raters used a single category"
    lo, hi = _bootstrap(lambda t: _kappa_batch(t, w), contrib, bootstrap or BootstrapSettings())
    return Agreement(method, value if np.isfinite(value) else None, len(pairs), lo, hi, weights or "none", note)


# ---------------------------------------------------------------- Fleiss' kappa
def _fleiss_batch(s: np.ndarray) -> np.ndarray:
    """Rows s = [sum of P_i, number of items, category totals..., total ratings] -> kappa per row."""
    p_bar = s[:, 0] / s[:, 1]
    p_j = s[:, 2:-1] / s[:, -1:]
    pe = (p_j ** 2).sum(axis=1)
    out = (p_bar - pe) / (1 - pe)
    return np.where(pe >= 1 - 1e-12, np.nan, out)


def fleiss_kappa(counts, bootstrap: BootstrapSettings | None = None) -> Agreement:
    """Fleiss' kappa from an items x categories table of how many raters chose each category.

    Items may have different numbers of raters (each needs at least 2); the per-item agreement is the usual
    P_i = (sum_j n_ij^2 - n_i) / (n_i (n_i - 1)), and category shares are pooled over all ratings.
    """
    table = np.asarray(counts, dtype=np.float64)
    if table.ndim != 2:
        raise ValueError("counts must be a 2-D items x categories table")
    n_i = table.sum(axis=1)
    table = table[n_i >= 2]
    n_i = n_i[n_i >= 2]
    if table.shape[0] < 2:
        return Agreement("fleiss_kappa", None, int(table.shape[0]), level="nominal",
                         note="fewer than 2 items with 2+ ratings")
    p_i = ((table ** 2).sum(axis=1) - n_i) / (n_i * (n_i - 1))
    contrib = np.column_stack([p_i, np.ones_like(p_i), table, n_i])
    value = _one(_fleiss_batch, contrib.sum(axis=0))
    lo, hi = _bootstrap(_fleiss_batch, contrib, bootstrap or BootstrapSettings())
    note = None if np.isfinite(value) else "no variation: every rating is the same category"
    return Agreement("fleiss_kappa", value if np.isfinite(value) else None, int(table.shape[0]), lo, hi,
                     "nominal", note, {"raters_per_item": round(float(n_i.mean()), 2)})


# ---------------------------------------------------------------- Krippendorff's alpha
def _delta2(level: str, values: np.ndarray, n_c: np.ndarray) -> np.ndarray:
    """Squared difference between category values (Krippendorff 2011, section C), for a batch of marginals
    n_c (b x k); returns b x k x k."""
    b, k = n_c.shape
    idx = np.arange(k)
    if level == "nominal":
        return np.broadcast_to((idx[:, None] != idx[None, :]).astype(np.float64), (b, k, k))
    if level == "interval":
        return np.broadcast_to((values[:, None] - values[None, :]) ** 2, (b, k, k))
    if level == "ordinal":
        cum = np.concatenate([np.zeros((b, 1)), np.cumsum(n_c, axis=1)], axis=1)
        lo, hi = np.minimum(idx[:, None], idx[None, :]), np.maximum(idx[:, None], idx[None, :])
        between = cum[:, hi + 1] - cum[:, lo]  # sum of n_g for g from lo to hi inclusive
        return (between - (n_c[:, lo] + n_c[:, hi]) / 2) ** 2
    raise ValueError(f"unknown level {level!r}: use nominal, ordinal or interval")


def _alpha_batch(o: np.ndarray, level: str, values: np.ndarray) -> np.ndarray:
    """Alpha of each coincidence matrix in a batch (b x k x k); NaN where undefined."""
    n_c = o.sum(axis=2)
    n = n_c.sum(axis=1)
    d2 = _delta2(level, values, n_c)
    d_o = (o * d2).sum(axis=(1, 2))
    d_e = (n_c[:, :, None] * n_c[:, None, :] * d2).sum(axis=(1, 2)) / (n - 1)
    return 1 - d_o / d_e


def krippendorff_alpha(data, level: str = "ordinal", bootstrap: BootstrapSettings | None = None,
                       categories: list | None = None) -> Agreement:
    """Krippendorff's alpha from reliability data: rows are raters, columns are items, None/NaN = missing.

    Items with fewer than two ratings are unpairable and ignored, as the method prescribes.
    `categories` fixes the order of ordinal values that are not numbers (e.g. ["easy", "medium", "hard"]).
    """
    if level not in ("nominal", "ordinal", "interval"):
        raise ValueError(f"unknown level {level!r}: use nominal, ordinal or interval")
    rows = [list(r) for r in data]
    if not rows:
        return Agreement("krippendorff_alpha", None, 0, level=level, note="no ratings")
    width = len(rows[0])
    if any(len(r) != width for r in rows):
        raise ValueError("every rater row needs one entry per item (None where missing)")
    cats = categories or _categories([v for r in rows for v in r])
    index = {c: i for i, c in enumerate(cats)}
    k = len(cats)
    units = []
    for j in range(width):
        cnt = np.zeros(k)
        for r in rows:
            v = r[j]
            if v is None or (isinstance(v, float) and np.isnan(v)):
                continue
            if v not in index:
                raise ValueError(f"value {v!r} is not one of the categories {cats}")
            cnt[index[v]] += 1
        if cnt.sum() >= 2:
            units.append(cnt)
    if len(units) < 2 or k < 1:
        return Agreement("krippendorff_alpha", None, len(units), level=level, note="fewer than 2 pairable items")
    counts = np.array(units)
    m_u = counts.sum(axis=1)
    # each unit adds its pairable value pairs, weighted 1 / (m_u - 1): the coincidence matrix of Krippendorff (2011)
    pairs = counts[:, :, None] * counts[:, None, :] - counts[:, :, None] * np.eye(k)[None]
    contrib = pairs / (m_u - 1)[:, None, None]
    numeric = np.array(cats, dtype=np.float64) if all(isinstance(c, (int, float)) for c in cats) else np.arange(k,
                                                                                                    dtype=np.float64)
    value = _one(lambda o: _alpha_batch(o, level, numeric), contrib.sum(axis=0))
    lo, hi = _bootstrap(lambda o: _alpha_batch(o, level, numeric), contrib, bootstrap or BootstrapSettings())
    note = None if np.isfinite(value) else "no variation: every rating is the same value"
    return Agreement("krippendorff_alpha", value if np.isfinite(value) else None, len(units), lo, hi, level, note,
                     {"pairable_values": int(m_u.sum())})


# ---------------------------------------------------------------- Spearman's rho
def _ranks(x: np.ndarray) -> np.ndarray:
    """Average ranks (1-based; ties share the mean of their ranks) within each row of a 2-D batch, in one sort:
    each row is shifted into its own value range, so one searchsorted over all rows finds every tie group."""
    b, n = x.shape
    lo = float(x.min())
    shifted = (x - lo) + np.arange(b)[:, None] * (float(x.max()) - lo + 1.0)
    flat = shifted.ravel()
    ordered = np.sort(flat)
    left = np.searchsorted(ordered, flat, "left")
    right = np.searchsorted(ordered, flat, "right")
    return ((left + right - 1) / 2.0 + 1.0 - np.repeat(np.arange(b) * n, n)).reshape(b, n)


def _pearson_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a - a.mean(axis=-1, keepdims=True)
    b = b - b.mean(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (a * b).sum(axis=-1) / np.sqrt((a * a).sum(axis=-1) * (b * b).sum(axis=-1))


def spearman(a: list, b: list, bootstrap: BootstrapSettings | None = None) -> Agreement:
    """Spearman's rank correlation between two raters over the items both rated (None = not rated), with a
    percentile bootstrap interval over items (ranks recomputed in every resample)."""
    if len(a) != len(b):
        raise ValueError("both raters need one rating per item (None where they gave none)")
    pairs = np.array([(float(x), float(y)) for x, y in zip(a, b) if x is not None and y is not None])
    n = len(pairs)
    if n < 3:
        return Agreement("spearman", None, n, note="fewer than 3 items rated by both")
    x, y = pairs[:, 0], pairs[:, 1]
    value = float(_pearson_rows(_ranks(x[None])[0], _ranks(y[None])[0]))
    if not np.isfinite(value):
        return Agreement("spearman", None, n, note="no variation: a rater gave every item the same score")
    s = bootstrap or BootstrapSettings()
    lo = hi = None
    if s.replicates > 0:
        rng = np.random.default_rng(s.seed)
        idx = rng.integers(0, n, size=(s.replicates, n))
        rho = _pearson_rows(_ranks(x[idx]), _ranks(y[idx]))
        rho = rho[np.isfinite(rho)]
        if rho.size:
            tail = (1 - s.confidence) / 2 * 100
            lo, hi = (float(v) for v in np.percentile(rho, [tail, 100 - tail]))
    return Agreement("spearman", value, n, lo, hi)
