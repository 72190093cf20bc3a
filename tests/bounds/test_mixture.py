"""The sequential test's parts (rslib.bounds._mixture): the Beta-mixture e-value and its guards, the look schedule,
and the plan's thresholds, simulated: false certificates at p_A exactly at the threshold stay below alpha (trials
from tests/_coverage.py), decisions agree with fixed n near its boundary, the mean sample size is within 2x of
Wald's bound."""

import _coverage
import numpy as np
import pytest
from scipy.stats import binom, norm

from rslib import bounds
from rslib.theory import sample_size


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
    plan = _coverage.plan(0.001)
    threshold = float(norm.cdf(ratio))
    rng = np.random.default_rng(int(10 * ratio))
    certified, _ = simulate(threshold, threshold, plan.alpha, 100_000, plan.trials, rng)
    plan.check(certified, f"the sequential plan at Phi({ratio})")


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
    assert (binom.pmf(np.arange(11), 10, q) * e).sum() == pytest.approx(1.0, rel=1e-10)
