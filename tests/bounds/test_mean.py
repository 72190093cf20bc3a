"""Closed-form bounds on the mean of [0, 1]-valued observations (rslib.bounds._mean): Hoeffding and empirical
Bernstein, their coverage by simulation and bad input."""

import _coverage
import numpy as np
import pytest

from rslib import bounds


@pytest.mark.parametrize("mean", [0.5, 0.9, 0.99])
def test_hoeffding_and_empirical_bernstein_cover(mean):
    rng = np.random.default_rng(3)
    plan, n = _coverage.plan(0.1), 200
    x = rng.beta(mean * 5, (1 - mean) * 5, size=(plan.trials, n))
    plan.check(bounds.hoeffding(x.mean(axis=1), n, plan.alpha) > mean, "the lower Hoeffding bound")
    plan.check(bounds.hoeffding(x.mean(axis=1), n, plan.alpha, side="upper") < mean, "the upper Hoeffding bound")
    plan.check([bounds.empirical_bernstein(row, plan.alpha) > mean for row in x], "the empirical Bernstein bound")
    assert bounds.empirical_bernstein(x[0], plan.alpha) < x[0].mean()


def test_bad_input():
    with pytest.raises(ValueError, match="at least 2 observations in \\[0, 1\\]"):
        bounds.empirical_bernstein([0.5], 0.1)
    with pytest.raises(ValueError, match="mean must lie in \\[0, 1\\]"):
        bounds.hoeffding(1.5, 10, 0.1)
