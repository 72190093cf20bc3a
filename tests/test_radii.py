"""Certified radii against independent computations (quadrature and root finding), and bad input."""

import numpy as np
import pytest
from scipy import integrate, optimize, stats

from rslib import certificates
from rslib.certificates import NOT_CERTIFIED, REGISTRY


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


def test_laplace_l1_binary_against_worst_case_integral():
    # Theorem 3's 1-D worst case: A = {z >= t} with P(A) = p_a under Laplace(0, scale); the radius is the
    # shift after which P(A) falls to 1/2 under Laplace(delta, scale).
    scale = 0.7
    for p_a in (0.6, 0.8, 0.95, 0.999):
        t = stats.laplace.ppf(1 - p_a, scale=scale)
        shift = optimize.brentq(lambda d: stats.laplace.sf(t, loc=-d, scale=scale) - 0.5, 0, 100)
        assert certificates.laplace_l1(p_a, scale=scale) == pytest.approx(shift, rel=1e-9)


def test_laplace_l1_multiclass_takes_the_larger_term():
    p_a, p_b, scale = 0.5, 0.1, 1.0
    expected = max(scale / 2 * np.log(p_a / p_b), -scale * np.log(1 - p_a + p_b))
    assert certificates.laplace_l1(p_a, p_b, scale=scale) == pytest.approx(expected)
    assert certificates.laplace_l1(0.3, 0.3, scale=1.0) == NOT_CERTIFIED


@pytest.mark.parametrize(
    "func,kwargs", [(certificates.gaussian_l2, {"sigma": 1.0}), (certificates.laplace_l1, {"scale": 1.0})]
)
@pytest.mark.parametrize(
    "p_a,message",
    [
        (1.2, "p_a must lie in \\[0, 1\\]"),
        (-0.1, "p_a must lie"),
        (float("nan"), "p_a must not be NaN"),
        ("high", "p_a must be a number"),
    ],
)
def test_bad_probabilities_are_rejected(func, kwargs, p_a, message):
    with pytest.raises((ValueError, TypeError), match=message):
        func(p_a, **kwargs)


@pytest.mark.parametrize("sigma", [0.0, -1.0, float("nan"), float("inf"), [0.5, 1.0]])
def test_bad_noise_levels_are_rejected(sigma):
    with pytest.raises(ValueError, match="sigma"):
        certificates.gaussian_l2(0.9, sigma=sigma)
    with pytest.raises(ValueError, match="scale"):
        certificates.laplace_l1(0.9, scale=sigma)


def test_inconsistent_bounds_are_rejected():
    with pytest.raises(ValueError, match="p_a \\+ p_b must be at most 1"):
        certificates.gaussian_l2(0.8, 0.5, sigma=1.0)
    with pytest.raises(ValueError, match="p_b must lie"):
        certificates.laplace_l1(0.8, 1.5, scale=1.0)


def test_issue13_inputs_numpy_would_coerce_are_type_errors_naming_the_parameter():
    for value in (True, "0.9", None, [0.9, True], np.array([True])):
        with pytest.raises(TypeError, match="p_a must be a number or an array of numbers"):
            certificates.gaussian_l2(value, sigma=1.0)
    with pytest.raises(TypeError, match="scale must be a number"):
        certificates.laplace_l1(0.9, scale="1")


def test_issue13_topk_and_ablation_refuse_bounds_that_cannot_both_hold_like_gaussian_l2():
    for call in (
        lambda: certificates.gaussian_topk_l2(0.9, [[0.5]], sigma=1.0),
        lambda: certificates.ablation_l0(0.9, [[0.5]], d=784, keep=50),
        lambda: certificates.levine_feizi_l0(0.9, 0.5, d=784, keep=50),
    ):
        with pytest.raises(ValueError, match=r"must be at most 1 \(p_a bounds the top class from below"):
            call()


def test_issue13_huge_noise_levels_are_refused_not_turned_into_inf():
    for call in (
        lambda: certificates.gaussian_l2(0.9, sigma=1e308),
        lambda: certificates.laplace_l1(0.9, scale=1e308),
        lambda: certificates.renyi_l2(0.9, 0.05, sigma=1e308),
        lambda: certificates.gaussian_topk_l2(0.9, [[0.05]], sigma=1e308),
    ):
        with pytest.raises(ValueError, match="must be at most 1e100"):
            call()
    assert np.isfinite(certificates.gaussian_l2(1 - 2**-53, 1e-300, sigma=1e100))


def test_issue13_pixeldp_grid_and_l2_to_l0_arguments_are_named():
    with pytest.raises(ValueError, match="grid must be an integer >= 2, got 0"):
        certificates.pixeldp_l2(0.9, 0.05, sigma=1.0, grid=0)
    with pytest.raises(ValueError, match="channels must be an integer >= 1, got 0"):
        certificates.l2_to_l0(1.0, channels=0)
    assert certificates.l2_to_l0(1e200) == np.iinfo(np.int64).max  # capped: a smaller count is still sound
    assert certificates.l2_to_l0(0.0) == -1 and certificates.l2_to_l0(2.0, channels=3) == 1
    assert list(certificates.l2_to_l0([0.0, 1.0, 1.5, 2.0])) == [-1, 0, 2, 3]


def test_issue13_every_certificate_abstains_at_a_tie():
    for p in (0.5, 0.3, 0.1):
        for name, info in REGISTRY.items():
            levels = {"sigma": 1.0, "scale": 1.0, "d": 784, "keep": 50}
            if name != "ablation_l0":  # rounding to the ablation grid is checked below
                assert info.radius(p, p, **{k: levels[k] for k in info.family.levels}) == NOT_CERTIFIED, name
        # (with Eq. 4's rounding a tie of unrounded bounds can certify r = 0 soundly: the probabilities are
        # multiples of 1 / C(d, keep), so ceil and floor may part them; at a tie of rounded bounds it abstains)
        assert certificates.ablation_l0(p, p, d=784, keep=50, rounding=False) == NOT_CERTIFIED
        assert certificates.ablation_l0(0.5, 0.5, d=10, keep=1) == NOT_CERTIFIED
    assert (
        certificates.gaussian_l2(0.5, sigma=1.0) == NOT_CERTIFIED
        and certificates.laplace_l1(0.5, scale=1.0) == NOT_CERTIFIED
    )
    assert certificates.l2_to_l0(0.0) == NOT_CERTIFIED and certificates.l2_to_l0(NOT_CERTIFIED) == NOT_CERTIFIED
