"""Renyi-divergence radii (rslib.certificates._renyi; Li et al. 2019) and the PixelDP baseline, against brute
force, high-precision search and the tight Gaussian bound: the supremum over the order, the optimal order
near ties, and the monotonicity in (p_(1), p_(2)) that lets a certificate plug in confidence bounds."""

import mpmath
import numpy as np
import pytest
from scipy import stats

from rslib import certificates
from rslib.theory.exact import exact_slab_radius, slab_probabilities

rng = np.random.default_rng(7)
P_A = rng.uniform(0.2, 1.0, 400)
P_B = rng.uniform(0, 1, 400) * np.minimum(P_A, 1 - P_A)


def _brute_force_renyi(p_a, p_b, sigma):
    """The supremum over a dense grid of alpha, evaluated in 60-digit arithmetic (the direct formula
    loses every digit in double precision when alpha is close to 1)."""
    mpmath.mp.dps = 60
    a, b = mpmath.mpf(p_a), mpmath.mpf(p_b)
    best = mpmath.mpf(0)
    for beta in np.geomspace(1e-8, 1e4, 3000):
        alpha = 1 + mpmath.mpf(beta)
        mean = ((a ** (1 - alpha) + b ** (1 - alpha)) / 2) ** (1 / (1 - alpha))
        best = max(best, -2 * sigma**2 / alpha * mpmath.log(1 - a - b + 2 * mean))
    return float(mpmath.sqrt(best))


@pytest.mark.parametrize("p_a,p_b", [(0.9, 0.05), (0.6, 0.3), (0.99, 0.005), (0.45, 0.35), (0.7, 0.01), (0.51, 0.49)])
def test_supremum_matches_a_brute_force_grid(p_a, p_b):
    brute = _brute_force_renyi(p_a, p_b, 0.5)
    assert certificates.renyi_l2(p_a, p_b, sigma=0.5) == pytest.approx(brute, rel=1e-5)


def test_renyi_never_exceeds_the_tight_gaussian_bound_and_pixeldp_never_exceeds_renyi():
    renyi = certificates.renyi_l2(P_A, P_B, sigma=0.7)
    assert (renyi <= certificates.gaussian_l2(P_A, P_B, sigma=0.7) + 1e-12).all()
    assert (certificates.pixeldp_l2(P_A, P_B, sigma=0.7) <= renyi + 1e-12).all()
    assert (renyi[P_A > P_B] > 0).all()


def test_renyi_l2_is_sound_on_slab_classifiers():
    sigma = 0.5
    cdf = stats.norm(scale=sigma).cdf
    for position, t1, t2 in zip(rng.uniform(-2, 2, 300), *np.sort(rng.uniform(-1.5, 1.5, (2, 300)), axis=0)):
        p = np.sort(slab_probabilities(cdf, position, t1, t2))[::-1]
        if p[0] > 1 - 1e-12:
            continue
        truth, _ = exact_slab_radius(cdf, position, t1, t2)
        assert certificates.renyi_l2(p[0], p[1], sigma=sigma) <= truth * (1 + 1e-6)


def test_edge_values_do_not_produce_nan():
    for p_a, p_b in [(1.0, 0.0), (0.5, 0.0), (1e-9, 0.0), (0.5, 0.5), (1.0 - 1e-15, 1e-16)]:
        r = certificates.renyi_l2(p_a, p_b, sigma=1.0)
        assert not np.isnan(r) and (r > 0 or r == certificates.NOT_CERTIFIED)
    assert certificates.renyi_l2(1.0, 0.0, sigma=1.0) == np.inf


@pytest.mark.parametrize("sigma", [1e-200, 1e-160, 1e-100, 1e100])
def test_radius_scales_with_sigma_over_the_whole_allowed_range(sigma):
    # computed as sigma * sqrt(2 value): sigma^2 would underflow below 1e-154 and turn p_A = 1 into an abstention
    assert certificates.renyi_l2(1.0, 0.0, sigma=sigma) == np.inf
    scaled = certificates.renyi_l2(P_A, P_B, sigma=sigma) / sigma
    unit = certificates.renyi_l2(P_A, P_B, sigma=1.0)
    assert np.all((scaled > 0) == (unit > 0))
    np.testing.assert_allclose(scaled[unit > 0], unit[unit > 0], rtol=1e-13)


def test_renyi_l1_is_theorem_1s_second_term():
    r = certificates.renyi_l1(P_A, P_B, scale=0.3)
    expected = np.where(P_A > P_B, -0.3 * np.log(1 - P_A + P_B), certificates.NOT_CERTIFIED)
    np.testing.assert_allclose(r, expected)
    assert (certificates.laplace_l1(P_A, P_B, scale=0.3) >= r - 1e-12).all()


def test_pixeldp_condition_holds_at_its_optimum():
    p_a, p_b, sigma = 0.8, 0.1, 1.0
    radius = certificates.pixeldp_l2(p_a, p_b, sigma=sigma)
    delta = np.geomspace(1e-12, 1 / (1 + np.e), 400)
    eps = radius * np.sqrt(2 * np.log(1.25 / delta)) / sigma  # the epsilon each delta would need
    feasible = (eps <= 1.0 + 1e-9) & (p_a >= np.exp(2 * eps) * p_b + (1 + np.exp(eps)) * delta - 1e-9)
    assert feasible.any()


def test_issue13_pixeldp_grid_is_named():
    with pytest.raises(ValueError, match="grid must be an integer >= 2, got 0"):
        certificates.pixeldp_l2(0.9, 0.05, sigma=1.0, grid=0)


def test_bad_input():
    assert certificates.renyi_l2(0.9, None, sigma=1.0) == certificates.renyi_l2(0.9, 0.1, sigma=1.0)  # binary: 1 - p_a
    with pytest.raises(TypeError, match="positional"):
        certificates.renyi_l2(0.8, 0.15, 0.1)  # sigma in a positional slot is refused, never read as another p_b
    with pytest.raises(ValueError, match="sigma"):
        certificates.renyi_l2(0.9, 0.05, sigma=0.0)
    with pytest.raises(ValueError, match="p_a \\+ p_b"):
        certificates.renyi_l2(0.9, 0.5, sigma=1.0)
    with pytest.raises(ValueError, match="scale"):
        certificates.renyi_l1(0.9, 0.05, scale=-2)


def test_optimal_order_attains_the_supremum():
    alpha = certificates.renyi_optimal_order(0.8, 0.1)
    from rslib.theory import renyi

    p = np.array([0.8, 0.1, 0.1])
    objective = lambda a: 2 * renyi.lemma1_bound(p, order=a) / a  # R^2 / sigma^2 at order a
    assert objective(alpha) == pytest.approx(certificates.renyi_l2(0.8, 0.1, sigma=1.0) ** 2, rel=1e-6)
    assert all(objective(a) <= objective(alpha) + 1e-9 for a in np.geomspace(1.001, 100, 300))


def test_renyi_is_finite_and_below_gaussian_when_p_a_rounds_the_gap_to_one():
    """Issue 13: 1 - p_a - p_b + 2 M rounded to 0 for every p_a >= 1 - 16 * 2**-53 with p_b > 0, giving inf."""
    p_a = 1.0 - np.arange(0, 17) * 2.0**-53
    for p_b in (1e-17, 1e-30, 5e-324, 1e-300, 2.0**-53):
        renyi = certificates.renyi_l2(p_a, p_b, sigma=1.0)
        assert np.isfinite(renyi).all(), (p_b, renyi)
        assert (renyi <= certificates.gaussian_l2(p_a, p_b, sigma=1.0)).all(), p_b
        assert (renyi > 0).all()
    assert certificates.renyi_l2(1 - 2**-53, 1e-17, sigma=1.0) <= certificates.gaussian_l2(1 - 2**-53, 1e-17, sigma=1.0)


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
