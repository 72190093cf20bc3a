"""Confidence sequences (rslib.bounds._sequences): coverage by simulation at fixed n, uniformly over time, and at
a stopping time; bad input."""

import numpy as np
import pytest

from rslib import bounds

ALPHA = 0.05


def _miss_bound(alpha, trials):
    return alpha + 4 * np.sqrt(alpha * (1 - alpha) / trials)


def _draw(kind, mean, size, rng):
    if kind == "bernoulli":
        return (rng.random(size) < mean).astype(float)
    return rng.beta(mean * 4, (1 - mean) * 4, size)  # continuous on [0, 1]


@pytest.mark.parametrize("kind", ["bernoulli", "beta"])
@pytest.mark.parametrize("mean,n", [(0.9, 200), (0.5, 500), (0.99, 2000)])
def test_fixed_n_coverage(kind, mean, n):
    rng = np.random.default_rng(int(mean * 1000) + n)
    trials = 1500
    betting_miss = prpl_miss = 0
    for _ in range(trials):
        x = _draw(kind, mean, n, rng)
        betting_miss += bounds.betting_lower(x, ALPHA, n=n) > mean
        prpl_miss += bounds.prpl_eb_sequence(x, ALPHA, n=n)[-1] > mean
    assert betting_miss / trials <= _miss_bound(ALPHA, trials)
    assert prpl_miss / trials <= _miss_bound(ALPHA, trials)


@pytest.mark.parametrize("kind", ["bernoulli", "beta"])
def test_time_uniform_coverage_of_prpl_eb(kind):
    rng = np.random.default_rng(11)
    trials, mean = 1000, 0.7
    misses = sum((bounds.prpl_eb_sequence(_draw(kind, mean, 1000, rng), ALPHA) > mean).any() for _ in range(trials))
    assert misses / trials <= _miss_bound(ALPHA, trials)


def test_sequential_test_error_at_its_stopping_time():
    # The null is true (mean = m0): stopping at the first rejection must happen with probability <= alpha.
    rng = np.random.default_rng(12)
    trials, m0 = 1000, 0.8
    false_rejections = sum(
        bounds.betting_rejects(_draw("bernoulli", m0, 3000, rng), m0, ALPHA).any() for _ in range(trials)
    )
    assert false_rejections / trials <= _miss_bound(ALPHA, trials)
    # Under the alternative it rejects, and early.
    decided = bounds.betting_rejects(_draw("bernoulli", 0.97, 3000, rng), m0, ALPHA)
    assert decided.any() and decided.argmax() < 300


def test_bad_input():
    with pytest.raises(ValueError, match="x must lie in \\[0, 1\\]"):
        bounds.betting_lower([0.5, 1.5], 0.05)
    with pytest.raises(ValueError, match="alpha"):
        bounds.prpl_eb_sequence([0.5], 1.0)
    with pytest.raises(ValueError, match="non-empty 1-D"):
        bounds.betting_lower([], 0.05)


@pytest.mark.parametrize("n", [0, -5])
def test_a_fixed_n_must_be_a_positive_integer(n):
    x = np.full(10, 0.9)
    for lower in (bounds.prpl_eb_sequence, bounds.betting_lower):
        with pytest.raises(ValueError, match=f"n must be an integer >= 1, got {n}"):
            lower(x, ALPHA, n=n)
    with pytest.raises(TypeError, match="n must be an integer >= 1, got 10.0"):
        bounds.betting_lower(x, ALPHA, n=10.0)
    # any n >= 1 is valid, also one below len(x): the bets stay predictable
    assert 0 < bounds.betting_lower(x, ALPHA, n=1) <= 0.9


@pytest.mark.parametrize("m0", [-1, 1.5, float("nan")])
def test_the_null_mean_must_lie_in_the_unit_interval(m0):
    with pytest.raises(ValueError, match="m0 must"):
        bounds.betting_rejects(np.full(10, 0.9), m0, ALPHA)


def test_the_null_mean_at_the_ends_of_the_unit_interval():
    x = np.full(50, 0.9)
    assert bounds.betting_rejects(x, 0.0, ALPHA)[-1]  # mean <= 0 means every observation is 0
    assert not bounds.betting_rejects(x, 1.0, ALPHA).any()  # mean <= 1 always holds
