"""The exact lower bound on the margin p_1 - p_2 from trinomial counts (rslib.bounds._margin): against
enumeration of the trinomial, its coverage, its cost, and bad input."""

import functools
import itertools
import math

import _coverage
import numpy as np
import pytest

from rslib import bounds


def _brute_force_p_value(k, n, level):
    """sup over a fine grid of q2 of P(X1 - X2 >= k), q1 = q2 + level, by enumerating the trinomial."""
    best = 0.0
    for q2 in np.linspace(max(0, -level), (1 - level) / 2, 101):
        q1 = q2 + level
        q3 = max(1 - q1 - q2, 0.0)
        total = 0.0
        for x1, x2 in itertools.product(range(n + 1), repeat=2):
            if x1 + x2 <= n and x1 - x2 >= k:
                total += math.comb(n, x1) * math.comb(n - x1, x2) * q1**x1 * q2**x2 * q3 ** (n - x1 - x2)
        best = max(best, total)
    return best


@pytest.mark.parametrize("c1,c2,n", [(7, 1, 10), (5, 3, 10), (12, 2, 15)])
def test_margin_bound_against_enumeration(c1, c2, n):
    alpha = 0.1
    bound = bounds.margin_lower(c1, c2, n, alpha)
    assert _brute_force_p_value(c1 - c2, n, bound - 1e-3) <= alpha + 1e-6  # just below: rejected
    assert _brute_force_p_value(c1 - c2, n, bound + 2e-3) > alpha  # just above: not rejected


def test_margin_bound_covers():
    """margin_lower takes about a second a call; the trials repeat few count pairs at n = 10, so the bound of each
    pair is computed once (the same function of the same arguments: only the repeated calls are saved)."""
    plan, n, p = _coverage.plan(0.2), 10, np.array([0.6, 0.25, 0.15])
    counts = np.random.default_rng(5).multinomial(n, p, size=plan.trials)
    bound = functools.cache(lambda c1, c2: bounds.margin_lower(c1, c2, n, plan.alpha))
    plan.check([bound(int(c[0]), int(c[1])) > p[0] - p[1] for c in counts], "margin_lower")


def test_margin_bound_beats_bonferroni_clopper_pearson():
    exact = bounds.margin_lower(900, 50, 1000, 0.001)
    bonferroni = bounds.clopper_pearson(900, 1000, 0.0005) - bounds.clopper_pearson(50, 1000, 0.0005, "upper")
    assert exact > bonferroni


def test_margin_lower_cost_counts_the_tail_sums():
    cost = bounds.margin_lower_cost(90, 5, 100, 0.001)
    assert cost.exact == bounds.margin_lower(90, 5, 100, 0.001)
    assert cost.pair == pytest.approx(
        bounds.clopper_pearson(90, 100, 0.0005) - bounds.clopper_pearson(5, 100, 0.0005, side="upper")
    )
    assert cost.tail_sums > 100 and cost.seconds > 0


def test_bad_input():
    with pytest.raises(ValueError, match="counts must be"):
        bounds.margin_lower(8, 5, 10, 0.1)


def test_issue13_margin_lower_tolerance_must_be_a_finite_number_in_its_range():
    for tolerance in (-1, 0, float("nan"), 0.5):
        with pytest.raises(ValueError, match="tolerance must"):
            bounds.margin_lower(8, 1, 10, 0.05, tolerance=tolerance)
    assert -1 < bounds.margin_lower(8, 1, 10, 0.05, tolerance=1e-12) < 0.7
