"""Closed-form bounds on the mean of [0, 1]-valued observations (rslib.bounds._mean): Hoeffding and empirical
Bernstein, their coverage by simulation and bad input."""

import numpy as np
import pytest

from rslib import bounds


def _miss_bound(alpha, trials):
    return alpha + 4 * np.sqrt(alpha * (1 - alpha) / trials)


@pytest.mark.parametrize("mean", [0.5, 0.9, 0.99])
def test_hoeffding_and_empirical_bernstein_cover(mean):
    rng = np.random.default_rng(3)
    alpha, trials, n = 0.1, 2000, 200
    x = rng.beta(mean * 5, (1 - mean) * 5, size=(trials, n))
    h_miss = (bounds.hoeffding(x.mean(axis=1), n, alpha) > mean).mean()
    eb_miss = np.mean([bounds.empirical_bernstein(row, alpha) > mean for row in x])
    assert h_miss <= _miss_bound(alpha, trials) and eb_miss <= _miss_bound(alpha, trials)
    assert bounds.empirical_bernstein(x[0], alpha) < x[0].mean()


def test_bad_input():
    with pytest.raises(ValueError, match="at least 2 observations in \\[0, 1\\]"):
        bounds.empirical_bernstein([0.5], 0.1)
    with pytest.raises(ValueError, match="mean must lie in \\[0, 1\\]"):
        bounds.hoeffding(1.5, 10, 0.1)
