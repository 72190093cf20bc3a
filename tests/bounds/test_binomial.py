"""Binomial bounds (rslib.bounds._binomial): Clopper-Pearson's exact definition, coverage by simulation, the
simultaneous bounds of every class (Bonferroni), the unanimous sample size for a radius, and bad input."""

import _coverage
import numpy as np
import pytest
from scipy import stats

from rslib import bounds, certificates


def test_lower_bound_solves_the_tail_equation():
    # The exact lower bound p solves P(Bin(n, p) >= k) = alpha.
    for k, n, alpha in [(1, 10, 0.05), (90, 100, 0.001), (500, 1000, 0.01), (9999, 10000, 0.001)]:
        p = bounds.clopper_pearson(k, n, alpha, side="lower")
        assert stats.binom.sf(k - 1, n, p) == pytest.approx(alpha, rel=1e-6)
        q = bounds.clopper_pearson(k - 1, n, alpha, side="upper")
        assert stats.binom.cdf(k - 1, n, q) == pytest.approx(alpha, rel=1e-6)


def test_edges_and_vectorisation():
    k = np.array([0, 3, 10])
    lower = bounds.clopper_pearson(k, 10, 0.05, side="lower")
    upper = bounds.clopper_pearson(k, 10, 0.05, side="upper")
    assert lower[0] == 0.0 and upper[2] == 1.0
    assert (lower < k / 10 + 1e-12).all() and (upper > k / 10 - 1e-12).all()
    assert isinstance(bounds.clopper_pearson(3, 10, 0.05), float)


@pytest.mark.parametrize("p,n", [(0.5, 20), (0.9, 100), (0.99, 1000), (0.3, 50), (0.999, 10000)])
@pytest.mark.parametrize("side", ["lower", "upper"])
def test_coverage_by_simulation(p, n, side):
    plan = _coverage.plan(0.05)
    k = np.random.default_rng(1).binomial(n, p, size=plan.trials)
    bound = bounds.clopper_pearson(k, n, plan.alpha, side=side)
    plan.check((bound > p) if side == "lower" else (bound < p), f"the {side} Clopper-Pearson bound")


def test_simultaneous_bounds_cover_all_classes_together():
    # The certificate's event: lower bound of one class and upper bounds of all the others hold at once.
    probs = np.array([0.45, 0.25, 0.2, 0.1])
    plan, everything = _coverage.plan(0.1), _coverage.plan(0.2)
    counts = np.random.default_rng(2).multinomial(200, probs, size=max(plan.trials, everything.trials))
    lower, upper = bounds.simultaneous_clopper_pearson(counts, plan.alpha)
    assert lower.shape == counts.shape
    for cls in range(len(probs)):
        others = np.arange(len(probs)) != cls
        miss = (lower[:, cls] > probs[cls]) | (upper[:, others] < probs[others]).any(axis=1)
        plan.check(miss[: plan.trials], f"the bounds certifying class {cls}")
    # All 2c one-sided bounds at once: at level 2 alpha.
    any_miss = ((lower > probs) | (upper < probs)).any(axis=1)
    everything.check(any_miss[: everything.trials], "all the one-sided bounds together")


def test_simultaneous_uses_bonferroni_level():
    lower, upper = bounds.simultaneous_clopper_pearson([80, 15, 5], 0.03)
    assert lower[0] == pytest.approx(bounds.clopper_pearson(80, 100, 0.01, side="lower"))
    assert upper[1] == pytest.approx(bounds.clopper_pearson(15, 100, 0.01, side="upper"))


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(k=5, n=0, alpha=0.05), "n must be >= 1"),
        (dict(k=11, n=10, alpha=0.05), "k must lie in \\[0, n\\]"),
        (dict(k=-1, n=10, alpha=0.05), "k must lie"),
        (dict(k=5, n=10, alpha=0.0), "alpha must lie in the open interval \\(0, 1\\)"),
        (dict(k=5, n=10, alpha=1.5), "alpha must lie"),
        (dict(k=5, n=10, alpha=float("nan")), "alpha must not be NaN"),
        (dict(k=5.5, n=10, alpha=0.05), "k must be an integer"),
        (dict(k=5, n=10, alpha=0.05, side="both"), "side must be"),
    ],
)
def test_bad_input(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        bounds.clopper_pearson(**kwargs)


def test_simultaneous_needs_two_classes():
    with pytest.raises(ValueError, match="counts must have a last axis"):
        bounds.simultaneous_clopper_pearson([10], 0.05)


@pytest.mark.parametrize("radius,sigma,alpha", [(1.0, 0.5, 0.001), (2.0, 0.5, 0.001), (0.3, 1.0, 0.05)])
def test_unanimous_samples_for_radius_is_the_smallest_sufficient_n(radius, sigma, alpha):
    n = bounds.unanimous_samples_for_radius(radius, sigma=sigma, alpha=alpha)
    assert certificates.gaussian_l2(bounds.clopper_pearson(n, n, alpha), sigma=sigma) >= radius
    assert certificates.gaussian_l2(bounds.clopper_pearson(n - 1, n - 1, alpha), sigma=sigma) < radius


def test_unanimous_samples_for_radius_bad_input():
    with pytest.raises(ValueError, match="radius must be a finite number > 0"):
        bounds.unanimous_samples_for_radius(0.0, sigma=0.5, alpha=0.001)
    with pytest.raises(ValueError, match="sigma must be a finite number > 0"):
        bounds.unanimous_samples_for_radius(1.0, sigma=-0.5, alpha=0.001)
    with pytest.raises(ValueError, match="alpha must lie in the open interval"):
        bounds.unanimous_samples_for_radius(1.0, sigma=0.5, alpha=1.5)
    with pytest.raises(ValueError, match="too large"):
        bounds.unanimous_samples_for_radius(100.0, sigma=1.0, alpha=0.001)


def test_issue13_a_lower_bound_is_never_exactly_one_and_huge_n_is_refused():
    for n in (10**9, 10**12, 10**15):
        lower = bounds.clopper_pearson(n, n, 0.001)
        assert lower < 1.0 and np.isfinite(certificates.gaussian_l2(lower, sigma=1.0))
    with pytest.raises(ValueError, match=r"n must be at most 10\*\*15"):
        bounds.clopper_pearson(2 * 10**17, 2 * 10**17, 0.001)
