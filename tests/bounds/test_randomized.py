"""Randomized Clopper-Pearson (rslib.bounds._randomized): exact coverage by simulation, never below
Clopper-Pearson, reproducible from its seed, rounded toward safety, and its refusals."""

import _coverage
import mpmath
import numpy as np
import pytest
from scipy.stats import binom

from rslib import bounds

CELLS = [(20, 0.5), (20, 0.99), (1000, 0.9), (1000, 0.999)]


@pytest.mark.parametrize(("n", "p"), CELLS)
@pytest.mark.parametrize("side", ["lower", "upper"])
def test_miss_rate_is_alpha_exactly(n, p, side):
    # P(bound on the wrong side of p) = alpha exactly: more misses than the plan's limit catch a bound missing at
    # 1.5 alpha with probability >= 0.99; fewer than the mirror count catch a bound as conservative as
    # Clopper-Pearson where the binomial law is coarse.
    plan = _coverage.plan(0.05)
    alpha, trials = plan.alpha, plan.trials
    least = int(binom.isf(1 - _coverage.SIZE, trials, alpha))  # P(Binomial(trials, alpha) < least) <= SIZE
    rng = np.random.default_rng(n + int(1000 * p))
    k = rng.binomial(n, p, trials)
    bound = bounds.randomized_clopper_pearson(k, n, alpha, seed=int(rng.integers(2**32)), side=side).bound
    misses = int((bound > p).sum() if side == "lower" else (bound < p).sum())
    plan.check(misses, f"randomized Clopper-Pearson ({side}, n={n}, p={p})")
    assert misses >= least, f"{misses} misses in {trials} trials: conservative, not exact"


def test_clopper_pearson_is_conservative_where_randomization_is_exact():
    # n = 20, p = 0.99: Clopper-Pearson misses only when k = 20 and alpha^(1/20) > 0.99, never; the randomized
    # bound still misses at rate alpha (the previous test), which is what makes it larger.
    k = np.random.default_rng(0).binomial(20, 0.99, 4000)
    assert (bounds.clopper_pearson(k, 20, 0.05) > 0.99).sum() == 0


def test_never_below_clopper_pearson_and_equal_to_it_at_u_one():
    k = np.arange(0, 101)
    drawn = bounds.randomized_clopper_pearson(k, 100, 0.001, seed=5)
    cp_k, cp_next = bounds.clopper_pearson(k, 100, 0.001), bounds.clopper_pearson(np.minimum(k + 1, 100), 100, 0.001)
    assert (drawn.bound >= cp_k).all()
    assert (drawn.bound[:-1] <= cp_next[:-1] * (1 + 1e-9)).all()  # between the bounds of k and k + 1
    assert drawn.u.shape == k.shape and ((drawn.u > 0) & (drawn.u <= 1)).all()


@pytest.mark.parametrize("alpha", [1 - 2**-53, 0.999999, 0.5])
def test_never_weaker_than_clopper_pearson_even_where_the_p_value_is_flat_near_alpha(alpha):
    # alpha near 1: the p-value 1 - (1 - p)^5 is flat there, and holding it below alpha by its error bound alone
    # left the randomized bound below Clopper-Pearson's (k=1, n=5, seed 0, found by test_properties.py)
    k = np.arange(0, 6)
    for side, tighter in (("lower", np.greater_equal), ("upper", np.less_equal)):
        drawn = bounds.randomized_clopper_pearson(k, 5, alpha, seed=0, side=side).bound
        assert tighter(drawn, bounds.clopper_pearson(k, 5, alpha, side=side)).all(), side


def test_reproducible_from_its_seed_and_the_unanimous_closed_form():
    first = bounds.randomized_clopper_pearson(9990, 10_000, 0.001, seed=3)
    again = bounds.randomized_clopper_pearson(9990, 10_000, 0.001, seed=3)
    assert first == again and first.seed == 3 and 0 < first.u <= 1
    assert first.bound > bounds.clopper_pearson(9990, 10_000, 0.001)
    n, alpha = 1000, 0.001
    unanimous = bounds.randomized_clopper_pearson(n, n, alpha, seed=11)
    exact = (alpha / unanimous.u) ** (1 / n)  # u > alpha for this seed
    assert unanimous.u > alpha and exact * (1 - 1e-12) <= unanimous.bound <= exact
    upper = bounds.randomized_clopper_pearson(10, n, alpha, seed=11, side="upper")
    assert upper.bound >= 1 - bounds.randomized_clopper_pearson(n - 10, n, alpha, seed=11).bound


@pytest.mark.parametrize(("k", "n"), [(0, 50), (3, 50), (48, 50), (50, 50), (130, 1000), (999, 1000)])
def test_rounded_toward_safety_against_mpmath(k, n):
    # At the returned bound the exact randomized p-value must not exceed alpha: the bound is at or below the root
    # (0, the trivial bound, where even p0 = 0 is not rejected: k = 0 and u > alpha).
    mpmath.mp.dps = 40
    alpha = 0.001
    drawn = bounds.randomized_clopper_pearson(k, n, alpha, seed=k + n)
    low, u = mpmath.mpf(float(drawn.bound)), mpmath.mpf(float(drawn.u))

    def tail(j):
        return mpmath.mpf(1) if j <= 0 else mpmath.mpf(0) if j > n else mpmath.betainc(j, n - j + 1, 0, low, True)

    assert drawn.bound == 0 or (1 - u) * tail(k + 1) + u * tail(k) <= alpha
    assert drawn.bound > 0 or (k == 0 and drawn.u > alpha)


def test_bad_input():
    with pytest.raises(ValueError, match=r"seed must be an integer in \[0, 2\*\*63 - 1\]"):
        bounds.randomized_clopper_pearson(3, 10, 0.05, seed=-1)
    with pytest.raises(TypeError, match="seed must be an integer"):
        bounds.randomized_clopper_pearson(3, 10, 0.05, seed=1.5)
    with pytest.raises(ValueError, match="k must lie in"):
        bounds.randomized_clopper_pearson(11, 10, 0.05, seed=1)
    with pytest.raises(ValueError, match="side must be"):
        bounds.randomized_clopper_pearson(3, 10, 0.05, seed=1, side="both")
