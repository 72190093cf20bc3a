"""Sequential certification at a radius (rslib.smoothing._sequential), against a half-space classifier whose
truth is known."""

import _coverage
import numpy as np
import pytest
import torch
from scipy.stats import norm

from rslib import bounds, smoothing
from rslib.smoothing import ABSTAIN, Smoothed, certify_at_radius, sequential_decision


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
    tested, plan = [], bounds.sequential_plan

    def record(p0, **kwargs):
        tested.append(p0)
        return plan(p0, **kwargs)

    monkeypatch.setattr(bounds, "sequential_plan", record)
    smoothed = Smoothed(FarHalfSpace(), smoothing.Gaussian(0.5), 2, device="cpu")
    smoothing.certify_at_radius(smoothed, torch.zeros(DIM), 1e-300, n0=10, n_max=11)
    assert tested and min(tested) > 0.5


def test_summarize_refuses_no_rows():
    with pytest.raises(ValueError, match="rows must hold at least one image's row"):
        smoothing.summarize([], 100, 1000)


def bernoulli_source(p, rng):
    """Labels 1 with probability p, else 0: the votes of a classifier whose smoothed p_A is p."""
    return lambda m: (rng.random(m) < p).astype(np.int64)


def test_the_vote_level_decision_at_the_threshold_is_sound_too():
    # The same claim through sequential_decision itself (selection, prior, looks), at alpha = 0.05.
    plan, sigma, radius = _coverage.plan(0.05), 0.5, 0.5
    alpha = plan.alpha
    rng = np.random.default_rng(3)
    p = float(norm.cdf(radius / sigma))
    wrong = sum(
        sequential_decision(bernoulli_source(p, rng), sigma=sigma, radius=radius, n_max=5000, alpha=alpha).certified
        for _ in range(plan.trials)
    )
    plan.check(wrong, "sequential_decision at the threshold")


def test_the_vote_level_decision_follows_the_simulated_thresholds():
    # One decision by sequential_decision and by the thresholds on the same vote stream.
    for p in (0.6, 0.8, 0.9, 0.97):
        decision = sequential_decision(bernoulli_source(p, np.random.default_rng(1)), sigma=0.5, radius=0.5)
        votes = np.random.default_rng(1).random(200_000) < p
        k0 = int(votes[:100].sum())
        label = 1 if k0 >= 50 else 0
        k0 = k0 if label == 1 else 100 - k0
        plan = bounds.sequential_plan(
            float(norm.cdf(1.0)) * (1 + 4 * np.finfo(float).eps),
            alpha=0.001,
            n_max=100_000,
            prior=(k0 + 0.5, 100.5 - k0),
        )
        stream = iter(np.split(votes[100:] == label, np.cumsum(np.diff(np.concatenate([[0], plan.looks])))))
        outcome = plan.run(lambda m: int(next(stream).sum()))
        assert (decision.certified, decision.samples) == (outcome.rejected, 100 + outcome.votes)


def test_unreachable_radii_cost_no_vote():
    drawn = []
    decision = sequential_decision(lambda m: drawn.append(m) or np.ones(m, np.int64), sigma=0.25, radius=1.0)
    assert decision == smoothing.SequentialDecision(ABSTAIN, False, 0, True) and not drawn


def test_certify_at_radius_draws_the_fixed_runs_first_votes():
    # With one seed, the sequential run sees the first votes of the fixed run: replaying those decides alike.
    class Sign(torch.nn.Module):
        def forward(self, z):
            s = z.flatten(1)[:, 0]
            return torch.stack([-s, s], dim=1)

    smoothed = Smoothed(Sign(), smoothing.Gaussian(0.5), 2, device="cpu")
    x = torch.tensor([0.35, 0.0])
    votes = smoothed.sample_votes(x, 100 + 100_000, generator=smoothed.generator(5)).numpy()
    chunks = iter(np.split(votes, np.cumsum([100, *np.diff(np.concatenate([[0], bounds.look_schedule(100_000)]))])))
    replayed = sequential_decision(lambda m: next(chunks), sigma=0.5, radius=0.25)
    assert certify_at_radius(smoothed, x, 0.25, seed=5) == replayed and replayed.certified
