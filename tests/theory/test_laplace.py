"""The Laplace l1 analysis (rslib.theory.laplace): Theorem 3's worst case, where Teng et al.'s bound beats
Lecuyer et al.'s, the likelihood statistic T, ROPS and the Laplace-Gaussian crossing."""

import numpy as np
import pytest
from scipy import stats

from rslib import certificates
from rslib.theory import laplace as lt


@pytest.mark.parametrize("p_a", [0.55, 0.7, 0.9, 0.99])
def test_worst_case_flips_exactly_at_the_binary_radius_and_sampling_agrees(p_a):
    scale = 0.6
    radius = certificates.laplace_l1(p_a, scale=scale)
    assert lt.worst_case_probability(p_a, scale, 0.0) == pytest.approx(p_a)
    assert lt.worst_case_probability(p_a, scale, radius) == pytest.approx(0.5)
    assert lt.worst_case_probability(p_a, scale, radius * 1.01) < 0.5
    threshold = lt.worst_case_threshold(p_a, scale)
    x = np.random.default_rng(0).laplace(scale=scale, size=400_000)
    assert abs((x + radius * 0.5 <= threshold).mean() - lt.worst_case_probability(p_a, scale, radius * 0.5)) < 0.004


def test_beats_lecuyer_interval_is_where_the_gap_term_wins():
    rng = np.random.default_rng(1)
    p_a = rng.uniform(0.05, 1.0, 3000)
    p_b = rng.uniform(0, 1, 3000) * (1 - p_a)
    keep = p_b < p_a
    p_a, p_b = p_a[keep], p_b[keep]
    gap = -np.log1p(-(p_a - p_b))
    ratio = 0.5 * np.log(p_a / p_b)
    low, high = lt.beats_lecuyer_interval(p_a)
    inside = (p_b >= low) & (p_b <= high)
    clear = np.abs(gap - ratio) > 1e-9
    assert np.array_equal(inside[clear], (gap >= ratio)[clear])


def test_likelihood_statistic_is_bounded_with_atoms_at_both_ends():
    delta = np.array([0.4, -0.3, 0.2])
    t = lt.sample_likelihood_statistic(delta, scale=0.5, n=200_000)
    norm = np.abs(delta).sum()
    assert (t >= -norm - 1e-12).all() and (t <= norm + 1e-12).all()
    # T = ||delta||_1 where every coordinate lies on the far side of 0 from delta_i: probability 1/2^d.
    assert np.isclose(t, norm).mean() == pytest.approx(0.5**3, abs=0.005)


def test_rops_at_zero_matches_the_closed_forms():
    # Appendix D with the variance convention fixed (sigma = sqrt(2) scale, errata): sqrt(2)/log 2 and 1/Phi^-1(3/4).
    assert lt.rops(0.0, "laplace") == pytest.approx(np.sqrt(2) / np.log(2), rel=1e-8)
    assert lt.rops(0.0, "gaussian") == pytest.approx(1 / stats.norm.ppf(0.75), rel=1e-8)
    for x in (0.2, 0.5, 0.8):
        assert lt.rops(x, "laplace") > lt.rops(x, "gaussian")
    with pytest.raises(ValueError, match="x must lie in \\(-1, 1\\)"):
        lt.rops(1.5, "laplace")


def test_beats_lecuyer_roots_are_p_a_and_its_partner():
    p_a = np.linspace(0.5, 0.99, 50)
    low, high = lt.beats_lecuyer_interval(p_a)
    np.testing.assert_allclose(low, (1 - p_a) ** 2 / p_a, atol=1e-12)
    np.testing.assert_allclose(high, p_a, atol=1e-12)


def test_rops_crossings_gaussian_overtakes_near_the_edge_and_at_large_radii():
    (x_cross,) = lt.rops_crossings(np.linspace(0, 0.995, 40))
    assert 0.95 < x_cross < 0.99
    assert lt.rops_gap(x_cross - 0.01) > 0 > lt.rops_gap(x_cross + 0.01)
    assert abs(lt.rops_gap(x_cross)) < 1e-6
    (r_cross,) = lt.rops_crossings(np.linspace(0, 0.6, 25), x=0.3)
    assert lt.rops_gap(0.3, r_cross - 0.02) > 0 > lt.rops_gap(0.3, r_cross + 0.02)


def test_rops_radius_matches_radii_and_vanishes_beyond_the_boundary():
    std = lt.rops(0.3, "laplace", 0.4)
    p_a = lt.interval_probability(0.3, "laplace", std / np.sqrt(2))
    assert certificates.laplace_l1(p_a, scale=std / np.sqrt(2)) == pytest.approx(0.4, rel=1e-6)
    std = lt.rops(0.3, "gaussian", 0.4)
    assert certificates.gaussian_l2(lt.interval_probability(0.3, "gaussian", std), sigma=std) == pytest.approx(
        0.4, rel=1e-6
    )
    # no certificate reaches the distance 1 - |x| = 0.7 to the boundary (p_a rounding to 1 used to fake one)
    assert lt.rops(0.3, "laplace", 0.75) == 0.0 and lt.rops(0.3, "gaussian", 0.75) == 0.0


def test_laplace_gaussian_crossing():
    p = lt.laplace_gaussian_crossing()
    for sigma in (0.25, 1.0):
        assert certificates.laplace_l1(p, scale=sigma / np.sqrt(2)) == pytest.approx(
            certificates.gaussian_l1(p, sigma=sigma), rel=1e-9
        )
        assert certificates.laplace_l1(p - 0.01, scale=sigma / np.sqrt(2)) < certificates.gaussian_l1(
            p - 0.01, sigma=sigma
        )
        assert certificates.laplace_l1(p + 0.01, scale=sigma / np.sqrt(2)) > certificates.gaussian_l1(
            p + 0.01, sigma=sigma
        )
