"""Radius estimation to a tolerance (rslib.smoothing._adaptive): the pilot + fresh Clopper-Pearson design of
certify_adaptive is sound whatever size the pilot picks (simulated, trials from tests/_coverage.py), stops within
its tolerance, abstains cheaply, and refuses bad input."""

import _coverage
import numpy as np
import pytest
import torch
from scipy.stats import norm

from rslib import smoothing
from rslib.smoothing import ABSTAIN, Smoothed, adaptive_certificate, adaptive_sample_size, certify_adaptive


def counts_source(p, rng):
    """Votes per class of m draws of a classifier whose smoothed probability of class 1 is p."""

    def count(m):
        hits = rng.binomial(m, p)
        return np.array([m - hits, hits])

    return count


@pytest.mark.parametrize("p", [0.8, 0.9995])
def test_the_certified_bound_holds_whatever_size_the_pilot_picks(p):
    plan = _coverage.plan(0.05)
    alpha = plan.alpha
    rng = np.random.default_rng(int(p * 1e4))
    noise = smoothing.Gaussian(0.5)
    wrong = 0
    for _ in range(plan.trials):
        run = adaptive_certificate(counts_source(p, rng), noise=noise, alpha=alpha, n_pilot=200, n_max=20_000)
        wrong += run.certificate.label == 1 and run.certificate.p_a > p
    plan.check(wrong, f"certify_adaptive's bound at p = {p}")


def test_stops_within_the_tolerance_and_more_tolerance_means_fewer_votes():
    sizes = [adaptive_sample_size(990, 1000, sigma=0.5, alpha=0.001, tol=t)[0] for t in (0.0, 0.005, 0.01, 0.05)]
    assert sizes[0] == 100_000 and sizes == sorted(sizes, reverse=True) and sizes[-1] < 20_000
    n, gain = adaptive_sample_size(990, 1000, sigma=0.5, alpha=0.001, tol=0.01)
    assert n % 1000 == 0 and 0 <= gain < 0.01


def test_abstains_after_the_pilot_when_no_radius_above_tol_is_predicted():
    rng = np.random.default_rng(0)
    three = lambda m: rng.multinomial(m, [0.4, 0.3, 0.3])  # c_A has p_A = 0.4 < 1/2: nothing to certify
    run = adaptive_certificate(three, noise=smoothing.Gaussian(0.5))
    assert run.certificate.label == ABSTAIN and run.n_final == 0 and run.passes == 1000


def test_certifies_a_half_space_below_its_exact_radius():
    class Sign(torch.nn.Module):
        def forward(self, z):
            s = z.flatten(1)[:, 0]
            return torch.stack([-s, s], dim=1)

    smoothed = Smoothed(Sign(), smoothing.Gaussian(0.5), 2, device="cpu")
    x = torch.tensor([0.35, 0.0])  # p_A = Phi(0.7): the exact radius is 0.35
    run = certify_adaptive(smoothed, x, seed=3, n_max=20_000)
    assert run.certificate.label == 1 and 0.25 < run.certificate.radius < 0.35
    assert run.passes == 1000 + run.n_final and run == certify_adaptive(smoothed, x, seed=3, n_max=20_000)
    assert norm.cdf(0.7) > run.certificate.p_a


def test_bad_input():
    with pytest.raises(ValueError, match="tol must be a finite number >= 0"):
        adaptive_sample_size(900, 1000, sigma=0.5, alpha=0.001, tol=-0.1)
    with pytest.raises(ValueError, match=r"count must be an integer in \[0, 1000\]"):
        adaptive_sample_size(1001, 1000, sigma=0.5, alpha=0.001, tol=0.01)
    with pytest.raises(ValueError, match="step must be at most n_max"):
        adaptive_sample_size(900, 1000, sigma=0.5, alpha=0.001, tol=0.01, n_max=500)
    laplace = Smoothed(torch.nn.Identity(), smoothing.Laplace(0.5), 2, device="cpu")
    with pytest.raises(TypeError, match="adaptive certification needs Gaussian noise"):
        certify_adaptive(laplace, torch.zeros(2))
