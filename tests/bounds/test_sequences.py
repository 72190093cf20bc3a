"""Confidence sequences (rslib.bounds._sequences): coverage by simulation at fixed n, uniformly over time (a
sequence misses when it is ever above the mean) and at a stopping time; the bets and the capital; bad input."""

import _coverage
import numpy as np
import pytest

from rslib import bounds

ALPHA = 0.05


def _draw(kind, mean, size, rng):
    if kind == "bernoulli":
        return (rng.random(size) < mean).astype(float)
    return rng.beta(mean * 4, (1 - mean) * 4, size)  # continuous on [0, 1]


@pytest.mark.parametrize("kind", ["bernoulli", "beta"])
@pytest.mark.parametrize("mean,n", [(0.9, 200), (0.5, 500), (0.99, 2000)])
def test_fixed_n_coverage(kind, mean, n):
    rng, plan = np.random.default_rng(int(mean * 1000) + n), _coverage.plan(0.1)
    betting_miss = prpl_miss = 0
    for _ in range(plan.trials):
        x = _draw(kind, mean, n, rng)
        betting_miss += bounds.betting_lower(x, plan.alpha, n=n) > mean
        prpl_miss += bounds.prpl_eb_sequence(x, plan.alpha, n=n)[-1] > mean
    plan.check(betting_miss, "betting_lower at n")
    plan.check(prpl_miss, "the PrPl-EB sequence at n")


@pytest.mark.parametrize("kind", ["bernoulli", "beta"])
def test_time_uniform_coverage_of_prpl_eb(kind):
    rng, plan, mean = np.random.default_rng(11), _coverage.plan(0.1), 0.7
    ever_above = [
        (bounds.prpl_eb_sequence(_draw(kind, mean, 1000, rng), plan.alpha) > mean).any() for _ in range(plan.trials)
    ]
    plan.check(ever_above, "the PrPl-EB sequence")


@pytest.mark.parametrize("kind", ["bernoulli", "beta"])
def test_time_uniform_coverage_of_betting(kind):
    """betting_lower read after t observations for t on a grid up to 1,000: the sequence misses when it is above
    the mean at any of them (a grid, not every t: each reading is a root search)."""
    rng, plan, mean = np.random.default_rng(13), _coverage.plan(0.2), 0.7
    times = np.unique(np.geomspace(10, 1000, 12).astype(int))
    ever_above = []
    for _ in range(plan.trials):
        x = _draw(kind, mean, 1000, rng)
        ever_above.append(any(bounds.betting_lower(x[:t], plan.alpha) > mean for t in times))
    plan.check(ever_above, "the betting sequence")


def test_sequential_test_error_at_its_stopping_time():
    # The null is true (mean = m0): stopping at the first rejection must happen with probability <= alpha.
    rng, plan, m0 = np.random.default_rng(12), _coverage.plan(0.1), 0.8
    ever_rejected = [
        bounds.betting_rejects(_draw("bernoulli", m0, 3000, rng), m0, plan.alpha).any() for _ in range(plan.trials)
    ]
    plan.check(ever_rejected, "betting_rejects under the null")
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


def test_the_bets_are_predictable_and_capped():
    x = _draw("beta", 0.7, 200, np.random.default_rng(3))
    changed = x.copy()
    changed[50:] = 1 - changed[50:]
    for n in (None, 200):  # uncapped, so that every bet shows what it was computed from
        bets, other = (bounds.plug_in_bets(v, ALPHA, n, truncation=np.inf) for v in (x, changed))
        assert np.array_equal(bets[:51], other[:51]) and (bets[51:] != other[51:]).all()  # X_t enters from t + 1
        capped = bounds.plug_in_bets(x, ALPHA, n)
        assert (capped > 0).all() and np.array_equal(capped, np.minimum(bets, 0.5))
    assert bounds.plug_in_bets(np.full(5, 0.5), ALPHA, truncation=0.1).tolist() == [0.1] * 5


def test_the_capital_falls_as_the_candidate_mean_rises_and_sets_the_lower_bound():
    x = _draw("bernoulli", 0.8, 500, np.random.default_rng(4))
    bets = bounds.plug_in_bets(x, ALPHA, truncation=1.0)
    grid = np.linspace(0.01, 0.99, 50)
    capital = [bounds.betting_log_capital(x, m, bets) for m in grid]
    assert all(a >= b for a, b in zip(capital, capital[1:]))
    lower = bounds.betting_lower(x, ALPHA)  # the candidate where the capital falls to 1 / alpha
    assert (
        bounds.betting_log_capital(x, lower, bets)
        >= np.log(1 / ALPHA)
        > bounds.betting_log_capital(x, lower + 1e-6, bets)
    )
    assert bounds.betting_lower(np.zeros(50), ALPHA) == 0.0 and bounds.betting_lower(x, ALPHA) <= x.mean()


def test_the_prpl_eb_lower_bound_is_the_last_value_of_its_sequence():
    x = _draw("beta", 0.6, 300, np.random.default_rng(5))
    sequence = bounds.prpl_eb_sequence(x, ALPHA, n=300)
    assert sequence.shape == (300,) and ((sequence >= 0) & (sequence <= 1)).all()
    assert bounds.prpl_eb_lower(x, ALPHA, n=300) == sequence[-1] and isinstance(
        bounds.prpl_eb_lower(x, ALPHA), np.float64
    )
