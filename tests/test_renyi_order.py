"""Li et al.'s Theorem 2 supremum: accuracy near ties, the optimal order, and the monotonicity in (p_(1), p_(2))
that lets a certificate plug in a lower bound for the top class and an upper bound for the runner-up."""

import mpmath
import numpy as np
import pytest

from rslib import certificates


def _objective(a, b, alpha):
    """-(1/alpha) log(1 - a - b + 2 M_{1-alpha}(a, b)) in 60-digit arithmetic."""
    a, b, alpha = mpmath.mpf(a), mpmath.mpf(b), mpmath.mpf(alpha)
    mean = ((a ** (1 - alpha) + b ** (1 - alpha)) / 2) ** (1 / (1 - alpha))
    return -mpmath.log(1 - a - b + 2 * mean) / alpha


@pytest.mark.parametrize("p_a,p_b", [(0.301, 0.3), (0.5005, 0.4995), (0.35, 0.3), (0.9, 0.05)])
def test_optimal_order_matches_a_high_precision_search_even_near_ties(p_a, p_b):
    mpmath.mp.dps = 60
    low, high = mpmath.mpf(1) + mpmath.mpf(10) ** -6, mpmath.mpf(3)  # golden section: the objective is unimodal
    for _ in range(80):
        left, right = high - (high - low) * 0.618, low + (high - low) * 0.618
        low, high = (left, high) if _objective(p_a, p_b, left) < _objective(p_a, p_b, right) else (low, right)
    best = (low + high) / 2
    assert certificates.renyi_optimal_order(p_a, p_b) == pytest.approx(float(best), rel=1e-4)
    assert certificates.renyi_l2(p_a, p_b, sigma=1.0) ** 2 / 2 == pytest.approx(
        float(_objective(p_a, p_b, best)), rel=1e-9
    )


def test_where_the_bound_decreases_in_alpha_the_supremum_is_the_alpha_to_1_limit():
    for p_a, p_b in [(0.6, 0.01), (0.5, 0.001), (0.101, 0.1)]:
        assert _objective(p_a, p_b, 1.001) > _objective(p_a, p_b, 1.1) > _objective(p_a, p_b, 2)
        assert certificates.renyi_optimal_order(p_a, p_b) == 1.0
        limit = np.sqrt(-2 * 0.7**2 * np.log(1 - (np.sqrt(p_a) - np.sqrt(p_b)) ** 2))
        assert certificates.renyi_l2(p_a, p_b, sigma=0.7) == pytest.approx(limit, rel=1e-12)


def test_optimal_order_rises_with_p_a_for_fixed_p_b_and_stays_below_1_5():
    for p_b in (0.001, 0.01, 0.1, 0.3):
        alpha = certificates.renyi_optimal_order(np.linspace(p_b + 1e-3, 1 - p_b, 400), p_b)
        assert (np.diff(alpha) >= -1e-6).all() and (alpha >= 1).all() and (alpha < 1.5).all()


def test_normaliser_derivatives_and_the_monotonicity_they_give():
    """Z = 1 - p1 - p2 + 2M: dZ/dp1 = (M/p1)^alpha - 1 <= 0, dZ/dp2 = (M/p2)^alpha - 1 >= 0."""
    mpmath.mp.dps = 40
    for p1, p2, alpha in [(0.7, 0.2, 1.5), (0.4, 0.35, 3.0), (0.9, 0.01, 20.0)]:

        def z(a, b):
            return 1 - a - b + 2 * ((a ** (1 - alpha) + b ** (1 - alpha)) / 2) ** (1 / (1 - alpha))

        mean = ((mpmath.mpf(p1) ** (1 - alpha) + mpmath.mpf(p2) ** (1 - alpha)) / 2) ** (1 / (1 - alpha))
        d1 = mpmath.diff(lambda a: z(a, mpmath.mpf(p2)), mpmath.mpf(p1))
        d2 = mpmath.diff(lambda b: z(mpmath.mpf(p1), b), mpmath.mpf(p2))
        assert float(d1) == pytest.approx(float((mean / p1) ** alpha - 1), rel=1e-12) and d1 <= 0
        assert float(d2) == pytest.approx(float((mean / p2) ** alpha - 1), rel=1e-12) and d2 >= 0
    rng = np.random.default_rng(11)
    p_a = rng.uniform(0.3, 1.0, 300)
    p_b = rng.uniform(0, 1, 300) * np.minimum(p_a, 1 - p_a)
    r = certificates.renyi_l2(p_a, p_b, sigma=1.0)
    assert (certificates.renyi_l2(p_a * 0.97, p_b, sigma=1.0) <= r + 1e-12).all()
    assert (certificates.renyi_l2(p_a, np.minimum(p_b * 1.03, 1 - p_a), sigma=1.0) <= r + 1e-12).all()


def test_paired_radii_turn_the_same_bounds_into_both_certificates():
    from rslib import figures

    p_a, p_b = np.array([0.9, 0.6, 0.7]), np.array([0.05, 0.3, 0.3 + 1e-12])  # the last pair sums past 1 by rounding
    fns = figures.paired_radii(0.5)
    assert list(fns) == ["Rényi", "Cohen"]
    np.testing.assert_allclose(fns["Rényi"](p_a[:2], p_b[:2]), certificates.renyi_l2(p_a[:2], p_b[:2], sigma=0.5))
    np.testing.assert_allclose(
        fns["Cohen"](p_a, p_b), certificates.gaussian_l2(p_a, np.minimum(p_b, 1 - p_a), sigma=0.5)
    )
    assert (fns["Rényi"](p_a, p_b) <= fns["Cohen"](p_a, p_b) + 1e-12).all()
