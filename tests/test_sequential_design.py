"""The sequential test of certify_at_radius: false certificates at p_A exactly at the threshold stay below alpha
(simulated, with trials sized by the coverage plan), decisions agree with fixed n, the mean sample size is within
2x of Wald's bound, and the e-process guards and thresholds behave."""

import numpy as np
import pytest
import torch
from scipy.stats import norm
from simulation_coverage import coverage_plan

from rslib import bounds, smoothing
from rslib.smoothing import ABSTAIN, Smoothed, certify_at_radius, sequential_decision
from rslib.theory import sample_size


def bernoulli_source(p, rng):
    """Labels 1 with probability p, else 0: the votes of a classifier whose smoothed p_A is p."""
    return lambda m: (rng.random(m) < p).astype(np.int64)


def simulate(p, threshold, alpha, n_max, runs, rng, n0=100, gamma=0.01):
    """Vectorised runs of the test's thresholds (`sequential_plan` with the selection prior, as
    `certify_at_radius` builds them) on Bernoulli(p) votes: certified fraction and votes per run."""
    k0 = rng.binomial(n0, p, runs)
    certified, votes = np.zeros(runs, bool), np.zeros(runs)
    for value in np.unique(k0):
        plan = bounds.sequential_plan(
            threshold, alpha=alpha, n_max=n_max, prior=(value + 0.5, n0 - value + 0.5), gamma=gamma
        )
        rows = np.nonzero(k0 == value)[0]
        count, alive, previous = np.zeros(rows.size, np.int64), np.ones(rows.size, bool), 0
        for look, reject, stop in zip(plan.looks, plan.reject, plan.stop):
            count[alive] += rng.binomial(look - previous, p, alive.sum())
            previous = look
            up = alive & (count >= reject)
            certified[rows[up]] = True
            ended = up | (alive & (count <= stop))
            votes[rows[alive]] = look
            alive &= ~ended
    return certified, votes


@pytest.mark.parametrize("ratio", [0.5, 1.0, 2.0])
def test_false_certificates_at_the_threshold_stay_below_alpha(ratio):
    # p_A exactly at Phi(r / sigma), the null point nearest every alternative: the hardest case.
    alpha = 0.001
    trials, most = coverage_plan(alpha)
    threshold = float(norm.cdf(ratio))
    certified, _ = simulate(threshold, threshold, alpha, 100_000, trials, np.random.default_rng(int(10 * ratio)))
    assert certified.sum() <= most


def test_the_vote_level_decision_at_the_threshold_is_sound_too():
    # The same claim through sequential_decision itself (selection, prior, looks), at alpha = 0.05.
    alpha, sigma, radius = 0.05, 0.5, 0.5
    trials, most = coverage_plan(alpha)
    rng = np.random.default_rng(3)
    p = float(norm.cdf(radius / sigma))
    wrong = sum(
        sequential_decision(bernoulli_source(p, rng), sigma=sigma, radius=radius, n_max=5000, alpha=alpha).certified
        for _ in range(trials)
    )
    assert wrong <= most


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


@pytest.mark.parametrize(("p", "ratio"), [(0.995, 1.0), (0.97, 1.0), (0.8, 0.5), (0.999, 2.0)])
def test_mean_votes_within_twice_walds_bound(p, ratio):
    threshold = float(norm.cdf(ratio))
    certified, votes = simulate(p, threshold, 0.001, 100_000, 400, np.random.default_rng(7))
    assert certified.mean() > 0.99
    assert votes.mean() <= 2 * sample_size.wald_samples(p, threshold, alpha=0.001)


def test_decisions_agree_with_fixed_n_near_its_boundary():
    # p_A 3.4 standard deviations above the fraction from which fixed n = 100,000 certifies (it certifies with
    # probability 0.9997): the futility test aims at that fraction and runs that reach the cap are decided by
    # Clopper-Pearson, so the sequential test certifies too. Just below the fraction, neither certifies.
    threshold = float(norm.cdf(1.0))
    k_min = bounds.fixed_n_count(threshold, 100_000, 0.001)
    certified, _ = simulate(k_min / 100_000 + 0.004, threshold, 0.001, 100_000, 400, np.random.default_rng(2))
    assert certified.mean() > 0.97
    certified, _ = simulate(k_min / 100_000 - 0.004, threshold, 0.001, 100_000, 400, np.random.default_rng(2))
    assert certified.mean() < 0.03


def test_unreachable_radii_cost_no_vote():
    drawn = []
    decision = sequential_decision(lambda m: drawn.append(m) or np.ones(m, np.int64), sigma=0.25, radius=1.0)
    assert decision == smoothing.SequentialDecision(ABSTAIN, False, 0, True) and not drawn


def test_plan_thresholds_and_schedule():
    looks = bounds.look_schedule(100_000)
    assert looks[:11].tolist() == [16, 24, 36, 54, 81, 122, 183, 275, 413, 620, 930]
    assert looks[11] == 1000 and looks[-1] == 100_000 and len(looks) == 111
    assert bounds.look_schedule(20).tolist() == [16, 20] and bounds.look_schedule(10).tolist() == [10]
    plan = bounds.sequential_plan(float(norm.cdf(2.0)), alpha=0.001, n_max=100_000, prior=(100.5, 0.5))
    assert plan.reject[8] == 413  # an all-ones stream certifies Phi(2) at the look of 413 votes
    assert (plan.stop < plan.reject).all() and plan.can_reject
    assert plan.reject[-1] <= bounds.fixed_n_count(float(norm.cdf(2.0)), 100_000, 0.0005)


def test_mixture_e_value_guards():
    # A prior whose mass above p0 underflows falls back to the flat prior (no infinite e-value).
    flat = bounds.beta_mixture_log_e(50, 50, 0.999, prior=(1.0, 1.0))
    assert bounds.beta_mixture_log_e(50, 50, 0.999, prior=(0.5, 5000.5)) == flat
    assert np.isfinite(flat) and flat > 0
    assert bounds.beta_mixture_log_e(0, 100, 0.5) < 0  # evidence against "greater" is none
    e = np.exp(bounds.beta_mixture_log_e(np.arange(11), 10, 0.3))
    q = 0.3  # under the null p = p0, E[E_n] = 1 (a martingale)
    from scipy.stats import binom

    assert (binom.pmf(np.arange(11), 10, q) * e).sum() == pytest.approx(1.0, rel=1e-10)


def test_oracle_bound():
    assert sample_size.bernoulli_kl(0.5, 0.5) == 0
    assert sample_size.bernoulli_kl(0.9, 0.5) == pytest.approx(0.9 * np.log(1.8) + 0.1 * np.log(0.2))
    assert sample_size.wald_samples(0.99, 0.9, alpha=0.001) == pytest.approx(
        np.log(1000) / (0.99 * np.log(0.99 / 0.9) + 0.01 * np.log(0.01 / 0.1))
    )
    assert np.isinf(sample_size.wald_samples(0.7, 0.7, alpha=0.01))
    passes = sample_size.oracle_passes(np.array([0.99, 0.7]), 0.9, alpha=0.001, n0=100, n_max=100_000)
    assert passes[0] == pytest.approx(100 + sample_size.wald_samples(0.99, 0.9, alpha=0.001))
    assert sample_size.oracle_passes(1.0, float(norm.cdf(4.0)), alpha=0.001, n0=100, n_max=100_000) == 0


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
