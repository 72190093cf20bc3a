"""The Neyman-Pearson argument behind the Gaussian l2 certificate (rslib.theory.neyman_pearson): the proof's
ingredients checked by simulation and by direct computation."""

import numpy as np
import pytest
from scipy import stats

from rslib import certificates
from rslib.theory import neyman_pearson as np_lemma


def test_likelihood_ratio_equals_the_density_ratio():
    rng = np.random.default_rng(0)
    mu, delta, sigma = rng.normal(size=3), rng.normal(size=3), 0.7
    z = rng.normal(size=(50, 3))
    ratio = stats.multivariate_normal(mu + delta, sigma**2).pdf(z) / stats.multivariate_normal(mu, sigma**2).pdf(z)
    np.testing.assert_allclose(np_lemma.likelihood_ratio(z, mu, delta, sigma), ratio, rtol=1e-10)


@pytest.mark.parametrize("sigma", [1e-200, 1e-100, 1.0, 1e100])
def test_likelihood_ratio_is_one_on_the_boundary_and_jumps_across_it_at_any_sigma(sigma):
    # m = 1 exactly where delta^T (z - mu) = |delta|^2 / 2; at tiny sigma it is 0 on one side and inf on the other
    mu, delta = np.zeros(2), np.array([2.0, 0.0])
    z = np.array([[1.0, 5.0], [1.0 - 1e-3, 0.0], [1.0 + 1e-3, 0.0]])
    ratio = np_lemma.likelihood_ratio(z, mu, delta, sigma)
    assert ratio[0] == 1.0
    assert ratio[1] <= 1.0 <= ratio[2]
    if sigma <= 1.0:
        assert ratio[1] < 1.0 < ratio[2]
    if sigma < 1e-100:
        assert ratio[1] == 0.0 and ratio[2] == np.inf


def test_half_spaces_have_the_stated_probabilities_by_sampling():
    p_a, p_b, sigma, n = 0.8, 0.15, 0.6, 400_000
    in_a, in_b = np_lemma.worst_case_regions(p_a, p_b, sigma, direction=[1.0, 2.0])
    z = np.random.default_rng(1).normal(scale=sigma, size=(n, 2))
    se = 4 * np.sqrt(0.25 / n)
    assert abs(in_a(z).mean() - p_a) < se and abs(in_b(z).mean() - p_b) < se


def test_shifted_probabilities_by_sampling_and_crossing_at_the_radius():
    p_a, p_b, sigma = 0.8, 0.15, 0.6
    direction = np.array([3.0, 4.0]) / 5
    in_a, in_b = np_lemma.worst_case_regions(p_a, p_b, sigma, direction)
    for delta_norm in (0.2, 0.7):
        exact_a, exact_b = np_lemma.shifted_probabilities(p_a, p_b, sigma, delta_norm)
        _, mc_a = np_lemma.monte_carlo_region_probabilities(in_a, np.zeros(2), delta_norm * direction, sigma, 200_000)
        _, mc_b = np_lemma.monte_carlo_region_probabilities(in_b, np.zeros(2), delta_norm * direction, sigma, 200_000)
        assert abs(mc_a - exact_a) < 0.005 and abs(mc_b - exact_b) < 0.005
    radius = certificates.gaussian_l2(p_a, p_b, sigma=sigma)
    at_a, at_b = np_lemma.shifted_probabilities(p_a, p_b, sigma, radius)
    assert at_a == pytest.approx(at_b)
    below = np_lemma.shifted_probabilities(p_a, p_b, sigma, radius * 0.99)
    above = np_lemma.shifted_probabilities(p_a, p_b, sigma, radius * 1.01)
    assert below[0] > below[1] and above[0] < above[1]


@pytest.mark.parametrize("name", list(np_lemma.EXAMPLE_REGIONS))
def test_lemma_holds_on_example_regions(name):
    check = np_lemma.lemma_check(np_lemma.EXAMPLE_REGIONS[name], np.zeros(2), np.array([0.6, 0.2]), 0.8, n=100_000)
    assert check["P(Y in D)"] >= check["P(Y in S)"] - 4 * check["standard error"]


def test_worst_case_check_agrees_with_the_exact_probabilities_and_flips_at_the_radius():
    inside, outside = np_lemma.worst_case_check(0.8, 0.1, 1.0, [np.cos(0.5), np.sin(0.5)], n=200_000)
    assert inside["delta_norm"] == pytest.approx(0.9 * certificates.gaussian_l2(0.8, 0.1, sigma=1.0))
    for row in (inside, outside):
        assert abs(row["P(f(Y) = c_A)"] - row["exact c_A"]) < 0.005
        assert abs(row["P(f(Y) = c_B)"] - row["exact c_B"]) < 0.005
    assert inside["exact c_A"] > inside["exact c_B"] and outside["exact c_A"] < outside["exact c_B"]


def test_bad_arguments():
    with pytest.raises(ValueError, match="sigma"):
        np_lemma.likelihood_ratio(np.zeros((1, 2)), np.zeros(2), np.ones(2), 0.0)
    with pytest.raises(ValueError, match="delta_norm must be >= 0"):
        np_lemma.shifted_probabilities(0.8, 0.1, 1.0, -1.0)
    with pytest.raises(ValueError, match="direction must be a non-zero vector"):
        np_lemma.worst_case_regions(0.8, 0.1, 1.0, [0.0, 0.0])
