"""Sequential certification at a radius (rslib.smoothing._sequential), against a half-space classifier whose
truth is known."""

import _coverage
import numpy as np
import pytest
import torch

from rslib import bounds, smoothing
from rslib.smoothing import ABSTAIN, Smoothed, certify_at_radius


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
    # g is certified at r exactly when the distance to the boundary exceeds r. At distance r, p_A = Phi(r / sigma)
    # lies on the boundary of the null the certifying test rejects, where a false certificate is likeliest: it
    # must come with probability <= alpha, whenever the run stops.
    smoothed = Smoothed(FirstCoordinate(), smoothing.Gaussian(0.5), 2, device="cpu")
    plan, x = _coverage.plan(0.2), torch.tensor([0.5, 0.0, 0.0, 0.0])
    decisions = [certify_at_radius(smoothed, x, 0.5, n_max=2_000, alpha=plan.alpha, seed=i) for i in range(plan.trials)]
    plan.check([d.certified for d in decisions], "certify_at_radius")


def test_bad_input():
    smoothed = Smoothed(FirstCoordinate(), smoothing.Laplace(0.5), 2, device="cpu")
    with pytest.raises(TypeError, match="needs Gaussian noise"):
        certify_at_radius(smoothed, torch.zeros(4), 0.5)
    gaussian = Smoothed(FirstCoordinate(), smoothing.Gaussian(0.5), 2, device="cpu")
    with pytest.raises(ValueError, match="radius must be a finite number >= 0"):
        certify_at_radius(gaussian, torch.zeros(4), -1.0)


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


DIM = 8


class FarHalfSpace(torch.nn.Module):
    """Class 1 under every noise draw near 0 (the boundary z_0 = -100 is out of reach): a unanimous model."""

    def forward(self, z):
        score = z.flatten(1)[:, 0] + 100.0
        return torch.stack([torch.zeros_like(score), score], dim=1)


def test_sequential_tests_against_the_threshold_rounded_up(monkeypatch):
    # At a radius r > 0 so small that Phi(r / sigma) rounds to 1/2, a rejection of "p_A <= 1/2" does not
    # show p_A > Phi(r / sigma): the null tested must be rounded up, above 1/2.
    tested = []

    def record(x, m0, alpha):
        tested.append(m0)
        return np.zeros(len(x), dtype=bool)

    monkeypatch.setattr(bounds, "betting_rejects", record)
    smoothed = Smoothed(FarHalfSpace(), smoothing.Gaussian(0.5), 2, device="cpu")
    smoothing.certify_at_radius(smoothed, torch.zeros(DIM), 1e-300, n0=10, n_max=10)
    assert tested[0] > 0.5 and tested[1] < 0.5  # certify: p_A above the threshold; refute: 1 - p_A below 1 - it


def test_summarize_refuses_no_rows():
    with pytest.raises(ValueError, match="rows must hold at least one image's row"):
        smoothing.summarize([], 100, 1000)
