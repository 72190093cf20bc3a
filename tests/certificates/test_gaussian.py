"""The Gaussian certificates (rslib.certificates._gaussian): Cohen et al.'s l2 radius against quadrature and
root finding, its margin form, the soft-score margin radius, and their edges."""

import numpy as np
import pytest
from scipy import integrate, optimize, stats
from scipy.stats import norm

from rslib import certificates
from rslib.certificates import NOT_CERTIFIED


def _worst_case_gaussian_radius(p_a, p_b, sigma):
    """The ||delta|| at which the worst-case half-spaces A and B become equally likely under N(delta, sigma^2).

    A = {z_1 <= sigma Phi^-1(p_a)} and B = {z_1 >= sigma Phi^-1(1 - p_b)} have probabilities p_a, p_b
    under N(0, sigma^2); their probabilities after a shift t along e_1 are integrated numerically.
    """
    a_edge = sigma * stats.norm.ppf(p_a)
    b_edge = sigma * stats.norm.ppf(1 - p_b)

    def density(z, t):
        return np.exp(-((z - t) ** 2) / (2 * sigma**2)) / (sigma * np.sqrt(2 * np.pi))

    def gap(t):
        prob_a = integrate.quad(density, -np.inf, a_edge, args=(t,))[0]
        prob_b = integrate.quad(density, b_edge, np.inf, args=(t,))[0]
        return prob_a - prob_b

    return optimize.brentq(gap, 0.0, 50 * sigma, xtol=1e-12)


@pytest.mark.parametrize(
    "p_a,p_b,sigma", [(0.9, 0.05, 0.25), (0.7, 0.2, 1.0), (0.6, 0.4, 0.5), (0.99, 0.001, 0.12), (0.55, 0.45, 2.0)]
)
def test_gaussian_l2_matches_worst_case_by_quadrature(p_a, p_b, sigma):
    expected = _worst_case_gaussian_radius(p_a, p_b, sigma)
    assert certificates.gaussian_l2(p_a, p_b, sigma=sigma) == pytest.approx(expected, rel=1e-7, abs=1e-9)


def test_gaussian_l2_binary_is_distance_to_a_linear_boundary():
    # f(z) = [w.z + b > 0] smoothed by N(0, sigma^2 I) has P(f = 1 at x) = Phi(dist / sigma),
    # and the distance from x to the boundary is exactly the radius (Cohen et al. show tightness).
    rng = np.random.default_rng(0)
    dist = rng.uniform(0.01, 2.0, size=200)
    sigma = 0.5
    p_a = stats.norm.cdf(dist / sigma)
    np.testing.assert_allclose(certificates.gaussian_l2(p_a, sigma=sigma), dist, rtol=1e-9)


def test_gaussian_l2_is_not_certified_below_one_half_and_vectorised():
    r = certificates.gaussian_l2(np.array([0.2, 0.5, 0.51]), sigma=1.0)
    assert r.shape == (3,)
    assert r[0] == NOT_CERTIFIED and r[1] == NOT_CERTIFIED and r[2] > 0
    assert certificates.gaussian_l2(0.4, 0.4, sigma=1.0) == NOT_CERTIFIED
    assert certificates.gaussian_l2(0.3, 0.45, sigma=1.0) == NOT_CERTIFIED


def test_gaussian_l2_extremes():
    assert certificates.gaussian_l2(1.0, sigma=1.0) == np.inf
    assert np.isfinite(certificates.gaussian_l2(1 - 1e-15, sigma=1.0))


def test_margin_radius_is_the_worst_case_over_consistent_bounds():
    rng = np.random.default_rng(0)
    p_a = rng.uniform(0.0, 1.0, 20_000)
    p_b = rng.uniform(0.0, 1.0 - p_a)
    margin = (p_a - p_b) * rng.uniform(0.0, 1.0, p_a.size)  # any lower bound on the margin
    ok = p_a > p_b
    assert (
        certificates.gaussian_l2_margin(margin[ok], sigma=0.7)
        <= certificates.gaussian_l2(p_a[ok], p_b[ok], sigma=0.7) + 1e-12
    ).all()
    m = np.array([0.1, 0.5, 0.9])
    np.testing.assert_allclose(
        certificates.gaussian_l2_margin(m, sigma=0.7), certificates.gaussian_l2((1 + m) / 2, (1 - m) / 2, sigma=0.7)
    )
    np.testing.assert_allclose(certificates.gaussian_l2_margin(m, sigma=0.7), 0.7 * norm.ppf((1 + m) / 2))
    assert certificates.gaussian_l2_margin(0.0, sigma=1.0) == NOT_CERTIFIED
    assert certificates.gaussian_l2_margin(-0.3, sigma=1.0) == NOT_CERTIFIED
    assert certificates.gaussian_l2_margin(1.0, sigma=1.0) == np.inf
    with pytest.raises(ValueError, match="margin must lie in"):
        certificates.gaussian_l2_margin(1.5, sigma=1.0)
    with pytest.raises(ValueError, match="sigma"):
        certificates.gaussian_l2_margin(0.5, sigma=0.0)


def test_soft_margin_l2_is_the_margin_times_sigma_sqrt_pi_over_8():
    assert certificates.soft_margin_l2(0.5, sigma=1.0) == pytest.approx(0.5 * np.sqrt(np.pi / 8))
    with pytest.raises(ValueError, match="margin must lie in \\[-1, 1\\]"):
        certificates.soft_margin_l2(1.5, sigma=1.0)
