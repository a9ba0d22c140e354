"""Honest before/after statistics: paired deltas with a bootstrap confidence interval.

The base and the tuned model answer the same items, so the right comparison is per item (tuned - base), and
the uncertainty comes from which items happened to be in the eval set: resample the items with replacement,
recompute the mean delta, and read the 2.5th and 97.5th percentiles. A delta whose interval contains 0 is "no
significant change" - never reported as a win.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

BETTER, WORSE, NO_CHANGE, TOO_FEW = "better", "worse", "no significant change", "too few items"


@dataclass
class BootstrapSettings:
    """How the confidence interval is computed."""

    resamples: int = 2000  # 2000 resamples put the 95% bounds within about ±0.005 of their limit for n >= 30
    confidence: float = 0.95  # two-sided interval
    seed: int = 0  # fixed so the same items always give the same interval
    # With fewer paired items no interval and no verdict: a percentile bootstrap under-covers on tiny samples
    # (simulated 95% intervals contain the true delta ~77-84% of the time at n=5, ~90% at n=10, ~93% at n=20).
    min_items: int = 10


def paired_delta(base, tuned, higher_is_better: bool = True, settings: BootstrapSettings | None = None) -> dict:
    """Mean paired difference tuned - base with its bootstrap CI, n and a verdict.

    `higher_is_better=False` is for losses: a negative delta (lower loss) is then "better".
    Items where either value is missing (NaN) are dropped from both sides, keeping the pairing.
    """
    s = settings or BootstrapSettings()
    base, tuned = np.asarray(base, dtype=float), np.asarray(tuned, dtype=float)
    if base.shape != tuned.shape:
        raise ValueError(f"paired scores need equal lengths, got {base.shape} and {tuned.shape}")
    keep = ~(np.isnan(base) | np.isnan(tuned))
    diff = tuned[keep] - base[keep]
    n = int(diff.size)
    out = {"n": n, "base": _mean(base[keep]), "tuned": _mean(tuned[keep]), "delta": _mean(diff),
           "ci_low": None, "ci_high": None, "confidence": s.confidence, "verdict": TOO_FEW,
           "higher_is_better": higher_is_better}
    if n < s.min_items:
        return out
    low, high = bootstrap_ci(diff, s)
    out.update(ci_low=low, ci_high=high, verdict=verdict(low, high, higher_is_better))
    return out


def bootstrap_ci(values, settings: BootstrapSettings | None = None) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean of `values`."""
    s = settings or BootstrapSettings()
    values = np.asarray(values, dtype=float)
    n = values.size
    if n == 0:
        raise ValueError("bootstrap needs at least one value")
    rng = np.random.default_rng(s.seed)
    means = np.empty(s.resamples)
    # Resample in blocks so memory stays bounded for large eval sets (block x n indices at a time).
    block = max(1, min(s.resamples, 2_000_000 // n))
    for start in range(0, s.resamples, block):
        stop = min(start + block, s.resamples)
        idx = rng.integers(0, n, size=(stop - start, n))
        means[start:stop] = values[idx].mean(axis=1)
    alpha = (1 - s.confidence) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return float(low), float(high)


def verdict(low: float, high: float, higher_is_better: bool = True) -> str:
    """"better" / "worse" only when the whole interval is on one side of 0."""
    if low <= 0 <= high:
        return NO_CHANGE
    improved = low > 0 if higher_is_better else high < 0
    return BETTER if improved else WORSE


def mean_ci(values, settings: BootstrapSettings | None = None) -> dict:
    """Mean of one set of scores with its bootstrap CI (for a score shown on its own)."""
    s = settings or BootstrapSettings()
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    out = {"n": int(values.size), "mean": _mean(values), "ci_low": None, "ci_high": None}
    if values.size >= s.min_items:
        out["ci_low"], out["ci_high"] = bootstrap_ci(values, s)
    return out


def settings_dict(settings: BootstrapSettings | None = None) -> dict:
    """The settings as recorded in reports."""
    return asdict(settings or BootstrapSettings())


def _mean(values: np.ndarray) -> float | None:
    return float(values.mean()) if values.size else None
