"""Paired bootstrap: the CI covers a known delta at about its nominal rate, and verdicts are honest."""
from __future__ import annotations

import numpy as np
import pytest

from training.significance import (BETTER, NO_CHANGE, TOO_FEW, WORSE, BootstrapSettings, bootstrap_ci, mean_ci,
                            paired_delta)


def test_ci_covers_known_delta_in_simulation():
    """Simulated eval sets with a true mean delta of 0.1: the 95% CI contains it in about 95% of trials."""
    rng = np.random.default_rng(123)
    true_delta, trials, covered = 0.10, 200, 0
    for t in range(trials):
        base = rng.binomial(1, 0.5, size=150).astype(float)
        tuned = np.clip(base + rng.normal(true_delta, 0.4, size=150), -1, 2)
        # Clipping shifts the true delta slightly; _true_mean_delta computes it by a large simulation.
        r = paired_delta(base, tuned, settings=BootstrapSettings(resamples=1000, seed=t))
        covered += r["ci_low"] <= _true_mean_delta(true_delta) <= r["ci_high"]
    assert 0.89 <= covered / trials <= 0.99, covered


_CACHE: dict = {}


def _true_mean_delta(shift: float) -> float:
    """E[clip(b + e, -1, 2) - b] for b ~ Bernoulli(.5), e ~ N(shift, .4), by a large Monte Carlo."""
    if shift not in _CACHE:
        rng = np.random.default_rng(0)
        b = rng.binomial(1, 0.5, size=2_000_000).astype(float)
        _CACHE[shift] = float(np.mean(np.clip(b + rng.normal(shift, 0.4, size=b.size), -1, 2) - b))
    return _CACHE[shift]


def test_verdicts():
    base = np.zeros(100)
    assert paired_delta(base, base + 0.2)["verdict"] == BETTER
    assert paired_delta(base, base - 0.2)["verdict"] == WORSE
    # For a loss, lower after is better.
    assert paired_delta(base + 2.0, base + 1.5, higher_is_better=False)["verdict"] == BETTER
    # Noise around zero: the interval straddles 0 and that is what the verdict says.
    rng = np.random.default_rng(1)
    noisy = paired_delta(rng.normal(0, 1, 40), rng.normal(0, 1, 40))
    assert noisy["ci_low"] < 0 < noisy["ci_high"]
    assert noisy["verdict"] == NO_CHANGE
    assert paired_delta([1.0], [0.0])["verdict"] == TOO_FEW


def test_pairs_with_missing_values_are_dropped_together():
    r = paired_delta([1, np.nan, 0, 1], [1, 1, np.nan, 0])
    assert r["n"] == 2
    assert r["delta"] == pytest.approx(-0.5)
    with pytest.raises(ValueError):
        paired_delta([1, 2], [1])


def test_bootstrap_is_deterministic_and_bounded():
    values = np.arange(10, dtype=float)
    assert bootstrap_ci(values) == bootstrap_ci(values)
    low, high = bootstrap_ci(values)
    assert 0 <= low < 4.5 < high <= 9
    m = mean_ci(values)
    assert m["n"] == 10 and m["mean"] == 4.5
