"""Renyi-divergence radii (Li et al.) and the PixelDP baseline, against brute force and the tight bound."""

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


def test_lemma1_minimizer_attains_the_bound_and_no_other_q_beats_it():
    from rslib.theory import renyi

    rng = np.random.default_rng(9)
    for _ in range(20):
        p = np.sort(rng.dirichlet(np.ones(4)))[::-1]
        alpha = float(rng.uniform(1.1, 20))
        bound = renyi.lemma1_bound(p, order=alpha)
        q_star = renyi.lemma1_minimizer(p, order=alpha)
        assert q_star[0] == pytest.approx(q_star[1]) and q_star.sum() == pytest.approx(1.0)
        assert renyi.renyi_divergence(q_star, p, order=alpha) == pytest.approx(bound, rel=1e-9)
        others = rng.dirichlet(np.ones(4), size=3000)
        flipped = others[np.argmax(others, axis=1) != 0]
        assert min(renyi.renyi_divergence(q, p, order=alpha) for q in flipped[:500]) >= bound - 1e-12


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
