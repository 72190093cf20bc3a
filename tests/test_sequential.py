"""Sequential certification at a radius, against a half-space classifier whose truth is known."""

import numpy as np
import pytest
import torch

from rslib import smoothing
from rslib.smoothing import ABSTAIN, Smoothed, certify_at_radius
from rslib.theory import taylor


class FirstCoordinate(torch.nn.Module):
    def forward(self, z):
        s = z.flatten(1)[:, 0]
        return torch.stack([torch.zeros_like(s), s], dim=1)


def test_decisions_are_right_and_cheap_away_from_the_boundary():
    smoothed = Smoothed(FirstCoordinate(), smoothing.Gaussian(0.5), 2, device="cpu")
    for distance, radius in [(1.5, 0.25), (1.5, 0.5), (0.05, 0.5), (0.6, 0.25)]:
        x = torch.zeros(4)
        x[0] = distance
        decision = certify_at_radius(smoothed, x, radius, alpha=0.001, seed=1)
        assert decision.certified == (distance > radius)
        assert decision.label == (1 if decision.certified else ABSTAIN)
        assert decision.samples <= 2_000 and decision.decided_early


def test_never_certifies_beyond_the_true_radius():
    # g is certified at r exactly when the distance to the boundary exceeds r; false certificates must be rare.
    smoothed = Smoothed(FirstCoordinate(), smoothing.Gaussian(0.5), 2, device="cpu")
    wrong = 0
    for i, distance in enumerate(np.linspace(0.3, 0.5, 30)):
        x = torch.zeros(4)
        x[0] = distance
        wrong += certify_at_radius(smoothed, x, 0.5, n_max=20_000, alpha=0.01, seed=i).certified
    # Each decision is wrong with probability <= alpha = 0.01; 3 or more of 30: probability < 0.004.
    assert wrong <= 2


def test_bad_input():
    smoothed = Smoothed(FirstCoordinate(), smoothing.Laplace(0.5), 2, device="cpu")
    with pytest.raises(TypeError, match="needs Gaussian noise"):
        certify_at_radius(smoothed, torch.zeros(4), 0.5)
    gaussian = Smoothed(FirstCoordinate(), smoothing.Gaussian(0.5), 2, device="cpu")
    with pytest.raises(ValueError, match="radius must be a finite number >= 0"):
        certify_at_radius(gaussian, torch.zeros(4), -1.0)


def test_taylor_estimator_counterexample_of_the_errata():
    exact = taylor.counterexample(1)["true margin"]
    assert exact == pytest.approx(1.349, abs=1e-3)
    assert taylor.counterexample(3)["E[Z_M]"] == pytest.approx(1.581, abs=1e-3)
    assert taylor.counterexample(5)["E[Z_M]"] == pytest.approx(1.762, abs=1e-3)
    assert taylor.counterexample(3)["E[Z_M]"] > exact  # the "lower bound" overshoots: unsound
    with pytest.raises(ValueError, match="order must be one of"):
        taylor.inverse_normal_taylor(0.7, 4)


def test_soft_certificates_stay_below_the_exact_radius():
    # Logits (0, 4 s) along the first coordinate: the smoothed soft score of class 1 is E[sigmoid(4 (x0 + eps))],
    # which is 1/2 exactly at x0 = 0 by symmetry, so the exact radius at x is |x0|.
    from rslib import certificates, smoothing

    class SoftFirst(torch.nn.Module):
        def forward(self, z):
            s = z.flatten(1)[:, 0] * 4
            return torch.stack([torch.zeros_like(s), s], dim=1)

    smoothed = Smoothed(SoftFirst(), smoothing.Gaussian(0.5), 2, device="cpu")
    for i, x0 in enumerate([0.2, 0.5, 1.0, -0.7]):
        x = torch.zeros(4)
        x[0] = x0
        cert = smoothing.certify_soft(smoothed, x, 100, 5000, 0.001, seed=i)
        assert cert.label == int(x0 > 0)
        assert cert.radius_cohen <= abs(x0) and cert.radius_margin <= abs(x0)
    assert certificates.soft_margin_l2(0.5, sigma=1.0) == pytest.approx(0.5 * np.sqrt(np.pi / 8))
    with pytest.raises(ValueError, match="margin must lie in \\[-1, 1\\]"):
        certificates.soft_margin_l2(1.5, sigma=1.0)


def test_soft_margin_bound_holds_when_the_runner_up_is_ambiguous():
    # One-hot scores with F = (0.5, 0.25, 0.22, 0.03): from 64 selection samples, class 2 often looks like the
    # runner-up, and a bound on F_0 - F_2 = 0.28 alone would exceed the true margin F_0 - F_1 = 0.25.
    from scipy.stats import norm

    from rslib import smoothing

    edges = torch.tensor(norm.ppf([0.5, 0.75, 0.97]), dtype=torch.float32)

    class Quantiles(torch.nn.Module):
        def forward(self, z):
            return 50.0 * torch.nn.functional.one_hot(torch.bucketize(z.flatten(1)[:, 0], edges), 4).float()

    smoothed = Smoothed(Quantiles(), smoothing.Gaussian(1.0), 4, device="cpu")
    certs = [smoothing.certify_soft(smoothed, torch.zeros(1), 64, 20_000, 0.001, seed=s) for s in range(40)]
    assert max(c.margin_lower for c in certs) <= 0.25  # also where the selection picked class 1 (and abstains)
    assert sum(c.label == 0 for c in certs) >= 30 and min(c.margin_lower for c in certs if c.label == 0) > 0.2


def test_compare_with_fixed_summarises_both_procedures():
    from rslib.smoothing import compare_with_fixed

    smoothed = Smoothed(FirstCoordinate(), smoothing.Gaussian(0.5), 2, device="cpu")
    dataset = [(torch.tensor([x0, 0.0, 0.0, 0.0]), 1) for x0 in (1.5, 0.05, 2.0)]
    summary = compare_with_fixed(smoothed, dataset, [0, 1, 2], [0.25], n0=100, n_max=5_000, alpha=0.001)
    row = summary[0.25]
    assert set(vars(row)) == {
        "mean_passes",
        "median_passes",
        "passes_ratio",
        "agreement",
        "certified_sequential",
        "certified_fixed",
        "undecided",
    }
    assert row.certified_sequential == row.certified_fixed == pytest.approx(2 / 3)  # x0 = 0.05 < r
    assert row.agreement == 1.0 and row.undecided == 0.0
    assert row.passes_ratio == pytest.approx(row.mean_passes / 5_100) and row.passes_ratio < 0.5
    with pytest.raises(ValueError, match="at least one image"):
        compare_with_fixed(smoothed, dataset, [], [0.25])
